"""The nightly refresh DAG in a real Airflow deployment: scheduler, dag-processor, triggerer, api-server.

The emulator runs as its own HTTP server; the bootstrap DAG is run once with ``dag.test()`` in this
process (a user runs ``airflow dags test`` before scheduling the nightly DAG: the same code, tested as a
CLI in tests/integration/test_cli.py and ``make demo``); then the nightly DAG is unpaused and triggered
through the REST API, and its run is awaited and asserted through the REST API. Operators run
deferrable, so every wait is held by the triggerer process: the task logs prove it.

The bootstrap runs on fast emulated statuses; for the nightly run each status of what it waits on
lasts NIGHTLY_STEP_SECONDS, so that every wait outlives the worker process that deferred it: Airflow
3.3's LocalExecutor takes a few seconds to reap a worker after it defers, and a trigger that fires
sooner lets the resumed try start before the executor reports the first one finished, which the
scheduler then takes for a lost task (no real Personalize job is that fast).
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime
from pathlib import Path

import pytest
from personalize_emulator.harness.pytest_plugin import start_emulator_server

from demo.deployment import AirflowDeployment
from demo.run_demo import airflow_settings, prepare_aws, prepare_night
from tests.examples import load_example_dags, run_green

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

REPOSITORY = Path(__file__).resolve().parents[2]
DAG_ID = "personalize_nightly_refresh"
RUN_TIMEOUT_SECONDS = 420
NIGHTLY_STEP_SECONDS = 3.0
NIGHTLY_WAITS = (
    "dataset-import-job",
    "solution-version",
    "campaign",
    "dataset-export-job",
    "data-deletion-job",
)
# The connection's secret key, distinctive so that a leak cannot be mistaken for another string (the emulator
# takes any credentials): it must appear in no log the deployment writes.
SECRET_ACCESS_KEY = "e2eSecret" + secrets.token_hex(16)
DEFERRED_TASKS = (
    "import_daily_interactions",
    "train",
    "deploy",
    "export_interactions",
    "delete_requested_users",
)


@pytest.fixture
def deployment(tmp_path: Path, airflow_home_copy, airflow_db, dags_folder, monkeypatch):
    emulator = start_emulator_server(0.2)
    airflow = None
    try:
        role_arn = prepare_aws(emulator)
        settings = airflow_settings(emulator, role_arn, tmp_path / "airflow")
        connection = json.loads(settings["AIRFLOW_CONN_AWS_DEFAULT"])
        settings["AIRFLOW_CONN_AWS_DEFAULT"] = json.dumps({**connection, "password": SECRET_ACCESS_KEY})
        # No DAG file changes during the run: each is parsed once, not again every 30 s (Airflow's
        # default: 25 parses and 12 CPU-s a run, against 9 and 8). A changed file is parsed at once anyway.
        settings["AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL"] = "600"
        airflow = AirflowDeployment(
            home=tmp_path / "airflow", dags_folder=REPOSITORY / "example_dags", extra_env=settings
        )
        airflow_home_copy(airflow.home)
        bootstrap = REPOSITORY / "example_dags" / "personalize_bootstrap.py"
        dags = load_example_dags(bootstrap, dags_folder, settings, monkeypatch)
        run_green(dags["personalize_bootstrap"], date(2026, 11, 22))
        for arn_resource_type in NIGHTLY_WAITS:
            emulator.set_transition(
                f"personalize::{arn_resource_type}", {"progression": "time", "seconds": NIGHTLY_STEP_SECONDS}
            )
        airflow.start()
        yield airflow, emulator, tmp_path
    finally:
        if airflow is not None:
            airflow.stop()
        emulator.stop()


def test_the_scheduler_runs_the_nightly_refresh_with_waits_in_the_triggerer(deployment):
    airflow, emulator, logs_folder = deployment
    airflow.wait_until(lambda: airflow.request("GET", f"/api/v2/dags/{DAG_ID}") is not None, timeout=120)

    # The run the scheduler would create first, created through the API: unpausing adds no other run.
    dag = airflow.request("GET", f"/api/v2/dags/{DAG_ID}")
    logical_date = datetime.fromisoformat(dag["next_dagrun_logical_date"].replace("Z", "+00:00"))
    prepare_night(emulator, logical_date.date())
    run = airflow.request(
        "POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": logical_date.isoformat()}
    )
    airflow.request("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
    run_path = f"/api/v2/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}"

    airflow.wait_until(
        lambda: airflow.request("GET", run_path)["state"] in ("success", "failed"),
        timeout=RUN_TIMEOUT_SECONDS,
        interval=3,
    )
    tasks = {
        ti["task_id"]: ti for ti in airflow.request("GET", f"{run_path}/taskInstances")["task_instances"]
    }
    assert airflow.request("GET", run_path)["state"] == "success", {t: ti["state"] for t, ti in tasks.items()}
    assert all(process_alive for process_alive in airflow.alive().values())

    trained = airflow.request("GET", f"{run_path}/taskInstances/train/xcomEntries/return_value")["value"]
    assert ":solution/personalize-example-solution/" in str(trained)
    exported = airflow.request(
        "GET", f"{run_path}/taskInstances/export_interactions/xcomEntries/return_value"
    )
    assert ":dataset-export-job/" in str(exported["value"])

    for task_id in DEFERRED_TASKS:
        assert tasks[task_id]["state"] == "success"
        log = airflow.task_log(DAG_ID, run["dag_run_id"], task_id)
        assert "Deferring" in log and "Personalize" in log, f"{task_id} did not defer:\n{log[-2000:]}"

    # Every log the deployment wrote: the components', the CLI's, every task's, the DAG processor's.
    logs = [path for path in logs_folder.rglob("*") if path.is_file() and ".db" not in path.name]
    assert sum(path.suffix == ".log" or "logs" in path.parts for path in logs) >= len(DEFERRED_TASKS)
    leaks = [str(path) for path in logs if SECRET_ACCESS_KEY.encode() in path.read_bytes()]
    assert leaks == [], "the connection's secret key is in these logs"
