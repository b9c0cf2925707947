"""What the format readers share: the factory's options, and access to a document that may be malformed.

A reader turns a parsed config into a :class:`~.model.Deployment` even when the schema check has found
problems, taking what is well formed and leaving the rest (already reported), so that the semantic checks
report their problems in the same round: every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

_MAX_AGE = re.compile(r"([0-9]+) (second|minute|hour|day|week)s?")


@dataclass(frozen=True)
class ReadOptions:
    """What ``dags_from_config`` supplies that a format may leave out."""

    bucket: str | None = None
    role_arn: str | None = None
    min_metrics: Mapping[str, float] | None = None


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(index, item) of the mappings in ``value`` if it is a list."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                yield index, item


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def without(members: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {member: value for member, value in members.items() if member not in names}


def max_age(value: Any, default: timedelta) -> timedelta:
    """MPEML's ``maxAge`` (``"1 day"``, ``"365 days"``); ``default`` when absent or malformed (reported by
    the schema check)."""
    match = _MAX_AGE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return default
    return timedelta(**{f"{match[2]}s": int(match[1])})
