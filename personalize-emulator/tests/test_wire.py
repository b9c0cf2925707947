"""What travels on the wire, as AWS sends it: content types, timestamps, AWS-shaped internal failures."""

from typing import Any

import pytest

from .support import ACCOUNT_ARN_PREFIX, interactions_dataset_group

JSON_1_1 = "application/x-amz-json-1.1"


def content_type(response: dict[str, Any]) -> str:
    return response["ResponseMetadata"]["HTTPHeaders"]["content-type"]


def test_the_control_plane_answers_json_1_1_and_the_rest_apis_json(emulator: Any, personalize: Any) -> None:
    assert content_type(personalize.list_dataset_groups()) == JSON_1_1
    with pytest.raises(personalize.exceptions.ResourceNotFoundException) as raised:
        personalize.describe_dataset_group(datasetGroupArn=f"{ACCOUNT_ARN_PREFIX}:dataset-group/none")
    assert content_type(raised.value.response) == JSON_1_1
    runtime = emulator.client("personalize-runtime")
    with pytest.raises(runtime.exceptions.ResourceNotFoundException) as raised:
        runtime.get_recommendations(campaignArn=f"{ACCOUNT_ARN_PREFIX}:campaign/none", userId="u")
    assert content_type(raised.value.response) == "application/json"


def test_timestamps_have_millisecond_precision(personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    described = personalize.describe_dataset(datasetArn=setup["dataset"])["dataset"]
    group = personalize.list_dataset_groups()["datasetGroups"][0]
    for when in (
        described["creationDateTime"],
        described["lastUpdatedDateTime"],
        group["creationDateTime"],
        group["lastUpdatedDateTime"],
    ):
        assert when.microsecond % 1000 == 0, when


def test_an_internal_error_is_answered_as_aws_internal_failure(
    in_process: Any, monkeypatch: pytest.MonkeyPatch, personalize_emulator_internal_failures: Any
) -> None:
    """An emulator bug must never reach a client as an unhandled exception (HTTP 500 with an HTML page,
    or a Python exception in-process): AWS's InternalFailure, HTTP 500, with ``__type``."""
    from personalize_emulator.service.models import PersonalizeEmulatorBackend

    def broken(self: Any, params: Any) -> Any:
        raise RuntimeError("an emulator bug")

    monkeypatch.setattr(PersonalizeEmulatorBackend, "create_dataset_group", broken)
    personalize = in_process.client("personalize", config=no_retries())
    with pytest.raises(personalize.exceptions.ClientError) as raised:
        personalize.create_dataset_group(name="shop")
    response = raised.value.response
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    assert (response["Error"]["Code"], status) == ("InternalFailure", 500)
    assert content_type(response) == JSON_1_1
    (failure,) = personalize_emulator_internal_failures.take()
    assert "CreateDatasetGroup" in failure and "an emulator bug" in failure


def test_a_job_whose_work_breaks_fails_with_a_reason_and_the_failure_is_recorded(
    in_process: Any, monkeypatch: pytest.MonkeyPatch, personalize_emulator_internal_failures: Any
) -> None:
    from personalize_emulator.service import jobs

    from .pipeline import group_with_interactions

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a data engine bug")

    monkeypatch.setattr(jobs, "read_import_data", broken)
    for kind in ("dataset-group", "dataset", "dataset-import-job"):
        in_process.set_transition(f"personalize::{kind}", {"progression": "immediate"})
    personalize = in_process.client("personalize")
    job = group_with_interactions(personalize)["import"]
    described = personalize.describe_dataset_import_job(datasetImportJobArn=job)["datasetImportJob"]
    assert described["status"] == "CREATE FAILED"
    assert "a data engine bug" in described["failureReason"]
    (failure,) = personalize_emulator_internal_failures.take()
    assert "a data engine bug" in failure


def no_retries() -> Any:
    import botocore.config

    return botocore.config.Config(retries={"total_max_attempts": 1})
