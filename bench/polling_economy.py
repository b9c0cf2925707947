"""Polling economy: how many polls a wait costs, and how late it notices the end, on a simulated clock.

For jobs of about 1 min, 15 min, 1 h and 6 h, compare the trigger's poll schedules, the code the trigger
runs with its defaults, against the amazon provider's pattern (a poll at once, then one every 60 s):

- before: the backoff (``PollSchedule``), what a wait does without history;
- after: history-informed (``ExpectedEndSchedule``), what a wait does once it knows the median duration of
  the latest jobs like it under the same parent. As in the trigger when that history is not cached yet,
  it takes over from the third poll: the first poll's Describe body names the job's parent, and the
  history's List request answers during the second interval.

Each job's duration is drawn uniformly within +-20 % of the history's median (the goal's population), so
that no schedule is flattered by a job that happens to end just before one of its polls; each row is the
mean over many such jobs, the same jobs for every schedule (seeded, so runs are repeatable). Lateness is
the time between the job's end and the poll that sees it, as a percentage of the job's duration.

Goal (issue 15): at most a quarter of the fixed interval's polls AND p95 lateness at most 5 %, at every
length; and when the history misleads (the job 3x shorter or 3x longer than its history), no worse than
the backoff. The "fewest possible" column is a lower bound, the same at every length, on the polls of ANY
schedule (even one drawing at random) that keeps p95 lateness within 5 % on these jobs (``fewest_polls``,
proof in bench/README.md): where it exceeds a quarter of the fixed interval's polls, no schedule can meet
the goal at that length. A last table sweeps the backoff's growth factor and cap, which
is how its defaults were chosen. Nothing sleeps: ``python -m bench.polling_economy`` takes seconds.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from airflow_provider_personalize.triggers._schedule import (
    BACKOFF_GROWTH,
    DURATION_SPREAD,
    ExpectedEndSchedule,
    PollSchedule,
    default_max_delay,
)

JOB_MINUTES = (1, 15, 60, 360)
FIXED_INTERVAL = 60.0
POLL_RATIO_GOAL = 1 / 4
LATENESS_GOAL = 5.0  # % of the job's duration, at p95
MISLEADING_FACTORS = (1 / 3, 3)
# Polls before the history is in hand, in the trigger, when it is not cached yet.
POLLS_BEFORE_HISTORY = 2
# p95 lateness within this many points of the backoff's counts as "as prompt": both figures are means of
# random jitter, and a schedule identical to the backoff differs from it by this much from seed to seed.
SAME_LATENESS_POINTS = 1.0

# A schedule: given the job's expected duration, the delays before each poll, drawing jitter from rng.
Schedule = Callable[[float, random.Random], Iterator[float]]


def fixed_interval(expected: float, rng: random.Random) -> Iterator[float]:
    """The amazon provider's ``async_wait``: the first poll at once, then every 60 s."""
    yield 0.0
    while True:
        yield FIXED_INTERVAL


def backoff(waiter_delay: float, max_delay: float, growth: float = BACKOFF_GROWTH) -> Schedule:
    def delays(expected: float, rng: random.Random) -> Iterator[float]:
        schedule = PollSchedule(waiter_delay, max_delay, growth=growth, rng=rng)
        while True:
            yield schedule.next_delay()

    return delays


def history_informed(waiter_delay: float, max_delay: float) -> Schedule:
    def delays(expected: float, rng: random.Random) -> Iterator[float]:
        schedule = PollSchedule(waiter_delay, max_delay, rng=rng)
        elapsed = 0.0
        for _ in range(POLLS_BEFORE_HISTORY):
            delay = schedule.next_delay()
            elapsed += delay
            yield delay
        planned = ExpectedEndSchedule(schedule, expected, elapsed)
        while True:
            yield planned.next_delay()

    return delays


def fewest_polls(
    spread: float = DURATION_SPREAD, lateness: float = LATENESS_GOAL / 100, share: float = 0.95
) -> float:
    """A lower bound on the mean polls of any schedule that notices the end of ``share`` of jobs, uniform
    within +-``spread`` of the expected duration, within ``lateness`` of their duration.

    In units of the expected duration, the window is [a, b] = [1 - spread, 1 + spread]. A poll at p notices
    within ``lateness`` the jobs ending in [p / (1 + lateness), p] and costs a poll to every job ending
    after p. With k polls, b / (1 + lateness) ** j for j < k notice the most jobs in time (disjoint
    intervals, each as long as it can be) at the least cost (each as late as it can be); a schedule drawn
    at random does no better than a mix of two such k (the lower convex hull of their points).
    """
    low, high = 1 - spread, 1 + spread
    width = high - low
    points = [(0.0, 1.0)]  # (share noticed in time, mean polls): no poll in the window, one after it
    while points[-1][0] < 1:
        polls = [high / (1 + lateness) ** j for j in range(len(points))]
        noticed = (high - max(low, polls[-1] / (1 + lateness))) / width
        mean = 1 + sum((high - poll) / width if poll >= low else 1.0 for poll in polls)
        points.append((noticed, mean))
    return min(
        fewer_noticed[1]
        + (more[1] - fewer_noticed[1]) * (share - fewer_noticed[0]) / (more[0] - fewer_noticed[0])
        for fewer_noticed, more in itertools.combinations(points, 2)
        if fewer_noticed[0] <= share <= more[0]
    )


@dataclass(frozen=True)
class Outcome:
    polls: float
    lateness_mean: float  # % of the job's duration
    lateness_p95: float


def simulate(schedule: Schedule, expected: float, trials: int, seed: int, factor: float = 1.0) -> Outcome:
    """``trials`` jobs ``factor`` x ``expected`` long (each +-20 %), waited for on ``schedule``."""
    durations, jitter = random.Random(seed), random.Random(seed + 1)
    polls, lateness = [], []
    for _ in range(trials):
        duration = expected * factor * durations.uniform(1 - DURATION_SPREAD, 1 + DURATION_SPREAD)
        now, count = 0.0, 0
        for delay in schedule(expected, jitter):
            now += delay
            count += 1
            if now >= duration:
                break
        polls.append(count)
        lateness.append(100 * (now - duration) / duration)
    return Outcome(
        statistics.fmean(polls),
        statistics.fmean(lateness),
        statistics.quantiles(lateness, n=20)[-1],
    )


def meets_goal(ours: Outcome, fixed: Outcome) -> bool:
    return ours.polls <= fixed.polls * POLL_RATIO_GOAL and ours.lateness_p95 <= LATENESS_GOAL


def goal_table(waiter_delay: float, trials: int, seed: int) -> list[str]:
    max_delay = default_max_delay(waiter_delay)
    before, after = backoff(waiter_delay, max_delay), history_informed(waiter_delay, max_delay)
    lines = [
        f"waiter_delay={waiter_delay:g} s, cap {max_delay:g} s; jobs within +-{DURATION_SPREAD:.0%} of their "
        f"history; vs a poll every {FIXED_INTERVAL:g} s. Lateness in % of the job's duration.",
        f"Goal: at most {POLL_RATIO_GOAL:.2f} of the fixed interval's polls and p95 lateness at most "
        f"{LATENESS_GOAL:g} %.",
        "",
        f"{'job':>6} | {'fixed polls':>11} {'p95':>5} | {'schedule':>16} {'polls':>6} {'late mean':>9} "
        f"{'p95':>6} {'ratio':>6} | {'goal':<7} | fewest possible: polls ratio",
    ]
    fewest = fewest_polls()
    for minutes in JOB_MINUTES:
        expected = minutes * 60
        fixed = simulate(fixed_interval, expected, trials, seed)
        reachable = fewest <= fixed.polls * POLL_RATIO_GOAL
        for name, schedule in (("before: backoff", before), ("after: history", after)):
            ours = simulate(schedule, expected, trials, seed)
            verdict = "met" if meets_goal(ours, fixed) else "not met"
            lines.append(
                f"{_job_label(minutes):>6} | {fixed.polls:11.1f} {fixed.lateness_p95:4.0f}% | {name:>16} "
                f"{ours.polls:6.1f} {ours.lateness_mean:8.1f}% {ours.lateness_p95:5.1f}% "
                f"{ours.polls / fixed.polls:6.3f} | {verdict:<7} | {fewest:5.2f} {fewest / fixed.polls:5.2f}"
                + (
                    ""
                    if reachable
                    else f" (goal out of reach: at least {fewest:.2f} polls are needed for p95 <= "
                    f"{LATENESS_GOAL:g} %, the goal allows {fixed.polls * POLL_RATIO_GOAL:.2f})"
                )
            )
    return lines


def misleading_table(waiter_delay: float, trials: int, seed: int) -> list[str]:
    max_delay = default_max_delay(waiter_delay)
    before, after = backoff(waiter_delay, max_delay), history_informed(waiter_delay, max_delay)
    lines = [
        f"When the history misleads (waiter_delay={waiter_delay:g} s): the job 3x shorter or 3x longer than "
        f"its history's median (each +-{DURATION_SPREAD:.0%}). No worse: p95 lateness within "
        f"{SAME_LATENESS_POINTS:g} point of the backoff's or better, and no more polls.",
        "",
        f"{'history':>7} {'job':>6} | {'before polls':>12} {'p95':>6} | {'after polls':>11} {'p95':>6} | "
        "no worse",
    ]
    for minutes in JOB_MINUTES:
        expected = minutes * 60
        for factor in MISLEADING_FACTORS:
            was = simulate(before, expected, trials, seed, factor)
            now = simulate(after, expected, trials, seed, factor)
            prompt = now.lateness_p95 <= was.lateness_p95 + SAME_LATENESS_POINTS
            extra = now.polls / was.polls - 1
            cheap = extra <= 0.005
            detail = ("as prompt" if prompt else "later") + (
                ", no more polls" if cheap else f", {extra:.0%} more polls"
            )
            lines.append(
                f"{_job_label(minutes):>7} {_factor_label(factor):>6} | {was.polls:12.1f} "
                f"{was.lateness_p95:5.1f}% | {now.polls:11.1f} {now.lateness_p95:5.1f}% | "
                f"{'met' if prompt and cheap else 'not met':<7} | {detail}"
            )
    return lines


def sweep_table(waiter_delay: float, trials: int, seed: int) -> list[str]:
    lines = [
        f"The backoff's parameters, at waiter_delay={waiter_delay:g} s: poll ratio to the fixed interval / "
        "p95 lateness",
        "",
        f"{'growth':>6} {'cap s':>6} | " + " | ".join(f"{_job_label(m):>13}" for m in JOB_MINUTES),
    ]
    fixed = {m: simulate(fixed_interval, m * 60, trials, seed) for m in JOB_MINUTES}
    for growth in (1.25, 1.5, 2.0):
        for cap in (120, 300, 600, 900):
            schedule = backoff(waiter_delay, cap, growth)
            cells = []
            for minutes in JOB_MINUTES:
                ours = simulate(schedule, minutes * 60, trials, seed)
                cells.append(f"{ours.polls / fixed[minutes].polls:5.2f} / {ours.lateness_p95:4.0f}%")
            lines.append(f"{growth:>6} {cap:>6} | " + " | ".join(f"{cell:>13}" for cell in cells))
    return lines


def _job_label(minutes: int) -> str:
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"


def _factor_label(factor: float) -> str:
    return f"x{factor:g}" if factor >= 1 else f"x1/{1 / factor:g}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000, help="simulated jobs per row (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for waiter_delay in (60, 30):
        print("\n".join(goal_table(waiter_delay, args.trials, args.seed)), end="\n\n")
        print("\n".join(misleading_table(waiter_delay, args.trials, args.seed)), end="\n\n")
    print("\n".join(sweep_table(60, args.trials, args.seed)))


if __name__ == "__main__":
    main()
