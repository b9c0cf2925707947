"""Bootstrap one Personalize recommender per dataset group (market, brand...), all in one run.

One Interactions schema, shared; then, mapped over the ``dataset_groups`` param (dynamic task mapping of a
task group, one map index per group): dataset group -> Interactions dataset -> first FULL import -> a
solution (auto-training OFF) -> its first version -> a metrics gate -> a campaign. Each group's data is
under ``s3_root/<dataset group>/bootstrap/interactions.csv``.

Quotas to know before fanning out (https://docs.aws.amazon.com/personalize/latest/dg/limits.html):
5 active dataset groups per region unless AWS raised it for the account (ask Service Quotas before running
this over more groups), 5 import jobs in progress per region (the imports take a slot of the
``personalize_import_jobs`` pool, see ``personalize_example_common``), 20 trainings in progress.

Retry-safe like ``personalize_bootstrap``: resources are named after their group and adopted when they
exist, and the first version's name carries the map index, so each group's retry finds its own. Then
schedule ``personalize_fanout_nightly_refresh`` with the same groups.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, chain, task, task_group
from personalize_example_common import DEFAULT_ARGS, FANOUT_PARAMS, IMPORT_JOBS_POOL, SCHEMAS, resource_name

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


@task
def plan_dataset_groups(params: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Per dataset group, in the param's order (the map index): its resources' names and its data."""
    assert params is not None
    return [
        {
            "group_name": group_name,
            "dataset_name": resource_name("interactions", group_name),
            "solution_name": resource_name("solution", group_name),
            "campaign_name": resource_name("campaign", group_name),
            "interactions": f"{params['s3_root']}/{group_name}/bootstrap/interactions.csv",
        }
        for group_name in params["dataset_groups"]
    ]


with DAG(
    dag_id="personalize_fanout_bootstrap",
    description="Create, fill, train and deploy a Personalize recommender per dataset group",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params=FANOUT_PARAMS,
    render_template_as_native_obj=True,
    default_args=DEFAULT_ARGS,
    tags=["personalize", "example"],
):
    schema = PersonalizeCreateSchemaOperator(
        task_id="create_interactions_schema",
        name="personalize-fanout-interactions",
        schema=SCHEMAS["Interactions"],
    )

    @task_group
    def bootstrap(
        group_name: str, dataset_name: str, solution_name: str, campaign_name: str, interactions: str
    ) -> None:
        dataset_group = PersonalizeCreateDatasetGroupOperator(task_id="create_dataset_group", name=group_name)
        dataset = PersonalizeCreateDatasetOperator(
            task_id="create_interactions_dataset",
            name=dataset_name,
            schema_arn=schema.output,
            dataset_group_arn=dataset_group.output,
            dataset_type="Interactions",
        )
        first_import = PersonalizeCreateDatasetImportJobOperator(
            task_id="import_interactions",
            dataset_arn=dataset.output,
            data_source=interactions,
            role_arn="{{ params.role_arn }}",
            import_mode="FULL",
            pool=IMPORT_JOBS_POOL,
        )
        solution = PersonalizeCreateSolutionOperator(
            task_id="create_solution",
            name=solution_name,
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
            name=campaign_name,
            solution_version_arn=first_version.output,
            min_provisioned_tps=1,
        )
        chain(first_import, first_version, check_metrics, campaign)

    bootstrap.expand_kwargs(plan_dataset_groups())
