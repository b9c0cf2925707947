"""Realistic inputs for every Personalize operator: bad ones the provider must stop before any request is
sent, naming the parameter, and valid-but-unusual ones AWS accepts, which must reach the service.

Shared by the unit test (tests/unit/test_input_corpus.py) and the benchmark (bench/validation_cost.py).
Each case is an operator, the arguments that differ from that operator's valid baseline, and, for a bad
case, the keyword its error must name. A case runs the way a worker runs a task: the operator is built,
its template fields rendered against a context, then executed, with a real botocore client whose
``before-send`` handler records the request and stops it (:func:`run`): nothing leaves the process and
nothing is created, and a case whose request is sent is one that validation let through.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import boto3
from airflow.sdk.bases.operator import ExecutorSafeguard

from airflow_provider_personalize.operators import personalize as operators

ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = f"arn:aws:personalize:{REGION}:{ACCOUNT}"
GROUP_ARN = f"{PREFIX}:dataset-group/shop"
DATASET_ARN = f"{PREFIX}:dataset/shop/INTERACTIONS"
SCHEMA_ARN = f"{PREFIX}:schema/shop-interactions"
IMPORT_ARN = f"{PREFIX}:dataset-import-job/nightly-import"
SOLUTION_ARN = f"{PREFIX}:solution/shop-ranking"
VERSION_ARN = f"{SOLUTION_ARN}/1a2b3c4d"
CAMPAIGN_ARN = f"{PREFIX}:campaign/shop-live"
FILTER_ARN = f"{PREFIX}:filter/no-purchased"
RECIPE_ARN = "arn:aws:personalize:::recipe/aws-user-personalization"
ECOMMERCE_RECIPE_ARN = "arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeS3"
KMS_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# What a template renders to when the XCom it pulls is missing (no native rendering): the text "None".
MISSING_XCOM = "{{ ti.xcom_pull(task_ids='upstream') }}"
EMPTY = "{{ params.empty }}"


def avro(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    """A Personalize schema as AWS's samples write it."""
    return {
        "type": "record",
        "name": name,
        "namespace": "com.amazonaws.personalize.schema",
        "fields": list(fields),
        "version": "1.0",
    }


def column(name: str, type_: Any = "string", **attributes: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **attributes}


INTERACTIONS = avro("Interactions", column("USER_ID"), column("ITEM_ID"), column("TIMESTAMP", "long"))


def tags(count: int) -> dict[str, str]:
    return {f"team-{index}": "recs" for index in range(count)}


@dataclass(frozen=True)
class Case:
    """An operator, the arguments that differ from its baseline, and the keyword a bad case's error names
    (None: a valid case, which must reach the service)."""

    id: str
    operator: type
    arguments: dict[str, Any] = field(default_factory=dict)
    parameter: str | None = None

    def full_arguments(self) -> dict[str, Any]:
        return {**BASELINES[self.operator], **self.arguments}


GROUP = operators.PersonalizeCreateDatasetGroupOperator
SCHEMA = operators.PersonalizeCreateSchemaOperator
DATASET = operators.PersonalizeCreateDatasetOperator
IMPORT = operators.PersonalizeCreateDatasetImportJobOperator
EXPORT = operators.PersonalizeCreateDatasetExportJobOperator
DELETION = operators.PersonalizeCreateDataDeletionJobOperator
SOLUTION = operators.PersonalizeCreateSolutionOperator
VERSION = operators.PersonalizeCreateSolutionVersionOperator
CAMPAIGN = operators.PersonalizeCreateCampaignOperator
BATCH = operators.PersonalizeCreateBatchInferenceJobOperator
SEGMENT = operators.PersonalizeCreateBatchSegmentJobOperator
RECOMMENDER = operators.PersonalizeCreateRecommenderOperator
FILTER = operators.PersonalizeCreateFilterOperator
TRACKER = operators.PersonalizeCreateEventTrackerOperator
ATTRIBUTION = operators.PersonalizeCreateMetricAttributionOperator
UPDATE_CAMPAIGN = operators.PersonalizeUpdateCampaignOperator
UPDATE_SOLUTION = operators.PersonalizeUpdateSolutionOperator
GATE = operators.PersonalizeSolutionMetricsCheckOperator
DELETE = operators.PersonalizeDeleteResourceOperator
DELETE_GROUP = operators.PersonalizeDeleteDatasetGroupOperator
BASELINES: dict[type, dict[str, Any]] = {
    GROUP: {"name": "shop"},
    SCHEMA: {"name": "shop-interactions", "schema": INTERACTIONS},
    DATASET: {
        "name": "shop-interactions",
        "schema_arn": SCHEMA_ARN,
        "dataset_group_arn": GROUP_ARN,
        "dataset_type": "Interactions",
    },
    IMPORT: {
        "dataset_arn": DATASET_ARN,
        "data_source": "s3://shop-data/interactions.csv",
        "role_arn": ROLE_ARN,
    },
    EXPORT: {
        "dataset_arn": DATASET_ARN,
        "role_arn": ROLE_ARN,
        "job_output": "s3://shop-data/export/",
    },
    DELETION: {
        "dataset_group_arn": GROUP_ARN,
        "data_source": "s3://shop-data/deletions/users.csv",
        "role_arn": ROLE_ARN,
    },
    SOLUTION: {
        "name": "shop-ranking",
        "dataset_group_arn": GROUP_ARN,
        "recipe_arn": RECIPE_ARN,
        "perform_auto_training": False,
    },
    VERSION: {"solution_arn": SOLUTION_ARN},
    CAMPAIGN: {"name": "shop-live", "solution_version_arn": VERSION_ARN},
    BATCH: {
        "solution_version_arn": VERSION_ARN,
        "job_input": "s3://shop-data/batch/users.json",
        "job_output": "s3://shop-data/batch/out/",
        "role_arn": ROLE_ARN,
    },
    SEGMENT: {
        "solution_version_arn": VERSION_ARN,
        "job_input": "s3://shop-data/segments/items.json",
        "job_output": "s3://shop-data/segments/out/",
        "role_arn": ROLE_ARN,
    },
    RECOMMENDER: {
        "name": "for-you",
        "dataset_group_arn": GROUP_ARN,
        "recipe_arn": ECOMMERCE_RECIPE_ARN,
    },
    FILTER: {
        "name": "no-purchased",
        "dataset_group_arn": GROUP_ARN,
        "filter_expression": 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")',
    },
    TRACKER: {"name": "clicks", "dataset_group_arn": GROUP_ARN},
    ATTRIBUTION: {
        "name": "revenue",
        "dataset_group_arn": GROUP_ARN,
        "metrics": [{"eventType": "purchase", "metricName": "revenue", "expression": "SUM(Items.PRICE)"}],
        "metrics_output_config": {
            "roleArn": ROLE_ARN,
            "s3DataDestination": {"path": "s3://shop-data/metrics/"},
        },
    },
    UPDATE_CAMPAIGN: {"campaign_arn": CAMPAIGN_ARN, "solution_version_arn": VERSION_ARN},
    UPDATE_SOLUTION: {"solution_arn": SOLUTION_ARN, "perform_auto_training": False},
    GATE: {
        "solution_version_arn": VERSION_ARN,
        "thresholds": {"precision_at_10": 0.1},
    },
    DELETE: {"kind": "campaign", "arn": CAMPAIGN_ARN},
    DELETE_GROUP: {"dataset_group_arn": GROUP_ARN},
}


def bad(id: str, operator: type, parameter: str, **arguments: Any) -> Case:
    return Case(id, operator, arguments, parameter)


def good(id: str, operator: type, **arguments: Any) -> Case:
    return Case(id, operator, arguments)


def config(**solution_config: Any) -> dict[str, Any]:
    return {"solution_config": solution_config}


def exploration(**item_exploration: str) -> dict[str, Any]:
    return {"itemExplorationConfig": item_exploration}


def metric(expression: str) -> list[dict[str, str]]:
    return [{"eventType": "purchase", "metricName": "revenue", "expression": expression}]


def filter_expression(expression: str) -> dict[str, str]:
    return {"filter_expression": expression}


ITEMS_ECOMMERCE = avro(
    "Items",
    column("ITEM_ID"),
    column("PRICE", "float"),
    column("CATEGORY_L1", categorical=True),
    column("CATEGORY_L2", ["null", "string"], categorical=True),
    column("PRODUCT_DESCRIPTION", ["null", "string"], textual=True),
)

BAD: list[Case] = [
    # Dataset groups
    bad("group name with a space", GROUP, "name", name="x y"),
    bad("group name with punctuation", GROUP, "name", name="shop!"),
    bad("group name empty", GROUP, "name", name=""),
    bad("group name rendered empty", GROUP, "name", name=EMPTY),
    bad("group name starting with a dash", GROUP, "name", name="-shop"),
    bad("group name of 64 characters", GROUP, "name", name="s" * 64),
    bad("60 tags", GROUP, "tags", tags=tags(60)),
    bad("reserved tag key", GROUP, "tags", tags={"aws:team": "recs"}),
    bad("reserved tag value", GROUP, "tags", tags={"team": "AWS:recs"}),
    bad("tag value of 257 characters", GROUP, "tags", tags={"team": "r" * 257}),
    bad("tag value with a tab", GROUP, "tags", tags={"team": "recs\tsearch"}),
    bad("duplicate tag keys", GROUP, "tags", tags=[{"tagKey": "team", "tagValue": "a"}] * 2),
    bad("role without a KMS key", GROUP, "role_arn", role_arn=ROLE_ARN),
    bad(
        "KMS alias instead of key ARN",
        GROUP,
        "kms_key_arn",
        kms_key_arn="alias/personalize",
        role_arn=ROLE_ARN,
    ),
    bad("unknown domain", GROUP, "domain", domain="RETAIL"),
    # Schemas
    bad("Avro type strin", SCHEMA, "schema", schema=avro("Interactions", column("USER_ID", "strin"))),
    bad("schema not JSON", SCHEMA, "schema", schema="{'type': 'record', 'name': 'Interactions'"),
    bad(
        "schema not a record",
        SCHEMA,
        "schema",
        schema={"type": "enum", "name": "Interactions", "symbols": []},
    ),
    bad(
        "interactions without USER_ID",
        SCHEMA,
        "schema",
        schema=avro("Interactions", column("ITEM_ID"), column("TIMESTAMP", "long")),
    ),
    bad(
        "TIMESTAMP as a string",
        SCHEMA,
        "schema",
        schema=avro("Interactions", column("USER_ID"), column("ITEM_ID"), column("TIMESTAMP")),
    ),
    bad(
        "nested record field",
        SCHEMA,
        "schema",
        schema=avro(
            "Users",
            column("USER_ID"),
            column("ADDRESS", {"type": "record", "name": "Address", "fields": [column("CITY")]}),
        ),
    ),
    bad(
        "array field",
        SCHEMA,
        "schema",
        schema=avro("Items", column("ITEM_ID"), column("GENRES", {"type": "array", "items": "string"})),
    ),
    bad(
        "field names equal once alphanumeric",
        SCHEMA,
        "schema",
        schema=avro("Items", column("ITEM_ID"), column("GENRES_1", categorical=True), column("GENRES1")),
    ),
    bad(
        "categorical int field",
        SCHEMA,
        "schema",
        schema=avro("Users", column("USER_ID"), column("AGE", "int", categorical=True)),
    ),
    bad(
        "union of two types",
        SCHEMA,
        "schema",
        schema=avro("Users", column("USER_ID"), column("AGE", ["null", "string", "int"])),
    ),
    bad(
        "ECOMMERCE items without PRICE",
        SCHEMA,
        "schema",
        domain="ECOMMERCE",
        schema=avro("Items", column("ITEM_ID"), column("CATEGORY_L1", categorical=True)),
    ),
    bad(
        "field name with a hyphen",
        SCHEMA,
        "schema",
        schema=avro("Items", column("ITEM_ID"), column("RELEASE-YEAR", "int")),
    ),
    bad("users without metadata", SCHEMA, "schema", schema=avro("Users", column("USER_ID"))),
    bad(
        "six interactions metadata fields",
        SCHEMA,
        "schema",
        schema=avro(
            "Interactions",
            column("USER_ID"),
            column("ITEM_ID"),
            column("TIMESTAMP", "long"),
            *(column(f"CONTEXT_{index}", categorical=True) for index in range(6)),
        ),
    ),
    bad(
        "textual field in users",
        SCHEMA,
        "schema",
        schema=avro("Users", column("USER_ID"), column("BIO", textual=True)),
    ),
    bad(
        "categorical EVENT_TYPE",
        SCHEMA,
        "schema",
        schema=avro(
            "Interactions",
            column("USER_ID"),
            column("ITEM_ID"),
            column("TIMESTAMP", "long"),
            column("EVENT_TYPE", categorical=True),
        ),
    ),
    bad("schema name with a space", SCHEMA, "name", name="shop interactions"),
    # Datasets
    bad("dataset type Interaction", DATASET, "dataset_type", dataset_type="Interaction"),
    bad("schema ARN of a dataset group", DATASET, "schema_arn", schema_arn=GROUP_ARN),
    bad("dataset group name for its ARN", DATASET, "dataset_group_arn", dataset_group_arn="shop"),
    bad("dataset group from a missing XCom", DATASET, "dataset_group_arn", dataset_group_arn=MISSING_XCOM),
    bad("dataset name with a space", DATASET, "name", name="shop interactions"),
    # Dataset import jobs
    bad("https data source", IMPORT, "data_source", data_source="https://shop-data.s3.amazonaws.com/i.csv"),
    bad("data source without scheme", IMPORT, "data_source", data_source="shop-data/interactions.csv"),
    bad("bucket with an underscore", IMPORT, "data_source", data_source="s3://shop_data/interactions.csv"),
    bad("s3a data source", IMPORT, "data_source", data_source="s3a://shop-data/interactions.csv"),
    bad("import into a dataset group", IMPORT, "dataset_arn", dataset_arn=GROUP_ARN),
    bad("import into a solution", IMPORT, "dataset_arn", dataset_arn=SOLUTION_ARN),
    bad("import mode in lower case", IMPORT, "import_mode", import_mode="incremental"),
    bad("job name with spaces", IMPORT, "job_name", job_name="import 2024-01-01"),
    bad("role name for its ARN", IMPORT, "role_arn", role_arn="PersonalizeS3"),
    bad("role ARN with a space", IMPORT, "role_arn", role_arn=f"arn:aws:iam::{ACCOUNT}:role/Personalize S3"),
    bad("51 import tags", IMPORT, "tags", tags=tags(51)),
    bad("publish yes", IMPORT, "publish_attribution_metrics_to_s3", publish_attribution_metrics_to_s3="yes"),
    bad("data source from a missing XCom", IMPORT, "data_source", data_source=MISSING_XCOM),
    # Dataset export jobs
    bad("http export output", EXPORT, "job_output", job_output="http://shop-data/export/"),
    bad("export bucket in upper case", EXPORT, "job_output", job_output="s3://Shop-Data/export/"),
    bad("ingestion mode BOTH", EXPORT, "ingestion_mode", ingestion_mode="BOTH"),
    bad("export an import job", EXPORT, "dataset_arn", dataset_arn=IMPORT_ARN),
    bad("export role rendered empty", EXPORT, "role_arn", role_arn=EMPTY),
    bad(
        "export KMS key of an 11-digit account",
        EXPORT,
        "job_output",
        job_output={
            "s3DataDestination": {
                "path": "s3://shop-data/export/",
                "kmsKeyArn": "arn:aws:kms:us-east-1:12345678901:key/k",
            }
        },
    ),
    # Data deletion jobs
    bad("https deletion list", DELETION, "data_source", data_source="https://shop-data/deletions/users.csv"),
    bad("deletion in a dataset", DELETION, "dataset_group_arn", dataset_group_arn=DATASET_ARN),
    bad("deletion without a role", DELETION, "role_arn", role_arn=None),
    bad("deletion job name with a space", DELETION, "job_name", job_name="delete users"),
    # Solutions
    bad("recipe name for its ARN", SOLUTION, "recipe_arn", recipe_arn="aws-user-personalization"),
    bad("recipe ARN of a solution", SOLUTION, "recipe_arn", recipe_arn=SOLUTION_ARN),
    bad("no recipe without AutoML", SOLUTION, "recipe_arn", recipe_arn=None),
    bad("recipe with AutoML", SOLUTION, "recipe_arn", perform_auto_ml=True),
    bad(
        "training every 45 days",
        SOLUTION,
        "solution_config",
        **config(autoTrainingConfig={"schedulingExpression": "rate(45 days)"}),
    ),
    bad(
        "training every 0 days",
        SOLUTION,
        "solution_config",
        **config(autoTrainingConfig={"schedulingExpression": "rate(0 days)"}),
    ),
    bad(
        "training every week",
        SOLUTION,
        "solution_config",
        **config(autoTrainingConfig={"schedulingExpression": "rate(1 week)"}),
    ),
    bad(
        "training on cron",
        SOLUTION,
        "solution_config",
        **config(autoTrainingConfig={"schedulingExpression": "cron(0 0 * * ? *)"}),
    ),
    bad(
        "100 HPO training jobs",
        SOLUTION,
        "solution_config",
        **config(hpoConfig={"hpoResourceConfig": {"maxNumberOfTrainingJobs": "100"}}),
    ),
    bad(
        "20 parallel HPO jobs",
        SOLUTION,
        "solution_config",
        **config(hpoConfig={"hpoResourceConfig": {"maxParallelTrainingJobs": "20"}}),
    ),
    bad(
        "event weight 1.5",
        SOLUTION,
        "solution_config",
        **config(eventsConfig={"eventParametersList": [{"eventType": "click", "weight": 1.5}]}),
    ),
    bad("perform HPO maybe", SOLUTION, "perform_hpo", perform_hpo="maybe"),
    bad("solution name with a space", SOLUTION, "name", name="ranking v2"),
    bad("solution in a dataset", SOLUTION, "dataset_group_arn", dataset_group_arn=DATASET_ARN),
    # Solution versions
    bad("train a solution version", VERSION, "solution_arn", solution_arn=VERSION_ARN),
    bad("train a campaign", VERSION, "solution_arn", solution_arn=CAMPAIGN_ARN),
    bad("training mode INCREMENTAL", VERSION, "training_mode", training_mode="INCREMENTAL"),
    bad("version name with a space", VERSION, "name", name="nightly run"),
    bad("solution rendered empty", VERSION, "solution_arn", solution_arn=EMPTY),
    bad("reserved version tag", VERSION, "tags", tags={"aws:created-by": "airflow"}),
    # Campaigns
    bad("deploy a solution", CAMPAIGN, "solution_version_arn", solution_version_arn=SOLUTION_ARN),
    bad("zero TPS", CAMPAIGN, "min_provisioned_tps", min_provisioned_tps=0),
    bad("negative TPS text", CAMPAIGN, "min_provisioned_tps", min_provisioned_tps="-1"),
    bad(
        "exploration weight 1.5",
        CAMPAIGN,
        "campaign_config",
        campaign_config=exploration(explorationWeight="1.5"),
    ),
    bad(
        "exploration cut-off -1",
        CAMPAIGN,
        "campaign_config",
        campaign_config=exploration(explorationItemAgeCutOff="-1"),
    ),
    bad(
        "sync with a fixed version",
        CAMPAIGN,
        "solution_version_arn",
        campaign_config={"syncWithLatestSolutionVersion": True},
    ),
    bad("campaign name with a space", CAMPAIGN, "name", name="live campaign"),
    # Batch inference jobs
    bad("num_results -5", BATCH, "num_results", num_results=-5),
    bad("num_results 0", BATCH, "num_results", num_results=0),
    bad("num_results ten", BATCH, "num_results", num_results="ten"),
    bad("https batch input", BATCH, "job_input", job_input="https://shop-data/batch/users.json"),
    bad("filter ARN of a campaign", BATCH, "filter_arn", filter_arn=CAMPAIGN_ARN),
    bad("filter from a missing XCom", BATCH, "filter_arn", filter_arn=MISSING_XCOM),
    bad("batch on a solution", BATCH, "solution_version_arn", solution_version_arn=SOLUTION_ARN),
    bad(
        "ranking influence 2",
        BATCH,
        "batch_inference_job_config",
        batch_inference_job_config={"rankingInfluence": {"POPULARITY": 2}},
    ),
    bad("batch job name with a space", BATCH, "job_name", job_name="batch job"),
    # Batch segment jobs
    bad("segment num_results -1", SEGMENT, "num_results", num_results=-1),
    bad("http segment input", SEGMENT, "job_input", job_input="http://shop-data/segments/items.json"),
    bad("segments of a solution", SEGMENT, "solution_version_arn", solution_version_arn=SOLUTION_ARN),
    bad("segment filter of a dataset group", SEGMENT, "filter_arn", filter_arn=GROUP_ARN),
    # Recommenders
    bad("recommender recipe of a solution", RECOMMENDER, "recipe_arn", recipe_arn=SOLUTION_ARN),
    bad(
        "zero requests per second",
        RECOMMENDER,
        "recommender_config",
        recommender_config={"minRecommendationRequestsPerSecond": 0},
    ),
    bad(
        "recommender exploration 2",
        RECOMMENDER,
        "recommender_config",
        recommender_config=exploration(explorationWeight="2"),
    ),
    bad("recommender name with a space", RECOMMENDER, "name", name="for you"),
    bad(
        "dataset group ARN without a name",
        RECOMMENDER,
        "dataset_group_arn",
        dataset_group_arn=f"{PREFIX}:dataset-group/",
    ),
    # Filters
    bad(
        "filter without a condition", FILTER, "filter_expression", **filter_expression("EXCLUDE ItemID WHERE")
    ),
    bad(
        "filter unclosed list",
        FILTER,
        "filter_expression",
        **filter_expression('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click"'),
    ),
    bad(
        "filter without WHERE",
        FILTER,
        "filter_expression",
        **filter_expression('EXCLUDE ItemID Interactions.EVENT_TYPE IN ("click")'),
    ),
    bad(
        "filter on Items instead of ItemID",
        FILTER,
        "filter_expression",
        **filter_expression('EXCLUDE Items WHERE Items.GENRE IN ("x")'),
    ),
    bad(
        "filter comparison without a value",
        FILTER,
        "filter_expression",
        **filter_expression("INCLUDE ItemID WHERE Items.PRICE <="),
    ),
    bad(
        "filter with ==",
        FILTER,
        "filter_expression",
        **filter_expression('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE == "click"'),
    ),
    bad(
        "filter IF on items",
        FILTER,
        "filter_expression",
        **filter_expression('EXCLUDE ItemID WHERE Items.GENRE IN ("x") IF Items.AGE > 18'),
    ),
    bad(
        "filter with a trailing pipe",
        FILTER,
        "filter_expression",
        **filter_expression('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click") |'),
    ),
    bad(
        "filter on six fields",
        FILTER,
        "filter_expression",
        **filter_expression(
            "INCLUDE ItemID WHERE " + " AND ".join(f'Items.F{index} IN ("x")' for index in range(6))
        ),
    ),
    bad("filter expression empty", FILTER, "filter_expression", **filter_expression("")),
    bad("filter name with a space", FILTER, "name", name="no purchases"),
    # Event trackers
    bad("tracker name with a space", TRACKER, "name", name="click tracker"),
    bad("tracker in a campaign", TRACKER, "dataset_group_arn", dataset_group_arn=CAMPAIGN_ARN),
    bad("51 tracker tags", TRACKER, "tags", tags=tags(51)),
    # Metric attributions
    bad("metric COUNT", ATTRIBUTION, "metrics", metrics=metric("COUNT(*)")),
    bad("metric SUM of users", ATTRIBUTION, "metrics", metrics=metric("SUM(Users.AGE)")),
    bad("11 metrics", ATTRIBUTION, "metrics", metrics=metric("SAMPLECOUNT()") * 11),
    bad(
        "https metrics output",
        ATTRIBUTION,
        "metrics_output_config",
        metrics_output_config={
            "roleArn": ROLE_ARN,
            "s3DataDestination": {"path": "https://shop-data/metrics/"},
        },
    ),
    bad("metrics output without a role", ATTRIBUTION, "metrics_output_config", metrics_output_config={}),
    bad("attribution name with a space", ATTRIBUTION, "name", name="revenue metrics"),
    # Campaign updates
    bad("update a solution", UPDATE_CAMPAIGN, "campaign_arn", campaign_arn=SOLUTION_ARN),
    bad("update to a solution", UPDATE_CAMPAIGN, "solution_version_arn", solution_version_arn=SOLUTION_ARN),
    bad("update to zero TPS", UPDATE_CAMPAIGN, "min_provisioned_tps", min_provisioned_tps=0),
    bad("update campaign rendered empty", UPDATE_CAMPAIGN, "campaign_arn", campaign_arn=EMPTY),
    # Solution updates
    bad(
        "update training every 31 days",
        UPDATE_SOLUTION,
        "solution_update_config",
        solution_update_config={"autoTrainingConfig": {"schedulingExpression": "rate(31 days)"}},
    ),
    bad("update a solution version", UPDATE_SOLUTION, "solution_arn", solution_arn=VERSION_ARN),
    bad(
        "update event weight -0.5",
        UPDATE_SOLUTION,
        "solution_update_config",
        solution_update_config={
            "eventsConfig": {"eventParametersList": [{"eventType": "click", "weight": -0.5}]}
        },
    ),
    # The metrics gate
    bad("gate a solution", GATE, "solution_version_arn", solution_version_arn=SOLUTION_ARN),
    bad("thresholds as a sentence", GATE, "thresholds", thresholds="precision_at_10 > 0.1"),
    bad("negative tolerance", GATE, "tolerance", tolerance=-0.1),
    bad(
        "compare to a solution version", GATE, "compare_to_campaign_arn", compare_to_campaign_arn=VERSION_ARN
    ),
    bad("threshold high", GATE, "thresholds", thresholds={"precision_at_10": "high"}),
    bad("gate version rendered empty", GATE, "solution_version_arn", solution_version_arn=EMPTY),
    bad("metric written Precision@10", GATE, "thresholds", thresholds={"Precision@10": 0.1}),
    bad("tolerance a lot", GATE, "tolerance", tolerance="a lot"),
    # Deleting one resource
    bad("delete a solution as a campaign", DELETE, "arn", arn=SOLUTION_ARN),
    bad("delete ARN rendered empty", DELETE, "arn", arn=EMPTY),
    bad("delete by name", DELETE, "arn", arn="shop-live"),
    bad("delete an S3 object", DELETE, "arn", arn="s3://shop-data/x.csv"),
    bad("delete a solution version", DELETE, "kind", kind="solution_version", arn=VERSION_ARN),
    bad("delete kind campaigns", DELETE, "kind", kind="campaigns"),
    bad("delete from a missing XCom", DELETE, "arn", arn=MISSING_XCOM),
    # Deleting a dataset group
    bad(
        "delete mistyped dataset group",
        DELETE_GROUP,
        "dataset_group_arn",
        dataset_group_arn=f"{PREFIX}:datasetgroup/shop",
    ),
    bad("delete group rendered empty", DELETE_GROUP, "dataset_group_arn", dataset_group_arn=EMPTY),
    bad("delete a dataset as a group", DELETE_GROUP, "dataset_group_arn", dataset_group_arn=DATASET_ARN),
    bad(
        "delete group from a missing XCom", DELETE_GROUP, "dataset_group_arn", dataset_group_arn=MISSING_XCOM
    ),
    bad(
        "delete group name with a space",
        DELETE_GROUP,
        "dataset_group_name",
        dataset_group_arn=None,
        dataset_group_name="shop group",
    ),
    bad(
        "delete group name rendered empty",
        DELETE_GROUP,
        "dataset_group_name",
        dataset_group_arn=None,
        dataset_group_name=EMPTY,
    ),
]

# Valid inputs off the beaten path, each from AWS's documentation or samples: they must reach the service.
GOOD: list[Case] = [
    good("one-character name", GROUP, name="a"),
    good("name with dashes and underscores", GROUP, name="Shop-2024_eu-west"),
    good("name of 63 characters", GROUP, name="s" * 63),
    good("50 tags", GROUP, tags=tags(50)),
    good("empty tag value", GROUP, tags={"team": ""}),
    good(
        "tags with letters of any script, spaces and symbols",
        GROUP,
        tags={"équipe données": "a_b.c:d/e=f+g-h@i"},
    ),
    good("tags as the API's list", GROUP, tags=[{"tagKey": "team", "tagValue": "recs"}]),
    good("encrypted group", GROUP, role_arn=ROLE_ARN, kms_key_arn=KMS_KEY_ARN),
    good(
        "role with a path",
        GROUP,
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/service-role/Personalize",
        kms_key_arn=KMS_KEY_ARN,
    ),
    good("video on demand group", GROUP, domain="VIDEO_ON_DEMAND"),
    good("interactions schema as JSON text", SCHEMA, schema=json.dumps(INTERACTIONS)),
    good(
        "interactions with reserved fields",
        SCHEMA,
        schema=avro(
            "Interactions",
            column("USER_ID"),
            column("ITEM_ID"),
            column("TIMESTAMP", "long"),
            column("EVENT_TYPE"),
            column("EVENT_VALUE", ["null", "float"]),
            column("IMPRESSION", ["null", "string"]),
            column("DEVICE", ["string", "null"], categorical=True),
        ),
    ),
    good("ECOMMERCE items", SCHEMA, domain="ECOMMERCE", schema=ITEMS_ECOMMERCE),
    good(
        "users with nullable metadata",
        SCHEMA,
        schema=avro(
            "Users",
            column("USER_ID"),
            column("AGE", ["null", "int"]),
            column("GENDER", ["null", "string"], categorical=True),
        ),
    ),
    good(
        "actions",
        SCHEMA,
        schema=avro(
            "Actions",
            column("ACTION_ID"),
            column("VALUE", ["null", "long"]),
            column("MEMBERSHIP_LEVEL", ["null", "string"], categorical=True),
            column("CREATION_TIMESTAMP", "long"),
            column("REPEAT_FREQUENCY", ["null", "long"]),
        ),
    ),
    good(
        "action interactions",
        SCHEMA,
        schema=avro(
            "Action_Interactions",
            column("USER_ID"),
            column("ACTION_ID"),
            column("TIMESTAMP", "long"),
            column("EVENT_TYPE"),
            column("IMPRESSION", ["null", "string"]),
        ),
    ),
    good("dataset type in lower case", DATASET, dataset_type="interactions"),
    good("action interactions dataset", DATASET, dataset_type="Action_Interactions"),
    good(
        "China partition",
        DATASET,
        dataset_group_arn=f"arn:aws-cn:personalize:cn-north-1:{ACCOUNT}:dataset-group/shop",
    ),
    good(
        "GovCloud partition",
        DATASET,
        dataset_group_arn=f"arn:aws-us-gov:personalize:us-gov-west-1:{ACCOUNT}:dataset-group/shop",
    ),
    good("folder data source", IMPORT, data_source="s3://shop-data/interactions/2024/"),
    good("bucket with dots", IMPORT, data_source="s3://shop.data.eu/interactions.csv"),
    good("incremental import", IMPORT, import_mode="INCREMENTAL", publish_attribution_metrics_to_s3="true"),
    good("import without a role", IMPORT, role_arn=None),
    good(
        "export with a KMS key",
        EXPORT,
        ingestion_mode="ALL",
        job_output={"s3DataDestination": {"path": "s3://shop-data/export/", "kmsKeyArn": KMS_KEY_ARN}},
    ),
    good("deletion of a folder", DELETION, data_source="s3://shop-data/deletions/"),
    good("AutoML without a recipe", SOLUTION, recipe_arn=None, perform_auto_ml=True),
    good(
        "training every day",
        SOLUTION,
        perform_auto_training=True,
        **config(autoTrainingConfig={"schedulingExpression": "rate(1 day)"}),
    ),
    good(
        "training every 30 days",
        SOLUTION,
        perform_auto_training=True,
        **config(autoTrainingConfig={"schedulingExpression": "rate(30 days)"}),
    ),
    good(
        "HPO at its limits",
        SOLUTION,
        perform_hpo=True,
        **config(
            hpoConfig={
                "hpoResourceConfig": {"maxNumberOfTrainingJobs": "40", "maxParallelTrainingJobs": "10"}
            }
        ),
    ),
    good("trending now", SOLUTION, recipe_arn="arn:aws:personalize:::recipe/aws-trending-now"),
    good("update training", VERSION, training_mode="UPDATE"),
    good("version named by the user", VERSION, name="nightly-2024_01_02"),
    good(
        "campaign on the latest version",
        CAMPAIGN,
        solution_version_arn=f"{SOLUTION_ARN}/$LATEST",
        campaign_config={"syncWithLatestSolutionVersion": True},
    ),
    good(
        "exploration at its bounds",
        CAMPAIGN,
        campaign_config=exploration(explorationWeight="0", explorationItemAgeCutOff="30"),
    ),
    good("full exploration", CAMPAIGN, campaign_config=exploration(explorationWeight="1.0")),
    good("TPS as template text", CAMPAIGN, min_provisioned_tps="{{ params.tps }}"),
    good("num_results as template text", BATCH, num_results="{{ params.results }}"),
    good("500 results", BATCH, num_results=500),
    good("batch input folder", BATCH, job_input="s3://shop-data/batch/"),
    good("batch with a filter", BATCH, filter_arn=FILTER_ARN),
    good("segment filter", SEGMENT, filter_arn=FILTER_ARN, num_results=100),
    good("recommender exploration", RECOMMENDER, recommender_config=exploration(explorationWeight="0.3")),
    good("attribution SAMPLECOUNT", ATTRIBUTION, metrics=metric("SAMPLECOUNT()")),
    good("attribution without S3 output", ATTRIBUTION, metrics_output_config={"roleArn": ROLE_ARN}),
    good(
        "update to the latest version",
        UPDATE_CAMPAIGN,
        solution_version_arn=f"{SOLUTION_ARN}/$LATEST",
        campaign_config={"syncWithLatestSolutionVersion": True},
    ),
    good("update capacity only", UPDATE_CAMPAIGN, solution_version_arn=None, min_provisioned_tps=2),
    good(
        "update training every 30 days",
        UPDATE_SOLUTION,
        perform_auto_training=True,
        solution_update_config={"autoTrainingConfig": {"schedulingExpression": "rate(30 days)"}},
    ),
    good("gate on segment metrics", GATE, thresholds={"hits_at_1_percent": 0.5, "recall_at_1_percent": 0.1}),
    good(
        "gate on rewards",
        GATE,
        thresholds={"average_rewards_at_k": 0.2},
        compare_to_campaign_arn=CAMPAIGN_ARN,
        tolerance="0.01",
    ),
    good("thresholds as JSON text", GATE, thresholds='{"coverage": 0.1, "mean_reciprocal_rank_at_25": 0.05}'),
    good("delete a schema", DELETE, kind="schema", arn=SCHEMA_ARN),
    good("delete a dataset", DELETE, kind="dataset", arn=DATASET_ARN),
    good("delete a filter", DELETE, kind="filter", arn=FILTER_ARN),
    good("delete a group by name", DELETE_GROUP, dataset_group_arn=None, dataset_group_name="shop-2024_a"),
    good("delete a group from XCom", DELETE_GROUP, dataset_group_arn="{{ params.group_arn }}"),
]

# Every filter expression of AWS's filter-expression examples pages
# (https://docs.aws.amazon.com/personalize/latest/dg/item-recommendation-filter-examples.html,
# .../user-segment-filter-examples.html, .../action-recommendation-filter-examples.html,
# .../multiple-expression-example.html), and the asterisk of "Filter expression structure and elements".
AWS_FILTER_EXAMPLES = [
    "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($EVENT_TYPE)",
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")',
    'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")',
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
    "EXCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)",
    "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE",
    'EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("shoe") AND Items.CATEGORY_L2 NOT IN ("boot")',
    "INCLUDE ItemID WHERE Items.PRICE <= $PRICE",
    "INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP < $DATE",
    "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)",
    "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.CREATION_TIMESTAMP > $DATE",
    "EXCLUDE ItemID WHERE Items.GENRE IN ($GENRE) IF CurrentUser.AGE = $AGE",
    'INCLUDE ItemID WHERE Items.CATEGORY IN ("watch") AND Items.DESCRIPTION IN ("luxury")'
    " IF CurrentUser.AGE > 18",
    "INCLUDE UserID WHERE Users.MEMBERSHIP_STATUS IN ($MEMBERSHIP)",
    "EXCLUDE UserID WHERE Users.AGE < $AGE",
    'INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("click, rating")',
    "EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ($EVENT_TYPE)",
    "INCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ($EVENT_TYPE)",
    'EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("NOT_TAKEN")',
    "EXCLUDE ActionID WHERE Actions.CATEGORY IN ($CATEGORY)",
    "INCLUDE ActionID WHERE Actions.VALUE > ($VALUE)",
    'INCLUDE ActionID WHERE Action.MEMBERSHIP_LEVEL IN ("Premium") IF CurrentUser.MEMBERSHIP = $PREMIUM',
    "EXCLUDE ActionID WHERE Actions.VALUE < ($VALUE) IF CurrentUser.MEMBERSHIP = $PREMIUM",
    "INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"
    ' | INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("favorite")',
    "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)"
    ' | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")',
]
GOOD += [
    good(f"AWS filter example {index}", FILTER, **filter_expression(text))
    for index, text in enumerate(AWS_FILTER_EXAMPLES)
]


class RequestSent(Exception):
    """Raised by the client's ``before-send`` handler: the request was built and signed, and stopped."""


@dataclass(frozen=True)
class Outcome:
    """What running a case did: the requests it tried to send, and the error it ended with (if any)."""

    requests: tuple[str, ...]
    error: BaseException | None
    seconds: float  # building, rendering and executing, until the first request or the error

    @property
    def sent(self) -> bool:
        return bool(self.requests)

    def names(self, parameter: str) -> bool:
        """Whether the error names ``parameter`` as the subject of a problem (``parameter: ...``,
        ``parameter.member: ...``, ``parameter[0]...``)."""
        import re

        return self.error is not None and bool(
            re.search(rf"(?:^|[:;] |\n){re.escape(parameter)}(?:[.\[:]| key)", str(self.error))
        )


def client() -> Any:
    """A real botocore Personalize client; requests are signed with made-up credentials, never sent."""
    return boto3.client(
        "personalize", region_name=REGION, aws_access_key_id="corpus", aws_secret_access_key="corpus"
    )


def context() -> dict[str, Any]:
    """The context a task gets, reduced to what the operators and these templates read. The task instance
    is a plain stand-in: a real one needs a database, and nothing here depends on more than these fields."""
    task_instance = SimpleNamespace(
        dag_id="nightly",
        task_id="task",
        run_id="scheduled__2026-01-02T00:00:00+00:00",
        map_index=-1,
        xcom_pull=lambda *args, **kwargs: None,
        xcom_push=lambda *args, **kwargs: None,
    )
    params = {"empty": "", "tps": "2", "results": "25", "group_arn": GROUP_ARN}
    return {"ti": task_instance, "task_instance": task_instance, "logical_date": None, "params": params}


def run(case: Case, personalize: Any) -> Outcome:
    """Build, render and execute the case's operator with ``personalize`` (a real client) as its hook's
    client; stop at the first request."""
    requests: list[str] = []

    def stop(request: Any, event_name: str, **kwargs: Any) -> None:
        requests.append(event_name.rsplit(".", 1)[-1])
        raise RequestSent(event_name)

    personalize.meta.events.register_first("before-send.personalize", stop)
    started = time.perf_counter()
    error: BaseException | None = None
    try:
        operator = case.operator(
            task_id="task", aws_conn_id=None, region_name=REGION, **case.full_arguments()
        )
        operator.hook.__dict__["conn"] = personalize
        task_context = context()
        operator.render_template_fields(task_context)
        # As the task runner does: mark the operator as the one it runs (or execute() warns it is not).
        running = ExecutorSafeguard.tracker.set(operator)
        try:
            operator.execute(task_context)
        finally:
            ExecutorSafeguard.tracker.reset(running)
    except RequestSent:
        pass
    except Exception as raised:
        error = raised
    finally:
        personalize.meta.events.unregister("before-send.personalize", stop)
    return Outcome(tuple(requests), error, time.perf_counter() - started)
