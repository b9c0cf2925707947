"""Personalize schemas: parse the Avro record JSON given to CreateSchema, and check it for a dataset type.

Two steps, because AWS takes them at two moments: CreateSchema accepts any well-formed Personalize Avro record
(:func:`parse_schema`), and CreateDataset checks that record against the dataset type it is used for
(:func:`schema_problem_for_dataset_type`). Both follow the developer guide's "Schema formatting requirements"
and "Custom datasets and schemas" pages:

- a flat Avro ``record`` with a ``fields`` list; no nested records, arrays or maps; its ``name`` matches the
  dataset type (compared ignoring case and underscores, so ``ActionInteractions`` fits Action_Interactions);
- field types float, double, int, long, string, boolean, each optionally in a union with ``null``;
- field names are unique once reduced to their letters and digits (``GENRES_FIELD_1`` clashes with
  ``GENRESFIELD1``);
- ``categorical`` and ``textual`` apply to string fields only, ``textual`` to Items only;
- every dataset type has required fields and reserved keywords with fixed types, and Items, Users and Actions
  need at least one metadata field (a field that is neither required nor reserved).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

FieldType = Literal["string", "int", "long", "float", "double", "boolean"]
FIELD_TYPES: tuple[FieldType, ...] = ("string", "int", "long", "float", "double", "boolean")

DATASET_TYPES = ("Interactions", "Items", "Users", "Actions", "Action_Interactions")

# Avro's own name rule; Personalize adds nothing to it.
_AVRO_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCHEMA_MAX_CHARS = 10_000  # CreateSchema's `schema` member, per the API reference


class SchemaError(ValueError):
    """The schema is not a valid Personalize schema; the message says why, in AWS's manner."""


@dataclass(frozen=True)
class SchemaField:
    name: str
    type: FieldType
    nullable: bool = False
    categorical: bool = False
    textual: bool = False


@dataclass(frozen=True)
class PersonalizeSchema:
    record_name: str
    fields: tuple[SchemaField, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> SchemaField | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class _KeywordRule:
    """A required field or reserved keyword: the types it may have and whether it may be null."""

    types: tuple[FieldType, ...]
    nullable_allowed: bool = False


_STRING = _KeywordRule(("string",))
_LONG = _KeywordRule(("long",))
_NULLABLE_STRING = _KeywordRule(("string",), nullable_allowed=True)
_NULLABLE_LONG = _KeywordRule(("long",), nullable_allowed=True)

# From "Custom dataset and schema requirements" (developer guide): required fields, then reserved keywords.
REQUIRED_FIELDS: dict[str, dict[str, _KeywordRule]] = {
    "Interactions": {"USER_ID": _STRING, "ITEM_ID": _STRING, "TIMESTAMP": _LONG},
    "Items": {"ITEM_ID": _STRING},
    "Users": {"USER_ID": _STRING},
    "Actions": {"ACTION_ID": _STRING},
    "Action_Interactions": {
        "USER_ID": _STRING,
        "ACTION_ID": _STRING,
        "TIMESTAMP": _LONG,
        "EVENT_TYPE": _STRING,
    },
}
RESERVED_KEYWORDS: dict[str, dict[str, _KeywordRule]] = {
    "Interactions": {
        "EVENT_TYPE": _STRING,
        "EVENT_VALUE": _KeywordRule(("float",), nullable_allowed=True),
        "IMPRESSION": _NULLABLE_STRING,
        "RECOMMENDATION_ID": _NULLABLE_STRING,
        "EVENT_ATTRIBUTION_SOURCE": _NULLABLE_STRING,
    },
    "Items": {"CREATION_TIMESTAMP": _LONG},
    "Users": {},
    "Actions": {
        "CREATION_TIMESTAMP": _LONG,
        "VALUE": _NULLABLE_LONG,
        "TYPE": _NULLABLE_STRING,
        "EXPIRATION_TIMESTAMP": _NULLABLE_LONG,
        "REPEAT_FREQUENCY": _NULLABLE_LONG,
    },
    "Action_Interactions": {"IMPRESSION": _NULLABLE_STRING, "RECOMMENDATION_ID": _NULLABLE_STRING},
}
# "Users and Interactions datasets can contain up to five metadata fields. An Items dataset can contain up
# to 50"; the Actions page allows up to 10 columns.
MAX_METADATA_FIELDS = {"Interactions": 5, "Items": 50, "Users": 5, "Actions": 10, "Action_Interactions": 5}
DATASETS_NEEDING_METADATA = ("Items", "Users", "Actions")

# The field that identifies a record of each dataset type (what INCREMENTAL imports upsert on).
ID_FIELDS = {"Items": "ITEM_ID", "Users": "USER_ID", "Actions": "ACTION_ID"}
# Fields holding epoch seconds: the import data checks reject anything else in them.
TIMESTAMP_FIELDS = frozenset({"TIMESTAMP", "CREATION_TIMESTAMP", "EXPIRATION_TIMESTAMP"})


def parse_schema(schema_json: str) -> PersonalizeSchema:
    """Parse a CreateSchema ``schema`` string; raise :class:`SchemaError` if it is no Personalize schema."""
    if len(schema_json) > _SCHEMA_MAX_CHARS:
        raise SchemaError(f"Schema must be at most {_SCHEMA_MAX_CHARS} characters long.")
    try:
        document = json.loads(schema_json)
    except json.JSONDecodeError as error:
        raise SchemaError(f"Schema is not valid JSON: {error.msg} at line {error.lineno}.") from None
    if not isinstance(document, dict) or document.get("type") != "record":
        raise SchemaError('Schema must be an Avro record: a JSON object with "type": "record".')
    record_name = document.get("name")
    if not isinstance(record_name, str) or not _AVRO_NAME.fullmatch(record_name):
        raise SchemaError('Schema must have a "name" that is a valid Avro name.')
    raw_fields = document.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise SchemaError('Schema must have a non-empty "fields" list.')
    fields = tuple(_parse_field(raw) for raw in raw_fields)
    _check_unique_names(fields)
    return PersonalizeSchema(record_name=record_name, fields=fields)


def _parse_field(raw: object) -> SchemaField:
    if not isinstance(raw, dict):
        raise SchemaError("Each schema field must be a JSON object with a name and a type.")
    name = raw.get("name")
    if not isinstance(name, str) or not _AVRO_NAME.fullmatch(name):
        raise SchemaError(f"Invalid field name {name!r}: field names must match [A-Za-z_][A-Za-z0-9_]*.")
    field_type, nullable = _parse_type(name, raw.get("type"))
    categorical = _flag(raw, name, "categorical")
    textual = _flag(raw, name, "textual")
    if (categorical or textual) and field_type != "string":
        raise SchemaError(f"Field {name} is {field_type}: only string fields can be categorical or textual.")
    if categorical and textual:
        raise SchemaError(f"Field {name} cannot be both categorical and textual.")
    return SchemaField(name, field_type, nullable=nullable, categorical=categorical, textual=textual)


def _parse_type(name: str, raw_type: object) -> tuple[FieldType, bool]:
    """Return (type, nullable) for a primitive type or a union of one primitive type with null."""
    if isinstance(raw_type, str):
        members = [raw_type]
    elif isinstance(raw_type, list) and all(isinstance(member, str) for member in raw_type):
        members = list(raw_type)
    else:
        raise SchemaError(
            f"Field {name} has an unsupported type: Amazon Personalize schemas don't support complex types"
            " such as records, arrays and maps."
        )
    nullable = "null" in members
    non_null = [member for member in members if member != "null"]
    if len(non_null) != 1 or len(members) != len(set(members)):
        raise SchemaError(f"Field {name} must have one type, optionally in a union with null.")
    field_type = non_null[0]
    if field_type not in FIELD_TYPES:
        raise SchemaError(
            f"Field {name} has unsupported type {field_type!r}; supported types are"
            f" {', '.join(FIELD_TYPES)} and null."
        )
    return field_type, nullable


def _flag(raw: dict[str, object], name: str, attribute: str) -> bool:
    value = raw.get(attribute, False)
    if not isinstance(value, bool):
        raise SchemaError(f"Field {name}: the {attribute} attribute must be true or false.")
    return value


def _check_unique_names(fields: tuple[SchemaField, ...]) -> None:
    seen: dict[str, str] = {}
    for schema_field in fields:
        alphanumeric = _alphanumeric(schema_field.name)
        if alphanumeric in seen:
            raise SchemaError(
                f"Schema fields must have unique alphanumeric names: {seen[alphanumeric]} and"
                f" {schema_field.name} clash."
            )
        seen[alphanumeric] = schema_field.name


def _alphanumeric(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name)


def schema_problem_for_dataset_type(schema: PersonalizeSchema, dataset_type: str) -> str | None:
    """Why ``schema`` cannot back a ``dataset_type`` dataset (an InvalidInputException message), or None."""
    if dataset_type not in DATASET_TYPES:
        return f"Invalid dataset type {dataset_type!r}; expected one of {', '.join(DATASET_TYPES)}."
    if _alphanumeric(schema.record_name).lower() != _alphanumeric(dataset_type).lower():
        return f"The schema's name {schema.record_name!r} must match the dataset type {dataset_type}."
    required = REQUIRED_FIELDS[dataset_type]
    reserved = RESERVED_KEYWORDS[dataset_type]
    missing = [name for name in required if schema.field(name) is None]
    if missing:
        return f"Schema for a {dataset_type} dataset is missing required fields: [{', '.join(missing)}]."
    for name, rule in (*required.items(), *reserved.items()):
        schema_field = schema.field(name)
        if schema_field is None:
            continue
        problem = _keyword_problem(schema_field, rule)
        if problem:
            return problem
    metadata = [f for f in schema.fields if f.name not in required and f.name not in reserved]
    if dataset_type in DATASETS_NEEDING_METADATA and not metadata:
        return f"Schema for a {dataset_type} dataset must have at least one metadata field."
    if len(metadata) > MAX_METADATA_FIELDS[dataset_type]:
        return (
            f"Schema for a {dataset_type} dataset has {len(metadata)} metadata fields; the maximum is"
            f" {MAX_METADATA_FIELDS[dataset_type]}."
        )
    textual = [f.name for f in schema.fields if f.textual]
    if textual and dataset_type != "Items":
        return f"Only Items schemas support textual fields; {dataset_type} schema has [{', '.join(textual)}]."
    return None


def _keyword_problem(schema_field: SchemaField, rule: _KeywordRule) -> str | None:
    allowed = " or ".join(rule.types) + (" (optionally null)" if rule.nullable_allowed else "")
    if schema_field.type not in rule.types or (schema_field.nullable and not rule.nullable_allowed):
        return f"Field {schema_field.name} must be of type {allowed}."
    # "Reserved string fields can't be categorical" (Schema formatting requirements).
    if schema_field.categorical or schema_field.textual:
        return f"Field {schema_field.name} is a reserved keyword and cannot be categorical or textual."
    return None


def check_schema_for_dataset_type(schema: PersonalizeSchema, dataset_type: str) -> None:
    """Raise :class:`SchemaError` with the message of :func:`schema_problem_for_dataset_type`, if any."""
    problem = schema_problem_for_dataset_type(schema, dataset_type)
    if problem:
        raise SchemaError(problem)
