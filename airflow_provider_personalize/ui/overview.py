"""The view's read model: what a dataset group holds and what happened to it, from Personalize's answers.

Only List*, Describe* and GetSolutionMetrics requests, through :class:`~.reader.PersonalizeReader`
(cached). The service's own values are shown as it gives them; durations are derived from a job's
creation and last status change (``lastUpdatedDateTime``, which for a finished job is when it ended).
Nothing is inferred that the service does not say: no record counts for imports (the service reports
none), ``numDeleted`` for finished data deletion jobs (it reports that).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime

from airflow_provider_personalize.resources import (
    BATCH_JOB_LIFECYCLE,
    CREATE_LIFECYCLE,
    DATA_DELETION_LIFECYCLE,
    SOLUTION_VERSION_LIFECYCLE,
    Lifecycle,
)
from airflow_provider_personalize.ui.reader import PersonalizeReader

# Bounds on what one page view reads, so that its cost stays flat as history grows.
GROUPS_PAGE_SIZE = 20
VERSIONS_SHOWN = 30  # per solution, newest first: the chart's points
RECENT_JOBS_SHOWN = 30
# Batch jobs can only be listed per solution version: those of each solution's newest trained versions.
BATCH_JOB_VERSIONS = 5


@dataclass(frozen=True)
class Job:
    """A job or training run: when it started, how long it took (or has been running), how it ended."""

    kind: str
    name: str
    arn: str
    target: str
    status: str
    in_progress: bool
    started: datetime
    duration_seconds: float
    failure_reason: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str
    arn: str
    dataset_type: str
    status: str
    last_import: Job | None


@dataclass(frozen=True)
class SolutionVersion:
    arn: str
    version_id: str
    status: str
    training: Job
    metrics: dict[str, float]
    served_by: tuple[str, ...] = ()  # names of the campaigns that serve it


@dataclass(frozen=True)
class Solution:
    name: str
    arn: str
    status: str
    recipe: str
    versions: list[SolutionVersion]  # newest first, at most VERSIONS_SHOWN
    older_versions: int  # how many more the solution has

    @property
    def metric_names(self) -> list[str]:
        """Every metric any of the versions shown has, sorted."""
        return sorted({name for version in self.versions for name in version.metrics})


@dataclass(frozen=True)
class CampaignUpdate:
    solution_version_arn: str
    status: str
    started: datetime
    failure_reason: str | None


@dataclass(frozen=True)
class Campaign:
    name: str
    arn: str
    status: str
    solution_name: str
    solution_version_arn: str
    serving_since: datetime | None  # None where the service's answer does not tell
    min_provisioned_tps: int | None
    latest_update: CampaignUpdate | None
    failure_reason: str | None


@dataclass(frozen=True)
class DatasetGroupSummary:
    name: str
    arn: str
    status: str
    domain: str | None
    created: datetime
    failure_reason: str | None


@dataclass(frozen=True)
class DatasetGroupsPage:
    conn_id: str
    region: str
    groups: list[DatasetGroupSummary]
    next_token: str | None
    first_page: bool


@dataclass(frozen=True)
class DatasetGroupOverview:
    conn_id: str
    region: str
    group: DatasetGroupSummary
    datasets: list[Dataset]
    solutions: list[Solution]
    campaigns: list[Campaign]
    recent_jobs: list[Job] = field(default_factory=list)  # newest first, at most RECENT_JOBS_SHOWN


def dataset_groups_page(reader: PersonalizeReader, next_token: str | None = None) -> DatasetGroupsPage:
    """One page of the region's dataset groups, in the service's order."""
    request = {"maxResults": GROUPS_PAGE_SIZE} | ({"nextToken": next_token} if next_token else {})
    answer = reader.call("list_dataset_groups", **request)
    return DatasetGroupsPage(
        conn_id=reader.conn_id,
        region=reader.resolved_region,
        groups=[_group_summary(group) for group in answer.get("datasetGroups", [])],
        next_token=answer.get("nextToken"),
        first_page=not next_token,
    )


def dataset_group_overview(reader: PersonalizeReader, group_arn: str) -> DatasetGroupOverview:
    """Everything the view shows about one dataset group."""
    group = reader.call("describe_dataset_group", datasetGroupArn=group_arn)["datasetGroup"]
    datasets, dataset_jobs = _datasets(reader, group_arn)
    solutions, training_and_batch_jobs = _solutions(reader, group_arn)
    campaigns = [
        _campaign(reader, summary["campaignArn"], solution.name)
        for solution in solutions
        for summary in reader.list_all("list_campaigns", "campaigns", solutionArn=solution.arn)
    ]
    solutions = _mark_served_versions(solutions, campaigns)
    deletions = [
        _job(
            "data deletion",
            summary["dataDeletionJobArn"],
            summary,
            DATA_DELETION_LIFECYCLE,
            target=group["name"],
        )
        for summary in reader.list_all(
            "list_data_deletion_jobs", "dataDeletionJobs", datasetGroupArn=group_arn
        )
    ]
    jobs = sorted(
        dataset_jobs + training_and_batch_jobs + deletions, key=lambda job: job.started, reverse=True
    )[:RECENT_JOBS_SHOWN]
    return DatasetGroupOverview(
        conn_id=reader.conn_id,
        region=reader.resolved_region,
        group=_group_summary(group),
        datasets=datasets,
        solutions=solutions,
        campaigns=campaigns,
        recent_jobs=[_with_records_deleted(reader, job) for job in jobs],
    )


def _group_summary(group: dict) -> DatasetGroupSummary:
    return DatasetGroupSummary(
        name=group["name"],
        arn=group["datasetGroupArn"],
        status=group.get("status", ""),
        domain=group.get("domain"),
        created=group["creationDateTime"],
        failure_reason=group.get("failureReason"),
    )


def _job(kind: str, arn: str, summary: dict, lifecycle: Lifecycle, target: str, detail: str = "") -> Job:
    status = summary.get("status", "")
    in_progress = lifecycle.is_in_progress(status)
    started = summary["creationDateTime"]
    ended = datetime.now(UTC) if in_progress else summary.get("lastUpdatedDateTime", started)
    return Job(
        kind=kind,
        name=summary.get("jobName") or arn.rpartition("/")[2],
        arn=arn,
        target=target,
        status=status,
        in_progress=in_progress,
        started=started,
        duration_seconds=max((ended - started).total_seconds(), 0.0),
        failure_reason=summary.get("failureReason"),
        detail=detail,
    )


def _datasets(reader: PersonalizeReader, group_arn: str) -> tuple[list[Dataset], list[Job]]:
    datasets, jobs = [], []
    for summary in reader.list_all("list_datasets", "datasets", datasetGroupArn=group_arn):
        dataset_arn, dataset_type = summary["datasetArn"], summary.get("datasetType", "")
        imports = [
            _job(
                "import",
                job["datasetImportJobArn"],
                job,
                CREATE_LIFECYCLE,
                target=dataset_type,
                detail=job.get("importMode", ""),
            )
            for job in reader.list_all(
                "list_dataset_import_jobs", "datasetImportJobs", datasetArn=dataset_arn
            )
        ]
        exports = [
            _job("export", job["datasetExportJobArn"], job, CREATE_LIFECYCLE, target=dataset_type)
            for job in reader.list_all(
                "list_dataset_export_jobs", "datasetExportJobs", datasetArn=dataset_arn
            )
        ]
        datasets.append(
            Dataset(
                name=summary["name"],
                arn=dataset_arn,
                dataset_type=dataset_type,
                status=summary.get("status", ""),
                last_import=max(imports, key=lambda job: job.started, default=None),
            )
        )
        jobs += imports + exports
    return datasets, jobs


def _solutions(reader: PersonalizeReader, group_arn: str) -> tuple[list[Solution], list[Job]]:
    solutions, jobs = [], []
    for summary in reader.list_all("list_solutions", "solutions", datasetGroupArn=group_arn):
        solution_arn = summary["solutionArn"]
        version_summaries = sorted(
            reader.list_all("list_solution_versions", "solutionVersions", solutionArn=solution_arn),
            key=lambda version: version["creationDateTime"],
            reverse=True,
        )
        versions = [
            _version(reader, version, summary["name"]) for version in version_summaries[:VERSIONS_SHOWN]
        ]
        trained = [version for version in versions if version.status == "ACTIVE"][:BATCH_JOB_VERSIONS]
        solutions.append(
            Solution(
                name=summary["name"],
                arn=solution_arn,
                status=summary.get("status", ""),
                recipe=summary.get("recipeArn", "").rpartition("/")[2],
                versions=versions,
                older_versions=max(len(version_summaries) - VERSIONS_SHOWN, 0),
            )
        )
        jobs += [version.training for version in versions] + _batch_jobs(reader, trained)
    return solutions, jobs


def _version(reader: PersonalizeReader, summary: dict, solution_name: str) -> SolutionVersion:
    arn = summary["solutionVersionArn"]
    training = _job(
        "training",
        arn,
        summary,
        SOLUTION_VERSION_LIFECYCLE,
        target=solution_name,
        detail=summary.get("trainingMode", ""),
    )
    # A trained version's offline metrics never change: https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html
    metrics = (
        reader.call_settled("get_solution_metrics", solutionVersionArn=arn).get("metrics", {})
        if summary.get("status") == "ACTIVE"
        else {}
    )
    return SolutionVersion(
        arn=arn,
        version_id=arn.rpartition("/")[2],
        status=summary.get("status", ""),
        training=training,
        metrics=metrics,
    )


def _batch_jobs(reader: PersonalizeReader, versions: list[SolutionVersion]) -> list[Job]:
    jobs = []
    for version in versions:
        jobs += [
            _job(
                "batch inference",
                job["batchInferenceJobArn"],
                job,
                BATCH_JOB_LIFECYCLE,
                target=version.version_id,
                detail=job.get("batchInferenceJobMode", ""),
            )
            for job in reader.list_all(
                "list_batch_inference_jobs", "batchInferenceJobs", solutionVersionArn=version.arn
            )
        ]
        jobs += [
            _job(
                "batch segment",
                job["batchSegmentJobArn"],
                job,
                BATCH_JOB_LIFECYCLE,
                target=version.version_id,
            )
            for job in reader.list_all(
                "list_batch_segment_jobs", "batchSegmentJobs", solutionVersionArn=version.arn
            )
        ]
    return jobs


def _campaign(reader: PersonalizeReader, campaign_arn: str, solution_name: str) -> Campaign:
    campaign = reader.call("describe_campaign", campaignArn=campaign_arn)["campaign"]
    update = campaign.get("latestCampaignUpdate")
    latest_update = (
        CampaignUpdate(
            solution_version_arn=update.get("solutionVersionArn", ""),
            status=update.get("status", ""),
            started=update["creationDateTime"],
            failure_reason=update.get("failureReason"),
        )
        if update
        else None
    )
    return Campaign(
        name=campaign["name"],
        arn=campaign_arn,
        status=campaign.get("status", ""),
        solution_name=solution_name,
        solution_version_arn=campaign.get("solutionVersionArn", ""),
        serving_since=_serving_since(campaign),
        min_provisioned_tps=campaign.get("minProvisionedTPS"),
        latest_update=latest_update,
        failure_reason=campaign.get("failureReason"),
    )


def _serving_since(campaign: dict) -> datetime | None:
    """When the campaign started serving its current version, where the service's answer tells.

    An ACTIVE campaign with no update serves the version it was created with since it became ACTIVE;
    after a successful update, since that update ended. While an update is in progress, or after one
    failed, the previous switch is not in the answer: unknown.
    https://docs.aws.amazon.com/personalize/latest/dg/API_DescribeCampaign.html
    """
    if campaign.get("status") != "ACTIVE":
        return None
    update = campaign.get("latestCampaignUpdate")
    if not update:
        return campaign.get("lastUpdatedDateTime")
    if update.get("status") == "ACTIVE":
        return update.get("lastUpdatedDateTime")
    return None


def _mark_served_versions(solutions: list[Solution], campaigns: list[Campaign]) -> list[Solution]:
    def served(version: SolutionVersion) -> SolutionVersion:
        names = tuple(c.name for c in campaigns if c.solution_version_arn == version.arn)
        return dataclasses.replace(version, served_by=names) if names else version

    return [dataclasses.replace(s, versions=[served(v) for v in s.versions]) for s in solutions]


def _with_records_deleted(reader: PersonalizeReader, job: Job) -> Job:
    """A finished data deletion job, with the number of records the service says it deleted."""
    if job.kind != "data deletion" or job.status != "COMPLETED":
        return job
    described = reader.call_settled("describe_data_deletion_job", dataDeletionJobArn=job.arn)[
        "dataDeletionJob"
    ]
    if described.get("numDeleted") is None:
        return job
    return dataclasses.replace(job, detail=f"{described['numDeleted']} records deleted")
