"""Integration fixtures: the test DAGs installed in the DAGs folder, and the emulator's S3 data."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

DAG_FILE = Path(__file__).parent / "dags" / "personalize_it_dags.py"


@pytest.fixture
def it_dags(airflow_db, dags_folder: Path) -> ModuleType:
    """The test DAGs' module, loaded from the DAGs folder (``dag.test()`` syncs the DAG from there)."""
    installed = dags_folder / DAG_FILE.name
    shutil.copy(DAG_FILE, installed)
    spec = importlib.util.spec_from_file_location(installed.stem, installed)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INTERACTIONS_CSV = "USER_ID,ITEM_ID,TIMESTAMP\n" + "".join(
    f"user{user},item{item},{1767225600 + 100 * user + item}\n" for user in range(30) for item in range(40)
)


@pytest.fixture
def personalize(it_dags: ModuleType, personalize_aws_conn_id: str, personalize_emulator_clean):
    """The emulator's Personalize client, with the test bucket holding the pipeline's input files."""
    s3 = personalize_emulator_clean.client("s3")
    s3.create_bucket(Bucket=it_dags.BUCKET)
    s3.put_object(Bucket=it_dags.BUCKET, Key="interactions.csv", Body=INTERACTIONS_CSV.encode())
    s3.put_object(Bucket=it_dags.BUCKET, Key="deletion-requests.csv", Body=b"USER_ID\nuser1\nuser2\n")
    s3.put_object(Bucket=it_dags.BUCKET, Key="batch-input/users.jsonl", Body=b'{"userId": "user1"}\n')
    s3.put_object(Bucket=it_dags.BUCKET, Key="batch-input/items.jsonl", Body=b'{"itemId": "item1"}\n')
    return personalize_emulator_clean.client("personalize")
