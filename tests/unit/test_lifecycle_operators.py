"""The operators that are not plain creates (the metrics gate, the updates, the deletes) and the hook
helpers behind them.

Their service sides are scripted here (the client is a fake behind a real PersonalizeHook), so that each
decision can be driven exactly: metrics just below or above a bar, an update already in progress, a
training still running when the teardown starts. The same operators run against the HTTP emulator in
tests/integration/test_lifecycle_pipeline.py.
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import boto3
import pytest
from airflow.providers.common.compat.sdk import AirflowFailException, AirflowSkipException, TaskDeferred
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from airflow_provider_personalize.hooks.personalize import PersonalizeHook
from airflow_provider_personalize.hooks.request_model import InvalidRequestError
from airflow_provider_personalize.operators.personalize import (
    PersonalizeDeleteDatasetGroupOperator,
    PersonalizeDeleteResourceOperator,
    PersonalizeSolutionMetricsCheckOperator,
    PersonalizeUpdateCampaignOperator,
    PersonalizeUpdateSolutionOperator,
    parse_thresholds,
)
from airflow_provider_personalize.resources import (
    CAMPAIGN,
    CAMPAIGN_UPDATE,
    DATASET_GROUP,
    RESOURCE_KINDS,
    SOLUTION,
    SOLUTION_UPDATE,
    SOLUTION_VERSION,
    ResourceKind,
    get_kind,
)
from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger
from airflow_provider_personalize.waits import PersonalizeResourceFailedError, PersonalizeWaitTimeoutError

ARN = "arn:aws:personalize:us-east-1:123456789012"
GROUP_ARN = f"{ARN}:dataset-group/g"
SOLUTION_ARN = f"{ARN}:solution/s"
VERSION_1 = f"{SOLUTION_ARN}/v1"
VERSION_2 = f"{SOLUTION_ARN}/v2"
CAMPAIGN_ARN = f"{ARN}:campaign/c"
REAL_CLIENT = boto3.client(
    "personalize", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
)
NDCG = "normalized_discounted_cumulative_gain_at_10"


def context() -> dict:
    return {"ti": mock.MagicMock(), "logical_date": None}


def with_client(operator: Any) -> mock.MagicMock:
    """Give the operator's (real) hook a recording client, specced on a real one; return the client."""
    client = mock.MagicMock(spec=REAL_CLIENT)
    client.meta.region_name = "us-east-1"
    client.meta.partition = "aws"
    operator.hook.__dict__["conn"] = client
    return client


def client_error(code: str, operation: str = "Operation") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, operation)


# The metrics gate


def gate(metrics: dict[str, dict[str, float]], **kwargs) -> tuple[Any, mock.MagicMock]:
    """A gate whose GetSolutionMetrics answers ``metrics[version]``; its campaign serves VERSION_1."""
    arguments = {"solution_version_arn": VERSION_2, **kwargs}
    operator = PersonalizeSolutionMetricsCheckOperator(
        task_id="gate", aws_conn_id=None, region_name="us-east-1", **arguments
    )
    client = with_client(operator)
    client.get_solution_metrics.side_effect = lambda solutionVersionArn: {
        "solutionVersionArn": solutionVersionArn,
        "metrics": metrics[solutionVersionArn],
    }
    client.describe_campaign.return_value = {
        "campaign": {"campaignArn": CAMPAIGN_ARN, "solutionVersionArn": VERSION_1, "status": "ACTIVE"}
    }
    return operator, client


def test_thresholds_arrive_as_a_mapping_or_as_text():
    assert parse_thresholds({NDCG: 0.2}) == {NDCG: 0.2}
    assert parse_thresholds(json.dumps({NDCG: 0.2, "coverage": "0.5"})) == {NDCG: 0.2, "coverage": 0.5}
    assert parse_thresholds(str({NDCG: 0.2})) == {NDCG: 0.2}  # a dict param rendered as text


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ({"NDCG@10": 0.2}, "'NDCG@10' is not a metric name.*such as average_rewards_at_k, coverage"),
        ("{not json", "not a mapping nor its JSON text"),
        ({}, "non-empty"),
        ('["coverage"]', "non-empty"),
        ({"coverage": "high"}, r"\['coverage'\]: expected a number, got 'high'"),
        ({"coverage": True}, r"\['coverage'\]: expected a number, got True"),
    ],
)
def test_bad_thresholds_fail_before_any_request_naming_the_parameter(thresholds, message):
    operator, client = gate({}, thresholds=thresholds)
    with pytest.raises(ValueError, match=f": thresholds.*{message}"):
        operator.execute(context())
    client.get_solution_metrics.assert_not_called()


def test_a_bad_tolerance_or_arn_fails_before_any_request():
    operator, client = gate({}, thresholds={NDCG: 0.1}, tolerance="a little")
    with pytest.raises(ValueError, match=r": tolerance: expected a number"):
        operator.execute(context())
    operator, client = gate({}, thresholds={NDCG: 0.1}, tolerance=-0.1)
    with pytest.raises(ValueError, match=r": tolerance: must be >= 0"):
        operator.execute(context())
    operator, client = gate({}, thresholds={NDCG: 0.1}, compare_to_campaign_arn="campaign-c")
    with pytest.raises(
        InvalidRequestError, match="compare_to_campaign_arn: 'campaign-c' is not a campaign ARN"
    ):
        operator.execute(context())
    assert client.method_calls == []


def test_every_problem_of_the_gate_is_reported_at_once():
    operator, client = gate(
        {}, thresholds={"coverage": "high"}, tolerance=-1, solution_version_arn=SOLUTION_ARN
    )
    with pytest.raises(InvalidRequestError) as raised:
        operator.execute(context())
    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        "thresholds['coverage']",
        "tolerance",
        "solution_version_arn",
    ]
    assert client.method_calls == []


def test_segment_metrics_gate_a_segmentation_solution():
    segments = {"coverage": 0.4, "hits_at_1_percent": 2.5, "recall_at_1_percent": 0.3}
    operator, _ = gate(
        {VERSION_2: segments}, thresholds={"hits_at_1_percent": 2.0, "recall_at_1_percent": 0.2}
    )
    assert operator.execute(context()) == segments


def test_a_metric_the_version_does_not_report_fails_the_gate_listing_those_it_does():
    # A recipe's own metrics may lie outside AWS's documented list: such a name is taken, and checked
    # against what the version reports.
    operator, _ = gate({VERSION_2: {"coverage": 0.4, NDCG: 0.2}}, thresholds={"ndcg_at_10": 0.1})
    with pytest.raises(
        AirflowFailException, match=rf"ndcg_at_10 +not reported(.|\n)*reports: coverage, {NDCG}"
    ):
        operator.execute(context())


def test_a_candidate_at_the_bar_passes_and_its_metrics_are_the_result():
    metrics = {NDCG: 0.2, "coverage": 0.9}
    operator, client = gate({VERSION_2: metrics}, thresholds={NDCG: 0.2})
    assert operator.execute(context()) == metrics
    client.describe_campaign.assert_not_called()


def test_below_the_bar_fails_with_a_table_of_metric_value_and_required():
    operator, _ = gate({VERSION_2: {NDCG: 0.1, "coverage": 0.9}}, thresholds={NDCG: 0.2, "coverage": 0.5})
    with pytest.raises(AirflowFailException) as failure:
        operator.execute(context())
    lines = str(failure.value).splitlines()
    assert lines[0] == f"Solution version {VERSION_2} is below the bar:"
    assert lines[1].split() == ["metric", "value", "required"]
    assert lines[2].split() == [NDCG, "0.1000", "0.2000", "<-", "below"]
    assert lines[3].split() == ["coverage", "0.9000", "0.5000"]


def test_soft_fail_skips_instead_so_that_the_deploy_is_skipped():
    operator, _ = gate({VERSION_2: {NDCG: 0.1}}, thresholds={NDCG: 0.2}, soft_fail=True)
    with pytest.raises(AirflowSkipException, match="below the bar"):
        operator.execute(context())


def test_a_metric_the_service_does_not_report_is_below_the_bar():
    operator, _ = gate({VERSION_2: {NDCG: 0.3}}, thresholds={"average_rewards_at_k": 0.1})
    with pytest.raises(AirflowFailException, match=r"average_rewards_at_k +not reported +0.1000"):
        operator.execute(context())


@pytest.mark.parametrize(
    ("candidate", "tolerance", "required"),
    [(0.30, 0.0, None), (0.29, 0.0, "0.3000"), (0.29, 0.02, None), (0.27, "0.02", "0.2800")],
)
def test_compared_to_the_live_version_within_the_tolerance(candidate, tolerance, required):
    operator, client = gate(
        {VERSION_1: {NDCG: 0.30}, VERSION_2: {NDCG: candidate}},
        thresholds={NDCG: 0.1},
        compare_to_campaign_arn=CAMPAIGN_ARN,
        tolerance=tolerance,
    )
    if required is None:
        assert operator.execute(context()) == {NDCG: candidate}
    else:
        with pytest.raises(AirflowFailException) as failure:
            operator.execute(context())
        header, row = str(failure.value).splitlines()[1:3]
        assert header.split() == ["metric", "value", "required", "live"]
        assert row.split() == [NDCG, f"{candidate:.4f}", required, "0.3000", "<-", "below"]
    client.describe_campaign.assert_called_once_with(campaignArn=CAMPAIGN_ARN)


def test_the_minimum_still_applies_when_the_live_version_is_worse():
    operator, _ = gate(
        {VERSION_1: {NDCG: 0.05}, VERSION_2: {NDCG: 0.08}},
        thresholds={NDCG: 0.1},
        compare_to_campaign_arn=CAMPAIGN_ARN,
    )
    with pytest.raises(AirflowFailException, match=f"{NDCG} +0.0800 +0.1000 +0.0500 +<- below"):
        operator.execute(context())


def test_a_campaign_already_serving_the_candidate_is_trivially_matched():
    operator, client = gate(
        {VERSION_1: {NDCG: 0.3}}, thresholds={NDCG: 0.1}, compare_to_campaign_arn=CAMPAIGN_ARN
    )
    operator.solution_version_arn = VERSION_1
    assert operator.execute(context()) == {NDCG: 0.3}
    client.get_solution_metrics.assert_called_once_with(solutionVersionArn=VERSION_1)


def test_gate_parameters_are_templated():
    assert {"solution_version_arn", "thresholds", "compare_to_campaign_arn", "tolerance"} <= set(
        PersonalizeSolutionMetricsCheckOperator.template_fields
    )


# The updates


def campaign(version: str, update: dict | None = None, **members) -> dict:
    body = {"campaignArn": CAMPAIGN_ARN, "solutionVersionArn": version, "status": "ACTIVE", **members}
    if update is not None:
        body["latestCampaignUpdate"] = update
    return {"campaign": body}


def deploy(*describe_responses: dict, **kwargs) -> tuple[PersonalizeUpdateCampaignOperator, mock.MagicMock]:
    arguments = {"campaign_arn": CAMPAIGN_ARN, "solution_version_arn": VERSION_2, "waiter_delay": 0, **kwargs}
    operator = PersonalizeUpdateCampaignOperator(
        task_id="deploy", aws_conn_id=None, region_name="us-east-1", **arguments
    )
    client = with_client(operator)
    client.describe_campaign.side_effect = list(describe_responses)
    return operator, client


@pytest.mark.parametrize(
    ("cls", "kind"),
    [
        (PersonalizeUpdateCampaignOperator, CAMPAIGN_UPDATE),
        (PersonalizeUpdateSolutionOperator, SOLUTION_UPDATE),
    ],
)
def test_update_operators_wait_on_the_latest_update_of_their_resource(cls, kind):
    # Their keywords are checked with every declaration's, in test_operators.py.
    assert cls.resource_kind is kind


def test_a_campaign_already_serving_the_version_is_left_alone():
    operator, client = deploy(campaign(VERSION_2, minProvisionedTPS=1))
    assert operator.execute(context()) == CAMPAIGN_ARN
    client.update_campaign.assert_not_called()


def test_settings_filled_in_by_the_service_do_not_make_a_difference():
    served = campaign(
        VERSION_2,
        {
            "solutionVersionArn": VERSION_2,
            "status": "ACTIVE",
            "campaignConfig": {"itemExplorationConfig": {"a": "1"}},
        },
        campaignConfig={"itemExplorationConfig": {"a": "1"}, "enableMetadataWithRecommendations": False},
    )
    operator, client = deploy(served, campaign_config={"itemExplorationConfig": {"a": "1"}})
    operator.execute(context())
    client.update_campaign.assert_not_called()


def test_a_new_version_is_deployed_and_waited_for():
    operator, client = deploy(
        campaign(VERSION_1),
        campaign(VERSION_1, {"solutionVersionArn": VERSION_2, "status": "CREATE IN_PROGRESS"}),
        campaign(VERSION_2, {"solutionVersionArn": VERSION_2, "status": "ACTIVE"}),
        min_provisioned_tps="2",  # as a template renders it
    )
    assert operator.execute(context()) == CAMPAIGN_ARN
    client.update_campaign.assert_called_once_with(
        campaignArn=CAMPAIGN_ARN, solutionVersionArn=VERSION_2, minProvisionedTPS=2
    )
    assert client.describe_campaign.call_count == 3


def test_a_failed_update_fails_the_task_with_its_reason():
    operator, _ = deploy(
        campaign(VERSION_1),
        campaign(
            VERSION_1, {"solutionVersionArn": VERSION_2, "status": "CREATE FAILED", "failureReason": "no"}
        ),
    )
    with pytest.raises(PersonalizeResourceFailedError, match=r"campaign update .* 'CREATE FAILED': no"):
        operator.execute(context())


def test_a_retry_waits_for_its_update_in_progress_instead_of_sending_another():
    in_progress = {"solutionVersionArn": VERSION_2, "status": "CREATE IN_PROGRESS"}
    operator, client = deploy(
        campaign(VERSION_1, in_progress),
        campaign(VERSION_2, {**in_progress, "status": "ACTIVE"}),
    )
    assert operator.execute(context()) == CAMPAIGN_ARN
    client.update_campaign.assert_not_called()


def test_another_update_in_progress_is_waited_for_then_this_one_is_sent():
    other = {"solutionVersionArn": VERSION_1, "minProvisionedTPS": 5, "status": "CREATE IN_PROGRESS"}
    operator, client = deploy(
        campaign(VERSION_1, other),
        campaign(VERSION_1, {**other, "status": "CREATE FAILED"}),  # how it ends does not matter
        campaign(VERSION_1, {**other, "status": "CREATE FAILED"}),
        campaign(VERSION_2, {"solutionVersionArn": VERSION_2, "status": "ACTIVE"}),
    )
    operator.execute(context())
    client.update_campaign.assert_called_once_with(campaignArn=CAMPAIGN_ARN, solutionVersionArn=VERSION_2)


def test_a_deferrable_update_defers_on_the_campaign_update_kind():
    operator, client = deploy(campaign(VERSION_1), deferrable=True, waiter_max_attempts=7)
    with pytest.raises(TaskDeferred) as deferred:
        operator.execute(context())
    trigger = deferred.value.trigger
    assert isinstance(trigger, PersonalizeResourceTrigger)
    assert trigger.kind is CAMPAIGN_UPDATE
    assert (trigger.arn, trigger.waiter_max_attempts) == (CAMPAIGN_ARN, 7)
    client.update_campaign.assert_called_once()
    assert operator.execute_complete(context(), {"status": "success", "arn": CAMPAIGN_ARN}) == CAMPAIGN_ARN


def test_deferred_behind_another_update_the_task_resumes_by_sending_its_own():
    other = {"solutionVersionArn": VERSION_1, "minProvisionedTPS": 5, "status": "CREATE PENDING"}
    operator, client = deploy(
        campaign(VERSION_1, other), campaign(VERSION_1, {**other, "status": "ACTIVE"}), deferrable=True
    )
    with pytest.raises(TaskDeferred) as first:
        operator.execute(context())
    client.update_campaign.assert_not_called()
    event = {"status": "success", "arn": CAMPAIGN_ARN}
    with pytest.raises(TaskDeferred) as second:
        resume(operator, first.value, event)
    client.update_campaign.assert_called_once()
    assert second.value.method_name == "execute_complete"
    assert resume(operator, second.value, event) == CAMPAIGN_ARN


def resume(operator: Any, deferred: TaskDeferred, event: dict) -> Any:
    """What the worker does when the trigger fires: call the method the task deferred to."""
    return getattr(operator, deferred.method_name)(context(), event, **(deferred.kwargs or {}))


def test_bad_update_arguments_fail_before_any_request():
    operator, client = deploy(campaign_arn="campaign/c", min_provisioned_tps=0)
    with pytest.raises(InvalidRequestError, match=r"campaign_arn.*min_provisioned_tps"):
        operator.execute(context())
    assert client.method_calls == []


def test_a_solution_update_compares_with_its_latest_update():
    config = {"autoTrainingConfig": {"schedulingExpression": "rate(3 days)"}}
    solution = {
        "solutionArn": SOLUTION_ARN,
        "status": "ACTIVE",
        "performAutoTraining": True,
        "latestSolutionUpdate": {
            "status": "ACTIVE",
            "solutionUpdateConfig": config,
            "performAutoTraining": True,
        },
    }
    operator = PersonalizeUpdateSolutionOperator(
        task_id="update", solution_arn=SOLUTION_ARN, solution_update_config=config, aws_conn_id=None
    )
    client = with_client(operator)
    client.describe_solution.return_value = {"solution": solution}
    assert operator.execute(context()) == SOLUTION_ARN
    client.update_solution.assert_not_called()
    operator.perform_auto_training = False
    client.describe_solution.side_effect = [
        {"solution": solution},
        {
            "solution": {
                **solution,
                "latestSolutionUpdate": {"status": "ACTIVE", "performAutoTraining": False},
            }
        },
    ]
    operator.waiter_delay = 0
    operator.execute(context())
    client.update_solution.assert_called_once_with(
        solutionArn=SOLUTION_ARN, performAutoTraining=False, solutionUpdateConfig=config
    )


# The deletes


class FakePersonalize:
    """Just enough of the service for a teardown: ListX by holder, DescribeX, DeleteX, StopX.

    As AWS does: deletes are asynchronous (two DELETE statuses, then ResourceNotFoundException); a resource
    still holding others, or running jobs, or a schema a dataset uses, refuses deletion
    (ResourceInUseException); a resource in progress settles on its next Describe.
    """

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []

    def add(self, kind: str, arn: str, holder: str | None = None, status: str = "ACTIVE", **members) -> None:
        self.resources[arn] = {"kind": kind, "holder": holder, "status": status, "members": members}

    def kind_of(self, method: str) -> tuple[str, ResourceKind]:
        for kind in RESOURCE_KINDS.values():
            for verb in ("list", "describe", "delete", "stop"):
                if getattr(kind, f"{verb}_method") == method:
                    return verb, kind
        raise AttributeError(method)

    def __getattr__(self, method: str) -> Any:
        verb, kind = self.kind_of(method)
        return lambda **request: getattr(self, verb)(kind, **request)

    def body(self, arn: str) -> dict[str, Any]:
        resource = self.resources[arn]
        kind = get_kind(resource["kind"])
        return {kind.arn_member: arn, "status": resource["status"], **resource["members"]}

    def held_by(self, arn: str) -> list[str]:
        return [held for held, resource in self.resources.items() if resource["holder"] == arn]

    def list(self, kind, maxResults, **holder) -> dict:  # noqa: V107 the API's parameter, unused here
        (holder_arn,) = holder.values()
        arns = [arn for arn in self.held_by(holder_arn) if self.resources[arn]["kind"] == kind.key]
        return {kind.list_key: [self.body(arn) for arn in arns]}

    def describe(self, kind, **request) -> dict:
        (arn,) = request.values()
        if arn not in self.resources:
            raise client_error("ResourceNotFoundException")
        resource = self.resources[arn]
        answer = {kind.response_key: self.body(arn)}
        resource["status"] = {
            "DELETE PENDING": "DELETE IN_PROGRESS",
            "CREATE IN_PROGRESS": "ACTIVE",
            "IN PROGRESS": "ACTIVE",
            "CREATE STOPPING": "CREATE STOPPED",
        }.get(resource["status"], resource["status"])
        if (
            resource["status"] == "DELETE IN_PROGRESS"
            and answer[kind.response_key]["status"] == "DELETE IN_PROGRESS"
        ):
            self.forget(arn)
        return answer

    def forget(self, arn: str) -> None:
        for held in self.held_by(arn):
            self.forget(held)
        del self.resources[arn]

    def delete(self, kind, **request) -> dict:
        (arn,) = request.values()
        self.calls.append(("delete", arn))
        if arn not in self.resources:
            raise client_error("ResourceNotFoundException")
        blockers = [
            held
            for held in self.held_by(arn)
            if get_kind(self.resources[held]["kind"]).delete_method
            or self.resources[held]["status"] not in ("ACTIVE", "CREATE FAILED", "CREATE STOPPED")
        ]
        blockers += [other for other, r in self.resources.items() if r["members"].get("schemaArn") == arn]
        if blockers:
            raise client_error("ResourceInUseException")
        if kind.lifecycle is None:
            del self.resources[arn]
        else:
            self.resources[arn]["status"] = "DELETE PENDING"
        return {}

    def stop(self, kind, **request) -> dict:
        (arn,) = request.values()
        self.calls.append(("stop", arn))
        self.resources[arn]["status"] = "CREATE STOPPING"
        return {}


def teardown(conn: Any, **kwargs) -> PersonalizeDeleteDatasetGroupOperator:
    """A teardown of GROUP_ARN (unless told otherwise) through ``conn``, a fake or the emulator's client."""
    arguments = {"dataset_group_arn": GROUP_ARN, "waiter_delay": 0, **kwargs}
    operator = PersonalizeDeleteDatasetGroupOperator(task_id="teardown", aws_conn_id=None, **arguments)
    operator.hook.__dict__["conn"] = conn
    return operator


def full_group(fake: FakePersonalize) -> None:
    """A group with one of everything, a training in progress and a batch job running."""
    fake.add("dataset_group", GROUP_ARN)
    fake.add("schema", f"{ARN}:schema/interactions")
    fake.add("schema", f"{ARN}:schema/shared")
    fake.add("dataset", f"{ARN}:dataset/g/INTERACTIONS", GROUP_ARN, schemaArn=f"{ARN}:schema/interactions")
    fake.add("dataset", f"{ARN}:dataset/g/ITEMS", GROUP_ARN, schemaArn=f"{ARN}:schema/shared")
    fake.add("dataset", f"{ARN}:dataset/other/ITEMS", None, schemaArn=f"{ARN}:schema/shared")
    fake.add("dataset_import_job", f"{ARN}:dataset-import-job/i", f"{ARN}:dataset/g/INTERACTIONS")
    fake.add("solution", SOLUTION_ARN, GROUP_ARN)
    fake.add("solution_version", VERSION_1, SOLUTION_ARN)
    fake.add("solution_version", VERSION_2, SOLUTION_ARN, status="CREATE IN_PROGRESS")
    fake.add("batch_inference_job", f"{ARN}:batch-inference-job/b", VERSION_1, status="IN PROGRESS")
    fake.add("campaign", CAMPAIGN_ARN, SOLUTION_ARN)
    fake.add("recommender", f"{ARN}:recommender/r", GROUP_ARN)
    fake.add("filter", f"{ARN}:filter/f", GROUP_ARN)
    fake.add("event_tracker", f"{ARN}:event-tracker/e", GROUP_ARN)
    fake.add("metric_attribution", f"{ARN}:metric-attribution/m", GROUP_ARN)


def test_a_teardown_deletes_in_the_order_the_service_requires_and_reports_it():
    fake = FakePersonalize()
    full_group(fake)
    deleted = teardown(fake, delete_schemas=True).execute(context())
    assert deleted == {
        "recommender": [f"{ARN}:recommender/r"],
        "campaign": [CAMPAIGN_ARN],
        "solution": [SOLUTION_ARN],
        "event_tracker": [f"{ARN}:event-tracker/e"],
        "filter": [f"{ARN}:filter/f"],
        "metric_attribution": [f"{ARN}:metric-attribution/m"],
        "dataset": [f"{ARN}:dataset/g/INTERACTIONS", f"{ARN}:dataset/g/ITEMS"],
        "dataset_group": [GROUP_ARN],
        "schema": [f"{ARN}:schema/interactions"],  # the shared one is still used by another dataset
    }
    assert list(deleted) == [
        "recommender",
        "campaign",
        "solution",
        "event_tracker",
        "filter",
        "metric_attribution",
        "dataset",
        "dataset_group",
        "schema",
    ]
    # The training was stopped before anything was deleted; the running batch job was waited for.
    assert fake.calls[0] == ("stop", VERSION_2)
    assert [arn for verb, arn in fake.calls if verb == "delete"] == [
        *(arn for arns in deleted.values() for arn in arns),
        f"{ARN}:schema/shared",
    ]
    assert set(fake.resources) == {f"{ARN}:schema/shared", f"{ARN}:dataset/other/ITEMS"}


def test_a_second_teardown_finds_nothing_and_succeeds():
    fake = FakePersonalize()
    full_group(fake)
    teardown(fake).execute(context())
    assert teardown(fake).execute(context()) == {}
    by_name = teardown(fake, dataset_group_arn=None, dataset_group_name="g")
    fake.list_dataset_groups = lambda **_: {"datasetGroups": []}  # type: ignore[attr-defined]
    assert by_name.execute(context()) == {}


def test_a_teardown_interrupted_mid_way_finishes_on_retry():
    fake = FakePersonalize()
    full_group(fake)
    fake.resources[CAMPAIGN_ARN]["status"] = "DELETE PENDING"  # the first try asked, then died
    fake.resources[f"{ARN}:filter/f"]["status"] = "CREATE IN_PROGRESS"  # created meanwhile
    deleted = teardown(fake).execute(context())
    assert deleted["campaign"] == [CAMPAIGN_ARN]
    assert ("delete", CAMPAIGN_ARN) not in fake.calls
    assert deleted["filter"] == [f"{ARN}:filter/f"]
    assert GROUP_ARN not in fake.resources


def test_resources_already_gone_are_not_reported():
    fake = FakePersonalize()
    fake.add("dataset_group", GROUP_ARN)
    fake.add("filter", f"{ARN}:filter/f", GROUP_ARN)
    operator = teardown(fake)
    original_delete = fake.delete

    def gone_meanwhile(kind, **request):
        fake.resources.pop(f"{ARN}:filter/f", None)
        return original_delete(kind, **request)

    fake.delete = gone_meanwhile
    assert operator.execute(context()) == {"dataset_group": [GROUP_ARN]}


def test_a_teardown_needs_exactly_one_of_arn_and_name():
    with pytest.raises(ValueError, match="exactly one of dataset_group_arn and dataset_group_name"):
        PersonalizeDeleteDatasetGroupOperator(task_id="t")
    with pytest.raises(ValueError, match="exactly one"):
        PersonalizeDeleteDatasetGroupOperator(
            task_id="t", dataset_group_arn=GROUP_ARN, dataset_group_name="g"
        )


def test_a_single_delete_waits_until_gone_and_already_gone_is_success():
    fake = FakePersonalize()
    fake.add("campaign", CAMPAIGN_ARN, SOLUTION_ARN)
    operator = PersonalizeDeleteResourceOperator(
        task_id="delete", kind="campaign", arn=CAMPAIGN_ARN, waiter_delay=0, aws_conn_id=None
    )
    operator.hook.__dict__["conn"] = fake
    assert operator.execute(context()) == CAMPAIGN_ARN
    assert CAMPAIGN_ARN not in fake.resources
    assert operator.execute(context()) == CAMPAIGN_ARN
    assert fake.calls == [("delete", CAMPAIGN_ARN)]


def test_a_single_delete_of_a_holder_surfaces_the_services_refusal():
    fake = FakePersonalize()
    fake.add("solution", SOLUTION_ARN, GROUP_ARN)
    fake.add("campaign", CAMPAIGN_ARN, SOLUTION_ARN)
    operator = PersonalizeDeleteResourceOperator(
        task_id="delete", kind="solution", arn=SOLUTION_ARN, aws_conn_id=None
    )
    operator.hook.__dict__["conn"] = fake
    with pytest.raises(ClientError, match="ResourceInUseException"):
        operator.execute(context())


@pytest.mark.parametrize("kind", ["dataset_import_job", "solution_version", "campaign_update"])
def test_kinds_that_cannot_be_deleted_are_refused_when_the_dag_is_parsed(kind):
    with pytest.raises(ValueError, match="cannot be deleted"):
        PersonalizeDeleteResourceOperator(task_id="delete", kind=kind, arn="arn:x")


# Against the in-process emulator: its own deletion rules (AWS's) judge the teardown's order.

# The emulator's statuses change with time (a step every 0.2 s): poll without sleeping, long enough.
EMULATOR_WAIT = {"waiter_delay": 0, "waiter_max_attempts": 100_000}


def settled(client, kind: ResourceKind, arn: str) -> None:
    description = getattr(client, kind.describe_method)
    while description(**{kind.arn_member: arn})[kind.response_key]["status"] != "ACTIVE":
        pass


def test_on_the_emulator_a_group_is_torn_down_and_a_solution_updated(personalize_mock):
    client = boto3.client("personalize")
    schema = client.create_schema(
        name="interactions",
        schema=json.dumps(
            {
                "type": "record",
                "name": "Interactions",
                "namespace": "com.amazonaws.personalize.schema",
                "fields": [
                    {"name": "USER_ID", "type": "string"},
                    {"name": "ITEM_ID", "type": "string"},
                    {"name": "TIMESTAMP", "type": "long"},
                ],
                "version": "1.0",
            }
        ),
    )["schemaArn"]
    group = client.create_dataset_group(name="g")["datasetGroupArn"]
    settled(client, DATASET_GROUP, group)
    dataset = client.create_dataset(
        name="d", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    solution = client.create_solution(
        name="s", datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
    )["solutionArn"]
    tracker = client.create_event_tracker(name="t", datasetGroupArn=group)["eventTrackerArn"]
    settled(client, SOLUTION, solution)

    update = PersonalizeUpdateSolutionOperator(
        task_id="update",
        solution_arn=solution,
        perform_auto_training=False,
        aws_conn_id=None,
        **EMULATOR_WAIT,
    )
    assert update.execute(context()) == solution
    assert client.describe_solution(solutionArn=solution)["solution"]["performAutoTraining"] is False

    # The dataset and the tracker are still being created: the teardown waits for them.
    deletion = teardown(client, delete_schemas=True, dataset_group_arn=group, **EMULATOR_WAIT)
    assert deletion.execute(context()) == {
        "solution": [solution],
        "event_tracker": [tracker],
        "dataset": [dataset],
        "dataset_group": [group],
        "schema": [schema],
    }
    assert client.list_dataset_groups()["datasetGroups"] == []
    assert client.list_schemas()["schemas"] == []


# The hook's helpers behind them, against botocore's Stubber (requests checked against the service model)


@pytest.fixture
def stubbed_hook():
    hook = PersonalizeHook(aws_conn_id=None, region_name="us-east-1")
    client = boto3.client(
        "personalize", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    hook.__dict__["conn"] = client
    with Stubber(client) as stub:
        yield hook, stub
        stub.assert_no_pending_responses()


def test_the_hook_deletes_and_waits_until_gone(stubbed_hook):
    hook, stub = stubbed_hook
    stub.add_response("delete_campaign", {}, {"campaignArn": CAMPAIGN_ARN})
    stub.add_client_error(
        "delete_campaign", "ResourceNotFoundException", expected_params={"campaignArn": CAMPAIGN_ARN}
    )
    for status in ("DELETE PENDING", "DELETE IN_PROGRESS"):
        stub.add_response(
            "describe_campaign", campaign(VERSION_1, status=status), {"campaignArn": CAMPAIGN_ARN}
        )
    stub.add_client_error("describe_campaign", "ResourceNotFoundException")
    assert hook.delete(CAMPAIGN, CAMPAIGN_ARN) is True
    assert hook.delete(CAMPAIGN, CAMPAIGN_ARN) is False
    hook.wait_until_deleted(CAMPAIGN, CAMPAIGN_ARN, waiter_delay=0, waiter_max_attempts=3)


def test_the_hook_gives_up_on_a_deletion_that_does_not_end(stubbed_hook):
    hook, stub = stubbed_hook
    stub.add_response("describe_campaign", campaign(VERSION_1, status="DELETE IN_PROGRESS"))
    with pytest.raises(
        PersonalizeWaitTimeoutError, match="still in status 'DELETE IN_PROGRESS' after 1 polls"
    ):
        hook.wait_until_deleted(CAMPAIGN, CAMPAIGN_ARN, waiter_delay=0, waiter_max_attempts=1)


def test_the_hook_updates_and_reads_metrics(stubbed_hook):
    hook, stub = stubbed_hook
    stub.add_response(
        "update_campaign",
        {"campaignArn": CAMPAIGN_ARN},
        {"campaignArn": CAMPAIGN_ARN, "solutionVersionArn": VERSION_2},
    )
    stub.add_response(
        "get_solution_metrics",
        {"solutionVersionArn": VERSION_2, "metrics": {NDCG: 0.25}},
        {"solutionVersionArn": VERSION_2},
    )
    hook.update(CAMPAIGN_UPDATE, {"campaignArn": CAMPAIGN_ARN, "solutionVersionArn": VERSION_2})
    assert hook.solution_metrics(VERSION_2) == {NDCG: 0.25}
    with pytest.raises(ValueError, match="cannot be deleted"):
        hook.delete(SOLUTION_VERSION, VERSION_1)
