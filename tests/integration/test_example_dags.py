"""The example DAGs users copy: they parse cleanly, and each runs green with ``airflow dags test``.

The nightly refresh runs in a real deployment in tests/e2e (and in ``make demo``); here the bootstrap,
the user deletion DAG and the teardown run against the HTTP emulator, deferrable, as the demo runs them.
"""

from __future__ import annotations

import functools
import os
from datetime import date
from pathlib import Path

import pytest

from demo.run_demo import BUCKET, DATASET_GROUP, PREFIX, airflow_settings, prepare_aws, prepare_night

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"


def test_every_example_dag_loads_without_import_errors(airflow_db, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    # Airflow puts its DAGs folder on sys.path, which is how the DAGs import their shared module.
    monkeypatch.syspath_prepend(str(EXAMPLE_DAGS))

    dagbag = DagBag(dag_folder=str(EXAMPLE_DAGS))
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {
        "personalize_bootstrap",
        "personalize_nightly_refresh",
        "personalize_user_deletion",
        "personalize_teardown",
    }


@pytest.fixture
def example_airflow(airflow_cli, personalize_emulator_clean, tmp_path: Path):
    """``airflow`` CLI commands in a private AIRFLOW_HOME whose ``aws_default`` is the emulator."""
    role_arn = prepare_aws(personalize_emulator_clean)
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    environment = {
        **inherited,
        **airflow_settings(personalize_emulator_clean, role_arn, tmp_path / "airflow"),
    }
    airflow_cli("db", "migrate", env=environment)
    return functools.partial(airflow_cli, env=environment)


def test_bootstrap_then_user_deletion_then_teardown(example_airflow, personalize_emulator_clean):
    personalize = personalize_emulator_clean.client("personalize")
    example_airflow("dags", "test", "personalize_bootstrap", "2026-11-22")
    (group,) = personalize.list_dataset_groups()["datasetGroups"]
    assert group["name"] == DATASET_GROUP
    (solution,) = personalize.list_solutions(datasetGroupArn=group["datasetGroupArn"])["solutions"]
    (campaign,) = personalize.list_campaigns(solutionArn=solution["solutionArn"])["campaigns"]
    first_version = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]

    night = date(2026, 11, 23)
    prepare_night(personalize_emulator_clean, night)
    request_uri = f"s3://{BUCKET}/{PREFIX}/deletion-requests/{night.isoformat()}.csv"
    example_airflow(
        "dags", "test", "personalize_user_deletion", "-c", f'{{"deletion_request_uri": "{request_uri}"}}'
    )
    (deletion,) = personalize.list_data_deletion_jobs(datasetGroupArn=group["datasetGroupArn"])[
        "dataDeletionJobs"
    ]
    assert deletion["status"] == "COMPLETED"
    deployed = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]
    assert deployed["solutionVersionArn"] != first_version["solutionVersionArn"], (
        "the retrained model is live"
    )

    example_airflow("dags", "test", "personalize_teardown", "2026-11-24")
    assert personalize.list_dataset_groups()["datasetGroups"] == []
    assert personalize.list_schemas()["schemas"] == []
