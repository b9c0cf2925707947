r"""Personalize requests built and checked against botocore's service model and AWS's documented rules.

An operator hands over its arguments by keyword (the API member in snake_case, ``data_source``); this
module maps them to the API's members, applies the conveniences the operators document (a plain
``s3://`` URI for a structure that wraps one S3 location, tags as a dict, an Avro schema as a dict, numbers
and booleans rendered from templates as text), and checks every value against the model's constraints:
required members, types, lengths, ranges, enums, patterns, nested structures, lists and maps; then against
the rules AWS documents beyond the model (:mod:`.request_rules`: ARN kinds, tags, S3 URIs, ranges, Avro
schemas, filter expressions, members that go together). Every problem is reported at once, each naming the
operator keyword it came from, before anything is sent.

Patterns match the whole value. The model's patterns follow Smithy, where a pattern is unanchored, and most
carry no end anchor (``^[a-zA-Z0-9][a-zA-Z0-9\-_]*`` for names); AWS applies each to the whole value. Per
pattern, the evidence:

- ``Name``: the API pages give it as the whole name's form, and the service refuses ``"x y"``
  (https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetGroup.html, name);
- ``Arn``, ``RoleArn``, ``KmsKeyArn``: an ARN is one value from ``arn:`` to its end
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html); a role name is made of the
  pattern's characters only (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html);
- ``S3Location``: a URI whole, ``s3://bucket-name/folder-name/fileName.csv``
  (https://docs.aws.amazon.com/personalize/latest/dg/API_DataSource.html);
- ``SchedulingExpression``: "Specify a rate expression in rate(value unit) format"
  (https://docs.aws.amazon.com/personalize/latest/dg/API_AutoTrainingConfig.html);
- ``ColumnName``: "must start with a letter or underscore, and can contain only letters, numbers, and
  underscores" (https://docs.aws.amazon.com/personalize/latest/dg/API_TrainingDataConfig.html);
- ``DatasetType``, ``TagKey``, ``TagValue``: anchored at both ends in the model already.

Python's ``re`` runs them all except those with Unicode property classes (``\p{L}`` in tag keys and
values), which ``regex`` runs exactly; each is compiled once, on first use.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore import xform_name

from airflow_provider_personalize.hooks.request_rules import request_problems, value_problem

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

_S3_LOCATION_SHAPE = "S3Location"
_JSON_TEXT_SHAPES = frozenset({"AvroSchema"})
_TAGS_SHAPE = "Tags"
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


class InvalidRequestError(ValueError):
    """Arguments that the service would refuse; raised before any request is sent."""

    def __init__(self, operation_name: str, problems: list[str]) -> None:
        super().__init__(f"Invalid arguments for {operation_name}: " + "; ".join(problems))
        self.problems = problems


@functools.cache
def service_model() -> ServiceModel:
    """Personalize's service model; loaded once, on first use (it costs tens of milliseconds)."""
    import botocore.session

    return botocore.session.get_session().get_service_model("personalize")


def operation_model(method_name: str) -> OperationModel:
    """The operation behind a boto3 method name (``create_dataset_import_job``)."""
    model = service_model()
    by_method = {xform_name(name): name for name in model.operation_names}
    return model.operation_model(by_method[method_name])


def request_keywords(method_name: str) -> dict[str, str]:
    """The operation's input members by operator keyword: ``{"data_source": "dataSource", ...}``."""
    input_shape = operation_model(method_name).input_shape
    return {xform_name(member): member for member in input_shape.members}


def build_request(
    method_name: str, arguments: Mapping[str, Any], aliases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The request for ``method_name`` from operator keywords; None values are left out.

    ``aliases`` maps an operator's own keyword to the request's (``{"arn": "campaign_arn"}``), for the
    operators whose parameters are named otherwise: problems name the operator's keyword.
    Raises :class:`InvalidRequestError` listing every problem, each named by its keyword.
    """
    operation = operation_model(method_name)
    input_shape: StructureShape = operation.input_shape
    keywords = request_keywords(method_name)
    names = {member: keyword for keyword, member in keywords.items()}
    for keyword, request_keyword in (aliases or {}).items():
        names[keywords[request_keyword]] = keyword
        keywords[keyword] = keywords.pop(request_keyword)
    problems: list[str] = []
    request: dict[str, Any] = {}
    for keyword, value in arguments.items():
        if keyword not in keywords:
            problems.append(f"{keyword}: {operation.name} has no such member")
        elif value is not None:
            member = keywords[keyword]
            request[member] = _checked(value, input_shape.members[member], keyword, member, problems)
    for member in input_shape.required_members:
        if request.get(member) is None:
            problems.append(f"{names[member]}: required")
    for member, problem in request_problems(operation.name, request):
        problems.append(f"{names[member]}: {problem}")
    if problems:
        raise InvalidRequestError(operation.name, problems)
    return request


def _checked(value: Any, shape: Shape, path: str, member: str, problems: list[str]) -> Any:
    """``value`` converted where the module docstring says, checked against the model and then against
    the documented rules of its ``member`` and shape; problems appended as ``path: what``."""
    value = _converted(value, shape)
    check = _CHECKS.get(shape.type_name)
    found = len(problems)
    value = check(value, shape, path, member, problems) if check else value
    if len(problems) == found:
        problem = value_problem(member, shape.name, value)
        if problem:
            problems.append(f"{path}: {problem}")
    return value


def _converted(value: Any, shape: Shape) -> Any:
    if shape.type_name == "structure" and isinstance(value, str):
        location_path = _s3_location_path(shape)
        if location_path:
            for member in reversed(location_path):
                value = {member: value}
    elif shape.name == _TAGS_SHAPE and isinstance(value, Mapping):
        value = [{"tagKey": key, "tagValue": tag_value} for key, tag_value in value.items()]
    elif shape.name in _JSON_TEXT_SHAPES and isinstance(value, Mapping | list):
        value = json.dumps(value)
    elif shape.type_name in ("integer", "long") and isinstance(value, str) and _is_integer_text(value):
        value = int(value)
    elif shape.type_name in ("float", "double") and isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        value = float(value)
    elif shape.type_name == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    return value


def _is_integer_text(text: str) -> bool:
    return _INTEGER_TEXT.fullmatch(text.strip()) is not None


@functools.cache
def _s3_location_path(shape: StructureShape) -> tuple[str, ...] | None:
    """Members leading to the one S3 location a structure wraps (``("s3DataDestination", "path")``)."""
    paths = []
    for member, member_shape in shape.members.items():
        if member_shape.name == _S3_LOCATION_SHAPE:
            paths.append((member,))
        elif member_shape.type_name == "structure":
            inner = _s3_location_path(member_shape)
            if inner:
                paths.append((member, *inner))
    return paths[0] if len(paths) == 1 else None


def _check_structure(value: Any, shape: Any, path: str, member: str, problems: list[str]) -> Any:
    if not isinstance(value, Mapping):
        hint = " or an s3:// URI" if _s3_location_path(shape) else ""
        problems.append(f"{path}: expected a mapping with members {', '.join(shape.members)}{hint}")
        return value
    checked = {}
    for name, member_value in value.items():
        if name not in shape.members:
            problems.append(f"{path}.{name}: unknown member (expected one of {', '.join(shape.members)})")
        elif member_value is not None:
            checked[name] = _checked(member_value, shape.members[name], f"{path}.{name}", name, problems)
    for name in shape.required_members:
        if checked.get(name) is None:
            problems.append(f"{path}.{name}: required")
    return checked


def _check_list(value: Any, shape: Any, path: str, member: str, problems: list[str]) -> Any:
    if not isinstance(value, list | tuple):
        problems.append(f"{path}: expected a list")
        return value
    _check_size(len(value), shape, path, "items", problems)
    return [
        _checked(item, shape.member, f"{path}[{index}]", member, problems) for index, item in enumerate(value)
    ]


def _check_map(value: Any, shape: Any, path: str, member: str, problems: list[str]) -> Any:
    if not isinstance(value, Mapping):
        problems.append(f"{path}: expected a mapping")
        return value
    _check_size(len(value), shape, path, "entries", problems)
    # A map's keys and values are no member of their own: the member's rules apply to the whole map.
    return {
        _checked(key, shape.key, f"{path} key {key!r}", "", problems): _checked(
            item, shape.value, f"{path}[{key!r}]", "", problems
        )
        for key, item in value.items()
    }


def _check_string(value: Any, shape: Any, path: str, member: str, problems: list[str]) -> Any:
    if not isinstance(value, str):
        problems.append(f"{path}: expected a string, got {type(value).__name__}")
        return value
    pattern = _compiled_pattern(shape.metadata.get("pattern"))
    if value == "" and (
        shape.metadata.get("min", 0) > 0 or shape.enum or (pattern and not pattern.fullmatch(""))
    ):
        problems.append(f"{path}: empty (a template that rendered to nothing?)")
        return value
    _check_size(len(value), shape, path, "characters", problems)
    if shape.enum and value not in shape.enum:
        problems.append(f"{path}: {value!r} is not one of {', '.join(shape.enum)}")
    if pattern and not pattern.fullmatch(value):
        # The member's documented rule, where it has one, says what was meant (a dataset ARN, an s3:// URI).
        problem = value_problem(member, shape.name, value)
        problems.append(f"{path}: {problem or f'{value!r} does not match the pattern {pattern.pattern!r}'}")
    return value


def _check_integer(value: Any, shape: Any, path: str, member: str, problems: list[str]) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append(f"{path}: expected an integer, got {value!r}")
        return value
    _check_range(value, shape, path, problems)
    return value


def _check_float(value: Any, shape: Any, path: str, member: str, problems: list[str]) -> Any:
    if not isinstance(value, int | float) or isinstance(value, bool):
        problems.append(f"{path}: expected a number, got {value!r}")
        return value
    _check_range(value, shape, path, problems)
    return value


def _check_boolean(value: Any, shape: Any, path: str, member: str, problems: list[str]) -> Any:
    if not isinstance(value, bool):
        problems.append(f"{path}: expected a boolean, got {value!r}")
    return value


def _check_range(value: float, shape: Shape, path: str, problems: list[str]) -> None:
    minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        problems.append(f"{path}: {value} is outside {_range_text(minimum, maximum)}")


def _check_size(size: int, shape: Shape, path: str, unit: str, problems: list[str]) -> None:
    minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
    if (minimum is not None and size < minimum) or (maximum is not None and size > maximum):
        problems.append(f"{path}: {size} {unit}, expected {_range_text(minimum, maximum)}")


def _range_text(minimum: float | None, maximum: float | None) -> str:
    if maximum is None:
        return f"at least {minimum}"
    if minimum is None:
        return f"at most {maximum}"
    return f"{minimum}..{maximum}"


@functools.cache
def _compiled_pattern(pattern: str | None) -> Any:
    """The model's pattern compiled: by ``re``, or by ``regex`` for Unicode property classes (``\\p{L}``)."""
    if not pattern:
        return None
    if "\\p{" in pattern or "\\P{" in pattern:
        import regex

        return regex.compile(pattern)
    return re.compile(pattern)


_CHECKS = {
    "structure": _check_structure,
    "list": _check_list,
    "map": _check_map,
    "string": _check_string,
    "integer": _check_integer,
    "long": _check_integer,
    "float": _check_float,
    "double": _check_float,
    "boolean": _check_boolean,
}
