"""What a config's schema cannot say: the rules across its parts, checked before any DAG is built.

Each finds every breach, with the path of the element at fault. Rules from the service carry the AWS page
they come from; where AWS's behaviour is unknown the check refuses (conservative), saying why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from airflow_provider_personalize.pipelines import schedules
from airflow_provider_personalize.pipelines.model import (
    AFTER_IMPORT,
    DATASET_TYPES,
    NAME_MAX_LENGTH,
    DataImport,
    Deployment,
    Resource,
)
from airflow_provider_personalize.pipelines.validation import Problem

# USER_SEGMENTATION recipes: their models make batch segment jobs, and only those (no campaign, no batch
# inference): https://docs.aws.amazon.com/personalize/latest/dg/item-affinity-recipe.html,
# https://docs.aws.amazon.com/personalize/latest/dg/item-attribute-affinity-recipe.html
USER_SEGMENTATION_RECIPES = frozenset({"aws-item-affinity", "aws-item-attribute-affinity"})
# trainingMode UPDATE "can only be used when ... the input solution was trained with the User-Personalization
# recipe or the legacy HRNN-Coldstart recipe" (https://docs.aws.amazon.com/personalize/latest/dg/
# API_CreateSolutionVersion.html). User-Personalization-v2 is not named: refused, as the conservative choice.
UPDATE_RECIPES = frozenset({"aws-user-personalization", "aws-hrnn-coldstart"})
# Recipes that train on the Items dataset alone (https://docs.aws.amazon.com/personalize/latest/dg/
# semantic-similarity-recipe.html); every other one needs interactions.
ITEMS_ONLY_RECIPES = frozenset({"aws-semantic-similarity"})
# A scheduled batch job is named <prefix>YYYY_MM_DD_HH_MM_SS.
_TIMESTAMP_LENGTH = len("2026_01_31_23_59_59")


def problems(deployment: Deployment) -> list[Problem]:
    return [
        *_schedules(deployment),
        *_dataset_types(deployment),
        *_unique_names(deployment),
        *_schemas(deployment),
        *_filters(deployment),
        *_recipes(deployment),
        *_recommenders(deployment),
        *_interactions(deployment),
        *_roles(deployment),
        *_job_names(deployment),
    ]


def _schedules(deployment: Deployment) -> Iterator[Problem]:
    for schedule in deployment.schedules():
        if schedule.expression == AFTER_IMPORT and deployment.config_format == "personalize":
            if not deployment.scheduled_imports():
                yield Problem(
                    schedule.path,
                    f"{AFTER_IMPORT!r} needs scheduled imports: give schedules.import and datasets' imports",
                )
            continue
        try:
            schedules.check(schedule.expression)
        except schedules.ScheduleError as error:
            yield Problem(schedule.path, str(error))


def _dataset_types(deployment: Deployment) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for dataset in deployment.datasets:
        dataset_type = DATASET_TYPES.get(dataset.dataset_type.lower())
        if dataset_type is None:
            yield Problem(
                dataset.type_path,
                f"{dataset.dataset_type!r} is not a dataset type: {', '.join(DATASET_TYPES.values())}",
            )
        elif dataset_type in seen:
            yield Problem(
                dataset.type_path,
                f"a dataset group has one dataset of each type, and {dataset_type} is also given at "
                f"{seen[dataset_type]}",
            )
        else:
            seen[dataset_type] = dataset.type_path


def _unique_names(deployment: Deployment) -> Iterator[Problem]:
    """Two resources of a kind with one name would be one resource: the second would adopt the first."""
    kinds: dict[str, Iterable[Resource]] = {
        "dataset": (Resource(dataset.path, dataset.request) for dataset in deployment.datasets),
        "solution": (Resource(solution.path, solution.request) for solution in deployment.solutions),
        "campaign": (campaign for solution in deployment.solutions for campaign in solution.campaigns),
        "filter": deployment.filters,
        "recommender": deployment.recommenders,
    }
    for kind, resources in kinds.items():
        seen: dict[str, str] = {}
        for resource in resources:
            if not resource.name:
                continue
            if resource.name in seen:
                yield Problem(
                    f"{resource.path}.name",
                    f"another {kind} is named {resource.name!r} ({seen[resource.name]})",
                )
            else:
                seen[resource.name] = resource.path


def _schemas(deployment: Deployment) -> Iterator[Problem]:
    """Schemas are shared by name: one name must mean one schema."""
    seen: dict[str, tuple[str, Any]] = {}
    for dataset in deployment.datasets:
        name, content = dataset.schema.get("name"), _canonical(dataset.schema.get("schema"))
        if not isinstance(name, str):
            continue
        if name in seen and seen[name][1] != content:
            yield Problem(
                f"{dataset.schema_path}.name",
                f"the schema {name!r} is also given at {seen[name][0]}, with other fields: name them apart",
            )
        seen.setdefault(name, (dataset.schema_path, content))


def _canonical(schema: Any) -> Any:
    if isinstance(schema, str):
        try:
            return json.loads(schema)
        except ValueError:
            return schema
    return schema


def _filters(deployment: Deployment) -> Iterator[Problem]:
    names = [resource.name for resource in deployment.filters]
    for solution in deployment.solutions:
        for job in solution.batch_jobs:
            if job.filter_name and "filterArn" in job.request:
                yield Problem(f"{job.path}.filterName", "give filterName or filterArn, not both")
            elif job.filter_name and job.filter_name not in names:
                known = ", ".join(names) if names else "the config has none"
                yield Problem(f"{job.path}.filterName", f"no filter is named {job.filter_name!r} ({known})")


def _recipes(deployment: Deployment) -> Iterator[Problem]:
    for solution in deployment.solutions:
        recipe = solution.recipe
        if recipe is None:
            continue
        segmentation = recipe in USER_SEGMENTATION_RECIPES
        if segmentation:
            for campaign in solution.campaigns:
                yield Problem(
                    campaign.path,
                    f"{recipe} makes user segments, in batch segment jobs only: it cannot be deployed to a "
                    "campaign",
                )
        for job in solution.batch_jobs:
            if job.kind == "batch_segment_job" and not segmentation:
                yield Problem(
                    job.path,
                    f"batch segment jobs need a USER_SEGMENTATION recipe "
                    f"({', '.join(sorted(USER_SEGMENTATION_RECIPES))}), not {recipe}",
                )
            elif job.kind == "batch_inference_job" and segmentation:
                yield Problem(job.path, f"{recipe} makes batch segment jobs, not batch inference jobs")
        update = solution.schedules.get("update")
        if update and recipe not in UPDATE_RECIPES:
            yield Problem(
                update.path,
                f"UPDATE training is for {' and '.join(sorted(UPDATE_RECIPES))} solutions only, "
                f"not {recipe}: schedule 'full' instead",
            )


def _recommenders(deployment: Deployment) -> Iterator[Problem]:
    # Recommenders exist in Domain dataset groups only (https://docs.aws.amazon.com/personalize/latest/dg/
    # API_CreateRecommender.html).
    if deployment.group.get("domain"):
        return
    for recommender in deployment.recommenders:
        yield Problem(
            recommender.path,
            f"recommenders need a domain dataset group: give {deployment.group_path}.domain "
            "(ECOMMERCE or VIDEO_ON_DEMAND)",
        )


def _interactions(deployment: Deployment) -> Iterator[Problem]:
    if not deployment.datasets:  # the datasets exist already: nothing to check here
        return
    types = {DATASET_TYPES.get(dataset.dataset_type.lower()) for dataset in deployment.datasets}
    needing = [s.name for s in deployment.solutions if s.recipe not in ITEMS_ONLY_RECIPES]
    needing += [recommender.name for recommender in deployment.recommenders]
    if "Interactions" not in types and needing:
        yield Problem(
            "datasets",
            f"no Interactions dataset, but {', '.join(needing)} train on interactions: declare one",
        )


def _roles(deployment: Deployment) -> Iterator[Problem]:
    imports: list[DataImport] = []
    for dataset in deployment.datasets:
        imports += [i for i in (dataset.bootstrap_import, dataset.scheduled_import) if i is not None]
    paths = [data_import.path for data_import in imports if "roleArn" not in data_import.request]
    paths += [
        job.path
        for solution in deployment.solutions
        for job in solution.batch_jobs
        if "roleArn" not in job.request
    ]
    paths = list(dict.fromkeys(paths))
    if not paths:
        return
    if deployment.config_format == "personalize":
        for path in paths:
            yield Problem(
                f"{path}.roleArn",
                "Personalize needs a role to read and write S3: give roleArn here, at the top level, or "
                "dags_from_config(role_arn=...)",
            )
    else:
        yield Problem(
            "role_arn",
            f"Personalize needs a role to read and write S3 (for {', '.join(paths)}): "
            "give dags_from_config(role_arn=...)",
        )


def _job_names(deployment: Deployment) -> Iterator[Problem]:
    for solution in deployment.solutions:
        for job in solution.batch_jobs:
            length = len(job.name_prefix) + _TIMESTAMP_LENGTH
            if length > NAME_MAX_LENGTH:
                yield Problem(
                    f"{solution.path}.name",
                    f"the batch jobs' names, {job.name_prefix}YYYY_MM_DD_HH_MM_SS, would be {length} "
                    f"characters long, more than {NAME_MAX_LENGTH}: use a shorter name",
                )
