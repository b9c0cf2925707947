"""Quotas and rate limits, ridden out by real DAG runs against the HTTP emulator (which enforces AWS's
quota of five unfinished import jobs per region, and throttles on demand with its fault injection)."""

from __future__ import annotations

import pendulum
import pytest

from tests.integration.dags.personalize_it_dags import BUCKET, ROLE_ARN

LOGICAL_DATE = pendulum.datetime(2026, 1, 2, tz="UTC")
# Each status of an import lasts this long: the five imports that fill the quota end two steps after they
# start, while the run's own import is being refused.
IMPORT_STEP_SECONDS = 3


def task_states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def fill_the_import_quota(personalize, dataset_arn: str) -> list[str]:
    """Start five imports: the region's quota of pending or in-progress import jobs."""
    return [
        personalize.create_dataset_import_job(
            jobName=f"earlier-import-{index}",
            datasetArn=dataset_arn,
            dataSource={"dataLocation": f"s3://{BUCKET}/interactions.csv"},
            roleArn=ROLE_ARN,
            importMode="INCREMENTAL",
        )["datasetImportJobArn"]
        for index in range(5)
    ]


@pytest.mark.parametrize("mode", ["blocking", "deferrable"])
def test_an_import_refused_by_the_quota_waits_for_it_to_clear_and_succeeds(
    it_dags, personalize, personalize_emulator_clean, capfd, mode
):
    dag = getattr(it_dags, f"personalize_it_import_{mode}")
    # Yesterday's run made the group, the dataset and a first import.
    assert dag.test(logical_date=LOGICAL_DATE).state == "success"
    (dataset,) = personalize.list_datasets()["datasets"]
    personalize_emulator_clean.set_transition(
        "personalize::dataset-import-job", {"progression": "time", "seconds": IMPORT_STEP_SECONDS}
    )
    earlier = fill_the_import_quota(personalize, dataset["datasetArn"])
    capfd.readouterr()

    run = dag.test(logical_date=LOGICAL_DATE.add(days=1))

    assert run.state == "success", task_states(run)
    log = capfd.readouterr().out
    refusals = [line for line in log.splitlines() if "Personalize quota reached" in line]
    assert refusals, log[-3000:]
    assert "at most 5 dataset import jobs pending or in progress per region" in refusals[0]
    assert "More than 5 resources with PENDING or IN_PROGRESS status." in refusals[0]
    assert "waited 0s" in refusals[0]
    assert ("Deferring until Personalize" in log) == (mode == "deferrable")
    jobs = personalize.list_dataset_import_jobs()["datasetImportJobs"]
    assert len(jobs) == 1 + len(earlier) + 1
    assert {job["status"] for job in jobs} == {"ACTIVE"}
