"""When a wait polls: a backoff while nothing is known of the job's length, or polls around the end that
the job's history predicts.

Both schedules answer "how long to sleep before the next poll" and nothing else: no I/O and no clock,
so that ``bench/polling_economy.py`` runs the very code the trigger runs on a simulated clock.

- :class:`PollSchedule`, the backoff: intervals growing x1.5 from ``waiter_delay`` up to ``max_delay``.
- :class:`ExpectedEndSchedule`: given the job's expected duration (the median of the same parent's last
  jobs of the same kind, see ``_history.py``), few polls while the job cannot be expected to have ended,
  polls 5 % of the elapsed time apart while it may end, and the backoff again if it overruns.

Every interval is shortened by up to 20 % at random (jitter only shortens, so that the promises below hold)
so that thousands of waits drift apart instead of polling in lockstep.
"""

from __future__ import annotations

import math
import random

BACKOFF_GROWTH = 1.5
JITTER = 0.2
# Justified by bench/polling_economy.py: with waiter_delay=60, a 5-minute cap keeps detection lateness
# of 1 h and 6 h jobs under 10 % of their duration at a quarter or less of a fixed 60 s interval's polls.
DEFAULT_MAX_DELAY_SECONDS = 300
DEFAULT_MAX_DELAY_FACTOR = 10

# A job of a kind under one parent takes about as long night after night: within this fraction of the
# expected duration either way is "as expected" (the goal's population in bench/polling_economy.py).
DURATION_SPREAD = 0.2
# While the job may end as expected, a poll every 5 % of the elapsed time: the end is noticed within 5 % of
# the job's duration.
WINDOW_LATENESS = 0.05
# In the window, the jobs' own start times already spread the waits' polls: less jitter, fewer polls.
WINDOW_JITTER = 0.1
# Before the window, while the job would be up to 2.5 x faster than expected, polls at most half the
# elapsed time apart (the backoff's own ramp promises as much: each interval x1.5 the previous one), and
# at most four backoff caps apart (20 minutes by default), so that a long job that ends far earlier than
# expected is still noticed within that.
EARLY_LATENESS = 0.5
EARLY_MAX_DELAY_FACTOR = 4


def default_max_delay(waiter_delay: float) -> float:
    """The longest interval between polls, when not given: 10 x ``waiter_delay``, at most 5 minutes.

    Never below ``waiter_delay`` itself: whoever asks for slower polling gets it.
    """
    return max(waiter_delay, min(DEFAULT_MAX_DELAY_FACTOR * waiter_delay, DEFAULT_MAX_DELAY_SECONDS))


class PollSchedule:
    """How long to sleep before each poll, knowing nothing of the job: a backoff.

    Before the first poll: uniformly random in ``[0, first_delay)``. Before poll k + 1 (k >= 1):
    ``min(first_delay * growth ** (k - 1), max_delay) * uniform(1 - jitter, 1)``. Jitter only shortens
    an interval, so ``max_delay`` bounds how late a finished job is noticed.
    """

    __slots__ = ("_nominal", "_uniform", "first_delay", "growth", "jitter", "max_delay")

    def __init__(
        self,
        first_delay: float,
        max_delay: float,
        growth: float = BACKOFF_GROWTH,
        jitter: float = JITTER,
        rng: random.Random | None = None,
    ) -> None:
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.growth = growth
        self.jitter = jitter
        # The random module's shared generator unless one is given: a Random per wait costs ~2.5 KB.
        self._uniform = rng.uniform if rng else random.uniform
        self._nominal: float | None = None

    def next_delay(self) -> float:
        if self._nominal is None:
            self._nominal = min(self.first_delay, self.max_delay)
            return self._uniform(0, self._nominal)
        delay = self.jittered(self._nominal)
        self._nominal = min(self._nominal * self.growth, self.max_delay)
        return delay

    @property
    def nominal(self) -> float:
        """The next interval, before jitter."""
        return min(self.first_delay, self.max_delay) if self._nominal is None else self._nominal

    def jittered(self, delay: float, jitter: float | None = None) -> float:
        """``delay`` shortened by up to ``jitter`` of it (this schedule's by default), at random."""
        return delay * self._uniform(1 - (self.jitter if jitter is None else jitter), 1)

    def slow_down(self) -> None:
        """Skip to the longest interval: the service asked us to poll less."""
        self._nominal = self.max_delay

    def catch_up(self, elapsed: float) -> None:
        """Go on at least at the interval this backoff reaches after ``elapsed`` seconds of polling."""
        nominal, polled = min(self.first_delay, self.max_delay), 0.0
        while polled + nominal < elapsed and nominal < self.max_delay:
            polled += nominal
            nominal = min(nominal * self.growth, self.max_delay)
        self._nominal = max(self._nominal or 0.0, nominal)


class ExpectedEndSchedule:
    """How long to sleep before each poll of a job expected to take ``expected`` seconds.

    ``elapsed`` is the time since the job was created, when this schedule takes over (the job may have run
    for a while: a triggerer restarted, a task adopted a running job); the schedule counts on from there
    with the delays it returns. With ``E`` the expected duration and the window ``[0.8 E, 1.2 E]`` in which
    the job is expected to end, the interval before the next poll depends on the time ``t`` the job has
    run:

    - ``t < 0.4 E``: the job would be more than twice as fast as the fastest expected, as if the history
      were wrong: the ``backoff``'s own intervals, so that such a job is noticed as promptly as without
      history.
    - ``0.4 E <= t < 0.8 E``: few polls, at most half the elapsed time apart (as the backoff's ramp) and
      four ``max_delay`` apart, the last one landing at the window's first poll.
    - ``0.8 E <= t < 1.2 E``: polls 5 % of the elapsed time apart, never closer than the backoff's
      ``first_delay`` (``waiter_delay``: the finest polling its user asked for) nor further than its
      ``max_delay``: an end in the window is noticed within 5 % of the job's duration.
    - ``t >= 1.2 E``: the job overruns: the backoff again, at least at the interval it would have reached by
      then, growing to ``max_delay``, so that a job longer than its history is noticed as promptly as
      without history.
    """

    __slots__ = ("_slowed", "backoff", "elapsed", "expected")

    def __init__(self, backoff: PollSchedule, expected: float, elapsed: float) -> None:
        self.backoff = backoff
        self.expected = expected
        self.elapsed = elapsed
        self._slowed = False

    @property
    def window(self) -> tuple[float, float]:
        """When, in seconds since its creation, the job is expected to end."""
        return self.expected * (1 - DURATION_SPREAD), self.expected * (1 + DURATION_SPREAD)

    def next_delay(self) -> float:
        delay = self._next_delay(self.elapsed)
        if self._slowed:
            self._slowed = False
            delay = max(delay, self.backoff.jittered(self.backoff.max_delay))
        self.elapsed += delay
        return delay

    def slow_down(self) -> None:
        """The service asked us to poll less: the next interval is the longest, then on as planned."""
        self._slowed = True
        self.backoff.slow_down()

    def _next_delay(self, t: float) -> float:
        backoff = self.backoff
        start, end = self.window
        first_in_window = start + self._window_interval(start)
        if t < start / 2:
            return min(backoff.next_delay(), first_in_window - t)
        if t < start:
            return self._early_interval(t, first_in_window)
        if t < end:
            return backoff.jittered(self._window_interval(t), WINDOW_JITTER)
        backoff.catch_up(t)
        return backoff.next_delay()

    def _window_interval(self, t: float) -> float:
        backoff = self.backoff
        return min(max(WINDOW_LATENESS * t, backoff.first_delay), backoff.max_delay)

    def _early_interval(self, t: float, target: float) -> float:
        """The next of the fewest polls from ``t`` to ``target``, equally spaced in ratio, each at most
        ``EARLY_LATENESS`` of the elapsed time and ``EARLY_MAX_DELAY_FACTOR`` caps after the previous, and
        none closer than the backoff's would be (a job short next to ``waiter_delay``)."""
        polls = math.ceil(math.log(target / t) / math.log1p(EARLY_LATENESS))
        interval = t * ((target / t) ** (1 / polls) - 1)
        longest = EARLY_MAX_DELAY_FACTOR * self.backoff.max_delay
        if interval > longest:
            # Equal steps no longer than the longest: none much shorter than the others.
            interval = (target - t) / math.ceil((target - t) / longest) if longest > 0 else 0.0
        return min(max(interval, self.backoff.nominal), target - t)
