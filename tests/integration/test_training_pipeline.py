"""Every create operator after the import, on the same machine, against the HTTP emulator."""

from __future__ import annotations

import pendulum
import pytest

LOGICAL_DATE = pendulum.datetime(2026, 1, 2, tz="UTC")
LISTS = {
    "solutions": ("list_solutions", "solutions"),
    "solution_versions": ("list_solution_versions", "solutionVersions"),
    "campaigns": ("list_campaigns", "campaigns"),
    "filters": ("list_filters", "Filters"),
    "batch_inference_jobs": ("list_batch_inference_jobs", "batchInferenceJobs"),
    "batch_segment_jobs": ("list_batch_segment_jobs", "batchSegmentJobs"),
    "event_trackers": ("list_event_trackers", "eventTrackers"),
    "metric_attributions": ("list_metric_attributions", "metricAttributions"),
    "recommenders": ("list_recommenders", "recommenders"),
    "dataset_groups": ("list_dataset_groups", "datasetGroups"),
}


def counts(personalize) -> dict[str, int]:
    return {kind: len(getattr(personalize, method)()[key]) for kind, (method, key) in LISTS.items()}


@pytest.mark.parametrize("mode", ["blocking", "deferrable"])
def test_training_and_serving_resources_are_created_once_per_run(it_dags, personalize, mode):
    dag = getattr(it_dags, f"personalize_it_training_{mode}")
    run = dag.test(logical_date=LOGICAL_DATE)
    assert run.state == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}
    created = counts(personalize)
    assert created == {**dict.fromkeys(LISTS, 1), "solutions": 2, "solution_versions": 2, "dataset_groups": 2}

    xcom = {ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in run.get_task_instances()}
    campaign = personalize.describe_campaign(campaignArn=xcom["campaign"])["campaign"]
    assert campaign["solutionVersionArn"] == xcom["train"]
    assert campaign["status"] == "ACTIVE"
    solution = personalize.describe_solution(solutionArn=xcom["solution"])["solution"]
    assert solution["performAutoTraining"] is False
    version = personalize.describe_solution_version(solutionVersionArn=xcom["train"])["solutionVersion"]
    assert version["name"].startswith(f"{dag.dag_id}-train-")
    batch = personalize.describe_batch_inference_job(batchInferenceJobArn=xcom["batch_inference"])[
        "batchInferenceJob"
    ]
    assert batch["filterArn"] == xcom["filter"]
    assert batch["jobOutput"] == {
        "s3DataDestination": {"path": "s3://personalize-it/batch-output/2026-01-02/"}
    }
    assert batch["status"] == "ACTIVE"

    rerun = dag.test(logical_date=LOGICAL_DATE)
    assert rerun.state == "success"
    assert counts(personalize) == created
