"""Integration fixtures: the test DAGs installed in the DAGs folder, and the emulator's S3 data."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from demo.run_demo import trust_policy

DAG_FILE = Path(__file__).parent / "dags" / "personalize_it_dags.py"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a test of an ``xdist_group`` that pytest-xdist's ``--dist loadgroup`` did not group (its node
    id carries no ``@group``): pytest-xdist 3.8 on pytest 9.2 distributes such tests as if unmarked
    (pytest-dev/pytest-xdist#1386), and a module-scoped fixture meant to be set up once would then be set
    up on every worker."""
    grouping = getattr(item.config.option, "loadgroup", False)  # set in pytest-xdist's workers
    if grouping and item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
        pytest.fail("pytest-xdist's --dist loadgroup did not group this test (pytest-dev/pytest-xdist#1386)")


@pytest.fixture
def install_dags(
    airflow_db, dags_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Path], ModuleType]:
    """``install_dags(dag_file)``: the DAG file's module, loaded from the DAGs folder (``dag.test()`` syncs
    the DAG from there). The folder is on ``sys.path``, as when Airflow parses it, so that DAG files can
    import each other."""
    monkeypatch.syspath_prepend(str(dags_folder))

    def install(dag_file: Path) -> ModuleType:
        installed = dags_folder / dag_file.name
        shutil.copy(dag_file, installed)
        spec = importlib.util.spec_from_file_location(installed.stem, installed)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return install


@pytest.fixture
def it_dags(install_dags: Callable[[Path], ModuleType]) -> ModuleType:
    """The test DAGs' module, loaded from the DAGs folder."""
    return install_dags(DAG_FILE)


# 30 users x 40 items: enough for training (1000 interactions, 25 users with 2 or more).
INTERACTIONS = [
    (f"user{user}", f"item{item}", 1767225600 + 100 * user + item) for user in range(30) for item in range(40)
]
INTERACTIONS_CSV = "USER_ID,ITEM_ID,TIMESTAMP\n" + "".join(f"{u},{i},{t}\n" for u, i, t in INTERACTIONS)
ECOMMERCE_INTERACTIONS_CSV = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n" + "".join(
    f"{u},{i},{t},View\n" for u, i, t in INTERACTIONS
)


@pytest.fixture
def personalize(it_dags: ModuleType, personalize_aws_conn_id: str, personalize_emulator_clean):
    """The emulator's Personalize client, with the pipeline's role (which Personalize may assume) and
    its bucket holding the input files."""
    personalize_emulator_clean.client("iam").create_role(
        RoleName=it_dags.ROLE_ARN.rpartition("/")[2],
        AssumeRolePolicyDocument=trust_policy(),
    )
    s3 = personalize_emulator_clean.client("s3")
    s3.create_bucket(Bucket=it_dags.BUCKET)
    s3.put_object(Bucket=it_dags.BUCKET, Key="interactions.csv", Body=INTERACTIONS_CSV.encode())
    s3.put_object(
        Bucket=it_dags.BUCKET, Key="ecommerce-interactions.csv", Body=ECOMMERCE_INTERACTIONS_CSV.encode()
    )
    s3.put_object(Bucket=it_dags.BUCKET, Key="deletion-requests.csv", Body=b"USER_ID\nuser1\nuser2\n")
    s3.put_object(Bucket=it_dags.BUCKET, Key="batch-input/users.jsonl", Body=b'{"userId": "user1"}\n')
    s3.put_object(Bucket=it_dags.BUCKET, Key="batch-input/items.jsonl", Body=b'{"itemId": "item1"}\n')
    return personalize_emulator_clean.client("personalize")


@pytest.fixture
def airflow_cli() -> Callable[..., str]:
    """Run the ``airflow`` CLI in a process of its own, as a user does; returns its output.

    The environment is this test's (its AIRFLOW_HOME and connections) unless ``env`` is given; a non-zero
    exit fails the test with the end of the output.
    """

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
        completed = subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=os.environ.copy() if env is None else env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = completed.stdout + completed.stderr
        assert completed.returncode == 0, (
            f"airflow {' '.join(args)} exited {completed.returncode}:\n{output[-6000:]}"
        )
        return output

    return run
