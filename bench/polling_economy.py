"""Polling economy: how many polls a wait costs, and how late it notices the end, on a simulated clock.

For jobs of about 1 min, 15 min, 1 h and 6 h, compare the trigger's poll schedule (``PollSchedule``, the
code the trigger runs, with its defaults) against the amazon provider's pattern: a poll at once, then
one every 60 s. Each job's real duration is drawn uniformly within +-20 % of its nominal duration, so
that neither schedule is flattered by a job that happens to end just before one of its polls; each
row is the mean over many such jobs (seeded, so runs are repeatable). Lateness is the time between
the job's end and the poll that sees it, as a percentage of the job's duration.

Goal (issue 4): at most one third of the fixed interval's polls, with lateness at most 10 % of the
job's duration. A second table sweeps the growth factor and the cap, which is how the defaults were
chosen. Nothing sleeps: ``python -m bench.polling_economy`` takes a few seconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from airflow_provider_personalize.triggers.personalize import (
    BACKOFF_GROWTH,
    PollSchedule,
    default_max_delay,
)

JOB_MINUTES = (1, 15, 60, 360)
FIXED_INTERVAL = 60.0
DURATION_SPREAD = 0.2

Schedule = Callable[[random.Random], Iterator[float]]


def fixed_interval(rng: random.Random) -> Iterator[float]:
    """The amazon provider's ``async_wait``: the first poll at once, then every 60 s."""
    yield 0.0
    while True:
        yield FIXED_INTERVAL


def backoff(waiter_delay: float, max_delay: float, growth: float = BACKOFF_GROWTH) -> Schedule:
    def delays(rng: random.Random) -> Iterator[float]:
        schedule = PollSchedule(waiter_delay, max_delay, growth=growth, rng=rng)
        while True:
            yield schedule.next_delay()

    return delays


@dataclass(frozen=True)
class Outcome:
    polls: float
    lateness_mean: float  # % of the job's duration
    lateness_p95: float


def simulate(schedule: Schedule, job_seconds: float, trials: int, seed: int) -> Outcome:
    rng = random.Random(seed)
    polls, lateness = [], []
    for _ in range(trials):
        duration = job_seconds * rng.uniform(1 - DURATION_SPREAD, 1 + DURATION_SPREAD)
        now, count = 0.0, 0
        for delay in schedule(rng):
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
    return ours.polls <= fixed.polls / 3 and ours.lateness_p95 <= 10


def comparison_table(waiter_delay: float, trials: int, seed: int) -> list[str]:
    max_delay = default_max_delay(waiter_delay)
    ours_schedule = backoff(waiter_delay, max_delay)
    lines = [
        f"Backoff from waiter_delay={waiter_delay:g} s, x{BACKOFF_GROWTH} per poll, cap {max_delay:g} s, "
        f"20 % jitter; vs a poll every {FIXED_INTERVAL:g} s. Lateness in % of the job's duration.",
        "",
        f"{'job':>6} | {'fixed polls':>11} {'late mean':>9} {'p95':>5} | {'ours polls':>10} "
        f"{'late mean':>9} {'p95':>5} | {'poll ratio':>10} | goal",
    ]
    for minutes in JOB_MINUTES:
        fixed = simulate(fixed_interval, minutes * 60, trials, seed)
        ours = simulate(ours_schedule, minutes * 60, trials, seed)
        lines.append(
            f"{_job_label(minutes):>6} | {_cells(fixed, 11)} | {_cells(ours, 10)}"
            f" | {ours.polls / fixed.polls:10.2f} | {'met' if meets_goal(ours, fixed) else 'not met'}"
        )
    return lines


def sweep_table(waiter_delay: float, trials: int, seed: int) -> list[str]:
    lines = [
        f"Sweep at waiter_delay={waiter_delay:g} s: poll ratio to the fixed interval / p95 lateness",
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


def _cells(outcome: Outcome, polls_width: int) -> str:
    return f"{outcome.polls:{polls_width}.1f} {outcome.lateness_mean:8.1f}% {outcome.lateness_p95:4.0f}%"


def _job_label(minutes: int) -> str:
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000, help="simulated jobs per row (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for waiter_delay in (60, 30):
        print("\n".join(comparison_table(waiter_delay, args.trials, args.seed)), end="\n\n")
    print("\n".join(sweep_table(60, args.trials, args.seed)))


if __name__ == "__main__":
    main()
