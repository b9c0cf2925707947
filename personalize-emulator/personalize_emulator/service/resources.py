"""The resources of the emulated control plane: their members, lifecycles, and the data they own.

A :class:`Resource` of any kind holds its request members, its ancestors' ARNs, its lifecycle
(``lifecycle.py``) and, while it runs, its data work (``work.py``); its tags are kept by the backend's
tagging service. What a resource owns lives on it: a :class:`Dataset` its records, a :class:`TrainedResource`
(solution version, recommender) what it learnt. What each job kind does is ``jobs.py``'s; the rules between
resources (names, parents, quotas, deletion) are the backend's (``models.py``), reached through the
:class:`ResourceStore` interface so that resources never depend on the backend's module.
"""

import threading
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow.compute as pc
from moto.core.common_models import BaseModel

from ..engine.actions import ActionModel, ActionTrainingResult
from ..engine.avro import canonical_dataset_type, parse_schema
from ..engine.datastore import DatasetRecords
from ..engine.segments import SegmentModel, SegmentTrainingResult
from ..engine.training import TrainedModel, TrainingResult
from . import lifecycle
from .encryption import check_key
from .exceptions import CreationFailed
from .faults import FAULTS
from .internal_failures import INTERNAL_FAILURES
from .kinds import KINDS, Kind
from .recipes import RECIPES
from .work import Apply, Run, Work, internal_failure_reason

Params = dict[str, Any]

# Writes to records read, then replace, a dataset's tables: one at a time, or a concurrent write is lost.
RECORD_WRITES = threading.Lock()


class ResourceStore(Protocol):
    """What a resource needs of the backend holding it (``models.PersonalizeEmulatorBackend``)."""

    account_id: str
    region_name: str

    def get(self, kind: Kind, arn: str) -> "Resource": ...

    def live(self, kind: Kind, where: Params | None = None) -> list["Resource"]: ...

    def descendants(self, resource: "Resource") -> list["Resource"]: ...

    def forget(self, resource: "Resource") -> None: ...


class Resource(BaseModel):
    """A resource of any kind: its request members, its ancestors' ARNs and its lifecycles."""

    def __init__(
        self,
        backend: ResourceStore,
        kind: Kind,
        arn: str,
        attributes: Params,
        ancestors: dict[str, str],
    ) -> None:
        self.backend = backend
        self.kind = kind
        self.arn = arn
        self.attributes = attributes
        self.ancestors = ancestors
        self.created_at = lifecycle.now()
        self.failure_reason: str | None = None
        self.created = not kind.has_status
        self.work: Work | None = None
        # The walk begins when the backend has stored the resource (see PersonalizeEmulatorBackend.add).
        self.lifecycle = lifecycle.Lifecycle(kind.model_name, self._on_status, self._may_enter)
        self.update: lifecycle.Lifecycle | None = None
        self.update_request: Params = {}
        self.update_created_at = 0.0

    @property
    def status(self) -> str:
        return self.lifecycle.status

    @property
    def is_running(self) -> bool:
        return self.status in lifecycle.RUNNING

    def _on_status(self, status: str) -> None:
        if status == lifecycle.GONE:
            self.backend.forget(self)
        elif status == self._in_progress_status and not self.created:
            self.work = self._begin_work(FAULTS.take_forced_failure(self.kind.api_name))
        elif status == self.kind.statuses[-1] and not self.created:
            self.created = True
            try:
                self._complete()
            except CreationFailed as failure:
                self.fail(str(failure))
            except Exception as error:  # an emulator bug: fail, never ACTIVE having done nothing
                self.fail(internal_failure_reason(INTERNAL_FAILURES.record(self._label, error)))

    @property
    def _label(self) -> str:
        return f"{self.kind.label} {self.arn}"

    def _begin_work(self, forced_failure: str | None) -> Work | None:
        if forced_failure is not None:
            return Work.failing(self._label, forced_failure, self.lifecycle.wake)
        try:
            self.check_group_key()
            run = self.prepare_work()
        except CreationFailed as failure:
            return Work.failing(self._label, str(failure), self.lifecycle.wake)
        except Exception as error:  # an emulator bug (or a resource gone meanwhile): the job fails, saying so
            reason = internal_failure_reason(INTERNAL_FAILURES.record(self._label, error))
            return Work.failing(self._label, reason, self.lifecycle.wake)
        return Work(self._label, run, self.lifecycle.wake) if run is not None else None

    def check_group_key(self) -> None:
        """Fail (CreationFailed) when the KMS key of the resource's dataset group can no longer be used
        (``encryption.py``): disabled, scheduled for deletion or its key policy changed since."""
        group_arn = self.ancestors.get("datasetGroupArn")
        if group_arn is None:
            return
        group = self.backend.get(KINDS["DatasetGroup"], group_arn)
        if group.attributes.get("kmsKeyArn"):
            check_key(group.attributes["kmsKeyArn"], group.attributes.get("roleArn"), role_needs_access=False)

    def prepare_work(self) -> Run | None:
        """Capture the inputs of the resource's data work, as it enters its in-progress status; return the
        heavy part, to run on a worker thread (None: the kind has no data work). Raises CreationFailed
        when the work cannot start."""
        return None

    @property
    def _in_progress_status(self) -> str | None:
        """The status in which the resource's data work runs (the one before its final status)."""
        return self.kind.statuses[-2] if len(self.kind.statuses) > 1 else None

    def _may_enter(self, status: str, wait: bool) -> bool:
        """Whether the walk may enter ``status`` now: the final status waits for the data work."""
        if self.work is None or self.created or status != self.kind.statuses[-1]:
            return True
        return self.work.ready(wait)

    def _complete(self) -> None:
        """Apply the data work as the resource reaches its final status (an import's records, a model ...).

        Raises CreationFailed, whose message becomes the failureReason, when the work failed (work.py).
        """
        if self.work is not None:
            self.work.finish()

    def fail(self, reason: str) -> None:
        """End the resource's creation in its failed status, with ``reason`` as its failureReason."""
        self.failure_reason = reason
        self.lifecycle.end(self.kind.failed_status)

    def cancel(self) -> None:
        """Stop every walk of the resource for good (its backend is reset): nothing of it happens after."""
        self.lifecycle.cancel()
        if self.update is not None:
            self.update.cancel()

    def begin_update(self, request: Params) -> None:
        """Start an update; ``request`` (API members) applies when the update reaches ACTIVE."""
        self.update_request = request
        self.update_created_at = lifecycle.now()
        if self.update is None:
            self.update = lifecycle.Lifecycle(self.kind.model_name, self._on_update_status)
        self.update.begin(lifecycle.CREATE)

    def _on_update_status(self, status: str) -> None:
        if status == "ACTIVE":
            self._apply_update(self.update_request)

    def _apply_update(self, request: Params) -> None:
        self.attributes.update(request)

    def advance(self) -> None:
        """Count one describe, for the state manager's manual progression."""
        self.lifecycle.advance()
        if self.update is not None:
            self.update.advance()

    def describe(self) -> Params:
        status = self.status  # first: reading it may progress the walk, and a failure sets failureReason
        described: Params = {
            **self.attributes,
            self.kind.arn_member: self.arn,
            "creationDateTime": self.created_at,
            "lastUpdatedDateTime": self.lifecycle.updated_at,
            "failureReason": self.failure_reason,
            **self._derived_members(),
        }
        if self.kind.has_status:
            described["status"] = status
        if self.update is not None and self.kind.update_member:
            described[self.kind.update_member] = {
                **self.update_request,
                "status": self.update.status,
                "creationDateTime": self.update_created_at,
                "lastUpdatedDateTime": self.update.updated_at,
            }
        members = self.kind.describe_members
        return {key: value for key, value in described.items() if key in members and value is not None}

    def summary(self) -> Params:
        return {key: value for key, value in self.describe().items() if key in self.kind.summary_members}

    def _derived_members(self) -> Params:
        """Describe members computed from other resources (none by default)."""
        return {}

    def deletion_blockers(self) -> list["Resource"]:
        """What must go, or finish, before this resource can be deleted: its children, jobs while they run."""
        return [
            child for child in self.backend.descendants(self) if child.is_running or not child.kind.is_job
        ]


class DatasetGroup(Resource):
    """A dataset group: with a kmsKeyArn, its creation checks that Personalize may use the key."""

    def prepare_work(self) -> Run | None:
        key_arn, role_arn = self.attributes.get("kmsKeyArn"), self.attributes.get("roleArn")
        if not key_arn:
            return None

        def run() -> Apply:
            check_key(key_arn, role_arn)
            return lambda: None

        return run


class Schema(Resource):
    def deletion_blockers(self) -> list[Resource]:
        return [
            dataset
            for dataset in self.backend.live(KINDS["Dataset"])
            if self.arn in (dataset.attributes["schemaArn"], dataset.update_request.get("schemaArn"))
        ]


class Dataset(Resource):
    """A dataset, and the records it holds (``engine/datastore.py``), created empty on first use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._records: DatasetRecords | None = None
        self._records_made = threading.Lock()

    @property
    def records(self) -> DatasetRecords:
        with self._records_made:
            if self._records is None:
                schema = self.backend.get(KINDS["Schema"], self.attributes["schemaArn"])
                self._records = DatasetRecords(parse_schema(schema.attributes["schema"]), dataset_type(self))
            return self._records

    def put_records(self, records: list[dict[str, Any]]) -> None:
        """Store records sent individually (personalize-events) as the dataset's PUT data; KeyError or
        ValueError for records that do not fit its schema."""
        with RECORD_WRITES:
            self.records.put_records(records)

    def deletion_blockers(self) -> list[Resource]:
        group = {"datasetGroupArn": self.attributes["datasetGroupArn"]}
        training = [
            version for version in self.backend.live(KINDS["SolutionVersion"], group) if version.is_running
        ]
        return super().deletion_blockers() + training


class Solution(Resource):
    def _derived_members(self) -> Params:
        versions = self.backend.live(KINDS["SolutionVersion"], {"solutionArn": self.arn})
        return {"latestSolutionVersion": versions[0].summary()} if versions else {}

    def _apply_update(self, request: Params) -> None:
        changes = dict(request)
        if "solutionUpdateConfig" in changes:
            # SolutionUpdateConfig's members (autoTrainingConfig, eventsConfig) are SolutionConfig's too.
            update_config = changes.pop("solutionUpdateConfig")
            changes["solutionConfig"] = self.attributes.get("solutionConfig", {}) | update_config
        self.attributes.update(changes)


@dataclass(frozen=True)
class Training:
    """What a solution version or recommender learnt."""

    result: TrainingResult | ActionTrainingResult | SegmentTrainingResult
    # The newest interaction training saw: events sent later are the user's real-time history.
    latest_timestamp: int | None


@dataclass(frozen=True)
class Served:
    """What a solution version or recommender serves from: its model, recipe type and dataset group."""

    model: TrainedModel | ActionModel | SegmentModel
    recipe_type: str
    group_arn: str
    latest_timestamp: int | None  # of the interactions it was trained on

    @property
    def items_model(self) -> TrainedModel:
        """The model of an item recipe; callers check the recipe type first."""
        assert isinstance(self.model, TrainedModel), self.recipe_type
        return self.model

    @property
    def segment_model(self) -> SegmentModel:
        """The model of a USER_SEGMENTATION recipe; callers check the recipe type first."""
        assert isinstance(self.model, SegmentModel), self.recipe_type
        return self.model

    @property
    def actions_model(self) -> ActionModel:
        """The model of a PERSONALIZED_ACTIONS recipe; callers check the recipe type first."""
        assert isinstance(self.model, ActionModel), self.recipe_type
        return self.model


class TrainedResource(Resource):
    """A solution version or a recommender: what it learnt, once its training is in."""

    training: Training | None = None

    @property
    def training_result(self) -> TrainingResult | ActionTrainingResult | SegmentTrainingResult | None:
        return self.training.result if self.training is not None else None

    def served(self) -> Served | None:
        """What the resource serves, once its training is in."""
        training = self.training
        if training is None:
            return None
        recipe_arn = self.attributes["recipeArn"]
        group_arn = self.attributes["datasetGroupArn"]
        return Served(
            training.result.model,
            RECIPES[recipe_arn].recipe_type,
            group_arn,
            training.latest_timestamp,
        )


def dataset_type(dataset: Resource) -> str:
    """A dataset's type as AWS documents it (its Create request may spell it in any letter case)."""
    known = canonical_dataset_type(dataset.attributes["datasetType"])
    assert known is not None, "CreateDataset refuses unknown dataset types"
    return known


def group_datasets(store: ResourceStore, group_arn: str) -> dict[str, Dataset]:
    """The group's datasets by type (``Interactions``, ``Items`` ...)."""
    datasets = store.live(KINDS["Dataset"], {"datasetGroupArn": group_arn})
    return {dataset_type(dataset): dataset for dataset in datasets if isinstance(dataset, Dataset)}


def events_since(store: ResourceStore, served: Served, user_id: str) -> list[str]:
    """Items of the user's PutEvents newer than the training data, oldest first: the real-time history
    that USER_PERSONALIZATION and PERSONALIZED_RANKING recommendations take into account."""
    dataset = group_datasets(store, served.group_arn).get("Interactions")
    if dataset is None:
        return []
    events = dataset.records.records("PUT")
    if events.num_rows == 0:  # the usual case, and a request's worth of Arrow calls saved
        return []
    mine = pc.equal(events["USER_ID"], user_id)
    if served.latest_timestamp is not None:
        mine = pc.and_(mine, pc.greater(events["TIMESTAMP"], served.latest_timestamp))
    return list(events.filter(mine).sort_by("TIMESTAMP")["ITEM_ID"].to_pylist())
