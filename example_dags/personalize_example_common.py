"""What the example Personalize DAGs share: their parameters, the S3 layout, the schemas, the lookups.

Change the defaults here, or per run with params (``airflow dags test <dag> <date> -c '{"bucket": ...}'``
or the trigger form). The bucket and prefix also name the DAGs' assets, which Airflow must know when
it parses the files, so their defaults come from environment variables read at parse time
(``PERSONALIZE_EXAMPLE_BUCKET``, ``PERSONALIZE_EXAMPLE_PREFIX``): reading the environment costs nothing,
and no AWS or metadata-database call is made while parsing.

S3 layout under ``s3://<bucket>/<prefix>/``::

    bootstrap/{interactions,items,users}.csv      first FULL imports
    daily/interactions/<YYYY-MM-DD>.csv          each day's new interactions (INCREMENTAL imports)
    deletion-requests/<YYYY-MM-DD>.csv           each day's USER_IDs to forget (data deletion jobs)
    exports/interactions/<YYYY-MM-DD>/           nightly BULK exports of the interactions dataset

The fan-out DAGs (``personalize_fanout_*``) keep one such layout per dataset group, under
``s3://<bucket>/<prefix>/<dataset group>/`` (interactions only).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, Param, task

BUCKET = os.environ.get("PERSONALIZE_EXAMPLE_BUCKET", "personalize-example")
PREFIX = os.environ.get("PERSONALIZE_EXAMPLE_PREFIX", "personalize")
S3_ROOT = f"s3://{BUCKET}/{PREFIX}"

DAILY_INTERACTIONS = Asset(f"{S3_ROOT}/daily/interactions/")
DELETION_REQUESTS = Asset(f"{S3_ROOT}/deletion-requests/")
INTERACTIONS_EXPORT = Asset(f"{S3_ROOT}/exports/interactions/")

PARAMS = {
    "dataset_group_name": Param(
        "personalize-example", type="string", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9\-_]*$"
    ),
    "role_arn": Param(
        os.environ.get("PERSONALIZE_EXAMPLE_ROLE_ARN", "arn:aws:iam::123456789012:role/PersonalizeS3Access"),
        type="string",
        description="The role Personalize assumes to read and write the bucket.",
    ),
    "s3_root": Param(S3_ROOT, type="string", description="s3://bucket/prefix of the pipeline's data."),
    "recipe_arn": Param("arn:aws:personalize:::recipe/aws-user-personalization-v2", type="string"),
    "min_metrics": Param(
        {"coverage": 0.05, "normalized_discounted_cumulative_gain_at_10": 0.05},
        type="object",
        description="GetSolutionMetrics minimums a model must meet to be deployed.",
    ),
}

# Personalize allows 5 dataset import jobs PENDING or IN_PROGRESS per region
# (https://docs.aws.amazon.com/personalize/latest/dg/limits.html): every import task of every DAG takes a
# slot of this pool, deferred or not, so that no more are started. Create it once per deployment:
#   airflow pools set personalize_import_jobs 5 "Personalize import jobs in progress" --include-deferred
IMPORT_JOBS_POOL = "personalize_import_jobs"

# Each operator polls at the pace its resource kind needs in AWS (every minute for jobs); a local
# emulator that moves in seconds wants PERSONALIZE_EXAMPLE_WAITER_DELAY=1.
DEFAULT_ARGS: dict[str, Any] = {"retries": 2}
if os.environ.get("PERSONALIZE_EXAMPLE_WAITER_DELAY"):
    DEFAULT_ARGS["waiter_delay"] = int(os.environ["PERSONALIZE_EXAMPLE_WAITER_DELAY"])

# The Avro schema of each dataset, kept beside the DAGs as the columns of the CSV files imported.
SCHEMAS: dict[str, dict[str, Any]] = {
    dataset_type: json.loads((Path(__file__).parent / "schemas" / f"{dataset_type.lower()}.json").read_text())
    for dataset_type in ("Interactions", "Items", "Users")
}


def resource_name(kind: str, group_name: str = "{{ params.dataset_group_name }}") -> str:
    """The name of one of the pipeline's resources (default: templated on the dataset group's name)."""
    return f"{group_name}-{kind}"


# The fan-out DAGs' parameters: a list of dataset groups (one per market, brand...) instead of one.
FANOUT_PARAMS = {
    **{name: param for name, param in PARAMS.items() if name != "dataset_group_name"},
    "dataset_groups": Param(
        ["personalize-example-fr", "personalize-example-de", "personalize-example-uk"],
        type="array",
        items=PARAMS["dataset_group_name"].schema,
        minItems=1,
        uniqueItems=True,
        description="The dataset groups, each with its data under s3_root/<dataset group>/.",
    ),
}


@task
def find_pipeline_resources(
    group_name: str | None = None, params: dict[str, Any] | None = None
) -> dict[str, str]:
    """The ARNs of what the bootstrap created for the dataset group ``group_name`` (default: the
    ``dataset_group_name`` param), found by name; fails if it has not run."""
    from airflow.providers.common.compat.sdk import AirflowFailException

    from airflow_provider_personalize.hooks.personalize import PersonalizeHook
    from airflow_provider_personalize.resources import CAMPAIGN, DATASET, DATASET_GROUP, SOLUTION

    assert params is not None
    group_name = group_name or params["dataset_group_name"]
    hook = PersonalizeHook(aws_conn_id="aws_default")
    group = hook.find_by_name(DATASET_GROUP, group_name)
    if group is None:
        raise AirflowFailException(f"Dataset group {group_name!r} not found: run personalize_bootstrap first")
    group_arn = group[DATASET_GROUP.arn_member]
    wanted = {
        "interactions_dataset_arn": (DATASET, f"{group_name}-interactions", group_arn),
        "solution_arn": (SOLUTION, f"{group_name}-solution", group_arn),
        "campaign_arn": (CAMPAIGN, f"{group_name}-campaign", None),
    }
    found = {"dataset_group_arn": group_arn}
    for key, (kind, name, parent_arn) in wanted.items():
        resource = hook.find_by_name(kind, name, parent_arn)
        if resource is None:
            raise AirflowFailException(
                f"Personalize {kind.label} {name!r} not found: run personalize_bootstrap first"
            )
        found[key] = resource[kind.arn_member]
    return found
