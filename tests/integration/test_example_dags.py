"""The example DAGs users copy run green against the HTTP emulator, deferrable, as the demo runs them.

Each DAG file is loaded from the DAGs folder (with the module and schemas it imports) and run with
``dag.test()`` in this process: ``airflow dags test`` runs the same code after paying for a fresh Airflow
process, and runs it in tests/integration/test_cli.py, in ``make demo`` and in tests/e2e. The nightly refresh
runs in a real deployment in tests/e2e; the fan-out DAGs on a distributed one in tests/distributed. Parsing
and settings: tests/unit/test_example_dag_files.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from demo.run_config_demo import BOOTSTRAP_DATE as SHOP_BOOTSTRAP_DATE
from demo.run_config_demo import NIGHT as SHOP_NIGHT
from demo.run_config_demo import inventory, prepare_shop
from demo.run_demo import BUCKET, DATASET_GROUP, PREFIX, airflow_settings, prepare_aws, prepare_night
from tests.examples import EXAMPLE_DAGS, load_example_dags, run_green
from tests.fanout import group_inventory, group_names, prepare_groups


@pytest.fixture
def install_example(
    airflow_db, dags_folder: Path, personalize_emulator_clean, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str], dict[str, Any]]:
    """``install_example(dag_file_name, role_arn)``: the example DAG file's DAGs by id, deferrable, loaded
    from the DAGs folder with ``aws_default`` the emulator (tests.examples.load_example_dags)."""

    def install(dag_file_name: str, role_arn: str) -> dict[str, Any]:
        settings = airflow_settings(personalize_emulator_clean, role_arn, dags_folder)
        return load_example_dags(EXAMPLE_DAGS / dag_file_name, dags_folder, settings, monkeypatch)

    return install


def test_bootstrap_then_user_deletion_then_teardown(install_example, personalize_emulator_clean):
    personalize = personalize_emulator_clean.client("personalize")
    role_arn = prepare_aws(personalize_emulator_clean)
    dags = {
        **install_example("personalize_bootstrap.py", role_arn),
        **install_example("personalize_user_deletion.py", role_arn),
        **install_example("personalize_teardown.py", role_arn),
    }
    run_green(dags["personalize_bootstrap"], date(2026, 11, 22))
    (group,) = personalize.list_dataset_groups()["datasetGroups"]
    assert group["name"] == DATASET_GROUP
    (solution,) = personalize.list_solutions(datasetGroupArn=group["datasetGroupArn"])["solutions"]
    (campaign,) = personalize.list_campaigns(solutionArn=solution["solutionArn"])["campaigns"]
    first_version = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]

    night = date(2026, 11, 23)
    prepare_night(personalize_emulator_clean, night)
    request_uri = f"s3://{BUCKET}/{PREFIX}/deletion-requests/{night.isoformat()}.csv"
    run_green(dags["personalize_user_deletion"], night, {"deletion_request_uri": request_uri})
    (deletion,) = personalize.list_data_deletion_jobs(datasetGroupArn=group["datasetGroupArn"])[
        "dataDeletionJobs"
    ]
    assert deletion["status"] == "COMPLETED"
    deployed = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]
    assert deployed["solutionVersionArn"] != first_version["solutionVersionArn"], (
        "the retrained model is live"
    )

    run_green(dags["personalize_teardown"], date(2026, 11, 24))
    assert personalize.list_dataset_groups()["datasetGroups"] == []
    assert personalize.list_schemas()["schemas"] == []


# Two mapped DAGs run task by task: about 2 minutes on a loaded 2-core machine.
@pytest.mark.timeout(900)
def test_the_fanout_dags_give_every_dataset_group_its_own_pipeline(
    install_example, personalize_emulator_clean
):
    """The mapped bootstrap, then the mapped nightly refresh, over three groups, deferrable, with the
    imports' pool as the README says to create it."""
    from airflow.models.pool import Pool

    groups = group_names(3)
    night = date(2026, 11, 23)
    role_arn = prepare_aws(personalize_emulator_clean)
    prepare_groups(personalize_emulator_clean, groups, night)
    Pool.create_or_update_pool(
        name="personalize_import_jobs", slots=5, description="Personalize imports", include_deferred=True
    )
    dags = {
        **install_example("personalize_fanout_bootstrap.py", role_arn),
        **install_example("personalize_fanout_nightly_refresh.py", role_arn),
    }

    run_green(dags["personalize_fanout_bootstrap"], date(2026, 11, 22), {"dataset_groups": groups})
    nightly_conf = {"dataset_groups": groups, "max_metric_drop": 1.0}
    run_green(dags["personalize_fanout_nightly_refresh"], night, nightly_conf)

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


def test_the_config_driven_example_runs_green_from_bootstrap_to_teardown(
    install_example, dags_folder: Path, personalize_emulator_clean
):
    """personalize_deployment.yaml, as ``make demo-config`` runs it: bootstrap, the night's import, the UPDATE
    retraining it triggers (run by hand here: no scheduler), both batch jobs, a second bootstrap that creates
    nothing, the teardown."""
    personalize = personalize_emulator_clean.client("personalize")
    shutil.copy(EXAMPLE_DAGS / "personalize_deployment.yaml", dags_folder)
    dags = install_example("personalize_deployment_dags.py", prepare_shop(personalize_emulator_clean))

    def run(dag_id: str, day: date) -> None:
        run_green(dags[f"example-shop_{dag_id}"], day)

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
