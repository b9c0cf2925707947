"""Deterministic synthetic Personalize data: users, items, interactions, daily increments, deletion lists.

The data has the structure recommenders exploit, so that a personalised model measurably beats popularity:

- items belong to one of ``categories`` categories; item popularity follows a power law (weight
  ``1 / rank ** 0.8``) globally and within each category;
- each user has two favourite categories: most of their interactions (``taste_strength``) pick an item of a
  favourite category, the rest follow global popularity;
- user activity is itself skewed (a few heavy users, many light ones), timestamps are epoch seconds spread
  uniformly over ``days`` days from ``start``, and events are ``click`` or, one time in seven, ``purchase``.

Same arguments, same bytes: everything derives from ``numpy.random.default_rng(seed)``.

:func:`generate` returns CSV bytes and the matching Avro schemas; the ``personalize-synthetic-data`` CLI
writes them to a directory or to S3 (``--s3-uri s3://bucket/prefix [--endpoint-url http://...]``)::

    interactions.csv  items.csv  users.csv  schemas/{interactions,items,users}.json
    increments/interactions-day-001.csv ...   (--increments N: one file per day after the main range)
    deletions.csv                             (--delete-users N: a single USER_ID column)
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

SECONDS_PER_DAY = 86_400
# Item popularity ~ 1 / rank**0.8: steep enough to be a power law, flat enough that tastes matter.
POPULARITY_EXPONENT = 0.8
EVENT_TYPES = ("click", "purchase")
MEMBERSHIPS = ("free", "plus", "premium")


def _record_schema(name: str, *fields: dict[str, object]) -> dict[str, object]:
    """A Personalize schema as the developer guide writes them."""
    namespace = "com.amazonaws.personalize.schema"
    return {"type": "record", "name": name, "namespace": namespace, "fields": list(fields), "version": "1.0"}


INTERACTIONS_SCHEMA = _record_schema(
    "Interactions",
    {"name": "USER_ID", "type": "string"},
    {"name": "ITEM_ID", "type": "string"},
    {"name": "TIMESTAMP", "type": "long"},
    {"name": "EVENT_TYPE", "type": "string"},
)
ITEMS_SCHEMA = _record_schema(
    "Items",
    {"name": "ITEM_ID", "type": "string"},
    {"name": "CATEGORY", "type": "string", "categorical": True},
    {"name": "PRICE", "type": "float"},
    {"name": "CREATION_TIMESTAMP", "type": "long"},
)
USERS_SCHEMA = _record_schema(
    "Users",
    {"name": "USER_ID", "type": "string"},
    {"name": "MEMBERSHIP", "type": "string", "categorical": True},
)


@dataclass(frozen=True)
class SyntheticDataset:
    interactions_csv: bytes
    items_csv: bytes
    users_csv: bytes
    # One interactions file per day after the main date range, oldest first.
    increments: tuple[bytes, ...] = ()
    # A data deletion job input (USER_ID column), or None when no deletions were asked for.
    deletions_csv: bytes | None = None
    # Avro schema JSON by dataset type: "Interactions", "Items", "Users".
    schemas: dict[str, str] = field(
        default_factory=lambda: {
            "Interactions": json.dumps(INTERACTIONS_SCHEMA),
            "Items": json.dumps(ITEMS_SCHEMA),
            "Users": json.dumps(USERS_SCHEMA),
        }
    )

    def files(self) -> dict[str, bytes]:
        """Relative path -> content, the layout the CLI writes."""
        files = {
            "interactions.csv": self.interactions_csv,
            "items.csv": self.items_csv,
            "users.csv": self.users_csv,
            **{f"schemas/{kind.lower()}.json": text.encode() for kind, text in self.schemas.items()},
            **{
                f"increments/interactions-day-{day:03d}.csv": csv
                for day, csv in enumerate(self.increments, 1)
            },
        }
        if self.deletions_csv is not None:
            files["deletions.csv"] = self.deletions_csv
        return files


def user_id(index: int) -> str:
    return f"user-{index}"


def item_id(index: int) -> str:
    return f"item-{index}"


def generate(
    users: int = 1000,
    items: int = 500,
    interactions: int = 50_000,
    seed: int = 0,
    *,
    categories: int = 12,
    start: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    days: int = 90,
    taste_strength: float = 0.85,
    increments: int = 0,
    increment_interactions: int = 1000,
    deleted_users: int = 0,
) -> SyntheticDataset:
    """Generate a dataset; see the module docstring for its structure."""
    if min(users, items, interactions, categories, days) < 1:
        raise ValueError("users, items, interactions, categories and days must be at least 1")
    rng = np.random.default_rng(seed)
    world = _World.create(rng, users, items, categories, taste_strength)
    begin = int(start.timestamp())
    main = world.interactions(rng, interactions, begin, begin + days * SECONDS_PER_DAY)
    daily = []
    for day in range(increments):
        day_start = begin + (days + day) * SECONDS_PER_DAY
        daily.append(world.interactions(rng, increment_interactions, day_start, day_start + SECONDS_PER_DAY))
    deletions = None
    if deleted_users:
        chosen = np.sort(rng.choice(users, size=min(deleted_users, users), replace=False))
        deletions = _csv(pa.table({"USER_ID": [user_id(int(index)) for index in chosen]}))
    item_table = pa.table(
        {
            "ITEM_ID": world.item_ids,
            "CATEGORY": pa.array([f"category-{c}" for c in world.item_category]),
            "PRICE": pa.array(np.round(rng.uniform(1, 200, items), 2), pa.float32()),
            "CREATION_TIMESTAMP": rng.integers(begin - 365 * SECONDS_PER_DAY, begin, items),
        }
    )
    user_table = pa.table(
        {
            "USER_ID": world.user_ids,
            "MEMBERSHIP": pa.array(MEMBERSHIPS).take(pa.array(rng.choice(3, size=users, p=[0.6, 0.3, 0.1]))),
        }
    )
    return SyntheticDataset(
        interactions_csv=main,
        items_csv=_csv(item_table),
        users_csv=_csv(user_table),
        increments=tuple(daily),
        deletions_csv=deletions,
    )


@dataclass(frozen=True)
class _World:
    """The fixed part of the data: who likes what, and how popular everything is."""

    user_ids: pa.Array
    item_ids: pa.Array
    item_category: np.ndarray
    item_weight: np.ndarray  # global popularity, sums to 1
    user_weight: np.ndarray  # activity, sums to 1
    favourites: np.ndarray  # (users, 2) category indices
    category_items: list[np.ndarray]
    category_cdf: list[np.ndarray]
    taste_strength: float

    @classmethod
    def create(
        cls, rng: np.random.Generator, users: int, items: int, categories: int, taste: float
    ) -> _World:
        item_category = rng.integers(0, categories, items)
        item_weight = 1.0 / rng.permutation(np.arange(1, items + 1)) ** POPULARITY_EXPONENT
        item_weight /= item_weight.sum()
        user_weight = 1.0 / np.sqrt(rng.permutation(np.arange(1, users + 1)))
        user_weight /= user_weight.sum()
        favourites = np.argsort(rng.random((users, categories)), axis=1)[:, :2]
        category_items = [np.flatnonzero(item_category == c) for c in range(categories)]
        category_cdf = []
        for members in category_items:
            weights = np.cumsum(item_weight[members])
            category_cdf.append(weights / weights[-1] if len(members) else weights)
        return cls(
            user_ids=pa.array([user_id(i) for i in range(users)]),
            item_ids=pa.array([item_id(i) for i in range(items)]),
            item_category=item_category,
            item_weight=item_weight,
            user_weight=user_weight,
            favourites=favourites,
            category_items=category_items,
            category_cdf=category_cdf,
            taste_strength=min(max(taste, 0.0), 1.0),
        )

    def interactions(self, rng: np.random.Generator, count: int, begin: int, end: int) -> bytes:
        users = rng.choice(len(self.user_weight), size=count, p=self.user_weight)
        items = rng.choice(len(self.item_weight), size=count, p=self.item_weight)
        by_taste = rng.random(count) < self.taste_strength
        category = self.favourites[users, rng.integers(0, 2, count)]
        for index, members in enumerate(self.category_items):
            chosen = np.flatnonzero(by_taste & (category == index))
            if len(members) and len(chosen):
                picks = np.searchsorted(self.category_cdf[index], rng.random(len(chosen)))
                items[chosen] = members[np.minimum(picks, len(members) - 1)]
        timestamps = rng.integers(begin, end, count)
        order = np.argsort(timestamps, kind="stable")
        event_type = (rng.random(count) < 1 / 7).astype(np.int64)
        table = pa.table(
            {
                "USER_ID": self.user_ids.take(pa.array(users[order])),
                "ITEM_ID": self.item_ids.take(pa.array(items[order])),
                "TIMESTAMP": timestamps[order],
                "EVENT_TYPE": pa.array(EVENT_TYPES).take(pa.array(event_type[order])),
            }
        )
        return _csv(table)


def _csv(table: pa.Table) -> bytes:
    """CSV as AWS wants it: an unquoted header; values are plain ids, numbers and words, so no quoting."""
    buffer = io.BytesIO()
    buffer.write((",".join(table.column_names) + "\n").encode())
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    pa_csv.write_csv(table, buffer, write_options=options)
    return buffer.getvalue()


def write_to_directory(dataset: SyntheticDataset, directory: Path) -> list[str]:
    written = []
    for relative, content in dataset.files().items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(str(path))
    return written


def write_to_s3(dataset: SyntheticDataset, s3_uri: str, endpoint_url: str | None = None) -> list[str]:
    import boto3  # only the S3 mode needs it

    if not s3_uri.startswith("s3://"):
        raise ValueError(f"Not an s3:// URI: {s3_uri}")
    bucket, _, prefix = s3_uri.removeprefix("s3://").partition("/")
    prefix = prefix.strip("/")
    client = boto3.client("s3", endpoint_url=endpoint_url)
    written = []
    for relative, content in dataset.files().items():
        key = f"{prefix}/{relative}" if prefix else relative
        client.put_object(Bucket=bucket, Key=key, Body=content)
        written.append(f"s3://{bucket}/{key}")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="personalize-synthetic-data",
        description="Write a deterministic synthetic Amazon Personalize dataset (CSV files and schemas).",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--output-dir", type=Path, help="write the files under this local directory")
    target.add_argument("--s3-uri", help="write the files under this s3://bucket/prefix")
    parser.add_argument("--endpoint-url", help="S3 endpoint, e.g. the local emulator's http://127.0.0.1:5000")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--interactions", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--categories", type=int, default=12)
    parser.add_argument(
        "--start", type=_date, default=datetime(2024, 1, 1, tzinfo=UTC), help="YYYY-MM-DD (UTC)"
    )
    parser.add_argument("--days", type=int, default=90, help="length of the main date range")
    parser.add_argument("--increments", type=int, default=0, help="daily interaction files after the range")
    parser.add_argument(
        "--increment-interactions", type=int, default=1000, help="interactions per daily file"
    )
    parser.add_argument("--delete-users", type=int, default=0, help="users listed in deletions.csv")
    args = parser.parse_args(argv)
    try:
        dataset = generate(
            args.users,
            args.items,
            args.interactions,
            args.seed,
            categories=args.categories,
            start=args.start,
            days=args.days,
            increments=args.increments,
            increment_interactions=args.increment_interactions,
            deleted_users=args.delete_users,
        )
    except ValueError as error:
        parser.error(str(error))
    if args.output_dir is not None:
        written = write_to_directory(dataset, args.output_dir)
    else:
        written = write_to_s3(dataset, args.s3_uri, args.endpoint_url)
    for location in written:
        print(location)
    return 0


def _date(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)


if __name__ == "__main__":
    sys.exit(main())
