"""An Airflow test environment for the whole suite.

Airflow reads its configuration when first imported, so the environment is set here, at conftest import
time, before any test module imports airflow: a private AIRFLOW_HOME per test process (a sqlite database,
no examples, unit test mode), shared by this process and the ``airflow`` CLI processes its tests start.
With pytest-xdist each worker is such a process, with its own AIRFLOW_HOME and its own emulator server
(the emulator plugin's session fixture).

The database is migrated once per test run, by whichever process needs it first: that migration is the
template every process's database, and every private AIRFLOW_HOME a test sets up (``airflow_home_copy``),
starts as a copy of (migrating a sqlite database costs seconds; copying it, milliseconds).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from filelock import FileLock

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="airflow-provider-personalize-tests-"))
DAGS_FOLDER = AIRFLOW_HOME / "dags"
DAGS_FOLDER.mkdir()
DATABASE_FILE = "airflow.db"
os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / DATABASE_FILE}",
    }
)


def copy_database(source: Path, target: Path) -> None:
    """Copy a sqlite database with sqlite's backup API: a consistent copy, even into a file that a
    connection (Airflow's engine) already has open."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as read, closing(sqlite3.connect(target)) as write:
        read.backup(write)


@pytest.fixture(scope="session")
def airflow_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sqlite database migrated by Airflow once per test run, shared by every xdist worker of the run
    (they share the parent of their base temporary directories); copy it, never open it."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    template = shared / "airflow-migrated.db"
    with FileLock(f"{template}.lock"):
        if not template.exists():
            from airflow.utils import db

            db.initdb()  # this process's own database, then copied as the template
            copy_database(AIRFLOW_HOME / DATABASE_FILE, template)
    return template


@pytest.fixture(scope="session")
def airflow_db(airflow_db_template: Path) -> Path:
    """This process's Airflow database, migrated (a copy of the run's template); returns AIRFLOW_HOME."""
    copy_database(airflow_db_template, AIRFLOW_HOME / DATABASE_FILE)
    return AIRFLOW_HOME


@pytest.fixture(scope="session")
def airflow_home_copy(airflow_db_template: Path) -> Callable[[Path], Path]:
    """``airflow_home_copy(home)``: ``home`` made an AIRFLOW_HOME with a migrated database
    (``home/airflow.db``, a copy of the run's template), for Airflow processes of a test's own; returns
    the database file."""

    def copy(home: Path) -> Path:
        database = home / DATABASE_FILE
        copy_database(airflow_db_template, database)
        return database

    return copy


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


def empty_dags_folder() -> None:
    for path in DAGS_FOLDER.iterdir():
        if path.is_file():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def dags_folder() -> Iterator[Path]:
    """The DAGs folder of AIRFLOW_HOME, emptied after the test."""
    yield DAGS_FOLDER
    empty_dags_folder()


@pytest.fixture(scope="module")
def module_dags_folder() -> Iterator[Path]:
    """The DAGs folder of AIRFLOW_HOME, emptied after the module (for a module-scoped fixture's DAGs)."""
    yield DAGS_FOLDER
    empty_dags_folder()
