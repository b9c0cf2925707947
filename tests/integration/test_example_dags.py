"""The example DAGs users copy: they parse cleanly, and each runs green with ``airflow dags test``.

The nightly refresh runs in a real deployment in tests/e2e (and in ``make demo``); here the bootstrap,
the user deletion DAG and the teardown run against the HTTP emulator, deferrable, as the demo runs them.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from demo.run_config_demo import BOOTSTRAP_DATE as SHOP_BOOTSTRAP_DATE
from demo.run_config_demo import NIGHT as SHOP_NIGHT
from demo.run_config_demo import inventory, prepare_shop
from demo.run_demo import BUCKET, DATASET_GROUP, PREFIX, airflow_settings, prepare_aws, prepare_night
from tests.fanout import group_inventory, group_names, prepare_groups

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"


def test_every_example_dag_loads_without_import_errors(airflow_db, monkeypatch):
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow < 3.2
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

    # Airflow puts its DAGs folder on sys.path, which is how the DAGs import their shared module.
    monkeypatch.syspath_prepend(str(EXAMPLE_DAGS))

    dagbag = DagBag(dag_folder=str(EXAMPLE_DAGS))
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {
        "personalize_bootstrap",
        "personalize_nightly_refresh",
        "personalize_user_deletion",
        "personalize_teardown",
        "personalize_fanout_bootstrap",
        "personalize_fanout_nightly_refresh",
        # personalize_deployment_dags.py, from personalize_deployment.yaml
        "example-shop_bootstrap",
        "example-shop_import",
        "example-shop_example-shop-for-you_full",
        "example-shop_example-shop-for-you_update",
        "example-shop_example-shop-for-you_batch_inference",
        "example-shop_example-shop-audiences_batch_segment",
        "example-shop_teardown",
    }


@pytest.fixture
def example_airflow(airflow_cli, airflow_home_copy, personalize_emulator_clean, tmp_path: Path):
    """``airflow`` CLI commands in a private AIRFLOW_HOME (a migrated database) whose ``aws_default`` is
    the emulator."""
    role_arn = prepare_aws(personalize_emulator_clean)
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    environment = {
        **inherited,
        **airflow_settings(personalize_emulator_clean, role_arn, tmp_path / "airflow"),
    }
    airflow_home_copy(tmp_path / "airflow")
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


# Two mapped DAGs run task by task by ``airflow dags test``: about 5 minutes on a loaded 2-core machine.
@pytest.mark.timeout(900)
def test_the_fanout_dags_give_every_dataset_group_its_own_pipeline(
    example_airflow, personalize_emulator_clean
):
    """The mapped bootstrap, then the mapped nightly refresh, over three groups, deferrable, with the
    imports' pool as the README says to create it."""
    groups = group_names(3)
    night = date(2026, 11, 23)
    prepare_groups(personalize_emulator_clean, groups, night)
    example_airflow(
        "pools", "set", "personalize_import_jobs", "5", "Personalize imports", "--include-deferred"
    )

    example_airflow(
        "dags",
        "test",
        "personalize_fanout_bootstrap",
        "2026-11-22",
        "-c",
        json.dumps({"dataset_groups": groups}),
    )
    nightly_conf = {"dataset_groups": groups, "max_metric_drop": 1.0}
    example_airflow(
        "dags",
        "test",
        "personalize_fanout_nightly_refresh",
        night.isoformat(),
        "-c",
        json.dumps(nightly_conf),
    )

    imports = set()
    for group in groups:
        inventory = group_inventory(personalize_emulator_clean, group)
        assert (len(inventory["campaigns"]), len(inventory["versions"]), len(inventory["exports"])) == (
            1,
            2,
            1,
        )
        assert len(inventory["imports"]) == 2, inventory["imports"]  # the bootstrap's and the night's
        imports |= set(inventory["imports"])
    assert len(imports) == 2 * len(groups), "each map index names its own jobs"


@pytest.fixture
def config_example(
    install_dags, dags_folder: Path, personalize_emulator_clean, monkeypatch: pytest.MonkeyPatch
):
    """The config-driven example's DAGs, loaded from the DAGs folder (with the config and the module it
    imports), ``aws_default`` the emulator, and the config's bucket and role there."""
    role_arn = prepare_shop(personalize_emulator_clean)
    settings = airflow_settings(personalize_emulator_clean, role_arn, dags_folder)
    for name in ("AIRFLOW_CONN_AWS_DEFAULT", "PERSONALIZE_EXAMPLE_WAITER_DELAY"):
        monkeypatch.setenv(name, settings[name])
    # The shared module reads the environment when imported: an earlier test's import would poll every minute.
    monkeypatch.delitem(sys.modules, "personalize_example_common", raising=False)
    for name in ("personalize_deployment.yaml", "personalize_example_common.py"):
        shutil.copy(EXAMPLE_DAGS / name, dags_folder / name)
    shutil.copytree(EXAMPLE_DAGS / "schemas", dags_folder / "schemas")
    module = install_dags(EXAMPLE_DAGS / "personalize_deployment_dags.py")
    return {dag_id: dag for dag_id, dag in vars(module).items() if dag_id.startswith("example-shop_")}


def test_the_config_driven_example_runs_green_from_bootstrap_to_teardown(
    config_example, personalize_emulator_clean
):
    """personalize_deployment.yaml, as ``make demo-config`` runs it: bootstrap, the night's import, the UPDATE
    retraining it triggers (run by hand here: no scheduler), both batch jobs, a second bootstrap that creates
    nothing, the teardown."""
    personalize = personalize_emulator_clean.client("personalize")

    def run(dag_id: str, day: date) -> None:
        dag_run = config_example[f"example-shop_{dag_id}"].test(
            logical_date=datetime.combine(day, time(), UTC)
        )
        assert dag_run.state == "success", {ti.task_id: ti.state for ti in dag_run.get_task_instances()}

    run("bootstrap", SHOP_BOOTSTRAP_DATE)
    (campaign,) = personalize.list_campaigns()["campaigns"]
    first_model = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"][
        "solutionVersionArn"
    ]

    run("import", SHOP_NIGHT)
    imports = {
        job["jobName"]: job["status"]
        for dataset in personalize.list_datasets()["datasets"]
        for job in personalize.list_dataset_import_jobs(datasetArn=dataset["datasetArn"])["datasetImportJobs"]
    }
    assert imports["example-shop_import-import_interactions-20261123T000000"] == "ACTIVE"  # the day's file
    assert len(imports) == 4  # the bootstrap's three, and the night's interactions: the rest is unchanged

    run("example-shop-for-you_update", SHOP_NIGHT)
    served = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"][
        "solutionVersionArn"
    ]
    assert served != first_model
    assert (
        personalize.describe_solution_version(solutionVersionArn=served)["solutionVersion"]["trainingMode"]
        == "UPDATE"
    )

    run("example-shop-for-you_batch_inference", SHOP_NIGHT)
    run("example-shop-audiences_batch_segment", SHOP_NIGHT)
    (inference,) = personalize.list_batch_inference_jobs()["batchInferenceJobs"]
    described = personalize.describe_batch_inference_job(
        batchInferenceJobArn=inference["batchInferenceJobArn"]
    )
    assert described["batchInferenceJob"]["solutionVersionArn"] == served  # the model the campaign serves
    assert described["batchInferenceJob"]["filterArn"].endswith("/example-shop-not-purchased")
    assert described["batchInferenceJob"]["status"] == "ACTIVE"

    created = inventory(personalize_emulator_clean)
    run("bootstrap", SHOP_NIGHT + timedelta(days=1))
    assert inventory(personalize_emulator_clean) == created

    run("teardown", SHOP_NIGHT + timedelta(days=2))
    assert inventory(personalize_emulator_clean) == {}
