"""The view's read model: what a dataset group holds and what happened to it, from Personalize's answers.

Only List*, Describe* and GetSolutionMetrics requests, through :class:`~.reader.PersonalizeReader`
(cached). The service's own values are shown as it gives them; durations are derived from a job's
creation and last status change (``lastUpdatedDateTime``, which for a finished job is when it ended).
Nothing is inferred that the service does not say: no record counts for imports (the service reports
none), ``numDeleted`` for finished data deletion jobs (it reports that).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from airflow_provider_personalize.resources import (
    BATCH_INFERENCE_JOB,
    BATCH_SEGMENT_JOB,
    CAMPAIGN,
    DATA_DELETION_JOB,
    DATASET,
    DATASET_EXPORT_JOB,
    DATASET_GROUP,
    DATASET_IMPORT_JOB,
    SOLUTION,
    SOLUTION_VERSION,
    ResourceKind,
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
    answer = reader.call(DATASET_GROUP.list_method, **request)
    return DatasetGroupsPage(
        conn_id=reader.conn_id,
        region=reader.resolved_region,
        groups=[_group_summary(group) for group in answer.get(DATASET_GROUP.list_key, [])],
        next_token=answer.get("nextToken"),
        first_page=not next_token,
    )


def dataset_group_overview(reader: PersonalizeReader, group_arn: str) -> DatasetGroupOverview:
    """Everything the view shows about one dataset group."""
    group = _describe(reader, DATASET_GROUP, group_arn)
    datasets, dataset_jobs = _datasets(reader, group_arn)
    solutions, training_and_batch_jobs = _solutions(reader, group_arn)
    campaigns = [
        _campaign(reader, summary[CAMPAIGN.arn_member], solution.name)
        for solution in solutions
        for summary in _held(reader, CAMPAIGN, solution.arn)
    ]
    solutions = _mark_served_versions(solutions, campaigns)
    deletions = _jobs(reader, "data deletion", DATA_DELETION_JOB, group_arn, target=group["name"])
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


def _describe(reader: PersonalizeReader, kind: ResourceKind, arn: str) -> dict:
    return reader.call(kind.describe_method, **{kind.arn_member: arn})[kind.response_key]


def _held(reader: PersonalizeReader, kind: ResourceKind, holder_arn: str) -> Iterator[dict]:
    """The summaries of every resource of ``kind`` that the resource ``holder_arn`` holds."""
    assert kind.list_filter_member, kind
    return reader.list_all(kind.list_method, kind.list_key, **{kind.list_filter_member: holder_arn})


def _group_summary(group: dict) -> DatasetGroupSummary:
    return DatasetGroupSummary(
        name=group["name"],
        arn=group[DATASET_GROUP.arn_member],
        status=group.get("status", ""),
        domain=group.get("domain"),
        created=group["creationDateTime"],
        failure_reason=group.get("failureReason"),
    )


def _job(label: str, kind: ResourceKind, summary: dict, target: str, detail: str = "") -> Job:
    assert kind.lifecycle, kind
    arn, status = summary[kind.arn_member], summary.get("status", "")
    in_progress = kind.lifecycle.is_in_progress(status)
    started = summary["creationDateTime"]
    ended = datetime.now(UTC) if in_progress else summary.get("lastUpdatedDateTime", started)
    return Job(
        kind=label,
        name=summary.get(kind.name_member) or arn.rpartition("/")[2],
        arn=arn,
        target=target,
        status=status,
        in_progress=in_progress,
        started=started,
        duration_seconds=max((ended - started).total_seconds(), 0.0),
        failure_reason=summary.get("failureReason"),
        detail=detail,
    )


def _jobs(
    reader: PersonalizeReader,
    label: str,
    kind: ResourceKind,
    holder_arn: str,
    target: str,
    detail_member: str = "",
) -> list[Job]:
    """The jobs of ``kind`` under ``holder_arn``; ``detail_member``: the summary member that tells how
    each ran (``importMode``)."""
    return [
        _job(label, kind, summary, target, summary.get(detail_member, ""))
        for summary in _held(reader, kind, holder_arn)
    ]


def _datasets(reader: PersonalizeReader, group_arn: str) -> tuple[list[Dataset], list[Job]]:
    datasets, jobs = [], []
    for summary in _held(reader, DATASET, group_arn):
        dataset_arn, dataset_type = summary[DATASET.arn_member], summary.get("datasetType", "")
        imports = _jobs(reader, "import", DATASET_IMPORT_JOB, dataset_arn, dataset_type, "importMode")
        exports = _jobs(reader, "export", DATASET_EXPORT_JOB, dataset_arn, dataset_type)
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
    for summary in _held(reader, SOLUTION, group_arn):
        solution_arn = summary[SOLUTION.arn_member]
        version_summaries = sorted(
            _held(reader, SOLUTION_VERSION, solution_arn),
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
        jobs += [version.training for version in versions]
        for version in trained:
            jobs += _jobs(
                reader,
                "batch inference",
                BATCH_INFERENCE_JOB,
                version.arn,
                version.version_id,
                "batchInferenceJobMode",
            )
            jobs += _jobs(reader, "batch segment", BATCH_SEGMENT_JOB, version.arn, version.version_id)
    return solutions, jobs


def _version(reader: PersonalizeReader, summary: dict, solution_name: str) -> SolutionVersion:
    training = _job("training", SOLUTION_VERSION, summary, solution_name, summary.get("trainingMode", ""))
    # A trained version's offline metrics never change:
    # https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html
    metrics = (
        reader.call_settled("get_solution_metrics", solutionVersionArn=training.arn).get("metrics", {})
        if training.status == "ACTIVE"
        else {}
    )
    return SolutionVersion(
        arn=training.arn,
        version_id=training.arn.rpartition("/")[2],
        status=training.status,
        training=training,
        metrics=metrics,
    )


def _campaign(reader: PersonalizeReader, campaign_arn: str, solution_name: str) -> Campaign:
    campaign = _describe(reader, CAMPAIGN, campaign_arn)
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
    described = reader.call_settled(
        DATA_DELETION_JOB.describe_method, **{DATA_DELETION_JOB.arn_member: job.arn}
    )[DATA_DELETION_JOB.response_key]
    if described.get("numDeleted") is None:
        return job
    return dataclasses.replace(job, detail=f"{described['numDeleted']} records deleted")
