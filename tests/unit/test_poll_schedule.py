"""The poll schedules on a simulated clock: the backoff's catching up, and polls around an expected end.

Pure: the schedules only compute delays; here the clock is their sum. Jitter is switched off (a generator
whose ``uniform`` returns its upper bound: jitter only ever shortens an interval) where a test checks a
bound, and left on where it checks that two schedules agree.
"""

from __future__ import annotations

import itertools
import random

import pytest

from airflow_provider_personalize.triggers._schedule import (
    ExpectedEndSchedule,
    PollSchedule,
    default_max_delay,
)

HOUR = 3600.0


class NoJitter(random.Random):
    """uniform(a, b) is always b: the first poll at the end of its interval, no interval shortened."""

    def uniform(self, a: float, b: float) -> float:
        return b


def backoff(waiter_delay: float = 60, rng: random.Random | None = None) -> PollSchedule:
    return PollSchedule(waiter_delay, default_max_delay(waiter_delay), rng=rng or NoJitter())


def poll_times(schedule: ExpectedEndSchedule | PollSchedule, until: float) -> list[float]:
    """When the schedule polls next, in seconds since the job's creation, until past ``until``."""
    times, now = [], getattr(schedule, "elapsed", 0.0)
    while now <= until:
        now += schedule.next_delay()
        times.append(now)
    return times


def first_poll_at_or_after(times: list[float], end: float) -> float:
    return next(time for time in times if time >= end)


def planned(
    expected: float, waiter_delay: float = 60, rng: random.Random | None = None
) -> ExpectedEndSchedule:
    """As in a wait: the backoff's first poll, then the plan from there."""
    schedule = backoff(waiter_delay, rng)
    return ExpectedEndSchedule(schedule, expected, elapsed=schedule.next_delay())


# The backoff's intervals are 60, 90, 135, 202.5, 300: it is on its third after 150 s.
@pytest.mark.parametrize(("elapsed", "nominal"), [(0, 60), (59, 60), (61, 90), (200, 135), (3000, 300)])
def test_the_backoff_catches_up_with_the_interval_it_reaches_after_that_long(elapsed, nominal):
    schedule = backoff()
    schedule.next_delay()
    schedule.catch_up(elapsed)
    assert schedule.next_delay() == max(nominal, 60)


def test_catching_up_never_slows_a_backoff_that_is_further_on():
    schedule = backoff()
    schedule.slow_down()
    schedule.catch_up(10)
    assert schedule.next_delay() == 300


def test_before_four_tenths_of_the_expected_time_it_polls_as_the_backoff_does():
    # Jittered alike: a job over in under 0.4 E (twice as fast as the fastest expected) is noticed by the
    # very polls the backoff alone would make.
    alone = backoff(rng=random.Random(5))
    with_history = ExpectedEndSchedule(backoff(rng=random.Random(5)), HOUR, elapsed=0.0)

    times_alone = poll_times(alone, 0.4 * HOUR)
    times_planned = poll_times(with_history, 0.4 * HOUR)

    before = [time for time in times_alone if time < 0.4 * HOUR]
    assert len(before) >= 8
    assert times_planned[: len(before)] == pytest.approx(before)


def test_between_four_and_eight_tenths_it_polls_little_each_at_most_half_the_elapsed_time_after():
    times = poll_times(planned(HOUR), 0.85 * HOUR)
    early = [time for time in times if 0.4 * HOUR <= time < 0.8 * HOUR]
    assert len(early) <= 2
    last_before = max(time for time in times if time < 0.4 * HOUR)
    for previous, time in zip([last_before, *early], [*early, 0.84 * HOUR], strict=True):
        assert time <= 1.5 * previous + 1e-6


def test_early_polls_are_at_most_four_caps_apart_on_long_jobs():
    times = poll_times(planned(6 * HOUR), 0.85 * 6 * HOUR)
    early = [time for time in times if 0.4 * 6 * HOUR <= time < 0.8 * 6 * HOUR]
    assert max(later - earlier for earlier, later in itertools.pairwise(early)) <= 1200 + 1e-6


@pytest.mark.parametrize(("expected", "waiter_delay"), [(HOUR, 60), (6 * HOUR, 60), (900, 30), (900, 60)])
def test_an_end_within_a_fifth_of_the_expected_time_is_noticed_within_five_percent_or_waiter_delay(
    expected, waiter_delay
):
    times = poll_times(planned(expected, waiter_delay), 1.3 * expected)

    for step in range(101):
        end = 0.8 * expected + 0.4 * expected * step / 100
        lateness = first_poll_at_or_after(times, end) - end
        assert lateness <= max(0.05 * end, waiter_delay) + 1e-6


def test_the_window_costs_a_handful_of_polls():
    times = poll_times(planned(HOUR), 1.2 * HOUR)
    assert 8 <= len([time for time in times if 0.8 * HOUR <= time <= 1.2 * HOUR]) <= 10
    # Before the window: the backoff's ramp to 0.4 E (8 polls), and two more.
    assert len([time for time in times if time < 0.8 * HOUR]) <= 10


def test_a_job_that_overruns_gets_the_backoff_back_up_to_its_cap():
    times = poll_times(planned(900), 3 * 900)
    late = [time for time in times if time > 1.2 * 900]
    intervals = [later - earlier for earlier, later in itertools.pairwise(late)]
    assert intervals == sorted(intervals)
    assert intervals[-1] == 300
    # So a job 3x longer than its history is noticed within the cap, as without history.
    assert first_poll_at_or_after(times, 2.9 * 900) - 2.9 * 900 <= 300


def test_a_job_3x_shorter_than_its_history_is_noticed_as_promptly_as_without_it():
    for seed in range(20):
        times_alone = poll_times(backoff(rng=random.Random(seed)), 0.4 * HOUR)
        times_planned = poll_times(planned(HOUR, rng=random.Random(seed)), 0.4 * HOUR)
        for end in (0.27 * HOUR, 1 / 3 * HOUR, 0.4 * HOUR):
            assert first_poll_at_or_after(times_planned, end) == pytest.approx(
                first_poll_at_or_after(times_alone, end)
            )


def test_a_wait_that_starts_late_in_the_job_polls_for_where_the_job_is():
    # A triggerer restarted, or a task adopted a running job: 0.9 E in, the polls are the window's.
    schedule = ExpectedEndSchedule(backoff(), HOUR, elapsed=0.9 * HOUR)
    assert schedule.next_delay() == pytest.approx(0.05 * 0.9 * HOUR)
    overrun = ExpectedEndSchedule(backoff(), HOUR, elapsed=2 * HOUR)
    assert overrun.next_delay() == 300


def test_jitter_only_shortens_the_windows_intervals_by_a_tenth_at_most():
    schedule = ExpectedEndSchedule(backoff(rng=random.Random(3)), HOUR, elapsed=0.9 * HOUR)
    for _ in range(20):
        elapsed = schedule.elapsed
        delay = schedule.next_delay()
        if elapsed >= 1.2 * HOUR:
            break
        assert 0.9 * 0.05 * elapsed <= delay <= 0.05 * elapsed


def test_after_throttling_the_next_interval_is_the_longest_then_the_plan_resumes():
    schedule = ExpectedEndSchedule(backoff(), HOUR, elapsed=0.9 * HOUR)
    schedule.slow_down()
    assert schedule.next_delay() == 300
    assert schedule.next_delay() == pytest.approx(0.05 * schedule.elapsed, rel=0.06)


def test_without_a_delay_nothing_waits():
    # waiter_delay=0 (tests, the emulator): every interval is 0, in every phase, and nothing divides by it.
    schedule = ExpectedEndSchedule(PollSchedule(0, 0), 10.0, elapsed=0.0)
    for elapsed in (0.0, 4.5, 8.5, 13.0):
        schedule.elapsed = elapsed
        assert schedule.next_delay() == 0


@pytest.mark.parametrize("expected", [10, 30, 60, 90])
def test_a_job_short_next_to_waiter_delay_is_polled_no_more_often_than_by_the_backoff(expected):
    # The finest interval is waiter_delay: a history of 10 s jobs does not make a 60 s wait poll faster.
    with_history = poll_times(planned(expected), 600)
    alone = backoff()
    alone.next_delay()
    without = poll_times(alone, 600)
    assert all(later - earlier >= 60 for earlier, later in itertools.pairwise(with_history))
    assert len(with_history) <= len(without)
