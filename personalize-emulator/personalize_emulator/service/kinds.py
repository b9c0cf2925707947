"""THE table of the emulated Personalize resource kinds: what differs from one kind to the next.

Everything else is derived from botocore's service model: the Describe response key and shape, the List
response key and summary shape, the name member (``name`` or ``jobName``), the ARN member.
"""

from dataclasses import dataclass
from functools import cached_property

from . import lifecycle
from .validation import service_model


@dataclass(frozen=True)
class Kind:
    arn_resource_type: str  # as in the ARN (``dataset-import-job``); also names the state-manager model
    api_name: str  # as in the operation names (``DatasetImportJob``)
    parent: str | None = None  # the API name of the kind it is created under (``Dataset``)
    statuses: tuple[str, ...] = lifecycle.CREATE
    failed_status: str = lifecycle.CREATE_FAILED
    is_job: bool = False  # jobs cannot be deleted, and only block their parent while running
    update_member: str | None = None  # the Describe member summarising the latest update

    @property
    def label(self) -> str:
        """The kind in words, for messages ("dataset import job")."""
        return self.arn_resource_type.replace("-", " ")

    @property
    def parent_member(self) -> str | None:
        """The Create member naming the parent resource: ``datasetArn`` for a ``Dataset`` parent."""
        return f"{self.parent[0].lower()}{self.parent[1:]}Arn" if self.parent else None

    @property
    def parent_kind(self) -> "Kind | None":
        return KINDS[self.parent] if self.parent else None

    @property
    def model_name(self) -> str:
        return lifecycle.model_name(self.arn_resource_type)

    @property
    def has_status(self) -> bool:
        return bool(self.statuses)

    @cached_property
    def describe_key(self) -> str:
        (key,) = service_model().operation_model(f"Describe{self.api_name}").output_shape.members
        return key

    @cached_property
    def describe_members(self) -> frozenset[str]:
        output = service_model().operation_model(f"Describe{self.api_name}").output_shape
        return frozenset(output.members[self.describe_key].members)

    @cached_property
    def list_key(self) -> str:
        output = service_model().operation_model(f"List{self.api_name}s").output_shape
        (key,) = set(output.members) - {"nextToken"}
        return key

    @cached_property
    def summary_members(self) -> frozenset[str]:
        output = service_model().operation_model(f"List{self.api_name}s").output_shape
        return frozenset(output.members[self.list_key].member.members)

    @cached_property
    def name_member(self) -> str:
        members = service_model().operation_model(f"Create{self.api_name}").input_shape.members
        return "jobName" if "jobName" in members else "name"

    @property
    def arn_member(self) -> str:
        return f"{self.describe_key}Arn"


KINDS: dict[str, Kind] = {
    kind.api_name: kind
    for kind in [
        Kind("dataset-group", "DatasetGroup"),
        Kind("schema", "Schema", statuses=()),
        Kind("dataset", "Dataset", parent="DatasetGroup", update_member="latestDatasetUpdate"),
        Kind("dataset-import-job", "DatasetImportJob", parent="Dataset", is_job=True),
        Kind("dataset-export-job", "DatasetExportJob", parent="Dataset", is_job=True),
        Kind(
            "data-deletion-job",
            "DataDeletionJob",
            parent="DatasetGroup",
            statuses=lifecycle.DATA_DELETION_JOB,
            failed_status=lifecycle.DATA_DELETION_JOB_FAILED,
            is_job=True,
        ),
        Kind("solution", "Solution", parent="DatasetGroup", update_member="latestSolutionUpdate"),
        Kind("solution-version", "SolutionVersion", parent="Solution", is_job=True),
        Kind("campaign", "Campaign", parent="SolutionVersion", update_member="latestCampaignUpdate"),
        Kind(
            "batch-inference-job",
            "BatchInferenceJob",
            parent="SolutionVersion",
            statuses=lifecycle.BATCH_JOB,
            is_job=True,
        ),
        Kind(
            "batch-segment-job",
            "BatchSegmentJob",
            parent="SolutionVersion",
            statuses=lifecycle.BATCH_JOB,
            is_job=True,
        ),
        Kind("recommender", "Recommender", parent="DatasetGroup", update_member="latestRecommenderUpdate"),
        Kind("filter", "Filter", parent="DatasetGroup"),
        Kind("event-tracker", "EventTracker", parent="DatasetGroup"),
        Kind("metric-attribution", "MetricAttribution", parent="DatasetGroup"),
    ]
}
