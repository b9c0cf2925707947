"""EventBridge schedule expressions, as MPEML and our configs write them, translated to Airflow timetables.

``cron(minutes hours day-of-month month day-of-week year)`` becomes a ``CronTriggerTimetable`` in UTC (the
time zone EventBridge schedules run in) and ``rate(value unit)`` a ``DeltaTriggerTimetable``. The rules are
EventBridge's (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html):

- six fields; minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or
  SUN-SAT (1 = Sunday, where cron's 0 = Sunday: every day-of-week value is renumbered), year 1970-2199;
- ``,`` lists, ``-`` ranges, ``*`` all, ``/`` increments (``1/10``: from minute 1, every 10th);
- ``?`` (any) in day-of-month or day-of-week, and one of them must be ``?``: EventBridge refuses a value or
  ``*`` in both;
- ``L`` in day-of-month (last day of the month) or day-of-week (alone: the last day of the week, Saturday;
  ``5L``: the month's last Thursday), ``W`` in day-of-month (``3W``: the weekday nearest the 3rd), ``#`` in
  day-of-week (``3#2``: the month's second Tuesday; only one expression in the field when ``#`` is used);
- ``rate(1 minute|hour|day)``, ``rate(n minutes|hours|days)``: singular for 1, plural otherwise.

Refused, each with the reason: anything EventBridge refuses; a year other than ``*`` (Airflow's cron has no
year field: bound the DAG with start_date/end_date instead); ``L`` and ``W`` in a list or combined (``LW``),
which Airflow's cron (croniter) cannot express; a range written backwards (``FRI-MON``), whose meaning
EventBridge does not document, so that no schedule silently runs at other times than it does on AWS.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow.sdk.bases.timetable import BaseTimetable

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # EventBridge numbers them 1-7
_CRON = re.compile(r"cron\((?P<fields>[^()]*)\)")
_RATE = re.compile(r"rate\((?P<value>[0-9]+) (?P<unit>minutes?|hours?|days?)\)")
_ITEM = re.compile(r"(?P<start>\*|[0-9A-Z]+)(?:-(?P<end>[0-9A-Z]+))?(?:/(?P<step>[0-9]+))?")


class ScheduleError(ValueError):
    """An expression that is not a valid EventBridge schedule, or one Airflow cannot express."""


def timetable(expression: str) -> BaseTimetable:
    """The Airflow timetable that runs when the EventBridge ``expression`` would fire."""
    try:
        from airflow.sdk import CronTriggerTimetable, DeltaTriggerTimetable
    except ImportError:  # Airflow 3.0: the Task SDK takes the core timetables
        from airflow.timetables.trigger import (  # type: ignore[assignment]
            CronTriggerTimetable,
            DeltaTriggerTimetable,
        )

    if expression.startswith("rate("):
        return DeltaTriggerTimetable(rate_interval(expression))
    return CronTriggerTimetable(cron_expression(expression), timezone="UTC")


def check(expression: str) -> None:
    """Raise :class:`ScheduleError` unless ``expression`` translates (no Airflow import: parse-time check)."""
    if expression.startswith("rate("):
        rate_interval(expression)
    else:
        cron_expression(expression)


def rate_interval(expression: str) -> timedelta:
    """``rate(value unit)`` as a timedelta."""
    match = _RATE.fullmatch(expression.strip())
    if not match:
        raise ScheduleError(
            f"{expression!r} is not a rate expression: write rate(<n> minutes|hours|days), e.g. rate(6 hours)"
        )
    value, unit = int(match["value"]), match["unit"]
    if value < 1:
        raise ScheduleError(f"{expression!r}: the value must be a positive whole number")
    plural = unit.endswith("s")
    if plural == (value == 1):
        right = unit.removesuffix("s") if value == 1 else f"{unit}s"
        raise ScheduleError(
            f"{expression!r}: EventBridge wants the unit singular for 1 and plural otherwise "
            f"(rate({value} {right}))"
        )
    return timedelta(**{f"{unit.removesuffix('s')}s": value})


def cron_expression(expression: str) -> str:
    """The five-field cron string (UTC, cron's day-of-week numbering) of an EventBridge ``cron(...)``."""
    match = _CRON.fullmatch(expression.strip())
    if not match:
        raise ScheduleError(
            f"{expression!r} is neither cron(minutes hours day-of-month month day-of-week year) "
            "nor rate(value unit)"
        )
    fields = match["fields"].upper().split()
    if len(fields) != 6:
        raise ScheduleError(f"{expression!r}: a cron expression has six fields, not {len(fields)}")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleError(
            f"{expression!r}: exactly one of day-of-month and day-of-week must be '?' (EventBridge refuses "
            "a value or * in both, and needs one of them)"
        )
    if year != "*":
        raise ScheduleError(
            f"{expression!r}: Airflow cannot express a year field other than '*' (its cron has no year); "
            "use '*' and bound the DAG with start_date/end_date"
        )
    cron = " ".join(
        (
            _numeric_field(minutes, "minutes", 0, 59, expression),
            _numeric_field(hours, "hours", 0, 23, expression),
            _day_of_month(day_of_month, expression),
            _numeric_field(month, "month", 1, 12, expression, names=MONTHS),
            _day_of_week(day_of_week, expression),
        )
    )
    _check_with_croniter(cron, expression)
    return cron


def _numeric_field(
    field: str, label: str, low: int, high: int, expression: str, names: tuple[str, ...] = ()
) -> str:
    """A field of values, ranges, increments and lists, in the same numbering in both syntaxes."""
    items = []
    for item in field.split(","):
        start, end, step = _item(item, label, low, high, expression, names)
        text = "*" if start is None else str(start)
        if end is not None:
            text += f"-{end}"
        if step is not None:
            text += f"/{step}"
        items.append(text)
    return ",".join(items)


def _item(
    item: str, label: str, low: int, high: int, expression: str, names: tuple[str, ...]
) -> tuple[int | None, int | None, int | None]:
    """(start, end, step) of one list item; start None for ``*``."""
    match = _ITEM.fullmatch(item)
    if not match:
        raise ScheduleError(f"{expression!r}: {item!r} is not a valid {label} value")
    start = None if match["start"] == "*" else _value(match["start"], label, low, high, expression, names)
    end = None if match["end"] is None else _value(match["end"], label, low, high, expression, names)
    step = None if match["step"] is None else int(match["step"])
    if start is None and end is not None:
        raise ScheduleError(f"{expression!r}: {item!r} is not a valid {label} value")
    if start is not None and end is not None and end < start:
        raise ScheduleError(
            f"{expression!r}: the {label} range {item!r} runs backwards; EventBridge does not document what "
            "that means, so list the values instead"
        )
    if step is not None and step < 1:
        raise ScheduleError(f"{expression!r}: the {label} increment in {item!r} must be at least 1")
    return start, end, step


def _value(text: str, label: str, low: int, high: int, expression: str, names: tuple[str, ...]) -> int:
    if text in names:
        return low + names.index(text)
    if not text.isdigit() or not low <= int(text) <= high:
        allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
        raise ScheduleError(f"{expression!r}: {label} value {text!r} is not in {allowed}")
    return int(text)


def _day_of_month(field: str, expression: str) -> str:
    if field == "?":
        return "*"
    if field == "L":
        return "L"
    if "L" in field or "W" in field:
        weekday = re.fullmatch(r"([0-9]+)W", field)
        if not weekday:
            raise ScheduleError(
                f"{expression!r}: day-of-month {field!r}: Airflow's cron takes 'L' or '<day>W' only as the "
                "whole field (not in a list, a range or 'LW')"
            )
        _value(weekday[1], "day-of-month", 1, 31, expression, ())
        return field
    return _numeric_field(field, "day-of-month", 1, 31, expression)


def _day_of_week(field: str, expression: str) -> str:
    """Renumbered from EventBridge's 1 = Sunday to cron's 0 = Sunday."""
    if field == "?":
        return "*"
    if field == "L":  # the last day of the week
        return str(len(WEEKDAYS) - 1)
    if "#" in field:
        nth = re.fullmatch(r"([0-9A-Z]+)#([0-9]+)", field)
        if not nth:
            raise ScheduleError(
                f"{expression!r}: day-of-week {field!r}: with '#' the field holds one expression, "
                "<day>#<n> (3#2: the month's second Tuesday)"
            )
        if not 1 <= int(nth[2]) <= 5:
            raise ScheduleError(f"{expression!r}: day-of-week {field!r}: the week number must be 1-5")
        return f"{_weekday(nth[1], expression)}#{nth[2]}"
    if "L" in field:  # no day name holds an L
        last = re.fullmatch(r"([0-9A-Z]+)L", field)
        if not last:
            raise ScheduleError(
                f"{expression!r}: day-of-week {field!r}: Airflow's cron takes 'L' or '<day>L' only as the "
                "whole field"
            )
        return f"L{_weekday(last[1], expression)}"
    days: set[int] = set()
    for item in field.split(","):
        start, end, step = _item(item, "day-of-week", 1, 7, expression, WEEKDAYS)
        first = 1 if start is None else start
        last_day = end if end is not None else (7 if start is None or step is not None else start)
        days.update(range(first, last_day + 1, step or 1))
    if len(days) == len(WEEKDAYS):
        return "*"
    return _runs(sorted(day - 1 for day in days))


def _runs(values: list[int]) -> str:
    """Sorted values as a cron list, consecutive ones as ranges: [1, 2, 3, 5] -> "1-3,5"."""
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return ",".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def _weekday(text: str, expression: str) -> int:
    """Cron's number (0 = Sunday) of an EventBridge day of the week (1 = Sunday, or SUN-SAT)."""
    return _value(text, "day-of-week", 1, 7, expression, WEEKDAYS) - 1


def _check_with_croniter(cron: str, expression: str) -> None:
    from croniter import croniter

    try:
        croniter(cron)
    except (ValueError, KeyError) as error:
        raise ScheduleError(f"{expression!r}: Airflow's cron cannot express it ({error})") from None
