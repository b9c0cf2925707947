"""The synthetic data generator: deterministic, importable, structured; its CLI writes files or S3 objects."""

from collections import Counter
from datetime import UTC, datetime

import boto3
import numpy as np
from moto import mock_aws

from personalize_emulator.engine.avro import parse_schema, schema_problem_for_dataset_type
from personalize_emulator.engine.datafiles import read_deletion_user_ids, read_import_data
from personalize_emulator.engine.synthetic import generate, main

START = datetime(2024, 3, 1, tzinfo=UTC)


def imported(dataset, kind: str, content: bytes):
    schema = parse_schema(dataset.schemas[kind])
    assert schema_problem_for_dataset_type(schema, kind) is None
    return read_import_data([(kind, content)], schema)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_data():
    first, again = generate(50, 20, 500, seed=1), generate(50, 20, 500, seed=1)
    assert first == again
    assert generate(50, 20, 500, seed=2).interactions_csv != first.interactions_csv


def test_files_import_with_their_own_schemas_and_have_the_asked_sizes():
    dataset = generate(users=120, items=40, interactions=3000, seed=3, start=START, days=10)
    interactions = imported(dataset, "Interactions", dataset.interactions_csv)
    items = imported(dataset, "Items", dataset.items_csv)
    users = imported(dataset, "Users", dataset.users_csv)
    assert (interactions.num_rows, items.num_rows, users.num_rows) == (3000, 40, 120)
    timestamps = interactions.column("TIMESTAMP").to_numpy()
    assert START.timestamp() <= timestamps.min() and timestamps.max() < START.timestamp() + 10 * 86_400
    assert set(interactions.column("EVENT_TYPE").to_pylist()) == {"click", "purchase"}
    assert set(interactions.column("USER_ID").to_pylist()) <= set(users.column("USER_ID").to_pylist())
    assert set(interactions.column("ITEM_ID").to_pylist()) <= set(items.column("ITEM_ID").to_pylist())
    assert (items.column("CREATION_TIMESTAMP").to_numpy() < START.timestamp()).all()


def test_popularity_is_skewed_and_users_keep_to_their_favourite_categories():
    dataset = generate(users=300, items=300, interactions=30_000, seed=4)
    interactions = imported(dataset, "Interactions", dataset.interactions_csv)
    items = imported(dataset, "Items", dataset.items_csv)
    counts = np.array(sorted(Counter(interactions.column("ITEM_ID").to_pylist()).values(), reverse=True))
    assert counts[:30].sum() > 0.35 * counts.sum()  # the top tenth of the items
    category = dict(
        zip(items.column("ITEM_ID").to_pylist(), items.column("CATEGORY").to_pylist(), strict=True)
    )
    by_user: dict[str, Counter] = {}
    users, item_ids = interactions.column("USER_ID").to_pylist(), interactions.column("ITEM_ID").to_pylist()
    for user, item in zip(users, item_ids, strict=True):
        by_user.setdefault(user, Counter())[category[item]] += 1
    active = [tally for tally in by_user.values() if tally.total() >= 50]
    top_two_share = np.mean([sum(n for _, n in tally.most_common(2)) / tally.total() for tally in active])
    assert top_two_share > 0.7  # 2 of 12 categories would get a sixth by chance


def test_daily_increments_follow_the_main_range_and_deletions_list_existing_users():
    dataset = generate(
        80, 30, 2000, seed=5, start=START, days=7, increments=2, increment_interactions=100, deleted_users=4
    )
    end = START.timestamp() + 7 * 86_400
    for day, content in enumerate(dataset.increments):
        timestamps = imported(dataset, "Interactions", content).column("TIMESTAMP").to_numpy()
        assert len(timestamps) == 100
        assert (end + day * 86_400 <= timestamps).all() and (timestamps < end + (day + 1) * 86_400).all()
    assert dataset.deletions_csv is not None
    deleted = read_deletion_user_ids([("deletions.csv", dataset.deletions_csv)]).to_pylist()
    assert len(deleted) == 4
    assert set(deleted) <= {f"user-{n}" for n in range(80)}
    assert generate(80, 30, 2000, seed=5).deletions_csv is None


def test_cli_writes_the_layout_to_a_directory(tmp_path, capsys):
    sizes = [
        "--users",
        "30",
        "--items",
        "10",
        "--interactions",
        "200",
        "--increments",
        "1",
        "--delete-users",
        "2",
    ]
    assert main(["--output-dir", str(tmp_path), *sizes]) == 0
    written = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert written == [
        "deletions.csv",
        "increments/interactions-day-001.csv",
        "interactions.csv",
        "items.csv",
        "schemas/interactions.json",
        "schemas/items.json",
        "schemas/users.json",
        "users.csv",
    ]
    assert (tmp_path / "interactions.csv").read_bytes() == generate(
        30, 10, 200, increments=1
    ).interactions_csv
    assert str(tmp_path / "users.csv") in capsys.readouterr().out


def test_cli_writes_to_s3():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="data")
        assert (
            main(["--s3-uri", "s3://data/demo/", "--users", "30", "--items", "10", "--interactions", "200"])
            == 0
        )
        keys = sorted(entry["Key"] for entry in s3.list_objects_v2(Bucket="data")["Contents"])
        assert keys == [
            "demo/interactions.csv",
            "demo/items.csv",
            "demo/schemas/interactions.json",
            "demo/schemas/items.json",
            "demo/schemas/users.json",
            "demo/users.csv",
        ]
        body = s3.get_object(Bucket="data", Key="demo/interactions.csv")["Body"].read()
        assert body == generate(30, 10, 200).interactions_csv
