"""The records a Personalize dataset holds, kept as AWS describes: imports, events, exports, deletions.

A :class:`DatasetRecords` holds two Arrow tables of the dataset's schema fields:

- **bulk** data, written by dataset import jobs. A FULL import replaces it; an INCREMENTAL import appends
  to it, and for Items, Users and Actions a record replaces the bulk record with the same id. The first
  import into a dataset must be FULL (:meth:`DatasetRecords.import_mode_problem`).
- **PUT** data, written by personalize-events PutEvents / PutItems / PutUsers / PutActions /
  PutActionInteractions. Imports never touch it; PutItems, PutUsers and PutActions replace the PUT record with
  the same id.

Exports follow CreateDatasetExportJob's ``ingestionMode``: BULK, PUT, or ALL (both; for datasets keyed by
id, the newest record per id wins, whichever side it came from): :func:`csv_chunks` of those records.
A data deletion job removes every record of the given users from both sides (:func:`delete_users`).
Training reads a :class:`TrainingData` snapshot (:func:`training_snapshot`): the ALL view at the moment
training starts. Arrow tables are immutable, so a snapshot costs nothing and later imports, events or
deletions leave it as it was.

Every write is stamped with an increasing sequence number in a hidden column, which is how "newest"
is decided; the column never leaves this module.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .avro import ID_FIELDS, PersonalizeSchema
from .datafiles import arrow_schema

ImportMode = Literal["FULL", "INCREMENTAL"]
IngestionMode = Literal["BULK", "PUT", "ALL"]

_SEQUENCE = "__write_sequence"
_EXPORT_ROWS_PER_CHUNK = 65_536
FIRST_IMPORT_MUST_BE_FULL = (
    "The first import into a dataset must use FULL import mode; INCREMENTAL imports add to existing data."
)

_sequence_lock = threading.Lock()
_next_sequence = 1


def _reserve_sequence(count: int) -> np.ndarray:
    """``count`` fresh, increasing sequence numbers, unique across every dataset of the process."""
    global _next_sequence
    with _sequence_lock:
        start = _next_sequence
        _next_sequence += count
    return np.arange(start, start + count, dtype=np.int64)


class DatasetRecords:
    """Bulk and PUT records of one dataset; see the module docstring for the rules."""

    def __init__(self, schema: PersonalizeSchema, dataset_type: str) -> None:
        self.schema = schema
        self.dataset_type = dataset_type
        self.id_field = ID_FIELDS.get(dataset_type)  # None for interaction datasets: records append
        self._stored_schema = arrow_schema(schema).append(pa.field(_SEQUENCE, pa.int64()))
        self._bulk = self._stored_schema.empty_table()
        self._put = self._stored_schema.empty_table()
        self.has_imported = False

    def import_mode_problem(self, mode: ImportMode) -> str | None:
        """Why an import in ``mode`` cannot start now (a CreateDatasetImportJob error), or None."""
        if mode == "INCREMENTAL" and not self.has_imported:
            return FIRST_IMPORT_MUST_BE_FULL
        return None

    def apply_import(self, records: pa.Table, mode: ImportMode) -> None:
        """Store what an import job read (a table from :func:`.datafiles.read_import_data`)."""
        stamped = self._stamp(records)
        if mode == "FULL":
            self._bulk = self._upsert(self._stored_schema.empty_table(), stamped)
        else:
            self._bulk = self._upsert(self._bulk, stamped)
        self.has_imported = True

    def put_records(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Store records sent individually; keys are schema field names (see :func:`event_record` & co)."""
        missing = {
            schema_field.name
            for schema_field in self.schema.fields
            if not schema_field.nullable
            for record in records
            if record.get(schema_field.name) is None
        }
        if missing:
            raise ValueError(
                f"Records are missing values for required fields: [{', '.join(sorted(missing))}]"
            )
        try:
            table = pa.Table.from_pylist(list(records), schema=arrow_schema(self.schema))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
            raise ValueError(f"Records do not match the dataset's schema: {error}") from None
        self._put = self._upsert(self._put, self._stamp(table))

    def records(self, mode: IngestionMode = "ALL") -> pa.Table:
        """The dataset's records for an ingestion mode, as a table of the schema's fields."""
        if mode == "BULK":
            chosen = self._bulk
        elif mode == "PUT":
            chosen = self._put
        else:
            chosen = self._upsert(self._bulk, self._put)
        return chosen.drop_columns([_SEQUENCE])

    def items_of_user(self, user_id: str) -> set[str]:
        """ITEM_IDs the user interacted with, in bulk and PUT data (for "exclude what they already saw")."""
        if "USER_ID" not in self.schema.names or "ITEM_ID" not in self.schema.names:
            return set()
        items = set()
        for table in (self._bulk, self._put):
            items.update(table["ITEM_ID"].filter(pc.equal(table["USER_ID"], user_id)).to_pylist())
        return items

    def remove_users(self, user_ids: pa.Array) -> set[str]:
        """Remove every record of ``user_ids`` from bulk and PUT data; return the ids that had records."""
        if "USER_ID" not in self.schema.names:
            return set()
        removed: set[str] = set()
        for side in ("_bulk", "_put"):
            table: pa.Table = getattr(self, side)
            doomed = pc.is_in(table["USER_ID"], value_set=user_ids)
            removed.update(pc.unique(table["USER_ID"].filter(doomed)).to_pylist())
            setattr(self, side, table.filter(pc.invert(doomed)))
        return removed

    def _stamp(self, records: pa.Table) -> pa.Table:
        sequence = pa.array(_reserve_sequence(records.num_rows))
        return records.select(list(self.schema.names)).append_column(_SEQUENCE, sequence)

    def _upsert(self, older: pa.Table, newer: pa.Table) -> pa.Table:
        """``older`` then ``newer``; for datasets keyed by id, only the latest-written record per id."""
        combined = pa.concat_tables([older, newer])
        if self.id_field is None or combined.num_rows == 0:
            return combined
        latest = combined.group_by(self.id_field, use_threads=False).aggregate([(_SEQUENCE, "max")])
        keep = pc.is_in(combined[_SEQUENCE], value_set=latest[f"{_SEQUENCE}_max"])
        return combined.filter(keep).sort_by(_SEQUENCE)


def csv_chunks(records: pa.Table) -> Iterator[bytes]:
    """CSV for an export job: an unquoted header of the columns, then the records, in chunks."""
    yield (",".join(records.column_names) + "\n").encode()
    for batch in records.to_batches(max_chunksize=_EXPORT_ROWS_PER_CHUNK):
        # Arrow's "needed" style quotes every string; quote only batches whose values need it.
        quoting = "needed" if _needs_quoting(batch) else "none"
        options = pa_csv.WriteOptions(include_header=False, quoting_style=quoting)
        buffer = io.BytesIO()
        pa_csv.write_csv(batch, buffer, write_options=options)
        yield buffer.getvalue()


def _needs_quoting(batch: pa.RecordBatch) -> bool:
    return any(
        pc.any(pc.match_substring_regex(column, r'[,"\r\n]')).as_py()
        for column in batch.columns
        if pa.types.is_string(column.type)
    )


def delete_users(datasets: Iterable[DatasetRecords], user_ids: pa.Array | Collection[str]) -> int:
    """Run a data deletion job over a dataset group's datasets; return how many of the users had data.

    ``user_ids`` may be the array :func:`.datafiles.read_deletion_user_ids` returns.
    """
    ids = user_ids if isinstance(user_ids, pa.Array) else pa.array(list(user_ids), pa.string())
    removed: set[str] = set()
    for dataset in datasets:
        removed |= dataset.remove_users(ids)
    return len(removed)


@dataclass(frozen=True)
class TrainingData:
    """A dataset group's data as training sees it: each table is the ALL view, or None without one; the
    Items schema says which item columns are categorical, textual or reserved."""

    interactions: pa.Table | None
    items: pa.Table | None = None
    users: pa.Table | None = None
    items_schema: PersonalizeSchema | None = None


def training_snapshot(
    interactions: DatasetRecords | None,
    items: DatasetRecords | None = None,
    users: DatasetRecords | None = None,
) -> TrainingData:
    interactions_table, items_table, users_table = (
        dataset.records("ALL") if dataset else None for dataset in (interactions, items, users)
    )
    return TrainingData(
        interactions_table, items_table, users_table, items_schema=items.schema if items else None
    )


# personalize-events requests -> records keyed by schema field names.


def event_record(user_id: str, event: Mapping[str, Any], schema: PersonalizeSchema) -> dict[str, Any]:
    """One PutEvents ``eventList`` entry (API member names) as an Interactions record."""
    record: dict[str, Any] = {
        "USER_ID": user_id,
        "ITEM_ID": event.get("itemId"),
        "TIMESTAMP": _epoch_seconds(event["sentAt"]),
        "EVENT_TYPE": event.get("eventType"),
        "EVENT_VALUE": event.get("eventValue"),
        "RECOMMENDATION_ID": event.get("recommendationId"),
        "IMPRESSION": "|".join(event["impression"]) if event.get("impression") else None,
        "EVENT_ATTRIBUTION_SOURCE": (event.get("metricAttribution") or {}).get("eventAttributionSource"),
    }
    record.update(_properties(event.get("properties"), schema))
    return {name: value for name, value in record.items() if name in schema.names}


def item_record(item: Mapping[str, Any], schema: PersonalizeSchema) -> dict[str, Any]:
    """One PutItems ``items`` entry as an Items record."""
    return {"ITEM_ID": item["itemId"], **_properties(item.get("properties"), schema)}


def user_record(user: Mapping[str, Any], schema: PersonalizeSchema) -> dict[str, Any]:
    """One PutUsers ``users`` entry as a Users record."""
    return {"USER_ID": user["userId"], **_properties(user.get("properties"), schema)}


def action_record(action: Mapping[str, Any], schema: PersonalizeSchema) -> dict[str, Any]:
    """One PutActions ``actions`` entry as an Actions record."""
    return {"ACTION_ID": action["actionId"], **_properties(action.get("properties"), schema)}


def action_interaction_record(interaction: Mapping[str, Any], schema: PersonalizeSchema) -> dict[str, Any]:
    """One PutActionInteractions ``actionInteractions`` entry as an Action_Interactions record; a user
    without a userId is recorded under the sessionId, as PutEvents records anonymous users."""
    record: dict[str, Any] = {
        "USER_ID": interaction.get("userId") or interaction["sessionId"],
        "ACTION_ID": interaction["actionId"],
        "TIMESTAMP": _epoch_seconds(interaction["timestamp"]),
        "EVENT_TYPE": interaction["eventType"],
        "RECOMMENDATION_ID": interaction.get("recommendationId"),
        "IMPRESSION": "|".join(interaction["impression"]) if interaction.get("impression") else None,
    }
    record.update(_properties(interaction.get("properties"), schema))
    return {name: value for name, value in record.items() if name in schema.names}


def _properties(properties: str | Mapping[str, Any] | None, schema: PersonalizeSchema) -> dict[str, Any]:
    """Decode ``properties``: camelCase keys name schema fields (numberOfRatings: NUMBER_OF_RATINGS)."""
    if not properties:
        return {}
    decoded = json.loads(properties) if isinstance(properties, str) else properties
    record: dict[str, Any] = {}
    for key, value in decoded.items():
        name = "".join(f"_{char}" if char.isupper() else char.upper() for char in key).lstrip("_")
        schema_field = schema.field(name)
        if schema_field is None:
            raise ValueError(
                f"Property {key} does not match a field in the schema (expected a field {name})."
            )
        record[name] = _convert_property(value, schema_field.type)
    return record


def _convert_property(value: Any, field_type: str) -> Any:
    if value is None:
        return None
    if field_type in ("int", "long"):
        return int(value)
    if field_type in ("float", "double"):
        return float(value)
    if field_type == "boolean":
        return value if isinstance(value, bool) else str(value) == "true"
    if isinstance(value, list):  # multi-value categorical properties may come as lists
        return "|".join(str(part) for part in value)
    return str(value)


def _epoch_seconds(sent_at: datetime | float | int | str) -> int:
    if isinstance(sent_at, datetime):
        return int(sent_at.timestamp())
    return int(float(sent_at))
