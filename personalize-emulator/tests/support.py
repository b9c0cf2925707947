"""Shared helpers of the emulator tests: schemas, a status watcher, a dataset group set-up, job inputs."""

import json
import time
from collections.abc import Callable
from typing import Any

import boto3
from moto.core.utils import camelcase_to_underscores

from personalize_emulator.service.kinds import KINDS
from personalize_emulator.service.storage import trust_policy

ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeRole"
ACCOUNT_ARN_PREFIX = "arn:aws:personalize:us-east-1:123456789012"
RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"
VOD_RECIPE = "arn:aws:personalize:::recipe/aws-vod-top-picks"
ITEM_AFFINITY = "arn:aws:personalize:::recipe/aws-item-affinity"
EXPRESSION = "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($TYPES)"
IMMEDIATE = {"progression": "immediate"}
STEP_PER_TWO_DESCRIBES = {"progression": "manual", "times": 2}
ALL_MODEL_NAMES = [kind.model_name for kind in KINDS.values()]


def avro(name: str, *fields: tuple[str, Any]) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "com.amazonaws.personalize.schema",
            "fields": [{"name": field, "type": avro_type} for field, avro_type in fields],
            "version": "1.0",
        }
    )


INTERACTIONS_SCHEMA = avro(
    "Interactions", ("USER_ID", "string"), ("ITEM_ID", "string"), ("TIMESTAMP", "long")
)
DOMAIN_INTERACTIONS_SCHEMA = avro(
    "Interactions",
    ("USER_ID", "string"),
    ("ITEM_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
)
ITEMS_SCHEMA = avro("Items", ("ITEM_ID", "string"), ("GENRE", "string"))
USERS_SCHEMA = avro("Users", ("USER_ID", "string"), ("AGE", "int"))


# Jobs read their inputs from moto's S3 with a role Personalize may assume: stage_inputs() provides both.
INPUT_BUCKET = "bucket"
# 30 users x 40 items: enough to train (1000 interactions, 25 users with 2 or more).
_INTERACTIONS = [
    (f"user{user}", f"item{item}", 1767225600 + 100 * user + item) for user in range(30) for item in range(40)
]
JOB_INPUTS = {
    "data.csv": "USER_ID,ITEM_ID,TIMESTAMP\n" + "".join(f"{u},{i},{t}\n" for u, i, t in _INTERACTIONS),
    "domain-data.csv": "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"
    + "".join(f"{u},{i},{t},Watch\n" for u, i, t in _INTERACTIONS),
    "deletions.csv": "USER_ID\nuser1\n",
    "input.json": '{"userId": "user1", "itemId": "item1"}\n',
}
DATA_SOURCE = {"dataLocation": f"s3://{INPUT_BUCKET}/data.csv"}
DELETION_SOURCE = {"dataLocation": f"s3://{INPUT_BUCKET}/deletions.csv"}
S3_INPUT = {"s3DataSource": {"path": f"s3://{INPUT_BUCKET}/input.json"}}
S3_OUTPUT = {"s3DataDestination": {"path": f"s3://{INPUT_BUCKET}/output/"}}


def sibling_client(client: Any, service_name: str) -> Any:
    """A client of another service of the emulator ``client`` talks to (in-process or over HTTP)."""
    endpoint = client.meta.endpoint_url
    return boto3.client(
        service_name,
        region_name=client.meta.region_name,
        endpoint_url=None if endpoint.endswith(".amazonaws.com") else endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def stage_inputs(personalize: Any) -> None:
    """The role ROLE_ARN, which Personalize may assume, and the bucket holding ``JOB_INPUTS`` (idempotent)."""
    iam = sibling_client(personalize, "iam")
    try:
        iam.create_role(RoleName=ROLE_ARN.rsplit("/", 1)[-1], AssumeRolePolicyDocument=trust_policy())
    except iam.exceptions.EntityAlreadyExistsException:
        return
    s3 = sibling_client(personalize, "s3")
    s3.create_bucket(Bucket=INPUT_BUCKET)
    for key, content in JOB_INPUTS.items():
        s3.put_object(Bucket=INPUT_BUCKET, Key=key, Body=content.encode())


def import_interactions(personalize: Any, group: str) -> None:
    """Import ``JOB_INPUTS``' interactions into the group's Interactions dataset and wait until they are in,
    unless that was done already."""
    (dataset,) = [
        summary["datasetArn"]
        for summary in personalize.list_datasets(datasetGroupArn=group)["datasets"]
        if summary["datasetType"].lower() == "interactions"
    ]
    jobs = personalize.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"]
    if any(job["status"] == "ACTIVE" for job in jobs):
        return
    stage_inputs(personalize)
    domain = personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"].get("domain")
    location = f"s3://{INPUT_BUCKET}/{'domain-data.csv' if domain else 'data.csv'}"
    job = personalize.create_dataset_import_job(
        jobName=f"seed-{group.rsplit('/', 1)[-1]}-{len(jobs)}",
        datasetArn=dataset,
        dataSource={"dataLocation": location},
        roleArn=ROLE_ARN,
    )["datasetImportJobArn"]
    describe = describer(personalize, "DatasetImportJob", job)
    assert settle(describe, until={"ACTIVE", "CREATE FAILED"})[-1] == "ACTIVE", describe()


def settle(describe: Callable[[], dict[str, Any]], *, until: set[str], seconds: float = 30) -> list[str]:
    """Describe every 50 ms until a status in ``until`` (for time progression); the distinct statuses seen."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = describe()["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in until:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"no status in {until} after {seconds} s; saw {seen}")


def describer(personalize: Any, api_name: str, arn: str) -> Callable[[], dict[str, Any]]:
    """A function describing the resource ``arn`` of kind ``api_name`` (e.g. "DatasetGroup")."""
    kind = KINDS[api_name]
    describe = getattr(personalize, camelcase_to_underscores(f"Describe{api_name}"))
    return lambda: describe(**{kind.arn_member: arn})[kind.describe_key]


def watch(describe: Callable[[], dict[str, Any]], *, until: set[str], limit: int = 50) -> list[str]:
    """Describe until a status in ``until``; return the distinct statuses in the order seen."""
    seen: list[str] = []
    for _ in range(limit):
        status = describe()["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in until:
            return seen
    raise AssertionError(f"no status in {until} after {limit} describes; saw {seen}")


def watch_deletion(describe: Callable[[], dict[str, Any]], personalize: Any, limit: int = 50) -> list[str]:
    """Describe a deleted resource until it is gone; return the statuses seen, then "gone"."""
    seen: list[str] = []
    for _ in range(limit):
        try:
            status = describe()["status"]
        except personalize.exceptions.ResourceNotFoundException:
            return [*seen, "gone"]
        if not seen or seen[-1] != status:
            seen.append(status)
    raise AssertionError(f"still there after {limit} describes; saw {seen}")


def interactions_dataset_group(
    personalize: Any, name: str = "shop", domain: str | None = None
) -> dict[str, str]:
    """An ACTIVE dataset group with an ACTIVE Interactions dataset (progression must be immediate)."""
    group_request: dict[str, Any] = {"name": name} | ({"domain": domain} if domain else {})
    group = personalize.create_dataset_group(**group_request)["datasetGroupArn"]
    schema_request: dict[str, Any] = {
        "name": f"{name}-interactions",
        "schema": DOMAIN_INTERACTIONS_SCHEMA if domain else INTERACTIONS_SCHEMA,
    } | ({"domain": domain} if domain else {})
    schema = personalize.create_schema(**schema_request)["schemaArn"]
    dataset = personalize.create_dataset(
        name=f"{name}-interactions", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    return {"group": group, "schema": schema, "dataset": dataset}


def trained_solution(
    personalize: Any, group: str, name: str = "recs", recipe: str = RECIPE
) -> dict[str, str]:
    """An ACTIVE solution and solution version in ``group``, trained on imported data (progression must be
    immediate)."""
    import_interactions(personalize, group)
    solution = personalize.create_solution(name=name, datasetGroupArn=group, recipeArn=recipe)["solutionArn"]
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    return {"solution": solution, "version": version}


def one_of_every_kind(personalize: Any) -> dict[str, str]:
    """One resource of every kind, by API name (progression must be immediate)."""
    setup = interactions_dataset_group(personalize, name="custom")
    group, dataset = setup["group"], setup["dataset"]
    trained = trained_solution(personalize, group)
    segmenting = trained_solution(personalize, group, name="segments", recipe=ITEM_AFFINITY)
    vod_group = interactions_dataset_group(personalize, name="vod", domain="VIDEO_ON_DEMAND")["group"]
    import_interactions(personalize, vod_group)
    batch = {"jobInput": S3_INPUT, "jobOutput": S3_OUTPUT, "roleArn": ROLE_ARN}
    metric = {"eventType": "click", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"}
    responses = {
        "DatasetImportJob": personalize.create_dataset_import_job(
            jobName="import", datasetArn=dataset, dataSource=DATA_SOURCE, roleArn=ROLE_ARN
        ),
        "DatasetExportJob": personalize.create_dataset_export_job(
            jobName="export", datasetArn=dataset, roleArn=ROLE_ARN, jobOutput=S3_OUTPUT
        ),
        "DataDeletionJob": personalize.create_data_deletion_job(
            jobName="forget", datasetGroupArn=group, dataSource=DELETION_SOURCE, roleArn=ROLE_ARN
        ),
        "Campaign": personalize.create_campaign(name="live", solutionVersionArn=trained["version"]),
        "BatchInferenceJob": personalize.create_batch_inference_job(
            jobName="scores", solutionVersionArn=trained["version"], **batch
        ),
        "BatchSegmentJob": personalize.create_batch_segment_job(
            jobName="segments", solutionVersionArn=segmenting["version"], **batch
        ),
        "Recommender": personalize.create_recommender(
            name="picks",
            datasetGroupArn=vod_group,
            recipeArn="arn:aws:personalize:::recipe/aws-vod-top-picks",
        ),
        "Filter": personalize.create_filter(
            name="genres", datasetGroupArn=group, filterExpression=EXPRESSION
        ),
        "EventTracker": personalize.create_event_tracker(name="clicks", datasetGroupArn=group),
        "MetricAttribution": personalize.create_metric_attribution(
            name="clicks", datasetGroupArn=group, metrics=[metric], metricsOutputConfig={"roleArn": ROLE_ARN}
        ),
    }
    created = {
        "DatasetGroup": group,
        "Schema": setup["schema"],
        "Dataset": dataset,
        "Solution": trained["solution"],
        "SolutionVersion": trained["version"],
        **{api_name: response[KINDS[api_name].arn_member] for api_name, response in responses.items()},
    }
    assert set(created) == set(KINDS)
    return created
