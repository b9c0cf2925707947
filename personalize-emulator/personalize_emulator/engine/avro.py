"""THE Personalize schema checker: parse CreateSchema's Avro record JSON, check it for a dataset type.

Two steps, because AWS takes them at two moments: CreateSchema accepts any well-formed Personalize Avro record
(:func:`parse_schema`), and CreateDataset (and UpdateDataset) checks that record against the dataset type it
is used for, and the domain of the dataset group (:func:`schema_problem_for_dataset_type`). Both raise or
return what the service answers with InvalidInputException. The rules, each cited where it is applied:

- SCHEMAS, "Schema formatting requirements" and "Schema data types": a flat Avro ``record`` with a ``fields``
  list; no nested records, arrays or maps; field types float, double, int, long, string, boolean, each
  optionally in a union with ``null``; unique alphanumeric field names; the record's ``name`` matches the
  dataset type ("A schema has a name key whose value must match the dataset type", compared ignoring case
  and underscores, so ``ActionInteractions`` fits Action_Interactions); reserved categorical string fields
  must be categorical, reserved string fields can't be;
- CUSTOM, "Custom dataset and schema requirements": every dataset type's required fields and reserved
  keywords, with fixed types; Items, Users and Actions need a metadata field (neither required nor reserved);
  ``textual`` applies to Items string fields only;
- ECOMMERCE and VIDEO_ON_DEMAND, "... domain dataset and schema requirements": what a Domain dataset group's
  datasets require besides (a domain adds required fields and reserved keywords; it relaxes nothing);
- metadata field counts: the quotas table (``quotas.MAX_METADATA_FIELDS``).

The maximum length of the schema text is botocore's model's, checked with every request member.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal

from .quotas import MAX_METADATA_FIELDS

SCHEMAS = "https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html"
CUSTOM = "https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html"
ECOMMERCE = "https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-datasets-and-schemas.html"
VIDEO_ON_DEMAND = (
    "https://docs.aws.amazon.com/personalize/latest/dg/VIDEO-ON-DEMAND-datasets-and-schemas.html"
)

FieldType = Literal["string", "int", "long", "float", "double", "boolean"]
# "Amazon Personalize schemas support the following Avro types for fields" (SCHEMAS), and null.
FIELD_TYPES: tuple[FieldType, ...] = ("string", "int", "long", "float", "double", "boolean")

DATASET_TYPES = ("Interactions", "Items", "Users", "Actions", "Action_Interactions")

# Avro's own name rule; Personalize adds nothing to it.
_AVRO_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def canonical_dataset_type(dataset_type: str) -> str | None:
    """The dataset type as AWS documents it; the API takes any letter case (the SDK for Python tutorial of a
    Domain dataset group sends ``INTERACTIONS``). None for an unknown type."""
    return next((known for known in DATASET_TYPES if known.lower() == dataset_type.lower()), None)


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
    """A required field or reserved keyword: its types, whether it may be null, and whether it must be (True)
    or must not be (False) categorical, or textual."""

    types: tuple[FieldType, ...]
    nullable_allowed: bool = False
    categorical: bool = False
    textual: bool = False


_STRING = _KeywordRule(("string",))
_LONG = _KeywordRule(("long",))
_NULLABLE_STRING = _KeywordRule(("string",), nullable_allowed=True)
_NULLABLE_LONG = _KeywordRule(("long",), nullable_allowed=True)
_NULLABLE_FLOAT = _KeywordRule(("float",), nullable_allowed=True)
# The domain pages list reserved categorical strings with and without null; null is accepted (false reds
# are as bad as false greens, and AWS's newest pages add null to them).
_CATEGORICAL = _KeywordRule(("string",), nullable_allowed=True, categorical=True)
_TEXTUAL = _KeywordRule(("string",), nullable_allowed=True, textual=True)


@dataclass(frozen=True)
class _Rules:
    """What a dataset type requires (``required``) and reserves (``reserved``)."""

    required: dict[str, _KeywordRule]
    reserved: dict[str, _KeywordRule] = field(default_factory=dict)


# CUSTOM, "Custom dataset and schema requirements": required fields, then reserved keywords.
CUSTOM_RULES: dict[str, _Rules] = {
    "Interactions": _Rules(
        {"USER_ID": _STRING, "ITEM_ID": _STRING, "TIMESTAMP": _LONG},
        {
            "EVENT_TYPE": _STRING,
            "EVENT_VALUE": _NULLABLE_FLOAT,
            "IMPRESSION": _NULLABLE_STRING,
            "RECOMMENDATION_ID": _NULLABLE_STRING,
            "EVENT_ATTRIBUTION_SOURCE": _NULLABLE_STRING,
        },
    ),
    "Items": _Rules({"ITEM_ID": _STRING}, {"CREATION_TIMESTAMP": _LONG}),
    "Users": _Rules({"USER_ID": _STRING}),
    "Actions": _Rules(
        {"ACTION_ID": _STRING},
        {
            "CREATION_TIMESTAMP": _LONG,
            "VALUE": _NULLABLE_LONG,
            "TYPE": _NULLABLE_STRING,
            "EXPIRATION_TIMESTAMP": _NULLABLE_LONG,
            "REPEAT_FREQUENCY": _NULLABLE_LONG,
        },
    ),
    "Action_Interactions": _Rules(
        {"USER_ID": _STRING, "ACTION_ID": _STRING, "TIMESTAMP": _LONG, "EVENT_TYPE": _STRING},
        {"IMPRESSION": _NULLABLE_STRING, "RECOMMENDATION_ID": _NULLABLE_STRING},
    ),
}
# What each domain adds to the custom rules (ECOMMERCE, VIDEO_ON_DEMAND: "domain dataset and schema
# requirements"). Both domains require EVENT_TYPE in Interactions.
DOMAIN_RULES: dict[str, dict[str, _Rules]] = {
    "ECOMMERCE": {
        "Interactions": _Rules({"EVENT_TYPE": _STRING}),
        "Items": _Rules(
            {"PRICE": _KeywordRule(("float",)), "CATEGORY_L1": _KeywordRule(("string",), categorical=True)},
            {
                "CATEGORY_L2": _CATEGORICAL,
                "CATEGORY_L3": _CATEGORICAL,
                "PRODUCT_DESCRIPTION": _TEXTUAL,
                # The requirements table says long, the Items page float: either is accepted.
                "CREATION_TIMESTAMP": _KeywordRule(("long", "float")),
                "AGE_GROUP": _CATEGORICAL,
                "ADULT": _CATEGORICAL,
                "GENDER": _CATEGORICAL,
            },
        ),
    },
    "VIDEO_ON_DEMAND": {
        "Interactions": _Rules({"EVENT_TYPE": _STRING}),
        "Users": _Rules({}, {"SUBSCRIPTION_MODEL": _CATEGORICAL}),
        "Items": _Rules(
            {"CREATION_TIMESTAMP": _LONG, "GENRES": _KeywordRule(("string",), categorical=True)},
            {
                "PRICE": _NULLABLE_FLOAT,
                "DURATION": _NULLABLE_FLOAT,
                "GENRE_L2": _CATEGORICAL,
                "GENRE_L3": _CATEGORICAL,
                "AVERAGE_RATING": _NULLABLE_FLOAT,
                "PRODUCT_DESCRIPTION": _TEXTUAL,
                "CONTENT_OWNER": _CATEGORICAL,
                "CONTENT_CLASSIFICATION": _CATEGORICAL,
            },
        ),
    },
}
# CUSTOM: "Users and Items schemas require at least one metadata field" (Actions too, by its page).
DATASETS_NEEDING_METADATA = ("Items", "Users", "Actions")

# The field that identifies a record of each dataset type (what INCREMENTAL imports upsert on).
ID_FIELDS = {"Items": "ITEM_ID", "Users": "USER_ID", "Actions": "ACTION_ID"}
# Fields holding epoch seconds: the import data checks reject anything else in them.
TIMESTAMP_FIELDS = frozenset({"TIMESTAMP", "CREATION_TIMESTAMP", "EXPIRATION_TIMESTAMP"})


def rules_for(dataset_type: str, domain: str | None = None) -> _Rules:
    """The required fields and reserved keywords of a dataset type in a dataset group of ``domain``."""
    custom = CUSTOM_RULES[dataset_type]
    added = DOMAIN_RULES.get(domain or "", {}).get(dataset_type, _Rules({}))
    reserved = {**custom.reserved, **added.reserved}
    for name in added.required:
        reserved.pop(name, None)
    return _Rules({**custom.required, **added.required}, reserved)


def parse_schema(schema_json: str) -> PersonalizeSchema:
    """Parse a CreateSchema ``schema`` string; raise :class:`SchemaError` if it is no Personalize schema."""
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


def schema_problem_for_dataset_type(
    schema: PersonalizeSchema, dataset_type: str, domain: str | None = None
) -> str | None:
    """Why ``schema`` cannot back a ``dataset_type`` dataset in a dataset group of ``domain`` (None: a Custom
    dataset group): an InvalidInputException message; None when it can."""
    if dataset_type not in DATASET_TYPES:
        return f"Invalid dataset type {dataset_type!r}; expected one of {', '.join(DATASET_TYPES)}."
    # SCHEMAS: "A schema has a name key whose value must match the dataset type."
    if _alphanumeric(schema.record_name).lower() != _alphanumeric(dataset_type).lower():
        return f"The schema's name {schema.record_name!r} must match the dataset type {dataset_type}."
    rules = rules_for(dataset_type, domain)
    in_group = f"a {dataset_type} dataset" + (f" of a {domain} dataset group" if domain else "")
    missing = [name for name in rules.required if schema.field(name) is None]
    if missing:
        return f"Schema for {in_group} is missing required fields: [{', '.join(missing)}]."
    for name, rule in (*rules.required.items(), *rules.reserved.items()):
        schema_field = schema.field(name)
        if schema_field is None:
            continue
        problem = _keyword_problem(schema_field, rule)
        if problem:
            return problem
    # A domain's own required fields are the metadata its default schemas carry (the ECOMMERCE default Items
    # schema is ITEM_ID, PRICE, CATEGORY_L1): the need for a metadata field is the custom rules'.
    custom = CUSTOM_RULES[dataset_type]
    if dataset_type in DATASETS_NEEDING_METADATA and all(
        f.name in custom.required or f.name in custom.reserved for f in schema.fields
    ):
        return f"Schema for {in_group} must have at least one metadata field."
    metadata = [f for f in schema.fields if f.name not in rules.required and f.name not in rules.reserved]
    if len(metadata) > MAX_METADATA_FIELDS[dataset_type]:
        return (
            f"Schema for {in_group} has {len(metadata)} metadata fields; the maximum is"
            f" {MAX_METADATA_FIELDS[dataset_type]}."
        )
    # CUSTOM: "only Items schemas support fields with the textual attribute".
    textual = [f.name for f in schema.fields if f.textual]
    if textual and dataset_type != "Items":
        return f"Only Items schemas support textual fields; {dataset_type} schema has [{', '.join(textual)}]."
    return None


def _keyword_problem(schema_field: SchemaField, rule: _KeywordRule) -> str | None:
    allowed = " or ".join(rule.types) + (" (optionally null)" if rule.nullable_allowed else "")
    if schema_field.type not in rule.types or (schema_field.nullable and not rule.nullable_allowed):
        return f"Field {schema_field.name} must be of type {allowed}."
    # SCHEMAS: "Reserved categorical string fields must have categorical set to true, while reserved string
    # fields can't be categorical."
    if schema_field.categorical != rule.categorical:
        should = "must be" if rule.categorical else "is a reserved keyword and cannot be"
        return f"Field {schema_field.name} {should} categorical."
    if schema_field.textual != rule.textual:
        should = "must be" if rule.textual else "is a reserved keyword and cannot be"
        return f"Field {schema_field.name} {should} textual."
    return None
