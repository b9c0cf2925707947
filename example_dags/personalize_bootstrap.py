"""Bootstrap a Personalize recommender from scratch, once: data in, first model trained, checked, deployed.

dataset group -> a schema and a dataset per type (interactions, items, users) -> the first FULL import
of each -> a solution (auto-training OFF: AWS's default retrains every 7 days at your cost; the nightly
DAG decides when to train) -> its first solution version -> a metrics gate -> a campaign.

Every task is idempotent: a retry or a second run adopts what the first created (``if_exists="reuse"``),
so the DAG can be rerun after any failure. Parameters and the S3 layout: ``personalize_example_common``.
Then schedule ``personalize_nightly_refresh``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, chain
from personalize_example_common import DEFAULT_ARGS, PARAMS, SCHEMAS, resource_name

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateCampaignOperator,
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateDatasetOperator,
    PersonalizeCreateSchemaOperator,
    PersonalizeCreateSolutionOperator,
    PersonalizeCreateSolutionVersionOperator,
    PersonalizeSolutionMetricsCheckOperator,
)

with DAG(
    dag_id="personalize_bootstrap",
    description="Create, fill, train and deploy a Personalize recommender",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params=PARAMS,
    render_template_as_native_obj=True,
    default_args=DEFAULT_ARGS,
    tags=["personalize", "example"],
):
    dataset_group = PersonalizeCreateDatasetGroupOperator(
        task_id="create_dataset_group", name="{{ params.dataset_group_name }}"
    )

    imports = []
    for dataset_type, schema in SCHEMAS.items():
        kind = dataset_type.lower()
        create_schema = PersonalizeCreateSchemaOperator(
            task_id=f"create_{kind}_schema", name=resource_name(kind), schema=schema
        )
        dataset = PersonalizeCreateDatasetOperator(
            task_id=f"create_{kind}_dataset",
            name=resource_name(kind),
            schema_arn=create_schema.output,
            dataset_group_arn=dataset_group.output,
            dataset_type=dataset_type,
        )
        imports.append(
            PersonalizeCreateDatasetImportJobOperator(
                task_id=f"import_{kind}",
                dataset_arn=dataset.output,
                data_source="{{ params.s3_root }}/bootstrap/" + f"{kind}.csv",
                role_arn="{{ params.role_arn }}",
                import_mode="FULL",
            )
        )

    solution = PersonalizeCreateSolutionOperator(
        task_id="create_solution",
        name=resource_name("solution"),
        dataset_group_arn=dataset_group.output,
        recipe_arn="{{ params.recipe_arn }}",
        perform_auto_training=False,
    )
    first_version = PersonalizeCreateSolutionVersionOperator(
        task_id="train_first_version", solution_arn=solution.output, training_mode="FULL"
    )
    check_metrics = PersonalizeSolutionMetricsCheckOperator(
        task_id="check_metrics",
        solution_version_arn=first_version.output,
        thresholds="{{ params.min_metrics }}",
    )
    campaign = PersonalizeCreateCampaignOperator(
        task_id="create_campaign",
        name=resource_name("campaign"),
        solution_version_arn=first_version.output,
        min_provisioned_tps=1,
    )

    chain(imports, first_version, check_metrics, campaign)
