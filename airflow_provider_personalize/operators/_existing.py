"""What the create machine makes of a resource that already exists under the requested name.

- Redo names: a run's job (or training) that failed or was stopped is redone under a derived name,
  ``<name>-redo1``, ``<name>-redo2``, ... (:func:`redo_names`), the same for every try, so that a retry of
  the redo finds it: the first name of the chain whose resource is not a failure is the run's current one.
- Settings: a resource is adopted only if it holds what the request asks for (:func:`differences`), member
  by member as the service echoes them back in Describe; a member the request leaves out matches
  whatever the service filled in, and a member the service does not echo back is not compared.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore import xform_name

if TYPE_CHECKING:
    from botocore.model import Shape

_NAME_MAX_LENGTH = 63
# How many times one run's job may be redone; past that the task fails with the latest failure.
MAX_REDOS = 20
# Members never compared besides the name (what was looked up): tags, which Describe does not echo.
_NOT_SETTINGS = frozenset({"tags"})
# Shapes whose values the API takes in any letter case without an enum in the model: datasetType, "One of
# the following values (case insensitive)" (https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDataset.html).
_CASE_INSENSITIVE_SHAPES = frozenset({"DatasetType"})


def redo_names(name: str, redos: int = MAX_REDOS) -> list[str]:
    """``name``, then its redo names, each within the API's 63 characters: ``name-redo1``, ...

    A name too long for its suffix is cut before it, so the chain is the same for every try.
    """
    names = [name]
    for redo in range(1, redos + 1):
        suffix = f"-redo{redo}"
        names.append(f"{name[: _NAME_MAX_LENGTH - len(suffix)]}{suffix}")
    return names


@dataclass(frozen=True)
class Difference:
    member: str
    requested: Any
    existing: Any


def differences(
    create_method: str, name_member: str, request: Mapping[str, Any], existing: Mapping[str, Any]
) -> list[Difference]:
    """The request's members (other than its name and tags) that ``existing``, a Describe body, holds
    otherwise.

    Compared as the API defines them (botocore's model of the Create request): structures member by
    member, only the members requested; enums (and the dataset type) in any letter case (the service
    takes them so); JSON text
    (an Avro schema) as the JSON it holds; anything else exactly.
    """
    from airflow_provider_personalize.hooks.request_model import operation_model

    input_shape = operation_model(create_method).input_shape
    found = []
    for member, requested in request.items():
        compared = member != name_member and member not in _NOT_SETTINGS and member in input_shape.members
        if not compared or member not in existing:
            continue
        if not _same(requested, existing[member], input_shape.members[member]):
            found.append(Difference(member, requested, existing[member]))
    return found


def _same(requested: Any, existing: Any, shape: Shape) -> bool:
    if shape.type_name == "structure" and isinstance(requested, Mapping) and isinstance(existing, Mapping):
        members = shape.members
        return all(
            member in existing and _same(value, existing[member], members[member])
            for member, value in requested.items()
            if member in members
        )
    if shape.type_name == "list" and isinstance(requested, list) and isinstance(existing, list):
        return len(requested) == len(existing) and all(
            _same(item, other, shape.member) for item, other in zip(requested, existing, strict=True)
        )
    if isinstance(requested, str) and isinstance(existing, str):
        if shape.enum or shape.name in _CASE_INSENSITIVE_SHAPES:
            return requested.casefold() == existing.casefold()
        return requested == existing or _same_json(requested, existing)
    return bool(requested == existing)


def _same_json(requested: str, existing: str) -> bool:
    try:
        return bool(json.loads(requested) == json.loads(existing))
    except ValueError:
        return False


def difference_table(found: Sequence[Difference]) -> str:
    """The differences as a plain-text table: member | requested | existing."""
    rows = [("member", "requested", "existing")] + [
        (xform_name(difference.member), _shown(difference.requested), _shown(difference.existing))
        for difference in found
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else f"{text[:77]}..."
