"""A DAG the integration tests run against the HTTP emulator: an encrypted dataset group, a filter with a
parameter applied by a batch inference job, and a Next-Best-Action solution deployed in a campaign.

The KMS key is created by the test (outside the DAG, as a user's key is), passed in as ``params.kms_key_arn``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateBatchInferenceJobOperator,
    PersonalizeCreateCampaignOperator,
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateDatasetOperator,
    PersonalizeCreateFilterOperator,
    PersonalizeCreateSchemaOperator,
    PersonalizeCreateSolutionOperator,
    PersonalizeCreateSolutionVersionOperator,
)

CONN_ID = "personalize_emulator"
BUCKET = "personalize-features"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeFeatures"
GROUP = "it-encrypted"


def _schema(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "record",
        "name": name,
        "namespace": "com.amazonaws.personalize.schema",
        "fields": list(fields),
    }


SCHEMAS = {
    "Interactions": _schema(
        "Interactions",
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
    ),
    "Items": _schema(
        "Items",
        {"name": "ITEM_ID", "type": "string"},
        {"name": "GENRE", "type": "string", "categorical": True},
    ),
    "Actions": _schema(
        "Actions",
        {"name": "ACTION_ID", "type": "string"},
        {"name": "VALUE", "type": ["null", "long"]},
        {"name": "CATEGORY", "type": "string", "categorical": True},
    ),
    "Action_Interactions": _schema(
        "ActionInteractions",
        {"name": "USER_ID", "type": "string"},
        {"name": "ACTION_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
        {"name": "EVENT_TYPE", "type": "string"},
    ),
}

with DAG(
    "personalize_it_features",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params={"kms_key_arn": ""},
    default_args={"aws_conn_id": CONN_ID, "waiter_delay": 1},
) as personalize_it_features:
    group = PersonalizeCreateDatasetGroupOperator(
        task_id="dataset_group", name=GROUP, kms_key_arn="{{ params.kms_key_arn }}", role_arn=ROLE_ARN
    )
    imports = []
    for dataset_type, schema_fields in SCHEMAS.items():
        slug = dataset_type.lower().replace("_", "-")
        schema = PersonalizeCreateSchemaOperator(
            task_id=f"schema_{slug}", name=f"{GROUP}-{slug}", schema=schema_fields
        )
        dataset = PersonalizeCreateDatasetOperator(
            task_id=f"dataset_{slug}",
            name=f"{GROUP}-{slug}",
            schema_arn=schema.output,
            dataset_group_arn=group.output,
            dataset_type=dataset_type,
        )
        imports.append(
            PersonalizeCreateDatasetImportJobOperator(
                task_id=f"import_{slug}",
                dataset_arn=dataset.output,
                data_source=f"s3://{BUCKET}/{slug}.csv",
                role_arn=ROLE_ARN,
            )
        )

    by_genre = PersonalizeCreateFilterOperator(
        task_id="filter_by_genre",
        name="it-by-genre",
        dataset_group_arn=group.output,
        filter_expression="INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)",
    )
    solution = PersonalizeCreateSolutionOperator(
        task_id="solution",
        name="it-personalization",
        dataset_group_arn=group.output,
        recipe_arn="arn:aws:personalize:::recipe/aws-user-personalization",
        perform_auto_training=False,
    )
    version = PersonalizeCreateSolutionVersionOperator(task_id="train", solution_arn=solution.output)
    batch = PersonalizeCreateBatchInferenceJobOperator(
        task_id="batch_by_genre",
        solution_version_arn=version.output,
        filter_arn=by_genre.output,
        job_input=f"s3://{BUCKET}/batch-input/users.jsonl",
        job_output=f"s3://{BUCKET}/batch-output/",
        role_arn=ROLE_ARN,
        num_results=10,
    )
    next_best_action = PersonalizeCreateSolutionOperator(
        task_id="nba_solution",
        name="it-next-best-action",
        dataset_group_arn=group.output,
        recipe_arn="arn:aws:personalize:::recipe/aws-next-best-action",
        perform_auto_training=False,
    )
    nba_version = PersonalizeCreateSolutionVersionOperator(
        task_id="train_nba", solution_arn=next_best_action.output
    )
    nba_campaign = PersonalizeCreateCampaignOperator(
        task_id="nba_campaign", name="it-next-best-action", solution_version_arn=nba_version.output
    )

    imports >> by_genre
    imports >> solution
    imports >> next_best_action
    batch << [version, by_genre]
