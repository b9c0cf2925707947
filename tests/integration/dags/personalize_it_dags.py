"""DAGs the integration tests run against the HTTP emulator (Airflow connection ``personalize_emulator``).

``personalize_it_pipeline_blocking`` / ``_deferrable``: dataset group -> schema -> dataset -> import job
-> export job (+ sensor) -> data deletion job, each ARN chained to the next by XCom (``task.output``).
``personalize_it_bad_input``: arguments the service would refuse. ``personalize_it_import_failure``: an
import the service fails. ``personalize_it_retry``: an import whose first try times out and is retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateDataDeletionJobOperator,
    PersonalizeCreateDatasetExportJobOperator,
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateDatasetOperator,
    PersonalizeCreateSchemaOperator,
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
START_DATE = datetime(2026, 1, 1)


def dataset_tasks(dag_id: str, **default_args):
    """A DAG with a dataset group, an interactions schema and dataset; returns the DAG and the tasks."""
    dag = DAG(
        dag_id,
        schedule=None,
        start_date=START_DATE,
        catchup=False,
        default_args={"aws_conn_id": CONN_ID, "waiter_delay": 1, **default_args},
    )
    with dag:
        group = PersonalizeCreateDatasetGroupOperator(
            task_id="dataset_group", name="it-group", tags={"it": "yes"}
        )
        schema = PersonalizeCreateSchemaOperator(
            task_id="schema", name="it-interactions", schema=INTERACTIONS_SCHEMA
        )
        dataset = PersonalizeCreateDatasetOperator(
            task_id="dataset",
            name="it-interactions",
            schema_arn=schema.output,
            dataset_group_arn=group.output,
            dataset_type="Interactions",
        )
    return dag, group, dataset


def pipeline(dag_id: str, deferrable: bool) -> DAG:
    dag, group, dataset = dataset_tasks(dag_id, deferrable=deferrable)
    with dag:
        import_job = PersonalizeCreateDatasetImportJobOperator(
            task_id="import_interactions",
            dataset_arn=dataset.output,
            data_source=f"s3://{BUCKET}/interactions.csv",
            role_arn=ROLE_ARN,
            import_mode="FULL",
        )
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

with DAG(
    "personalize_it_bad_input",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    default_args={"aws_conn_id": CONN_ID},
) as personalize_it_bad_input:
    PersonalizeCreateDatasetGroupOperator(task_id="bad_group_name", name="-{{ ds }}", domain="RETAIL")


def import_only(dag_id: str, data_file: str, **import_arguments) -> DAG:
    dag, _, dataset = dataset_tasks(dag_id)
    with dag:
        PersonalizeCreateDatasetImportJobOperator(
            task_id="import_interactions",
            dataset_arn=dataset.output,
            data_source=f"s3://{BUCKET}/{data_file}",
            role_arn=ROLE_ARN,
            **import_arguments,
        )
    return dag


personalize_it_import_failure = import_only("personalize_it_import_failure", "no-such-file.csv")
# Three polls per try: the emulator (one status per three describes) needs six, so the first try times
# out with the job in progress and the retry must adopt it.
personalize_it_retry = import_only(
    "personalize_it_retry",
    "interactions.csv",
    waiter_max_attempts=3,
    retries=1,
    retry_delay=timedelta(0),
)
