"""Tear a Personalize pipeline down: everything in the dataset group, the group, and its schemas.

Deletes in the order the service requires (recommenders and campaigns, solutions, event trackers,
filters, metric attributions, datasets, the group, then the schemas), waiting for each deletion.
Idempotent: what is already gone counts as deleted, so a second run succeeds and deletes nothing.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG
from personalize_example_common import DEFAULT_ARGS, PARAMS

from airflow_provider_personalize.operators.personalize import PersonalizeDeleteDatasetGroupOperator

with DAG(
    dag_id="personalize_teardown",
    description="Delete a Personalize dataset group and everything in it",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    params=PARAMS,
    default_args=DEFAULT_ARGS,
    tags=["personalize", "example"],
):
    PersonalizeDeleteDatasetGroupOperator(
        task_id="delete_dataset_group",
        dataset_group_name="{{ params.dataset_group_name }}",
        delete_schemas=True,
    )
