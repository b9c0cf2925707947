"""The fan-out DAGs over 20 dataset groups on a production-shaped Airflow that loses a triggerer and a worker.

Real processes, nothing mocked (``deployment.py``): PostgreSQL, the CeleryExecutor over Redis with two
Celery workers, two triggerers, the dag-processor, the scheduler, the api-server, and the emulator over
HTTP. The 20 dataset groups are first made what ``personalize_fanout_bootstrap`` leaves, through the API
(that DAG runs, mapped and deferrable, in tests/integration/test_example_dags.py; here it cost three
minutes of Celery tasks before the night, which is the test's subject). ``personalize_fanout_nightly_refresh``
then refreshes them all in one run, deferrable, its imports in the pool the README says to create (20
imports against the service's 5 in progress). While the night runs, the first triggerer is SIGKILLed while
it holds several of the night's waits, and the first worker, with every process it started (as when its
machine dies), while it runs one of the night's mapped Personalize tasks. Then: the run succeeded, every
task instance of it too; every group holds exactly what its bootstrap and one night create
(no duplicate); every mapped task's XCom is its own group's ARN, and each campaign serves its own
group's new model.

Figures (printed, and written to ``<workdir>/figures.json``): wall time per phase; the night's requests
to Personalize and Describe calls per job, counted at the emulator from moto's request recording; each
component's peak memory and CPU time over the night, from /proc.

The emulator's steps are short where the test's point allows: 0.2 s per status for the bootstrap's
resources; NIGHTLY_STEP_SECONDS for the night's jobs, so that each wait outlives the worker that deferred
it and is still running when the kills come.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from demo.deployment import AirflowDeployment, process_tree
from demo.run_demo import ROLE_NAME
from tests.distributed.deployment import TRIGGERERS, WORKERS, Distributed, distributed_airflow
from tests.distributed.measures import ProcessSampler, describes_per_job
from tests.fanout import FANOUT_DAGS, bootstrapped_groups, group_inventory, group_names, prepare_groups

pytestmark = [pytest.mark.distributed, pytest.mark.timeout(2700)]

GROUPS = group_names(20)
NIGHTLY = FANOUT_DAGS[1]
BOOTSTRAP_STEP_SECONDS = 0.2
NIGHTLY_STEP_SECONDS = 3.0
NIGHTLY_WAITS = ("dataset-import-job", "solution-version", "campaign", "dataset-export-job")
RUN_TIMEOUT_SECONDS = 1500
# Enough waits that the handover moves several at once, few enough that the first triggerer holds them early.
TRIGGERS_HELD_AT_KILL = 3
# The night's mapped tasks whose XCom is an ARN, by the kind of job they wait for.
NIGHTLY_JOBS = {
    "import": "refresh.import_daily_interactions",
    "training": "refresh.train",
    "deploy": "refresh.deploy",
    "export": "refresh.export_interactions",
}


@pytest.fixture
def distributed(tmp_path: Path):
    with distributed_airflow(tmp_path, len(GROUPS), BOOTSTRAP_STEP_SECONDS) as deployment:
        yield deployment


def trigger_run(airflow: AirflowDeployment, dag_id: str, logical_date: datetime, conf: dict[str, Any]) -> str:
    """Create a run through the REST API, then unpause the DAG; the run's API path."""
    run = airflow.request(
        "POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": logical_date.isoformat(), "conf": conf}
    )
    airflow.request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
    return f"/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}"


def run_state(airflow: AirflowDeployment, run_path: str) -> str:
    return airflow.request("GET", run_path)["state"]


def task_states(airflow: AirflowDeployment, run_path: str) -> Counter[str]:
    answer = airflow.request("GET", f"{run_path}/taskInstances?limit=1000")
    return Counter(f"{ti['task_id']}={ti['state']}" for ti in answer["task_instances"])


def wait_for_run(airflow: AirflowDeployment, run_path: str) -> None:
    airflow.wait_until(
        lambda: run_state(airflow, run_path) in ("success", "failed"), timeout=RUN_TIMEOUT_SECONDS, interval=5
    )
    assert run_state(airflow, run_path) == "success", task_states(airflow, run_path)


def xcom(airflow: AirflowDeployment, run_path: str, task_id: str, map_index: int) -> Any:
    path = f"{run_path}/taskInstances/{task_id}/xcomEntries/return_value?map_index={map_index}"
    entry = airflow.request("GET", path)
    return entry["value"] if entry else None


def seconds_since(started: float) -> int:
    return round(time.monotonic() - started)


def kill_mid_run(distributed: Distributed, run_path: str, started: float) -> dict[str, dict[str, Any]]:
    """SIGKILL the first triggerer once it holds several of the night's waits, and the first worker once it
    runs one of the night's mapped Personalize tasks (a Create, or a task resumed from its wait)."""
    airflow = distributed.airflow
    worker_pid = airflow.processes[WORKERS[0]].pid
    kills: dict[str, dict[str, Any]] = {}
    while len(kills) < 2 and run_state(airflow, run_path) not in ("success", "failed"):
        held = distributed.triggers_held_by_first_triggerer()
        if TRIGGERERS[0] not in kills and held >= TRIGGERS_HELD_AT_KILL:
            airflow.kill(TRIGGERERS[0])
            kills[TRIGGERERS[0]] = {"triggers_held": held, "at_second": seconds_since(started)}
        if WORKERS[0] not in kills:
            running = distributed.tasks_running_in(NIGHTLY, process_tree(worker_pid))
            if any(task.partition("[")[0] in NIGHTLY_JOBS.values() for task in running):
                airflow.kill(WORKERS[0])
                kills[WORKERS[0]] = {"tasks_running": running, "at_second": seconds_since(started)}
        time.sleep(1)
    return kills


def test_twenty_dataset_groups_refresh_through_a_dead_triggerer_and_a_dead_worker(distributed: Distributed):
    airflow, emulator, figures = distributed.airflow, distributed.emulator, distributed.figures
    started = time.monotonic()
    airflow.wait_until(lambda: airflow.request("GET", f"/api/v2/dags/{NIGHTLY}") is not None, timeout=180)
    # The night the scheduler would run first: unpausing the DAG adds no other run.
    nightly = airflow.request("GET", f"/api/v2/dags/{NIGHTLY}")
    night = datetime.fromisoformat(nightly["next_dagrun_logical_date"].replace("Z", "+00:00"))
    prepare_groups(emulator, GROUPS, night.date())

    roots = {name: process.pid for name, process in airflow.processes.items()}
    role_arn = emulator.client("iam").get_role(RoleName=ROLE_NAME)["Role"]["Arn"]
    bootstrapped_groups(emulator, GROUPS, role_arn)
    figures["bootstrap_seconds"] = seconds_since(started)
    with ProcessSampler({**roots, "emulator": emulator.process.pid}) as sampler:
        for arn_resource_type in NIGHTLY_WAITS:
            emulator.set_transition(
                f"personalize::{arn_resource_type}", {"progression": "time", "seconds": NIGHTLY_STEP_SECONDS}
            )
        distributed.recording.start()
        night_started = time.monotonic()
        nightly_path = trigger_run(
            airflow, NIGHTLY, night, {"dataset_groups": GROUPS, "max_metric_drop": 1.0}
        )
        kills = kill_mid_run(distributed, nightly_path, night_started)
        assert set(kills) == {TRIGGERERS[0], WORKERS[0]}, f"the night ended before the kills: {kills}"
        wait_for_run(airflow, nightly_path)
        figures["nightly_seconds"] = seconds_since(night_started)
    calls = distributed.recording.stop()
    states = task_states(airflow, nightly_path)
    assert all(state.endswith("=success") for state in states), states

    personalize = emulator.client("personalize")
    assert len(personalize.list_dataset_groups()["datasetGroups"]) == len(GROUPS)
    jobs: dict[str, list[str]] = {kind: [] for kind in NIGHTLY_JOBS}
    for index, group in enumerate(GROUPS):
        inventory = group_inventory(emulator, group)
        counts = {kind: len(inventory[kind]) for kind in ("campaigns", "imports", "versions", "exports")}
        assert counts == {"campaigns": 1, "imports": 2, "versions": 2, "exports": 1}, (group, inventory)
        arns = {kind: xcom(airflow, nightly_path, task_id, index) for kind, task_id in NIGHTLY_JOBS.items()}
        imported = personalize.describe_dataset_import_job(datasetImportJobArn=arns["import"])
        assert imported["datasetImportJob"]["datasetArn"] == inventory["dataset"], (group, arns)
        assert arns["training"] in inventory["versions"], (group, arns)
        assert arns["deploy"] == inventory["campaigns"][0], (group, arns)
        served = personalize.describe_campaign(campaignArn=arns["deploy"])["campaign"]["solutionVersionArn"]
        assert served == arns["training"], (group, "its campaign serves its night's model")
        assert arns["export"] in inventory["exports"], (group, arns)
        for kind, arn in arns.items():
            jobs[kind].append(arn)

    figures.update(
        wall_seconds=figures["setup_seconds"] + seconds_since(started),
        kills=kills,
        night_retried_tasks=distributed.retried_tasks(NIGHTLY),
        night_requests_per_group=round(len(calls) / len(GROUPS), 1),
        night_requests=dict(Counter(operation for operation, _, _ in calls).most_common()),
        night_describes_per_job=describes_per_job(calls, jobs),
        peak_rss_mib={name: round(mib) for name, mib in sampler.peak_rss_mib.items()},
        peak_pss_mib={name: round(mib) for name, mib in sampler.peak_pss_mib.items()},
        cpu_seconds={name: round(seconds) for name, seconds in sampler.cpu_seconds.items()},
    )
    (airflow.home.parent / "figures.json").write_text(json.dumps(figures, indent=2))
    print(f"\nThe distributed deployment's figures:\n{json.dumps(figures, indent=2)}")
