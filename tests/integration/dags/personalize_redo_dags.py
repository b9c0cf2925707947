"""DAGs the redo and adoption tests run against the HTTP emulator (built from personalize_it_dags' parts).

``personalize_redo_import``: an import of a daily file that may not be there yet. ``personalize_redo_train``:
a training whose wait may time out (few polls). ``personalize_redo_other_domain`` /
``personalize_redo_second_interactions``: requests that clash with what exists.
"""

from __future__ import annotations

from personalize_it_dags import (
    dataset_tasks,
    import_interactions,
    interactions_dataset,
    it_dag,
)

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetOperator,
    PersonalizeCreateSchemaOperator,
    PersonalizeCreateSolutionOperator,
    PersonalizeCreateSolutionVersionOperator,
)

DAILY_FILE = "daily/{{ ds }}.csv"

personalize_redo_import, _, _dataset = dataset_tasks("personalize_redo_import")
with personalize_redo_import:
    import_interactions(_dataset, DAILY_FILE, import_mode="FULL")

personalize_redo_train, _group, _dataset = dataset_tasks("personalize_redo_train")
with personalize_redo_train:
    _imported = import_interactions(_dataset, "interactions.csv")
    _solution = PersonalizeCreateSolutionOperator(
        task_id="solution",
        name="redo-personalization",
        dataset_group_arn=_group.output,
        recipe_arn="arn:aws:personalize:::recipe/aws-user-personalization",
        perform_auto_training=False,
    )
    _imported >> _solution
    PersonalizeCreateSolutionVersionOperator(
        task_id="train", solution_arn=_solution.output, training_mode="FULL", waiter_max_attempts=5
    )

with it_dag("personalize_redo_other_domain") as personalize_redo_other_domain:
    PersonalizeCreateDatasetGroupOperator(
        task_id="dataset_group", name="redo-group", domain="VIDEO_ON_DEMAND"
    )

with it_dag("personalize_redo_second_interactions") as personalize_redo_second_interactions:
    _group, _first_interactions = interactions_dataset("redo-group")
    _schema = PersonalizeCreateSchemaOperator(
        task_id="clicks_schema",
        name="redo-group-clicks",
        schema={
            "type": "record",
            "name": "Interactions",
            "namespace": "com.amazonaws.personalize.schema",
            "fields": [
                {"name": "USER_ID", "type": "string"},
                {"name": "ITEM_ID", "type": "string"},
                {"name": "TIMESTAMP", "type": "long"},
            ],
            "version": "1.0",
        },
    )
    PersonalizeCreateDatasetOperator(
        task_id="clicks_dataset",
        name="redo-group-clicks",
        schema_arn=_schema.output,
        dataset_group_arn=_group.output,
        dataset_type="Interactions",
        wait_for_completion=False,
    ).set_upstream(_first_interactions)
