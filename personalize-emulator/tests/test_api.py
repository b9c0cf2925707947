"""Describe, List (paging, parent filters), Update, tags, recipes and ARN formats, in both modes."""

import re
from typing import Any

import pytest
from moto.core.utils import camelcase_to_underscores

from personalize_emulator.service.kinds import KINDS

from .support import (
    ACCOUNT_ARN_PREFIX,
    DATA_SOURCE,
    ITEMS_SCHEMA,
    RECIPE,
    ROLE_ARN,
    S3_INPUT,
    S3_OUTPUT,
    describer,
    interactions_dataset_group,
    one_of_every_kind,
    trained_solution,
)

EIGHT_HEX = "[0-9a-f]{8}"


def test_arns_are_formed_as_aws_forms_them(personalize: Any) -> None:
    setup = interactions_dataset_group(personalize, name="shop")
    trained = trained_solution(personalize, setup["group"], name="recs")
    assert setup["group"] == f"{ACCOUNT_ARN_PREFIX}:dataset-group/shop"
    assert setup["schema"] == f"{ACCOUNT_ARN_PREFIX}:schema/shop-interactions"
    assert setup["dataset"] == f"{ACCOUNT_ARN_PREFIX}:dataset/shop/INTERACTIONS"
    assert trained["solution"] == f"{ACCOUNT_ARN_PREFIX}:solution/recs"
    assert re.fullmatch(f"{ACCOUNT_ARN_PREFIX}:solution/recs/{EIGHT_HEX}", trained["version"])
    job = personalize.create_dataset_import_job(
        jobName="nightly", datasetArn=setup["dataset"], dataSource=DATA_SOURCE
    )
    assert job["datasetImportJobArn"] == f"{ACCOUNT_ARN_PREFIX}:dataset-import-job/nightly"
    campaign = personalize.create_campaign(name="live", solutionVersionArn=trained["version"])
    assert campaign["campaignArn"] == f"{ACCOUNT_ARN_PREFIX}:campaign/live"
    tracker = personalize.create_event_tracker(name="clicks", datasetGroupArn=setup["group"])
    assert re.fullmatch(f"{ACCOUNT_ARN_PREFIX}:event-tracker/{EIGHT_HEX}", tracker["eventTrackerArn"])


def test_every_kind_describes_and_lists_with_its_output_shapes(personalize: Any) -> None:
    for api_name, arn in one_of_every_kind(personalize).items():
        kind = KINDS[api_name]
        described = describer(personalize, api_name, arn)()
        assert described[kind.arn_member] == arn
        assert set(described) <= kind.describe_members, api_name
        assert {"creationDateTime", "lastUpdatedDateTime"} <= set(described)
        assert described.get("status", "ACTIVE") in {"ACTIVE", "COMPLETED"}, api_name
        listed = getattr(personalize, camelcase_to_underscores(f"List{api_name}s"))()[kind.list_key]
        assert arn in [summary[kind.arn_member] for summary in listed], api_name
        assert all(set(summary) <= kind.summary_members for summary in listed), api_name


def test_solution_versions_inherit_their_solutions_settings(personalize: Any) -> None:
    group = interactions_dataset_group(personalize)["group"]
    version = describer(personalize, "SolutionVersion", trained_solution(personalize, group)["version"])()
    assert (version["recipeArn"], version["datasetGroupArn"]) == (RECIPE, group)
    assert (version["trainingMode"], version["trainingType"]) == ("FULL", "MANUAL")


def test_lists_filter_by_parent(personalize: Any) -> None:
    shop = interactions_dataset_group(personalize, name="shop")
    news = interactions_dataset_group(personalize, name="news")
    shop_recs = trained_solution(personalize, shop["group"], name="shop-recs")
    trained_solution(personalize, news["group"], name="news-recs")
    personalize.create_solution_version(solutionArn=shop_recs["solution"])

    def names(response: dict[str, Any], key: str, member: str = "name") -> list[str]:
        return sorted(summary[member] for summary in response[key])

    assert names(personalize.list_dataset_groups(), "datasetGroups") == ["news", "shop"]
    assert names(personalize.list_datasets(datasetGroupArn=shop["group"]), "datasets") == [
        "shop-interactions"
    ]
    assert names(personalize.list_datasets(), "datasets") == ["news-interactions", "shop-interactions"]
    assert names(personalize.list_solutions(datasetGroupArn=news["group"]), "solutions") == ["news-recs"]
    versions = personalize.list_solution_versions(solutionArn=shop_recs["solution"])["solutionVersions"]
    assert len(versions) == 2
    assert all(version["solutionVersionArn"].startswith(shop_recs["solution"]) for version in versions)
    assert versions[0]["creationDateTime"] >= versions[1]["creationDateTime"]  # newest first
    assert set(versions[0]) <= KINDS["SolutionVersion"].summary_members

    personalize.create_dataset_import_job(
        jobName="shop-import", datasetArn=shop["dataset"], dataSource=DATA_SOURCE
    )
    personalize.create_dataset_import_job(
        jobName="news-import", datasetArn=news["dataset"], dataSource=DATA_SOURCE
    )
    jobs = personalize.list_dataset_import_jobs(datasetArn=news["dataset"])["datasetImportJobs"]
    assert [job["jobName"] for job in jobs] == ["news-import", "seed-news-0"]  # the seed fed the training
    assert jobs[0]["status"] == "ACTIVE"

    personalize.create_campaign(name="shop-live", solutionVersionArn=shop_recs["version"])
    campaigns = personalize.list_campaigns(solutionArn=shop_recs["solution"])["campaigns"]
    assert [campaign["name"] for campaign in campaigns] == ["shop-live"]
    personalize.create_batch_inference_job(
        jobName="scores",
        solutionVersionArn=shop_recs["version"],
        jobInput=S3_INPUT,
        jobOutput=S3_OUTPUT,
        roleArn=ROLE_ARN,
    )
    batch = personalize.list_batch_inference_jobs(solutionVersionArn=shop_recs["version"])[
        "batchInferenceJobs"
    ]
    assert [job["jobName"] for job in batch] == ["scores"]
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.list_solution_versions(solutionArn=f"{ACCOUNT_ARN_PREFIX}:solution/nothing")


def test_paging_with_max_results_and_next_token(personalize: Any) -> None:
    group = interactions_dataset_group(personalize)["group"]
    for number in range(7):
        personalize.create_filter(
            name=f"filter-{number}",
            datasetGroupArn=group,
            filterExpression="EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($T)",
        )
    pages = []
    request: dict[str, Any] = {"datasetGroupArn": group, "maxResults": 3}
    while True:
        page = personalize.list_filters(**request)
        pages.append([summary["name"] for summary in page["Filters"]])
        if "nextToken" not in page:
            break
        request["nextToken"] = page["nextToken"]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(name for page in pages for name in page) == [f"filter-{number}" for number in range(7)]
    paginated = personalize.get_paginator("list_filters").paginate(
        datasetGroupArn=group, PaginationConfig={"PageSize": 2}
    )
    assert sum(len(page["Filters"]) for page in paginated) == 7
    with pytest.raises(personalize.exceptions.InvalidNextTokenException):
        personalize.list_filters(nextToken="not-a-token")


def test_updates_of_dataset_solution_and_metric_attribution(personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    solution = trained_solution(personalize, setup["group"])["solution"]  # before GENRE joins the schema
    wider = personalize.create_schema(
        name="wider",
        schema=ITEMS_SCHEMA.replace('"Items"', '"Interactions"').replace(
            '{"name": "ITEM_ID", "type": "string"}',
            '{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"}, '
            '{"name": "TIMESTAMP", "type": "long"}',
        ),
    )["schemaArn"]
    personalize.update_dataset(datasetArn=setup["dataset"], schemaArn=wider)
    dataset = describer(personalize, "Dataset", setup["dataset"])()
    assert dataset["schemaArn"] == wider
    assert dataset["latestDatasetUpdate"]["status"] == "ACTIVE"

    assert describer(personalize, "Solution", solution)()["performAutoTraining"] is True
    personalize.update_solution(solutionArn=solution, performAutoTraining=False)
    described = describer(personalize, "Solution", solution)()
    assert described["performAutoTraining"] is False
    assert described["latestSolutionUpdate"]["performAutoTraining"] is False

    attribution = personalize.create_metric_attribution(
        name="revenue",
        datasetGroupArn=setup["group"],
        metrics=[{"eventType": "buy", "metricName": "REVENUE", "expression": "SUM(Items.PRICE)"}],
        metricsOutputConfig={"roleArn": ROLE_ARN},
    )["metricAttributionArn"]
    personalize.update_metric_attribution(
        metricAttributionArn=attribution,
        addMetrics=[{"eventType": "click", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"}],
        removeMetrics=["REVENUE"],
    )
    metrics = personalize.list_metric_attribution_metrics(metricAttributionArn=attribution)["metrics"]
    assert [metric["metricName"] for metric in metrics] == ["CLICKS"]


def test_tags(personalize: Any) -> None:
    group = personalize.create_dataset_group(name="tagged", tags=[{"tagKey": "team", "tagValue": "recs"}])[
        "datasetGroupArn"
    ]
    personalize.tag_resource(resourceArn=group, tags=[{"tagKey": "env", "tagValue": "test"}])
    tags = personalize.list_tags_for_resource(resourceArn=group)["tags"]
    assert sorted((tag["tagKey"], tag["tagValue"]) for tag in tags) == [("env", "test"), ("team", "recs")]
    personalize.untag_resource(resourceArn=group, tagKeys=["team"])
    assert personalize.list_tags_for_resource(resourceArn=group)["tags"] == [
        {"tagKey": "env", "tagValue": "test"}
    ]
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.list_tags_for_resource(resourceArn=f"{ACCOUNT_ARN_PREFIX}:dataset-group/none")


def test_recipes_algorithms_and_feature_transformations(personalize: Any) -> None:
    recipes = [
        recipe["recipeArn"].rsplit("/", 1)[1]
        for page in personalize.get_paginator("list_recipes").paginate()
        for recipe in page["recipes"]
    ]
    for name in [
        "aws-user-personalization",
        "aws-user-personalization-v2",
        "aws-popularity-count",
        "aws-similar-items",
        "aws-personalized-ranking",
        "aws-personalized-ranking-v2",
        "aws-trending-now",
        "aws-next-best-action",
        "aws-ecomm-recommended-for-you",
        "aws-vod-top-picks",
        "aws-item-affinity",
        "aws-item-attribute-affinity",
    ]:
        assert name in recipes
    # Recipes the emulator cannot train are not listed.
    assert "aws-semantic-similarity" not in recipes
    ecommerce = personalize.list_recipes(domain="ECOMMERCE")["recipes"]
    assert ecommerce and {recipe["domain"] for recipe in ecommerce} == {"ECOMMERCE"}
    recipe = personalize.describe_recipe(recipeArn=RECIPE)["recipe"]
    assert (recipe["recipeType"], recipe["status"]) == ("USER_PERSONALIZATION", "ACTIVE")
    algorithm = personalize.describe_algorithm(algorithmArn=recipe["algorithmArn"])["algorithm"]
    assert algorithm["algorithmArn"] == recipe["algorithmArn"]
    transformation = personalize.describe_feature_transformation(
        featureTransformationArn=recipe["featureTransformationArn"]
    )["featureTransformation"]
    assert transformation["status"] == "ACTIVE"
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.describe_recipe(recipeArn="arn:aws:personalize:::recipe/aws-nothing")


@pytest.mark.parametrize(
    ("recipe_name", "transformation"),
    [
        # Each recipe's page lists its "Feature transformation ARN" (native-recipe-sims.html,
        # native-recipe-popularity.html, native-recipe-search.html); two recipes share "sims".
        ("aws-sims", "sims"),
        ("aws-popularity-count", "sims"),
        ("aws-personalized-ranking", "JSON-percentile-filtering"),
    ],
)
def test_a_recipe_names_the_feature_transformation_aws_documents_for_it(
    personalize: Any, recipe_name: str, transformation: str
) -> None:
    recipe = personalize.describe_recipe(recipeArn=f"arn:aws:personalize:::recipe/{recipe_name}")["recipe"]
    arn = f"arn:aws:personalize:::feature-transformation/{transformation}"
    assert recipe["featureTransformationArn"] == arn
    described = personalize.describe_feature_transformation(featureTransformationArn=arn)
    assert described["featureTransformation"]["name"] == transformation


def test_solution_update_config_merges_into_the_solution_config(personalize: Any) -> None:
    group = interactions_dataset_group(personalize)["group"]
    solution = personalize.create_solution(
        name="weekly",
        datasetGroupArn=group,
        recipeArn=RECIPE,
        solutionConfig={"eventValueThreshold": "0.5"},
    )["solutionArn"]
    auto_training = {"schedulingExpression": "rate(7 days)"}
    update_config = {"autoTrainingConfig": auto_training}
    personalize.update_solution(solutionArn=solution, solutionUpdateConfig=update_config)
    described = describer(personalize, "Solution", solution)()
    assert described["solutionConfig"] == {"eventValueThreshold": "0.5", "autoTrainingConfig": auto_training}
    assert described["latestSolutionUpdate"]["solutionUpdateConfig"] == {"autoTrainingConfig": auto_training}


def test_everything_deletes_in_the_documented_order(personalize: Any) -> None:
    created = one_of_every_kind(personalize)
    vod_group = f"{ACCOUNT_ARN_PREFIX}:dataset-group/vod"
    order = [
        ("Recommender", created["Recommender"]),
        ("Campaign", created["Campaign"]),
        ("Solution", created["Solution"]),
        ("Solution", f"{ACCOUNT_ARN_PREFIX}:solution/segments"),
        ("EventTracker", created["EventTracker"]),
        ("Filter", created["Filter"]),
        ("MetricAttribution", created["MetricAttribution"]),
        ("Dataset", created["Dataset"]),
        ("Dataset", f"{ACCOUNT_ARN_PREFIX}:dataset/vod/INTERACTIONS"),
        ("DatasetGroup", created["DatasetGroup"]),
        ("DatasetGroup", vod_group),
        ("Schema", created["Schema"]),
        ("Schema", f"{ACCOUNT_ARN_PREFIX}:schema/vod-interactions"),
    ]
    for api_name, arn in order:
        delete = getattr(personalize, camelcase_to_underscores(f"Delete{api_name}"))
        delete(**{KINDS[api_name].arn_member: arn})
        with pytest.raises(personalize.exceptions.ResourceNotFoundException):
            describer(personalize, api_name, arn)()
    # Jobs and solution versions went with their parents.
    for api_name in ("SolutionVersion", "DatasetImportJob", "BatchInferenceJob", "DataDeletionJob"):
        with pytest.raises(personalize.exceptions.ResourceNotFoundException):
            describer(personalize, api_name, created[api_name])()


def test_request_ids_are_uuids(personalize: Any) -> None:
    request_id = personalize.list_dataset_groups()["ResponseMetadata"]["RequestId"]
    assert re.fullmatch("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", request_id)
