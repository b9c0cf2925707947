"""The input of aws-samples/automate-mlops-personalize-cdk-pipeline, as is.

Read as its state machines and Lambda (``personalize/infrastructure/lambda/api.py``) use it:

- a schema is named ``<dataset group>-<schema name>-<schemaVersion>``; dataset types are the API's, in
  any case (``INTERACTIONS``);
- a ``datasetImportJob`` with ``createNewJob: true`` imports its ``dataLocation`` on every run, and so does a
  ``solutionVersion`` with ``createNewSolutionVersion: true`` train; without the flag the solution's newest
  ACTIVE version is used, and there must be one;
- campaigns, batch jobs and recommenders are created when their ``create...`` flag is true; a campaign's
  or batch job's ``serviceConfig.solutionVersionArn``, when given, is used instead of the trained version;
- job names are derived from the run (a retry adopts its job), the config's ``jobName`` prefixing batch
  jobs' names (the pipeline appends random characters instead);
- ``preprocessing`` with ``run: true`` runs its AWS Glue job before the imports;
- it has no schedules: the pipeline runs when started, as the bootstrap DAG does. Its solutions' own
  ``autoTrainingConfig`` is the service's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_personalize.pipelines.document import ReadOptions, items, mapping, text, without
from airflow_provider_personalize.pipelines.model import (
    DATASET_TYPES,
    NAME,
    NAME_MAX_LENGTH,
    BatchJob,
    BatchJobKind,
    DataImport,
    Dataset,
    Deployment,
    FirstVersion,
    Resource,
    Solution,
)
from airflow_provider_personalize.pipelines.validation import Problem

_BATCH_JOBS: tuple[tuple[str, BatchJobKind, str], ...] = (
    ("batchInferenceJobs", "batch_inference_job", "createBatchInferenceJob"),
    ("batchSegmentJobs", "batch_segment_job", "createBatchSegmentJob"),
)


def read(document: Any, options: ReadOptions) -> tuple[Deployment, list[Problem]]:
    root = mapping(document)
    group_entry = mapping(root.get("datasetGroup"))
    group = mapping(group_entry.get("serviceConfig"))
    group_name = text(group.get("name")) or ""
    tracker = mapping(root.get("eventTracker")).get("serviceConfig")
    preprocessing = mapping(root.get("preprocessing"))
    deployment = Deployment(
        config_format="cdk",
        group_path="datasetGroup.serviceConfig",
        group=group,
        datasets=tuple(
            _dataset(entry, f"datasetGroup.datasets[{index}]", group_name, options)
            for index, entry in items(group_entry.get("datasets"))
        ),
        event_tracker=Resource("eventTracker.serviceConfig", tracker)
        if isinstance(tracker, Mapping)
        else None,
        filters=tuple(
            Resource(f"filters[{index}].serviceConfig", mapping(entry.get("serviceConfig")))
            for index, entry in items(root.get("filters"))
        ),
        solutions=tuple(
            _solution(entry, f"solutions[{index}]") for index, entry in items(root.get("solutions"))
        ),
        recommenders=tuple(
            Resource(f"recommenders[{index}].serviceConfig", mapping(entry.get("serviceConfig")))
            for index, entry in items(root.get("recommenders"))
            if entry.get("createRecommender") is True
        ),
        preprocessing_job=text(preprocessing.get("jobName")) if preprocessing.get("run") is True else None,
    )
    return deployment, [
        Problem(
            dataset.path.replace(".dataset.serviceConfig", ".schema.schemaVersion"),
            f"the schema's name would be {dataset.schema['name']!r} (<dataset group>-<schema name>-"
            f"<schemaVersion>), which is not a valid name of at most {NAME_MAX_LENGTH} characters",
        )
        for dataset in deployment.datasets
        if not NAME.fullmatch(dataset.schema["name"]) or len(dataset.schema["name"]) > NAME_MAX_LENGTH
    ]


def _dataset(entry: Mapping[str, Any], path: str, group_name: str, options: ReadOptions) -> Dataset:
    schema_entry = mapping(entry.get("schema"))
    schema = dict(mapping(schema_entry.get("serviceConfig")))
    schema["name"] = f"{group_name}-{schema.get('name', '')}-{schema_entry.get('schemaVersion', '')}"
    job = mapping(entry.get("datasetImportJob"))
    data_import = None
    if job.get("createNewJob") is True:
        service = mapping(job.get("serviceConfig"))
        location = text(mapping(service.get("dataSource")).get("dataLocation")) or text(
            service.get("dataSource")
        )
        request = without(service, "dataSource", "jobName")
        if options.role_arn:
            request.setdefault("roleArn", options.role_arn)
        data_import = DataImport(
            f"{path}.datasetImportJob.serviceConfig", (location,) if location else (), request
        )
    dataset_type = str(entry.get("type", ""))
    return Dataset(
        path=f"{path}.dataset.serviceConfig",
        type_path=f"{path}.type",
        schema_path=f"{path}.schema.serviceConfig",
        dataset_type=DATASET_TYPES.get(dataset_type.lower(), dataset_type),
        request=mapping(mapping(entry.get("dataset")).get("serviceConfig")),
        schema=schema,
        bootstrap_import=data_import,
    )


def _solution(entry: Mapping[str, Any], path: str) -> Solution:
    config = mapping(entry.get("serviceConfig"))
    version = mapping(entry.get("solutionVersion"))
    version_request = dict(mapping(version.get("serviceConfig")))
    training_mode = text(version_request.pop("trainingMode", None)) or "FULL"
    return Solution(
        path=f"{path}.serviceConfig",
        request=config,
        version_request=version_request,
        first_version=FirstVersion(
            "always" if version.get("createNewSolutionVersion") is True else "never",
            training_mode=training_mode,
        ),
        campaigns=tuple(
            Resource(f"{path}.campaigns[{index}].serviceConfig", mapping(campaign.get("serviceConfig")))
            for index, campaign in items(entry.get("campaigns"))
            if campaign.get("createCampaign") is True
        ),
        batch_jobs=tuple(
            BatchJob(
                path=f"{path}.{key}[{index}].serviceConfig",
                kind=kind,
                request=without(mapping(job.get("serviceConfig")), "jobName"),
                name_prefix=f"{_job_name(job) or config.get('name')}-",
            )
            for key, kind, flag in _BATCH_JOBS
            for index, job in items(entry.get(key))
            if job.get(flag) is True
        ),
    )


def _job_name(job: Mapping[str, Any]) -> str | None:
    return text(mapping(job.get("serviceConfig")).get("jobName"))
