"""PersonalizeResourceSensor and its typed aliases."""

from __future__ import annotations

import inspect
import math
from unittest import mock

import boto3
import pytest
from airflow.providers.common.compat.sdk import AirflowSkipException, TaskDeferred

from airflow_provider_personalize.resources import WAITABLE_KINDS, get_kind
from airflow_provider_personalize.sensors import personalize as sensors
from airflow_provider_personalize.sensors.personalize import (
    PersonalizeDatasetImportJobSensor,
    PersonalizeResourceSensor,
)
from airflow_provider_personalize.waits import PersonalizeResourceFailedError

IMPORT_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/j"
REAL_CLIENT = boto3.client(
    "personalize", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
)
ALIASES = [
    cls
    for _, cls in inspect.getmembers(sensors, inspect.isclass)
    if issubclass(cls, PersonalizeResourceSensor) and cls is not PersonalizeResourceSensor
]


def sensor_with_statuses(*statuses: str, **kwargs) -> PersonalizeResourceSensor:
    sensor = PersonalizeResourceSensor(
        task_id="wait",
        kind="dataset_import_job",
        arn=IMPORT_ARN,
        aws_conn_id=None,
        region_name="us-east-1",
        poke_interval=0,
        **kwargs,
    )
    client = mock.MagicMock(spec=REAL_CLIENT)
    client.meta.region_name = "us-east-1"
    client.meta.partition = "aws"
    client.describe_dataset_import_job.side_effect = [
        {
            "datasetImportJob": {
                "datasetImportJobArn": IMPORT_ARN,
                "status": status,
                "failureReason": "Invalid S3 input path" if "FAILED" in status else None,
            }
        }
        for status in statuses
    ]
    sensor.hook.__dict__["conn"] = client
    return sensor


def context() -> dict:
    return {"ti": mock.MagicMock()}


def test_poke_is_false_in_progress_and_true_on_success():
    sensor = sensor_with_statuses("CREATE IN_PROGRESS", "ACTIVE")
    assert sensor.poke(context()) is False
    assert sensor.poke(context()) is True


def test_execute_waits_and_returns_the_arn():
    sensor = sensor_with_statuses("CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE")
    assert sensor.execute(context()) == IMPORT_ARN


def test_a_failure_status_fails_with_arn_status_and_reason():
    sensor = sensor_with_statuses("CREATE FAILED")
    with pytest.raises(PersonalizeResourceFailedError) as raised:
        sensor.execute(context())
    for expected in (IMPORT_ARN, "CREATE FAILED", "Invalid S3 input path"):
        assert expected in str(raised.value)


def test_soft_fail_skips_on_a_failure_status():
    sensor = sensor_with_statuses("CREATE FAILED", soft_fail=True)
    with pytest.raises(AirflowSkipException):
        sensor.execute(context())


def test_deferrable_defers_with_polls_covering_the_timeout():
    sensor = PersonalizeResourceSensor(
        task_id="wait",
        kind="solution_version",
        arn="arn:aws:personalize:us-east-1:123456789012:solution/s/1",
        aws_conn_id=None,
        region_name="us-east-1",
        deferrable=True,
        poke_interval=60,
        timeout=3600 * 6 + 1,
    )
    sensor.hook.__dict__["conn"] = mock.MagicMock(spec=REAL_CLIENT)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context())
    _, trigger_kwargs = deferred.value.trigger.serialize()
    assert trigger_kwargs["kind"] == "solution_version"
    assert trigger_kwargs["waiter_delay"] == 60
    assert trigger_kwargs["waiter_max_attempts"] == math.ceil((3600 * 6 + 1) / 60)
    assert deferred.value.timeout.total_seconds() == 3600 * 6 + 1


def test_resumed_events_give_the_arn_or_fail_or_skip():
    success = {
        "status": "success",
        "kind": "dataset_import_job",
        "arn": IMPORT_ARN,
        "resource_status": "ACTIVE",
    }
    failure = {
        **success,
        "status": "failure",
        "resource_status": "CREATE FAILED",
        "failure_reason": "Invalid S3 input path",
        "message": f"{IMPORT_ARN} CREATE FAILED: Invalid S3 input path",
    }
    sensor = PersonalizeDatasetImportJobSensor(task_id="wait", arn=IMPORT_ARN)
    assert sensor.resume_execution("execute_complete", {"event": success}, context()) == IMPORT_ARN
    with pytest.raises(PersonalizeResourceFailedError, match="Invalid S3 input path"):
        sensor.resume_execution("execute_complete", {"event": failure}, context())
    soft = PersonalizeDatasetImportJobSensor(task_id="wait_soft", arn=IMPORT_ARN, soft_fail=True)
    with pytest.raises(AirflowSkipException):
        soft.resume_execution("execute_complete", {"event": failure}, context())


def test_the_poke_interval_defaults_to_the_kinds_delay():
    sensor = PersonalizeDatasetImportJobSensor(task_id="wait", arn=IMPORT_ARN)
    assert sensor.poke_interval == get_kind("dataset_import_job").waiter_delay
    assert "arn" in sensor.template_fields


@pytest.mark.parametrize("alias", ALIASES, ids=lambda cls: cls.__name__)
def test_each_alias_names_a_kind_of_the_table(alias):
    assert alias.resource_kind in WAITABLE_KINDS.values()
    assert alias(task_id="wait", arn="arn:x").kind == alias.resource_kind


def test_the_generic_sensor_needs_a_kind():
    with pytest.raises(ValueError, match="kind"):
        PersonalizeResourceSensor(task_id="wait", arn=IMPORT_ARN)
    with pytest.raises(ValueError, match="known"):
        PersonalizeResourceSensor(task_id="wait2", arn=IMPORT_ARN, kind="dataset_imprt_job")


def test_a_zero_poke_interval_is_kept():
    assert (
        PersonalizeDatasetImportJobSensor(task_id="wait", arn=IMPORT_ARN, poke_interval=0).poke_interval == 0
    )
