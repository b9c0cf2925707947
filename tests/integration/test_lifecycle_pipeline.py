"""The lifecycle DAGs on the HTTP emulator: train, gate, deploy, refuse a worse model, score, tear down."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pendulum
import pytest

DAG_FILE = Path(__file__).parent / "dags" / "personalize_lifecycle_dags.py"
LOGICAL_DATE = pendulum.datetime(2026, 1, 2, tz="UTC")
# ListX of everything a dataset group holds, and of schemas: after the teardown all must be empty.
LISTS = {
    "dataset_groups": ("list_dataset_groups", "datasetGroups"),
    "datasets": ("list_datasets", "datasets"),
    "schemas": ("list_schemas", "schemas"),
    "solutions": ("list_solutions", "solutions"),
    "campaigns": ("list_campaigns", "campaigns"),
    "filters": ("list_filters", "Filters"),
    "event_trackers": ("list_event_trackers", "eventTrackers"),
    "metric_attributions": ("list_metric_attributions", "metricAttributions"),
    "recommenders": ("list_recommenders", "recommenders"),
}


@pytest.fixture
def lifecycle_dags(install_dags, personalize, personalize_emulator_clean) -> ModuleType:
    """The lifecycle DAGs, installed in the DAGs folder, with their batch input in the emulator's S3
    (``personalize`` makes the bucket, the interactions and the role they share with the other DAGs)."""
    module = install_dags(DAG_FILE)
    personalize_emulator_clean.client("s3").put_object(
        Bucket=module.BUCKET, Key="lifecycle/users.jsonl", Body=b'{"userId": "user1"}\n{"userId": "user2"}\n'
    )
    return module


def task_states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def remaining(personalize) -> dict[str, int]:
    return {kind: len(getattr(personalize, method)()[key]) for kind, (method, key) in LISTS.items()}


def test_a_worse_model_is_refused_the_first_keeps_serving_and_the_teardown_leaves_nothing(
    lifecycle_dags, personalize, personalize_emulator_clean, capfd
):
    run = lifecycle_dags.personalize_it_lifecycle.test(logical_date=LOGICAL_DATE)
    states = task_states(run)
    refused = {"gate_second", "deploy", "deploy_again"}
    assert {task_id for task_id, state in states.items() if state == "skipped"} == refused, states
    assert {state for task_id, state in states.items() if task_id not in refused} == {"success"}, states
    log = capfd.readouterr().out
    assert "is below the bar" in log
    assert "coverage" in log and "1.0100" in log  # the table: metric, value, required, live

    xcom = {ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in run.get_task_instances()}
    assert set(xcom["gate_first"]) >= {"coverage", "normalized_discounted_cumulative_gain_at_10"}
    assert xcom["served_version"] == xcom["train_first"] != xcom["train_second"]
    assert xcom["recommend"], "the campaign recommended nothing"
    batch_output = personalize_emulator_clean.client("s3").list_objects_v2(
        Bucket=lifecycle_dags.BUCKET, Prefix="lifecycle/batch-output/2026-01-02/"
    )
    assert batch_output.get("KeyCount", 0) > 0, "the batch inference job wrote nothing"

    deleted = xcom["teardown"]
    assert [
        len(deleted[kind]) for kind in ("campaign", "solution", "dataset", "dataset_group", "schema")
    ] == [
        1,
        1,
        1,
        1,
        1,
    ]
    assert remaining(personalize) == dict.fromkeys(LISTS, 0)

    again = lifecycle_dags.personalize_it_teardown.test(logical_date=LOGICAL_DATE.add(days=1))
    assert task_states(again) == {"teardown": "success"}
    assert again.get_task_instance("teardown").xcom_pull(task_ids="teardown") == {}
    assert "does not exist: nothing to delete" in capfd.readouterr().out


def test_a_better_model_is_deployed_deferred_and_a_redeploy_sends_nothing(lifecycle_dags, personalize, capfd):
    run = lifecycle_dags.personalize_it_lifecycle_deploy.test(logical_date=LOGICAL_DATE)
    assert run.state == "success", task_states(run)
    output = capfd.readouterr().out
    assert "Deferring until Personalize campaign update" in output
    campaign_arn = "arn:aws:personalize:us-east-1:123456789012:campaign/it-lifecycle"
    assert f"Updating Personalize {campaign_arn}" in output
    assert f"{campaign_arn} already has the requested settings: nothing to update" in output
    assert "Deleted from Personalize dataset group" in output
    assert remaining(personalize) == dict.fromkeys(LISTS, 0)
