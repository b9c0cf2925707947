"""What travels on the wire, as AWS sends it: content types, timestamps, output shapes, AWS-shaped internal
failures."""

from typing import Any

import pytest
from moto.core.utils import camelcase_to_underscores

from personalize_emulator.service.kinds import KINDS

from .pipeline import (
    ACTION_INTERACTIONS_SCHEMA,
    ACTIONS_CSV,
    ACTIONS_SCHEMA,
    NEXT_BEST_ACTION,
    action_interactions_csv,
    import_dataset,
)
from .shapes import ResponseRecorder
from .support import (
    ACCOUNT_ARN_PREFIX,
    ITEMS_SCHEMA,
    RECIPE,
    USERS_SCHEMA,
    interactions_dataset_group,
    one_of_every_kind,
    trained_solution,
)

RANKING = "arn:aws:personalize:::recipe/aws-personalized-ranking"

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

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("an emulator bug")

    monkeypatch.setattr(PersonalizeEmulatorBackend, "add", broken)
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


def served_operations() -> set[tuple[str, str]]:
    from personalize_emulator.service.responses import (
        PersonalizeEmulatorResponse,
        PersonalizeEventsResponse,
        PersonalizeRuntimeResponse,
    )
    from personalize_emulator.service.validation import service_model

    return {
        (response.SERVICE_NAME, operation)
        for response in (PersonalizeEmulatorResponse, PersonalizeRuntimeResponse, PersonalizeEventsResponse)
        for operation in service_model(response.SERVICE_NAME).operation_names
        if response.handler(operation) is not None
    }


def test_every_operation_answers_with_its_botocore_output_shape(immediate: Any) -> None:
    """Every operation the emulator serves, called once at least, answers a body that is exactly of its
    output shape in botocore's model: no unknown member, every required one, each of its type."""
    recorder = ResponseRecorder()
    personalize = recorder.watch(immediate.client("personalize"))
    runtime = recorder.watch(immediate.client("personalize-runtime"))
    events = recorder.watch(immediate.client("personalize-events"))
    arns = one_of_every_kind(personalize)
    for api_name, arn in arns.items():
        kind = KINDS[api_name]
        getattr(personalize, camelcase_to_underscores(f"Describe{api_name}"))(**{kind.arn_member: arn})
        getattr(personalize, camelcase_to_underscores(f"List{api_name}s"))()
    group = arns["DatasetGroup"]
    personalize.describe_recipe(recipeArn=RECIPE)
    personalize.list_recipes()
    personalize.describe_algorithm(algorithmArn=RECIPE.replace(":recipe/", ":algorithm/"))
    personalize.describe_feature_transformation(
        featureTransformationArn=RECIPE.replace(":recipe/", ":feature-transformation/")
    )
    personalize.get_solution_metrics(solutionVersionArn=arns["SolutionVersion"])
    personalize.list_metric_attribution_metrics(metricAttributionArn=arns["MetricAttribution"])
    personalize.tag_resource(resourceArn=group, tags=[{"tagKey": "team", "tagValue": "recs"}])
    personalize.list_tags_for_resource(resourceArn=group)
    personalize.untag_resource(resourceArn=group, tagKeys=["team"])

    personalize.update_campaign(campaignArn=arns["Campaign"], minProvisionedTPS=2)
    personalize.update_dataset(datasetArn=arns["Dataset"], schemaArn=arns["Schema"])
    personalize.update_solution(solutionArn=arns["Solution"], performAutoTraining=False)
    personalize.update_recommender(
        recommenderArn=arns["Recommender"], recommenderConfig={"minRecommendationRequestsPerSecond": 2}
    )
    click = {"eventType": "view", "metricName": "VIEWS", "expression": "SAMPLECOUNT()"}
    personalize.update_metric_attribution(metricAttributionArn=arns["MetricAttribution"], addMetrics=[click])
    personalize.stop_recommender(recommenderArn=arns["Recommender"])
    personalize.start_recommender(recommenderArn=arns["Recommender"])
    immediate.set_transition("personalize::solution-version", {"progression": "manual", "times": 100})
    training = personalize.create_solution_version(solutionArn=arns["Solution"])["solutionVersionArn"]
    personalize.stop_solution_version_creation(solutionVersionArn=training)
    immediate.set_transition("personalize::solution-version", {"progression": "immediate"})

    runtime.get_recommendations(campaignArn=arns["Campaign"], userId="user1", numResults=3)
    runtime.get_recommendations(recommenderArn=arns["Recommender"], userId="user1", numResults=3)
    ranking = trained_solution(personalize, group, name="ranking", recipe=RANKING)["version"]
    ranking_campaign = personalize.create_campaign(name="ranking", solutionVersionArn=ranking)["campaignArn"]
    runtime.get_personalized_ranking(
        campaignArn=ranking_campaign, userId="user1", inputList=["item1", "item2"]
    )
    tracking_id = personalize.describe_event_tracker(eventTrackerArn=arns["EventTracker"])["eventTracker"][
        "trackingId"
    ]
    event = {"eventType": "click", "itemId": "item1", "sentAt": 1767225600}
    events.put_events(trackingId=tracking_id, userId="user1", sessionId="s1", eventList=[event])
    metadata = {}
    for dataset_type, schema, entries in (
        ("Items", ITEMS_SCHEMA, {"items": [{"itemId": "item1", "properties": '{"genre": "drama"}'}]}),
        ("Users", USERS_SCHEMA, {"users": [{"userId": "user1", "properties": '{"age": 30}'}]}),
    ):
        schema_arn = personalize.create_schema(name=dataset_type.lower(), schema=schema)["schemaArn"]
        dataset = personalize.create_dataset(
            name=dataset_type.lower(), schemaArn=schema_arn, datasetGroupArn=group, datasetType=dataset_type
        )["datasetArn"]
        getattr(events, f"put_{dataset_type.lower()}")(datasetArn=dataset, **entries)
        metadata[dataset_type] = dataset

    actions = import_dataset(personalize, group, "Actions", ACTIONS_CSV.encode(), ACTIONS_SCHEMA)
    import_dataset(
        personalize,
        group,
        "Action_Interactions",
        action_interactions_csv().encode(),
        ACTION_INTERACTIONS_SCHEMA,
    )
    events.put_actions(datasetArn=actions, actions=[{"actionId": "new", "properties": '{"category": "app"}'}])
    action = {
        "actionId": "enroll",
        "userId": "u1",
        "sessionId": "s1",
        "timestamp": 1767225600,
        "eventType": "TAKEN",
    }
    events.put_action_interactions(trackingId=tracking_id, actionInteractions=[action])
    nba = trained_solution(personalize, group, name="nba", recipe=NEXT_BEST_ACTION)["version"]
    nba_campaign = personalize.create_campaign(name="nba", solutionVersionArn=nba)["campaignArn"]
    runtime.get_action_recommendations(campaignArn=nba_campaign, userId="u1", numResults=3)

    personalize.delete_campaign(campaignArn=ranking_campaign)
    personalize.delete_recommender(recommenderArn=arns["Recommender"])
    personalize.delete_filter(filterArn=arns["Filter"])
    personalize.delete_event_tracker(eventTrackerArn=arns["EventTracker"])
    personalize.delete_metric_attribution(metricAttributionArn=arns["MetricAttribution"])
    personalize.delete_solution(solutionArn=arns["Solution"].replace("/recs", "/segments"))
    personalize.delete_dataset(datasetArn=metadata["Users"])
    personalize.delete_dataset_group(
        datasetGroupArn=personalize.create_dataset_group(name="spare")["datasetGroupArn"]
    )
    personalize.delete_schema(
        schemaArn=personalize.create_schema(name="spare", schema=USERS_SCHEMA)["schemaArn"]
    )

    assert recorder.violations() == []
    assert served_operations() - recorder.operations == set()


@pytest.mark.parametrize(
    ("body", "violation"),
    [
        ({"datasetGroup": {"name": "shop", "extra": 1}}, "has the member extra"),
        ({"datasetGroup": {"status": 3}}, "status is int, not a string"),
        ({"datasetGroup": {"creationDateTime": "2026-01-01"}}, "creationDateTime is str, not a timestamp"),
        ({"datasetGroup": {"domain": "RETAIL"}}, "not one of"),
        ({"datasetGroup": []}, "not a structure"),
    ],
)
def test_the_shape_check_sees_what_botocore_lets_through(body: dict[str, Any], violation: str) -> None:
    from personalize_emulator.service.validation import service_model

    from .shapes import shape_violations

    output = service_model().operation_model("DescribeDatasetGroup").output_shape
    (found,) = shape_violations(body, output)
    assert violation in found
