"""Personalize schema parsing and the per-dataset-type rules of the developer guide."""

import json
import re

import pytest

from personalize_emulator.engine.avro import (
    SchemaError,
    SchemaField,
    parse_schema,
    schema_problem_for_dataset_type,
)


def schema_json(name: str, *fields: dict[str, object]) -> str:
    return json.dumps({"type": "record", "name": name, "fields": list(fields), "version": "1.0"})


USER_ID = {"name": "USER_ID", "type": "string"}
ITEM_ID = {"name": "ITEM_ID", "type": "string"}
TIMESTAMP = {"name": "TIMESTAMP", "type": "long"}
INTERACTIONS = schema_json("Interactions", USER_ID, ITEM_ID, TIMESTAMP)


def test_parses_the_guides_interactions_example_with_types_nullability_and_categorical():
    schema = parse_schema(
        schema_json(
            "Interactions",
            USER_ID,
            ITEM_ID,
            {"name": "EVENT_TYPE", "type": "string"},
            {"name": "EVENT_VALUE", "type": ["float", "null"]},
            {"name": "DEVICE", "type": ["string", "null"], "categorical": True},
            TIMESTAMP,
        )
    )
    assert schema.names == ("USER_ID", "ITEM_ID", "EVENT_TYPE", "EVENT_VALUE", "DEVICE", "TIMESTAMP")
    assert schema.field("EVENT_VALUE") == SchemaField("EVENT_VALUE", "float", nullable=True)
    assert schema.field("DEVICE") == SchemaField("DEVICE", "string", nullable=True, categorical=True)
    assert schema.field("NOPE") is None
    assert schema_problem_for_dataset_type(schema, "Interactions") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"type": "enum", "name": "Interactions", "fields": [USER_ID]}), '"type": "record"'),
        (json.dumps({"type": "record", "name": "Interactions", "fields": []}), "non-empty"),
        (schema_json("Interactions", {"name": "1BAD", "type": "string"}), "Invalid field name"),
        (
            schema_json("Interactions", {"name": "TAGS", "type": {"type": "array", "items": "string"}}),
            "complex",
        ),
        (schema_json("Interactions", {"name": "WHEN", "type": "timestamp"}), "unsupported type"),
        (schema_json("Interactions", {"name": "X", "type": ["int", "long"]}), "one type"),
        (schema_json("Interactions", {"name": "AGE", "type": "int", "categorical": True}), "only string"),
        (schema_json("Interactions", {"name": "G", "type": "string", "categorical": "yes"}), "true or false"),
        (
            schema_json(
                "Items", {"name": "GENRES_FIELD_1", "type": "string"}, {"name": "GENRESFIELD1", "type": "int"}
            ),
            "unique alphanumeric names",
        ),
    ],
)
def test_rejects_what_is_no_personalize_schema(text, message):
    with pytest.raises(SchemaError, match=message):
        parse_schema(text)


@pytest.mark.parametrize(
    ("dataset_type", "fields", "message"),
    [
        ("Interactions", [USER_ID, ITEM_ID], r"missing required fields: \[TIMESTAMP\]"),
        (
            "Interactions",
            [USER_ID, ITEM_ID, {"name": "TIMESTAMP", "type": "int"}],
            "TIMESTAMP must be of type long",
        ),
        ("Interactions", [USER_ID, ITEM_ID, {"name": "TIMESTAMP", "type": ["long", "null"]}], "TIMESTAMP"),
        (
            "Interactions",
            [USER_ID, ITEM_ID, TIMESTAMP, {"name": "EVENT_TYPE", "type": "string", "categorical": True}],
            "EVENT_TYPE is a reserved keyword and cannot be categorical",
        ),
        (
            "Interactions",
            [USER_ID, ITEM_ID, TIMESTAMP, {"name": "EVENT_VALUE", "type": "double"}],
            "EVENT_VALUE",
        ),
        ("Users", [USER_ID], "at least one metadata field"),
        ("Items", [ITEM_ID, {"name": "CREATION_TIMESTAMP", "type": "long"}], "at least one metadata field"),
        ("Users", [USER_ID, {"name": "BIO", "type": "string", "textual": True}], "Only Items schemas"),
        (
            "Users",
            [USER_ID, *({"name": f"M{i}", "type": "int"} for i in range(26))],
            "26 metadata fields; the maximum is 25",
        ),
        ("Actions", [{"name": "ACTION_ID", "type": "string"}], "at least one metadata field"),
        ("Action_Interactions", [USER_ID, {"name": "ACTION_ID", "type": "string"}, TIMESTAMP], "EVENT_TYPE"),
        ("Purchases", [USER_ID], "Invalid dataset type"),
    ],
)
def test_dataset_type_rules(dataset_type, fields, message):
    name = {"Action_Interactions": "ActionInteractions", "Purchases": "Interactions"}.get(
        dataset_type, dataset_type
    )
    schema = parse_schema(schema_json(name, *fields))
    problem = schema_problem_for_dataset_type(schema, dataset_type)
    assert problem is not None
    assert re.search(message, problem), problem


def test_the_record_name_must_match_the_dataset_type_ignoring_case_and_underscores():
    assert "must match the dataset type Users" in str(
        schema_problem_for_dataset_type(parse_schema(INTERACTIONS), "Users")
    )
    fields = [
        USER_ID,
        {"name": "ACTION_ID", "type": "string"},
        TIMESTAMP,
        {"name": "EVENT_TYPE", "type": "string"},
    ]
    for name in ("ActionInteractions", "Action_Interactions", "actioninteractions"):
        assert (
            schema_problem_for_dataset_type(parse_schema(schema_json(name, *fields)), "Action_Interactions")
            is None
        )


def test_valid_metadata_schemas_pass():
    items = parse_schema(
        schema_json(
            "Items",
            ITEM_ID,
            {"name": "GENRES", "type": ["null", "string"], "categorical": True},
            {"name": "DESCRIPTION", "type": ["null", "string"], "textual": True},
            {"name": "CREATION_TIMESTAMP", "type": "long"},
        )
    )
    assert schema_problem_for_dataset_type(items, "Items") is None
    users = parse_schema(schema_json("Users", USER_ID, {"name": "AGE", "type": "int"}))
    assert schema_problem_for_dataset_type(users, "Users") is None


PRICE = {"name": "PRICE", "type": "float"}
CATEGORY_L1 = {"name": "CATEGORY_L1", "type": "string", "categorical": True}


@pytest.mark.parametrize(
    ("domain", "dataset_type", "fields", "message"),
    [
        (
            "ECOMMERCE",
            "Interactions",
            [USER_ID, ITEM_ID, TIMESTAMP],
            r"ECOMMERCE dataset group is missing required fields: \[EVENT_TYPE\]",
        ),
        ("ECOMMERCE", "Items", [ITEM_ID, CATEGORY_L1], r"\[PRICE\]"),
        (
            "ECOMMERCE",
            "Items",
            [ITEM_ID, PRICE, {"name": "CATEGORY_L1", "type": "string"}],
            "must be categorical",
        ),
        (
            "VIDEO_ON_DEMAND",
            "Items",
            [ITEM_ID, {"name": "CREATION_TIMESTAMP", "type": "long"}],
            r"\[GENRES\]",
        ),
        (
            "VIDEO_ON_DEMAND",
            "Users",
            [USER_ID, {"name": "AGE", "type": "int"}, {"name": "SUBSCRIPTION_MODEL", "type": "string"}],
            "SUBSCRIPTION_MODEL must be categorical",
        ),
    ],
)
def test_a_domain_adds_required_fields_and_reserved_keywords(domain, dataset_type, fields, message):
    problem = schema_problem_for_dataset_type(
        parse_schema(schema_json(dataset_type, *fields)), dataset_type, domain
    )
    assert problem is not None
    assert re.search(message, problem), problem


def test_the_domains_default_schemas_pass():
    """The ECOMMERCE default Items schema of the guide, its CATEGORY_L1 a one-member union."""
    ecommerce_items = schema_json("Items", ITEM_ID, PRICE, {**CATEGORY_L1, "type": ["string"]})
    assert schema_problem_for_dataset_type(parse_schema(ecommerce_items), "Items", "ECOMMERCE") is None
    event_type = {"name": "EVENT_TYPE", "type": "string"}
    interactions = schema_json("Interactions", USER_ID, ITEM_ID, event_type, TIMESTAMP)
    assert (
        schema_problem_for_dataset_type(parse_schema(interactions), "Interactions", "VIDEO_ON_DEMAND") is None
    )
