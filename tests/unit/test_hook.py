"""PersonalizeHook's table-driven helpers, against botocore's Stubber (so requests are checked
against the service model) and, for waits, a scripted sequence of Describe responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.loaders import JSONFileLoader
from botocore.stub import Stubber

from airflow_provider_personalize.hooks.personalize import (
    PersonalizeHook,
    PersonalizeResourceFailedError,
    PersonalizeRuntimeHook,
    PersonalizeWaitTimeoutError,
)
from airflow_provider_personalize.resources import (
    CAMPAIGN_UPDATE,
    DATASET_GROUP,
    DATASET_IMPORT_JOB,
    SOLUTION_VERSION,
)

GROUP_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-group/g"
DATASET_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset/g/INTERACTIONS"
IMPORT_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/j"
SOLUTION_ARN = "arn:aws:personalize:us-east-1:123456789012:solution/s"


@pytest.fixture
def hook_and_stub():
    hook = PersonalizeHook(aws_conn_id=None, region_name="us-east-1")
    client = boto3.client(
        "personalize", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    hook.__dict__["conn"] = client
    with Stubber(client) as stub:
        yield hook, stub
        stub.assert_no_pending_responses()


def import_job(status: str, **extra) -> dict:
    return {
        "datasetImportJob": {"datasetImportJobArn": IMPORT_ARN, "jobName": "j", "status": status, **extra}
    }


def test_hooks_use_their_clients():
    assert PersonalizeHook(aws_conn_id=None).client_type == "personalize"
    assert PersonalizeRuntimeHook(aws_conn_id=None).client_type == "personalize-runtime"


@pytest.fixture
def service_model_files_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The service model files botocore reads from disk from now on (paths without their extension)."""
    read: list[str] = []
    load_file = JSONFileLoader.load_file

    def record(loader: JSONFileLoader, file_path: str) -> Any:
        read.append(file_path)
        return load_file(loader, file_path)

    monkeypatch.setattr(JSONFileLoader, "load_file", record)
    return read


@pytest.mark.parametrize("hook_class", [PersonalizeHook, PersonalizeRuntimeHook])
def test_a_hooks_client_reads_no_service_model_file_another_hook_has_read(
    hook_class, service_model_files_read, monkeypatch, tmp_path
):
    # A data path of this test's own: its loader has read nothing yet, whatever ran before in the process.
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    hook_class(aws_conn_id=None, region_name="us-east-1").get_conn()
    assert any(hook_class.client_type in path for path in service_model_files_read)
    service_model_files_read.clear()

    hook_class(aws_conn_id=None, region_name="eu-west-1").get_conn()

    assert service_model_files_read == []


def test_a_deferrable_session_loads_service_models_through_the_same_loader_as_a_blocking_one():
    hook = PersonalizeHook(aws_conn_id=None, region_name="us-east-1")

    blocking = hook.get_session(region_name="us-east-1")
    deferrable = hook.get_session(region_name="us-east-1", deferrable=True)

    # boto3's session keeps botocore's in a private attribute (as the dependency contract tests say).
    assert deferrable.get_component("data_loader") is blocking._session.get_component("data_loader")


def test_sessions_with_another_data_path_load_their_own_service_models(monkeypatch, tmp_path):
    hook = PersonalizeHook(aws_conn_id=None, region_name="us-east-1")
    default_loader = hook.get_session()._session.get_component("data_loader")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))

    loader = hook.get_session()._session.get_component("data_loader")

    assert loader is not default_loader
    assert str(tmp_path) in loader.search_paths


def test_describe_and_status_read_the_table(hook_and_stub):
    hook, stub = hook_and_stub
    stub.add_response(
        "describe_dataset_import_job", import_job("ACTIVE"), {"datasetImportJobArn": IMPORT_ARN}
    )
    stub.add_response(
        "describe_dataset_import_job", import_job("CREATE PENDING"), {"datasetImportJobArn": IMPORT_ARN}
    )
    assert hook.describe(DATASET_IMPORT_JOB, IMPORT_ARN)["jobName"] == "j"
    assert hook.status(DATASET_IMPORT_JOB, IMPORT_ARN) == "CREATE PENDING"


def test_update_kinds_read_the_latest_update(hook_and_stub):
    hook, stub = hook_and_stub
    campaign_arn = "arn:aws:personalize:us-east-1:123456789012:campaign/c"
    stub.add_response(
        "describe_campaign",
        {
            "campaign": {
                "campaignArn": campaign_arn,
                "status": "ACTIVE",
                "latestCampaignUpdate": {"status": "CREATE IN_PROGRESS"},
            }
        },
        {"campaignArn": campaign_arn},
    )
    assert hook.status(CAMPAIGN_UPDATE, campaign_arn) == "CREATE IN_PROGRESS"


def test_create_returns_the_arn(hook_and_stub):
    hook, stub = hook_and_stub
    stub.add_response("create_dataset_group", {"datasetGroupArn": GROUP_ARN}, {"name": "g"})
    assert hook.create(DATASET_GROUP, {"name": "g"}) == GROUP_ARN


def test_find_by_name_pages_under_the_parent(hook_and_stub):
    hook, stub = hook_and_stub
    summary = {"datasetImportJobArn": "arn:other", "jobName": "other", "status": "ACTIVE"}
    stub.add_response(
        "list_dataset_import_jobs",
        {"datasetImportJobs": [summary], "nextToken": "page2"},
        {"datasetArn": DATASET_ARN, "maxResults": 100},
    )
    stub.add_response(
        "list_dataset_import_jobs",
        {"datasetImportJobs": [{"datasetImportJobArn": IMPORT_ARN, "jobName": "j", "status": "ACTIVE"}]},
        {"datasetArn": DATASET_ARN, "maxResults": 100, "nextToken": "page2"},
    )
    stub.add_response(
        "describe_dataset_import_job", import_job("ACTIVE"), {"datasetImportJobArn": IMPORT_ARN}
    )
    found = hook.find_by_name(DATASET_IMPORT_JOB, "j", DATASET_ARN)
    assert found is not None
    assert found["datasetImportJobArn"] == IMPORT_ARN


def test_find_by_name_without_a_parent_filter_lists_everything(hook_and_stub):
    hook, stub = hook_and_stub
    stub.add_response("list_dataset_groups", {"datasetGroups": []}, {"maxResults": 100})
    assert hook.find_by_name(DATASET_GROUP, "g") is None


def test_find_by_name_describes_solution_versions_whose_summaries_have_no_name(hook_and_stub):
    hook, stub = hook_and_stub
    # Listed oldest first; described newest first, so the version a retry looks for is found at once.
    versions = [f"{SOLUTION_ARN}/v{number}" for number in (1, 2, 3)]
    stub.add_response(
        "list_solution_versions",
        {
            "solutionVersions": [
                {"solutionVersionArn": arn, "status": "ACTIVE", "creationDateTime": datetime(2026, 1, day)}
                for day, arn in enumerate(versions, start=1)
            ]
        },
        {"solutionArn": SOLUTION_ARN, "maxResults": 100},
    )
    for arn, name in ((versions[2], "nightly-3"), (versions[1], "nightly-2")):
        stub.add_response(
            "describe_solution_version",
            {"solutionVersion": {"solutionVersionArn": arn, "name": name, "status": "ACTIVE"}},
            {"solutionVersionArn": arn},
        )
    found = hook.find_by_name(SOLUTION_VERSION, "nightly-2", SOLUTION_ARN)
    assert found is not None
    assert found["solutionVersionArn"] == versions[1]


def versions_of_a_year(stub, days: int, today: datetime) -> list[str]:
    """A nightly solution version for each of ``days`` days up to ``today``, listed newest first in pages
    of 100, each described on demand as ``nightly-<n>``."""
    arns = [f"{SOLUTION_ARN}/v{day}" for day in range(days)]
    summaries = [
        {
            "solutionVersionArn": arn,
            "status": "ACTIVE",
            "creationDateTime": today - timedelta(days=days - 1 - day),
        }
        for day, arn in enumerate(arns)
    ][::-1]
    for start in range(0, days, 100):
        request = {"solutionArn": SOLUTION_ARN, "maxResults": 100}
        if start:
            request["nextToken"] = str(start)
        page: dict[str, Any] = {"solutionVersions": summaries[start : start + 100]}
        if start + 100 < days:
            page["nextToken"] = str(start + 100)
        stub.add_response("list_solution_versions", page, request)
    return arns


@pytest.mark.parametrize("days", [365, 730])
def test_finding_a_runs_version_describes_only_those_created_since_the_run(hook_and_stub, days):
    # The run started an hour ago; its first try created tonight's version, which a retry looks for.
    hook, stub = hook_and_stub
    tonight = datetime(2026, 1, 1, 3, tzinfo=UTC)
    arns = versions_of_a_year(stub, days, tonight)
    stub.add_response(
        "describe_solution_version",
        {"solutionVersion": {"solutionVersionArn": arns[-1], "name": "tonight", "status": "ACTIVE"}},
        {"solutionVersionArn": arns[-1]},
    )
    found = hook.find_by_names(
        SOLUTION_VERSION,
        ["tonight", "tonight-redo1"],
        SOLUTION_ARN,
        created_since=tonight - timedelta(hours=1),
    )
    # One Describe whatever the history's length (the Stubber refuses any other request).
    assert list(found) == ["tonight"]


@pytest.mark.parametrize("days", [365, 730])
def test_a_first_try_finds_no_version_without_describing_the_history(hook_and_stub, days):
    hook, stub = hook_and_stub
    tonight = datetime(2026, 1, 1, 3, tzinfo=UTC)
    versions_of_a_year(stub, days, tonight - timedelta(hours=2))
    assert hook.find_by_names(SOLUTION_VERSION, ["tonight"], SOLUTION_ARN, created_since=tonight) == {}


def test_stop_creation_only_for_stoppable_kinds(hook_and_stub):
    hook, stub = hook_and_stub
    version_arn = f"{SOLUTION_ARN}/v1"
    stub.add_response("stop_solution_version_creation", {}, {"solutionVersionArn": version_arn})
    hook.stop_creation(SOLUTION_VERSION, version_arn)
    with pytest.raises(ValueError, match="cannot be stopped"):
        hook.stop_creation(DATASET_IMPORT_JOB, IMPORT_ARN)


def test_wait_logs_each_status_change_once_and_returns_the_description(hook_and_stub, capsys):
    hook, stub = hook_and_stub
    for status in ("CREATE PENDING", "CREATE PENDING", "CREATE IN_PROGRESS", "CREATE IN_PROGRESS", "ACTIVE"):
        stub.add_response(
            "describe_dataset_import_job", import_job(status), {"datasetImportJobArn": IMPORT_ARN}
        )
    description = hook.wait(DATASET_IMPORT_JOB, IMPORT_ARN, waiter_delay=0, waiter_max_attempts=5)
    assert description["status"] == "ACTIVE"
    # Airflow logs through structlog to stdout.
    status_lines = [line for line in capsys.readouterr().out.splitlines() if IMPORT_ARN in line]
    assert len(status_lines) == 3
    assert "is ACTIVE" in status_lines[-1]


def test_wait_raises_with_arn_status_and_failure_reason(hook_and_stub):
    hook, stub = hook_and_stub
    stub.add_response(
        "describe_dataset_import_job",
        import_job("CREATE FAILED", failureReason="Input CSV is missing the following columns: [ITEM_ID]"),
        {"datasetImportJobArn": IMPORT_ARN},
    )
    with pytest.raises(PersonalizeResourceFailedError) as raised:
        hook.wait(DATASET_IMPORT_JOB, IMPORT_ARN, waiter_delay=0, waiter_max_attempts=3)
    message = str(raised.value)
    assert IMPORT_ARN in message
    assert "CREATE FAILED" in message
    assert "missing the following columns" in message
    assert raised.value.failure_reason.startswith("Input CSV")


def test_wait_times_out_naming_the_arn_and_last_status(hook_and_stub):
    hook, stub = hook_and_stub
    for _ in range(2):
        stub.add_response(
            "describe_dataset_import_job",
            import_job("CREATE IN_PROGRESS"),
            {"datasetImportJobArn": IMPORT_ARN},
        )
    with pytest.raises(PersonalizeWaitTimeoutError, match="CREATE IN_PROGRESS") as raised:
        hook.wait(DATASET_IMPORT_JOB, IMPORT_ARN, waiter_delay=0, waiter_max_attempts=2)
    assert IMPORT_ARN in str(raised.value)


def test_an_unknown_status_ends_the_wait_as_a_failure(hook_and_stub):
    hook, stub = hook_and_stub
    stub.add_response(
        "describe_dataset_import_job", import_job("SOMETHING NEW"), {"datasetImportJobArn": IMPORT_ARN}
    )
    with pytest.raises(PersonalizeResourceFailedError, match="SOMETHING NEW"):
        hook.wait(DATASET_IMPORT_JOB, IMPORT_ARN, waiter_delay=0, waiter_max_attempts=3)
