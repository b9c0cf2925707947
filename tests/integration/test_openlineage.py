"""OpenLineage events of real DAG runs: ``airflow dags test`` with the openlineage extra and a file transport.

Each run is an ``airflow`` CLI process against the HTTP emulator, with Airflow's OpenLineage provider
configured (``[openlineage] transport`` a file): the events its listener writes there are what Marquez or
DataHub would receive. Names follow OpenLineage's conventions (airflow_provider_personalize.lineage.naming).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from demo.run_demo import BUCKET, DATASET_GROUP, PREFIX, airflow_settings, prepare_aws, prepare_night
from tests.examples import EXAMPLE_DAGS, load_example_dags, run_green

DAG_FILE = Path(__file__).parent / "dags" / "personalize_it_dags.py"
NIGHT = date(2026, 11, 23)
IMPORT_FAILURE = "Input CSV is missing the following columns: [TIMESTAMP]"

Events = list[dict[str, Any]]


def openlineage_settings(events_file: Path) -> dict[str, str]:
    return {
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(events_file), "append": True}
        ),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "personalize-tests",
    }


def read_events(events_file: Path) -> Events:
    return [json.loads(line) for line in events_file.read_text().splitlines() if line.strip()]


def task_event(events: Events, dag_id: str, task_id: str, event_type: str) -> dict[str, Any]:
    """The last event of that type for that task (a deferred task starts twice: before and after)."""
    found = [
        event
        for event in events
        if event["job"]["name"] == f"{dag_id}.{task_id}" and event["eventType"] == event_type
    ]
    assert found, f"no {event_type} event for {dag_id}.{task_id}"
    return found[-1]


def names(datasets: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(dataset["namespace"], dataset["name"]) for dataset in datasets]


def schema_fields(dataset: dict[str, Any]) -> list[tuple[str, str]]:
    return [(field["name"], field["type"]) for field in dataset["facets"]["schema"]["fields"]]


def personalize_namespace(arn: str) -> str:
    return arn.rsplit(":", 1)[0]


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    """Where OpenLineage's file transport writes this test's events, one JSON document a line."""
    return tmp_path / "openlineage-events.jsonl"


@pytest.fixture
def lineage_airflow(airflow_cli, events_file: Path) -> Callable[..., Events]:
    """``run(environment, *args)``: the ``airflow`` CLI with OpenLineage's file transport; returns the
    events written so far. ``environment``: Airflow's settings (AIRFLOW_HOME, DAGs folder, connections)."""

    def run(environment: dict[str, str], *args: str) -> Events:
        inherited = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
        airflow_cli(*args, env={**inherited, **environment, **openlineage_settings(events_file)})
        return read_events(events_file) if events_file.exists() else []

    return run


@pytest.fixture
def nightly_example(airflow_home_copy, personalize_emulator_clean, tmp_path: Path) -> dict[str, str]:
    """Airflow's settings for the example DAGs (as ``make demo`` runs them), deferrable, on the emulator."""
    role_arn = prepare_aws(personalize_emulator_clean)
    environment = airflow_settings(personalize_emulator_clean, role_arn, tmp_path / "airflow")
    airflow_home_copy(tmp_path / "airflow")
    return environment


def test_the_nightly_refresh_reports_what_each_job_reads_and_writes(
    nightly_example, lineage_airflow, personalize_emulator_clean, airflow_db, dags_folder, monkeypatch
):
    personalize = personalize_emulator_clean.client("personalize")
    # The bootstrap in this process, without OpenLineage (the events looked at are the night's): no CLI.
    bootstrap = EXAMPLE_DAGS / "personalize_bootstrap.py"
    dags = load_example_dags(bootstrap, dags_folder, nightly_example, monkeypatch)
    run_green(dags["personalize_bootstrap"], date(2026, 11, 22))
    prepare_night(personalize_emulator_clean, NIGHT)
    events = lineage_airflow(
        nightly_example, "dags", "test", "personalize_nightly_refresh", NIGHT.isoformat()
    )

    (group,) = personalize.list_dataset_groups()["datasetGroups"]
    datasets = {
        dataset["datasetType"].lower(): dataset["datasetArn"]
        for dataset in personalize.list_datasets(datasetGroupArn=group["datasetGroupArn"])["datasets"]
    }
    namespace = personalize_namespace(group["datasetGroupArn"])
    interactions = (namespace, f"dataset/{DATASET_GROUP}/INTERACTIONS")
    assert datasets["interactions"] == ":".join(interactions)
    interactions_schema = [("USER_ID", "string"), ("ITEM_ID", "string"), ("TIMESTAMP", "long")]
    interactions_schema.append(("EVENT_TYPE", "string"))
    bucket = f"s3://{BUCKET}"
    dag_id = "personalize_nightly_refresh"

    # The import: the day's S3 file into the interactions dataset, with its schema once the job is done.
    started = task_event(events, dag_id, "import_daily_interactions", "START")
    assert names(started["inputs"]) == [(bucket, f"{PREFIX}/daily/interactions/{NIGHT}.csv")]
    assert names(started["outputs"]) == [interactions]
    completed = task_event(events, dag_id, "import_daily_interactions", "COMPLETE")
    assert names(completed["inputs"]) == [(bucket, f"{PREFIX}/daily/interactions/{NIGHT}.csv")]
    assert names(completed["outputs"]) == [interactions]
    assert schema_fields(completed["outputs"][0]) == interactions_schema
    run_facet = completed["run"]["facets"]["personalize"]
    assert run_facet["resourceType"] == "DatasetImportJob"
    assert run_facet["status"] == "ACTIVE"
    assert run_facet["arn"].startswith(f"{namespace}:dataset-import-job/{dag_id}-import_daily_interactions-")
    assert "PersonalizeRunFacet" in run_facet["_schemaURL"]
    assert run_facet["_producer"].startswith("https://pypi.org/project/airflow-provider-personalize/")

    # The export: the reverse, into the night's folder (named without its trailing slash).
    completed = task_event(events, dag_id, "export_interactions", "COMPLETE")
    assert names(completed["inputs"]) == [interactions]
    assert schema_fields(completed["inputs"][0]) == interactions_schema
    assert names(completed["outputs"]) == [(bucket, f"{PREFIX}/exports/interactions/{NIGHT}")]
    assert completed["run"]["facets"]["personalize"]["status"] == "ACTIVE"

    # The training: every dataset of the group in, the model (the solution version) out.
    completed = task_event(events, dag_id, "train", "COMPLETE")
    version_arn = completed["run"]["facets"]["personalize"]["arn"]
    assert sorted(names(completed["inputs"])) == sorted(
        (namespace, arn.split(":", 5)[5]) for arn in datasets.values()
    )
    assert names(completed["outputs"]) == [(namespace, version_arn.split(":", 5)[5])]
    assert version_arn.startswith(f"{namespace}:solution/{DATASET_GROUP}-solution/")

    # The deletion: the list of users, and each dataset that holds users (not the items), read and written.
    completed = task_event(events, dag_id, "delete_requested_users", "COMPLETE")
    holding_users = sorted((namespace, datasets[kind].split(":", 5)[5]) for kind in ("interactions", "users"))
    assert sorted(names(completed["inputs"])) == sorted(
        [(bucket, f"{PREFIX}/deletion-requests/{NIGHT}.csv"), *holding_users]
    )
    assert sorted(names(completed["outputs"])) == holding_users
    assert all(output["facets"]["schema"]["fields"] for output in completed["outputs"])
    assert completed["run"]["facets"]["personalize"]["status"] == "COMPLETED"


@pytest.fixture
def it_airflow(lineage_airflow, airflow_home_copy, personalize, personalize_aws_conn_id, tmp_path: Path):
    """The integration DAGs in a DAGs folder of their own, their connection the emulator, with OpenLineage."""
    dags_folder = tmp_path / "dags"
    dags_folder.mkdir()
    shutil.copy(DAG_FILE, dags_folder / DAG_FILE.name)
    home = tmp_path / "airflow"
    connection = f"AIRFLOW_CONN_{personalize_aws_conn_id.upper()}"
    environment = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        connection: os.environ[connection],
    }
    airflow_home_copy(home)
    return functools.partial(lineage_airflow, environment)


def test_batch_jobs_read_s3_through_their_model_and_write_s3(it_airflow, it_dags, personalize):
    events = it_airflow("dags", "test", "personalize_it_training_deferrable", "2026-01-02")
    dag_id = "personalize_it_training_deferrable"
    bucket = f"s3://{it_dags.BUCKET}"

    jobs = {
        "batch_inference": ("train", "batch-input/users.jsonl", "batch-output/2026-01-02"),
        "batch_segments": ("train_segments", "batch-input/items.jsonl", "segments/2026-01-02"),
    }
    for task_id, (training_task, input_key, output_prefix) in jobs.items():
        completed = task_event(events, dag_id, task_id, "COMPLETE")
        run_facet = completed["run"]["facets"]["personalize"]
        assert run_facet["status"] == "ACTIVE"
        model = run_facet["solutionVersionArn"]
        model_name = (personalize_namespace(model), model.split(":", 5)[5])
        assert names(completed["inputs"]) == [(bucket, input_key), model_name]
        assert names(completed["outputs"]) == [(bucket, output_prefix)]
        # The model the job ran is the one its training task reported as its output: the graph joins.
        trained = task_event(events, dag_id, training_task, "COMPLETE")
        assert names(trained["outputs"]) == [model_name]
        assert personalize.describe_solution_version(solutionVersionArn=model)["solutionVersion"]

    # A metric attribution reads the group's interactions (this one publishes to no S3 destination).
    attribution = task_event(events, dag_id, "metric_attribution", "COMPLETE")
    assert [name for _, name in names(attribution["inputs"])] == ["dataset/it-group/INTERACTIONS"]
    assert attribution["outputs"] == []
    # A recommender trains on its domain group's datasets: they are its inputs, the recommender its output.
    recommender = task_event(events, dag_id, "recommender", "COMPLETE")
    assert [name for _, name in names(recommender["inputs"])] == ["dataset/it-ecommerce/INTERACTIONS"]
    assert [name for _, name in names(recommender["outputs"])] == ["recommender/it-recommended-for-you"]


def test_a_failed_import_reports_its_status_and_reason(
    it_airflow, events_file, personalize, personalize_emulator_clean
):
    personalize_emulator_clean.set_faults(failNext={"DatasetImportJob": IMPORT_FAILURE})
    with pytest.raises(AssertionError, match="exited"):  # the DAG run fails, so does the CLI
        it_airflow("dags", "test", "personalize_it_import_deferrable", "2026-01-02")
    events = read_events(events_file)
    failed = task_event(events, "personalize_it_import_deferrable", "import_interactions", "FAIL")
    (job,) = personalize.list_dataset_import_jobs()["datasetImportJobs"]
    run_facet = failed["run"]["facets"]["personalize"]
    assert run_facet["arn"] == job["datasetImportJobArn"]
    assert run_facet["status"] == "CREATE FAILED"
    assert run_facet["failureReason"] == IMPORT_FAILURE
    assert IMPORT_FAILURE in failed["run"]["facets"]["errorMessage"]["message"]
    assert names(failed["inputs"]) == [("s3://personalize-it", "interactions.csv")]
    assert failed["outputs"][0]["name"] == "dataset/it-group/INTERACTIONS"
