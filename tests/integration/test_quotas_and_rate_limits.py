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


@pytest.fixture
def quick_rate_limit_retries(monkeypatch):
    """The rate-limit policy at a twentieth of its default pace (waits up to 0.05 x 2^n, at most 1 s), its
    budget unchanged: a storm is ridden out as by default, only sooner."""
    monkeypatch.setenv("AIRFLOW__PERSONALIZE__RATE_LIMIT_BASE_DELAY", "0.05")
    monkeypatch.setenv("AIRFLOW__PERSONALIZE__RATE_LIMIT_MAX_DELAY", "1")


@pytest.mark.parametrize("mode", ["blocking", "deferrable"])
@pytest.mark.parametrize("code", ["ThrottlingException", "LimitExceededException"])
@pytest.mark.parametrize("rate", [0.3, 0.6])
def test_a_run_rides_out_a_throttling_storm_on_every_request_without_a_task_retry(
    it_dags, personalize, personalize_emulator_clean, quick_rate_limit_retries, capfd, mode, code, rate
):
    personalize_emulator_clean.set_faults(throttleRate=rate, throttleError=code, seed=14)
    run = getattr(it_dags, f"personalize_it_import_{mode}").test(logical_date=LOGICAL_DATE)
    personalize_emulator_clean.set_faults()

    assert run.state == "success", task_states(run)
    assert {ti.task_id: ti.try_number for ti in run.get_task_instances()} == dict.fromkeys(
        task_states(run), 1
    )
    if code == "LimitExceededException":  # botocore's default retries take ThrottlingException first
        assert "rate-limited" in capfd.readouterr().out
    (job,) = personalize.list_dataset_import_jobs()["datasetImportJobs"]
    assert job["status"] == "ACTIVE"
    assert len(personalize.list_dataset_groups()["datasetGroups"]) == 1
