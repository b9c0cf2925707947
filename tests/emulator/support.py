"""Shared helpers of the emulator tests: schemas, a status watcher, and a dataset group set-up."""

import json
from collections.abc import Callable
from typing import Any

from moto.core.utils import camelcase_to_underscores

from airflow_provider_personalize.emulator.kinds import KINDS

ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeRole"
ACCOUNT_ARN_PREFIX = "arn:aws:personalize:us-east-1:123456789012"
RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"
IMMEDIATE = {"progression": "immediate"}
STEP_PER_TWO_DESCRIBES = {"progression": "manual", "times": 2}
ALL_MODEL_NAMES = [kind.model_name for kind in KINDS.values()]


def avro(name: str, *fields: tuple[str, str]) -> str:
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


def trained_solution(personalize: Any, group: str, name: str = "recs") -> dict[str, str]:
    """An ACTIVE solution and solution version in ``group`` (progression must be immediate)."""
    solution = personalize.create_solution(name=name, datasetGroupArn=group, recipeArn=RECIPE)["solutionArn"]
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    return {"solution": solution, "version": version}
