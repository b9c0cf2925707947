"""Every kind walks through exactly AWS's statuses, in both modes.

Manual progression, one status per two describes, so that each status is seen at least once.
"""

from typing import Any

import pytest

from personalize_emulator.service.kinds import KINDS

from .support import (
    DATA_SOURCE,
    DELETION_SOURCE,
    ITEMS_SCHEMA,
    RECIPE,
    ROLE_ARN,
    S3_INPUT,
    S3_OUTPUT,
    STEP_PER_TWO_DESCRIBES,
    describer,
    import_interactions,
    interactions_dataset_group,
    stage_inputs,
    trained_solution,
    watch,
    watch_deletion,
)

CREATED = ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
DELETED = ["DELETE PENDING", "DELETE IN_PROGRESS", "gone"]
ITEM_AFFINITY = "arn:aws:personalize:::recipe/aws-item-affinity"


def stepwise(emulator: Any, *kinds: str) -> None:
    for kind in kinds:
        emulator.set_transition(f"personalize::{kind}", STEP_PER_TWO_DESCRIBES)


def test_dataset_group_schema_dataset_solution_walk(immediate: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize, name="other")
    import_interactions(personalize, setup["group"])
    stepwise(immediate, "dataset-group", "dataset", "solution", "solution-version")
    group = personalize.create_dataset_group(name="walk")["datasetGroupArn"]
    assert watch(describer(personalize, "DatasetGroup", group), until={"ACTIVE"}) == CREATED

    items_schema = personalize.create_schema(name="walk-items", schema=ITEMS_SCHEMA)["schemaArn"]
    dataset = personalize.create_dataset(
        name="walk-items", schemaArn=items_schema, datasetGroupArn=group, datasetType="Items"
    )["datasetArn"]
    assert watch(describer(personalize, "Dataset", dataset), until={"ACTIVE"}) == CREATED

    solution = personalize.create_solution(
        name="walk-recs", datasetGroupArn=setup["group"], recipeArn="arn:aws:personalize:::recipe/aws-sims"
    )["solutionArn"]
    describe_solution = describer(personalize, "Solution", solution)
    assert watch(describe_solution, until={"ACTIVE"}) == CREATED
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    describe_version = describer(personalize, "SolutionVersion", version)
    assert watch(describe_version, until={"ACTIVE", "CREATE FAILED"}) == CREATED
    assert describe_solution()["latestSolutionVersion"]["status"] == "ACTIVE"


def test_dataset_import_and_export_jobs(immediate: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    stage_inputs(personalize)
    stepwise(immediate, "dataset-import-job", "dataset-export-job")
    imported = personalize.create_dataset_import_job(
        jobName="import", datasetArn=setup["dataset"], dataSource=DATA_SOURCE, roleArn=ROLE_ARN
    )["datasetImportJobArn"]
    describe = describer(personalize, "DatasetImportJob", imported)
    assert watch(describe, until={"ACTIVE"}) == CREATED
    assert describe()["importMode"] == "FULL"
    exported = personalize.create_dataset_export_job(
        jobName="export", datasetArn=setup["dataset"], roleArn=ROLE_ARN, jobOutput=S3_OUTPUT
    )["datasetExportJobArn"]
    describe = describer(personalize, "DatasetExportJob", exported)
    assert watch(describe, until={"ACTIVE"}) == CREATED
    assert describe()["ingestionMode"] == "PUT"


def test_data_deletion_job(immediate: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    stage_inputs(personalize)
    stepwise(immediate, "data-deletion-job")
    job = personalize.create_data_deletion_job(
        jobName="forget", datasetGroupArn=setup["group"], dataSource=DELETION_SOURCE, roleArn=ROLE_ARN
    )["dataDeletionJobArn"]
    describe = describer(personalize, "DataDeletionJob", job)
    assert watch(describe, until={"COMPLETED", "FAILED"}) == ["PENDING", "IN_PROGRESS", "COMPLETED"]


@pytest.mark.parametrize("api_name", ["BatchInferenceJob", "BatchSegmentJob"])
def test_batch_jobs(immediate: Any, personalize: Any, api_name: str) -> None:
    setup = interactions_dataset_group(personalize)
    recipe = ITEM_AFFINITY if api_name == "BatchSegmentJob" else RECIPE
    version = trained_solution(personalize, setup["group"], recipe=recipe)["version"]
    arn_resource_type = "batch-inference-job" if api_name == "BatchInferenceJob" else "batch-segment-job"
    stepwise(immediate, arn_resource_type)
    create = getattr(personalize, f"create_{arn_resource_type.replace('-', '_')}")
    arn = create(
        jobName="batch", solutionVersionArn=version, jobInput=S3_INPUT, jobOutput=S3_OUTPUT, roleArn=ROLE_ARN
    )[KINDS[api_name].arn_member]
    describe = describer(personalize, api_name, arn)
    assert watch(describe, until={"ACTIVE", "CREATE FAILED"}) == ["PENDING", "IN PROGRESS", "ACTIVE"]


def test_campaign_create_update_delete(immediate: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    trained = trained_solution(personalize, setup["group"])
    stepwise(immediate, "campaign")
    campaign = personalize.create_campaign(name="live", solutionVersionArn=trained["version"])["campaignArn"]
    describe = describer(personalize, "Campaign", campaign)
    assert watch(describe, until={"ACTIVE"}) == CREATED
    assert describe()["minProvisionedTPS"] == 1

    newer = personalize.create_solution_version(solutionArn=trained["solution"])["solutionVersionArn"]
    personalize.update_campaign(campaignArn=campaign, solutionVersionArn=newer, minProvisionedTPS=3)
    observed = [describe() for _ in range(8)]
    assert list(dict.fromkeys(each["latestCampaignUpdate"]["status"] for each in observed)) == CREATED
    assert {each["status"] for each in observed} == {"ACTIVE"}
    assert observed[0]["solutionVersionArn"] == trained["version"]
    assert (observed[-1]["solutionVersionArn"], observed[-1]["minProvisionedTPS"]) == (newer, 3)

    personalize.delete_campaign(campaignArn=campaign)
    assert watch_deletion(describe, personalize) == DELETED


def test_solution_version_stop(immediate: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    solution = trained_solution(personalize, setup["group"])["solution"]
    immediate.set_transition("personalize::solution-version", {"progression": "manual", "times": 100})
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    personalize.stop_solution_version_creation(solutionVersionArn=version)
    stepwise(immediate, "solution-version")
    describe = describer(personalize, "SolutionVersion", version)
    assert watch(describe, until={"CREATE STOPPED"}) == ["CREATE STOPPING", "CREATE STOPPED"]


def test_recommender_create_stop_start_update(immediate: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize, domain="VIDEO_ON_DEMAND")
    import_interactions(personalize, setup["group"])
    stepwise(immediate, "recommender")
    recommender = personalize.create_recommender(
        name="top-picks",
        datasetGroupArn=setup["group"],
        recipeArn="arn:aws:personalize:::recipe/aws-vod-top-picks",
    )["recommenderArn"]
    describe = describer(personalize, "Recommender", recommender)
    assert watch(describe, until={"ACTIVE"}) == CREATED
    personalize.stop_recommender(recommenderArn=recommender)
    assert watch(describe, until={"INACTIVE"}) == ["STOP PENDING", "STOP IN_PROGRESS", "INACTIVE"]
    personalize.start_recommender(recommenderArn=recommender)
    assert watch(describe, until={"ACTIVE"}) == ["START PENDING", "START IN_PROGRESS", "ACTIVE"]
    config = {"minRecommendationRequestsPerSecond": 2}
    personalize.update_recommender(recommenderArn=recommender, recommenderConfig=config)
    assert watch(lambda: describe()["latestRecommenderUpdate"], until={"ACTIVE"}) == CREATED
    assert describe()["recommenderConfig"] == config


def test_filter_event_tracker_metric_attribution(immediate: Any, personalize: Any) -> None:
    group = interactions_dataset_group(personalize)["group"]
    stepwise(immediate, "filter", "event-tracker", "metric-attribution")
    expression = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("buy")'
    arn = personalize.create_filter(name="no-bought", datasetGroupArn=group, filterExpression=expression)
    assert watch(describer(personalize, "Filter", arn["filterArn"]), until={"ACTIVE"}) == CREATED
    tracker = personalize.create_event_tracker(name="clicks", datasetGroupArn=group)
    describe = describer(personalize, "EventTracker", tracker["eventTrackerArn"])
    assert watch(describe, until={"ACTIVE"}) == CREATED
    assert describe()["trackingId"] == tracker["trackingId"]
    attribution = personalize.create_metric_attribution(
        name="revenue",
        datasetGroupArn=group,
        metrics=[{"eventType": "buy", "metricName": "REVENUE", "expression": "SUM(Items.PRICE)"}],
        metricsOutputConfig={"roleArn": ROLE_ARN},
    )["metricAttributionArn"]
    assert watch(describer(personalize, "MetricAttribution", attribution), until={"ACTIVE"}) == CREATED


def test_deletes_are_asynchronous(immediate: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    stepwise(immediate, "dataset", "dataset-group")
    personalize.delete_dataset(datasetArn=setup["dataset"])
    assert watch_deletion(describer(personalize, "Dataset", setup["dataset"]), personalize) == DELETED
    personalize.delete_dataset_group(datasetGroupArn=setup["group"])
    assert watch_deletion(describer(personalize, "DatasetGroup", setup["group"]), personalize) == DELETED
    personalize.delete_schema(schemaArn=setup["schema"])
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.describe_schema(schemaArn=setup["schema"])
