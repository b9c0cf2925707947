"""Client code nobody on this project wrote, run against the emulator as its authors run it against AWS.

- moto's own Personalize tests (getmoto/moto, ``tests/test_personalize``), with a valid schema where they
  send the placeholder ``"sth"`` (which AWS refuses too); rewritten here from what each test does;
- the developer guide's getting-started tutorials for the SDK for Python, a Custom dataset group
  ("Getting started (SDK for Python (Boto3))") and a VIDEO_ON_DEMAND Domain dataset group ("Getting started
  with a Domain dataset group (SDK for Python (Boto3))"), with the training data the guide's
  "Getting started prerequisites" describe, in both modes: statuses advance with time and the tutorial
  polls, as it does on AWS (only its pause between polls is shorter).
"""

import json
import re
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto.core.utils import camelcase_to_underscores

from personalize_emulator.service.kinds import KINDS
from personalize_emulator.service.storage import trust_policy

from .support import INTERACTIONS_SCHEMA, VOD_RECIPE, avro, describer, sibling_client

ACCOUNT = "123456789012"
USER_PERSONALIZATION = "arn:aws:personalize:::recipe/aws-user-personalization"


# -- moto's tests/test_personalize ---------------------------------------------------------------------


@pytest.fixture
def moto_client(personalize_mock: None) -> Callable[[str], Any]:
    """A Personalize client of a region, in-process, as moto's tests make them."""
    return lambda region: boto3.client("personalize", region_name=region)


def test_moto_create_schema_returns_its_arn_in_the_region(moto_client: Callable[[str], Any]) -> None:
    client = moto_client("ap-southeast-1")
    response = client.create_schema(name="personalize-demo-schema", schema=INTERACTIONS_SCHEMA)
    assert (
        response["schemaArn"]
        == f"arn:aws:personalize:ap-southeast-1:{ACCOUNT}:schema/personalize-demo-schema"
    )


def test_moto_delete_schema_leaves_no_schema(moto_client: Callable[[str], Any]) -> None:
    client = moto_client("us-east-1")
    arn = client.create_schema(name="myname", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    client.delete_schema(schemaArn=arn)
    assert client.list_schemas()["schemas"] == []


@pytest.mark.parametrize("operation", ["delete_schema", "describe_schema"])
def test_moto_an_unknown_schema_is_not_found(moto_client: Callable[[str], Any], operation: str) -> None:
    arn = f"arn:aws:personalize:ap-southeast-1:{ACCOUNT}:schema/personalize-demo-schema"
    client = moto_client("us-east-2")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        getattr(client, operation)(schemaArn=arn)
    assert raised.value.response["Error"]["Message"] == f"Resource Arn {arn} does not exist."


def test_moto_describe_schema(moto_client: Callable[[str], Any]) -> None:
    client = moto_client("us-east-2")
    arn = client.create_schema(name="myname", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    schema = client.describe_schema(schemaArn=arn)["schema"]
    assert (schema["name"], schema["schema"]) == ("myname", INTERACTIONS_SCHEMA)
    assert re.search("schema/myname", schema["schemaArn"])
    assert {"creationDateTime", "lastUpdatedDateTime"} <= set(schema)


def test_moto_describe_schema_with_a_domain(moto_client: Callable[[str], Any]) -> None:
    client = moto_client("us-east-2")
    domain_schema = json.loads(INTERACTIONS_SCHEMA)
    domain_schema["fields"].append({"name": "EVENT_TYPE", "type": "string"})
    arn = client.create_schema(name="myname", schema=json.dumps(domain_schema), domain="ECOMMERCE")
    assert client.describe_schema(schemaArn=arn["schemaArn"])["schema"]["domain"] == "ECOMMERCE"


def test_moto_list_schemas(moto_client: Callable[[str], Any]) -> None:
    client = moto_client("us-east-2")
    assert client.list_schemas()["schemas"] == []
    arn = client.create_schema(name="myname", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    (summary,) = client.list_schemas()["schemas"]
    assert (summary["name"], summary["schemaArn"], "schema" in summary) == ("myname", arn, False)
    assert {"creationDateTime", "lastUpdatedDateTime"} <= set(summary)


# -- the developer guide's getting-started tutorials (SDK for Python) ----------------------------------

ROLE_NAME = "PersonalizeServiceRole"
BUCKET = "getting-started"
# MovieLens-like ratings: 40 users, each of whom rated 30 of 50 movies (enough to train).
RATINGS = [(user, (user * 7 + n) % 50, 964982703 + 1000 * user + n) for user in range(40) for n in range(30)]


def wait_for(describe: Callable[[], dict[str, Any]], *, until: set[str], seconds: float = 120) -> str:
    """The tutorial's polling loop ("while time.time() < max_time ... time.sleep(60)"), with short pauses."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = describe()["status"]
        if status in until:
            return status
        time.sleep(0.05)
    raise AssertionError(f"no status in {until} after {seconds} s")


def prerequisites(emulator: Any, header: str, row: Callable[[int, int, int], str]) -> str:
    """The guide's prerequisites: a service role Personalize may assume, ratings.csv in a bucket."""
    personalize = emulator.client("personalize")
    role = sibling_client(personalize, "iam").create_role(
        RoleName=ROLE_NAME, AssumeRolePolicyDocument=trust_policy()
    )["Role"]["Arn"]
    s3 = sibling_client(personalize, "s3")
    s3.create_bucket(Bucket=BUCKET)
    ratings = header + "\n" + "".join(row(user, item, when) + "\n" for user, item, when in RATINGS)
    s3.put_object(Bucket=BUCKET, Key="ratings.csv", Body=ratings.encode())
    return role


def import_ratings(personalize: Any, dataset_arn: str, role_arn: str, **request: Any) -> str:
    response = personalize.create_dataset_import_job(
        jobName="JobName",
        datasetArn=dataset_arn,
        dataSource={"dataLocation": f"s3://{BUCKET}/ratings.csv"},
        roleArn=role_arn,
        **request,
    )
    return created(personalize, "DatasetImportJob", response["datasetImportJobArn"])


def created(personalize: Any, api_name: str, arn: str) -> str:
    """The tutorial's wait for a resource it created: ACTIVE, or CREATE FAILED."""
    return wait_for(describer(personalize, api_name, arn), until={"ACTIVE", "CREATE FAILED"})


def group_and_interactions_dataset(
    personalize: Any, schema: list[tuple[str, str]], names: tuple[str, str, str], **domain: str
) -> tuple[str, str]:
    """The tutorials' step 2: a schema of ``schema``'s fields, a dataset group, its Interactions dataset
    (``names``: of the schema, the group, the dataset). Returns the group's and the dataset's ARNs."""
    schema_name, group_name, dataset_name = names
    schema_arn = personalize.create_schema(name=schema_name, schema=avro("Interactions", *schema), **domain)
    group = personalize.create_dataset_group(name=group_name, **domain)["datasetGroupArn"]
    assert created(personalize, "DatasetGroup", group) == "ACTIVE"
    dataset = personalize.create_dataset(
        name=dataset_name,
        schemaArn=schema_arn["schemaArn"],
        datasetGroupArn=group,
        datasetType="INTERACTIONS" if domain else "Interactions",  # as each tutorial spells it
    )["datasetArn"]
    assert created(personalize, "Dataset", dataset) == "ACTIVE"
    return group, dataset


def test_getting_started_with_a_custom_dataset_group(emulator: Any) -> None:
    role_arn = prerequisites(emulator, "USER_ID,ITEM_ID,TIMESTAMP", lambda u, i, t: f"{u},{i},{t}")
    personalize_rt = emulator.client("personalize-runtime")
    personalize = emulator.client("personalize")
    recipes = personalize.list_recipes()["recipes"]
    assert any(recipe["recipeArn"] == USER_PERSONALIZATION for recipe in recipes)
    fields = [("USER_ID", "string"), ("ITEM_ID", "string"), ("TIMESTAMP", "long")]
    names = ("getting-started-schema", "getting-started", "getting-started-interactions")
    group, dataset = group_and_interactions_dataset(personalize, fields, names)
    assert import_ratings(personalize, dataset, role_arn, importMode="FULL") == "ACTIVE"

    solution = personalize.create_solution(
        name="getting-started-solution", recipeArn=USER_PERSONALIZATION, datasetGroupArn=group
    )["solutionArn"]
    assert created(personalize, "Solution", solution) == "ACTIVE"
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    assert created(personalize, "SolutionVersion", version) == "ACTIVE"
    campaign = personalize.create_campaign(name="getting-started-campaign", solutionVersionArn=version)
    assert created(personalize, "Campaign", campaign["campaignArn"]) == "ACTIVE"
    response = personalize_rt.get_recommendations(
        campaignArn=campaign["campaignArn"], userId="12", numResults=10
    )
    assert len(response["itemList"]) == 10

    # "Cleaning up resources": campaign, solution, dataset, dataset group, then the schema.
    for api_name, arn in [
        ("Campaign", campaign["campaignArn"]),
        ("Solution", solution),
        ("Dataset", dataset),
        ("DatasetGroup", group),
    ]:
        kind = KINDS[api_name]
        getattr(personalize, camelcase_to_underscores(f"Delete{api_name}"))(**{kind.arn_member: arn})
        wait_until_gone(describer(personalize, api_name, arn), personalize)
    (schema,) = personalize.list_schemas()["schemas"]
    personalize.delete_schema(schemaArn=schema["schemaArn"])
    assert personalize.list_schemas()["schemas"] == []


def test_getting_started_with_a_video_on_demand_domain_dataset_group(emulator: Any) -> None:
    """The guide's ratings.csv has the header USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE, its schema the fields
    USER_ID, ITEM_ID, EVENT_TYPE, TIMESTAMP: the header names map the columns."""
    role_arn = prerequisites(
        emulator, "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE", lambda u, i, t: f"{u},{i},{t},watch"
    )
    personalize_rt = emulator.client("personalize-runtime")
    personalize = emulator.client("personalize")
    fields = [("USER_ID", "string"), ("ITEM_ID", "string"), ("EVENT_TYPE", "string"), ("TIMESTAMP", "long")]
    names = ("gs-domain-interactions-schema", "gs-domain", "interactions-dataset-name")
    group, dataset = group_and_interactions_dataset(personalize, fields, names, domain="VIDEO_ON_DEMAND")
    assert import_ratings(personalize, dataset, role_arn) == "ACTIVE"

    recommender = personalize.create_recommender(
        name="gs-python-top-picks", recipeArn=VOD_RECIPE, datasetGroupArn=group
    )["recommenderArn"]
    assert created(personalize, "Recommender", recommender) == "ACTIVE"
    assert personalize_rt.get_recommendations(recommenderArn=recommender, userId="12")["itemList"]


def wait_until_gone(describe: Callable[[], dict[str, Any]], personalize: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            describe()
        except personalize.exceptions.ResourceNotFoundException:
            return
        time.sleep(0.05)
    raise AssertionError(f"still there after {seconds} s")
