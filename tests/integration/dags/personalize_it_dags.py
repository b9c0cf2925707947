"""DAGs the integration tests run against the HTTP emulator (Airflow connection ``personalize_emulator``).

``personalize_it_pipeline_blocking`` / ``_deferrable``: dataset group -> schema -> dataset -> import job
-> export job (+ sensor) -> data deletion job, each ARN chained to the next by XCom (``task.output``).
``personalize_it_bad_input``: arguments the service would refuse. ``personalize_it_import_blocking`` /
``_deferrable``: one import (the tests inject faults). ``personalize_it_retry``: an import whose first try
times out and is retried.
``personalize_it_training_blocking`` / ``_deferrable``: every create operator after the import.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateBatchInferenceJobOperator,
    PersonalizeCreateBatchSegmentJobOperator,
    PersonalizeCreateCampaignOperator,
    PersonalizeCreateDataDeletionJobOperator,
    PersonalizeCreateDatasetExportJobOperator,
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateDatasetOperator,
    PersonalizeCreateEventTrackerOperator,
    PersonalizeCreateFilterOperator,
    PersonalizeCreateMetricAttributionOperator,
    PersonalizeCreateRecommenderOperator,
    PersonalizeCreateSchemaOperator,
    PersonalizeCreateSolutionOperator,
    PersonalizeCreateSolutionVersionOperator,
)
from airflow_provider_personalize.sensors.personalize import PersonalizeDatasetExportJobSensor

CONN_ID = "personalize_emulator"
BUCKET = "personalize-it"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3Access"
INTERACTIONS_SCHEMA = {
    "type": "record",
    "name": "Interactions",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
    ],
    "version": "1.0",
}
ECOMMERCE_INTERACTIONS_SCHEMA = {
    **INTERACTIONS_SCHEMA,
    "fields": [*INTERACTIONS_SCHEMA["fields"], {"name": "EVENT_TYPE", "type": "string"}],
}
START_DATE = datetime(2026, 1, 1)


def it_dag(dag_id: str, **default_args) -> DAG:
    return DAG(
        dag_id,
        schedule=None,
        start_date=START_DATE,
        catchup=False,
        default_args={"aws_conn_id": CONN_ID, "waiter_delay": 1, **default_args},
    )


def interactions_dataset(group_name: str, task_prefix: str = "", domain: str | None = None):
    """Inside a DAG: a dataset group with an interactions schema and dataset; returns the group and
    dataset tasks (``<task_prefix>dataset_group``, ``<task_prefix>schema``, ``<task_prefix>dataset``)."""
    group = PersonalizeCreateDatasetGroupOperator(
        task_id=f"{task_prefix}dataset_group", name=group_name, domain=domain, tags={"it": "yes"}
    )
    schema = PersonalizeCreateSchemaOperator(
        task_id=f"{task_prefix}schema",
        name=f"{group_name}-interactions",
        schema=ECOMMERCE_INTERACTIONS_SCHEMA if domain else INTERACTIONS_SCHEMA,
        domain=domain,
    )
    dataset = PersonalizeCreateDatasetOperator(
        task_id=f"{task_prefix}dataset",
        name=f"{group_name}-interactions",
        schema_arn=schema.output,
        dataset_group_arn=group.output,
        dataset_type="Interactions",
    )
    return group, dataset


def dataset_tasks(dag_id: str, **default_args) -> tuple[DAG, Any, Any]:
    """A DAG with the group ``it-group`` and its interactions dataset; returns the DAG, group and dataset."""
    with it_dag(dag_id, **default_args) as dag:
        group, dataset = interactions_dataset("it-group")
    return dag, group, dataset


def import_interactions(dataset, data_file: str, task_id: str = "import_interactions", **import_arguments):
    return PersonalizeCreateDatasetImportJobOperator(
        task_id=task_id,
        dataset_arn=dataset.output,
        data_source=f"s3://{BUCKET}/{data_file}",
        role_arn=ROLE_ARN,
        **import_arguments,
    )


def pipeline(dag_id: str, deferrable: bool) -> DAG:
    dag, group, dataset = dataset_tasks(dag_id, deferrable=deferrable)
    with dag:
        import_job = import_interactions(dataset, "interactions.csv", import_mode="FULL")
        export_job = PersonalizeCreateDatasetExportJobOperator(
            task_id="export_interactions",
            dataset_arn=dataset.output,
            job_output=f"s3://{BUCKET}/exports/" + "{{ ds }}/",
            role_arn=ROLE_ARN,
            ingestion_mode="BULK",
            wait_for_completion=False,
        )
        export_done = PersonalizeDatasetExportJobSensor(
            task_id="export_done", arn=export_job.output, poke_interval=1, deferrable=deferrable
        )
        deletion_job = PersonalizeCreateDataDeletionJobOperator(
            task_id="delete_users",
            dataset_group_arn=group.output,
            data_source=f"s3://{BUCKET}/deletion-requests.csv",
            role_arn=ROLE_ARN,
        )
        import_job >> export_job >> export_done >> deletion_job
    return dag


personalize_it_pipeline_blocking = pipeline("personalize_it_pipeline_blocking", deferrable=False)
personalize_it_pipeline_deferrable = pipeline("personalize_it_pipeline_deferrable", deferrable=True)

with it_dag("personalize_it_bad_input") as personalize_it_bad_input:
    PersonalizeCreateDatasetGroupOperator(task_id="bad_group_name", name="-{{ ds }}", domain="RETAIL")


def import_only(dag_id: str, **import_arguments) -> DAG:
    dag, _, dataset = dataset_tasks(dag_id)
    with dag:
        import_interactions(dataset, "interactions.csv", **import_arguments)
    return dag


personalize_it_import_blocking = import_only("personalize_it_import_blocking")
personalize_it_import_deferrable = import_only("personalize_it_import_deferrable", deferrable=True)
# Three polls per try: the emulator (one status per three describes) needs six, so the first try times
# out with the job in progress and the retry must adopt it.
personalize_it_retry = import_only(
    "personalize_it_retry",
    waiter_max_attempts=3,
    retries=1,
    retry_delay=timedelta(0),
)


def training_pipeline(dag_id: str, deferrable: bool) -> DAG:
    """After the import: solutions, versions, a campaign, batch jobs, a filter, an event tracker, a metric
    attribution, and a recommender in a domain dataset group."""
    dag, group, dataset = dataset_tasks(dag_id, deferrable=deferrable)
    with dag:
        import_job = import_interactions(dataset, "interactions.csv")
        solution = PersonalizeCreateSolutionOperator(
            task_id="solution",
            name="it-personalization",
            dataset_group_arn=group.output,
            recipe_arn="arn:aws:personalize:::recipe/aws-user-personalization",
            perform_auto_training=False,
        )
        version = PersonalizeCreateSolutionVersionOperator(
            task_id="train", solution_arn=solution.output, training_mode="FULL"
        )
        campaign = PersonalizeCreateCampaignOperator(
            task_id="campaign", name="it-campaign", solution_version_arn=version.output, min_provisioned_tps=1
        )
        exclude_seen = PersonalizeCreateFilterOperator(
            task_id="filter",
            name="it-exclude-seen",
            dataset_group_arn=group.output,
            filter_expression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
        )
        batch = PersonalizeCreateBatchInferenceJobOperator(
            task_id="batch_inference",
            solution_version_arn=version.output,
            job_input=f"s3://{BUCKET}/batch-input/users.jsonl",
            job_output=f"s3://{BUCKET}/batch-output/" + "{{ ds }}/",
            role_arn=ROLE_ARN,
            filter_arn=exclude_seen.output,
            num_results=10,
        )
        segment_solution = PersonalizeCreateSolutionOperator(
            task_id="segment_solution",
            name="it-item-affinity",
            dataset_group_arn=group.output,
            recipe_arn="arn:aws:personalize:::recipe/aws-item-affinity",
            perform_auto_training=False,
        )
        segment_version = PersonalizeCreateSolutionVersionOperator(
            task_id="train_segments", solution_arn=segment_solution.output
        )
        segments = PersonalizeCreateBatchSegmentJobOperator(
            task_id="batch_segments",
            solution_version_arn=segment_version.output,
            job_input=f"s3://{BUCKET}/batch-input/items.jsonl",
            job_output=f"s3://{BUCKET}/segments/" + "{{ ds }}/",
            role_arn=ROLE_ARN,
        )
        tracker = PersonalizeCreateEventTrackerOperator(
            task_id="event_tracker", name="it-tracker", dataset_group_arn=group.output
        )
        attribution = PersonalizeCreateMetricAttributionOperator(
            task_id="metric_attribution",
            name="it-attribution",
            dataset_group_arn=group.output,
            metrics=[{"eventType": "click", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"}],
            metrics_output_config={"roleArn": ROLE_ARN},
        )
        ecommerce_group, ecommerce_dataset = interactions_dataset("it-ecommerce", "ecommerce_", "ECOMMERCE")
        ecommerce_import = import_interactions(
            ecommerce_dataset, "ecommerce-interactions.csv", task_id="ecommerce_import"
        )
        recommender = PersonalizeCreateRecommenderOperator(
            task_id="recommender",
            name="it-recommended-for-you",
            dataset_group_arn=ecommerce_group.output,
            recipe_arn="arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you",
        )
        import_job >> [solution, segment_solution, exclude_seen, tracker, attribution]
        campaign << version
        batch << [version, exclude_seen]
        segments << segment_version
        recommender << ecommerce_import
    return dag


personalize_it_training_blocking = training_pipeline("personalize_it_training_blocking", deferrable=False)
personalize_it_training_deferrable = training_pipeline("personalize_it_training_deferrable", deferrable=True)
