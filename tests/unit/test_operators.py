"""The create-and-wait machine and the operators declared on it (and the update declarations' consistency).

The AWS client is a MagicMock behind a real PersonalizeHook, so the hook's table-driven logic runs and
every request the operator sends (or does not send) is recorded. Service failures are simulated by
scripted Describe responses here; integration tests drive the same paths against the emulator.
"""

from __future__ import annotations

import inspect
import json
import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import boto3
import pytest
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException, TaskDeferred
from airflow.providers.standard.triggers.temporal import DateTimeTrigger
from botocore.exceptions import ClientError

from airflow_provider_personalize.hooks.request_model import InvalidRequestError, request_keywords
from airflow_provider_personalize.hooks.retries import QuotaWaitExpiredError, RateLimitPolicy
from airflow_provider_personalize.operators import personalize as operators
from airflow_provider_personalize.operators._base import (
    PersonalizeBaseOperator,
    PersonalizeCreateBaseOperator,
    PersonalizeUpdateBaseOperator,
    run_scoped_name,
)
from airflow_provider_personalize.operators._existing import differences, redo_names
from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateSchemaOperator,
    PersonalizeCreateSolutionVersionOperator,
)
from airflow_provider_personalize.resources import (
    DATASET_IMPORT_JOB,
    SOLUTION_VERSION,
    ResourceKind,
    UpdateKind,
)
from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger
from airflow_provider_personalize.waits import PersonalizeResourceFailedError, PersonalizeWaitTimeoutError

DATASET_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset/g/INTERACTIONS"
GROUP_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-group/g"
IMPORT_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/j"
SOLUTION_ARN = "arn:aws:personalize:us-east-1:123456789012:solution/s"
LOGICAL_DATE = datetime(2026, 1, 2, tzinfo=UTC)
REAL_CLIENT = boto3.client(
    "personalize", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
)

DECLARATIONS = [
    cls
    for _, cls in inspect.getmembers(operators, inspect.isclass)
    if issubclass(cls, PersonalizeBaseOperator) and cls.__module__ == operators.__name__
]
OPERATOR_CLASSES = [cls for cls in DECLARATIONS if issubclass(cls, PersonalizeCreateBaseOperator)]


def make_context(
    dag_id: str = "nightly",
    task_id: str = "import_interactions",
    logical_date: datetime | None = LOGICAL_DATE,
    run_id: str = "scheduled__2026-01-02T00:00:00+00:00",
    map_index: int = -1,
) -> dict:
    task_instance = mock.MagicMock(dag_id=dag_id, task_id=task_id, run_id=run_id, map_index=map_index)
    return {"ti": task_instance, "logical_date": logical_date}


def with_client(operator: PersonalizeCreateBaseOperator) -> mock.MagicMock:
    """Give the operator's (real) hook a recording client; return the client."""
    # Specced on a real client: a method the service lacks fails, and the hook sees a botocore client.
    client = mock.MagicMock(spec=REAL_CLIENT)
    client.meta.region_name = "us-east-1"
    client.meta.partition = "aws"
    operator.hook.__dict__["conn"] = client
    return client


def already_exists(operation: str = "CreateDatasetImportJob") -> ClientError:
    return ClientError({"Error": {"Code": "ResourceAlreadyExistsException", "Message": "exists"}}, operation)


def import_job(status: str, **extra) -> dict:
    return {
        "datasetImportJob": {"datasetImportJobArn": IMPORT_ARN, "jobName": "j", "status": status, **extra}
    }


def import_operator(**kwargs) -> PersonalizeCreateDatasetImportJobOperator:
    arguments = {
        "task_id": "import_interactions",
        "dataset_arn": DATASET_ARN,
        "data_source": "s3://bucket/interactions.csv",
        "aws_conn_id": None,
        "region_name": "us-east-1",
        "waiter_delay": 0,
        **kwargs,
    }
    return PersonalizeCreateDatasetImportJobOperator(**arguments)


# Declarations


def test_every_create_request_has_an_operator():
    assert {cls.resource_kind.key for cls in OPERATOR_CLASSES} == {
        "dataset_group",
        "schema",
        "dataset",
        "dataset_import_job",
        "dataset_export_job",
        "data_deletion_job",
        "solution",
        "solution_version",
        "campaign",
        "batch_inference_job",
        "batch_segment_job",
        "recommender",
        "filter",
        "event_tracker",
        "metric_attribution",
    }


def request_method(cls: type[PersonalizeBaseOperator]) -> str:
    kind = cls.resource_kind
    return kind.create_method if isinstance(kind, ResourceKind) else kind.update_method


def test_create_operators_create_and_update_operators_update():
    assert all(isinstance(cls.resource_kind, ResourceKind) for cls in OPERATOR_CLASSES)
    updates = [cls for cls in DECLARATIONS if issubclass(cls, PersonalizeUpdateBaseOperator)]
    assert {cls.resource_kind.key for cls in updates} == {"campaign_update", "solution_update"}
    assert all(isinstance(cls.resource_kind, UpdateKind) for cls in updates)
    assert len(DECLARATIONS) == len(OPERATOR_CLASSES) + len(updates) == 17


@pytest.mark.parametrize("cls", DECLARATIONS, ids=lambda cls: cls.__name__)
def test_request_parameters_are_exactly_the_api_members_in_snake_case(cls):
    assert sorted(cls.request_parameters) == sorted(request_keywords(request_method(cls)))


@pytest.mark.parametrize("cls", DECLARATIONS, ids=lambda cls: cls.__name__)
def test_request_parameters_are_exactly_the_keywords_the_declaration_takes(cls):
    own = inspect.signature(cls.__init__).parameters.values()
    keywords = [parameter.name for parameter in own if parameter.kind is parameter.KEYWORD_ONLY]
    assert keywords == list(cls.request_parameters)


@pytest.mark.parametrize("cls", DECLARATIONS, ids=lambda cls: cls.__name__)
def test_every_member_is_templated_and_documented(cls):
    assert set(cls.request_parameters) <= set(cls.template_fields)
    assert {"aws_conn_id", "region_name", "verify"} <= set(cls.template_fields)
    for parameter in cls.request_parameters:
        assert f":param {parameter}:" in cls.__doc__


@pytest.mark.parametrize("cls", DECLARATIONS, ids=lambda cls: cls.__name__)
def test_every_declared_keyword_reaches_the_request(cls):
    values = {parameter: f"value-of-{parameter}" for parameter in cls.request_parameters}
    operator = cls(task_id="declared", **values)
    assert operator.request_arguments() == values
    assert {parameter: getattr(operator, parameter) for parameter in cls.request_parameters} == values


def test_waits_default_to_the_kind_and_can_be_overridden():
    kind = SOLUTION_VERSION
    operator = PersonalizeCreateSolutionVersionOperator(task_id="train", solution_arn=SOLUTION_ARN)
    assert (operator.waiter_delay, operator.waiter_max_attempts) == (
        kind.waiter_delay,
        kind.waiter_max_attempts,
    )
    operator = PersonalizeCreateSolutionVersionOperator(
        task_id="train2", solution_arn=SOLUTION_ARN, waiter_delay=5, waiter_max_attempts=7
    )
    assert (operator.waiter_delay, operator.waiter_max_attempts) == (5, 7)


def test_if_exists_is_checked_when_the_dag_is_parsed():
    with pytest.raises(ValueError, match="if_exists"):
        import_operator(if_exists="overwrite")


# 1. Validation: after rendering, before any request


def test_bad_values_fail_naming_each_keyword_and_nothing_is_sent():
    operator = import_operator(
        job_name="-starts-with-a-dash",
        data_source="s3://Not_A_Bucket/x.csv",
        import_mode="HALF",
        tags={"team": "recs"},
    )
    client = with_client(operator)
    with pytest.raises(InvalidRequestError) as raised:
        operator.execute(make_context())
    message = str(raised.value)
    for keyword in ("job_name", "data_source", "import_mode"):
        assert keyword in message
    assert "tags" not in message
    assert client.mock_calls == []


def test_a_missing_required_member_is_named():
    operator = import_operator(dataset_arn=None)
    client = with_client(operator)
    with pytest.raises(ValueError, match="dataset_arn: required"):
        operator.execute(make_context())
    assert client.mock_calls == []


def test_conveniences_become_the_api_structures():
    operator = import_operator(
        job_name="j",
        tags={"team": "recs"},
        publish_attribution_metrics_to_s3="False",  # as a template renders it
        wait_for_completion=False,
    )
    client = with_client(operator)
    client.create_dataset_import_job.return_value = {"datasetImportJobArn": IMPORT_ARN}
    assert operator.execute(make_context()) == IMPORT_ARN
    client.create_dataset_import_job.assert_called_once_with(
        jobName="j",
        datasetArn=DATASET_ARN,
        dataSource={"dataLocation": "s3://bucket/interactions.csv"},
        publishAttributionMetricsToS3=False,
        tags=[{"tagKey": "team", "tagValue": "recs"}],
    )


def test_a_schema_may_be_given_as_a_dict_and_is_not_waited_for():
    fields = [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"}]
    schema = {
        "type": "record",
        "name": "Interactions",
        "fields": [*fields, {"name": "TIMESTAMP", "type": "long"}],
    }
    operator = PersonalizeCreateSchemaOperator(
        task_id="schema", name="interactions", schema=schema, aws_conn_id=None, region_name="us-east-1"
    )
    client = with_client(operator)
    client.create_schema.return_value = {"schemaArn": "arn:schema"}
    assert operator.execute(make_context()) == "arn:schema"
    assert json.loads(client.create_schema.call_args.kwargs["schema"]) == schema
    client.describe_schema.assert_not_called()


# 2. Default names


def test_job_names_default_to_the_run():
    operator = import_operator(wait_for_completion=False)
    client = with_client(operator)
    client.create_dataset_import_job.return_value = {"datasetImportJobArn": IMPORT_ARN}
    operator.execute(make_context())
    assert client.create_dataset_import_job.call_args.kwargs["jobName"] == (
        "nightly-import_interactions-20260102T000000"
    )


def test_the_same_run_gets_the_same_name_and_a_new_run_a_new_one():
    assert run_scoped_name(make_context()) == run_scoped_name(make_context())
    later = make_context(logical_date=datetime(2026, 1, 3, tzinfo=UTC))
    assert run_scoped_name(later) != run_scoped_name(make_context())


def test_mapped_tasks_get_one_name_per_index():
    names = {run_scoped_name(make_context(map_index=index)) for index in range(3)}
    assert len(names) == 3


def test_runs_without_a_logical_date_use_the_run_id():
    name = run_scoped_name(make_context(logical_date=None, run_id="manual__2026-01-02T03:04:05+00:00"))
    assert name == "nightly-import_interactions-manual__2026-01-02T03-04-05-00-00"


NAME_PATTERN = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*")


def test_names_are_sanitised_to_the_api_pattern():
    name = run_scoped_name(make_context(dag_id="_team.recs", task_id="group.import job"))
    assert NAME_PATTERN.fullmatch(name)
    assert name.startswith("team-recs-group-import-job-")


def test_long_names_are_cut_to_63_characters_and_stay_distinct():
    long_dag = "d" * 80
    first = run_scoped_name(make_context(dag_id=long_dag, task_id="import_a"))
    second = run_scoped_name(make_context(dag_id=long_dag, task_id="import_b"))
    assert len(first) == len(second) == 63
    assert first != second
    assert NAME_PATTERN.fullmatch(first)


def test_a_given_name_is_kept():
    operator = import_operator(job_name="my-import", wait_for_completion=False)
    client = with_client(operator)
    client.create_dataset_import_job.return_value = {"datasetImportJobArn": IMPORT_ARN}
    operator.execute(make_context())
    assert client.create_dataset_import_job.call_args.kwargs["jobName"] == "my-import"


# 3. Idempotent create


def adopting(status: str, **extra) -> tuple[PersonalizeCreateDatasetImportJobOperator, mock.MagicMock]:
    operator = import_operator(job_name="j")
    client = with_client(operator)
    client.create_dataset_import_job.side_effect = already_exists()
    client.list_dataset_import_jobs.return_value = {
        "datasetImportJobs": [{"datasetImportJobArn": IMPORT_ARN, "jobName": "j", "status": status}]
    }
    client.describe_dataset_import_job.return_value = import_job(status, **extra)
    return operator, client


def test_an_existing_active_resource_is_adopted_without_waiting():
    operator, client = adopting("ACTIVE")
    assert operator.execute(make_context()) == IMPORT_ARN
    client.list_dataset_import_jobs.assert_called_once_with(maxResults=100, datasetArn=DATASET_ARN)
    # One describe: the adoption's; no wait.
    assert client.describe_dataset_import_job.call_count == 1


def test_an_existing_resource_in_progress_is_waited_for():
    operator, client = adopting("CREATE IN_PROGRESS")
    client.describe_dataset_import_job.side_effect = [
        import_job("CREATE IN_PROGRESS"),
        import_job("CREATE IN_PROGRESS"),
        import_job("ACTIVE"),
    ]
    assert operator.execute(make_context()) == IMPORT_ARN
    assert client.describe_dataset_import_job.call_count == 3


def test_a_runs_failed_job_is_redone_under_a_derived_name():
    operator, client = adopting(
        "CREATE FAILED", failureReason="Insufficient privileges for accessing data in S3."
    )
    redo_arn = f"{IMPORT_ARN}-redo1"
    client.create_dataset_import_job.side_effect = [already_exists(), {"datasetImportJobArn": redo_arn}]
    client.describe_dataset_import_job.side_effect = [
        import_job("CREATE FAILED", failureReason="Insufficient privileges for accessing data in S3."),
        import_job("ACTIVE"),
    ]
    assert operator.execute(make_context()) == redo_arn
    assert [call.kwargs["jobName"] for call in client.create_dataset_import_job.call_args_list] == [
        "j",
        "j-redo1",
    ]


def test_a_redo_under_way_is_found_by_the_next_try():
    operator, client = adopting("CREATE FAILED")
    client.list_dataset_import_jobs.return_value = {
        "datasetImportJobs": [
            {"datasetImportJobArn": IMPORT_ARN, "jobName": "j", "status": "CREATE FAILED"},
            {"datasetImportJobArn": f"{IMPORT_ARN}-redo1", "jobName": "j-redo1", "status": "CREATE FAILED"},
            {
                "datasetImportJobArn": f"{IMPORT_ARN}-redo2",
                "jobName": "j-redo2",
                "status": "CREATE IN_PROGRESS",
            },
        ]
    }
    redo2 = {"datasetImportJobArn": f"{IMPORT_ARN}-redo2", "jobName": "j-redo2"}
    client.describe_dataset_import_job.side_effect = [
        import_job("CREATE FAILED"),
        import_job("CREATE FAILED"),
        {"datasetImportJob": {**redo2, "status": "CREATE IN_PROGRESS"}},
        {"datasetImportJob": {**redo2, "status": "ACTIVE"}},
    ]
    assert operator.execute(make_context()) == f"{IMPORT_ARN}-redo2"
    client.create_dataset_import_job.assert_called_once()  # the first, refused as a duplicate


def test_redo_names_are_the_same_for_every_try_and_fit_the_api():
    long_name = run_scoped_name(make_context(dag_id="d" * 80))
    names = redo_names(long_name)
    assert names == redo_names(long_name)
    assert names[0] == long_name and names[3].endswith("-redo3")
    assert len(set(names)) == len(names)
    assert all(len(name) <= 63 and NAME_PATTERN.fullmatch(name) for name in names)


def test_a_resource_that_is_not_a_runs_job_fails_with_its_reason():
    operator = PersonalizeCreateDatasetGroupOperator(
        task_id="group", name="g", aws_conn_id=None, region_name="us-east-1"
    )
    client = with_client(operator)
    client.create_dataset_group.side_effect = already_exists("CreateDatasetGroup")
    group = {"datasetGroupArn": GROUP_ARN, "name": "g", "status": "CREATE FAILED", "failureReason": "KMS"}
    client.list_dataset_groups.return_value = {"datasetGroups": [group]}
    client.describe_dataset_group.return_value = {"datasetGroup": group}
    with pytest.raises(PersonalizeResourceFailedError, match="KMS") as raised:
        operator.execute(make_context())
    assert GROUP_ARN in str(raised.value)
    client.create_dataset_group.assert_called_once()


def test_a_runs_job_that_succeeded_is_reused_saying_how_to_force_a_new_one(capsys):
    operator, _ = adopting("ACTIVE")
    assert operator.execute(make_context()) == IMPORT_ARN
    assert "set if_exists='new' on the task and clear it" in capsys.readouterr().out


def test_if_exists_new_creates_a_new_job_even_if_the_runs_succeeded():
    operator, client = adopting("ACTIVE")
    operator.if_exists = "new"
    client.create_dataset_import_job.side_effect = [
        already_exists(),
        {"datasetImportJobArn": f"{IMPORT_ARN}-redo1"},
    ]
    client.describe_dataset_import_job.side_effect = [import_job("ACTIVE"), import_job("ACTIVE")]
    assert operator.execute(make_context()) == f"{IMPORT_ARN}-redo1"
    assert client.create_dataset_import_job.call_args.kwargs["jobName"] == "j-redo1"


def test_if_exists_new_is_for_what_a_run_creates_anew():
    with pytest.raises(ValueError, match="if_exists='new' is for jobs and solution versions"):
        PersonalizeCreateDatasetGroupOperator(task_id="group", name="g", if_exists="new")


# Adoption compares settings


def adopting_group(
    existing: dict, **arguments
) -> tuple[PersonalizeCreateDatasetGroupOperator, mock.MagicMock]:
    operator = PersonalizeCreateDatasetGroupOperator(
        task_id="group", name="g", aws_conn_id=None, region_name="us-east-1", **arguments
    )
    client = with_client(operator)
    client.create_dataset_group.side_effect = already_exists("CreateDatasetGroup")
    group = {"datasetGroupArn": GROUP_ARN, "name": "g", "status": "ACTIVE", **existing}
    client.list_dataset_groups.return_value = {"datasetGroups": [group]}
    client.describe_dataset_group.return_value = {"datasetGroup": group}
    return operator, client


def test_adopting_a_resource_with_other_settings_fails_with_a_table():
    operator, _ = adopting_group({"domain": "ECOMMERCE"}, domain="VIDEO_ON_DEMAND")
    with pytest.raises(AirflowFailException) as raised:
        operator.execute(make_context())
    message = str(raised.value)
    assert f"already exists ({GROUP_ARN}) with other settings" in message
    assert re.search(r"member +\| requested +\| existing", message)
    assert re.search(r"domain +\| VIDEO_ON_DEMAND +\| ECOMMERCE", message)
    assert "compare_existing=False" in message


def test_a_member_left_out_matches_what_the_service_filled_in_and_enums_take_any_case():
    operator, _ = adopting_group({"domain": "ECOMMERCE"})
    assert operator.execute(make_context()) == GROUP_ARN
    # CreateDataset takes datasetType "(case insensitive)":
    # https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDataset.html
    assert (
        differences(
            "create_dataset", "name", {"datasetType": "INTERACTIONS"}, {"datasetType": "Interactions"}
        )
        == []
    )


def test_compare_existing_false_reuses_whatever_the_settings():
    operator, _ = adopting_group({"domain": "ECOMMERCE"}, domain="VIDEO_ON_DEMAND", compare_existing=False)
    assert operator.execute(make_context()) == GROUP_ARN


def test_nested_settings_compare_member_by_member_and_json_text_as_json():
    assert (
        differences(
            "create_campaign",
            "name",
            {
                "minProvisionedTPS": 1,
                "campaignConfig": {"itemExplorationConfig": {"explorationWeight": "0.3"}},
            },
            {
                "minProvisionedTPS": 1,
                "campaignConfig": {
                    "itemExplorationConfig": {"explorationWeight": "0.3"},
                    "enableMetadata": False,
                },
            },
        )
        == []
    )
    found = differences("create_campaign", "name", {"minProvisionedTPS": 2}, {"minProvisionedTPS": 1})
    assert [(d.member, d.requested, d.existing) for d in found] == [("minProvisionedTPS", 2, 1)]
    schema = '{"type": "record", "name": "Interactions", "fields": []}'
    assert differences("create_schema", "name", {"schema": schema}, {"schema": schema.replace(" ", "")}) == []


def test_a_second_dataset_of_a_type_is_refused_naming_the_one_that_holds_the_type():
    operator = operators.PersonalizeCreateDatasetOperator(
        task_id="dataset",
        name="interactions-2",
        schema_arn="arn:aws:personalize:us-east-1:123456789012:schema/s",
        dataset_group_arn=GROUP_ARN,
        dataset_type="Interactions",
        aws_conn_id=None,
        region_name="us-east-1",
    )
    client = with_client(operator)
    client.create_dataset.side_effect = already_exists("CreateDataset")
    client.list_datasets.return_value = {
        "datasets": [{"datasetArn": DATASET_ARN, "name": "interactions", "datasetType": "INTERACTIONS"}]
    }
    with pytest.raises(AirflowFailException) as raised:
        operator.execute(make_context())
    message = str(raised.value)
    assert "the name is free" in message
    holder = f"'interactions' ({DATASET_ARN})"
    assert f"per datasetType and its datasetType INTERACTIONS is taken by {holder}" in message
    assert "choose another name" not in message


def test_if_exists_fail_refuses_an_existing_resource():
    operator, client = adopting("ACTIVE")
    operator.if_exists = "fail"
    with pytest.raises(AirflowException, match=f"already exists: {IMPORT_ARN}"):
        operator.execute(make_context())
    client.describe_dataset_import_job.assert_called_once()  # the lookup's, no wait


def test_a_name_taken_outside_the_parent_is_reported():
    operator, client = adopting("ACTIVE")
    client.list_dataset_import_jobs.return_value = {"datasetImportJobs": []}
    with pytest.raises(AirflowException, match="choose another name"):
        operator.execute(make_context())


def test_other_service_errors_propagate():
    operator = import_operator()
    client = with_client(operator)
    client.create_dataset_import_job.side_effect = ClientError(
        {"Error": {"Code": "InvalidInputException", "Message": "The role cannot be assumed"}},
        "CreateDatasetImportJob",
    )
    with pytest.raises(ClientError, match="cannot be assumed"):
        operator.execute(make_context())
    client.create_dataset_import_job.assert_called_once()


# 3b. Pending-jobs quotas: waited out within the task's budget

QUOTA_MESSAGE = "More than 5 resources with PENDING or IN_PROGRESS status."


def quota_refusal(message: str = QUOTA_MESSAGE) -> ClientError:
    return ClientError(
        {"Error": {"Code": "LimitExceededException", "Message": message}}, "CreateDatasetImportJob"
    )


def refused_then_created(
    refusals: int, **kwargs
) -> tuple[PersonalizeCreateDatasetImportJobOperator, mock.MagicMock, list]:
    """An import whose Create the quota refuses ``refusals`` times, then accepts; its hook records its
    sleeps instead of sleeping."""
    operator, client = created(wait_for_completion=False, **kwargs)
    client.create_dataset_import_job.side_effect = [quota_refusal()] * refusals + [
        {"datasetImportJobArn": IMPORT_ARN}
    ]
    sleeps: list[float] = []
    operator.hook.sleep = sleeps.append
    return operator, client, sleeps


def test_a_create_refused_by_the_pending_jobs_quota_is_tried_again_until_accepted(capsys):
    operator, client, sleeps = refused_then_created(3, waiter_delay=30, waiter_max_attempts=10)
    assert operator.execute(make_context()) == IMPORT_ARN
    assert client.create_dataset_import_job.call_count == 4
    # Every waiter_delay, shortened by up to 20 % so that refused tasks spread out.
    assert len(sleeps) == 3 and all(24 <= delay <= 30 for delay in sleeps)
    refusals = [line for line in capsys.readouterr().out.splitlines() if "quota reached" in line]
    assert len(refusals) == 3
    assert "at most 5 dataset import jobs pending or in progress per region" in refusals[0]
    assert QUOTA_MESSAGE in refusals[0]
    assert "waited 0s of 5m00s" in refusals[0]


def test_a_quota_that_does_not_clear_within_the_tasks_budget_fails_the_task_saying_which():
    operator, client = created(waiter_delay=30, waiter_max_attempts=10)
    client.create_dataset_import_job.side_effect = quota_refusal()
    clock = iter(range(0, 10_000, 100))  # each refusal comes 100 s after the one before
    with (
        mock.patch("airflow_provider_personalize.hooks.retries.datetime") as fake_datetime,
        mock.patch.object(operator.hook, "sleep"),
    ):
        fake_datetime.now.side_effect = lambda tz: LOGICAL_DATE + timedelta(seconds=next(clock))
        with pytest.raises(QuotaWaitExpiredError) as raised:
            operator.execute(make_context())
    message = str(raised.value)
    assert "the task's budget (5m00s, waiter_delay x waiter_max_attempts)" in message
    assert "at most 5 dataset import jobs pending or in progress per region" in message
    assert "Raise waiter_max_attempts" in message


def test_deferrable_waits_out_a_quota_on_a_timer_in_the_triggerer_and_keeps_its_budget():
    operator, client, _ = refused_then_created(2, deferrable=True, waiter_delay=30, waiter_max_attempts=10)
    with pytest.raises(TaskDeferred) as deferred:
        operator.execute(make_context())
    assert isinstance(deferred.value.trigger, DateTimeTrigger)  # holds no worker slot
    assert deferred.value.method_name == "execute_after_quota_wait"
    started = deferred.value.kwargs["quota_wait_started"]
    moment = deferred.value.trigger.moment
    assert timedelta(seconds=23) < moment - datetime.now(UTC) <= timedelta(seconds=30)

    # Resumed and refused again: the same wait (its start) goes on.
    with pytest.raises(TaskDeferred) as deferred_again:
        operator.execute_after_quota_wait(make_context(), event=moment, **deferred.value.kwargs)
    assert deferred_again.value.kwargs["quota_wait_started"] == started

    # Accepted: then the usual wait for the job, in the triggerer.
    with pytest.raises(TaskDeferred) as waiting:
        operator.execute_after_quota_wait(make_context(), event=moment, **deferred_again.value.kwargs)
    assert isinstance(waiting.value.trigger, PersonalizeResourceTrigger)
    assert client.create_dataset_import_job.call_count == 3


def test_a_rate_limit_on_a_create_is_retried_at_once_not_waited_out_as_a_quota():
    operator, client = created(wait_for_completion=False)
    operator.hook.rate_limit_policy = RateLimitPolicy(base_delay=0)
    client.create_dataset_import_job.side_effect = [
        quota_refusal("Rate exceeded"),
        ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "X"),
        {"datasetImportJobArn": IMPORT_ARN},
    ]
    sleeps: list[float] = []
    operator.hook.sleep = sleeps.append
    assert operator.execute(make_context()) == IMPORT_ARN
    assert sleeps == [0, 0]  # the rate-limit policy's backoff, not the quota wait's waiter_delay


# 4. Waiting


def created(**kwargs) -> tuple[PersonalizeCreateDatasetImportJobOperator, mock.MagicMock]:
    operator = import_operator(**kwargs)
    client = with_client(operator)
    client.create_dataset_import_job.return_value = {"datasetImportJobArn": IMPORT_ARN}
    return operator, client


def test_without_waiting_the_arn_is_returned_at_once():
    operator, client = created(wait_for_completion=False)
    assert operator.execute(make_context()) == IMPORT_ARN
    client.describe_dataset_import_job.assert_not_called()


def test_blocking_wait_returns_the_arn_when_active():
    operator, client = created()
    client.describe_dataset_import_job.side_effect = [import_job("CREATE PENDING"), import_job("ACTIVE")]
    assert operator.execute(make_context()) == IMPORT_ARN


def test_blocking_wait_fails_with_arn_status_and_reason():
    operator, client = created()
    client.describe_dataset_import_job.return_value = import_job(
        "CREATE FAILED", failureReason="Input CSV is missing the following columns: [TIMESTAMP]"
    )
    with pytest.raises(PersonalizeResourceFailedError) as raised:
        operator.execute(make_context())
    assert IMPORT_ARN in str(raised.value)
    assert "CREATE FAILED" in str(raised.value)
    assert "TIMESTAMP" in str(raised.value)


def test_blocking_wait_times_out_after_the_attempts():
    operator, client = created(waiter_max_attempts=2)
    client.describe_dataset_import_job.return_value = import_job("CREATE IN_PROGRESS")
    with pytest.raises(PersonalizeWaitTimeoutError, match="after 2 polls"):
        operator.execute(make_context())
    assert client.describe_dataset_import_job.call_count == 2


def test_deferrable_defers_to_the_trigger_with_the_tasks_connection():
    operator, client = created(deferrable=True, waiter_delay=45, waiter_max_attempts=9)
    with pytest.raises(TaskDeferred) as deferred:
        operator.execute(make_context())
    trigger = deferred.value.trigger
    assert isinstance(trigger, PersonalizeResourceTrigger)
    assert trigger.kind is DATASET_IMPORT_JOB
    assert deferred.value.method_name == "execute_complete"
    _, trigger_kwargs = trigger.serialize()
    assert trigger_kwargs["kind"] == "dataset_import_job"
    assert trigger_kwargs["arn"] == IMPORT_ARN
    assert trigger_kwargs["waiter_delay"] == 45
    assert trigger_kwargs["waiter_max_attempts"] == 9
    # Backed-off polls would outlast the blocking wait: the trigger keeps its time budget instead.
    assert trigger_kwargs["timeout"] == 45 * 9
    assert trigger_kwargs["aws_conn_id"] is None
    assert trigger_kwargs["region_name"] == "us-east-1"
    client.describe_dataset_import_job.assert_not_called()


def test_execute_complete_turns_events_into_the_arn_or_the_error():
    operator = import_operator()
    success = {
        "status": "success",
        "kind": "dataset_import_job",
        "arn": IMPORT_ARN,
        "resource_status": "ACTIVE",
    }
    assert operator.execute_complete(make_context(), success) == IMPORT_ARN
    failure = {
        **success,
        "status": "failure",
        "resource_status": "CREATE FAILED",
        "failure_reason": "Invalid S3 input path",
        "message": f"{IMPORT_ARN} ended in status 'CREATE FAILED': Invalid S3 input path",
    }
    with pytest.raises(PersonalizeResourceFailedError, match="Invalid S3 input path"):
        operator.execute_complete(make_context(), failure)
    timeout = {**success, "status": "timeout", "resource_status": "CREATE IN_PROGRESS", "message": "too slow"}
    with pytest.raises(PersonalizeWaitTimeoutError, match="too slow"):
        operator.execute_complete(make_context(), timeout)
    with pytest.raises(AirflowException, match="event is None"):
        operator.execute_complete(make_context(), None)


def test_the_console_link_is_persisted_with_the_arn():
    operator, _ = created(wait_for_completion=False)
    context = make_context()
    operator.execute(context)
    context["ti"].xcom_push.assert_called_once()
    pushed = context["ti"].xcom_push.call_args.kwargs
    assert pushed["key"] == "personalize_resource"
    assert pushed["value"]["resource_arn"] == IMPORT_ARN
    assert pushed["value"]["region_name"] == "us-east-1"
    assert pushed["value"]["aws_domain"] == "aws.amazon.com"


def test_killing_a_training_stops_it():
    operator = PersonalizeCreateSolutionVersionOperator(
        task_id="train", solution_arn=SOLUTION_ARN, aws_conn_id=None, region_name="us-east-1"
    )
    client = with_client(operator)
    version_arn = f"{SOLUTION_ARN}/v1"
    client.list_solution_versions.return_value = {"solutionVersions": []}
    client.create_solution_version.return_value = {"solutionVersionArn": version_arn}
    operator.wait_for_completion = False
    operator.execute(make_context(task_id="train"))
    operator.on_kill()
    client.stop_solution_version_creation.assert_called_once_with(solutionVersionArn=version_arn)


def test_killing_a_task_whose_kind_cannot_be_stopped_sends_nothing():
    operator, client = created(wait_for_completion=False)
    operator.execute(make_context())
    client.reset_mock()
    operator.on_kill()
    assert client.mock_calls == []


def test_resources_named_by_the_user_get_no_default_name():
    operator = PersonalizeCreateDatasetGroupOperator(
        task_id="group", name=None, aws_conn_id=None, region_name="us-east-1"
    )
    client = with_client(operator)
    with pytest.raises(ValueError, match="name: required"):
        operator.execute(make_context())
    assert client.mock_calls == []


def solution_version_operator() -> tuple[PersonalizeCreateSolutionVersionOperator, mock.MagicMock]:
    operator = PersonalizeCreateSolutionVersionOperator(
        task_id="train", solution_arn=SOLUTION_ARN, aws_conn_id=None, region_name="us-east-1", waiter_delay=0
    )
    return operator, with_client(operator)


def test_a_training_of_the_same_run_is_found_before_creating_another():
    # The service is not known to refuse a second solution version of the same name, so the machine
    # looks first: a retry must not pay for a second training.
    operator, client = solution_version_operator()
    name = run_scoped_name(make_context(task_id="train"))
    version_arn = f"{SOLUTION_ARN}/v1"
    client.list_solution_versions.return_value = {
        "solutionVersions": [{"solutionVersionArn": version_arn, "status": "ACTIVE"}]
    }
    client.describe_solution_version.return_value = {
        "solutionVersion": {"solutionVersionArn": version_arn, "name": name, "status": "ACTIVE"}
    }
    assert operator.execute(make_context(task_id="train")) == version_arn
    client.create_solution_version.assert_not_called()


def test_a_new_run_trains_a_new_version():
    operator, client = solution_version_operator()
    old_arn, new_arn = f"{SOLUTION_ARN}/v1", f"{SOLUTION_ARN}/v2"
    client.list_solution_versions.return_value = {
        "solutionVersions": [{"solutionVersionArn": old_arn, "status": "ACTIVE"}]
    }
    client.describe_solution_version.side_effect = [
        {"solutionVersion": {"solutionVersionArn": old_arn, "name": "yesterday", "status": "ACTIVE"}},
        {"solutionVersion": {"solutionVersionArn": new_arn, "status": "ACTIVE"}},
    ]
    client.create_solution_version.return_value = {"solutionVersionArn": new_arn}
    assert operator.execute(make_context(task_id="train")) == new_arn
    assert client.create_solution_version.call_args.kwargs == {
        "solutionArn": SOLUTION_ARN,
        "name": run_scoped_name(make_context(task_id="train")),
    }
