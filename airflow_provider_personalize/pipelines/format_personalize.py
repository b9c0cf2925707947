"""This provider's config format (``personalize-pipeline.schema.json``; the README documents it).

Members are the API's, named as the API names them, at the place of the resource they create; the
format's own members say how the pipeline runs: ``schema``, ``import`` and ``scheduledImport`` of a
dataset, ``schedules``, ``metricsThresholds``, ``maxMetricDrop``, ``campaigns``, ``batchInferenceJobs`` and
``batchSegmentJobs`` of a solution, ``filterName`` and ``schedule`` of a batch job, and the top-level
``roleArn`` (the role of every import and batch job that names none) and ``schedules.import``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from airflow_provider_personalize.pipelines.document import ReadOptions, items, mapping, text, without
from airflow_provider_personalize.pipelines.model import (
    DEFAULT_MAX_AGE,
    BatchJob,
    BatchJobKind,
    DataImport,
    Dataset,
    Deployment,
    Resource,
    Schedule,
    Solution,
)
from airflow_provider_personalize.pipelines.validation import Problem

_BATCH_JOBS: tuple[tuple[str, BatchJobKind, str], ...] = (
    ("batchInferenceJobs", "batch_inference_job", "batch"),
    ("batchSegmentJobs", "batch_segment_job", "segment"),
)
_SOLUTION_MEMBERS = (
    "solutionVersion",
    "schedules",
    "metricsThresholds",
    "maxMetricDrop",
    "campaigns",
    *(key for key, _, _ in _BATCH_JOBS),
)


def read(document: Any, options: ReadOptions) -> tuple[Deployment, list[Problem]]:
    root = mapping(document)
    role_arn = text(root.get("roleArn")) or options.role_arn
    schedules = mapping(root.get("schedules"))
    import_schedule = _schedule(schedules.get("import"), "schedules.import")
    tracker = root.get("eventTracker")
    deployment = Deployment(
        config_format="personalize",
        group_path="datasetGroup",
        group=mapping(root.get("datasetGroup")),
        datasets=tuple(
            _dataset(dataset, f"datasets[{index}]", role_arn, scheduled=import_schedule is not None)
            for index, dataset in items(root.get("datasets"))
        ),
        import_schedule=import_schedule,
        event_tracker=Resource("eventTracker", tracker) if isinstance(tracker, Mapping) else None,
        filters=_resources(root, "filters"),
        solutions=tuple(
            _solution(solution, f"solutions[{index}]", role_arn, options)
            for index, solution in items(root.get("solutions"))
        ),
        recommenders=_resources(root, "recommenders"),
    )
    return deployment, []


def _dataset(dataset: Mapping[str, Any], path: str, role_arn: str | None, scheduled: bool) -> Dataset:
    bootstrap_import = _import(dataset.get("import"), f"{path}.import", role_arn, DEFAULT_MAX_AGE)
    scheduled_import = None
    if scheduled and "scheduledImport" in dataset:
        scheduled_import = _import(
            dataset["scheduledImport"], f"{path}.scheduledImport", role_arn, timedelta()
        )
    elif scheduled:
        scheduled_import = _import(dataset.get("import"), f"{path}.import", role_arn, timedelta())
    return Dataset(
        path=path,
        type_path=f"{path}.datasetType",
        schema_path=f"{path}.schema",
        dataset_type=str(dataset.get("datasetType", "")),
        request=without(dataset, "datasetType", "schema", "import", "scheduledImport"),
        schema=mapping(dataset.get("schema")),
        bootstrap_import=bootstrap_import,
        scheduled_import=scheduled_import,
    )


def _import(spec: Any, path: str, role_arn: str | None, max_age: timedelta) -> DataImport | None:
    if not isinstance(spec, Mapping):
        return None
    source = spec.get("dataSource")
    location = text(source) or text(mapping(source).get("dataLocation"))
    request = without(spec, "dataSource")
    if role_arn:
        request.setdefault("roleArn", role_arn)
    return DataImport(path, (location,) if location else (), request, max_age=max_age)


def _solution(solution: Mapping[str, Any], path: str, role_arn: str | None, options: ReadOptions) -> Solution:
    name = str(solution.get("name", ""))
    thresholds = solution.get("metricsThresholds")
    drop = solution.get("maxMetricDrop")
    return Solution(
        path=path,
        request=without(solution, *_SOLUTION_MEMBERS),
        version_request=mapping(solution.get("solutionVersion")),
        schedules={
            mode: schedule
            for mode, expression in mapping(solution.get("schedules")).items()
            if (schedule := _schedule(expression, f"{path}.schedules.{mode}"))
        },
        thresholds=thresholds if isinstance(thresholds, Mapping) else options.min_metrics,
        max_metric_drop=drop if isinstance(drop, int | float) and not isinstance(drop, bool) else None,
        campaigns=tuple(
            Resource(f"{path}.campaigns[{index}]", campaign)
            for index, campaign in items(solution.get("campaigns"))
        ),
        batch_jobs=tuple(_batch_jobs(solution, path, name, role_arn)),
    )


def _batch_jobs(solution: Mapping[str, Any], path: str, name: str, role_arn: str | None) -> list[BatchJob]:
    jobs = []
    for key, kind, word in _BATCH_JOBS:
        for index, job in items(solution.get(key)):
            request = without(job, "filterName", "schedule")
            if role_arn:
                request.setdefault("roleArn", role_arn)
            jobs.append(
                BatchJob(
                    path=f"{path}.{key}[{index}]",
                    kind=kind,
                    request=request,
                    name_prefix=f"{name}-{word}-" + (f"{index}-" if index else ""),
                    filter_name=text(job.get("filterName")),
                    schedule=_schedule(job.get("schedule"), f"{path}.{key}[{index}].schedule"),
                )
            )
    return jobs


def _resources(root: Mapping[str, Any], key: str) -> tuple[Resource, ...]:
    return tuple(Resource(f"{key}[{index}]", request) for index, request in items(root.get(key)))


def _schedule(expression: Any, path: str) -> Schedule | None:
    return Schedule(expression, path) if text(expression) else None
