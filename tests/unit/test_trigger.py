"""PersonalizeResourceTrigger: events, poll schedule, retries, logging, and the shared client.

Most tests here run the trigger against a scripted fake client, because they need exact fault
sequences (throttling twice then ACTIVE, a connection dropped mid-wait) and exact call counts that a
real service cannot be told to produce. The fake replaces only the aiobotocore client: the sharing,
reference counting and closing of ``_shared_client`` run for real. Sleeps are recorded, not slept.
tests/unit/test_trigger_emulator.py runs the trigger with real aiobotocore clients over HTTP.
"""

from __future__ import annotations

import asyncio
import importlib.machinery
import random
import sys
import threading
from collections.abc import AsyncGenerator
from typing import Any, cast
from unittest import mock

import aiohttp
import pytest
from airflow.triggers.base import TriggerEvent
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

import airflow_provider_personalize.triggers
from airflow_provider_personalize.resources import CAMPAIGN_UPDATE
from airflow_provider_personalize.triggers import _polling, _shared_client
from airflow_provider_personalize.triggers import personalize as trigger_module
from airflow_provider_personalize.triggers._schedule import JITTER, PollSchedule, default_max_delay
from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/nightly"
CAMPAIGN_ARN = "arn:aws:personalize:us-east-1:123456789012:campaign/c"
KIND = "dataset_import_job"


def client_error(code: str, http_status: int = 400, message: str = "boom") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": http_status}},
        "DescribeDatasetImportJob",
    )


def job(status: str, failure_reason: str | None = None) -> dict[str, Any]:
    description: dict[str, Any] = {"datasetImportJobArn": ARN, "status": status}
    if failure_reason:
        description["failureReason"] = failure_reason
    return {"datasetImportJob": description}


class FakePersonalizeClient:
    """Answers every DescribeX from a script of response dicts or exceptions to raise; the last repeats."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.requests: list[dict[str, Any]] = []

    def __getattr__(self, method: str) -> Any:
        if not method.startswith("describe_"):
            raise AttributeError(method)
        return self.describe

    async def describe(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        await asyncio.sleep(0)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, BaseException):
            raise step
        return step


class FakeClientCreator:
    """Stands for aiobotocore's ClientCreatorContext: what ``_client_creator`` returns."""

    def __init__(self, client: FakePersonalizeClient, close_error: Exception | None) -> None:
        self.client = client
        self.close_error = close_error
        self.closed = 0

    async def __aenter__(self) -> FakePersonalizeClient:
        return self.client

    async def __aexit__(self, *exc_info: Any) -> None:
        self.closed += 1
        if self.close_error:
            raise self.close_error


class FakeClients:
    """Replaces ``_client_creator``: records every client built, per key, and in which thread."""

    def __init__(self, script: list[Any], build_seconds: float = 0.0) -> None:
        self.script = script
        self.build_seconds = build_seconds
        self.built: list[tuple[_shared_client.ClientKey, FakeClientCreator]] = []
        self.build_threads: set[int] = set()
        self.fail_next_builds = 0
        self.close_error: Exception | None = None

    def __call__(self, key: _shared_client.ClientKey) -> FakeClientCreator:
        self.build_threads.add(threading.get_ident())
        threading.Event().wait(self.build_seconds)
        if self.fail_next_builds:
            self.fail_next_builds -= 1
            raise RuntimeError("no such connection")
        creator = FakeClientCreator(FakePersonalizeClient(self.script), self.close_error)
        self.built.append((key, creator))
        return creator

    @property
    def client(self) -> FakePersonalizeClient:
        (_, creator), *_ = self.built
        return creator.client


@pytest.fixture
def fake_clients(monkeypatch: pytest.MonkeyPatch) -> FakeClients:
    clients = FakeClients([job("CREATE IN_PROGRESS")])
    monkeypatch.setattr(_shared_client, "_client_creator", clients)
    return clients


@pytest.fixture(autouse=True)
def no_client_left_open():
    yield
    assert _shared_client.open_client_count() == 0


def make_trigger(**overrides: Any) -> PersonalizeResourceTrigger:
    arguments: dict[str, Any] = {
        "kind": KIND,
        "arn": ARN,
        "waiter_delay": 30,
        "waiter_max_attempts": 10,
        "aws_conn_id": "aws_default",
    }
    arguments.update(overrides)
    return PersonalizeResourceTrigger(**arguments)


async def only_event(trigger: PersonalizeResourceTrigger) -> dict[str, Any]:
    events = [event async for event in trigger.run()]
    assert len(events) == 1
    assert isinstance(events[0], TriggerEvent)
    return events[0].payload


# --- construction and serialisation ----------------------------------------------------------------


def test_serialize_round_trips_through_the_classpath():
    trigger = make_trigger(
        region_name="eu-west-1", verify=False, botocore_config={"retries": {"mode": "standard"}}, timeout=3600
    )
    classpath, kwargs = trigger.serialize()
    assert classpath == "airflow_provider_personalize.triggers.personalize.PersonalizeResourceTrigger"
    module_name, class_name = classpath.rsplit(".", 1)
    rebuilt = getattr(__import__(module_name, fromlist=[class_name]), class_name)(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)
    assert kwargs == {
        "kind": KIND,
        "arn": ARN,
        "waiter_delay": 30,
        "waiter_max_attempts": 10,
        "aws_conn_id": "aws_default",
        "region_name": "eu-west-1",
        "verify": False,
        "botocore_config": {"retries": {"mode": "standard"}},
        "max_delay": 300,
        "timeout": 3600,
    }


def test_a_task_defers_with_its_connection_and_the_blocking_waits_budget():
    task = mock.Mock(aws_conn_id="aws_personalize", region_name="eu-west-1", verify=False, botocore_config={})
    trigger = PersonalizeResourceTrigger.for_task(
        task, CAMPAIGN_UPDATE, CAMPAIGN_ARN, waiter_delay=30, waiter_max_attempts=4
    )
    assert trigger.kind is CAMPAIGN_UPDATE
    _, kwargs = trigger.serialize()
    assert kwargs["kind"] == "campaign_update"
    assert (kwargs["aws_conn_id"], kwargs["region_name"], kwargs["verify"]) == (
        "aws_personalize",
        "eu-west-1",
        False,
    )
    assert (kwargs["waiter_delay"], kwargs["waiter_max_attempts"], kwargs["timeout"]) == (30, 4, 30 * 4)
    # Polling without a delay (tests, the emulator) has no time budget: only the attempts bound it.
    no_delay = PersonalizeResourceTrigger.for_task(
        task, CAMPAIGN_UPDATE, CAMPAIGN_ARN, waiter_delay=0, waiter_max_attempts=4
    )
    assert no_delay.timeout is None


def test_contract_positional_order():
    trigger = PersonalizeResourceTrigger(KIND, ARN, 5, 3, "conn", "us-west-2", True, {"read_timeout": 9})
    _, kwargs = trigger.serialize()
    assert (kwargs["aws_conn_id"], kwargs["region_name"], kwargs["verify"]) == ("conn", "us-west-2", True)
    assert kwargs["botocore_config"] == {"read_timeout": 9}


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"kind": "dataset_import"}, "Unknown Personalize resource kind 'dataset_import'"),
        ({"kind": "schema"}, "schema is created synchronously"),
        ({"waiter_max_attempts": 0}, "waiter_max_attempts must be >= 1"),
        ({"waiter_delay": -1}, "waiter_delay must be >= 0"),
    ],
)
def test_refuses_waits_that_cannot_work_before_deferring(overrides, complaint):
    with pytest.raises(ValueError, match=complaint):
        make_trigger(**overrides)


# --- events -----------------------------------------------------------------------------------------


async def test_success_event(fake_clients, sleeps):
    fake_clients.script[:] = [job("CREATE PENDING"), job("CREATE IN_PROGRESS"), job("ACTIVE")]

    event = await only_event(make_trigger())

    assert event == {"status": "success", "kind": KIND, "arn": ARN, "resource_status": "ACTIVE"}
    assert fake_clients.client.requests == [{"datasetImportJobArn": ARN}] * 3
    assert len(sleeps) == 3


async def test_failure_event_carries_the_services_reason(fake_clients, sleeps):
    fake_clients.script[:] = [job("CREATE IN_PROGRESS"), job("CREATE FAILED", "Input file is empty")]

    event = await only_event(make_trigger())

    assert event["status"] == "failure"
    assert event["resource_status"] == "CREATE FAILED"
    assert event["failure_reason"] == "Input file is empty"
    for part in (ARN, "CREATE FAILED", "Input file is empty"):
        assert part in event["message"]


async def test_a_status_neither_in_progress_nor_success_is_a_failure(fake_clients, sleeps):
    fake_clients.script[:] = [job("SOME NEW STATUS")]

    event = await only_event(make_trigger())

    assert (event["status"], event["resource_status"], event["failure_reason"]) == (
        "failure",
        "SOME NEW STATUS",
        None,
    )
    assert "the service gave no failure reason" in event["message"]


async def test_update_kinds_wait_on_the_latest_update(fake_clients, sleeps):
    campaign_arn = "arn:aws:personalize:us-east-1:123456789012:campaign/c"
    fake_clients.script[:] = [
        {"campaign": {"status": "ACTIVE", "latestCampaignUpdate": {"status": "CREATE IN_PROGRESS"}}},
        {"campaign": {"status": "ACTIVE", "latestCampaignUpdate": {"status": "ACTIVE"}}},
    ]

    event = await only_event(make_trigger(kind="campaign_update", arn=campaign_arn))

    assert event["status"] == "success"
    assert fake_clients.client.requests == [{"campaignArn": campaign_arn}] * 2


async def test_timeout_after_waiter_max_attempts_polls(fake_clients, sleeps):
    event = await only_event(make_trigger(waiter_max_attempts=4))

    assert event["status"] == "timeout"
    assert event["resource_status"] == "CREATE IN_PROGRESS"
    assert ARN in event["message"] and "CREATE IN_PROGRESS" in event["message"]
    assert len(fake_clients.client.requests) == 4
    assert len(sleeps) == 4


async def test_explicit_timeout_ends_the_wait_whatever_the_attempts_left(fake_clients):
    trigger = make_trigger(waiter_delay=0.02, max_delay=0.02, waiter_max_attempts=10_000, timeout=0.1)

    event = await asyncio.wait_for(only_event(trigger), 5)

    assert event["status"] == "timeout"
    assert "timeout of 0.1 s" in event["message"] and "CREATE IN_PROGRESS" in event["message"]
    assert 2 <= len(fake_clients.client.requests) < 20


async def test_a_missing_resource_is_a_failure_with_a_clear_message(fake_clients, sleeps):
    fake_clients.script[:] = [client_error("ResourceNotFoundException", message="Job not found")]

    event = await only_event(make_trigger())

    assert event["status"] == "failure"
    assert event["resource_status"] is None
    assert f"{ARN} does not exist" in event["message"] and "Job not found" in event["message"]
    assert len(fake_clients.client.requests) == 1


@pytest.mark.parametrize(
    "error",
    [client_error("AccessDeniedException", 403), client_error("InvalidInputException"), NoCredentialsError()],
)
async def test_errors_that_retrying_cannot_fix_fail_the_wait_at_once(fake_clients, sleeps, error):
    fake_clients.script[:] = [job("CREATE IN_PROGRESS"), error]

    event = await only_event(make_trigger())

    # The wait failed, not the resource: no resource status, so the operator fails the task retryably.
    assert event["status"] == "failure"
    assert (event["resource_status"], event["failure_reason"]) == (None, None)
    assert ARN in event["message"] and str(error) in event["message"]
    assert "last status seen: CREATE IN_PROGRESS" in event["message"]
    assert len(fake_clients.client.requests) == 2


# --- the polling module, imported off the event loop --------------------------------------------------


class HeldImport:
    """A finder for the polling module that holds its execution until ``release`` is set: meanwhile
    sys.modules holds it half-initialised, as while a worker thread imports it in a triggerer."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != _polling.__name__:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        assert spec is not None and spec.loader is not None
        execute = spec.loader.exec_module

        def held_exec_module(module: Any) -> None:
            self.entered.set()
            assert self.release.wait(timeout=30)
            execute(module)

        spec.loader.exec_module = held_exec_module
        return spec


async def test_waits_that_start_while_the_polling_module_is_being_imported_wait_for_the_import(
    fake_clients, monkeypatch
):
    # A triggerer that has imported no Personalize trigger yet, then gets several at once.
    fake_clients.script[:] = [job("ACTIVE")]
    package = airflow_provider_personalize.triggers
    monkeypatch.setattr(package, "_polling", _polling)  # restored after the test, as sys.modules is
    monkeypatch.delitem(sys.modules, _polling.__name__)
    monkeypatch.setattr(trigger_module, "_polling_imported", None)
    held = HeldImport()
    monkeypatch.setattr(sys, "meta_path", [held, *sys.meta_path])

    # The module imported here sleeps for real (the sleeps fixture patches the first one): short delays.
    first = asyncio.ensure_future(only_event(make_trigger(waiter_delay=0.05)))
    assert await asyncio.to_thread(held.entered.wait, 30)
    later = [asyncio.ensure_future(only_event(make_trigger(waiter_delay=0.05))) for _ in range(3)]
    await asyncio.sleep(0.1)  # the later waits start while the first one's import is held
    held.release.set()
    events = await asyncio.gather(first, *later)

    assert [event["status"] for event in events] == ["success"] * 4


# --- surviving throttling and transient errors ------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        client_error("ThrottlingException"),
        client_error("LimitExceededException"),
        client_error("TooManyRequestsException", 429),
        client_error("RequestLimitExceeded"),
        client_error("InternalFailure", 500),
        client_error("BadGateway", 502),
        EndpointConnectionError(endpoint_url="https://personalize.us-east-1.amazonaws.com"),
        aiohttp.ClientPayloadError("connection closed mid-body"),
        TimeoutError(),
    ],
    ids=lambda error: type(error).__name__ + getattr(error, "response", {}).get("Error", {}).get("Code", ""),
)
async def test_throttling_and_transient_errors_are_retried(fake_clients, sleeps, error):
    fake_clients.script[:] = [job("CREATE IN_PROGRESS"), error, error, job("ACTIVE")]

    event = await only_event(make_trigger())

    assert event["status"] == "success"
    assert len(fake_clients.client.requests) == 4


async def test_each_kind_of_problem_is_logged_once_per_wait(fake_clients, sleeps, trigger_logs):
    throttled = client_error("ThrottlingException")
    dropped = EndpointConnectionError(endpoint_url="https://personalize")
    fake_clients.script[:] = [throttled, throttled, dropped, throttled, dropped, job("ACTIVE")]

    with trigger_logs() as logs:
        event = await only_event(make_trigger())

    assert event["status"] == "success"
    warnings = [log["event"] for log in logs if log["log_level"] == "warning"]
    assert len(warnings) == 2
    assert "ThrottlingException" in warnings[0] and ARN in warnings[0]
    assert "EndpointConnectionError" in warnings[1]


async def test_throttling_skips_to_the_longest_interval(fake_clients, sleeps):
    fake_clients.script[:] = [job("CREATE IN_PROGRESS"), client_error("ThrottlingException"), job("ACTIVE")]

    await only_event(make_trigger(waiter_delay=10, max_delay=100))

    # Sleeps: the first poll's (< 10), the second poll's (~10), then after throttling ~100.
    assert sleeps[1] <= 10
    assert 100 * (1 - JITTER) <= sleeps[2] <= 100


async def test_failed_polls_count_so_an_endpoint_that_never_answers_ends_in_timeout(fake_clients, sleeps):
    fake_clients.script[:] = [job("CREATE IN_PROGRESS"), EndpointConnectionError(endpoint_url="https://x")]

    event = await only_event(make_trigger(waiter_max_attempts=5))

    assert event["status"] == "timeout"
    assert event["resource_status"] == "CREATE IN_PROGRESS"
    assert "the last poll failed: EndpointConnectionError" in event["message"]
    assert len(fake_clients.client.requests) == 5


# --- logging ------------------------------------------------------------------------------------------


async def test_a_line_per_status_change_not_per_poll(fake_clients, sleeps, trigger_logs):
    statuses = ["CREATE PENDING", "CREATE PENDING", "CREATE IN_PROGRESS", "CREATE IN_PROGRESS", "ACTIVE"]
    fake_clients.script[:] = [job(status) for status in statuses]

    with trigger_logs() as logs:
        await only_event(make_trigger())

    assert [log["event"] for log in logs] == [
        f"Personalize dataset import job {ARN} is CREATE PENDING",
        f"Personalize dataset import job {ARN} is CREATE IN_PROGRESS",
        f"Personalize dataset import job {ARN} is ACTIVE",
    ]


# --- the poll schedule ----------------------------------------------------------------------------------


class ExtremeRandom(random.Random):
    """uniform(a, b) always returns one end: a when low, b otherwise."""

    def __init__(self, low: bool) -> None:
        super().__init__()
        self.low = low

    def uniform(self, a: float, b: float) -> float:
        return a if self.low else b


def test_schedule_grows_by_half_each_poll_up_to_the_cap():
    schedule = PollSchedule(first_delay=60, max_delay=300, rng=ExtremeRandom(low=False))
    assert [schedule.next_delay() for _ in range(7)] == [60, 60, 90, 135, 202.5, 300, 300]


def test_jitter_shortens_each_interval_by_at_most_a_fifth():
    schedule = PollSchedule(first_delay=60, max_delay=300, rng=ExtremeRandom(low=True))
    assert [schedule.next_delay() for _ in range(7)] == [0, 48, 72, 108, 162, 240, 240]


def test_jittered_delays_stay_within_bounds_and_spread_apart():
    rng = random.Random(7)
    nominal = [60, 90, 135, 202.5, 300, 300, 300]
    runs = []
    for _ in range(200):
        schedule = PollSchedule(first_delay=60, max_delay=300, rng=rng)
        first, *rest = [schedule.next_delay() for _ in range(8)]
        assert 0 <= first <= 60
        for delay, expected in zip(rest, nominal, strict=True):
            assert expected * 0.8 <= delay <= expected
        runs.append(first + sum(rest))
    # Waits started together drift apart: their eighth polls are spread over more than a minute.
    assert max(runs) - min(runs) > 60


def test_schedule_never_exceeds_the_cap_even_when_the_first_delay_does():
    schedule = PollSchedule(first_delay=500, max_delay=300, rng=ExtremeRandom(low=False))
    assert [schedule.next_delay() for _ in range(3)] == [300, 300, 300]


@pytest.mark.parametrize(("waiter_delay", "cap"), [(1, 10), (5, 50), (30, 300), (60, 300), (600, 600)])
def test_default_cap_is_ten_times_the_delay_at_most_five_minutes_never_below_the_delay(waiter_delay, cap):
    assert default_max_delay(waiter_delay) == cap


async def test_trigger_sleeps_follow_the_schedule(fake_clients, sleeps):
    fake_clients.script[:] = [job("CREATE IN_PROGRESS")] * 7 + [job("ACTIVE")]

    await only_event(make_trigger(waiter_delay=60))

    assert 0 <= sleeps[0] <= 60
    for delay, nominal in zip(sleeps[1:], [60, 90, 135, 202.5, 300, 300, 300], strict=True):
        assert nominal * 0.8 <= delay <= nominal


# --- the shared client ------------------------------------------------------------------------------------


async def test_triggers_with_the_same_connection_share_one_client_closed_after_the_last(
    fake_clients, monkeypatch
):
    release = asyncio.Event()

    async def sleep_until_released(delay: float) -> None:
        await release.wait()

    monkeypatch.setattr(_polling, "sleep", sleep_until_released)
    quick = asyncio.ensure_future(only_event(make_trigger(waiter_max_attempts=1)))
    slow = asyncio.ensure_future(only_event(make_trigger(waiter_max_attempts=2)))
    await asyncio.sleep(0.05)
    assert len(fake_clients.built) == 1
    release.set()
    await quick
    (_, creator), *_ = fake_clients.built
    assert (creator.closed, _shared_client.open_client_count()) == (0, 1)
    await slow
    assert (creator.closed, _shared_client.open_client_count()) == (1, 0)
    assert len(creator.client.requests) == 3


async def test_concurrent_first_users_build_one_client_in_a_worker_thread(fake_clients, sleeps):
    fake_clients.build_seconds = 0.1
    fake_clients.script[:] = [job("ACTIVE")]

    events = await asyncio.gather(*(only_event(make_trigger()) for _ in range(50)))

    assert {event["status"] for event in events} == {"success"}
    assert len(fake_clients.built) == 1
    assert threading.get_ident() not in fake_clients.build_threads
    assert fake_clients.built[0][1].closed == 1


async def test_different_connections_get_different_clients(fake_clients, sleeps):
    fake_clients.script[:] = [job("ACTIVE")]
    variants = [
        {},
        {"aws_conn_id": "other"},
        {"region_name": "eu-west-1"},
        {"verify": False},
        {"botocore_config": {"read_timeout": 5}},
    ]

    await asyncio.gather(*(only_event(make_trigger(**variant)) for variant in [*variants, {}]))

    keys = [key for key, _ in fake_clients.built]
    assert len(keys) == len(set(keys))
    assert len(keys) <= 6 and set(keys) == {make_key(variant) for variant in variants}
    assert all(creator.closed == 1 for _, creator in fake_clients.built)


def make_key(variant: dict[str, Any]) -> _shared_client.ClientKey:
    return _shared_client.ClientKey.of(
        variant.get("aws_conn_id", "aws_default"),
        variant.get("region_name"),
        variant.get("verify"),
        variant.get("botocore_config"),
    )


def test_equal_botocore_configs_make_equal_keys_whatever_their_order():
    first = _shared_client.ClientKey.of(
        "c", None, None, {"a": 1, "retries": {"max_attempts": 3, "mode": "x"}}
    )
    second = _shared_client.ClientKey.of(
        "c", None, None, {"retries": {"mode": "x", "max_attempts": 3}, "a": 1}
    )
    assert first == second and hash(first) == hash(second)


async def test_the_client_is_released_before_the_event_is_yielded(fake_clients, sleeps):
    fake_clients.script[:] = [job("ACTIVE")]
    run = cast(AsyncGenerator[TriggerEvent, None], make_trigger().run())

    event = await run.__anext__()

    # The triggerer may leave a finished trigger suspended at its yield: it holds no client meanwhile.
    assert event.payload["status"] == "success"
    assert (_shared_client.open_client_count(), fake_clients.built[0][1].closed) == (0, 1)
    await run.aclose()


async def test_cancelled_triggers_release_the_client_and_the_last_one_closes_it(fake_clients, monkeypatch):
    async def sleep_forever(delay: float) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(_polling, "sleep", sleep_forever)
    waits = [asyncio.ensure_future(only_event(make_trigger())) for _ in range(3)]
    await asyncio.sleep(0.05)
    (_, creator), *_ = fake_clients.built
    waits[0].cancel()
    waits[1].cancel()
    await asyncio.sleep(0.01)
    assert (creator.closed, _shared_client.open_client_count()) == (0, 1)
    waits[2].cancel()
    await asyncio.gather(*waits, return_exceptions=True)
    assert all(wait.cancelled() for wait in waits)
    assert (creator.closed, _shared_client.open_client_count()) == (1, 0)


async def test_a_user_cancelled_while_the_client_opens_does_not_cancel_it_for_the_others(
    fake_clients, sleeps
):
    fake_clients.build_seconds = 0.1
    fake_clients.script[:] = [job("ACTIVE")]
    cancelled = asyncio.ensure_future(only_event(make_trigger()))
    survivor = asyncio.ensure_future(only_event(make_trigger()))
    await asyncio.sleep(0.02)
    cancelled.cancel()

    assert (await survivor)["status"] == "success"
    assert cancelled.cancelled()
    assert len(fake_clients.built) == 1 and fake_clients.built[0][1].closed == 1


async def test_the_last_user_cancelled_while_the_client_opens_still_closes_it(fake_clients, sleeps):
    fake_clients.build_seconds = 0.1
    wait = asyncio.ensure_future(only_event(make_trigger()))
    await asyncio.sleep(0.02)
    wait.cancel()
    with pytest.raises(asyncio.CancelledError):
        await wait

    assert len(fake_clients.built) == 1 and fake_clients.built[0][1].closed == 1


async def test_a_client_that_cannot_be_built_fails_the_wait_and_the_next_wait_tries_again(
    fake_clients, sleeps
):
    fake_clients.fail_next_builds = 1
    fake_clients.script[:] = [job("ACTIVE")]

    failed = await only_event(make_trigger())
    succeeded = await only_event(make_trigger())

    assert failed["status"] == "failure" and failed["resource_status"] is None
    assert "Could not create a Personalize client for connection 'aws_default'" in failed["message"]
    assert "no such connection" in failed["message"]
    assert succeeded["status"] == "success"


async def test_a_client_that_closes_badly_does_not_spoil_the_last_waits_event(fake_clients, sleeps):
    fake_clients.close_error = aiohttp.ClientConnectionError("connector already closed")
    fake_clients.script[:] = [job("ACTIVE")]

    event = await only_event(make_trigger())

    assert event["status"] == "success"
    assert fake_clients.built[0][1].closed == 1
