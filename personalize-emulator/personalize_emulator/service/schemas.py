"""Semantic checks of dataset schemas (Avro JSON), from AWS's "Creating schema JSON files" guide.

A schema is an Avro record whose fields each have a name and a type. Which fields a dataset type
requires is checked when the schema is used, at CreateDataset and UpdateDataset:

- Interactions: USER_ID, ITEM_ID, TIMESTAMP (and EVENT_TYPE in a Domain dataset group);
- Items: ITEM_ID and at least one metadata field; Users: USER_ID and at least one metadata field;
- Actions: ACTION_ID and at least one metadata field; Action_Interactions: USER_ID, ACTION_ID,
  TIMESTAMP, EVENT_TYPE.
"""

import json
from typing import Any

from .exceptions import InvalidInputException

REQUIRED_FIELDS = {
    "Interactions": ("USER_ID", "ITEM_ID", "TIMESTAMP"),
    "Items": ("ITEM_ID",),
    "Users": ("USER_ID",),
    "Actions": ("ACTION_ID",),
    "Action_Interactions": ("USER_ID", "ACTION_ID", "TIMESTAMP", "EVENT_TYPE"),
}
NEEDS_METADATA = frozenset({"Items", "Users", "Actions"})


def dataset_type_key(dataset_type: str) -> str:
    """The dataset type as AWS documents it (the API accepts any letter case)."""
    for known in REQUIRED_FIELDS:
        if known.lower() == dataset_type.lower():
            return known
    raise InvalidInputException(
        f"Invalid datasetType {dataset_type}: it must be one of {', '.join(REQUIRED_FIELDS)}."
    )


def _fields(schema_text: str) -> list[dict[str, Any]]:
    try:
        schema = json.loads(schema_text)
    except ValueError as error:
        raise InvalidInputException(f"The schema is not valid JSON: {error}.") from error
    if not isinstance(schema, dict) or schema.get("type") != "record" or not schema.get("name"):
        raise InvalidInputException('The schema must be an Avro record: {"type": "record", "name": ...}.')
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        raise InvalidInputException("The schema must define at least one field.")
    for field in fields:
        if not isinstance(field, dict) or not field.get("name") or "type" not in field:
            raise InvalidInputException(f"A schema field needs a name and a type; got {json.dumps(field)}.")
    return fields


def check_avro_schema(schema_text: str) -> None:
    _fields(schema_text)


def check_schema_fits_dataset_type(schema_text: str, dataset_type: str, domain: str | None) -> None:
    names = [field["name"] for field in _fields(schema_text)]
    required = REQUIRED_FIELDS[dataset_type]
    if dataset_type == "Interactions" and domain:
        required = (*required, "EVENT_TYPE")
    missing = [name for name in required if name not in names]
    if missing:
        raise InvalidInputException(
            f"The schema is missing the fields required for a {dataset_type} dataset: {', '.join(missing)}."
        )
    if dataset_type in NEEDS_METADATA and len(names) <= len(required):
        raise InvalidInputException(
            f"A {dataset_type} schema needs at least one metadata field besides {', '.join(required)}."
        )
