"""Honour users' deletion requests as they arrive, and stop their data influencing recommendations.

Scheduled on the ``deletion-requests/`` asset: whatever writes a request file (a privacy intake
service, another DAG) emits an asset event whose extra carries its ``s3_uri``; a manual run may name
the file with the ``deletion_request_uri`` param instead.

data deletion job (the users' records leave every dataset of the group) -> retrain FULL on what
remains -> minimum-metrics gate (no comparison with the live model: after a deletion, the model to
serve is one that never saw the deleted users, even if it scores a little lower) -> deploy.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Param, chain, task
from personalize_example_common import DEFAULT_ARGS, DELETION_REQUESTS, PARAMS, find_pipeline_resources

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateDataDeletionJobOperator,
    PersonalizeCreateSolutionVersionOperator,
    PersonalizeSolutionMetricsCheckOperator,
    PersonalizeUpdateCampaignOperator,
)

with DAG(
    dag_id="personalize_user_deletion",
    description="Delete users' data on request, then retrain and redeploy without it",
    schedule=[DELETION_REQUESTS],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    params={
        **PARAMS,
        "deletion_request_uri": Param(
            None, type=["null", "string"], description="s3:// URI of a USER_ID CSV, for a manual run."
        ),
    },
    render_template_as_native_obj=True,
    default_args=DEFAULT_ARGS,
    tags=["personalize", "example"],
):
    resources = find_pipeline_resources()

    @task
    def deletion_request_uri(params: dict | None = None, triggering_asset_events=None) -> str:
        """The request file: from the newest triggering asset event, else from the params."""
        from airflow.providers.common.compat.sdk import AirflowFailException

        assert params is not None
        events = [event for events in (triggering_asset_events or {}).values() for event in events]
        uris = [event.extra["s3_uri"] for event in events if event.extra and event.extra.get("s3_uri")]
        uri = uris[-1] if uris else params["deletion_request_uri"]
        if not uri:
            raise AirflowFailException(
                "No deletion request: trigger with an asset event carrying extra.s3_uri, "
                "or set the deletion_request_uri param"
            )
        return uri

    delete_users = PersonalizeCreateDataDeletionJobOperator(
        task_id="delete_requested_users",
        dataset_group_arn=resources["dataset_group_arn"],
        data_source=deletion_request_uri(),
        role_arn="{{ params.role_arn }}",
    )
    retrain = PersonalizeCreateSolutionVersionOperator(
        task_id="retrain", solution_arn=resources["solution_arn"], training_mode="FULL"
    )
    check_metrics = PersonalizeSolutionMetricsCheckOperator(
        task_id="check_metrics", solution_version_arn=retrain.output, thresholds="{{ params.min_metrics }}"
    )
    deploy = PersonalizeUpdateCampaignOperator(
        task_id="deploy", campaign_arn=resources["campaign_arn"], solution_version_arn=retrain.output
    )

    chain(delete_users, retrain, check_metrics, deploy)
