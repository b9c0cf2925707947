"""A day's INCREMENTAL import of a malformed file into the example pipeline's interactions dataset.

The file is a deletion-requests file (USER_ID only): Personalize fails the job and says which columns
are missing, which gives the Personalize view a failed job and its reason to show. Installed beside
the example DAGs, whose shared module it uses.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG
from personalize_example_common import DEFAULT_ARGS, PARAMS, S3_ROOT, find_pipeline_resources

from airflow_provider_personalize.operators.personalize import PersonalizeCreateDatasetImportJobOperator

with DAG(
    "personalize_malformed_daily_import",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    params=PARAMS,
    default_args={**DEFAULT_ARGS, "retries": 0},
):
    resources = find_pipeline_resources()
    PersonalizeCreateDatasetImportJobOperator(
        task_id="import_malformed_day",
        dataset_arn=resources["interactions_dataset_arn"],
        data_source=S3_ROOT + "/deletion-requests/{{ ds }}.csv",
        role_arn="{{ params.role_arn }}",
        import_mode="INCREMENTAL",
    )
