"""The history a wait learns its job's duration from: which earlier jobs count, one List request per
parent and kind for every wait of the process, and the wait that polls by it.

The trigger-level tests run against a fake of the aiobotocore client (Describe and List of import jobs,
counting requests, failing on demand), because a thousand waits must run in a unit test's time; the
trigger, the history's cache and the schedules run for real. tests/integration/test_trigger_history.py
runs the same against the emulator over HTTP, and in real DAG runs. The trigger's sleeps are recorded,
not slept.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from airflow_provider_personalize.resources import (
    CAMPAIGN_UPDATE,
    DATASET,
    DATASET_IMPORT_JOB,
    RESOURCE_KINDS,
    SOLUTION_VERSION,
)
from airflow_provider_personalize.triggers import _history, _polling
from airflow_provider_personalize.triggers._history import PastJob, expected_duration, has_history, past_jobs
from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

DATASET_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset/shop/INTERACTIONS"
JOB_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/tonight"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOUR = 3600.0


def summary(minutes: float, status: str = "ACTIVE", mode: str = "FULL", created_hour: int = 0) -> dict:
    created = T0 + timedelta(hours=created_hour)
    return {
        "status": status,
        "creationDateTime": created,
        "lastUpdatedDateTime": created + timedelta(minutes=minutes),
        "importMode": mode,
    }


# --- which jobs count -----------------------------------------------------------------------------------


def test_only_jobs_and_solution_versions_have_a_history():
    # Kinds created anew every run, unchanged once ended: their lastUpdatedDateTime is when they ended.
    assert {key for key, kind in RESOURCE_KINDS.items() if has_history(kind)} == {
        "dataset_import_job",
        "dataset_export_job",
        "data_deletion_job",
        "solution_version",
        "batch_inference_job",
        "batch_segment_job",
    }
    assert not has_history(DATASET) and not has_history(CAMPAIGN_UPDATE)


def test_successful_jobs_count_latest_first_with_their_durations():
    jobs = past_jobs(
        DATASET_IMPORT_JOB,
        [
            summary(10, created_hour=1),
            summary(12, status="CREATE FAILED", created_hour=3),
            summary(14, created_hour=2),
            summary(0, created_hour=4),  # no time at all: not a duration
            summary(5, status="CREATE IN_PROGRESS", created_hour=5),
            {"status": "ACTIVE"},  # no times
        ],
    )
    assert [(job.seconds, job.created.hour) for job in jobs] == [(840, 2), (600, 1)]


def test_the_expected_duration_is_the_median_of_the_latest_five_like_it():
    minutes = [20, 21, 19, 95, 20, 60, 60]  # latest first: an outlier (95) among the last five, older ones
    jobs = [PastJob(T0 - timedelta(days=day), 60 * value, "FULL") for day, value in enumerate(minutes)]
    jobs.insert(1, PastJob(T0, 120, "INCREMENTAL"))

    assert expected_duration(jobs, "FULL") == (20 * 60, 5)
    assert expected_duration(jobs, "INCREMENTAL") == (120, 1)
    assert expected_duration(jobs, None) == (20 * 60, 5)  # a job whose mode is unknown: any like it
    assert expected_duration(jobs, "SOMETHING ELSE") is None
    assert expected_duration([], None) is None


def test_the_kinds_with_a_mode_name_a_member_of_their_summaries_and_descriptions():
    import botocore.session

    model = botocore.session.get_session().get_service_model("personalize")
    for kind in RESOURCE_KINDS.values():
        if not has_history(kind):
            continue
        listed = model.operation_model(f"List{kind.noun}s")
        summary_members = listed.output_shape.members[kind.list_key].member.members
        described = model.operation_model(f"Describe{kind.noun}").output_shape.members[kind.response_key]
        assert kind.list_filter_member == kind.parent_member
        assert kind.parent_member in described.members
        assert {"status", "creationDateTime", "lastUpdatedDateTime"} <= set(summary_members)
        if kind.mode_member:
            assert kind.mode_member in summary_members and kind.mode_member in described.members
    assert SOLUTION_VERSION.mode_member == "trainingMode"


# --- the wait that learns from them ----------------------------------------------------------------------


class FakeImportJobs:
    """Stands for the aiobotocore client: the import job in progress, created ``running_for`` seconds ago,
    and a history of earlier imports of the dataset (or a List request that fails with ``list_error``)."""

    def __init__(self, history: list[dict[str, Any]], running_for: float = 0.0) -> None:
        self.history = history
        self.created = datetime.now(UTC) - timedelta(seconds=running_for)
        self.list_error: Exception | None = None
        self.list_requests: list[dict[str, Any]] = []

    async def describe_dataset_import_job(self, **request: Any) -> dict[str, Any]:
        await asyncio.sleep(0)
        job = {
            "datasetImportJobArn": request["datasetImportJobArn"],
            "datasetArn": DATASET_ARN,
            "status": "CREATE IN_PROGRESS",
            "creationDateTime": self.created,
            "importMode": "FULL",
        }
        return {"datasetImportJob": job}

    async def list_dataset_import_jobs(self, **request: Any) -> dict[str, Any]:
        self.list_requests.append(request)
        await asyncio.sleep(0)
        if self.list_error:
            raise self.list_error
        return {"datasetImportJobs": self.history}


@pytest.fixture(autouse=True)
def fresh_listings() -> Iterator[None]:
    _history._listings.clear()
    yield
    _history._listings.clear()


def serve(monkeypatch: pytest.MonkeyPatch, client: FakeImportJobs) -> None:
    """Every trigger's shared client is ``client``."""

    @asynccontextmanager
    async def lease(key: Any) -> AsyncIterator[FakeImportJobs]:
        yield client

    monkeypatch.setattr(_polling, "shared_personalize_client", lease)


def nights(*minutes: float) -> list[dict[str, Any]]:
    return [summary(value, created_hour=-24 * night) for night, value in enumerate(minutes, start=1)]


async def waited(attempts: int = 6) -> dict[str, Any]:
    trigger = PersonalizeResourceTrigger(
        "dataset_import_job", JOB_ARN, waiter_delay=60, waiter_max_attempts=attempts, aws_conn_id=None
    )
    (event,) = [event.payload async for event in trigger.run()]
    return event


def lines(logs: list[dict[str, Any]], part: str) -> list[str]:
    return [log["event"] for log in logs if part in log["event"]]


async def test_a_wait_polls_around_the_end_its_history_predicts(monkeypatch, sleeps, trigger_logs):
    # Earlier imports took about an hour; this one has run for 50 minutes: it is in its window.
    client = FakeImportJobs(nights(60, 58, 62), running_for=50 * 60)
    serve(monkeypatch, client)

    with trigger_logs() as logs:
        event = await waited()

    assert event["status"] == "timeout"
    assert client.list_requests == [{"datasetArn": DATASET_ARN, "maxResults": 100}]
    assert lines(
        logs,
        "earlier jobs like it (importMode FULL, the latest 3) took 60.0 min (median); polling most from "
        "48.0 min to 72.0 min after its creation",
    )
    # The backoff until the history is in (60 s), then the window's polls, 5 % of the elapsed time apart.
    assert 0.8 * 60 <= sleeps[1] <= 60
    # Recorded sleeps take no time: the job has run 50 minutes at the first poll, then the sleeps after it.
    elapsed = 50 * 60 + sleeps[1]
    for delay in sleeps[2:]:
        assert 0.9 * 0.05 * elapsed <= delay <= 0.05 * elapsed * 1.001
        elapsed += delay


async def test_a_thousand_waits_on_one_parent_send_one_list_request(monkeypatch, sleeps, trigger_logs):
    client = FakeImportJobs(nights(60, 58, 62), running_for=50 * 60)
    serve(monkeypatch, client)

    with trigger_logs() as logs:
        await asyncio.gather(*(waited(attempts=4) for _ in range(1000)))

    assert len(client.list_requests) == 1
    assert len(lines(logs, "took 60.0 min (median)")) == 1000


@pytest.mark.parametrize(
    "error",
    [
        ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "ListDatasetImportJobs"),
        ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "ListDatasetImportJobs"),
        TimeoutError(),
        RuntimeError("Session is closed"),
    ],
    ids=["AccessDenied", "Throttling", "Timeout", "ClosedClient"],
)
async def test_a_failing_list_request_leaves_every_wait_on_its_backoff(
    monkeypatch, sleeps, error, trigger_logs
):
    client = FakeImportJobs(nights(60), running_for=50 * 60)
    client.list_error = error
    serve(monkeypatch, client)

    with trigger_logs() as logs:
        events = await asyncio.gather(*(waited() for _ in range(20)))

    assert len(client.list_requests) == 1  # the failure is kept: the next waits do not send it again
    assert {event["status"] for event in events} == {"timeout"}
    assert (
        len(lines(logs, f"could not list them ({type(error).__name__}: {error}); polling on the backoff"))
        == 20
    )
    # A wait that starts later finds the failure kept, and polls on the backoff.
    sleeps.clear()
    await waited()
    assert len(client.list_requests) == 1
    for delay, nominal in zip(sleeps[1:], [60, 90, 135, 202.5, 300], strict=True):
        assert 0.8 * nominal <= delay <= nominal


async def test_without_earlier_jobs_a_wait_polls_on_its_backoff(monkeypatch, sleeps, trigger_logs):
    serve(monkeypatch, FakeImportJobs(nights(), running_for=50 * 60))

    with trigger_logs() as logs:
        await waited()

    assert lines(
        logs, "no earlier successful job like it (importMode FULL) to learn its duration from: there is none"
    )
    for delay, nominal in zip(sleeps[1:], [60, 90, 135, 202.5, 300], strict=True):
        assert 0.8 * nominal <= delay <= nominal


async def test_a_listing_expires(monkeypatch, sleeps):
    client = FakeImportJobs(nights(60))
    serve(monkeypatch, client)
    monkeypatch.setattr(_history, "LISTING_TTL_SECONDS", 0.0)

    await waited(attempts=2)
    await waited(attempts=2)

    assert len(client.list_requests) == 2


async def test_a_listing_of_another_event_loop_is_not_reused(monkeypatch, sleeps):
    client = FakeImportJobs(nights(60))
    serve(monkeypatch, client)
    await waited(attempts=2)

    # A second loop, as dag.test() runs each trigger in asyncio.run.
    await asyncio.to_thread(asyncio.run, waited(attempts=2))

    assert len(client.list_requests) == 2
