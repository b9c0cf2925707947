"""A production-shaped Airflow for the fan-out DAGs, started by the test: :func:`distributed_airflow`.

PostgreSQL (the metadata database) and Redis (Celery's broker) of their own (``services.py``); the
emulator over HTTP, with an account quota of as many dataset groups as the test runs (an approved Service
Quotas increase: AWS's default is 5) and moto's request recorder pointed at a file; then Airflow with the
CeleryExecutor: scheduler, dag-processor, api-server, two triggerers and two Celery workers, each an
``airflow`` process of its own, with the imports' pool created as the README says.

The DAGs folder holds the fan-out DAGs and what they import, nothing else, so that the dag-processor
parses only them. Settings are tuned for a 2-core machine and for recovering from a lost process in
seconds rather than minutes (``distributed_settings``).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

from personalize_emulator.harness.pytest_plugin import PersonalizeEmulatorServer, start_emulator_server

from demo.deployment import AirflowDeployment
from demo.run_demo import airflow_settings, prepare_aws
from tests.distributed.measures import Recording
from tests.distributed.services import postgres, redis
from tests.fanout import FANOUT_DAGS

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"
WORKER_CONCURRENCY = 4
TRIGGERERS = ("triggerer-a", "triggerer-b")
WORKERS = ("worker-a", "worker-b")


def distributed_settings(database_url: str, broker_url: str) -> dict[str, str]:
    """Airflow on PostgreSQL and Celery, lean for a 2-core machine, recovering from a loss in seconds."""
    return {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + database_url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
        # No more tasks queued than the workers run: a queued task waits for a worker, not behind others.
        "AIRFLOW__CORE__PARALLELISM": str(len(WORKERS) * WORKER_CONCURRENCY),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "64",
        "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "5",
        "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
        # The DAG files do not change during the test: one parsing process, and a file parsed again after
        # 10 minutes instead of 30 s (at 30 s, re-parsing the same two files cost the dag-processor as
        # much CPU as a Celery worker running its tasks).
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
        # Recovery: a dead worker's tasks are failed, then retried, after 30 s without a heartbeat (default
        # 300), a dead triggerer's triggers move to the live one after 10 s (default 30), and a task the dead
        # worker had taken from the queue without starting it is queued again after 60 s (default 600).
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "60",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "10",
        "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
    }


@dataclass
class Distributed:
    airflow: AirflowDeployment
    emulator: PersonalizeEmulatorServer
    database_dsn: str
    first_triggerer_job: int
    recording: Recording
    figures: dict[str, Any] = field(default_factory=dict)

    def triggers_held_by_first_triggerer(self) -> int:
        sql = "SELECT count(*) FROM trigger WHERE triggerer_id = %s"
        return query(self.database_dsn, sql, self.first_triggerer_job)[0][0]

    def tasks_running_in(self, dag_id: str, pids: list[int]) -> list[str]:
        """The task instances of ``dag_id`` running in one of ``pids`` (a task instance records the pid of
        its task process), as ``task_id[map_index]``."""
        sql = (
            "SELECT task_id, map_index FROM task_instance"
            " WHERE dag_id = %s AND state = 'running' AND pid = ANY(%s)"
        )
        return sorted(
            f"{task_id}[{map_index}]" for task_id, map_index in query(self.database_dsn, sql, dag_id, pids)
        )

    def retried_tasks(self, dag_id: str) -> dict[str, int]:
        """The task instances of ``dag_id`` tried more than once (``task_id[map_index]``: tries)."""
        sql = "SELECT task_id, map_index, try_number FROM task_instance WHERE dag_id = %s AND try_number > 1"
        rows = query(self.database_dsn, sql, dag_id)
        return {f"{task_id}[{map_index}]": tries for task_id, map_index, tries in sorted(rows)}


def query(database_dsn: str, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    """Rows of a query on Airflow's metadata database."""
    import psycopg2

    with psycopg2.connect(database_dsn) as connection, connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def running_triggerer_jobs(database_dsn: str) -> set[int]:
    return {
        row[0]
        for row in query(
            database_dsn, "SELECT id FROM job WHERE job_type = 'TriggererJob' AND state = 'running'"
        )
    }


def fanout_dags_folder(folder: Path) -> Path:
    """A DAGs folder with the fan-out DAGs, the module they share and its schemas."""
    folder.mkdir()
    for dag_id in FANOUT_DAGS:
        shutil.copy(EXAMPLE_DAGS / f"{dag_id}.py", folder)
    shutil.copy(EXAMPLE_DAGS / "personalize_example_common.py", folder)
    shutil.copytree(EXAMPLE_DAGS / "schemas", folder / "schemas")
    return folder


@contextmanager
def distributed_airflow(workdir: Path, dataset_groups: int, step_seconds: float) -> Iterator[Distributed]:
    """The deployment, serving, for the fan-out DAGs over ``dataset_groups`` groups, the emulator's status
    steps lasting ``step_seconds``; stopped, with everything it started, on every path."""
    started = time.monotonic()
    recording_path = workdir / "emulator-recording.jsonl"
    # The emulator reads these as it starts (its process inherits this environment).
    emulator_settings = {
        "PERSONALIZE_EMULATOR_APPLIED_QUOTAS": json.dumps({"DatasetGroup": dataset_groups}),
        "MOTO_RECORDER_FILEPATH": str(recording_path),
    }
    with postgres() as database, redis() as broker_url, patch.dict(os.environ, emulator_settings):
        emulator = start_emulator_server(step_seconds)
        airflow = None
        try:
            home = workdir / "airflow"
            airflow = AirflowDeployment(
                home=home,
                dags_folder=fanout_dags_folder(workdir / "dags"),
                extra_env={
                    **airflow_settings(emulator, prepare_aws(emulator), home),
                    "AIRFLOW__CORE__DAGS_FOLDER": str(workdir / "dags"),
                    **distributed_settings(database.url, broker_url),
                },
            )
            airflow.migrate()
            airflow.airflow(
                "pools", "set", "personalize_import_jobs", "5", "Personalize imports", "--include-deferred"
            )
            airflow.start(("scheduler", "dag-processor", "api-server"), wait=False)
            # The first triggerer alone, to know its job: the triggers it holds carry that job's id.
            airflow.start_process(TRIGGERERS[0], "triggerer", "--skip-serve-logs")
            airflow.wait_until(lambda: len(running_triggerer_jobs(database.dsn)) == 1, timeout=120)
            (first_triggerer_job,) = running_triggerer_jobs(database.dsn)
            airflow.start_process(TRIGGERERS[1], "triggerer", "--skip-serve-logs")
            for worker in WORKERS:
                airflow.start_process(
                    worker, "celery", "worker", "--celery-hostname", f"{worker}@%h", "--skip-serve-logs"
                )
            airflow.wait_until_serving()
            yield Distributed(
                airflow=airflow,
                emulator=emulator,
                database_dsn=database.dsn,
                first_triggerer_job=first_triggerer_job,
                recording=Recording(emulator, recording_path),
                figures={"setup_seconds": round(time.monotonic() - started)},
            )
        finally:
            if airflow is not None:
                airflow.stop()
            emulator.stop()
