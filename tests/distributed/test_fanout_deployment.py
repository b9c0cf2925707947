"""The fan-out DAGs on a production-shaped Airflow, losing a triggerer and a worker mid-run.

Real processes, nothing mocked: PostgreSQL as the metadata database, the CeleryExecutor over Redis with two
Celery workers, two triggerers, the dag-processor, the scheduler and the api-server, and the emulator over
HTTP (with an account quota of 20 active dataset groups, as a team fanning out over 20 has asked AWS for).
``personalize_fanout_bootstrap`` creates 20 dataset groups; ``personalize_fanout_nightly_refresh`` then
refreshes them all in one run, deferrable, its imports in the pool the README says to create. While it
runs, one triggerer is SIGKILLed while it holds triggers, and one worker (its whole process group, as
when its machine dies) while it runs tasks. Then: every run succeeded; every group holds exactly what
its bootstrap and one night create (no duplicate); every mapped task's XCom is its own group's ARN.

The figures (wall time per phase, API calls per job counted at the emulator from moto's request
recording, the triggerers' RSS read from /proc) are printed, and written to ``<AIRFLOW_HOME>/figures.json``.

The emulator's steps are short where the test's point allows: a second per status for the bootstrap, and
NIGHTLY_STEP_SECONDS for the night, so that the waits outlive the worker that deferred them and are still
running when the kills come.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from personalize_emulator.harness.pytest_plugin import PersonalizeEmulatorServer, start_emulator_server

from demo.deployment import AirflowDeployment
from demo.run_demo import airflow_settings, prepare_aws
from tests.distributed.services import postgres, redis
from tests.fanout import FANOUT_DAGS, group_inventory, group_names, prepare_groups

pytestmark = [pytest.mark.distributed, pytest.mark.timeout(1500)]

REPOSITORY = Path(__file__).resolve().parents[2]
GROUPS = group_names(20)
BOOTSTRAP, NIGHTLY = FANOUT_DAGS
BOOTSTRAP_STEP_SECONDS = 1.0
NIGHTLY_STEP_SECONDS = 3.0
NIGHTLY_WAITS = ("dataset-import-job", "solution-version", "campaign", "dataset-export-job")
WORKER_CONCURRENCY = 4
RUN_TIMEOUT_SECONDS = 900
# Mapped task id -> how its XCom (an ARN) belongs to its group.
NIGHTLY_TASKS = (
    "refresh.import_daily_interactions",
    "refresh.train",
    "refresh.deploy",
    "refresh.export_interactions",
)


def distributed_settings(database_url: str, broker_url: str) -> dict[str, str]:
    """Airflow on PostgreSQL and Celery, tuned for a 2-core machine and for recovering in seconds."""
    return {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + database_url,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
        # No more tasks queued than the workers run: a queued task waits for a worker, not behind others.
        "AIRFLOW__CORE__PARALLELISM": str(2 * WORKER_CONCURRENCY),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "64",
        "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "5",
        # Recovery: a dead worker's tasks are failed (then retried) after 30 s without a heartbeat instead
        # of 5 minutes, a dead triggerer's triggers move to the live one after 10 s instead of 30, and a
        # task the dead worker had taken from the queue but not started is queued again after 60 s.
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "60",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "10",
        "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "10",
        "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
    }


class ProcessSampler:
    """Every second, the summed RSS of each named process group (a process and what it started)."""

    def __init__(self, groups: dict[str, int]) -> None:
        self.groups = groups
        self.peak_kib: dict[str, int] = dict.fromkeys(groups, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProcessSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            for name, pgid in self.groups.items():
                rss = sum(rss_kib(pid) for pid in group_pids(pgid))
                self.peak_kib[name] = max(self.peak_kib[name], rss)


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # Field 5 of stat is the process group; the command (field 2) may hold spaces: split after it.
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else 0


def running_tasks(pgid: int) -> int:
    """Task processes (titled ``airflow worker -- <task instance id>`` by the task runner) in a group."""
    count = 0
    for pid in group_pids(pgid):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"airflow worker --"):
                count += 1
        except OSError:
            continue
    return count


def triggers_held(database_dsn: str, triggerer_job_id: int) -> int:
    import psycopg2

    with psycopg2.connect(database_dsn) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM trigger WHERE triggerer_id = %s", (triggerer_job_id,))
        return cursor.fetchone()[0]


def triggerer_job_ids(database_dsn: str) -> set[int]:
    import psycopg2

    with psycopg2.connect(database_dsn) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id FROM job WHERE job_type = 'TriggererJob' AND state = 'running'")
        return {row[0] for row in cursor.fetchall()}


class Recording:
    """moto's request recorder on the emulator: every request, with its headers and body."""

    def __init__(self, server: PersonalizeEmulatorServer, path: Path) -> None:
        self.server, self.path = server, path

    def start(self) -> None:
        self.server._post("/moto-api/recorder/reset-recording")
        self.server._post("/moto-api/recorder/start-recording")

    def stop(self) -> list[dict[str, Any]]:
        self.server._post("/moto-api/recorder/stop-recording")
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]


def personalize_calls(recorded: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """(operation, caller, body) of each Personalize control-plane request; the caller is ``triggerer``
    for aiobotocore's requests (the trigger's), ``worker`` for botocore's (the operators' and hooks')."""
    calls = []
    for request in recorded:
        headers = {key.lower(): value for key, value in request["headers"].items()}
        target = headers.get("x-amz-target", "")
        if not target.startswith("AmazonPersonalize."):
            continue
        body = json.loads(request["body"] or "{}") if not request["body_encoded"] else {}
        caller = "triggerer" if "aiobotocore" in headers.get("user-agent", "") else "worker"
        calls.append((target.partition(".")[2], caller, body))
    return calls


def calls_per_job(calls: list[tuple[str, str, dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Per kind of job the night waits for: jobs, and Describe calls per job (mean, max), by caller."""
    arn_members = {
        "DescribeDatasetImportJob": ("import", "datasetImportJobArn"),
        "DescribeSolutionVersion": ("training", "solutionVersionArn"),
        "DescribeDatasetExportJob": ("export", "datasetExportJobArn"),
        "DescribeCampaign": ("deploy", "campaignArn"),
    }
    per_job: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for operation, caller, body in calls:
        if operation in arn_members:
            kind, member = arn_members[operation]
            per_job[kind][(body[member], caller)] += 1
    figures = {}
    for kind, counts in sorted(per_job.items()):
        jobs = {arn for arn, _ in counts}
        by_job = {arn: sum(n for (a, _), n in counts.items() if a == arn) for arn in jobs}
        triggerer = [n for (_, caller), n in counts.items() if caller == "triggerer"]
        figures[kind] = {
            "jobs": len(jobs),
            "describes_per_job_mean": round(sum(by_job.values()) / len(jobs), 1),
            "describes_per_job_max": max(by_job.values()),
            "from_triggerer_mean": round(sum(triggerer) / len(jobs), 1),
        }
    return figures


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    started = time.monotonic()
    recording_path = tmp_path / "emulator-recording.jsonl"
    # The emulator reads these as it starts (the subprocess inherits this environment).
    monkeypatch.setenv("PERSONALIZE_EMULATOR_APPLIED_QUOTAS", json.dumps({"DatasetGroup": len(GROUPS)}))
    monkeypatch.setenv("MOTO_RECORDER_FILEPATH", str(recording_path))
    with postgres() as database, redis() as broker_url:
        emulator = start_emulator_server(BOOTSTRAP_STEP_SECONDS)
        airflow = None
        try:
            role_arn = prepare_aws(emulator)
            home = tmp_path / "airflow"
            airflow = AirflowDeployment(
                home=home,
                dags_folder=REPOSITORY / "example_dags",
                extra_env={
                    **airflow_settings(emulator, role_arn, home),
                    **distributed_settings(database.url, broker_url),
                },
            )
            airflow.migrate()
            airflow.airflow(
                "pools", "set", "personalize_import_jobs", "5", "Personalize imports", "--include-deferred"
            )
            airflow.start(("scheduler", "dag-processor", "api-server"), wait=False)
            # The first triggerer alone, to know its job (the triggers it holds are those of its job id).
            airflow.start_process("triggerer-a", "triggerer", "--skip-serve-logs")
            airflow.wait_until(lambda: len(triggerer_job_ids(database.dsn)) == 1, timeout=120)
            (first_triggerer_job,) = triggerer_job_ids(database.dsn)
            airflow.start_process("triggerer-b", "triggerer", "--skip-serve-logs")
            for worker in ("worker-a", "worker-b"):
                airflow.start_process(
                    worker, "celery", "worker", "--celery-hostname", f"{worker}@%h", "--skip-serve-logs"
                )
            airflow.wait_until_serving()
            yield SimpleNamespace(
                airflow=airflow,
                emulator=emulator,
                database=database,
                first_triggerer_job=first_triggerer_job,
                recording=Recording(emulator, recording_path),
                figures={"setup_seconds": round(time.monotonic() - started)},
            )
        finally:
            if airflow is not None:
                airflow.stop()
            emulator.stop()


def trigger_run(airflow: AirflowDeployment, dag_id: str, logical_date: datetime, conf: dict[str, Any]) -> str:
    """Create a run through the REST API, then unpause the DAG; the run's API path."""
    airflow.wait_until(lambda: airflow.request("GET", f"/api/v2/dags/{dag_id}") is not None, timeout=180)
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


def wait_for_run(airflow: AirflowDeployment, run_path: str) -> float:
    started = time.monotonic()
    airflow.wait_until(
        lambda: run_state(airflow, run_path) in ("success", "failed"), timeout=RUN_TIMEOUT_SECONDS, interval=3
    )
    assert run_state(airflow, run_path) == "success", task_states(airflow, run_path)
    return time.monotonic() - started


def xcom(airflow: AirflowDeployment, run_path: str, task_id: str, map_index: int) -> Any:
    entry = airflow.request(
        "GET", f"{run_path}/taskInstances/{task_id}/xcomEntries/return_value?map_index={map_index}"
    )
    return entry["value"] if entry else None


def test_twenty_dataset_groups_refresh_through_a_dead_triggerer_and_a_dead_worker(deployment):
    airflow, emulator, figures = deployment.airflow, deployment.emulator, deployment.figures
    wall_started = time.monotonic()

    airflow.wait_until(lambda: airflow.request("GET", f"/api/v2/dags/{NIGHTLY}") is not None, timeout=180)
    nightly = airflow.request("GET", f"/api/v2/dags/{NIGHTLY}")
    night = datetime.fromisoformat(nightly["next_dagrun_logical_date"].replace("Z", "+00:00"))
    prepare_groups(emulator, GROUPS, night.date())

    bootstrap_path = trigger_run(airflow, BOOTSTRAP, night - timedelta(days=1), {"dataset_groups": GROUPS})
    figures["bootstrap_seconds"] = round(wait_for_run(airflow, bootstrap_path))

    for arn_resource_type in NIGHTLY_WAITS:
        emulator.set_transition(
            f"personalize::{arn_resource_type}", {"progression": "time", "seconds": NIGHTLY_STEP_SECONDS}
        )
    deployment.recording.start()
    pgids = {name: process.pid for name, process in airflow.processes.items()}
    kills: dict[str, dict[str, Any]] = {}
    with ProcessSampler({name: pgid for name, pgid in pgids.items() if name.startswith("triggerer")}) as rss:
        nightly_path = trigger_run(
            airflow, NIGHTLY, night, {"dataset_groups": GROUPS, "max_metric_drop": 1.0}
        )
        nightly_started = time.monotonic()
        deadline = nightly_started + RUN_TIMEOUT_SECONDS
        while len(kills) < 2 and time.monotonic() < deadline:
            held = triggers_held(deployment.database.dsn, deployment.first_triggerer_job)
            if "triggerer-a" not in kills and held:
                airflow.kill("triggerer-a")
                kills["triggerer-a"] = {
                    "triggers_held": held,
                    "at_seconds": round(time.monotonic() - nightly_started),
                }
            tasks = running_tasks(pgids["worker-a"])
            if "worker-a" not in kills and tasks:
                airflow.kill("worker-a")
                kills["worker-a"] = {
                    "tasks_running": tasks,
                    "at_seconds": round(time.monotonic() - nightly_started),
                }
            time.sleep(0.5)
        assert set(kills) == {"triggerer-a", "worker-a"}, f"the run ended before the kills: {kills}"
        airflow.wait_until(
            lambda: run_state(airflow, nightly_path) in ("success", "failed"),
            timeout=max(1.0, deadline - time.monotonic()),
            interval=3,
        )
        figures["nightly_seconds"] = round(time.monotonic() - nightly_started)
    recorded = deployment.recording.stop()
    figures["wall_seconds"] = round(time.monotonic() - wall_started) + figures["setup_seconds"]
    figures["kills"] = kills
    figures["triggerer_peak_rss_mib"] = {name: round(kib / 1024) for name, kib in rss.peak_kib.items()}
    calls = personalize_calls(recorded)
    figures["nightly_personalize_requests"] = dict(
        Counter(operation for operation, _, _ in calls).most_common()
    )
    figures["nightly_describes_per_job"] = calls_per_job(calls)
    (airflow.home / "figures.json").write_text(json.dumps(figures, indent=2))
    print("\n" + json.dumps(figures, indent=2))

    states = task_states(airflow, nightly_path)
    assert run_state(airflow, nightly_path) == "success", states
    assert all(state.endswith("=success") for state in states), states

    personalize = emulator.client("personalize")
    assert len(personalize.list_dataset_groups()["datasetGroups"]) == len(GROUPS)
    for index, group in enumerate(GROUPS):
        inventory = group_inventory(emulator, group)
        counts = {kind: len(inventory[kind]) for kind in ("campaigns", "imports", "versions", "exports")}
        assert counts == {"campaigns": 1, "imports": 2, "versions": 2, "exports": 1}, (group, inventory)

        import_job = xcom(airflow, nightly_path, "refresh.import_daily_interactions", index)
        described = personalize.describe_dataset_import_job(datasetImportJobArn=import_job)[
            "datasetImportJob"
        ]
        assert described["datasetArn"] == inventory["dataset"], (group, import_job)
        version = xcom(airflow, nightly_path, "refresh.train", index)
        assert version in inventory["versions"], (group, version)
        assert xcom(airflow, nightly_path, "refresh.deploy", index) == inventory["campaigns"][0]
        campaign = personalize.describe_campaign(campaignArn=inventory["campaigns"][0])["campaign"]
        assert campaign["solutionVersionArn"] == version, (group, "serves the night's model")
        export = xcom(airflow, nightly_path, "refresh.export_interactions", index)
        assert export in inventory["exports"], (group, export)
