"""EventBridge schedules become Airflow timetables that fire when EventBridge would, or are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

try:
    from airflow.sdk import CronTriggerTimetable, DeltaTriggerTimetable
except ImportError:  # Airflow 3.0: the Task SDK takes the core timetables
    from airflow.timetables.trigger import CronTriggerTimetable, DeltaTriggerTimetable
from croniter import croniter

from airflow_provider_personalize.pipelines.schedules import (
    ScheduleError,
    check,
    cron_expression,
    rate_interval,
    timetable,
)

# EventBridge expression -> cron, and the next firing times after 2026-01-01 00:00 UTC (a Thursday), worked
# out by hand from EventBridge's rules (https://docs.aws.amazon.com/eventbridge/latest/userguide/
# eb-cron-expressions.html): day-of-week 1 = Sunday ... 7 = Saturday.
TRANSLATIONS = [
    ("cron(0 10 * * ? *)", "0 10 * * *", ["2026-01-01 10:00", "2026-01-02 10:00"]),
    ("cron(15 12 * * ? *)", "15 12 * * *", ["2026-01-01 12:15", "2026-01-02 12:15"]),
    (
        "cron(0 18 ? * MON-FRI *)",
        "0 18 * * 1-5",
        ["2026-01-01 18:00", "2026-01-02 18:00", "2026-01-05 18:00"],
    ),
    ("cron(0 8 1 * ? *)", "0 8 1 * *", ["2026-01-01 08:00", "2026-02-01 08:00"]),
    ("cron(0/15 * * * ? *)", "0/15 * * * *", ["2026-01-01 00:15", "2026-01-01 00:30"]),
    ("cron(1/10 * * * ? *)", "1/10 * * * *", ["2026-01-01 00:01", "2026-01-01 00:11"]),
    ("cron(0/5 8-17 ? * MON-FRI *)", "0/5 8-17 * * 1-5", ["2026-01-01 08:00", "2026-01-01 08:05"]),
    # MPEML's README: every Sunday at 02:00 (1 = Sunday, cron's 0), every six hours.
    ("cron(0 2 ? * 1 *)", "0 2 * * 0", ["2026-01-04 02:00", "2026-01-11 02:00"]),
    ("cron(0 */6 * * ? *)", "0 */6 * * *", ["2026-01-01 06:00", "2026-01-01 12:00"]),
    ("cron(0 0 ? * 7 *)", "0 0 * * 6", ["2026-01-03 00:00", "2026-01-10 00:00"]),
    ("cron(0 0 ? * SUN,SAT *)", "0 0 * * 0,6", ["2026-01-03 00:00", "2026-01-04 00:00"]),
    ("cron(0 0 ? * 2/2 *)", "0 0 * * 1,3,5", ["2026-01-02 00:00", "2026-01-05 00:00"]),
    ("cron(0 0 ? * * *)", "0 0 * * *", ["2026-01-02 00:00", "2026-01-03 00:00"]),
    ("cron(0 0 ? JAN,JUL * *)", "0 0 * 1,7 *", ["2026-01-02 00:00", "2026-01-03 00:00"]),
    ("cron(30 6 ? 2-3 MON *)", "30 6 * 2-3 1", ["2026-02-02 06:30", "2026-02-09 06:30"]),
    # L: the month's last day; 6L: the month's last Friday; L in day-of-week alone: Saturday.
    ("cron(0 0 L * ? *)", "0 0 L * *", ["2026-01-31 00:00", "2026-02-28 00:00"]),
    ("cron(0 12 ? * 6L *)", "0 12 * * L5", ["2026-01-30 12:00", "2026-02-27 12:00"]),
    ("cron(0 12 ? * L *)", "0 12 * * 6", ["2026-01-03 12:00", "2026-01-10 12:00"]),
    # 3W: the weekday nearest the 3rd (Jan 3 2026 is a Saturday -> Friday 2nd; Feb 3 is a Tuesday).
    ("cron(0 0 3W * ? *)", "0 0 3W * *", ["2026-01-02 00:00", "2026-02-03 00:00"]),
    # 3#2: the month's second Tuesday.
    ("cron(0 9 ? * 3#2 *)", "0 9 * * 2#2", ["2026-01-13 09:00", "2026-02-10 09:00"]),
    ("cron(0 9 ? * TUE#2 *)", "0 9 * * 2#2", ["2026-01-13 09:00", "2026-02-10 09:00"]),
]


@pytest.mark.parametrize(("expression", "cron", "next_runs"), TRANSLATIONS)
def test_a_cron_expression_fires_when_eventbridge_would(expression, cron, next_runs):
    assert cron_expression(expression) == cron
    runs = croniter(cron, datetime(2026, 1, 1, tzinfo=UTC))
    expected = [datetime.strptime(run, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) for run in next_runs]
    assert [runs.get_next(datetime) for _ in expected] == expected


def timetable_setting(timetable: object, name: str) -> object:
    """A timetable's setting: public in the Task SDK's timetables, private in Airflow 3.0's core ones."""
    return getattr(timetable, name) if hasattr(timetable, name) else getattr(timetable, f"_{name}")


def test_the_timetable_runs_the_cron_in_utc_as_eventbridge_does():
    translated = timetable("cron(0 2 ? * 1 *)")
    assert isinstance(translated, CronTriggerTimetable)
    assert timetable_setting(translated, "expression") == "0 2 * * 0"
    assert str(timetable_setting(translated, "timezone")) == "UTC"


@pytest.mark.parametrize(
    ("expression", "interval"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(12 hours)", timedelta(hours=12)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(7 days)", timedelta(days=7)),
    ],
)
def test_a_rate_expression_becomes_a_delta_timetable(expression, interval):
    assert rate_interval(expression) == interval
    translated = timetable(expression)
    assert isinstance(translated, DeltaTriggerTimetable)
    assert timetable_setting(translated, "delta") == interval


REFUSED = [
    ("cron(0 0 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 0 1 * 2 *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 0 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("cron(0 0 * * ? 2026)", "year field other than '*'"),
    ("cron(0 0 * * ? 2026-2030)", "year field other than '*'"),
    ("cron(0 0 * * ?)", "six fields, not 5"),
    ("cron(60 0 * * ? *)", "minutes value '60' is not in 0-59"),
    ("cron(0 24 * * ? *)", "hours value '24' is not in 0-23"),
    ("cron(0 0 32 * ? *)", "day-of-month value '32' is not in 1-31"),
    ("cron(0 0 * 13 ? *)", "month value '13' is not in 1-12"),
    ("cron(0 0 ? * 0 *)", "day-of-week value '0' is not in 1-7"),
    ("cron(0 0 ? * 8 *)", "day-of-week value '8' is not in 1-7"),
    ("cron(0 0 ? * FRI-MON *)", "runs backwards"),
    ("cron(0 0 LW * ? *)", "'L' or '<day>W' only as the whole field"),
    ("cron(0 0 1,L * ? *)", "'L' or '<day>W' only as the whole field"),
    ("cron(0 0 ? * 3#1,6#3 *)", "with '#' the field holds one expression"),
    ("cron(0 0 ? * 3#6 *)", "the week number must be 1-5"),
    ("cron(0 0 ? * 2,6L *)", "'L' or '<day>L' only as the whole field"),
    ("cron(0 0 * * ? *", "is neither cron"),
    ("every day at noon", "is neither cron"),
    ("rate(1 days)", "singular for 1 and plural otherwise (rate(1 day))"),
    ("rate(5 hour)", "singular for 1 and plural otherwise (rate(5 hours))"),
    ("rate(0 hours)", "positive whole number"),
    ("rate(1 week)", "not a rate expression"),
]


@pytest.mark.parametrize(("expression", "reason"), REFUSED)
def test_an_expression_eventbridge_refuses_or_airflow_cannot_express_is_refused_with_the_reason(
    expression, reason
):
    with pytest.raises(ScheduleError) as refused:
        check(expression)
    assert reason in str(refused.value)
    assert expression in str(refused.value)
