"""A Personalize deployment as a config describes it, whatever the format: what the DAGs are built from.

Every element keeps ``path``, where it is in the source file (``solutions[2].campaigns[0]``), so that a
problem found in it is reported where the user wrote it. API members are kept as the API names them
(``request``), to be handed to the operators unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

# A solution schedule that is not a time but an event: a scheduled import of the group succeeded.
AFTER_IMPORT = "after-import"
# MPEML's default for datasetGroup.workflowConfig.maxAge: resources younger than this are reused, not redone.
DEFAULT_MAX_AGE = timedelta(days=365)

# Resource and job names (Name in the API reference, e.g. CreateBatchInferenceJob's jobName), whole value.
NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*")
NAME_MAX_LENGTH = 63
BatchJobKind = Literal["batch_inference_job", "batch_segment_job"]
# CreateDataset's datasetType, "one of the following (case insensitive) values"
# (https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDataset.html), by its lower case.
DATASET_TYPES = {
    name.lower(): name for name in ("Interactions", "Items", "Users", "Actions", "Action_Interactions")
}


@dataclass(frozen=True)
class Schedule:
    """When something runs: an EventBridge expression (``cron(...)``, ``rate(...)``) or AFTER_IMPORT."""

    expression: str
    path: str


@dataclass(frozen=True)
class DataImport:
    """How a dataset is filled.

    ``locations``: the S3 locations to import, the first that holds data (MPEML looks for a folder of parts,
    then a single file). ``optional``: with no data there, the import is skipped (MPEML); otherwise the task
    fails, naming the locations. ``max_age``: None imports on every run; otherwise the import is skipped when
    the dataset's last ACTIVE import is younger than ``max_age``, or not older than the data (MPEML's rule).
    ``request``: the other CreateDatasetImportJob members (importMode, roleArn, tags, ...).
    """

    path: str
    locations: tuple[str, ...]
    request: Mapping[str, Any]
    optional: bool = False
    max_age: timedelta | None = None


@dataclass(frozen=True)
class Dataset:
    path: str
    type_path: str  # where the type is given (a key, for MPEML)
    schema_path: str
    dataset_type: str  # as given; the API's spelling where the reader knows it
    request: Mapping[str, Any]  # CreateDataset: name, tags
    schema: Mapping[str, Any]  # CreateSchema: name, schema, domain
    bootstrap_import: DataImport | None = None
    scheduled_import: DataImport | None = None


@dataclass(frozen=True)
class Resource:
    """A resource created from its request alone (filter, event tracker, recommender, campaign)."""

    path: str
    request: Mapping[str, Any]

    @property
    def name(self) -> str:
        return str(self.request.get("name", ""))


@dataclass(frozen=True)
class BatchJob:
    """A batch inference or segment job: on its schedule if it has one, otherwise once, in the bootstrap.

    Jobs are named ``name_prefix`` + the run's time (``YYYY_MM_DD_HH_MM_SS``, MPEML's layout) on the schedule,
    and ``name_prefix`` + the model version's id in the bootstrap (a rerun adopts the job). With
    ``output_folder`` (MPEML), the job writes to ``<output_folder><job name>/``; otherwise the request's
    ``jobOutput`` says where.
    """

    path: str
    kind: BatchJobKind
    request: Mapping[str, Any]
    name_prefix: str
    output_folder: str | None = None
    filter_name: str | None = None
    schedule: Schedule | None = None


@dataclass(frozen=True)
class FirstVersion:
    """The model the bootstrap gives a solution.

    ``reuse``: the version the solution's campaign serves, else the newest ACTIVE version younger than
    ``max_age``, else a new one (MPEML); ``always``: a new one on every run (the CDK pipeline's
    createNewSolutionVersion); ``never``: the served or newest ACTIVE version, of any age, and the task
    fails if there is none. A new version is trained in ``training_mode``.
    """

    policy: Literal["reuse", "always", "never"] = "reuse"
    max_age: timedelta = DEFAULT_MAX_AGE
    training_mode: str = "FULL"


@dataclass(frozen=True)
class Solution:
    path: str
    request: Mapping[str, Any]  # CreateSolution members
    version_request: Mapping[str, Any] = field(default_factory=dict)  # CreateSolutionVersion: name, tags
    first_version: FirstVersion = FirstVersion()
    full_training_mode: str = "FULL"  # MPEML trains its "full" schedule in solutionVersion.trainingMode
    schedules: Mapping[str, Schedule] = field(default_factory=dict)  # "full" / "update"
    thresholds: Mapping[str, float] | None = None  # the metrics gate before a deployment
    max_metric_drop: float | None = None  # how much worse than the deployed model a retrained one may be
    campaigns: tuple[Resource, ...] = ()
    batch_jobs: tuple[BatchJob, ...] = ()

    @property
    def name(self) -> str:
        return str(self.request.get("name", ""))

    @property
    def recipe(self) -> str | None:
        """The recipe's name (``aws-user-personalization``), from its ARN."""
        arn = self.request.get("recipeArn")
        return arn.rpartition("/")[2] if isinstance(arn, str) else None


@dataclass(frozen=True)
class Deployment:
    """One dataset group and everything in it, with the schedules that maintain it."""

    config_format: str
    group_path: str
    group: Mapping[str, Any]  # CreateDatasetGroup members
    datasets: tuple[Dataset, ...] = ()
    import_schedule: Schedule | None = None
    event_tracker: Resource | None = None
    filters: tuple[Resource, ...] = ()
    solutions: tuple[Solution, ...] = ()
    recommenders: tuple[Resource, ...] = ()
    preprocessing_job: str | None = None  # an AWS Glue job run before the imports (the CDK pipeline's)
    source: str = ""  # the config file

    @property
    def name(self) -> str:
        return str(self.group.get("name", ""))

    def scheduled_imports(self) -> list[DataImport]:
        return [dataset.scheduled_import for dataset in self.datasets if dataset.scheduled_import]

    def schedules(self) -> list[Schedule]:
        """Every schedule the config gives, wherever it is."""
        found = [self.import_schedule] if self.import_schedule else []
        for solution in self.solutions:
            found += solution.schedules.values()
            found += [job.schedule for job in solution.batch_jobs if job.schedule]
        return found
