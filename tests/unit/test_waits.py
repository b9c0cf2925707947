"""The wait contract: the events a wait ends with, and how operators, sensors and the worker's blocking wait
decode them."""

from __future__ import annotations

import pytest
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

from airflow_provider_personalize.resources import CAMPAIGN_UPDATE, DATASET_IMPORT_JOB, SCHEMA
from airflow_provider_personalize.waits import (
    PersonalizeResourceFailedError,
    PersonalizeWaitTimeoutError,
    arn_from_event,
    is_settled,
    outcome,
    timed_out,
    unreadable,
)

IMPORT_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/j"
CAMPAIGN_ARN = "arn:aws:personalize:us-east-1:123456789012:campaign/c"
EVENT = {"kind": "dataset_import_job", "arn": IMPORT_ARN}


def test_schemas_have_nothing_to_wait_for():
    assert is_settled(SCHEMA, "arn:schema", {"schemaArn": "arn:schema"})


def test_a_description_in_progress_has_no_outcome_yet():
    assert outcome(DATASET_IMPORT_JOB, IMPORT_ARN, {"status": "CREATE IN_PROGRESS"}) is None
    assert is_settled(DATASET_IMPORT_JOB, IMPORT_ARN, {"status": "CREATE IN_PROGRESS"}) is False


def test_the_outcome_of_a_success_is_the_success_event():
    assert outcome(DATASET_IMPORT_JOB, IMPORT_ARN, {"status": "ACTIVE"}) == {
        **EVENT,
        "status": "success",
        "resource_status": "ACTIVE",
    }
    assert is_settled(DATASET_IMPORT_JOB, IMPORT_ARN, {"status": "ACTIVE"}) is True


def test_the_outcome_of_a_failure_carries_status_and_reason_and_raises_alike_in_the_worker():
    description = {"status": "CREATE FAILED", "failureReason": "Input file is empty"}
    event = outcome(DATASET_IMPORT_JOB, IMPORT_ARN, description)
    assert event == {
        **EVENT,
        "status": "failure",
        "resource_status": "CREATE FAILED",
        "failure_reason": "Input file is empty",
        "message": DATASET_IMPORT_JOB.failure_message(IMPORT_ARN, "CREATE FAILED", "Input file is empty"),
    }
    with pytest.raises(PersonalizeResourceFailedError, match="Input file is empty") as raised:
        is_settled(DATASET_IMPORT_JOB, IMPORT_ARN, description)
    assert (raised.value.arn, raised.value.status) == (IMPORT_ARN, "CREATE FAILED")


def test_an_update_kind_reads_the_latest_update():
    description = {"status": "ACTIVE", "latestCampaignUpdate": {"status": "CREATE IN_PROGRESS"}}
    assert outcome(CAMPAIGN_UPDATE, CAMPAIGN_ARN, description) is None
    description["latestCampaignUpdate"] = {"status": "CREATE FAILED", "failureReason": "no"}
    event = outcome(CAMPAIGN_UPDATE, CAMPAIGN_ARN, description)
    assert event is not None
    assert (event["kind"], event["resource_status"], event.get("failure_reason")) == (
        "campaign_update",
        "CREATE FAILED",
        "no",
    )


def test_a_success_event_gives_the_arn():
    assert arn_from_event({**EVENT, "status": "success", "resource_status": "ACTIVE"}) == IMPORT_ARN


def test_a_failure_event_raises_its_message():
    event = {
        **EVENT,
        "status": "failure",
        "resource_status": "CREATE FAILED",
        "failure_reason": "Insufficient privileges for accessing data in S3.",
        "message": DATASET_IMPORT_JOB.failure_message(
            IMPORT_ARN, "CREATE FAILED", "Insufficient privileges for accessing data in S3."
        ),
    }
    with pytest.raises(PersonalizeResourceFailedError, match="Insufficient privileges") as raised:
        arn_from_event(event)
    assert raised.value.status == "CREATE FAILED"


def test_a_failure_to_read_the_resource_may_be_retried():
    message = "AccessDeniedException: not authorized to perform personalize:DescribeDatasetImportJob"
    event = unreadable(DATASET_IMPORT_JOB, IMPORT_ARN, message)
    assert (event["resource_status"], event.get("failure_reason")) == (None, None)
    with pytest.raises(AirflowException, match="AccessDenied") as raised:
        arn_from_event(dict(event))
    assert not isinstance(raised.value, AirflowFailException)


def test_a_timeout_event_raises_its_message():
    event = timed_out(DATASET_IMPORT_JOB, IMPORT_ARN, "CREATE IN_PROGRESS", "still going")
    assert event == {
        **EVENT,
        "status": "timeout",
        "resource_status": "CREATE IN_PROGRESS",
        "message": "still going",
    }
    with pytest.raises(PersonalizeWaitTimeoutError, match="still going"):
        arn_from_event(dict(event))


@pytest.mark.parametrize("event", [None, {"status": "surprise"}])
def test_a_missing_or_unknown_event_raises(event):
    with pytest.raises(AirflowException, match="event"):
        arn_from_event(event)
