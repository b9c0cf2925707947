"""Quotas and rate limits, ridden out by real DAG runs against the HTTP emulator (which enforces AWS's
quota of five unfinished import jobs per region, and throttles on demand with its fault injection)."""

from __future__ import annotations

import pendulum
import pytest

from airflow_provider_personalize.hooks.personalize import PersonalizeHook
from airflow_provider_personalize.hooks.retries import PendingJobsQuotaError
from airflow_provider_personalize.resources import ResourceKind
from tests.integration.dags.personalize_it_dags import BUCKET, ROLE_ARN

LOGICAL_DATE = pendulum.datetime(2026, 1, 2, tz="UTC")
IMPORTS = "personalize::dataset-import-job"
# Import jobs stay in their first status (a describe never comes this often) ...
HELD = {"progression": "manual", "times": 10**9}
# ... until the run's import is refused; then each status lasts this long.
RELEASED = {"progression": "time", "seconds": 0.5}


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


@pytest.fixture
def release_imports_once_refused(personalize_emulator_clean, monkeypatch) -> None:
    """The earlier imports end only after the quota has refused the run's import: a spy on the hook's
    Create (which it calls unchanged) sees the refusal and releases them. A fixed duration instead would be
    outlasted by the run's first tasks on a loaded machine, and then the run would never be refused."""
    create = PersonalizeHook.create

    def create_then_release_on_refusal(hook: PersonalizeHook, kind: ResourceKind, request: dict) -> str:
        try:
            return create(hook, kind, request)
        except PendingJobsQuotaError:
            personalize_emulator_clean.set_transition(IMPORTS, RELEASED)
            raise

    monkeypatch.setattr(PersonalizeHook, "create", create_then_release_on_refusal)


@pytest.mark.usefixtures("release_imports_once_refused")
@pytest.mark.parametrize("mode", ["blocking", "deferrable"])
def test_an_import_refused_by_the_quota_waits_for_it_to_clear_and_succeeds(
    it_dags, personalize, personalize_emulator_clean, capfd, mode
):
    dag = getattr(it_dags, f"personalize_it_import_{mode}")
    # Yesterday's run made the group, the dataset and a first import.
    assert dag.test(logical_date=LOGICAL_DATE).state == "success"
    (dataset,) = personalize.list_datasets()["datasets"]
    personalize_emulator_clean.set_transition(IMPORTS, HELD)
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
