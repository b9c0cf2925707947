"""The DAGs bench/config_parse.py's 10-solution config makes, written by hand: the baseline of its parse cost.

A careful user's file: the same operators and runtime steps, the same DAG ids, task ids and dependencies,
written with loops over the deployment's names, and no config to read or check. config_parse.py checks that
both files give the same DAGs before it times them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import DAG, Asset, CronTriggerTimetable, chain

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateBatchInferenceJobOperator,
    PersonalizeCreateCampaignOperator,
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateDatasetOperator,
    PersonalizeCreateEventTrackerOperator,
    PersonalizeCreateFilterOperator,
    PersonalizeCreateSchemaOperator,
    PersonalizeCreateSolutionOperator,
    PersonalizeCreateSolutionVersionOperator,
    PersonalizeDeleteDatasetGroupOperator,
    PersonalizeSolutionMetricsCheckOperator,
    PersonalizeUpdateCampaignOperator,
)
from airflow_provider_personalize.pipelines.tasks import (
    PersonalizeBootstrapSolutionVersionOperator,
    find_resources,
    import_source,
    serving_version,
)

GROUP = "bench-shop"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3Access"
BUCKET = "s3://bench-shop-data"
SOLUTIONS = [f"{GROUP}-{number}" for number in range(10)]
FILTERS = {
    f"{GROUP}-not-purchased": 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")',
    f"{GROUP}-clicked": 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")',
}
FIELDS = {
    "Interactions": [
        ("USER_ID", "string"),
        ("ITEM_ID", "string"),
        ("TIMESTAMP", "long"),
        ("EVENT_TYPE", "string"),
    ],
    "Items": [("ITEM_ID", "string"), ("CATEGORY", "string")],
    "Users": [("USER_ID", "string"), ("MEMBERSHIP", "string")],
}
THRESHOLDS = {"coverage": 0.05, "normalized_discounted_cumulative_gain_at_10": 0.05}
CONNECTION = {"aws_conn_id": "aws_default", "region_name": None}
RUN_TIME = "{{ (logical_date or dag_run.run_after).strftime('%Y_%m_%d_%H_%M_%S') }}"
IMPORTS = Asset(name=f"{GROUP}_imports", uri=f"x-personalize://{GROUP}/imports")


def avro(dataset_type: str) -> dict:
    return {
        "type": "record",
        "name": dataset_type,
        "namespace": "com.amazonaws.personalize.schema",
        "version": "1.0",
        "fields": [{"name": name, "type": kind} for name, kind in FIELDS[dataset_type]],
    }


def deployment_dag(suffix: str, schedule, description: str) -> DAG:
    return DAG(
        dag_id=f"{GROUP}_{suffix}",
        description=description,
        schedule=schedule,
        start_date=datetime(2024, 1, 1, tzinfo=UTC),
        catchup=False,
        max_active_runs=1,
        default_args=CONNECTION,
        tags=["personalize", GROUP],
    )


with deployment_dag("bootstrap", None, "create the deployment, or adopt what exists of it") as bootstrap:
    group = PersonalizeCreateDatasetGroupOperator(task_id="dataset_group", name=GROUP)
    datasets, imports = [], []
    for dataset_type in FIELDS:
        key = dataset_type.lower()
        schema = PersonalizeCreateSchemaOperator(
            task_id=f"schema_{key}", name=f"{GROUP}-{key}", schema=avro(dataset_type)
        )
        dataset = PersonalizeCreateDatasetOperator(
            task_id=f"dataset_{key}",
            name=f"{GROUP}-{key}",
            schema_arn=schema.output,
            dataset_group_arn=group.output,
            dataset_type=dataset_type,
        )
        source = import_source.override(task_id=f"locate_{key}_data")(
            dataset_arn=dataset.output,
            locations=[f"{BUCKET}/bootstrap/{key}.csv"],
            optional=False,
            max_age_seconds=timedelta(days=365).total_seconds(),
            **CONNECTION,
        )
        imports.append(
            PersonalizeCreateDatasetImportJobOperator(
                task_id=f"import_{key}", dataset_arn=dataset.output, data_source=source, role_arn=ROLE_ARN
            )
        )
        datasets.append(dataset)
    tracker = PersonalizeCreateEventTrackerOperator(
        task_id="event_tracker", name=f"{GROUP}-events", dataset_group_arn=group.output
    )
    datasets >> tracker
    filters = {}
    for name, expression in FILTERS.items():
        filters[name] = PersonalizeCreateFilterOperator(
            task_id=f"filter_{name}", name=name, dataset_group_arn=group.output, filter_expression=expression
        )
        datasets >> filters[name]
    for name in SOLUTIONS:
        solution = PersonalizeCreateSolutionOperator(
            task_id=f"solution_{name}",
            name=name,
            dataset_group_arn=group.output,
            recipe_arn="arn:aws:personalize:::recipe/aws-user-personalization",
            perform_auto_training=False,
        )
        chain(datasets, solution)
        version = PersonalizeBootstrapSolutionVersionOperator(
            task_id=f"train_{name}",
            solution_arn=solution.output,
            policy="reuse",
            max_age=timedelta(days=365),
            training_mode="FULL",
            campaign_name=name,
            trigger_rule="none_failed",
        )
        chain([solution, *imports], version)
        gate = PersonalizeSolutionMetricsCheckOperator(
            task_id=f"check_{name}", solution_version_arn=version.output, thresholds=THRESHOLDS
        )
        version >> gate
        campaign = PersonalizeCreateCampaignOperator(
            task_id=f"campaign_{name}", name=name, solution_version_arn=version.output, min_provisioned_tps=1
        )
        gate >> campaign

with deployment_dag(
    "import", CronTriggerTimetable("0 1 * * *", timezone="UTC"), "import the datasets' new data"
) as scheduled_import:
    resources = find_resources.override(task_id="find_resources")(
        dataset_group_name=GROUP, wanted=[f"dataset/{t}" for t in FIELDS], **CONNECTION
    )
    for dataset_type in FIELDS:
        key = dataset_type.lower()
        location = (
            f"{BUCKET}/daily/{{{{ ds }}}}.csv" if key == "interactions" else f"{BUCKET}/bootstrap/{key}.csv"
        )
        source = import_source.override(task_id=f"locate_{key}_data")(
            dataset_arn=resources[f"dataset/{dataset_type}"],
            locations=[location],
            optional=False,
            max_age_seconds=0.0,
            **CONNECTION,
        )
        PersonalizeCreateDatasetImportJobOperator(
            task_id=f"import_{key}",
            dataset_arn=resources[f"dataset/{dataset_type}"],
            data_source=source,
            role_arn=ROLE_ARN,
            import_mode="INCREMENTAL" if key == "interactions" else None,
            outlets=[IMPORTS],
        )

for name in SOLUTIONS:
    for mode, schedule in (
        ("full", CronTriggerTimetable("0 3 * * 0", timezone="UTC")),
        ("update", [IMPORTS]),
    ):
        with deployment_dag(
            f"{name}_{mode}", schedule, f"train {name} ({mode.upper()}), check the new model and deploy it"
        ) as retraining:
            resources = find_resources.override(task_id="find_resources")(
                dataset_group_name=GROUP, wanted=[f"solution/{name}", f"campaign/{name}"], **CONNECTION
            )
            trained = PersonalizeCreateSolutionVersionOperator(
                task_id="train", solution_arn=resources[f"solution/{name}"], training_mode=mode.upper()
            )
            gate = PersonalizeSolutionMetricsCheckOperator(
                task_id="check_metrics",
                solution_version_arn=trained.output,
                thresholds=THRESHOLDS,
                compare_to_campaign_arn=resources[f"campaign/{name}"],
                tolerance=0.03,
                soft_fail=True,
            )
            deploy = PersonalizeUpdateCampaignOperator(
                task_id=f"deploy_{name}",
                campaign_arn=resources[f"campaign/{name}"],
                solution_version_arn=trained.output,
                min_provisioned_tps=1,
            )
            trained >> gate >> deploy
        globals()[retraining.dag_id] = retraining
    with deployment_dag(
        f"{name}_batch_inference",
        CronTriggerTimetable("0 5 * * *", timezone="UTC"),
        f"run {name}'s batch job",
    ) as batch:
        not_purchased = f"filter/{GROUP}-not-purchased"
        resources = find_resources.override(task_id="find_resources")(
            dataset_group_name=GROUP,
            wanted=[f"solution/{name}", f"campaign/{name}", not_purchased],
            **CONNECTION,
        )
        version = serving_version.override(task_id="find_model")(
            solution_arn=resources[f"solution/{name}"],
            campaign_arn=resources[f"campaign/{name}"],
            **CONNECTION,
        )
        PersonalizeCreateBatchInferenceJobOperator(
            task_id="batch_inference",
            solution_version_arn=version,
            job_name=f"{name}-batch-{RUN_TIME}",
            job_input=f"{BUCKET}/batch/users.jsonl",
            job_output=f"{BUCKET}/batch/{name}/{{{{ ds }}}}/",
            role_arn=ROLE_ARN,
            filter_arn=resources[not_purchased],
            num_results=10,
        )
    globals()[batch.dag_id] = batch

with deployment_dag(
    "teardown", None, "delete everything in the dataset group, the group and its schemas"
) as teardown:
    PersonalizeDeleteDatasetGroupOperator(
        task_id="delete_dataset_group", dataset_group_name=GROUP, delete_schemas=True
    )
