"""The DAGs dags_from_config builds: ids, schedules, assets, the order of their tasks, and what parsing costs.

No AWS call is made while DAGs are built (``no_aws_calls`` fails the test on any); the runs themselves are
in tests/integration/test_config_pipelines.py.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_provider_personalize.pipelines import dags_from_config
from tests.dagbag import parse_dags

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE_DAGS = REPOSITORY / "example_dags"
EXAMPLE = EXAMPLE_DAGS / "personalize_deployment.yaml"
MPEML = REPOSITORY / "tests" / "integration" / "configs" / "mpeml-shop.json"
CDK = MPEML.with_name("cdk-shop.json")
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3Access"


pytestmark = pytest.mark.usefixtures("no_aws_calls")


@pytest.fixture(scope="module")
def example_dags() -> dict[str, Any]:
    return dags_from_config(EXAMPLE, aws_conn_id="shop_aws", region_name="eu-west-1", tags=["shop"])


def upstream(dag: Any, task_id: str) -> set[str]:
    return set(dag.get_task(task_id).upstream_task_ids)


def test_each_dag_id_starts_with_the_dataset_group_and_each_schedule_has_its_dag(example_dags):
    # A cron timetable's expression: public in the Task SDK's, private in the core ones (Airflow < 3.2).
    schedules = {
        dag_id: getattr(dag.timetable, "expression", None)
        or getattr(dag.timetable, "_expression", None)
        or type(dag.timetable).__name__
        for dag_id, dag in example_dags.items()
    }
    assert schedules == {
        "example-shop_bootstrap": "NullTimetable",
        "example-shop_import": "0 1 * * *",
        "example-shop_example-shop-for-you_full": "0 3 * * 0",
        "example-shop_example-shop-for-you_update": "AssetTriggeredTimetable",
        "example-shop_example-shop-for-you_batch_inference": "0 5 * * *",
        "example-shop_example-shop-audiences_batch_segment": "0 6 * * 1",
        "example-shop_teardown": "NullTimetable",
    }
    for dag in example_dags.values():
        assert set(dag.tags) == {"personalize", "example-shop", "shop"}
        assert not dag.catchup
        assert dag.fileloc == __file__  # the file that called the factory, which Airflow parses


def test_every_task_gets_the_connection_and_region(example_dags):
    bootstrap = example_dags["example-shop_bootstrap"]
    campaign = bootstrap.get_task("campaign_example-shop-for-you")
    assert (campaign.aws_conn_id, campaign.region_name) == ("shop_aws", "eu-west-1")
    locate = bootstrap.get_task("locate_interactions_data")
    assert locate.op_kwargs["aws_conn_id"] == "shop_aws"
    assert locate.op_kwargs["region_name"] == "eu-west-1"


def test_the_bootstrap_builds_in_the_order_the_service_needs(example_dags):
    bootstrap = example_dags["example-shop_bootstrap"]
    assert upstream(bootstrap, "dataset_interactions") == {"dataset_group", "schema_interactions"}
    assert upstream(bootstrap, "locate_interactions_data") == {"dataset_interactions"}
    assert upstream(bootstrap, "import_interactions") == {"dataset_interactions", "locate_interactions_data"}
    datasets = {"dataset_interactions", "dataset_items", "dataset_users"}
    assert upstream(bootstrap, "event_tracker") == {"dataset_group", *datasets}
    assert upstream(bootstrap, "filter_example-shop-not-purchased") == {"dataset_group", *datasets}
    assert upstream(bootstrap, "solution_example-shop-for-you") == {"dataset_group", *datasets}
    # The first model after every import (skipped imports included), then the gate, then the campaign.
    train = bootstrap.get_task("train_example-shop-for-you")
    assert upstream(bootstrap, train.task_id) == {
        "solution_example-shop-for-you",
        "import_interactions",
        "import_items",
        "import_users",
    }
    assert train.trigger_rule == "none_failed"
    assert (train.policy, train.max_age) == ("reuse", timedelta(days=365))
    assert upstream(bootstrap, "check_example-shop-for-you") == {train.task_id}
    assert train.campaign_name == "example-shop-for-you"  # a rerun keeps the model it serves
    gated = {"check_example-shop-for-you", train.task_id}
    assert upstream(bootstrap, "campaign_example-shop-for-you") == gated
    # Both batch jobs have schedules: they run on them, not in the bootstrap.
    assert not [task for task in bootstrap.task_ids if task.startswith("batch_")]


def test_an_unscheduled_batch_job_runs_in_the_bootstrap_named_after_the_model(tmp_path):
    config = yaml.safe_load(EXAMPLE.read_text())
    for solution in config["solutions"]:
        for job in [*solution.get("batchInferenceJobs", []), *solution.get("batchSegmentJobs", [])]:
            job.pop("schedule")
    path = tmp_path / "deployment.yaml"
    path.write_text(yaml.safe_dump(config))
    dags = dags_from_config(path)
    assert "example-shop_example-shop-for-you_batch_inference" not in dags
    bootstrap = dags["example-shop_bootstrap"]
    assert upstream(bootstrap, "batch_inference_example-shop-for-you") == {
        "train_example-shop-for-you",
        "check_example-shop-for-you",  # gated
        "filter_example-shop-not-purchased",
    }
    assert upstream(bootstrap, "batch_segment_example-shop-audiences") == {"train_example-shop-audiences"}
    segments = bootstrap.get_task("batch_segment_example-shop-audiences")
    assert segments.job_name == (
        "example-shop-audiences-segment-"
        "{{ ti.xcom_pull(task_ids='train_example-shop-audiences').rsplit('/', 1)[-1] }}"
    )


def test_the_scheduled_import_updates_the_asset_that_starts_the_update_retraining(example_dags):
    imports = example_dags["example-shop_import"]
    (interactions,) = [t for t in imports.tasks if t.task_id == "import_interactions"]
    assert [asset.uri for asset in interactions.outlets] == ["x-personalize://example-shop/imports"]
    assert interactions.import_mode == "INCREMENTAL"
    assert imports.get_task("locate_interactions_data").op_kwargs["locations"] == [
        "s3://personalize-example/shop/daily/interactions/{{ ds }}.csv"
    ]
    update = example_dags["example-shop_example-shop-for-you_update"]
    (asset,) = update.timetable.asset_condition.objects
    assert asset.uri == "x-personalize://example-shop/imports"
    assert update.get_task("train").training_mode == "UPDATE"


def test_a_retraining_is_gated_against_the_live_model_and_then_deployed(example_dags):
    full = example_dags["example-shop_example-shop-for-you_full"]
    assert full.get_task("train").training_mode == "FULL"
    gate = full.get_task("check_metrics")
    assert gate.soft_fail  # below the bar: skipped, the campaign keeps its model
    assert gate.tolerance == 0.03
    assert gate.thresholds == {"coverage": 0.05, "normalized_discounted_cumulative_gain_at_10": 0.05}
    assert upstream(full, "deploy_example-shop-for-you") == {"check_metrics", "train", "find_resources"}
    assert full.get_task("deploy_example-shop-for-you").min_provisioned_tps == 1
    assert full.get_task("find_resources").op_kwargs["wanted"] == [
        "solution/example-shop-for-you",
        "campaign/example-shop-for-you",
    ]


def test_a_scheduled_batch_job_uses_the_served_model_and_names_its_job_after_the_run(example_dags):
    batch = example_dags["example-shop_example-shop-for-you_batch_inference"]
    job = batch.get_task("batch_inference")
    assert upstream(batch, "batch_inference") == {"find_model", "find_resources"}
    assert job.job_name == (
        "example-shop-for-you-batch-{{ (logical_date or dag_run.run_after).strftime('%Y_%m_%d_%H_%M_%S') }}"
    )
    assert job.job_output == "s3://personalize-example/shop/batch/recommendations/{{ ds }}/"
    assert job.role_arn == ROLE_ARN
    assert batch.get_task("find_resources").op_kwargs["wanted"] == [
        "solution/example-shop-for-you",
        "campaign/example-shop-for-you",
        "filter/example-shop-not-purchased",
    ]


def test_an_mpeml_deployment_s_batch_jobs_write_where_mpeml_writes():
    dags = dags_from_config(MPEML, bucket="shop-data", role_arn=ROLE_ARN)
    job = dags["mpeml-shop_mpeml-shop-similar_batch_inference"].get_task("batch_inference")
    name = "batch_mpeml-shop-similar_{{ (logical_date or dag_run.run_after).strftime('%Y_%m_%d_%H_%M_%S') }}"
    assert job.job_name == name
    assert job.job_output == {
        "s3DataDestination": {"path": f"s3://shop-data/batch/mpeml-shop/mpeml-shop-similar/{name}/"}
    }
    assert job.job_input == {
        "s3DataSource": {"path": "s3://shop-data/batch/mpeml-shop/mpeml-shop-similar/job_config.json"}
    }
    bootstrap = dags["mpeml-shop_bootstrap"]
    locate = bootstrap.get_task("locate_items_data")
    assert locate.op_kwargs["locations"] == [
        "s3://shop-data/train/mpeml-shop/items/",
        "s3://shop-data/train/mpeml-shop/items.csv",
    ]
    assert locate.op_kwargs["optional"] is True
    assert bootstrap.get_task("import_items").import_mode == "FULL"
    assert "mpeml-shop_teardown" in dags


def test_a_cdk_pipeline_runs_its_glue_preprocessing_before_the_imports():
    dags = dags_from_config(CDK, teardown=False)
    assert set(dags) == {"cdk-shop_bootstrap"}
    bootstrap = dags["cdk-shop_bootstrap"]
    assert bootstrap.get_task("preprocessing").job_name == "shop-glue-job"
    # createNewJob: every run imports, straight from the config's location.
    assert upstream(bootstrap, "import_interactions") == {"dataset_interactions", "preprocessing"}
    assert bootstrap.get_task("import_interactions").data_source == "s3://cdk-shop/interactions.csv"
    # createNewSolutionVersion: a new model on every run; createCampaign false: no campaign.
    assert bootstrap.get_task("train_cdk-shop-similar").policy == "always"
    assert not [task for task in bootstrap.task_ids if task.startswith("campaign_")]
    job = bootstrap.get_task("batch_inference_cdk-shop-similar")
    assert job.job_name.startswith("SimilarItems-{{ ti.xcom_pull(task_ids='train_cdk-shop-similar')")
    assert job.job_output == {"s3DataDestination": {"path": "s3://cdk-shop/out/"}}


def test_a_relative_config_path_is_read_beside_the_dag_file(tmp_path):
    (tmp_path / "shop.yaml").write_text(EXAMPLE.read_text())
    dag_file = tmp_path / "shop_dags.py"
    dag_file.write_text(
        "from airflow_provider_personalize.pipelines import dags_from_config\n"
        "globals().update(dags_from_config('shop.yaml'))\n"
    )
    namespace: dict[str, Any] = {"__file__": str(dag_file)}
    exec(compile(dag_file.read_text(), str(dag_file), "exec"), namespace)
    assert namespace["example-shop_bootstrap"].fileloc == str(dag_file)


def test_a_config_with_problems_is_the_dag_file_s_import_error_in_airflow(tmp_path, airflow_db):
    config = EXAMPLE.read_text().replace("minProvisionedTPS: 1", "minProvisionedTPS: 0")
    (tmp_path / "shop.yaml").write_text(config)
    (tmp_path / "shop_dags.py").write_text(
        "from airflow_provider_personalize.pipelines import dags_from_config\n"
        "globals().update(dags_from_config('shop.yaml'))\n"
    )
    dagbag = parse_dags(tmp_path)
    assert dagbag.dag_ids == []
    (error,) = dagbag.import_errors.values()
    assert "solutions[0].campaigns[0].minProvisionedTPS: must be >= 1" in error
