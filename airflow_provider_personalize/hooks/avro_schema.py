"""Whether a CreateSchema ``schema`` is a schema Amazon Personalize accepts, from AWS's schema pages.

A Personalize schema is an Avro record, flat, whose fields have the types of "Schema data types", each
alone or in a union with null ("Creating schema JSON files for Amazon Personalize schemas",
:data:`SCHEMAS`). What else it must hold depends on the dataset type it is for, which its record name
states ("A schema has a name key whose value must match the dataset type", same page): the required
fields and the reserved keywords of :data:`CUSTOM` (and a domain's, :data:`ECOMMERCE` and
:data:`VIDEO_ON_DEMAND`, when ``domain`` is given), a metadata field for Users, Items and Actions, and at
most so many metadata fields (:data:`QUOTAS`). A record named after no dataset type gets only the general
checks: the service decides the rest when the schema is used.

Where a page leaves a case open, the check lets it through (a null union on a required field, the type of
a reserved keyword pages disagree on): a schema AWS accepts must never be refused here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCHEMAS = "https://docs.aws.amazon.com/personalize/latest/dg/how-it-works-dataset-schema.html"
CUSTOM = "https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html"
ECOMMERCE = "https://docs.aws.amazon.com/personalize/latest/dg/ECOMMERCE-datasets-and-schemas.html"
VIDEO_ON_DEMAND = (
    "https://docs.aws.amazon.com/personalize/latest/dg/VIDEO-ON-DEMAND-datasets-and-schemas.html"
)
QUOTAS = "https://docs.aws.amazon.com/personalize/latest/dg/limits.html"

# "Amazon Personalize schemas support the following Avro types for fields: float, double, int, long,
# string, boolean, null" (SCHEMAS, "Schema data types"); "Amazon Personalize schemas don't support complex
# types such as arrays and maps" and "Schemas must be flat" (SCHEMAS, "Schema formatting requirements").
FIELD_TYPES = ("float", "double", "int", "long", "string", "boolean")
_AVRO_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # Avro's name rule (Avro 1.11 specification, "Names")


@dataclass(frozen=True)
class Keyword:
    """A required field or reserved keyword: the types it may have, and whether it must be categorical or
    textual (True), must not be (False), or either (None)."""

    types: tuple[str, ...]
    categorical: bool | None = False
    textual: bool | None = False


STRING = Keyword(("string",))
LONG = Keyword(("long",))
FLOAT = Keyword(("float",))
CATEGORICAL = Keyword(("string",), categorical=True)
TEXTUAL = Keyword(("string",), textual=True)


@dataclass(frozen=True)
class DatasetRules:
    required: Mapping[str, Keyword]
    reserved: Mapping[str, Keyword]
    max_metadata: int | None  # metadata fields: neither required nor reserved
    needs_metadata: bool = False


# CUSTOM, "Custom dataset and schema requirements"; metadata limits from QUOTAS ("Maximum number of metadata
# columns, excluding reserved fields, in an Item interactions dataset: 5", "... for a Users dataset: 25",
# "... for an Items dataset: 100") and the Actions page ("You can add up to 10 columns"). "Users, Items and
# Actions schemas require at least one metadata field."
CUSTOM_RULES: dict[str, DatasetRules] = {
    "Interactions": DatasetRules(
        {"USER_ID": STRING, "ITEM_ID": STRING, "TIMESTAMP": LONG},
        {
            "EVENT_TYPE": STRING,
            "EVENT_VALUE": FLOAT,
            "IMPRESSION": STRING,
            "RECOMMENDATION_ID": STRING,
            "EVENT_ATTRIBUTION_SOURCE": STRING,
        },
        max_metadata=5,
    ),
    "Users": DatasetRules({"USER_ID": STRING}, {}, max_metadata=25, needs_metadata=True),
    "Items": DatasetRules(
        {"ITEM_ID": STRING}, {"CREATION_TIMESTAMP": LONG}, max_metadata=100, needs_metadata=True
    ),
    "Actions": DatasetRules(
        {"ACTION_ID": STRING},
        {
            "CREATION_TIMESTAMP": LONG,
            "VALUE": LONG,
            "TYPE": STRING,
            "EXPIRATION_TIMESTAMP": LONG,
            "REPEAT_FREQUENCY": LONG,
        },
        max_metadata=10,
        needs_metadata=True,
    ),
    "Action_Interactions": DatasetRules(
        {"USER_ID": STRING, "ACTION_ID": STRING, "TIMESTAMP": LONG, "EVENT_TYPE": STRING},
        {"IMPRESSION": STRING, "RECOMMENDATION_ID": STRING},
        max_metadata=None,
    ),
}
# What a domain requires and reserves besides (ECOMMERCE, VIDEO_ON_DEMAND: each "domain dataset and schema
# requirements" table and its dataset pages). ECOMMERCE's CREATION_TIMESTAMP is long in the table and
# float on the Items page: either is taken.
DOMAIN_RULES: dict[str, dict[str, tuple[Mapping[str, Keyword], Mapping[str, Keyword]]]] = {
    "ECOMMERCE": {
        "Interactions": ({"EVENT_TYPE": STRING}, {}),
        "Items": (
            {"PRICE": FLOAT, "CATEGORY_L1": CATEGORICAL},
            {
                "CATEGORY_L2": CATEGORICAL,
                "CATEGORY_L3": CATEGORICAL,
                "PRODUCT_DESCRIPTION": TEXTUAL,
                "CREATION_TIMESTAMP": Keyword(("long", "float")),
                "AGE_GROUP": CATEGORICAL,
                "ADULT": CATEGORICAL,
                "GENDER": CATEGORICAL,
            },
        ),
    },
    "VIDEO_ON_DEMAND": {
        "Interactions": ({"EVENT_TYPE": STRING}, {}),
        "Users": ({}, {"SUBSCRIPTION_MODEL": CATEGORICAL}),
        "Items": (
            {"GENRES": CATEGORICAL, "CREATION_TIMESTAMP": LONG},
            {
                "PRICE": FLOAT,
                "DURATION": FLOAT,
                "GENRE_L2": CATEGORICAL,
                "GENRE_L3": CATEGORICAL,
                "AVERAGE_RATING": FLOAT,
                "PRODUCT_DESCRIPTION": TEXTUAL,
                "CONTENT_OWNER": CATEGORICAL,
                "CONTENT_CLASSIFICATION": CATEGORICAL,
            },
        ),
    },
}
MAX_TEXTUAL_FIELDS = 1  # "Maximum number of textual fields for an Items dataset: 1" (QUOTAS)


class SchemaProblem(ValueError):
    """What is wrong with a schema, in words for the task's error."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    categorical: bool
    textual: bool


def schema_problem(schema_text: str, domain: str | None = None) -> str | None:
    """What keeps ``schema_text`` from being a Personalize schema (for ``domain``), or None."""
    try:
        record = _record(schema_text)
        fields = [_field(index, raw) for index, raw in enumerate(record["fields"])]
        _check_names(fields)
        dataset_type = _dataset_type(record["name"])
        if dataset_type:
            _check_dataset_rules(fields, dataset_type, domain)
    except SchemaProblem as problem:
        return str(problem)
    return None


def _record(schema_text: str) -> Mapping[str, Any]:
    try:
        record = json.loads(schema_text)
    except json.JSONDecodeError as error:
        raise SchemaProblem(f"not JSON ({error.msg} at line {error.lineno} column {error.colno})") from None
    if not isinstance(record, Mapping) or record.get("type") != "record":
        raise SchemaProblem(
            'not an Avro record: a Personalize schema is {"type": "record", "name": ..., "fields": [...]}'
        )
    if not isinstance(record.get("name"), str) or not _AVRO_NAME.fullmatch(record["name"]):
        raise SchemaProblem(f"the record's name {record.get('name')!r} is not an Avro name")
    if not isinstance(record.get("fields"), list) or not record["fields"]:
        raise SchemaProblem("the record has no fields")
    return record


def _field(index: int, raw: Any) -> Field:
    where = f"fields[{index}]"
    if not isinstance(raw, Mapping):
        raise SchemaProblem(f"{where} is not a field (an object with a name and a type)")
    name = raw.get("name")
    if not isinstance(name, str) or not _AVRO_NAME.fullmatch(name):
        raise SchemaProblem(
            f"{where}: {name!r} is not an Avro name (letters, digits and _, not first a digit)"
        )
    where = f"field {name}"
    kind = raw.get("type")
    members = kind if isinstance(kind, list) else [kind]
    others = [member for member in members if member != "null"]
    if not all(isinstance(member, str) for member in members):
        raise SchemaProblem(
            f"{where}: schemas must be flat; {kind!r} is a complex type (records, arrays, maps)"
        )
    if len(others) != 1 or len(members) != len(set(members)):
        raise SchemaProblem(f"{where}: {kind!r}: a field has one type, alone or in a union with null")
    if others[0] not in FIELD_TYPES:
        raise SchemaProblem(
            f"{where}: {others[0]!r} is not a type Personalize supports ({', '.join(FIELD_TYPES)})"
        )
    flags = {}
    for attribute in ("categorical", "textual"):
        flags[attribute] = raw.get(attribute, False)
        if not isinstance(flags[attribute], bool):
            raise SchemaProblem(f"{where}: {attribute} is true or false, not {flags[attribute]!r}")
        # "If you add your own metadata field of type string, it must include a categorical attribute or a
        # textual attribute" (CUSTOM): both are string fields' attributes.
        if flags[attribute] and others[0] != "string":
            raise SchemaProblem(f"{where}: only string fields can be {attribute}, not {others[0]}")
    return Field(name, others[0], flags["categorical"], flags["textual"])


def _check_names(fields: list[Field]) -> None:
    # "Schema fields must have unique alphanumeric names. For example, you can't add both a GENRES_FIELD_1
    # field and a GENRESFIELD1 field." (SCHEMAS)
    seen: dict[str, str] = {}
    for field in fields:
        alphanumeric = re.sub(r"[^A-Za-z0-9]", "", field.name).upper()
        if alphanumeric in seen:
            raise SchemaProblem(
                f"fields {seen[alphanumeric]} and {field.name} have the same alphanumeric name"
            )
        seen[alphanumeric] = field.name


def _dataset_type(record_name: str) -> str | None:
    """The dataset type a record's name states (letter case and underscores aside), or None."""
    squashed = record_name.replace("_", "").lower()
    return next((known for known in CUSTOM_RULES if known.replace("_", "").lower() == squashed), None)


def _check_dataset_rules(fields: list[Field], dataset_type: str, domain: str | None) -> None:
    custom = CUSTOM_RULES[dataset_type]
    added_required, added_reserved = DOMAIN_RULES.get(domain or "", {}).get(dataset_type, ({}, {}))
    required = {**custom.required, **added_required}
    keywords = {**custom.reserved, **added_reserved, **required}
    where = f"{dataset_type} schema" + (f" of a {domain} dataset group" if domain else "")
    by_name = {field.name: field for field in fields}
    missing = [name for name in required if name not in by_name]
    if missing:
        raise SchemaProblem(f"{where}: missing required field(s) {', '.join(missing)}")
    for field in fields:
        keyword = keywords.get(field.name)
        if keyword:
            _check_keyword(field, keyword, where)
    metadata = [
        field for field in fields if field.name not in custom.required and field.name not in custom.reserved
    ]
    if custom.needs_metadata and not metadata:
        raise SchemaProblem(
            f"{where}: needs at least one metadata field besides {', '.join(custom.required)}"
        )
    own_metadata = [field for field in metadata if field.name not in keywords]
    if custom.max_metadata is not None and len(own_metadata) > custom.max_metadata:
        raise SchemaProblem(f"{where}: {len(own_metadata)} metadata fields; at most {custom.max_metadata}")
    textual = [field.name for field in fields if field.textual]
    if textual and dataset_type != "Items":  # "only Items schemas support fields with the textual attribute"
        raise SchemaProblem(f"{where}: only Items schemas can have textual fields ({', '.join(textual)})")
    if len(textual) > MAX_TEXTUAL_FIELDS:
        raise SchemaProblem(f"{where}: {len(textual)} textual fields; at most {MAX_TEXTUAL_FIELDS}")


def _check_keyword(field: Field, keyword: Keyword, where: str) -> None:
    # "You must define required fields as their required data types. Reserved categorical string fields
    # must have categorical set to true, while reserved string fields can't be categorical." (SCHEMAS)
    if field.type not in keyword.types:
        raise SchemaProblem(f"{where}: field {field.name} is {' or '.join(keyword.types)}, not {field.type}")
    for attribute in ("categorical", "textual"):
        wanted, actual = getattr(keyword, attribute), getattr(field, attribute)
        if wanted is not None and wanted != actual:
            must = "must be" if wanted else "is a reserved keyword and can't be"
            raise SchemaProblem(f"{where}: field {field.name} {must} {attribute}")
