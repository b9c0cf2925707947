"""Every Amazon Personalize resource kind, described once.

The hook, the create-and-wait machine, the trigger, the sensor and the links read this table; nothing
else in the provider spells a status string or an API method name per kind. A kind is named by its
API noun (``DatasetImportJob``); method names, ARN members and response keys follow from it exactly as
botocore spells them, so adding a kind is one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Lifecycle:
    """The statuses of one family of resources, as AWS documents them.

    A status in neither ``in_progress`` nor ``success`` ends a wait as a failure: that covers the
    documented failure states and anything the service might add, so no wait can hang on a status
    it does not know.
    """

    in_progress: frozenset[str]
    success: frozenset[str]
    failure: frozenset[str]

    def is_in_progress(self, status: str) -> bool:
        return status in self.in_progress

    def is_success(self, status: str) -> bool:
        return status in self.success


# Deletes are asynchronous: a resource passes through these statuses, then Describe answers
# ResourceNotFoundException.
DELETION_STATUSES = frozenset({"DELETE PENDING", "DELETE IN_PROGRESS"})

CREATE_LIFECYCLE = Lifecycle(
    in_progress=frozenset({"CREATE PENDING", "CREATE IN_PROGRESS"}),
    success=frozenset({"ACTIVE"}),
    failure=frozenset({"CREATE FAILED"}) | DELETION_STATUSES,
)
SOLUTION_VERSION_LIFECYCLE = Lifecycle(
    in_progress=frozenset({"CREATE PENDING", "CREATE IN_PROGRESS", "CREATE STOPPING"}),
    success=frozenset({"ACTIVE"}),
    failure=frozenset({"CREATE FAILED", "CREATE STOPPED"}),
)
BATCH_JOB_LIFECYCLE = Lifecycle(
    in_progress=frozenset({"PENDING", "IN PROGRESS"}),
    success=frozenset({"ACTIVE"}),
    failure=frozenset({"CREATE FAILED"}),
)
DATA_DELETION_LIFECYCLE = Lifecycle(
    in_progress=frozenset({"PENDING", "IN_PROGRESS"}),
    success=frozenset({"COMPLETED"}),
    failure=frozenset({"FAILED"}),
)
RECOMMENDER_LIFECYCLE = Lifecycle(
    in_progress=frozenset({"CREATE PENDING", "CREATE IN_PROGRESS", "START PENDING", "START IN_PROGRESS"}),
    success=frozenset({"ACTIVE"}),
    failure=frozenset({"CREATE FAILED", "STOP PENDING", "STOP IN_PROGRESS", "INACTIVE"}) | DELETION_STATUSES,
)
UPDATE_LIFECYCLE = Lifecycle(
    in_progress=frozenset({"CREATE PENDING", "CREATE IN_PROGRESS"}),
    success=frozenset({"ACTIVE"}),
    failure=frozenset({"CREATE FAILED"}),
)


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


def _lower_first(camel: str) -> str:
    return camel[0].lower() + camel[1:]


@dataclass(frozen=True)
class ResourceKind:
    """One kind of Personalize resource.

    ``noun`` is the API's noun (``DatasetImportJob``), from which every method and member name follows.
    ``parent_member`` is the create request's member naming the parent, when ListX accepts it as a filter;
    ``lifecycle`` is None for a kind the service creates synchronously, with no status to wait on
    (schemas). ``update_member`` marks a pseudo-kind that watches a resource's latest update rather than the
    resource (``latestCampaignUpdate``).

    ``named_per_run`` marks the kinds a pipeline creates anew on every run (jobs, solution versions): their
    name defaults to one derived from the run, so that a retry finds the resource its first try created.
    ``create_refuses_duplicates`` is False where Create cannot be relied on to answer a taken name with
    ResourceAlreadyExistsException: solution versions (their ARN holds an id, not the name, and AWS does not
    document a refusal) and event trackers (one per dataset group: a second gets LimitExceededException).
    For those, the create machine looks the name up before creating.
    ``stoppable`` marks the kinds whose creation can be stopped (StopXCreation).
    ``contained_in`` is the kind whose resources hold this one (a dataset group holds solutions, a solution
    its versions and campaigns, a version its batch jobs): ListX filters by the holder's ARN, and a resource
    goes when its holder is deleted, or must go first (see :func:`deletion_order`).
    ``waiter_delay`` and ``waiter_max_attempts`` are the default wait: a poll interval suited to how long the
    real service takes, and a budget comfortably above its longest documented duration.
    """

    noun: str
    lifecycle: Lifecycle | None
    name_member: str = "name"
    parent_member: str | None = None
    arn_type: str | None = None
    deletable: bool = True
    list_key_override: str | None = None
    update_member: str | None = None
    named_per_run: bool = False
    create_refuses_duplicates: bool = True
    stoppable: bool = False
    contained_in: str | None = None
    waiter_delay: int = 30
    waiter_max_attempts: int = 120

    @property
    def key(self) -> str:
        """The kind's identifier in this provider (``dataset_import_job``)."""
        return _snake(self.noun) + ("_update" if self.update_member else "")

    @property
    def label(self) -> str:
        """Human words for messages (``dataset import job``)."""
        return self.key.replace("_", " ")

    @property
    def arn_member(self) -> str:
        return _lower_first(self.noun) + "Arn"

    @property
    def response_key(self) -> str:
        return _lower_first(self.noun)

    @property
    def create_method(self) -> str:
        return "create_" + _snake(self.noun)

    @property
    def describe_method(self) -> str:
        return "describe_" + _snake(self.noun)

    @property
    def delete_method(self) -> str | None:
        """None for kinds that cannot be deleted, and for update pseudo-kinds (updates are not deleted)."""
        return "delete_" + _snake(self.noun) if self.deletable and not self.update_member else None

    @property
    def update_method(self) -> str | None:
        """For an update pseudo-kind, the request that starts an update (``update_campaign``)."""
        return "update_" + _snake(self.noun) if self.update_member else None

    @property
    def stop_method(self) -> str | None:
        return "stop_" + _snake(self.noun) + "_creation" if self.stoppable else None

    @property
    def list_method(self) -> str:
        return "list_" + _snake(self.noun) + "s"

    @property
    def list_filter_member(self) -> str | None:
        """The ListX member that filters by the holder's ARN (``datasetGroupArn``), for a held kind."""
        return get_kind(self.contained_in).arn_member if self.contained_in else None

    @property
    def list_key(self) -> str:
        return self.list_key_override or _lower_first(self.noun) + "s"

    def status_of(self, description: dict) -> str:
        """The status this kind waits on, from the resource's Describe body."""
        holder = description.get(self.update_member, {}) if self.update_member else description
        return str(holder.get("status", ""))

    def latest_update_of(self, description: dict) -> dict:
        """For an update pseudo-kind, the latest update in the resource's Describe body ({} if none)."""
        return description.get(self.update_member) or {} if self.update_member else {}

    def failure_reason_of(self, description: dict) -> str | None:
        holder = description.get(self.update_member, {}) if self.update_member else description
        return holder.get("failureReason")

    def failure_message(self, arn: str, status: str, failure_reason: str | None) -> str:
        """What a wait ending in a failure status reports: the ARN, the status and the service's reason."""
        reason = failure_reason or "the service gave no failure reason"
        return f"Personalize {self.label} {arn} ended in status {status!r}: {reason}"

    def timeout_message(self, arn: str, status: str, waiter_max_attempts: int) -> str:
        return (
            f"Personalize {self.label} {arn} is still in status {status!r} after {waiter_max_attempts} "
            "polls; raise waiter_max_attempts to wait longer"
        )


def _job(
    noun: str,
    lifecycle: Lifecycle,
    parent_member: str,
    arn_type: str,
    contained_in: str,
    waiter_delay: int = 60,
    waiter_max_attempts: int = 720,
) -> ResourceKind:
    """A job: named ``jobName``, created anew by every run, never deleted, waited for minutes to hours."""
    return ResourceKind(
        noun,
        lifecycle,
        name_member="jobName",
        parent_member=parent_member,
        arn_type=arn_type,
        contained_in=contained_in,
        deletable=False,
        named_per_run=True,
        waiter_delay=waiter_delay,
        waiter_max_attempts=waiter_max_attempts,
    )


# Waits, from the service's documented durations: imports 10-15 min (hours for 100 GB), training 25-50 min
# (hours on large data), campaigns 10-20 min, batch jobs 10-25 min, data deletion up to a day.
_KINDS = (
    ResourceKind("DatasetGroup", CREATE_LIFECYCLE, arn_type="dataset-group"),
    ResourceKind("Schema", None, arn_type="schema"),
    ResourceKind(
        "Dataset",
        CREATE_LIFECYCLE,
        parent_member="datasetGroupArn",
        arn_type="dataset",
        contained_in="dataset_group",
    ),
    _job("DatasetImportJob", CREATE_LIFECYCLE, "datasetArn", "dataset-import-job", "dataset"),
    _job("DatasetExportJob", CREATE_LIFECYCLE, "datasetArn", "dataset-export-job", "dataset"),
    _job(
        "DataDeletionJob",
        DATA_DELETION_LIFECYCLE,
        "datasetGroupArn",
        "data-deletion-job",
        "dataset_group",
        waiter_delay=300,
        waiter_max_attempts=576,
    ),
    ResourceKind(
        "Solution",
        CREATE_LIFECYCLE,
        parent_member="datasetGroupArn",
        arn_type="solution",
        contained_in="dataset_group",
    ),
    ResourceKind(
        "SolutionVersion",
        SOLUTION_VERSION_LIFECYCLE,
        parent_member="solutionArn",
        deletable=False,
        named_per_run=True,
        create_refuses_duplicates=False,
        stoppable=True,
        contained_in="solution",
        waiter_delay=60,
        waiter_max_attempts=1440,
    ),
    ResourceKind(
        "Campaign",
        CREATE_LIFECYCLE,
        arn_type="campaign",
        contained_in="solution",
        waiter_delay=30,
        waiter_max_attempts=240,
    ),
    _job(
        "BatchInferenceJob",
        BATCH_JOB_LIFECYCLE,
        "solutionVersionArn",
        "batch-inference-job",
        "solution_version",
    ),
    _job(
        "BatchSegmentJob", BATCH_JOB_LIFECYCLE, "solutionVersionArn", "batch-segment-job", "solution_version"
    ),
    ResourceKind(
        "Recommender",
        RECOMMENDER_LIFECYCLE,
        parent_member="datasetGroupArn",
        arn_type="recommender",
        contained_in="dataset_group",
        waiter_delay=60,
        waiter_max_attempts=240,
    ),
    ResourceKind(
        "Filter",
        CREATE_LIFECYCLE,
        parent_member="datasetGroupArn",
        arn_type="filter",
        list_key_override="Filters",
        contained_in="dataset_group",
    ),
    ResourceKind(
        "EventTracker",
        CREATE_LIFECYCLE,
        parent_member="datasetGroupArn",
        arn_type="event-tracker",
        contained_in="dataset_group",
        create_refuses_duplicates=False,
    ),
    ResourceKind(
        "MetricAttribution",
        CREATE_LIFECYCLE,
        parent_member="datasetGroupArn",
        arn_type="metric-attribution",
        contained_in="dataset_group",
    ),
    ResourceKind(
        "Campaign",
        UPDATE_LIFECYCLE,
        arn_type="campaign",
        update_member="latestCampaignUpdate",
        waiter_max_attempts=240,
    ),
    ResourceKind("Solution", UPDATE_LIFECYCLE, arn_type="solution", update_member="latestSolutionUpdate"),
    ResourceKind(
        "Recommender",
        UPDATE_LIFECYCLE,
        arn_type="recommender",
        update_member="latestRecommenderUpdate",
        waiter_delay=60,
        waiter_max_attempts=240,
    ),
    ResourceKind("Dataset", UPDATE_LIFECYCLE, arn_type="dataset", update_member="latestDatasetUpdate"),
)

RESOURCE_KINDS: dict[str, ResourceKind] = {kind.key: kind for kind in _KINDS}


def get_kind(key: str) -> ResourceKind:
    """The kind named ``key``; a clear error naming the known kinds otherwise."""
    try:
        return RESOURCE_KINDS[key]
    except KeyError:
        raise ValueError(
            f"Unknown Personalize resource kind {key!r}; known: {', '.join(RESOURCE_KINDS)}"
        ) from None


# AWS's documented clean-up order: whatever uses a resource goes before it (recommenders and campaigns
# serve models, solutions are trained on datasets, filters and metric attributions read them), the dataset
# group once empty, and schemas last, since datasets use them.
DELETION_ORDER = (
    "recommender",
    "campaign",
    "solution",
    "event_tracker",
    "filter",
    "metric_attribution",
    "dataset",
    "dataset_group",
    "schema",
)


def held_kinds(holder: str) -> list[ResourceKind]:
    """Every kind that a resource of kind ``holder`` holds, directly or not; each after its holder."""
    held: list[ResourceKind] = []
    holders = [holder]
    while holders:
        found = [kind for kind in _KINDS if kind.contained_in in holders]
        held.extend(found)
        holders = [kind.key for kind in found]
    return held


def deletion_order(holder: str) -> list[ResourceKind]:
    """The deletable kinds a ``holder`` resource holds, in the order a teardown must delete them."""
    deletable = [kind for kind in held_kinds(holder) if kind.delete_method]
    return sorted(deletable, key=lambda kind: DELETION_ORDER.index(kind.key))
