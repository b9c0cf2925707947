"""Dataset records: FULL and INCREMENTAL imports, PUT data, exports by ingestion mode, deletions."""

import json
from datetime import UTC, datetime

import pytest

from personalize_emulator.engine.avro import parse_schema
from personalize_emulator.engine.datafiles import read_import_data
from personalize_emulator.engine.datastore import (
    FIRST_IMPORT_MUST_BE_FULL,
    DatasetRecords,
    csv_chunks,
    delete_users,
    event_record,
    item_record,
    training_snapshot,
    user_record,
)


def schema(name, *fields):
    return parse_schema(json.dumps({"type": "record", "name": name, "fields": list(fields)}))


INTERACTIONS_HEADER = b"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,IMPRESSION\n"
INTERACTIONS = schema(
    "Interactions",
    {"name": "USER_ID", "type": "string"},
    {"name": "ITEM_ID", "type": "string"},
    {"name": "TIMESTAMP", "type": "long"},
    {"name": "EVENT_TYPE", "type": "string"},
    {"name": "EVENT_VALUE", "type": ["null", "float"]},
    {"name": "IMPRESSION", "type": ["null", "string"]},
)
ITEMS = schema(
    "Items",
    {"name": "ITEM_ID", "type": "string"},
    {"name": "GENRES", "type": ["null", "string"], "categorical": True},
    {"name": "NUMBER_OF_RATINGS", "type": ["null", "int"]},
)
USERS = schema("Users", {"name": "USER_ID", "type": "string"}, {"name": "AGE", "type": ["null", "int"]})


def dataset(records_schema, dataset_type, csv: bytes | None = None) -> DatasetRecords:
    records = DatasetRecords(records_schema, dataset_type)
    if csv is not None:
        records.apply_import(read_import_data([("s3://b/k.csv", csv)], records_schema), "FULL")
    return records


def imported(records: DatasetRecords, csv: bytes, mode="INCREMENTAL") -> None:
    records.apply_import(read_import_data([("s3://b/k.csv", csv)], records.schema), mode)


def exported(records: DatasetRecords, mode: str) -> str:
    return b"".join(csv_chunks(records.records(mode))).decode()


def column(records: DatasetRecords, mode: str, name: str) -> list:
    return records.records(mode).column(name).to_pylist()


ITEMS_CSV = b"ITEM_ID,GENRES,NUMBER_OF_RATINGS\ni1,horror|comedy,3\ni2,drama,\n"


def test_the_first_import_must_be_full():
    records = dataset(ITEMS, "Items")
    assert records.import_mode_problem("INCREMENTAL") == FIRST_IMPORT_MUST_BE_FULL
    assert records.import_mode_problem("FULL") is None
    imported(records, ITEMS_CSV, "FULL")
    assert records.import_mode_problem("INCREMENTAL") is None


def test_full_replaces_bulk_data_and_incremental_upserts_items_by_id():
    records = dataset(ITEMS, "Items", ITEMS_CSV)
    imported(records, b"ITEM_ID,GENRES,NUMBER_OF_RATINGS\ni2,thriller,7\ni3,,\n")
    assert records.records("BULK").to_pylist() == [
        {"ITEM_ID": "i1", "GENRES": "horror|comedy", "NUMBER_OF_RATINGS": 3},
        {"ITEM_ID": "i2", "GENRES": "thriller", "NUMBER_OF_RATINGS": 7},
        {"ITEM_ID": "i3", "GENRES": None, "NUMBER_OF_RATINGS": None},
    ]
    imported(records, b"ITEM_ID,GENRES,NUMBER_OF_RATINGS\ni9,x,1\n", "FULL")
    assert column(records, "BULK", "ITEM_ID") == ["i9"]


def test_interactions_append_on_incremental_imports():
    csv = INTERACTIONS_HEADER + b"u1,i1,1596238243,click,,\n"
    records = dataset(INTERACTIONS, "Interactions", csv)
    imported(records, csv)
    assert records.records("BULK").num_rows == 2
    imported(records, csv, "FULL")
    assert records.records("BULK").num_rows == 1


def test_put_data_survives_full_imports_and_all_keeps_the_newest_record_per_id():
    records = dataset(ITEMS, "Items", ITEMS_CSV)
    records.put_records(
        [item_record({"itemId": "i1", "properties": '{"genres": "put", "numberOfRatings": 9}'}, ITEMS)]
    )
    assert column(records, "PUT", "GENRES") == ["put"]
    assert dict(zip(column(records, "ALL", "ITEM_ID"), column(records, "ALL", "GENRES"), strict=True)) == {
        "i1": "put",
        "i2": "drama",
    }
    imported(records, b"ITEM_ID,GENRES,NUMBER_OF_RATINGS\ni1,bulk-again,1\n", "FULL")
    assert column(records, "PUT", "GENRES") == ["put"]  # imports never touch PUT data
    assert column(records, "ALL", "GENRES") == ["bulk-again"]  # newer than the PUT record
    records.put_records([item_record({"itemId": "i1", "properties": {"genres": "put-again"}}, ITEMS)])
    assert column(records, "PUT", "GENRES") == ["put-again"]
    assert column(records, "ALL", "GENRES") == ["put-again"]


def test_exports_have_an_unquoted_header_and_exactly_the_records_of_the_mode():
    csv = b'ITEM_ID,GENRES,NUMBER_OF_RATINGS\ni1,horror|comedy,3\ni2,"a,b",\n'
    records = dataset(ITEMS, "Items", csv)
    records.put_records([{"ITEM_ID": "i3", "GENRES": "put"}])
    bulk = exported(records, "BULK")
    assert bulk.splitlines()[0] == "ITEM_ID,GENRES,NUMBER_OF_RATINGS"
    assert read_import_data([("export", bulk.encode())], ITEMS).equals(
        read_import_data([("import", csv)], ITEMS)
    )
    assert exported(records, "PUT") == "ITEM_ID,GENRES,NUMBER_OF_RATINGS\ni3,put,\n"
    assert exported(records, "ALL").count("\n") == 4
    assert exported(dataset(ITEMS, "Items"), "ALL") == "ITEM_ID,GENRES,NUMBER_OF_RATINGS\n"


def test_deleting_users_removes_their_bulk_and_put_records_everywhere_and_counts_users_who_had_data():
    interactions = dataset(
        INTERACTIONS,
        "Interactions",
        INTERACTIONS_HEADER
        + b"u1,i1,1596238243,click,,\nu2,i1,1596238243,click,,\n"
        + b"u1,i2,1596238244,click,,\nu3,i2,1596238244,click,,\n",
    )
    interactions.put_records(
        [event_record("u4", {"eventType": "click", "itemId": "i1", "sentAt": 1596238300}, INTERACTIONS)]
    )
    users = dataset(USERS, "Users", b"USER_ID,AGE\nu1,30\nu2,40\nu5,50\n")
    items = dataset(ITEMS, "Items", ITEMS_CSV)

    removed = delete_users([interactions, users, items], ["u1", "u4", "u5", "nobody"])

    assert removed == 3
    assert column(interactions, "ALL", "USER_ID") == ["u2", "u3"]
    assert column(users, "ALL", "USER_ID") == ["u2"]
    assert items.records("ALL").num_rows == 2
    assert delete_users([interactions, users], ["u1"]) == 0


def test_items_of_a_user_come_from_bulk_and_put_interactions():
    interactions = dataset(
        INTERACTIONS,
        "Interactions",
        INTERACTIONS_HEADER + b"u1,i1,1596238243,click,,\nu2,i2,1596238243,click,,\n",
    )
    interactions.put_records(
        [event_record("u1", {"eventType": "click", "itemId": "i3", "sentAt": 1}, INTERACTIONS)]
    )
    assert interactions.items_of_user("u1") == {"i1", "i3"}
    assert interactions.items_of_user("nobody") == set()
    assert dataset(USERS, "Users").items_of_user("u1") == set()


def test_a_training_snapshot_keeps_the_data_as_it_was():
    interactions = dataset(INTERACTIONS, "Interactions", INTERACTIONS_HEADER + b"u1,i1,1596238243,click,,\n")
    items = dataset(ITEMS, "Items", ITEMS_CSV)
    snapshot = training_snapshot(interactions, items)
    imported(interactions, INTERACTIONS_HEADER + b"u2,i2,1596238243,click,,\n")
    delete_users([interactions], ["u1"])
    assert snapshot.interactions.column("USER_ID").to_pylist() == ["u1"]
    assert snapshot.items.num_rows == 2
    assert snapshot.users is None


def test_put_events_become_interaction_records():
    event = {
        "eventType": "click",
        "eventValue": 2.5,
        "itemId": "i1",
        "sentAt": datetime(2024, 1, 1, tzinfo=UTC),
        "impression": ["i1", "i2"],
        "recommendationId": "rec-1",
    }
    assert event_record("u1", event, INTERACTIONS) == {
        "USER_ID": "u1",
        "ITEM_ID": "i1",
        "TIMESTAMP": 1704067200,
        "EVENT_TYPE": "click",
        "EVENT_VALUE": 2.5,
        "IMPRESSION": "i1|i2",
    }


def test_put_users_and_items_map_camel_case_properties_to_schema_fields():
    assert user_record({"userId": "u1", "properties": '{"age": "42"}'}, USERS) == {"USER_ID": "u1", "AGE": 42}
    assert item_record({"itemId": "i1", "properties": '{"genres": ["a", "b"]}'}, ITEMS) == {
        "ITEM_ID": "i1",
        "GENRES": "a|b",
    }
    with pytest.raises(ValueError, match="Property color does not match a field in the schema"):
        item_record({"itemId": "i1", "properties": '{"color": "red"}'}, ITEMS)


def test_put_records_need_every_non_nullable_field():
    records = dataset(INTERACTIONS, "Interactions")
    with pytest.raises(ValueError, match=r"missing values for required fields: \[EVENT_TYPE\]"):
        records.put_records([{"USER_ID": "u1", "ITEM_ID": "i1", "TIMESTAMP": 1}])
    with pytest.raises(ValueError, match="do not match the dataset's schema"):
        records.put_records([{"USER_ID": "u1", "ITEM_ID": "i1", "TIMESTAMP": "soon", "EVENT_TYPE": "click"}])
