"""DAG-parse cost of a config-driven DAG file against the same DAGs written by hand.

A deployment of 10 solutions (3 datasets with imports, an event tracker, 2 filters; each solution with a
campaign, a metrics gate, FULL and UPDATE retraining schedules and a scheduled batch job): 33 DAGs. The
config-driven file is ``globals().update(dags_from_config("deployment.yaml"))``; the hand-written one is
``bench/handwritten_deployment_dags.py``. Both are checked to give the same DAGs (ids, tasks and each task's
upstream tasks) before anything is timed.

Each figure is the CPU time ``DagBag`` takes to fill from the file (CPU, not wall time, so that other
processes on the machine do not colour it), in a fresh interpreter that has already imported Airflow and
the provider (the DAG processor's cost for the file), with bytecode cached as for an installed package; the
median of ``--runs`` runs, interleaved so that drift affects both alike. Also shown:
reading and checking the config alone (``load_deployment``), and the share of Airflow's
``[core] dagbag_import_timeout`` (30 s by default) the config-driven file uses.

Run: ``uv run --frozen --all-extras python -m bench.config_parse [--runs N]``. Reports figures; asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
HANDWRITTEN = HERE / "handwritten_deployment_dags.py"
DAGBAG_IMPORT_TIMEOUT_S = 30.0  # Airflow's default [core] dagbag_import_timeout
PROBE = """
import json, sys, time
from airflow.dag_processing.dagbag import DagBag
import airflow_provider_personalize.operators.personalize, airflow_provider_personalize.pipelines.tasks
started = time.process_time()
dagbag = DagBag(dag_folder=sys.argv[1])
elapsed = time.process_time() - started
assert not dagbag.import_errors, dagbag.import_errors
shape = {d.dag_id: {t.task_id: sorted(t.upstream_task_ids) for t in d.tasks} for d in dagbag.dags.values()}
print(json.dumps({"seconds": elapsed, "shape": shape}))
"""
LOAD_PROBE = """
import sys, time
from airflow_provider_personalize.pipelines import load_deployment
started = time.process_time()
load_deployment(sys.argv[1])
print(time.process_time() - started)
"""


def deployment_config() -> dict:
    """The config whose DAGs handwritten_deployment_dags.py writes by hand."""
    namespace: dict = {}
    exec(compile(_constants_source(), str(HANDWRITTEN), "exec"), namespace)
    group, bucket, role = namespace["GROUP"], namespace["BUCKET"], namespace["ROLE_ARN"]
    datasets = []
    for dataset_type in namespace["FIELDS"]:
        key = dataset_type.lower()
        dataset = {
            "datasetType": dataset_type,
            "name": f"{group}-{key}",
            "schema": {"name": f"{group}-{key}", "schema": namespace["avro"](dataset_type)},
            "import": {"dataSource": f"{bucket}/bootstrap/{key}.csv"},
        }
        if key == "interactions":
            dataset["scheduledImport"] = {
                "dataSource": f"{bucket}/daily/{{{{ ds }}}}.csv",
                "importMode": "INCREMENTAL",
            }
        datasets.append(dataset)
    solutions = [
        {
            "name": name,
            "recipeArn": "arn:aws:personalize:::recipe/aws-user-personalization",
            "performAutoTraining": False,
            "schedules": {"full": "cron(0 3 ? * SUN *)", "update": "after-import"},
            "metricsThresholds": namespace["THRESHOLDS"],
            "maxMetricDrop": 0.03,
            "campaigns": [{"name": name, "minProvisionedTPS": 1}],
            "batchInferenceJobs": [
                {
                    "jobInput": f"{bucket}/batch/users.jsonl",
                    "jobOutput": f"{bucket}/batch/{name}/{{{{ ds }}}}/",
                    "numResults": 10,
                    "filterName": f"{group}-not-purchased",
                    "schedule": "cron(0 5 * * ? *)",
                }
            ],
        }
        for name in namespace["SOLUTIONS"]
    ]
    return {
        "datasetGroup": {"name": group},
        "roleArn": role,
        "schedules": {"import": "cron(0 1 * * ? *)"},
        "datasets": datasets,
        "eventTracker": {"name": f"{group}-events"},
        "filters": [{"name": name, "filterExpression": text} for name, text in namespace["FILTERS"].items()],
        "solutions": solutions,
    }


def _constants_source() -> str:
    """The hand-written file's names and helpers, without its DAGs (everything before the first one)."""
    source = HANDWRITTEN.read_text()
    return source[: source.index("\ndef deployment_dag(")]


def run(probe: str, path: Path, environment: dict[str, str]) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", probe, str(path)], env=environment, capture_output=True, text=True, check=True
    )
    return completed.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=9)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="config-parse-") as scratch:
        folder = Path(scratch)
        config_folder, hand_folder = folder / "config", folder / "hand"
        config_folder.mkdir()
        hand_folder.mkdir()
        (config_folder / "deployment.yaml").write_text(yaml.safe_dump(deployment_config()))
        config_file = config_folder / "deployment_dags.py"
        config_file.write_text(
            "from airflow_provider_personalize.pipelines import dags_from_config\n\n"
            "globals().update(dags_from_config('deployment.yaml'))\n"
        )
        hand_file = hand_folder / HANDWRITTEN.name
        shutil.copy(HANDWRITTEN, hand_file)
        environment = {
            **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONPYCACHEPREFIX": str(folder / "pycache"),
            "AIRFLOW_HOME": str(folder / "airflow"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        }
        shapes = {
            label: json.loads(run(PROBE, path, environment))["shape"]
            for label, path in (("config", config_file), ("hand", hand_file))
        }
        if shapes["config"] != shapes["hand"]:
            differing = sorted(
                d
                for d in shapes["config"].keys() | shapes["hand"].keys()
                if shapes["config"].get(d) != shapes["hand"].get(d)
            )
            raise SystemExit(f"the two files give different DAGs: {differing}")
        dags = len(shapes["config"])
        tasks = sum(len(tasks) for tasks in shapes["config"].values())

        times: dict[str, list[float]] = {"config": [], "hand": [], "load": []}
        for _ in range(arguments.runs):
            times["config"].append(json.loads(run(PROBE, config_file, environment))["seconds"])
            times["hand"].append(json.loads(run(PROBE, hand_file, environment))["seconds"])
            times["load"].append(float(run(LOAD_PROBE, config_folder / "deployment.yaml", environment)))

    median = {label: statistics.median(values) for label, values in times.items()}
    print(
        f"{dags} DAGs, {tasks} tasks, the same from both files; median of {arguments.runs} runs (min..max):"
    )
    for label, title in (
        ("hand", "written by hand"),
        ("config", "dags_from_config"),
        ("load", "  of which the config"),
    ):
        spread = f"{min(times[label]) * 1000:.1f}..{max(times[label]) * 1000:.1f}"
        print(f"  {title:<24} {median[label] * 1000:8.1f} ms  ({spread})")
    print(f"config / hand = {median['config'] / median['hand']:.2f}")
    share = median["config"] / DAGBAG_IMPORT_TIMEOUT_S
    print(f"dags_from_config: {share:.2%} of dagbag_import_timeout ({DAGBAG_IMPORT_TIMEOUT_S:.0f} s)")


if __name__ == "__main__":
    main()
