"""Server-side request validation, generated from botocore's Personalize service models.

For every operation the input shape is compiled once (then cached) into a validator that checks, recursively
through structures, lists and maps: required members, string/list/map length (``min``/``max``), number range,
enums and patterns. Errors are reported as the service reports them, in one InvalidInputException::

    1 validation error detected: Value 'x y' at 'name' failed to satisfy constraint: Member must satisfy
    regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*

A value conforms to a pattern when the pattern matches the *whole* value (``regex.fullmatch``), as AWS
applies them: botocore's patterns often carry no end anchor (``^[a-zA-Z0-9][a-zA-Z0-9\\-_]*`` for names), yet
AWS refuses ``x y`` as a name (https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetGroup.html:
"Pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*", a name of those characters only). ``regex`` rather than ``re``
because some patterns use ``\\p{...}`` classes.
Members nested in lists are named ``tags.1.member.tagKey`` (1-based), as AWS's validation names them.
Type errors (a string where a structure belongs) are left to the handlers: botocore never sends them.
"""

import functools
from collections.abc import Callable
from typing import Any

import regex
from botocore.model import ListShape, MapShape, Shape, StructureShape

from .exceptions import InvalidInputException

Violation = tuple[str, Any, str]
Check = Callable[[Any, str, list[Violation]], None]


@functools.cache
def service_model(service_name: str = "personalize") -> Any:
    """botocore's model of ``personalize``, ``personalize-runtime`` or ``personalize-events``."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service_name)


def _render(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _compile(shape: Shape, shapes_in_progress: dict[str, Check]) -> Check:
    if shape.name in shapes_in_progress:
        # A recursive shape: defer to the validator being built for it.
        return lambda value, path, violations: shapes_in_progress[shape.name](value, path, violations)
    checks = _bound_checks(shape)
    metadata = shape.metadata
    if shape.type_name == "string":
        if shape.enum:
            allowed = list(shape.enum)
            enum_rule = f"Member must satisfy enum value set: [{', '.join(allowed)}]"
            checks.append(_constraint(lambda v: v in allowed, enum_rule))
        if "pattern" in metadata:
            pattern = regex.compile(metadata["pattern"])
            checks.append(
                _constraint(
                    lambda v: pattern.fullmatch(v) is not None,
                    f"Member must satisfy regular expression pattern: {metadata['pattern']}",
                )
            )
    if isinstance(shape, StructureShape):
        checks.append(_structure_check(shape, shapes_in_progress))
    elif isinstance(shape, ListShape):
        member_check = _compile(shape.member, shapes_in_progress)

        def check_items(value: Any, path: str, violations: list[Violation]) -> None:
            if isinstance(value, list):
                for index, item in enumerate(value, start=1):
                    member_check(item, f"{path}.{index}.member", violations)

        checks.append(check_items)
    elif isinstance(shape, MapShape):
        key_check = _compile(shape.key, shapes_in_progress)
        value_check = _compile(shape.value, shapes_in_progress)

        def check_entries(value: Any, path: str, violations: list[Violation]) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    key_check(key, f"{path}.{key}.key", violations)
                    value_check(item, f"{path}.{key}.value", violations)

        checks.append(check_entries)

    def check(value: Any, path: str, violations: list[Violation]) -> None:
        for each in checks:
            each(value, path, violations)

    return check


def _bound_checks(shape: Shape) -> list[Check]:
    """min/max: lengths of strings, lists and maps; values of numbers."""
    measure: Callable[[Any], Any]
    if shape.type_name in ("string", "list", "map", "blob"):
        measure, noun = len, "length"
    elif shape.type_name in ("integer", "long", "float", "double"):
        measure, noun = (lambda value: value), "value"
    else:
        return []
    checks = []
    if "min" in shape.metadata:
        minimum = shape.metadata["min"]
        rule = f"Member must have {noun} greater than or equal to {minimum}"
        checks.append(_constraint(lambda v: measure(v) >= minimum, rule))
    if "max" in shape.metadata:
        maximum = shape.metadata["max"]
        rule = f"Member must have {noun} less than or equal to {maximum}"
        checks.append(_constraint(lambda v: measure(v) <= maximum, rule))
    return checks


def _constraint(holds: Callable[[Any], bool], description: str) -> Check:
    def check(value: Any, path: str, violations: list[Violation]) -> None:
        try:
            ok = holds(value)
        except TypeError:  # a value of the wrong type: not this check's business
            return
        if not ok:
            violations.append((path, value, description))

    return check


def _structure_check(shape: StructureShape, shapes_in_progress: dict[str, Check]) -> Check:
    required = list(shape.required_members)
    members: dict[str, Check] = {}

    def check(value: Any, path: str, violations: list[Violation]) -> None:
        if not isinstance(value, dict):
            return
        prefix = f"{path}." if path else ""
        for name in required:
            if value.get(name) is None:
                violations.append((f"{prefix}{name}", None, "Member must not be null"))
        for name, member_value in value.items():
            if name in members and member_value is not None:
                members[name](member_value, f"{prefix}{name}", violations)

    shapes_in_progress[shape.name] = check
    for name, member_shape in shape.members.items():
        members[name] = _compile(member_shape, shapes_in_progress)
    return check


@functools.cache
def request_validator(operation_name: str, service_name: str = "personalize") -> Check:
    input_shape = service_model(service_name).operation_model(operation_name).input_shape
    if input_shape is None:
        return lambda value, path, violations: None
    return _compile(input_shape, {})


def validate_request(operation_name: str, params: dict[str, Any], service_name: str = "personalize") -> None:
    """Raise InvalidInputException listing every constraint ``params`` violates."""
    violations: list[Violation] = []
    request_validator(operation_name, service_name)(params, "", violations)
    if violations:
        count = len(violations)
        details = "; ".join(
            f"Value {_render(value)} at '{path}' failed to satisfy constraint: {description}"
            for path, value, description in violations
        )
        raise InvalidInputException(f"{count} validation error{'s' if count > 1 else ''} detected: {details}")
