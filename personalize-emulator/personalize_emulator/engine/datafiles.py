"""Check dataset import CSV files against a Personalize schema, streaming, and return their records as Arrow.

:func:`read_import_data` is what a dataset import job runs on the objects under its ``dataLocation``. It reads
each file once, in blocks (``pyarrow.csv.open_csv``), checks every block with vectorised Arrow compute
kernels, and keeps only the converted columns, so a file is never held twice in memory. The result is a
``pyarrow.Table`` whose columns are the schema's fields, in schema order, typed as the schema says
(string, int32, int64, float32, float64, bool; multi-value categorical strings stay ``|``-joined, as AWS
exports them). That table is what :mod:`.datastore` stores and :mod:`.training` trains on.

A file that breaks a rule raises :class:`ImportDataError`, whose message is the job's ``failureReason``.
Rules and texts come from the developer guide's "Preparing bulk data" guidelines (FORMATTING:
https://docs.aws.amazon.com/personalize/latest/dg/data-prep-formatting.html), its schema pages and "Common
error messages"; where AWS documents nothing, the rule is the conservative one (refuse), so that data the
emulator accepts is data AWS accepts, and says so:

- the first row is a header of column names (FORMATTING: "The first row of your CSV file must contain your
  column headers"), unquoted ("Don't enclose headers in quotation marks"); a header is read as UTF-8 without
  a byte order mark (AWS documents none: refused, conservative);
- columns map to the schema's fields by header name, in any order ("The column headers in your CSV file must
  map to your schema"; AWS's own getting-started data has the header USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE
  for a schema ordered USER_ID, ITEM_ID, EVENT_TYPE, TIMESTAMP). Every schema field needs its column: a
  missing one fails with AWS's ``Input CSV is missing the following columns: [A, B]``, a nullable one too
  (AWS documents null *values*, not absent columns: conservative). A column the schema does not have, and a
  column named twice, are refused (undocumented: conservative). Every file of a folder import has the same
  header (undocumented: conservative);
- records end with LF or CRLF (RFC 4180's line break);
- values parse as their field's type (booleans as lower-case ``true`` / ``false``, "Schema data types"), and
  an empty value is null, which only a nullable field accepts;
- TIMESTAMP, CREATION_TIMESTAMP and EXPIRATION_TIMESTAMP hold Unix epoch seconds (FORMATTING: "must be in
  UNIX epoch time format"): a date string fails the long parse, and a value past 9999-12-31 (such as epoch
  milliseconds) is rejected as not seconds;
- USER_ID, ITEM_ID and ACTION_ID values have at most 256 characters and each ``|``-separated categorical
  value at most 1000 (quotas), failing with AWS's ``Length cannot be more than ... characters for COLUMN``;
- each record is on one line (FORMATTING: "Each record in your CSV file must be on a single line") and the
  file is UTF-8 ("your CSV file must be encoded in UTF-8 format").

Only the missing-columns and length texts are AWS's own words; for the other failures AWS documents the rule
but not its message, and the texts here say the rule plainly, naming the file, record and column.
:func:`interactions_quota_problem` applies the quotas an Interactions import can break.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .avro import TIMESTAMP_FIELDS, FieldType, PersonalizeSchema, SchemaField
from .quotas import (
    MAX_CATEGORICAL_VALUE_CHARS,
    MAX_EVENT_TYPES_AND_OPTIONAL_FIELDS,
    MAX_ID_CHARS,
    MIN_INTERACTIONS_RECORDS_PER_IMPORT,
)

ARROW_TYPES: dict[FieldType, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
}
ID_FIELD_NAMES = frozenset({"USER_ID", "ITEM_ID", "ACTION_ID"})
# Interactions fields that are not "optional metadata" in the event-types quota's count (INTERACTIONS_SCHEMA).
_NOT_COUNTED_AS_METADATA = frozenset(
    {"USER_ID", "ITEM_ID", "TIMESTAMP", "IMPRESSION", "RECOMMENDATION_ID", "EVENT_ATTRIBUTION_SOURCE"}
)
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
# 9999-12-31T23:59:59Z: any larger "epoch seconds" value is really milliseconds (or worse).
MAX_EPOCH_SECONDS = 253_402_300_799
_INT32_RANGE = (-(2**31), 2**31 - 1)
_MAX_HEADER_BYTES = 1 << 20
_BLOCK_SIZE = 4 << 20
_FORMATTING_GUIDE = "https://docs.aws.amazon.com/personalize/latest/dg/data-prep-formatting.html"

# What a source may be: the whole content, a binary file-like (an S3 StreamingBody), or its chunks.
Content = bytes | BinaryIO | Iterable[bytes]
# Builds the failure for the first record selected by a mask, given the rule it broke.
_FailAt = Callable[[Any, str], "ImportDataError"]


class ImportDataError(ValueError):
    """The import data breaks a rule; ``str(error)`` is the dataset import job's failureReason."""


def arrow_schema(schema: PersonalizeSchema) -> pa.Schema:
    """The Arrow schema of the tables this module returns for ``schema``."""
    return pa.schema([pa.field(f.name, ARROW_TYPES[f.type]) for f in schema.fields])


def read_import_data(sources: Iterable[tuple[str, Content]], schema: PersonalizeSchema) -> pa.Table:
    """Check and convert every CSV source, in order, into one table of the schema's fields.

    ``sources`` yields ``(name, content)`` pairs; ``name`` (such as the ``s3://`` URI) appears in failure
    messages. Raises :class:`ImportDataError` on the first rule broken.
    """
    batches: list[pa.RecordBatch] = []
    first_header: tuple[str, list[str]] | None = None
    for name, content in sources:
        stream = _as_stream(content)
        header = _read_header(name, stream)
        if first_header is None:
            _check_header(header, schema)
            first_header = (name, header)
        elif header != first_header[1]:
            raise ImportDataError(
                f"All CSV files must have the same column headers: {name} has [{', '.join(header)}] but"
                f" {first_header[0]} has [{', '.join(first_header[1])}]."
            )
        batches.extend(_read_records(name, stream, header, schema))
    return pa.Table.from_batches(batches, schema=arrow_schema(schema))


# A data deletion job's input: "a CSV file with a single USER_ID column".
DELETION_INPUT_SCHEMA = PersonalizeSchema("Users", (SchemaField("USER_ID", "string"),))


def read_deletion_user_ids(sources: Iterable[tuple[str, Content]]) -> pa.Array:
    """The distinct USER_IDs listed by a data deletion job's input files (checked like an import)."""
    return pc.unique(read_import_data(sources, DELETION_INPUT_SCHEMA)["USER_ID"].combine_chunks())


def _check_header(header: list[str], schema: PersonalizeSchema) -> None:
    if len(set(header)) != len(header):
        duplicated = sorted({column for column in header if header.count(column) > 1})
        raise ImportDataError(f"Input CSV has duplicate columns: [{', '.join(duplicated)}]")
    missing = [f.name for f in schema.fields if f.name not in header]
    if missing:
        raise ImportDataError(f"Input CSV is missing the following columns: [{', '.join(missing)}]")
    unknown = [column for column in header if schema.field(column) is None]
    if unknown:
        raise ImportDataError(f"Input CSV has columns that are not in the schema: [{', '.join(unknown)}]")


def interactions_quota_problem(records: pa.Table, schema: PersonalizeSchema) -> str | None:
    """Why an Interactions import's ``records`` break a quota (``quotas.py``), or None: fewer records than
    an import job needs, or too many event types for the schema's optional fields."""
    if records.num_rows < MIN_INTERACTIONS_RECORDS_PER_IMPORT:
        return (
            f"The import has {records.num_rows} interactions records; a dataset import job needs at least"
            f" {MIN_INTERACTIONS_RECORDS_PER_IMPORT}."
        )
    optional = [name for name in schema.names if name not in _NOT_COUNTED_AS_METADATA]
    event_types = pc.count_distinct(records["EVENT_TYPE"]).as_py() if "EVENT_TYPE" in schema.names else 0
    if event_types + len(optional) > MAX_EVENT_TYPES_AND_OPTIONAL_FIELDS:
        return (
            f"The data has {event_types} event types and the schema {len(optional)} optional metadata fields"
            f" ({', '.join(optional)}); together they may be at most {MAX_EVENT_TYPES_AND_OPTIONAL_FIELDS}."
        )
    return None


def _read_records(
    source: str, stream: BinaryIO, header: list[str], schema: PersonalizeSchema
) -> Iterator[pa.RecordBatch]:
    # open_csv already parses the first block, so it fails the same way read_next_batch does.
    try:
        reader = pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(column_names=header, block_size=_BLOCK_SIZE),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={column: pa.string() for column in header},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except pa.ArrowInvalid as error:
        if "Empty CSV file" in str(error):  # a header and no records
            return
        raise _parse_failure(source, error) from None
    first_record = 1
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as error:
            raise _parse_failure(source, error) from None
        columns = [
            _convert_column(source, first_record, schema_field, batch.column(header.index(schema_field.name)))
            for schema_field in schema.fields
        ]
        yield pa.RecordBatch.from_arrays(columns, schema=arrow_schema(schema))
        first_record += batch.num_rows


def _convert_column(source: str, first_record: int, schema_field: SchemaField, raw: pa.Array) -> pa.Array:
    """Check one block of one column (read as strings, empty = null) and convert it to the field's type."""

    def fail_at(mask: pa.Array | np.ndarray, rule: str) -> ImportDataError:
        index = int(np.flatnonzero(np.asarray(mask, dtype=bool))[0])
        value = raw[index].as_py()
        shown = "an empty value" if value is None else f"value {_clip(value)!r}"
        return ImportDataError(
            f"Record {first_record + index} of {source} has {shown} in column {schema_field.name}: {rule}"
        )

    if raw.null_count and not schema_field.nullable:
        raise fail_at(raw.is_null(), "the schema does not allow null values for this field.")
    if schema_field.type == "string":
        # Arrow accepts a quoted line break even when told values have none; AWS does not.
        line_break = pc.match_substring(raw, "\n")
        if pc.any(line_break).as_py():
            raise fail_at(pc.fill_null(line_break, False), "each record must be on a single line.")
        _check_lengths(schema_field, raw)
        return raw
    if schema_field.type == "boolean":
        valid = pc.or_(pc.is_in(raw, value_set=pa.array(["true", "false"])), pc.is_null(raw))
        if not pc.all(valid).as_py():
            raise fail_at(pc.invert(valid), "boolean values must be lower-case true or false.")
        return pc.equal(raw, "true")
    converted = _cast_number(raw, schema_field, fail_at)
    if schema_field.type == "int":
        _check_range(converted, _INT32_RANGE, fail_at, "the value is out of range for type int.")
        converted = converted.cast(pa.int32())
    if schema_field.name in TIMESTAMP_FIELDS:
        _check_range(
            converted,
            (0, MAX_EPOCH_SECONDS),
            fail_at,
            "timestamps must be in Unix epoch time format, in seconds.",
        )
    return converted


def _cast_number(raw: pa.Array, schema_field: SchemaField, fail_at: _FailAt) -> pa.Array:
    """Cast a string column to the field's number type; on failure find the first value that broke it."""
    target = pa.int64() if schema_field.type in ("int", "long") else ARROW_TYPES[schema_field.type]
    try:
        return pc.cast(raw, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    parse = int if target == pa.int64() else float
    bad = np.zeros(len(raw), dtype=bool)
    for index, value in enumerate(raw.to_pylist()):
        if value is None:
            continue
        try:
            number = parse(value)
        except ValueError:
            bad[index] = True
            break
        if parse is int and not -(2**63) <= number < 2**63:
            bad[index] = True
            break
    if not bad.any():  # Python accepts something Arrow does not (e.g. "1_000"); report the first such value
        bad[:] = pc.is_valid(raw).to_numpy(zero_copy_only=False)
    raise fail_at(bad, f"the value is not a valid {schema_field.type}.")


def _check_range(converted: pa.Array, bounds: tuple[int, int], fail_at: _FailAt, rule: str) -> None:
    minmax = pc.min_max(converted)
    low, high = minmax["min"].as_py(), minmax["max"].as_py()
    if low is None or (low >= bounds[0] and high <= bounds[1]):
        return
    outside = pc.fill_null(pc.or_(pc.less(converted, bounds[0]), pc.greater(converted, bounds[1])), False)
    raise fail_at(outside, rule)


def _check_lengths(schema_field: SchemaField, raw: pa.Array) -> None:
    if schema_field.name in ID_FIELD_NAMES:
        limit, values = MAX_ID_CHARS, raw
    elif schema_field.categorical:
        limit, values = MAX_CATEGORICAL_VALUE_CHARS, raw
    else:
        return
    longest = pc.max(pc.utf8_length(values)).as_py()
    if longest is None or longest <= limit:
        return
    if schema_field.categorical:  # the limit is per |-separated value, so look closer
        longest = pc.max(pc.utf8_length(pc.list_flatten(pc.split_pattern(values, "|")))).as_py()
        if longest <= limit:
            return
    raise ImportDataError(
        f"Length cannot be more than {limit} characters for {schema_field.name}. If no values exceed the"
        " character limit, make sure your data follows the formatting guidelines listed in"
        f" {_FORMATTING_GUIDE}."
    )


def _read_header(source: str, stream: BinaryIO) -> list[str]:
    """Consume and parse the header line, which AWS wants as plain, unquoted field names."""
    line = stream.readline(_MAX_HEADER_BYTES)
    if not line.strip():
        raise ImportDataError(f"{source} is empty: the first row of a CSV file must contain column headers.")
    if not line.endswith(b"\n") and len(line) >= _MAX_HEADER_BYTES:
        raise ImportDataError(f"The header row of {source} is longer than {_MAX_HEADER_BYTES} bytes.")
    if line.startswith(_BYTE_ORDER_MARK):
        raise ImportDataError(
            f"{source} starts with a UTF-8 byte order mark: save the file as UTF-8 without one, so that its"
            " first column's name is read as written."
        )
    try:
        text = line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise ImportDataError(f"{source} is not UTF-8 encoded.") from None
    header = text.split(",")
    if any('"' in column or "'" in column for column in header):
        raise ImportDataError(f"Column headers must not be enclosed in quotation marks: {text}")
    return [column.strip() for column in header]


def _as_stream(content: Content) -> BinaryIO:
    if isinstance(content, bytes | bytearray | memoryview):
        return io.BytesIO(content)
    if hasattr(content, "read"):  # mypy cannot narrow a union on hasattr
        return io.BufferedReader(_FileLikeRaw(content))  # type: ignore[arg-type]
    return io.BufferedReader(_ChunksRaw(iter(content)))


class _FileLikeRaw(io.RawIOBase):
    """Any object with ``read(n)`` (an S3 StreamingBody has no ``readinto``) as a raw stream."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _ChunksRaw(io.RawIOBase):
    """An iterator of byte chunks as a raw stream."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _clip(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit] + "..."


def _parse_failure(source: str, error: Exception) -> ImportDataError:
    """Arrow's CSV parse errors (wrong column count, bad UTF-8) are clear; keep them, naming the file."""
    detail = str(error).removeprefix("CSV parse error: ")
    return ImportDataError(
        f"Could not parse {source}: {detail}. Make sure each record is on a single line and has a value"
        " for every column."
    )
