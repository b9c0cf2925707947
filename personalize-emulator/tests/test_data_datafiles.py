"""Import CSV checks: AWS's header, type, null, timestamp and length rules, on streamed input."""

import io
import json

import pyarrow as pa
import pytest

from personalize_emulator.engine.avro import parse_schema
from personalize_emulator.engine.datafiles import (
    ImportDataError,
    arrow_schema,
    interactions_quota_problem,
    read_deletion_user_ids,
    read_import_data,
)


def schema(name: str, *fields: dict[str, object]):
    return parse_schema(json.dumps({"type": "record", "name": name, "fields": list(fields)}))


INTERACTIONS = schema(
    "Interactions",
    {"name": "USER_ID", "type": "string"},
    {"name": "ITEM_ID", "type": "string"},
    {"name": "EVENT_TYPE", "type": "string"},
    {"name": "EVENT_VALUE", "type": ["float", "null"]},
    {"name": "TIMESTAMP", "type": "long"},
)
ITEMS = schema(
    "Items",
    {"name": "ITEM_ID", "type": "string"},
    {"name": "GENRES", "type": ["null", "string"], "categorical": True},
    {"name": "RATING", "type": ["null", "int"]},
    {"name": "PRICE", "type": "double"},
    {"name": "IN_STOCK", "type": ["null", "boolean"]},
    {"name": "CREATION_TIMESTAMP", "type": "long"},
)
HEADER = b"USER_ID,ITEM_ID,EVENT_TYPE,EVENT_VALUE,TIMESTAMP\n"


def read(content: bytes, schema=INTERACTIONS) -> pa.Table:
    return read_import_data([("s3://bucket/data.csv", content)], schema)


def failure(content: bytes, schema=INTERACTIONS) -> str:
    with pytest.raises(ImportDataError) as raised:
        read(content, schema)
    return str(raised.value)


def test_the_guides_sample_is_read_into_typed_columns():
    table = read(HEADER + b"196,242,click,15,881250949\n186,302,click,,891717742\n")
    assert table.schema == arrow_schema(INTERACTIONS)
    assert table.to_pydict() == {
        "USER_ID": ["196", "186"],
        "ITEM_ID": ["242", "302"],
        "EVENT_TYPE": ["click", "click"],
        "EVENT_VALUE": [15.0, None],
        "TIMESTAMP": [881250949, 891717742],
    }


def test_metadata_types_nulls_and_multi_value_categorical_values():
    table = read(
        b"ITEM_ID,GENRES,RATING,PRICE,IN_STOCK,CREATION_TIMESTAMP\n"
        b"item_123,horror|comedy,4,9.99,true,1596238243\nitem_124,,,1.5e2,false,1596238244\n",
        ITEMS,
    )
    assert table.to_pydict() == {
        "ITEM_ID": ["item_123", "item_124"],
        "GENRES": ["horror|comedy", None],
        "RATING": [4, None],
        "PRICE": [9.99, 150.0],
        "IN_STOCK": [True, False],
        "CREATION_TIMESTAMP": [1596238243, 1596238244],
    }
    assert table.schema.field("RATING").type == pa.int32()


def test_columns_map_to_fields_by_header_name_in_any_order():
    table = read(b"TIMESTAMP,EVENT_VALUE,ITEM_ID,EVENT_TYPE,USER_ID\n1596238243,2.5,i1,click,u1\n")
    assert table.schema == arrow_schema(INTERACTIONS)
    assert table.to_pylist() == [
        {"USER_ID": "u1", "ITEM_ID": "i1", "EVENT_TYPE": "click", "EVENT_VALUE": 2.5, "TIMESTAMP": 1596238243}
    ]


def test_a_nullable_column_is_needed_too_its_values_may_be_empty():
    """AWS documents null values, not absent columns: the conservative reading refuses the latter."""
    assert failure(b"USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\nu1,i1,click,1596238243\n") == (
        "Input CSV is missing the following columns: [EVENT_VALUE]"
    )
    assert read(HEADER + b"u1,i1,click,,1596238243\n").column("EVENT_VALUE").to_pylist() == [None]


def test_content_may_be_a_file_like_or_chunks_split_anywhere_and_a_folder_of_files():
    rows = b"".join(b"u%d,i%d,click,1.5,%d\n" % (n, n % 7, 1596238243 + n) for n in range(1000))
    content = HEADER + rows
    expected = read(content)
    chunks = (content[start : start + 7] for start in range(0, len(content), 7))
    assert read_import_data([("a", chunks)], INTERACTIONS).equals(expected)
    assert read_import_data([("a", io.BytesIO(content))], INTERACTIONS).equals(expected)
    both = read_import_data([("a", content), ("b", io.BufferedReader(io.BytesIO(content)))], INTERACTIONS)
    assert both.num_rows == 2000
    assert both.slice(1000).equals(expected)


def test_every_file_of_a_folder_import_needs_the_same_header():
    other = b"USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP\nu,i,click,1596238243\n"
    with pytest.raises(
        ImportDataError, match=r"All CSV files must have the same column headers: s3://b/2\.csv has"
    ):
        read_import_data([("s3://b/1.csv", HEADER), ("s3://b/2.csv", other)], INTERACTIONS)


def test_missing_required_columns_fail_with_awss_text():
    assert failure(b"USER_ID,EVENT_TYPE,EVENT_VALUE\nu1,click,\n") == (
        "Input CSV is missing the following columns: [ITEM_ID, TIMESTAMP]"
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            b'"USER_ID","ITEM_ID","EVENT_TYPE","EVENT_VALUE","TIMESTAMP"',
            "must not be enclosed in quotation marks",
        ),
        (b"USER_ID,ITEM_ID,EVENT_TYPE,EVENT_VALUE,TIMESTAMP,COLOR", r"not in the schema: \[COLOR\]"),
        (b"USER_ID,ITEM_ID,ITEM_ID,EVENT_TYPE,EVENT_VALUE,TIMESTAMP", r"duplicate columns: \[ITEM_ID\]"),
        (b"", "is empty"),
    ],
)
def test_header_rules(header, message):
    with pytest.raises(ImportDataError, match=message):
        read(header + b"\n")


def test_crlf_line_ends_are_accepted():
    table = read(HEADER.replace(b"\n", b"\r\n") + b"u1,i1,click,,1596238243\r\n")
    assert table.column("TIMESTAMP").to_pylist() == [1596238243]


def test_a_utf8_byte_order_mark_is_refused():
    """AWS documents UTF-8, not a byte order mark: the conservative choice refuses it, naming it."""
    assert "byte order mark" in failure(b"\xef\xbb\xbf" + HEADER + b"u1,i1,click,,1596238243\n")


def test_an_interactions_import_needs_1000_records_and_few_enough_event_types():
    rows = b"".join(b"u%d,i%d,click,,%d\n" % (n, n % 7, 1596238243 + n) for n in range(999))
    problem = interactions_quota_problem(read(HEADER + rows), INTERACTIONS)
    assert problem is not None and "999" in problem and "1000" in problem
    assert interactions_quota_problem(read(HEADER + rows + b"u,i,click,,1596238243\n"), INTERACTIONS) is None
    # EVENT_TYPE and EVENT_VALUE are 2 optional fields: 9 event types make 11, over the quota of 10.
    nine_types = b"".join(b"u%d,i%d,type-%d,,%d\n" % (n, n % 7, n % 9, 1596238243 + n) for n in range(1000))
    problem = interactions_quota_problem(read(HEADER + nine_types), INTERACTIONS)
    assert problem is not None and "9 event types" in problem


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            b"u1,i1,click,1,2020-07-31",
            "Record 2 of s3://bucket/data.csv has value '2020-07-31' in column TIMESTAMP",
        ),
        (b"u1,i1,click,1,1596238243000", "timestamps must be in Unix epoch time format, in seconds."),
        (b"u1,i1,click,1,-5", "timestamps must be in Unix epoch time format, in seconds."),
        (
            b"u1,i1,click,lots,1596238243",
            "value 'lots' in column EVENT_VALUE: the value is not a valid float",
        ),
        (
            b",i1,click,1,1596238243",
            "an empty value in column USER_ID: the schema does not allow null values",
        ),
        (b'u1,i1,"",1,1596238243', "an empty value in column EVENT_TYPE"),
    ],
)
def test_value_rules_name_the_record_and_column(row, message):
    content = HEADER + b"u0,i0,click,1,1596238243\n" + row + b"\n"
    assert message in failure(content)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"TRUE", "boolean values must be lower-case true or false"),
        (b"yes", "boolean values must be lower-case true or false"),
    ],
)
def test_booleans_are_lower_case(value, message):
    content = (
        b"ITEM_ID,GENRES,RATING,PRICE,IN_STOCK,CREATION_TIMESTAMP\ni1,a,1,1.0," + value + b",1596238243\n"
    )
    assert message in failure(content, ITEMS)


def test_int_fields_hold_32_bit_values():
    content = b"ITEM_ID,GENRES,RATING,PRICE,IN_STOCK,CREATION_TIMESTAMP\ni1,a,2147483648,1.0,,1596238243\n"
    assert "out of range for type int" in failure(content, ITEMS)


def test_ids_longer_than_256_characters_fail_with_awss_length_text():
    message = failure(HEADER + b"u" * 257 + b",i1,click,1,1596238243\n")
    assert message.startswith("Length cannot be more than 256 characters for USER_ID. If no values exceed")
    assert message.endswith("https://docs.aws.amazon.com/personalize/latest/dg/data-prep-formatting.html.")
    assert read(HEADER + b"u" * 256 + b",i1,click,1,1596238243\n").num_rows == 1


def test_the_categorical_limit_of_1000_characters_applies_to_each_value():
    prefix = b"ITEM_ID,GENRES,RATING,PRICE,IN_STOCK,CREATION_TIMESTAMP\ni1,"
    suffix = b",1,1.0,,1596238243\n"
    assert read(prefix + b"a" * 1000 + b"|" + b"b" * 1000 + suffix, ITEMS).num_rows == 1
    assert "Length cannot be more than 1000 characters for GENRES" in failure(
        prefix + b"a" * 1001 + suffix, ITEMS
    )


@pytest.mark.parametrize(
    "row",
    [b"u1,i1,click,1,1596238243,extra", b'u1,"i\n1",click,1,1596238243', b"u1,i1,click"],
)
def test_records_must_be_on_one_line_with_a_value_per_column(row):
    assert "single line" in failure(HEADER + row + b"\n")


def test_files_must_be_utf8():
    assert "UTF8" in failure(HEADER + b"u\xff,i1,click,1,1596238243\n").replace("-", "")


def test_record_numbers_count_across_streamed_blocks():
    rows = b"".join(b"user-%d,item-%d,click,1,%d\n" % (n, n, 1596238243 + n) for n in range(200_000))
    content = HEADER + rows + b"user-x,item-x,click,1,soon\n"
    assert len(content) > 4 << 20  # more than one of the reader's blocks
    assert "Record 200001 of s3://bucket/data.csv has value 'soon'" in failure(content)


def test_deletion_input_is_a_single_user_id_column():
    ids = read_deletion_user_ids([("s3://b/delete.csv", b"USER_ID\nu1\nu2\nu1\n")])
    assert sorted(ids.to_pylist()) == ["u1", "u2"]
    with pytest.raises(ImportDataError, match=r"missing the following columns: \[USER_ID\]"):
        read_deletion_user_ids([("s3://b/delete.csv", b"ITEM_ID\ni1\n")])
