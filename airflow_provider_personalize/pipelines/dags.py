"""The DAGs of a Personalize deployment, from one config file: ``dags_from_config``.

Every DAG id starts with the dataset group's name:

- ``<group>_bootstrap`` (run by hand): the dataset group, its schemas and datasets, the first imports, the
  event tracker, filters, solutions, their first models (the one a campaign serves, or an ACTIVE one, is
  reused where the config allows), metrics gates, campaigns, unscheduled batch jobs and recommenders.
  Every step is idempotent: run against a group that exists (one MPEML created, or this DAG's last run),
  it adopts what is there and creates nothing new.
- ``<group>_import`` (``schedules.import``): the scheduled imports; each success updates the group's import
  asset, ``Asset("x-personalize://<group>/imports")``.
- ``<group>_<solution>_full`` / ``_update`` (the solution's schedules, or the import asset with
  ``after-import``): train, gate on the metrics (the new model must meet ``metricsThresholds``, and not be
  worse than the deployed one by more than ``maxMetricDrop``), deploy to the solution's campaigns. A model
  below the bar is not deployed (the gate skips; the run stays green).
- ``<group>_<solution>_batch_inference`` / ``_batch_segment`` (a batch job's schedule): the job, on the model
  the solution's campaign serves (or its newest).
- ``<group>_teardown`` (run by hand): everything in the group, the group and its schemas.

Building makes no AWS call and loads no service model: parsing a config-driven DAG file reads and checks the
config, then declares tasks (``bench/config_parse.py`` measures it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, Asset, chain
from botocore import xform_name

from airflow_provider_personalize.operators._base import PersonalizeCreateBaseOperator
from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateBatchInferenceJobOperator,
    PersonalizeCreateBatchSegmentJobOperator,
    PersonalizeCreateCampaignOperator,
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateDatasetOperator,
    PersonalizeCreateEventTrackerOperator,
    PersonalizeCreateFilterOperator,
    PersonalizeCreateRecommenderOperator,
    PersonalizeCreateSchemaOperator,
    PersonalizeCreateSolutionOperator,
    PersonalizeCreateSolutionVersionOperator,
    PersonalizeDeleteDatasetGroupOperator,
    PersonalizeSolutionMetricsCheckOperator,
    PersonalizeUpdateCampaignOperator,
)
from airflow_provider_personalize.pipelines import schedules
from airflow_provider_personalize.pipelines.config import ConfigFormat, load_deployment
from airflow_provider_personalize.pipelines.document import ReadOptions
from airflow_provider_personalize.pipelines.model import (
    AFTER_IMPORT,
    BatchJob,
    DataImport,
    Deployment,
    Schedule,
    Solution,
)
from airflow_provider_personalize.pipelines.tasks import (
    PersonalizeBootstrapSolutionVersionOperator,
    find_resources,
    import_source,
    serving_version,
)

DEFAULT_START_DATE = datetime(2024, 1, 1, tzinfo=UTC)
# A scheduled batch job's name ends with its run's time, as MPEML names them (batch_<solution>_<time>).
RUN_TIME = "{{ (logical_date or dag_run.run_after).strftime('%Y_%m_%d_%H_%M_%S') }}"
_BATCH_OPERATORS: dict[str, type[PersonalizeCreateBaseOperator]] = {
    "batch_inference_job": PersonalizeCreateBatchInferenceJobOperator,
    "batch_segment_job": PersonalizeCreateBatchSegmentJobOperator,
}
# A step after skippable ones (an import skipped because the data is there already) still runs.
_AFTER_SKIPPABLE = "none_failed"


def dags_from_config(
    path: str | Path,
    *,
    bucket: str | None = None,
    role_arn: str | None = None,
    aws_conn_id: str | None = "aws_default",
    region_name: str | None = None,
    config_format: ConfigFormat | None = None,
    min_metrics: Mapping[str, float] | None = None,
    default_args: Mapping[str, Any] | None = None,
    start_date: datetime = DEFAULT_START_DATE,
    teardown: bool = True,
    tags: Sequence[str] = (),
) -> dict[str, DAG]:
    """
    The DAGs of the Personalize deployment a config file describes, by DAG id.

    A DAG file is ``globals().update(dags_from_config("deployment.yaml", ...))``. The config is read and
    checked first: a config with problems raises :class:`~.validation.ConfigError` listing every one by its
    path in the file, and no DAG is built (Airflow shows the message as the file's import error).

    :param path: The config: this provider's format (YAML or JSON), an MPEML config or a CDK pipeline
        input (JSON). A relative path is relative to the calling DAG file's folder.
    :param bucket: The bucket of MPEML's S3 layout (``train/<group>/``, ``batch/<group>/``).
    :param role_arn: The role Personalize assumes to read and write S3, for the imports and batch jobs whose
        config names none.
    :param aws_conn_id: The Airflow connection of every task.
    :param region_name: The AWS region of every task. (default: the connection's)
    :param config_format: ``"personalize"``, ``"mpeml"`` or ``"cdk"``. (default: recognised from the file)
    :param min_metrics: The metrics gate (``{metric: minimum}``, GetSolutionMetrics names) of the solutions
        with campaigns whose config sets no ``metricsThresholds`` (MPEML and CDK configs have none).
    :param default_args: Default arguments of every task (``retries``, ``deferrable``, ``waiter_delay``...).
    :param start_date: Where the schedules start; runs are not caught up.
    :param teardown: Whether to build the ``<group>_teardown`` DAG.
    :param tags: More tags for every DAG (they are tagged ``personalize`` and the group's name).
    """
    caller = sys._getframe(1).f_globals.get("__file__")
    config_path = Path(path)
    if not config_path.is_absolute() and caller:
        config_path = Path(caller).resolve().parent / config_path
    deployment = load_deployment(
        config_path,
        config_format=config_format,
        options=ReadOptions(bucket=bucket, role_arn=role_arn, min_metrics=min_metrics),
    )
    builder = _DagBuilder(
        deployment,
        connection={"aws_conn_id": aws_conn_id, "region_name": region_name},
        default_args=dict(default_args or {}),
        start_date=start_date,
        fileloc=caller or str(config_path),
        tags=["personalize", deployment.name, *tags],
    )
    dags = builder.build(teardown=teardown)
    return {dag.dag_id: dag for dag in dags}


def arn(task: Any) -> Any:
    """The ARN a task returns, for the next task's arguments (an XComArg, resolved when that task runs)."""
    return task.output


def keywords(request: Mapping[str, Any], *leave_out: str) -> dict[str, Any]:
    """API members as operator keywords: ``{"minProvisionedTPS": 1}`` -> ``{"min_provisioned_tps": 1}``."""
    return {xform_name(member): value for member, value in request.items() if member not in leave_out}


class _DagBuilder:
    def __init__(
        self,
        deployment: Deployment,
        connection: dict[str, Any],
        default_args: dict[str, Any],
        start_date: datetime,
        fileloc: str,
        tags: list[str],
    ) -> None:
        self.deployment = deployment
        self.group = deployment.name
        self.connection = connection
        self.default_args = {**connection, **default_args}
        self.start_date = start_date
        self.fileloc = fileloc
        self.tags = tags
        self.imports_asset = Asset(name=f"{self.group}_imports", uri=f"x-personalize://{self.group}/imports")
        self.dags: list[DAG] = []

    def build(self, teardown: bool) -> list[DAG]:
        self.bootstrap()
        if self.deployment.scheduled_imports():
            self.scheduled_imports()
        for solution in self.deployment.solutions:
            for mode, schedule in solution.schedules.items():
                self.retraining(solution, mode, schedule)
            for index, job in enumerate(solution.batch_jobs):
                if job.schedule:
                    self.scheduled_batch_job(solution, job, index)
        if teardown:
            self.teardown()
        return self.dags

    @contextmanager
    def dag(self, suffix: str, schedule: Any, description: str) -> Iterator[DAG]:
        with DAG(
            dag_id=f"{self.group}_{suffix}",
            description=description,
            doc_md=f"Built by `dags_from_config` from `{self.deployment.source}`: {description}.",
            schedule=schedule,
            start_date=self.start_date,
            catchup=False,
            max_active_runs=1,
            default_args=self.default_args,
            tags=self.tags,
        ) as dag:
            yield dag
        dag.fileloc = self.fileloc  # the DAG file that called the factory, not this module
        self.dags.append(dag)

    def timetable(self, schedule: Schedule) -> Any:
        if schedule.expression == AFTER_IMPORT:
            return [self.imports_asset]
        return schedules.timetable(schedule.expression)

    def find(self, wanted: list[str]) -> Any:
        return find_resources.override(task_id="find_resources")(
            dataset_group_name=self.group, wanted=wanted, **self.connection
        )

    def data_import(
        self, key: str, data_import: DataImport, dataset_arn: Any, outlets: Sequence[Asset] = ()
    ) -> tuple[Any, PersonalizeCreateDatasetImportJobOperator]:
        """The tasks that import a dataset (a look at the data first, when the import may be skipped):
        the first and the import."""
        data_source: Any = data_import.locations[0] if data_import.locations else None
        first = None
        if data_import.optional or data_import.max_age is not None or len(data_import.locations) > 1:
            first = data_source = import_source.override(task_id=f"locate_{key}_data")(
                dataset_arn=dataset_arn,
                locations=list(data_import.locations),
                optional=data_import.optional,
                max_age_seconds=None if data_import.max_age is None else data_import.max_age.total_seconds(),
                **self.connection,
            )
        job = PersonalizeCreateDatasetImportJobOperator(
            task_id=f"import_{key}",
            dataset_arn=dataset_arn,
            data_source=data_source,
            outlets=list(outlets),
            **keywords(data_import.request),
        )
        return (first if first is not None else job), job

    def bootstrap(self) -> None:
        deployment = self.deployment
        with self.dag("bootstrap", None, "create the deployment, or adopt what exists of it"):
            group = PersonalizeCreateDatasetGroupOperator(
                task_id="dataset_group", **keywords(deployment.group)
            )
            preprocessing = self.preprocessing()
            datasets, imports = [], []
            for dataset in deployment.datasets:
                key = dataset.dataset_type.lower()
                schema = PersonalizeCreateSchemaOperator(
                    task_id=f"schema_{key}",
                    **keywords({"domain": deployment.group.get("domain"), **dataset.schema}),
                )
                created = PersonalizeCreateDatasetOperator(
                    task_id=f"dataset_{key}",
                    schema_arn=arn(schema),
                    dataset_group_arn=arn(group),
                    dataset_type=dataset.dataset_type,
                    **keywords(dataset.request),
                )
                datasets.append(created)
                if dataset.bootstrap_import:
                    first, job = self.data_import(key, dataset.bootstrap_import, arn(created))
                    if preprocessing:
                        preprocessing >> first
                    imports.append(job)
            if deployment.event_tracker:
                tracker = PersonalizeCreateEventTrackerOperator(
                    task_id="event_tracker",
                    dataset_group_arn=arn(group),
                    **keywords(deployment.event_tracker.request),
                )
                datasets >> tracker
            filters = {}
            for resource in deployment.filters:
                filters[resource.name] = PersonalizeCreateFilterOperator(
                    task_id=f"filter_{resource.name}",
                    dataset_group_arn=arn(group),
                    **keywords(resource.request),
                )
                datasets >> filters[resource.name]
            for recommender in deployment.recommenders:
                created_recommender = PersonalizeCreateRecommenderOperator(
                    task_id=f"recommender_{recommender.name}",
                    dataset_group_arn=arn(group),
                    trigger_rule=_AFTER_SKIPPABLE,
                    **keywords(recommender.request),
                )
                chain([*datasets, *imports], created_recommender)
            for solution in deployment.solutions:
                self.bootstrap_solution(solution, group, datasets, imports, filters)

    def preprocessing(self) -> Any:
        if not self.deployment.preprocessing_job:
            return None
        from airflow.providers.amazon.aws.operators.glue import GlueJobOperator

        return GlueJobOperator(task_id="preprocessing", job_name=self.deployment.preprocessing_job)

    def bootstrap_solution(
        self,
        solution: Solution,
        group: Any,
        datasets: list[Any],
        imports: list[Any],
        filters: Mapping[str, PersonalizeCreateFilterOperator],
    ) -> None:
        name = solution.name
        created = PersonalizeCreateSolutionOperator(
            task_id=f"solution_{name}", dataset_group_arn=arn(group), **keywords(solution.request)
        )
        chain(datasets, created)
        version = PersonalizeBootstrapSolutionVersionOperator(
            task_id=f"train_{name}",
            solution_arn=arn(created),
            policy=solution.first_version.policy,
            max_age=solution.first_version.max_age,
            training_mode=solution.first_version.training_mode,
            campaign_name=solution.campaigns[0].name if solution.campaigns else None,
            trigger_rule=_AFTER_SKIPPABLE,
            **keywords(solution.version_request),
        )
        chain([created, *imports], version)
        ready_to_serve: Any = version
        if solution.thresholds:
            ready_to_serve = PersonalizeSolutionMetricsCheckOperator(
                task_id=f"check_{name}",
                solution_version_arn=arn(version),
                thresholds=dict(solution.thresholds),
            )
            version >> ready_to_serve
        version_id = f"{{{{ ti.xcom_pull(task_ids='train_{name}').rsplit('/', 1)[-1] }}}}"
        for campaign in solution.campaigns:
            served = campaign.request.get("solutionVersionArn") or arn(version)
            created_campaign = PersonalizeCreateCampaignOperator(
                task_id=f"campaign_{campaign.name}",
                solution_version_arn=served,
                **keywords(campaign.request, "solutionVersionArn"),
            )
            ready_to_serve >> created_campaign
        for index, job in enumerate(solution.batch_jobs):
            if job.schedule:  # it runs on its schedule
                continue
            filter_task = filters.get(job.filter_name or "")
            created_job = self.batch_job(
                job,
                f"{_batch_suffix(job, index)}_{name}",
                arn(version),
                version_id,
                arn(filter_task) if filter_task else None,
            )
            ready_to_serve >> created_job
            if filter_task:
                filter_task >> created_job

    def batch_job(
        self, job: BatchJob, task_id: str, version_arn: Any, name_suffix: str, filter_arn: Any | None
    ) -> PersonalizeCreateBaseOperator:
        job_name = f"{job.name_prefix}{name_suffix}"
        request = dict(job.request)
        if job.output_folder:
            request["jobOutput"] = {"s3DataDestination": {"path": f"{job.output_folder}{job_name}/"}}
        arguments = keywords(request, "solutionVersionArn")
        if filter_arn is not None:
            arguments["filter_arn"] = filter_arn
        created = _BATCH_OPERATORS[job.kind](
            task_id=task_id,
            solution_version_arn=request.get("solutionVersionArn") or version_arn,
            job_name=job_name,
            **arguments,
        )
        return created

    def scheduled_imports(self) -> None:
        datasets = [d for d in self.deployment.datasets if d.scheduled_import]
        assert self.deployment.import_schedule is not None
        with self.dag(
            "import", self.timetable(self.deployment.import_schedule), "import the datasets' new data"
        ):
            resources = self.find([f"dataset/{dataset.dataset_type}" for dataset in datasets])
            for dataset in datasets:
                assert dataset.scheduled_import is not None
                self.data_import(
                    dataset.dataset_type.lower(),
                    dataset.scheduled_import,
                    resources[f"dataset/{dataset.dataset_type}"],
                    outlets=[self.imports_asset],
                )

    def retraining(self, solution: Solution, mode: str, schedule: Schedule) -> None:
        name = solution.name
        training_mode = "UPDATE" if mode == "update" else solution.full_training_mode
        with self.dag(
            f"{name}_{mode}",
            self.timetable(schedule),
            f"train {name} ({training_mode}), check the new model and deploy it to the campaigns",
        ):
            campaigns = [f"campaign/{campaign.name}" for campaign in solution.campaigns]
            resources = self.find([f"solution/{name}", *campaigns])
            trained = PersonalizeCreateSolutionVersionOperator(
                task_id="train",
                solution_arn=resources[f"solution/{name}"],
                training_mode=training_mode,
                **keywords(solution.version_request, "name"),
            )
            ready_to_serve: Any = trained
            if solution.thresholds:
                compared = solution.max_metric_drop is not None and campaigns
                ready_to_serve = PersonalizeSolutionMetricsCheckOperator(
                    task_id="check_metrics",
                    solution_version_arn=arn(trained),
                    thresholds=dict(solution.thresholds),
                    compare_to_campaign_arn=resources[campaigns[0]] if compared else None,
                    tolerance=solution.max_metric_drop or 0.0,
                    soft_fail=True,
                )
                trained >> ready_to_serve
            for campaign in solution.campaigns:
                deploy = PersonalizeUpdateCampaignOperator(
                    task_id=f"deploy_{campaign.name}",
                    campaign_arn=resources[f"campaign/{campaign.name}"],
                    solution_version_arn=arn(trained),
                    **keywords(campaign.request, "name", "tags", "solutionVersionArn"),
                )
                ready_to_serve >> deploy

    def scheduled_batch_job(self, solution: Solution, job: BatchJob, index: int) -> None:
        assert job.schedule is not None
        suffix = _batch_suffix(job, index)
        with self.dag(
            f"{solution.name}_{suffix}",
            self.timetable(job.schedule),
            f"run {solution.name}'s {job.kind.replace('_', ' ')} on the model its campaign serves",
        ):
            wanted = [f"solution/{solution.name}"]
            campaign = f"campaign/{solution.campaigns[0].name}" if solution.campaigns else None
            filter_key = f"filter/{job.filter_name}" if job.filter_name else None
            resources = self.find([*wanted, *filter(None, [campaign, filter_key])])
            version = serving_version.override(task_id="find_model")(
                solution_arn=resources[wanted[0]],
                campaign_arn=resources[campaign] if campaign else None,
                **self.connection,
            )
            self.batch_job(job, suffix, version, RUN_TIME, resources[filter_key] if filter_key else None)

    def teardown(self) -> None:
        with self.dag("teardown", None, "delete everything in the dataset group, the group and its schemas"):
            PersonalizeDeleteDatasetGroupOperator(
                task_id="delete_dataset_group", dataset_group_name=self.group, delete_schemas=True
            )


def _batch_suffix(job: BatchJob, index: int) -> str:
    word = "batch_inference" if job.kind == "batch_inference_job" else "batch_segment"
    return f"{word}_{index}" if index else word
