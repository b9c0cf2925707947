"""An Airflow test environment for the whole suite.

Airflow reads its configuration when first imported, so the environment is set here, at conftest import
time, before any test module imports airflow: a private AIRFLOW_HOME (a fresh sqlite database, no
examples, unit test mode), shared by this process and the ``airflow`` CLI processes tests start.
The database is migrated once per session, by the ``airflow_db`` fixture, for the tests that need one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="airflow-provider-personalize-tests-"))
DAGS_FOLDER = AIRFLOW_HOME / "dags"
DAGS_FOLDER.mkdir()
os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}",
    }
)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """The suite's Airflow database, migrated on first use; returns AIRFLOW_HOME."""
    from airflow.utils import db

    db.initdb()
    return AIRFLOW_HOME


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture
def dags_folder() -> Iterator[Path]:
    """The DAGs folder of AIRFLOW_HOME, emptied after the test."""
    yield DAGS_FOLDER
    for path in DAGS_FOLDER.iterdir():
        if path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)
