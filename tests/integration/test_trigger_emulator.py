"""PersonalizeResourceTrigger with real aiobotocore clients, over HTTP, against the Personalize emulator.

The client is built as in a triggerer: from an Airflow connection (``endpoint_url`` in its extras), by
the amazon provider's session machinery, in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import threading
from typing import Any

import pytest
from aiobotocore.credentials import AioRefreshableCredentials
from airflow.providers.amazon.aws.hooks.base_aws import BaseSessionFactory

from airflow_provider_personalize.triggers import _shared_client
from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

MISSING_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-group/never-created"


@pytest.fixture(autouse=True)
def no_client_left_open():
    yield
    assert _shared_client.open_client_count() == 0


@pytest.fixture
def build_spy(monkeypatch: pytest.MonkeyPatch) -> list[_shared_client.ClientKey]:
    """Records every shared client built; the clients themselves are real."""
    built: list[_shared_client.ClientKey] = []
    build = _shared_client._client_creator

    def record(key: _shared_client.ClientKey) -> Any:
        built.append(key)
        return build(key)

    monkeypatch.setattr(_shared_client, "_client_creator", record)
    return built


async def only_event(trigger: PersonalizeResourceTrigger) -> dict[str, Any]:
    events = [event.payload async for event in trigger.run()]
    assert len(events) == 1
    return events[0]


def dataset_group_trigger(conn_id: str, arn: str, **overrides: Any) -> PersonalizeResourceTrigger:
    arguments: dict[str, Any] = {"waiter_delay": 0.1, "waiter_max_attempts": 100, **overrides}
    return PersonalizeResourceTrigger("dataset_group", arn, aws_conn_id=conn_id, **arguments)


async def test_waits_until_active_through_an_airflow_connection(
    personalize_emulator, personalize_aws_conn_id, build_spy
):
    personalize = personalize_emulator.client("personalize")
    # Five groups (the service's quota per region), four waits on each.
    groups = [personalize.create_dataset_group(name=f"group-{n}")["datasetGroupArn"] for n in range(5)]
    arns = groups * 4

    events = await asyncio.gather(
        *(only_event(dataset_group_trigger(personalize_aws_conn_id, arn)) for arn in arns)
    )

    assert [(event["status"], event["arn"], event["resource_status"]) for event in events] == [
        ("success", arn, "ACTIVE") for arn in arns
    ]
    assert build_spy == [_shared_client.ClientKey(personalize_aws_conn_id, None, None, None)]


async def test_times_out_naming_the_last_status(personalize_aws_conn_id, personalize_emulator):
    # Manual progression: the group leaves CREATE PENDING only after 50 describes, far more than allowed.
    personalize_emulator.set_transition("personalize::dataset-group", {"progression": "manual", "times": 50})
    arn = personalize_emulator.client("personalize").create_dataset_group(name="slow")["datasetGroupArn"]

    event = await only_event(dataset_group_trigger(personalize_aws_conn_id, arn, waiter_max_attempts=3))

    assert event["status"] == "timeout"
    assert event["resource_status"] == "CREATE PENDING"
    assert arn in event["message"] and "CREATE PENDING" in event["message"]


async def test_a_resource_that_does_not_exist_is_a_failure(personalize_aws_conn_id):
    event = await only_event(dataset_group_trigger(personalize_aws_conn_id, MISSING_ARN))

    assert event["status"] == "failure"
    assert event["resource_status"] is None and event["failure_reason"] is None
    assert f"{MISSING_ARN} does not exist" in event["message"]


async def test_an_unreachable_endpoint_is_retried_then_times_out(monkeypatch):
    # Nothing listens on port 9 (discard) of the loopback: every request fails to connect.
    connection = {
        "conn_type": "aws",
        "login": "a",
        "password": "b",
        "extra": {"endpoint_url": "http://127.0.0.1:9"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_UNREACHABLE", json.dumps(connection))
    trigger = dataset_group_trigger(
        "unreachable",
        MISSING_ARN,
        waiter_delay=0.01,
        waiter_max_attempts=2,
        region_name="us-east-1",
        botocore_config={"retries": {"max_attempts": 1}, "connect_timeout": 1},
    )

    event = await asyncio.wait_for(only_event(trigger), 30)

    assert event["status"] == "timeout"
    assert "the last poll failed: EndpointConnectionError" in event["message"]


async def test_assume_role_credentials_refresh_off_the_event_loop(
    personalize_emulator_clean, monkeypatch, build_spy
):
    endpoint_url = personalize_emulator_clean.endpoint_url
    connection = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {
            "role_arn": "arn:aws:iam::123456789012:role/airflow-personalize",
            "region_name": "us-east-1",
            "endpoint_url": endpoint_url,
            "service_config": {"sts": {"endpoint_url": endpoint_url}},
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_PERSONALIZE_ROLE", json.dumps(connection))
    refresh_threads: list[int] = []
    refresh = BaseSessionFactory._refresh_credentials

    def record_thread(factory: BaseSessionFactory) -> dict[str, Any]:
        refresh_threads.append(threading.get_ident())
        return refresh(factory)

    monkeypatch.setattr(BaseSessionFactory, "_refresh_credentials", record_thread)
    personalize = personalize_emulator_clean.client("personalize")
    arn = personalize.create_dataset_group(name="assumed")["datasetGroupArn"]
    key = _shared_client.ClientKey.of("personalize_role", None, None, None)

    async with _shared_client.shared_personalize_client(key) as client:
        credentials = client._request_signer._credentials
        assert isinstance(credentials, AioRefreshableCredentials)
        first_keys = await credentials.get_frozen_credentials()
        # As if an hour had passed: the credentials are about to expire, the next request refreshes them.
        credentials._expiry_time = datetime.datetime.now(datetime.UTC)
        response = await client.describe_dataset_group(datasetGroupArn=arn)
        refreshed_keys = await credentials.get_frozen_credentials()

    assert response["datasetGroup"]["datasetGroupArn"] == arn
    assert refreshed_keys.access_key != first_keys.access_key
    assert len(refresh_threads) == 2  # the first credentials, then the refresh
    assert threading.get_ident() not in refresh_threads
