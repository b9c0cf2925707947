"""The config of AWS's solution "Maintaining Personalized Experiences with Machine Learning" (MPEML), as is.

Read as the solution reads it (github.com/aws-solutions/maintaining-personalized-experiences-with-machine-
learning: README "Configuration", ``shared/personalize_service.py`` ``Configuration``, the step functions):

- the data is where MPEML looks for it: ``s3://<bucket>/train/<dataset group>/<type>/`` (a folder of CSV
  parts) or else ``.../<type>.csv``; a type with neither is not imported. Imports are FULL (MPEML's step
  functions import FULL whatever ``importMode`` says). The bootstrap imports unless the dataset has an
  ACTIVE import younger than ``datasetGroup.workflowConfig.maxAge`` (default 365 days) or not older than
  the data; a scheduled import (``schedules.import``) unless no data is newer than the last import;
- batch jobs read ``s3://<bucket>/batch/<dataset group>/<solution>/job_config.json`` and write to
  ``.../<solution>/<job name>/``, job names being ``batch_<solution>_<YYYY_MM_DD_HH_MM_SS>``. A job with a
  schedule runs on it (MPEML also runs it once in its first workflow); one without runs in the bootstrap,
  the model version's id standing for the time, so that a rerun adopts it;
- the bootstrap adopts the version a solution's campaign serves, or its newest ACTIVE version younger than
  365 days, rather than training one;
  the ``full`` schedule trains in ``solutionVersion.trainingMode`` (FULL by default), ``update`` in UPDATE,
  and both deploy the new version to the solution's campaigns;
- root ``tags`` go to every resource that has none (schemas excepted); ``performAutoML`` is dropped, as
  MPEML drops it; ``maxAge`` of solutions and batch jobs is accepted and, as in MPEML, not used.

``bucket`` and ``role_arn`` come from ``dags_from_config``: MPEML takes them from its own stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from airflow_provider_personalize.pipelines.document import (
    ReadOptions,
    items,
    mapping,
    max_age,
    text,
    without,
)
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

DATASET_TYPES = {"users": "Users", "items": "Items", "interactions": "Interactions"}
_BATCH_JOBS: tuple[tuple[str, BatchJobKind], ...] = (
    ("batchInferenceJobs", "batch_inference_job"),
    ("batchSegmentJobs", "batch_segment_job"),
)


class _Reader:
    def __init__(self, document: Any, options: ReadOptions) -> None:
        self.root = mapping(document)
        self.options = options
        self.root_tags = self.root.get("tags")
        group_entry = mapping(self.root.get("datasetGroup"))
        self.group = self.tagged(mapping(group_entry.get("serviceConfig")))
        self.group_name = text(self.group.get("name")) or ""
        self.workflow = mapping(group_entry.get("workflowConfig"))
        self.bucket = options.bucket or "<bucket>"
        self.problems: list[Problem] = []

    def tagged(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """The request with the root tags, unless it has tags of its own."""
        if "tags" in request or not self.root_tags:
            return dict(request)
        return {**request, "tags": self.root_tags}

    def read(self) -> Deployment:
        import_schedule = self.schedule(mapping(self.workflow.get("schedules")).get("import"), "import")
        tracker = mapping(self.root.get("eventTracker")).get("serviceConfig")
        deployment = Deployment(
            config_format="mpeml",
            group_path="datasetGroup.serviceConfig",
            group=self.group,
            datasets=self.datasets(scheduled=import_schedule is not None),
            import_schedule=import_schedule,
            event_tracker=(
                Resource("eventTracker.serviceConfig", self.tagged(tracker))
                if isinstance(tracker, Mapping)
                else None
            ),
            filters=self.resources("filters"),
            solutions=tuple(
                self.solution(index, entry) for index, entry in items(self.root.get("solutions"))
            ),
            recommenders=self.resources("recommenders"),
        )
        self.require_bucket(deployment)
        return deployment

    def schedule(self, expression: Any, name: str, at: str = "datasetGroup") -> Schedule | None:
        path = (
            f"{at}.workflowConfig.schedules.{name}" if name != "schedule" else f"{at}.workflowConfig.schedule"
        )
        return Schedule(expression, path) if text(expression) else None

    def datasets(self, scheduled: bool) -> tuple[Dataset, ...]:
        section = mapping(self.root.get("datasets"))
        import_config = mapping(section.get("serviceConfig"))
        request: dict[str, Any] = {"importMode": "FULL"}
        if self.options.role_arn:
            request["roleArn"] = self.options.role_arn
        if "publishAttributionMetricsToS3" in import_config:
            request["publishAttributionMetricsToS3"] = import_config["publishAttributionMetricsToS3"]
        tags = import_config.get("tags", self.root_tags)
        if tags:
            request["tags"] = tags
        bootstrap_age = max_age(self.workflow.get("maxAge"), DEFAULT_MAX_AGE)
        datasets = []
        for key, dataset_type in DATASET_TYPES.items():
            entry = section.get(key)
            if not isinstance(entry, Mapping):
                continue
            train = f"s3://{self.bucket}/train/{self.group_name}/{key}"
            locations = (f"{train}/", f"{train}.csv")
            path = f"datasets.{key}"
            datasets.append(
                Dataset(
                    path=f"{path}.dataset.serviceConfig",
                    type_path=path,
                    schema_path=f"{path}.schema.serviceConfig",
                    dataset_type=dataset_type,
                    request=self.tagged(mapping(mapping(entry.get("dataset")).get("serviceConfig"))),
                    schema=mapping(mapping(entry.get("schema")).get("serviceConfig")),
                    bootstrap_import=DataImport(
                        path, locations, request, optional=True, max_age=bootstrap_age
                    ),
                    scheduled_import=(
                        DataImport(path, locations, request, optional=True, max_age=timedelta())
                        if scheduled
                        else None
                    ),
                )
            )
        return tuple(datasets)

    def solution(self, index: int, entry: Mapping[str, Any]) -> Solution:
        path = f"solutions[{index}]"
        config = mapping(entry.get("serviceConfig"))
        name = text(config.get("name")) or ""
        version = mapping(config.get("solutionVersion"))
        version_tags = version.get("tags", self.root_tags)
        schedules = mapping(mapping(entry.get("workflowConfig")).get("schedules"))
        campaigns = tuple(
            Resource(
                f"{path}.campaigns[{number}].serviceConfig",
                self.tagged(mapping(campaign.get("serviceConfig"))),
            )
            for number, campaign in items(entry.get("campaigns"))
        )
        return Solution(
            path=f"{path}.serviceConfig",
            request=self.tagged(without(config, "solutionVersion", "performAutoML")),
            version_request={"tags": version_tags} if version_tags else {},
            full_training_mode=text(version.get("trainingMode")) or "FULL",
            schedules={
                mode: schedule
                for mode in ("full", "update")
                if (schedule := self.schedule(schedules.get(mode), mode, at=path))
            },
            thresholds=self.options.min_metrics if campaigns else None,
            campaigns=campaigns,
            batch_jobs=self.batch_jobs(entry, path, name),
        )

    def batch_jobs(self, entry: Mapping[str, Any], path: str, solution_name: str) -> tuple[BatchJob, ...]:
        folder = f"s3://{self.bucket}/batch/{self.group_name}/{solution_name}/"
        jobs: list[BatchJob] = []
        for key, kind in _BATCH_JOBS:
            for index, job in items(entry.get(key)):
                job_path = f"{path}.{key}[{index}]"
                request = {
                    **self.tagged(mapping(job.get("serviceConfig"))),
                    "jobInput": {"s3DataSource": {"path": f"{folder}job_config.json"}},
                }
                if self.options.role_arn:
                    request["roleArn"] = self.options.role_arn
                number = f"{len(jobs)}_" if jobs else ""
                jobs.append(
                    BatchJob(
                        path=f"{job_path}.serviceConfig",
                        kind=kind,
                        request=request,
                        name_prefix=f"batch_{solution_name}_{number}",
                        output_folder=folder,
                        schedule=self.schedule(
                            mapping(job.get("workflowConfig")).get("schedule"), "schedule", at=job_path
                        ),
                    )
                )
        return tuple(jobs)

    def resources(self, key: str) -> tuple[Resource, ...]:
        return tuple(
            Resource(f"{key}[{index}].serviceConfig", self.tagged(mapping(entry.get("serviceConfig"))))
            for index, entry in items(self.root.get(key))
        )

    def require_bucket(self, deployment: Deployment) -> None:
        """MPEML's data lives in its own bucket, which the config does not name: the factory must."""
        uses_s3 = deployment.datasets or any(solution.batch_jobs for solution in deployment.solutions)
        if uses_s3 and not self.options.bucket:
            self.problems.append(
                Problem(
                    "bucket",
                    "an MPEML config names no bucket: give dags_from_config(bucket=...), the bucket holding "
                    f"train/{self.group_name}/ and batch/{self.group_name}/",
                )
            )


def read(document: Any, options: ReadOptions) -> tuple[Deployment, list[Problem]]:
    reader = _Reader(document, options)
    deployment = reader.read()
    return deployment, reader.problems
