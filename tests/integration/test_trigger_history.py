"""Waits that learn their job's duration from the jobs before it, against the emulator over HTTP: in real
DAG runs, and with real aiobotocore clients built from an Airflow connection, as in a triggerer."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import pendulum
import pytest

from airflow_provider_personalize.resources import DATASET, DATASET_GROUP, DATASET_IMPORT_JOB
from airflow_provider_personalize.triggers import _history, _shared_client
from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

LOGICAL_DATE = pendulum.datetime(2026, 1, 2, tz="UTC")


@pytest.fixture(autouse=True)
def fresh_listings():
    _history._listings.clear()
    yield
    _history._listings.clear()


def durations(personalize: Any, dataset: str) -> dict[str, float]:
    """Each import job of ``dataset``'s duration by name, oldest first, from the emulator's summaries."""
    jobs = personalize.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"]
    return {
        job["jobName"]: (job["lastUpdatedDateTime"] - job["creationDateTime"]).total_seconds()
        for job in sorted(jobs, key=lambda job: job["creationDateTime"])
    }


# One status per two describes: an import lasts four polls, long enough for its history to be in hand
# (from the third poll on).
SLOW_IMPORTS = ("personalize::dataset-import-job", {"progression": "manual", "times": 2})


def test_each_night_a_deferred_import_waits_by_the_nights_before(
    it_dags, personalize, personalize_emulator_clean, capfd
):
    personalize_emulator_clean.set_transition(*SLOW_IMPORTS)
    dag = it_dags.personalize_it_import_deferrable
    first = dag.test(logical_date=LOGICAL_DATE)
    assert first.state == "success"
    assert "no earlier successful job like it (importMode FULL) to learn its duration from" in (
        capfd.readouterr().out
    )
    (dataset,) = [summary["datasetArn"] for summary in personalize.list_datasets()["datasets"]]
    (night_before,) = durations(personalize, dataset).values()

    second = dag.test(logical_date=LOGICAL_DATE.add(days=1))

    assert second.state == "success"
    learnt = re.search(
        r"earlier jobs like it \(importMode FULL, the latest 1\) took ([\d.]+) s \(median\)",
        capfd.readouterr().out,
    )
    assert learnt and float(learnt[1]) == pytest.approx(night_before, abs=0.5)


@pytest.fixture
def dataset(personalize: Any, it_dags: Any) -> str:
    group = personalize.create_dataset_group(name="history")["datasetGroupArn"]
    settled(personalize, DATASET_GROUP, group)
    schema = personalize.create_schema(name="history", schema=json.dumps(it_dags.INTERACTIONS_SCHEMA))
    arn = personalize.create_dataset(
        name="history", schemaArn=schema["schemaArn"], datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    settled(personalize, DATASET, arn)
    return arn


def settled(personalize: Any, kind: Any, arn: str) -> dict[str, Any]:
    describe = getattr(personalize, kind.describe_method)
    while True:
        description = describe(**{kind.arn_member: arn})[kind.response_key]
        if not kind.lifecycle.is_in_progress(description["status"]):
            return description
        time.sleep(0.05)


def start_import(personalize: Any, it_dags: Any, dataset: str, name: str, mode: str = "FULL") -> str:
    return personalize.create_dataset_import_job(
        jobName=name,
        datasetArn=dataset,
        dataSource={"dataLocation": f"s3://{it_dags.BUCKET}/interactions.csv"},
        roleArn=it_dags.ROLE_ARN,
        importMode=mode,
    )["datasetImportJobArn"]


class ListRequests:
    """Counts the ListDatasetImportJobs requests a client sends (botocore's before-call event)."""

    def __init__(self, client: Any) -> None:
        self.count = 0
        client.meta.events.register("before-call.personalize.ListDatasetImportJobs", self.seen)

    def seen(self, **kwargs: Any) -> None:
        self.count += 1


async def test_the_history_is_the_services_successful_jobs_with_their_modes(
    it_dags, personalize, dataset, personalize_aws_conn_id, personalize_emulator_clean
):
    for name, mode in (
        ("night-1", "FULL"),
        ("night-2", "FULL"),
        ("broken", "FULL"),
        ("top-up", "INCREMENTAL"),
    ):
        if name == "broken":
            personalize_emulator_clean.set_faults(failNext={"DatasetImportJob": "The input file is empty"})
        settled(personalize, DATASET_IMPORT_JOB, start_import(personalize, it_dags, dataset, name, mode))
    took = durations(personalize, dataset)
    key = _shared_client.ClientKey.of(personalize_aws_conn_id, None, None, None)

    async with _shared_client.shared_personalize_client(key) as client:
        listing = await _history.listing(client, key, DATASET_IMPORT_JOB, dataset)

    assert listing.problem is None
    assert [(job.seconds, job.mode) for job in listing.jobs] == [
        (took["top-up"], "INCREMENTAL"),
        (took["night-2"], "FULL"),
        (took["night-1"], "FULL"),
    ]


async def test_many_waits_on_a_dataset_send_one_list_request_and_succeed(
    it_dags, personalize, dataset, personalize_aws_conn_id, personalize_emulator_clean, capfd
):
    for night in range(2):
        settled(
            personalize, DATASET_IMPORT_JOB, start_import(personalize, it_dags, dataset, f"night-{night}")
        )
    # Each status lasts 150 describes: every wait polls the job in progress a few times.
    personalize_emulator_clean.set_transition(SLOW_IMPORTS[0], {"progression": "manual", "times": 150})
    arn = start_import(personalize, it_dags, dataset, "tonight")
    key = _shared_client.ClientKey.of(personalize_aws_conn_id, None, None, None)

    async with _shared_client.shared_personalize_client(key) as client:
        requests = ListRequests(client)
        events = await asyncio.gather(*(wait_for(arn, personalize_aws_conn_id) for _ in range(50)))

    assert {(event["status"], event["resource_status"]) for event in events} == {("success", "ACTIVE")}
    assert requests.count == 1
    assert capfd.readouterr().out.count("earlier jobs like it (importMode FULL, the latest 2) took") == 50


async def test_a_wait_whose_history_cannot_be_listed_polls_on_and_succeeds(
    it_dags, personalize, dataset, personalize_aws_conn_id, personalize_emulator_clean, capfd
):
    settled(personalize, DATASET_IMPORT_JOB, start_import(personalize, it_dags, dataset, "night-1"))
    personalize_emulator_clean.set_faults(throttleRate=1.0, operations=["ListDatasetImportJobs"])
    personalize_emulator_clean.set_transition(*SLOW_IMPORTS)
    arn = start_import(personalize, it_dags, dataset, "tonight")

    event = await wait_for(
        arn, personalize_aws_conn_id, botocore_config={"retries": {"total_max_attempts": 1}}
    )

    assert (event["status"], event["resource_status"]) == ("success", "ACTIVE")
    assert (
        "could not list them (ClientError: An error occurred (ThrottlingException)" in capfd.readouterr().out
    )


async def wait_for(arn: str, conn_id: str, **overrides: Any) -> dict[str, Any]:
    trigger = PersonalizeResourceTrigger(
        "dataset_import_job", arn, waiter_delay=0.2, waiter_max_attempts=200, aws_conn_id=conn_id, **overrides
    )
    (event,) = [event.payload async for event in trigger.run()]
    return event
