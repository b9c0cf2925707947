"""Fault injection, each way it is set: in-process, over HTTP at run time, from the environment at start."""

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from personalize_emulator.harness import faults
from personalize_emulator.harness.pytest_plugin import start_emulator_server

from .support import DATA_SOURCE, ROLE_ARN, interactions_dataset_group, stage_inputs

NO_RETRIES = Config(retries={"total_max_attempts": 1})
NO_CAMPAIGN = "arn:aws:personalize:us-east-1:123456789012:campaign/none"  # throttled before it is looked up


def error_code(call: Any, **request: Any) -> str | None:
    """The error code ``call(**request)`` fails with, or None when it succeeds."""
    try:
        call(**request)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def test_throttling_in_process_by_operation_and_error(in_process: Any) -> None:
    personalize = in_process.client("personalize", config=NO_RETRIES)
    runtime = in_process.client("personalize-runtime", config=NO_RETRIES)
    faults.configure(throttle_rate=1.0, operations=["GetRecommendations"])
    assert error_code(personalize.list_dataset_groups) is None
    assert (
        error_code(runtime.get_recommendations, campaignArn=NO_CAMPAIGN, userId="u") == "ThrottlingException"
    )
    faults.configure(throttle_rate=1.0, throttle_error="LimitExceededException")
    assert error_code(personalize.list_dataset_groups) == "LimitExceededException"
    faults.clear()
    assert error_code(personalize.list_dataset_groups) is None


def test_a_seed_makes_throttling_repeatable(in_process: Any) -> None:
    personalize = in_process.client("personalize", config=NO_RETRIES)

    def outcomes() -> list[str | None]:
        faults.configure(throttle_rate=0.5, seed=7)
        return [error_code(personalize.list_dataset_groups) for _ in range(20)]

    first = outcomes()
    assert first == outcomes()
    assert 0 < first.count("ThrottlingException") < 20


def test_a_forced_failure_fails_the_next_job_of_its_kind_only(personalize_emulator_clean: Any) -> None:
    server = personalize_emulator_clean
    for model_name in ("dataset-group", "dataset", "dataset-import-job"):
        server.set_transition(f"personalize::{model_name}", {"progression": "immediate"})
    personalize = server.client("personalize")
    server.set_faults(failNext={"DatasetImportJob": "Boom: the disk is full."})
    setup = interactions_dataset_group(personalize)
    stage_inputs(personalize)

    def import_job(name: str) -> dict[str, Any]:
        arn = personalize.create_dataset_import_job(
            jobName=name, datasetArn=setup["dataset"], dataSource=DATA_SOURCE, roleArn=ROLE_ARN
        )["datasetImportJobArn"]
        return personalize.describe_dataset_import_job(datasetImportJobArn=arn)["datasetImportJob"]

    failed = import_job("first")
    assert (failed["status"], failed["failureReason"]) == ("CREATE FAILED", "Boom: the disk is full.")
    assert import_job("second")["status"] == "ACTIVE"


def test_faults_over_http_throttle_add_latency_and_reset(personalize_emulator_clean: Any) -> None:
    server = personalize_emulator_clean
    personalize = server.client("personalize", config=NO_RETRIES)
    route = f"{server.endpoint_url}{faults.ROUTE}"
    server.set_faults(latencySeconds=0.3)
    with urllib.request.urlopen(route, timeout=10) as response:
        assert json.loads(response.read())["latencySeconds"] == 0.3
    started = time.monotonic()
    personalize.list_dataset_groups()
    assert time.monotonic() - started >= 0.3
    server.set_faults(throttleRate=1.0)
    assert error_code(personalize.list_dataset_groups) == "ThrottlingException"
    server.reset()
    assert error_code(personalize.list_dataset_groups) is None
    bad = urllib.request.Request(route, data=json.dumps({"throttleRate": 2}).encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(bad, timeout=10)
    assert refused.value.code == 400


@pytest.mark.server
def test_faults_from_the_environment_at_server_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONALIZE_EMULATOR_THROTTLE_RATE", "1")
    monkeypatch.setenv("PERSONALIZE_EMULATOR_THROTTLE_OPERATIONS", "ListDatasetGroups")
    monkeypatch.setenv("PERSONALIZE_EMULATOR_FAIL_NEXT", json.dumps({"DatasetGroup": "No capacity."}))
    server = start_emulator_server(0.2)
    try:
        personalize = server.client("personalize", config=NO_RETRIES)
        assert error_code(personalize.list_dataset_groups) == "ThrottlingException"
        server.set_transition("personalize::dataset-group", {"progression": "immediate"})
        group = personalize.create_dataset_group(name="unlucky")["datasetGroupArn"]
        described = personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]
        assert (described["status"], described["failureReason"]) == ("CREATE FAILED", "No capacity.")
    finally:
        server.stop()


def test_events_requests_are_throttled_too(in_process: Any) -> None:
    events = in_process.client("personalize-events", config=NO_RETRIES)
    faults.configure(throttle_rate=1.0, operations=["PutEvents"])
    event = {"eventType": "click", "itemId": "item-1", "sentAt": 1767225600}
    put = events.put_events
    assert error_code(put, trackingId="any", sessionId="s", eventList=[event]) == "ThrottlingException"
