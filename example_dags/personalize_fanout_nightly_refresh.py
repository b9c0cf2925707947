"""The nightly refresh, fanned out over many dataset groups (one per market, brand...) in one DAG run.

Mapped over the ``dataset_groups`` param (dynamic task mapping of a task group, one map index per group),
each group runs what ``personalize_nightly_refresh`` runs for one: import the day's interactions
(INCREMENTAL) -> train -> gate on minimum metrics and on not being worse than the live model -> deploy ->
BULK export. A group's failure or skipped gate stays in its own map index; the others go on. Each group's
data is under ``s3_root/<dataset group>/`` (``daily/interactions/<ds>.csv``, ``exports/interactions/<ds>/``).

- **A pool for the imports.** Personalize runs at most 5 import jobs at a time per region (LIMITS below):
  twenty groups importing at once would have fifteen refused, each trying its Create again every
  ``waiter_delay`` until a slot frees (the operators wait a quota out). Every import
  task takes a slot of the ``personalize_import_jobs`` pool (5 slots, ``--include-deferred``, so that a
  task waiting in the triggerer keeps its slot while its job runs); the others wait in the scheduler,
  holding nothing. Trainings (20 in progress per region) need one too past twenty groups.
- **Retries find their own job.** Jobs are named after the run: ``<dag>-<task>-<logical date>-<map
  index>``. A retried or cleared map index adopts the job its first try started (or waits for it), never
  another group's, never a duplicate; the groups' order in the param is the map index, fixed for the run.

Needs ``personalize_fanout_bootstrap`` to have run once with the same groups.
LIMITS: https://docs.aws.amazon.com/personalize/latest/dg/limits.html
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Param, chain, task, task_group
from personalize_example_common import (
    DEFAULT_ARGS,
    FANOUT_PARAMS,
    IMPORT_JOBS_POOL,
    find_pipeline_resources,
)

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateDatasetExportJobOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateSolutionVersionOperator,
    PersonalizeSolutionMetricsCheckOperator,
    PersonalizeUpdateCampaignOperator,
)


@task
def plan_dataset_groups(ds: str | None = None, params: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """Per dataset group, in the param's order (the map index): the night's input and output in S3."""
    assert params is not None
    return [
        {
            "group_name": group_name,
            "daily_interactions": f"{params['s3_root']}/{group_name}/daily/interactions/{ds}.csv",
            "interactions_export": f"{params['s3_root']}/{group_name}/exports/interactions/{ds}/",
        }
        for group_name in params["dataset_groups"]
    ]


with DAG(
    dag_id="personalize_fanout_nightly_refresh",
    description="Import, retrain, gate, deploy and export, every night, for every dataset group",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    params={
        **FANOUT_PARAMS,
        "training_mode": Param("FULL", enum=["FULL", "UPDATE"], description="UPDATE trains incrementally."),
        "max_metric_drop": Param(0.03, type="number", description="How much worse than live is tolerated."),
    },
    render_template_as_native_obj=True,
    default_args=DEFAULT_ARGS,
    tags=["personalize", "example"],
):

    @task_group
    def refresh(group_name: str, daily_interactions: str, interactions_export: str) -> None:
        resources = find_pipeline_resources(group_name)
        import_day = PersonalizeCreateDatasetImportJobOperator(
            task_id="import_daily_interactions",
            dataset_arn=resources["interactions_dataset_arn"],
            data_source=daily_interactions,
            role_arn="{{ params.role_arn }}",
            import_mode="INCREMENTAL",
            pool=IMPORT_JOBS_POOL,
        )
        train = PersonalizeCreateSolutionVersionOperator(
            task_id="train",
            solution_arn=resources["solution_arn"],
            training_mode="{{ params.training_mode }}",
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
            job_output=interactions_export,
            role_arn="{{ params.role_arn }}",
            ingestion_mode="BULK",
            trigger_rule="none_failed",
        )
        chain(import_day, train, check_metrics, deploy, export)

    refresh.expand_kwargs(plan_dataset_groups())
