"""Refresh a Personalize recommender every night, unattended and retry-safe.

import the day's interactions (INCREMENTAL) -> train a new solution version (FULL or UPDATE, a param)
-> gate it on minimum metrics AND on not being worse than what the campaign serves now -> deploy it
-> BULK export of the interactions dataset (an asset: schedule downstream DAGs on it) -> a data deletion
job for the day's deletion requests, when there are any.

A model that fails the gate is not deployed: the gate is skipped (``soft_fail``), so is the deploy,
and the campaign keeps serving the previous version; the export and the deletions still run.
Jobs are named after the run, so a retry or a cleared task adopts the job its first try started
instead of importing or training twice. Needs ``personalize_bootstrap`` to have run once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param, chain, task
from personalize_example_common import (
    DAILY_INTERACTIONS,
    DEFAULT_ARGS,
    DELETION_REQUESTS,
    INTERACTIONS_EXPORT,
    PARAMS,
    find_pipeline_resources,
)

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateDataDeletionJobOperator,
    PersonalizeCreateDatasetExportJobOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateSolutionVersionOperator,
    PersonalizeSolutionMetricsCheckOperator,
    PersonalizeUpdateCampaignOperator,
)

with DAG(
    dag_id="personalize_nightly_refresh",
    description="Import, retrain, gate, deploy, export and honour deletions, every night",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    params={
        **PARAMS,
        "training_mode": Param("FULL", enum=["FULL", "UPDATE"], description="UPDATE trains incrementally."),
        "max_metric_drop": Param(0.03, type="number", description="How much worse than live is tolerated."),
    },
    render_template_as_native_obj=True,
    default_args={**DEFAULT_ARGS, "retry_delay": timedelta(minutes=5)},
    tags=["personalize", "example"],
):
    resources = find_pipeline_resources()

    import_day = PersonalizeCreateDatasetImportJobOperator(
        task_id="import_daily_interactions",
        dataset_arn=resources["interactions_dataset_arn"],
        data_source="{{ params.s3_root }}/daily/interactions/{{ ds }}.csv",
        role_arn="{{ params.role_arn }}",
        import_mode="INCREMENTAL",
        inlets=[DAILY_INTERACTIONS],
    )
    train = PersonalizeCreateSolutionVersionOperator(
        task_id="train", solution_arn=resources["solution_arn"], training_mode="{{ params.training_mode }}"
    )
    check_metrics = PersonalizeSolutionMetricsCheckOperator(
        task_id="check_metrics",
        solution_version_arn=train.output,
        thresholds="{{ params.min_metrics }}",
        compare_to_campaign_arn=resources["campaign_arn"],
        tolerance="{{ params.max_metric_drop }}",
        soft_fail=True,
    )
    deploy = PersonalizeUpdateCampaignOperator(
        task_id="deploy", campaign_arn=resources["campaign_arn"], solution_version_arn=train.output
    )
    export = PersonalizeCreateDatasetExportJobOperator(
        task_id="export_interactions",
        dataset_arn=resources["interactions_dataset_arn"],
        job_output="{{ params.s3_root }}/exports/interactions/{{ ds }}/",
        role_arn="{{ params.role_arn }}",
        ingestion_mode="BULK",
        outlets=[INTERACTIONS_EXPORT],
        trigger_rule="none_failed",
    )

    @task.short_circuit(inlets=[DELETION_REQUESTS])
    def deletion_requests_arrived(ds: str | None = None, params: dict | None = None) -> bool:
        """True when the day has a deletion request file; otherwise the deletion job is skipped."""
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        assert params is not None
        return S3Hook(aws_conn_id="aws_default").check_for_key(
            f"{params['s3_root']}/deletion-requests/{ds}.csv"
        )

    delete_users = PersonalizeCreateDataDeletionJobOperator(
        task_id="delete_requested_users",
        dataset_group_arn=resources["dataset_group_arn"],
        data_source="{{ params.s3_root }}/deletion-requests/{{ ds }}.csv",
        role_arn="{{ params.role_arn }}",
    )

    chain(import_day, train, check_metrics, deploy, export, deletion_requests_arrived(), delete_users)
