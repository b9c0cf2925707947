"""Every Amazon Personalize resource kind, described once.

The hook, the machines, the trigger and the sensor read this table; nothing else in the provider spells a
status string or an API method name per kind. A kind is named by its API noun (``DatasetImportJob``);
method names, ARN members and response keys follow from it exactly as botocore spells them, so adding a
kind is one row. Each row is a module constant (``DATASET_IMPORT_JOB``) that the provider passes around as
the object; a kind's key (``"dataset_import_job"``) is only for where a user types a kind, and for the
trigger's serialized arguments (:func:`get_kind`, :func:`get_waitable_kind`).

Two types: :class:`ResourceKind` (a resource: created, listed, described, maybe deleted) and
:class:`UpdateKind` (the latest update of a resource, which UpdateX starts and a wait watches), so that
one cannot be passed where the other is meant. Both are :data:`WaitableKind`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore import xform_name


@dataclass(frozen=True, eq=False)
class Lifecycle:
    """The statuses of one family of resources, as AWS documents them.

    A status in neither ``in_progress`` nor ``success`` ends a wait as a failure: that covers the
    documented failure states and anything the service might add, so no wait can hang on a status
    it does not know. Lifecycles, like kinds, are this module's constants, compared by identity.
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


S3Path = tuple[str, ...]
"""The members leading to an S3 URI in a Create request: ``("jobOutput", "s3DataDestination", "path")``."""

# The dataset types that hold users' records: a data deletion job removes "users and their data, including
# their metadata and interactions data" (https://docs.aws.amazon.com/personalize/latest/dg/delete-records.html);
# Items and Actions datasets hold no user. Compared in lower case (DatasetSummary spells them either way).
USER_DATASET_TYPES = frozenset({"users", "interactions", "action_interactions"})
INTERACTIONS_DATASET_TYPES = frozenset({"interactions"})


@dataclass(frozen=True, eq=False)
class GroupDatasets:
    """The datasets of a dataset group that a resource's creation reads (and, with ``written``, changes).

    ``group_member`` names the group's ARN in the Create request or, failing that, in the created
    resource's Describe body (a solution version's ``datasetGroupArn``). ``types`` limits them to some
    dataset types (lower case); None is every dataset of the group.
    """

    group_member: str = "datasetGroupArn"
    types: frozenset[str] | None = None
    written: bool = False


@dataclass(frozen=True, eq=False)
class DataMovement:
    """What creating a resource of a kind reads and writes, as its Create request names it: its lineage.

    ``s3_inputs`` / ``s3_outputs``: where the request holds S3 locations read / written.
    ``dataset_inputs`` / ``dataset_outputs``: request members holding the ARN of a Personalize dataset read /
    written. ``group_datasets``: the datasets of a dataset group read (or changed), when the request names a
    group rather than datasets. ``model_input``: the request member naming the model (solution version) a
    job runs; ``model_output``: the created resource is a model, trained on what it reads.
    """

    s3_inputs: tuple[S3Path, ...] = ()
    s3_outputs: tuple[S3Path, ...] = ()
    dataset_inputs: tuple[str, ...] = ()
    dataset_outputs: tuple[str, ...] = ()
    group_datasets: GroupDatasets | None = None
    model_input: str | None = None
    model_output: bool = False


_DATA_LOCATION: S3Path = ("dataSource", "dataLocation")
_BATCH_JOB_MOVEMENT = DataMovement(
    s3_inputs=(("jobInput", "s3DataSource", "path"),),
    s3_outputs=(("jobOutput", "s3DataDestination", "path"),),
    model_input="solutionVersionArn",
)
# Training reads every dataset of the group; the model it makes is its output.
_TRAINING_MOVEMENT = DataMovement(group_datasets=GroupDatasets(), model_output=True)


def _lower_first(camel: str) -> str:
    return camel[0].lower() + camel[1:]


class _Watched(ABC):
    """What a wait reads of a kind: the status in a Describe body, and the messages that report it."""

    @property
    @abstractmethod
    def key(self) -> str:
        """The kind's identifier in this provider (``dataset_import_job``, ``campaign_update``)."""

    @abstractmethod
    def status_holder(self, description: Mapping[str, Any]) -> Mapping[str, Any]:
        """The part of a Describe body that carries the status and failureReason this kind waits on."""

    @property
    def label(self) -> str:
        """Human words for messages (``dataset import job``)."""
        return self.key.replace("_", " ")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # A kind is one of this module's constants, compared by identity: a copy (Airflow copies
        # operators) or an unpickled kind is that constant again.
        return get_waitable_kind, (self.key,)

    def status_of(self, description: Mapping[str, Any]) -> str:
        """The status this kind waits on, from the resource's Describe body."""
        return str(self.status_holder(description).get("status", ""))

    def failure_reason_of(self, description: Mapping[str, Any]) -> str | None:
        return self.status_holder(description).get("failureReason")

    def failure_message(self, arn: str, status: str, failure_reason: str | None) -> str:
        """What a wait ending in a failure status reports: the ARN, the status and the service's reason."""
        reason = failure_reason or "the service gave no failure reason"
        return f"Personalize {self.label} {arn} ended in status {status!r}: {reason}"

    def timeout_message(self, arn: str, status: str, waiter_max_attempts: int) -> str:
        return (
            f"Personalize {self.label} {arn} is still in status {status!r} after {waiter_max_attempts} "
            "polls; raise waiter_max_attempts to wait longer"
        )


@dataclass(frozen=True, eq=False, repr=False)
class ResourceKind(_Watched):
    """One kind of Personalize resource.

    ``noun`` is the API's noun (``DatasetImportJob``), from which every method and member name follows.
    ``parent_member`` is the create request's member naming the parent, when ListX accepts it as a filter;
    ``lifecycle`` is None for a kind the service creates synchronously, with no status to wait on
    (schemas).

    ``named_per_run`` marks the kinds a pipeline creates anew on every run (jobs, solution versions): their
    name defaults to one derived from the run, so that a retry finds the resource its first try created.
    ``create_refuses_duplicates`` is False where Create cannot be relied on to answer a taken name with
    ResourceAlreadyExistsException: solution versions (their ARN holds an id, not the name, and AWS does not
    document a refusal) and event trackers (one per dataset group: a second gets LimitExceededException).
    For those, the create machine looks the name up before creating.
    ``stoppable`` marks the kinds whose creation can be stopped (StopXCreation).
    ``mode_member`` is the member whose value sets what work a job of this kind does (``trainingMode``: an
    UPDATE trains in a fraction of a FULL's time), so that the trigger expects a job to last as long as
    earlier jobs with the same value, not as long as any earlier job.
    ``arn_type`` and ``arn_ids`` say what an ARN of the kind looks like: its resource part is the type then
    that many identifiers (``dataset/<dataset group name>/<DATASET TYPE>``, ``solution/<name>/<version id>``).
    ``contained_in`` is the kind whose resources hold this one (a dataset group holds solutions, a solution
    its versions and campaigns, a version its batch jobs): ListX filters by the holder's ARN, and a resource
    goes when its holder is deleted, or must go first (see :func:`deletion_order`).
    ``waiter_delay`` and ``waiter_max_attempts`` are the default wait: a poll interval suited to how long the
    real service takes, and a budget comfortably above its longest documented duration.
    ``moves`` is the data its creation reads and writes (None: none), which its OpenLineage events report.
    ``pending_jobs_quota`` says, in words, the quota on unfinished resources of the kind that a Create can
    hit (AWS's "Service quotas", https://docs.aws.amazon.com/personalize/latest/dg/limits.html); the create
    machine waits such a quota out (``hooks/retries.py``). None for kinds without one.
    ``one_per_parent_by`` names the member of which a parent holds one resource per value: a dataset group
    holds one dataset of each ``datasetType``, so Create refuses a second one whatever its name.
    """

    noun: str
    lifecycle: Lifecycle | None
    name_member: str = "name"
    parent_member: str | None = None
    arn_type: str | None = None
    arn_ids: int = 1
    deletable: bool = True
    list_key_override: str | None = None
    named_per_run: bool = False
    create_refuses_duplicates: bool = True
    stoppable: bool = False
    mode_member: str | None = None
    contained_in: ResourceKind | None = None
    waiter_delay: int = 30
    waiter_max_attempts: int = 120
    moves: DataMovement | None = None
    pending_jobs_quota: str | None = None
    one_per_parent_by: str | None = None

    @property
    def key(self) -> str:
        return xform_name(self.noun)

    def status_holder(self, description: Mapping[str, Any]) -> Mapping[str, Any]:
        return description

    @property
    def arn_member(self) -> str:
        return _lower_first(self.noun) + "Arn"

    @property
    def response_key(self) -> str:
        return _lower_first(self.noun)

    @property
    def create_method(self) -> str:
        return "create_" + xform_name(self.noun)

    @property
    def describe_method(self) -> str:
        return "describe_" + xform_name(self.noun)

    @property
    def delete_method(self) -> str | None:
        """None for kinds that cannot be deleted."""
        return "delete_" + xform_name(self.noun) if self.deletable else None

    @property
    def stop_method(self) -> str | None:
        return "stop_" + xform_name(self.noun) + "_creation" if self.stoppable else None

    @property
    def list_method(self) -> str:
        return "list_" + xform_name(self.noun) + "s"

    @property
    def list_filter_member(self) -> str | None:
        """The ListX member that filters by the holder's ARN (``datasetGroupArn``), for a held kind."""
        return self.contained_in.arn_member if self.contained_in else None

    @property
    def list_key(self) -> str:
        return self.list_key_override or _lower_first(self.noun) + "s"


@dataclass(frozen=True, eq=False, repr=False)
class UpdateKind(_Watched):
    """The latest update of a kind of resource (a campaign's ``latestCampaignUpdate``).

    UpdateX starts an update of the resource; its status is the Describe body's ``latest<Noun>Update``,
    which a wait on this kind watches. An update has no ARN of its own (requests and waits name the
    resource's) and is never created, listed or deleted. It waits as long as its resource takes.
    """

    resource: ResourceKind
    lifecycle: Lifecycle = UPDATE_LIFECYCLE

    @property
    def key(self) -> str:
        return self.resource.key + "_update"

    @property
    def update_member(self) -> str:
        """The Describe body's member holding the latest update (``latestCampaignUpdate``)."""
        return f"latest{self.resource.noun}Update"

    def status_holder(self, description: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.latest_update_of(description)

    def latest_update_of(self, description: Mapping[str, Any]) -> dict[str, Any]:
        """The latest update in the resource's Describe body ({} if none)."""
        return description.get(self.update_member) or {}

    @property
    def update_method(self) -> str:
        """The request that starts an update (``update_campaign``)."""
        return "update_" + xform_name(self.resource.noun)

    @property
    def arn_member(self) -> str:
        return self.resource.arn_member

    @property
    def response_key(self) -> str:
        return self.resource.response_key

    @property
    def describe_method(self) -> str:
        return self.resource.describe_method

    @property
    def waiter_delay(self) -> int:
        return self.resource.waiter_delay

    @property
    def waiter_max_attempts(self) -> int:
        return self.resource.waiter_max_attempts


WaitableKind = ResourceKind | UpdateKind
"""What a wait can watch: a resource, or its latest update."""


def _job(
    noun: str,
    lifecycle: Lifecycle,
    parent_member: str,
    arn_type: str,
    contained_in: ResourceKind,
    moves: DataMovement,
    pending_jobs_quota: str | None = None,
    waiter_delay: int = 60,
    waiter_max_attempts: int = 720,
    mode_member: str | None = None,
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
        mode_member=mode_member,
        pending_jobs_quota=pending_jobs_quota,
        waiter_delay=waiter_delay,
        waiter_max_attempts=waiter_max_attempts,
        moves=moves,
    )


# Waits, from the service's documented durations: imports 10-15 min (hours for 100 GB), training 25-50 min
# (hours on large data), campaigns 10-20 min, batch jobs 10-25 min, data deletion up to a day.
# Pending-jobs quotas, from https://docs.aws.amazon.com/personalize/latest/dg/limits.html ("Service quotas",
# default values; some are adjustable) and, for data deletion jobs,
# https://docs.aws.amazon.com/personalize/latest/dg/delete-records.html.
DATASET_GROUP = ResourceKind("DatasetGroup", CREATE_LIFECYCLE, arn_type="dataset-group")
SCHEMA = ResourceKind("Schema", None, arn_type="schema")
DATASET = ResourceKind(
    "Dataset",
    CREATE_LIFECYCLE,
    parent_member="datasetGroupArn",
    arn_type="dataset",
    arn_ids=2,
    contained_in=DATASET_GROUP,
    # A dataset group contains "at most ... datasets, one for each type of dataset":
    # https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetGroup.html
    one_per_parent_by="datasetType",
)
DATASET_IMPORT_JOB = _job(
    "DatasetImportJob",
    CREATE_LIFECYCLE,
    "datasetArn",
    "dataset-import-job",
    DATASET,
    DataMovement(s3_inputs=(_DATA_LOCATION,), dataset_outputs=("datasetArn",)),
    mode_member="importMode",
    pending_jobs_quota="at most 5 dataset import jobs pending or in progress per region",
)
DATASET_EXPORT_JOB = _job(
    "DatasetExportJob",
    CREATE_LIFECYCLE,
    "datasetArn",
    "dataset-export-job",
    DATASET,
    DataMovement(dataset_inputs=("datasetArn",), s3_outputs=(("jobOutput", "s3DataDestination", "path"),)),
)
# A deletion job reads the list of users, and rewrites each dataset holding users without their records:
# each such dataset is read and written, as by SQL's DELETE ... WHERE USER_ID IN (list).
DATA_DELETION_JOB = _job(
    "DataDeletionJob",
    DATA_DELETION_LIFECYCLE,
    "datasetGroupArn",
    "data-deletion-job",
    DATASET_GROUP,
    DataMovement(
        s3_inputs=(_DATA_LOCATION,), group_datasets=GroupDatasets(types=USER_DATASET_TYPES, written=True)
    ),
    pending_jobs_quota="at most 5 data deletion jobs PENDING per dataset group",
    waiter_delay=300,
    waiter_max_attempts=576,
)
SOLUTION = ResourceKind(
    "Solution",
    CREATE_LIFECYCLE,
    parent_member="datasetGroupArn",
    arn_type="solution",
    contained_in=DATASET_GROUP,
)
SOLUTION_VERSION = ResourceKind(
    "SolutionVersion",
    SOLUTION_VERSION_LIFECYCLE,
    parent_member="solutionArn",
    arn_type="solution",
    arn_ids=2,
    deletable=False,
    named_per_run=True,
    create_refuses_duplicates=False,
    stoppable=True,
    mode_member="trainingMode",
    contained_in=SOLUTION,
    waiter_delay=60,
    waiter_max_attempts=1440,
    moves=_TRAINING_MOVEMENT,
    pending_jobs_quota="at most 20 solution versions in progress per region",
)
CAMPAIGN = ResourceKind(
    "Campaign",
    CREATE_LIFECYCLE,
    arn_type="campaign",
    contained_in=SOLUTION,
    waiter_delay=30,
    waiter_max_attempts=240,
)
BATCH_INFERENCE_JOB = _job(
    "BatchInferenceJob",
    BATCH_JOB_LIFECYCLE,
    "solutionVersionArn",
    "batch-inference-job",
    SOLUTION_VERSION,
    _BATCH_JOB_MOVEMENT,
    mode_member="batchInferenceJobMode",
    pending_jobs_quota="at most 5 batch inference jobs pending or in progress per region",
)
BATCH_SEGMENT_JOB = _job(
    "BatchSegmentJob",
    BATCH_JOB_LIFECYCLE,
    "solutionVersionArn",
    "batch-segment-job",
    SOLUTION_VERSION,
    _BATCH_JOB_MOVEMENT,
    pending_jobs_quota="at most 5 batch segment jobs pending or in progress per region",
)
RECOMMENDER = ResourceKind(
    "Recommender",
    RECOMMENDER_LIFECYCLE,
    parent_member="datasetGroupArn",
    arn_type="recommender",
    contained_in=DATASET_GROUP,
    waiter_delay=60,
    waiter_max_attempts=240,
    # A recommender trains its models on the group's datasets
    # (https://docs.aws.amazon.com/personalize/latest/dg/creating-recommenders.html).
    moves=_TRAINING_MOVEMENT,
)
FILTER = ResourceKind(
    "Filter",
    CREATE_LIFECYCLE,
    parent_member="datasetGroupArn",
    arn_type="filter",
    list_key_override="Filters",
    contained_in=DATASET_GROUP,
)
EVENT_TRACKER = ResourceKind(
    "EventTracker",
    CREATE_LIFECYCLE,
    parent_member="datasetGroupArn",
    arn_type="event-tracker",
    contained_in=DATASET_GROUP,
    create_refuses_duplicates=False,
)
# A metric attribution reports on the group's interactions, and publishes its reports to S3 when given a
# destination (https://docs.aws.amazon.com/personalize/latest/dg/measuring-recommendation-impact.html).
METRIC_ATTRIBUTION = ResourceKind(
    "MetricAttribution",
    CREATE_LIFECYCLE,
    parent_member="datasetGroupArn",
    arn_type="metric-attribution",
    contained_in=DATASET_GROUP,
    moves=DataMovement(
        s3_outputs=(("metricsOutputConfig", "s3DataDestination", "path"),),
        group_datasets=GroupDatasets(types=INTERACTIONS_DATASET_TYPES),
    ),
)

CAMPAIGN_UPDATE = UpdateKind(CAMPAIGN)
SOLUTION_UPDATE = UpdateKind(SOLUTION)
RECOMMENDER_UPDATE = UpdateKind(RECOMMENDER)
DATASET_UPDATE = UpdateKind(DATASET)

RESOURCE_KINDS: dict[str, ResourceKind] = {
    kind.key: kind
    for kind in (
        DATASET_GROUP,
        SCHEMA,
        DATASET,
        DATASET_IMPORT_JOB,
        DATASET_EXPORT_JOB,
        DATA_DELETION_JOB,
        SOLUTION,
        SOLUTION_VERSION,
        CAMPAIGN,
        BATCH_INFERENCE_JOB,
        BATCH_SEGMENT_JOB,
        RECOMMENDER,
        FILTER,
        EVENT_TRACKER,
        METRIC_ATTRIBUTION,
    )
}
UPDATE_KINDS: dict[str, UpdateKind] = {
    kind.key: kind for kind in (CAMPAIGN_UPDATE, SOLUTION_UPDATE, RECOMMENDER_UPDATE, DATASET_UPDATE)
}


WAITABLE_KINDS: dict[str, WaitableKind] = {**RESOURCE_KINDS, **UPDATE_KINDS}


def get_kind(key: str) -> ResourceKind:
    """The resource kind named ``key``; a clear error naming the known kinds otherwise."""
    return _lookup(RESOURCE_KINDS, key)


def get_waitable_kind(key: str) -> WaitableKind:
    """The resource or update kind named ``key`` (``"campaign_update"``); a clear error otherwise."""
    return _lookup(WAITABLE_KINDS, key)


_Kind = TypeVar("_Kind", bound=_Watched)


def _lookup(kinds: Mapping[str, _Kind], key: str) -> _Kind:
    try:
        return kinds[key]
    except KeyError:
        raise ValueError(f"Unknown Personalize resource kind {key!r}; known: {', '.join(kinds)}") from None


# AWS's documented clean-up order: whatever uses a resource goes before it (recommenders and campaigns
# serve models, solutions are trained on datasets, filters and metric attributions read them), the dataset
# group once empty, and schemas last, since datasets use them.
DELETION_ORDER = (
    RECOMMENDER,
    CAMPAIGN,
    SOLUTION,
    EVENT_TRACKER,
    FILTER,
    METRIC_ATTRIBUTION,
    DATASET,
    DATASET_GROUP,
    SCHEMA,
)


def held_kinds(holder: ResourceKind) -> list[ResourceKind]:
    """Every kind that a resource of kind ``holder`` holds, directly or not; each after its holder."""
    held: list[ResourceKind] = []
    holders = [holder]
    while holders:
        found = [kind for kind in RESOURCE_KINDS.values() if kind.contained_in in holders]
        held.extend(found)
        holders = found
    return held


def deletion_order(holder: ResourceKind) -> list[ResourceKind]:
    """The deletable kinds a ``holder`` resource holds, in the order a teardown must delete them."""
    deletable = [kind for kind in held_kinds(holder) if kind.delete_method]
    return sorted(deletable, key=DELETION_ORDER.index)
