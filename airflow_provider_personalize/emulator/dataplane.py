"""The emulated Personalize data plane: the work of jobs, the records of datasets, the models of versions.

How a job does its work (``models.Resource`` calls :func:`start_work` and :class:`Work`):

1. as the job enters its in-progress status, its inputs are captured on the request's thread (a training
   snapshot of the dataset group's data is taken *then*, as AWS trains on the data as it was when training
   started), and the heavy part (reading S3, checking CSV, training, writing S3) starts on a worker thread;
2. the job's final status waits for the worker. Under time progression (the default) the walk holds the
   in-progress status until the worker is done, so no Describe ever waits for it; under manual or immediate
   progression (tests) the step into the final status waits for the worker, so a test sees the same
   statuses after the same number of describes every run;
3. on entering its final status the job applies its result (the dataset's records change, the model becomes
   servable), or ends in its failed status with the failureReason the worker raised.

What each kind does, and the texts it fails with:

- DatasetImportJob reads ``dataSource.dataLocation``: one object, or every ``.csv`` object under a folder
  (a location ending in ``/``), streamed from moto's S3, checked against the dataset's schema
  (:func:`.datafiles.read_import_data`, whose failure texts are AWS's where AWS publishes them). FULL
  replaces the bulk data, INCREMENTAL upserts; an INCREMENTAL first import fails.
- DatasetExportJob writes one CSV file with a header, ``<path><jobName>/<jobName>_part_00000.csv`` (AWS does
  not document its file names; ours are documented here), of the BULK, PUT or ALL records.
- DataDeletionJob reads the USER_ID CSV at ``dataSource.dataLocation``, removes those users' records from
  every dataset of the group, bulk and PUT, and reports how many of them had data as ``numDeleted``.
- SolutionVersion trains (:func:`.training.train`) with the solution's recipe, ``eventType`` and
  ``solutionConfig.eventValueThreshold``. trainingMode UPDATE builds on the solution's latest ACTIVE version
  and needs an earlier ACTIVE FULL version, else it fails.
- Recommender trains as its use case's custom recipe would (``USE_CASE_RECIPES``).
- BatchInferenceJob reads JSON lines (``{"userId"}``, ``{"itemId"}``, ``{"userId", "itemList"}`` by recipe
  type) from every object whose key starts with ``jobInput.s3DataSource.path`` ("Amazon S3 is prefix based",
  "Creating a batch inference job") and writes, for each input file,
  ``<output path><input file name>.out`` with one line per input line: ``{"input": ..., "output":
  {"recommendedItems": [...], "scores": [...]}, "error": null}`` ("Batch inference job output examples");
  a line that cannot be served gets ``"output": null`` and the reason in ``"error"`` (AWS does not document
  that case's shape).
- BatchSegmentJob reads ``{"itemId": "..."}`` lines and writes ``{"input": {...}, "output":
  {"recommendedUsers": [...]}, "error": null}`` ("Batch segment job output examples", Item-Affinity; AWS's
  example has no ``error`` member, ours keeps it so that a line that fails can say why). Batch segment jobs
  need a USER_SEGMENTATION version (aws-item-affinity), batch inference jobs any other; filters apply to
  batch inference only (``serving.py``).

Paths: a location that is not ``s3://bucket/...`` fails with ``Invalid S3 input path: <uri>`` (or ``output``),
texts seen from AWS (without the URI).

S3 and IAM are moto's own backends for the job's account (``s3_backends``, ``iam_backends``), the same in
both modes. A role that does not exist in moto's IAM, or whose trust policy does not let
``personalize.amazonaws.com`` assume it (an Allow of ``sts:AssumeRole`` to that service principal, or to
``*``), fails the job with AWS's ``Insufficient privileges for accessing data in S3.``; so does a missing
bucket or object, because a role cannot tell a missing object from one it may not read. An import without
a roleArn is not checked against IAM (AWS then relies on the bucket policy, which moto does not enforce).
"""

import json
import logging
import threading
import urllib.parse
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from . import serving
from .avro import PersonalizeSchema, parse_schema
from .datafiles import ImportDataError, read_deletion_user_ids, read_import_data
from .datastore import DatasetRecords, delete_users, training_snapshot
from .exceptions import CreationFailed
from .kinds import KINDS
from .recipes import RECIPES
from .schemas import dataset_type_key
from .training import TrainedModel, TrainingResult, train

if TYPE_CHECKING:
    from .models import PersonalizeEmulatorBackend, Resource

logger = logging.getLogger(__name__)

INSUFFICIENT_PRIVILEGES = "Insufficient privileges for accessing data in S3."
PERSONALIZE_PRINCIPAL = "personalize.amazonaws.com"
S3_CHUNK_BYTES = 1 << 20
# Domain use cases train here as the custom recipe (and event type) closest to what AWS describes for them.
USE_CASE_RECIPES: dict[str, tuple[str, str | None]] = {
    "aws-ecomm-popular-items-by-purchases": ("aws-popularity-count", "Purchase"),
    "aws-ecomm-popular-items-by-views": ("aws-popularity-count", "View"),
    "aws-ecomm-recommended-for-you": ("aws-user-personalization", None),
    "aws-ecomm-customers-who-viewed-x-also-viewed": ("aws-similar-items", "View"),
    "aws-ecomm-frequently-bought-together": ("aws-similar-items", "Purchase"),
    "aws-vod-most-popular": ("aws-popularity-count", None),
    "aws-vod-trending-now": ("aws-popularity-count", None),
    "aws-vod-top-picks": ("aws-user-personalization", None),
    "aws-vod-because-you-watched-x": ("aws-similar-items", None),
    "aws-vod-more-like-x": ("aws-similar-items", None),
}

Apply = Callable[[], None]


@dataclass(frozen=True)
class _Training:
    result: TrainingResult
    # The newest interaction training saw: events sent later are the user's real-time history.
    latest_timestamp: int | None


# Data that lives as long as its resource: a dataset's records, a version's (or recommender's) training.
_records: "weakref.WeakKeyDictionary[Resource, DatasetRecords]" = weakref.WeakKeyDictionary()
_trained: "weakref.WeakKeyDictionary[Resource, _Training]" = weakref.WeakKeyDictionary()
_store_lock = threading.Lock()
# Writes to records read, then replace, a dataset's tables: one at a time, or a concurrent write is lost.
_writes = threading.Lock()


class Work:
    """A job's data work, running on a worker thread; see the module docstring."""

    def __init__(self, label: str, run: Callable[[], Apply]) -> None:
        self._run = run
        self._apply: Apply | None = None
        self._failure: CreationFailed | None = None
        self._thread = threading.Thread(target=self._work, name=f"personalize {label}", daemon=True)
        self._thread.start()

    @classmethod
    def failing(cls, label: str, reason: str) -> "Work":
        def fail() -> Apply:
            raise CreationFailed(reason)

        return cls(label, fail)

    def _work(self) -> None:
        try:
            self._apply = self._run()
        except CreationFailed as failure:
            self._failure = failure
        except ImportDataError as failure:
            self._failure = CreationFailed(str(failure))
        except Exception as error:  # an emulator bug: fail the job visibly rather than hang it
            logger.exception("The data work of a Personalize job failed unexpectedly")
            self._failure = CreationFailed(f"Internal error in the Personalize emulator: {error!r}")

    def ready(self, wait: bool) -> bool:
        """Whether the work is done; with ``wait``, once it is."""
        if wait:
            self._thread.join()
        return not self._thread.is_alive()

    def finish(self) -> None:
        """Apply the result, or raise CreationFailed with the work's failureReason."""
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        assert self._apply is not None
        self._apply()


# -- S3 and IAM, as moto holds them ----------------------------------------------------------------


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @classmethod
    def parse(cls, uri: str, direction: str) -> "S3Location":
        parsed = urllib.parse.urlparse(uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise CreationFailed(f"Invalid S3 {direction} path: {uri}")
        return cls(parsed.netloc, parsed.path.lstrip("/"))

    @property
    def is_folder(self) -> bool:
        return self.key == "" or self.key.endswith("/")

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


def _s3(backend: "PersonalizeEmulatorBackend") -> Any:
    # moto's S3 and IAM models load when a job first needs them, not with the emulator.
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    return s3_backends[backend.account_id][get_partition(backend.region_name)]


def _bucket(s3: Any, name: str) -> Any:
    from moto.s3.exceptions import MissingBucket

    try:
        return s3.get_bucket(name)
    except MissingBucket:
        raise CreationFailed(INSUFFICIENT_PRIVILEGES) from None


def _chunks(key: Any) -> Iterator[bytes]:
    """An S3 object's bytes, a chunk at a time, never the whole object at once.

    moto keeps an object's value in a spooled temporary file guarded by the key's lock; its public
    ``value`` copies the whole object, which a large import must not do.
    """
    position = 0
    while True:
        with key.lock:
            key._value_buffer.seek(position)
            chunk = key._value_buffer.read(S3_CHUNK_BYTES)
        if not chunk:
            return
        position += len(chunk)
        yield chunk


def read_objects(
    backend: "PersonalizeEmulatorBackend", uri: str, suffix: str = "", every_match: bool = False
) -> list[tuple[str, Iterator[bytes]]]:
    """The object at ``uri``; or, when ``uri`` is a folder (ends in ``/``) or ``every_match`` asks for every
    object whose key starts with its path (as batch jobs read their input), each such object whose name ends
    in ``suffix``."""
    location = S3Location.parse(uri, "input")
    s3 = _s3(backend)
    bucket = _bucket(s3, location.bucket)
    if location.is_folder or every_match:
        names = sorted(
            name
            for name in list(bucket.keys.keys())
            if name.startswith(location.key) and not name.endswith("/") and name.endswith(suffix)
        )
    else:
        names = [location.key]
    keys = [(name, s3.get_object(location.bucket, name)) for name in names]
    if not keys or any(key is None for _, key in keys):
        raise CreationFailed(INSUFFICIENT_PRIVILEGES)
    return [(location.uri(name), _chunks(key)) for name, key in keys]


def write_object(backend: "PersonalizeEmulatorBackend", folder_uri: str, name: str, content: bytes) -> None:
    location = S3Location.parse(folder_uri, "output")
    s3 = _s3(backend)
    _bucket(s3, location.bucket)
    prefix = location.key if location.is_folder else f"{location.key}/"
    s3.put_object(location.bucket, f"{prefix}{name}", content)


def _trust_policy(document: str) -> dict[str, Any]:
    try:
        return dict(json.loads(document))
    except ValueError:
        return dict(json.loads(urllib.parse.unquote(document)))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def trust_policy(service: str = PERSONALIZE_PRINCIPAL) -> str:
    """A role trust policy (JSON) that lets ``service`` assume the role: Personalize's, by default."""
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _personalize_may_assume(policy: dict[str, Any]) -> bool:
    for statement in _as_list(policy.get("Statement", [])):
        actions = {action.lower() for action in _as_list(statement.get("Action", []))}
        if statement.get("Effect") != "Allow" or not actions & {"sts:assumerole", "sts:*", "*"}:
            continue
        principal = statement.get("Principal", {})
        if principal == "*" or PERSONALIZE_PRINCIPAL in _as_list(principal.get("Service", [])):
            return True
    return False


def check_role(role_arn: str) -> None:
    """Fail unless ``role_arn`` exists in moto's IAM and Personalize may assume it."""
    from moto.iam.models import iam_backends

    # arn:<partition>:iam::<account>:role/<name>
    parts = role_arn.split(":")
    try:
        role = iam_backends[parts[4]][parts[1]].get_role_by_arn(role_arn)
    except Exception:  # moto raises its IAM NotFoundException; a malformed ARN fails the same way
        raise CreationFailed(INSUFFICIENT_PRIVILEGES) from None
    if not _personalize_may_assume(_trust_policy(role.assume_role_policy_document)):
        raise CreationFailed(INSUFFICIENT_PRIVILEGES)


# -- dataset records and trained models ----------------------------------------------------------------


def _schema_of(dataset: "Resource") -> PersonalizeSchema:
    schema = dataset.backend.get(KINDS["Schema"], dataset.attributes["schemaArn"])
    return parse_schema(schema.attributes["schema"])


def dataset_records(dataset: "Resource") -> DatasetRecords:
    """The records of a dataset (created empty on first use)."""
    with _store_lock:
        records = _records.get(dataset)
        if records is None:
            records = DatasetRecords(_schema_of(dataset), dataset_type_key(dataset.attributes["datasetType"]))
            _records[dataset] = records
        return records


def group_datasets(backend: "PersonalizeEmulatorBackend", group_arn: str) -> dict[str, "Resource"]:
    """The group's datasets by type (``Interactions``, ``Items`` ...)."""
    datasets = backend.live(KINDS["Dataset"], {"datasetGroupArn": group_arn})
    return {dataset_type_key(dataset.attributes["datasetType"]): dataset for dataset in datasets}


def group_interactions(backend: "PersonalizeEmulatorBackend", group_arn: str) -> pa.Table | None:
    """The group's interactions (bulk and PUT), for filters; None without an Interactions dataset."""
    dataset = group_datasets(backend, group_arn).get("Interactions")
    return dataset_records(dataset).records("ALL") if dataset is not None else None


def put_records(dataset: "Resource", build: Callable[[PersonalizeSchema], list[dict[str, Any]]]) -> None:
    """Store records sent individually (personalize-events) as the dataset's PUT data.

    ``build`` makes them from the dataset's schema; it and the store raise KeyError or ValueError for
    records that do not fit it.
    """
    records = dataset_records(dataset)
    new = build(records.schema)
    with _writes:
        records.put_records(new)


def training_of(resource: "Resource") -> TrainingResult | None:
    """What a solution version or recommender learnt, once it is ACTIVE."""
    with _store_lock:
        training = _trained.get(resource)
    return training.result if training is not None else None


# -- the work of each kind ------------------------------------------------------------------------------


def start_work(resource: "Resource", forced_failure: str | None) -> Work | None:
    """Start the data work of ``resource`` as it enters its in-progress status (None: it has none)."""
    starter = _STARTERS.get(resource.kind.api_name)
    label = f"{resource.kind.label} {resource.arn}"
    if forced_failure is not None:
        return Work.failing(label, forced_failure)
    if starter is None:
        return None
    try:
        return Work(label, starter(resource))
    except CreationFailed as failure:
        return Work.failing(label, str(failure))


def _import(job: "Resource") -> Callable[[], Apply]:
    dataset = job.backend.get(KINDS["Dataset"], job.attributes["datasetArn"])
    records = dataset_records(dataset)
    mode = job.attributes["importMode"]
    problem = records.import_mode_problem(mode)
    if problem:
        raise CreationFailed(problem)
    location, role_arn = job.attributes["dataSource"]["dataLocation"], job.attributes.get("roleArn")

    def run() -> Apply:
        if role_arn:
            check_role(role_arn)
        table = read_import_data(read_objects(job.backend, location, suffix=".csv"), records.schema)

        def apply() -> None:
            with _writes:
                records.apply_import(table, mode)

        return apply

    return run


def _export(job: "Resource") -> Callable[[], Apply]:
    dataset = job.backend.get(KINDS["Dataset"], job.attributes["datasetArn"])
    records = dataset_records(dataset)
    name = job.attributes["jobName"]

    def run() -> Apply:
        check_role(job.attributes["roleArn"])
        csv = b"".join(records.export_csv(job.attributes["ingestionMode"]))
        path = job.attributes["jobOutput"]["s3DataDestination"]["path"]
        write_object(job.backend, path, f"{name}/{name}_part_00000.csv", csv)
        return lambda: None

    return run


def _delete_users(job: "Resource") -> Callable[[], Apply]:
    datasets = [
        dataset_records(dataset)
        for dataset in group_datasets(job.backend, job.attributes["datasetGroupArn"]).values()
    ]

    def run() -> Apply:
        check_role(job.attributes["roleArn"])
        user_ids = read_deletion_user_ids(
            read_objects(job.backend, job.attributes["dataSource"]["dataLocation"])
        )

        def apply() -> None:
            with _writes:
                job.attributes["numDeleted"] = delete_users(datasets, user_ids)

        return apply

    return run


def _training(resource: "Resource", recipe_arn: str, **options: Any) -> Callable[[], Apply]:
    """Train ``resource`` (a solution version or a recommender) on its group's data as it is now."""
    datasets = group_datasets(resource.backend, resource.attributes["datasetGroupArn"])
    snapshot = training_snapshot(
        *(
            dataset_records(datasets[kind]) if kind in datasets else None
            for kind in ("Interactions", "Items", "Users")
        )
    )

    def run() -> Apply:
        try:
            result = train(snapshot, recipe_arn, **options)
        except ValueError as error:  # TrainingError, or a recipe the emulator cannot train
            raise CreationFailed(str(error)) from None
        interactions = snapshot.interactions
        latest = pc.max(interactions["TIMESTAMP"]).as_py() if interactions is not None else None

        def store() -> None:
            with _store_lock:
                _trained[resource] = _Training(result, latest)

        return store

    return run


def _event_value_threshold(solution_config: dict[str, Any] | None) -> float | None:
    threshold = (solution_config or {}).get("eventValueThreshold")
    return float(threshold) if threshold is not None else None


def _train(version: "Resource") -> Callable[[], Apply]:
    attributes = version.attributes
    mode = attributes["trainingMode"]
    previous = None
    if mode == "UPDATE":
        solution = {"solutionArn": version.ancestors["solutionArn"]}
        earlier = [
            other
            for other in version.backend.live(KINDS["SolutionVersion"], solution)
            if other is not version and other.status == "ACTIVE" and training_of(other) is not None
        ]
        if not any(other.attributes["trainingMode"] == "FULL" for other in earlier):
            raise CreationFailed(
                "trainingMode UPDATE needs an earlier ACTIVE solution version of this solution trained with "
                "trainingMode FULL."
            )
        previous = training_of(earlier[0])
    return _training(
        version,
        attributes["recipeArn"],
        event_type=attributes.get("eventType"),
        event_value_threshold=_event_value_threshold(attributes.get("solutionConfig")),
        training_mode=mode,
        previous=previous,
    )


def _train_recommender(recommender: "Resource") -> Callable[[], Apply]:
    use_case = recommender.attributes["recipeArn"].rsplit("/", 1)[-1]
    recipe, event_type = USE_CASE_RECIPES[use_case]
    return _training(recommender, f"arn:aws:personalize:::recipe/{recipe}", event_type=event_type)


@dataclass(frozen=True)
class Served:
    """What a solution version or recommender serves from: its model, recipe type and dataset group."""

    model: TrainedModel
    recipe_type: str
    group_arn: str
    latest_timestamp: int | None  # of the interactions it was trained on


def served_by(trained: "Resource") -> Served | None:
    """What ``trained`` (a solution version or a recommender) serves, once its training is in."""
    with _store_lock:
        training = _trained.get(trained)
    if training is None:
        return None
    recipe_type = RECIPES[trained.attributes["recipeArn"]].recipe_type
    group_arn = trained.attributes["datasetGroupArn"]
    return Served(training.result.model, recipe_type, group_arn, training.latest_timestamp)


def events_since(backend: "PersonalizeEmulatorBackend", served: Served, user_id: str) -> list[str]:
    """Items of the user's PutEvents newer than the training data, oldest first: the real-time history
    that USER_PERSONALIZATION and PERSONALIZED_RANKING recommendations take into account."""
    dataset = group_datasets(backend, served.group_arn).get("Interactions")
    if dataset is None:
        return []
    events = dataset_records(dataset).records("PUT")
    if events.num_rows == 0:  # the usual case, and a request's worth of Arrow calls saved
        return []
    mine = pc.equal(events["USER_ID"], user_id)
    if served.latest_timestamp is not None:
        mine = pc.and_(mine, pc.greater(events["TIMESTAMP"], served.latest_timestamp))
    return list(events.filter(mine).sort_by("TIMESTAMP")["ITEM_ID"].to_pylist())


def _served(job: "Resource") -> Served:
    version = job.backend.get(KINDS["SolutionVersion"], job.attributes["solutionVersionArn"])
    served = served_by(version)
    if served is None:
        raise CreationFailed(f"The solution version {version.arn} has no trained model.")
    return served


def _item_filter(job: "Resource") -> serving.InteractionFilter | None:
    if not job.attributes.get("filterArn"):
        return None
    expression = job.backend.get(KINDS["Filter"], job.attributes["filterArn"]).attributes["filterExpression"]
    try:
        return serving.parse_filter(expression)
    except serving.UnsupportedFilter as error:
        raise CreationFailed(str(error)) from None


def _batch_job(job: "Resource", serve: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[], Apply]:
    """Read JSON lines under jobInput, ``serve`` each, write ``<file name>.out`` per input file."""

    def run() -> Apply:
        check_role(job.attributes["roleArn"])
        output = job.attributes["jobOutput"]["s3DataDestination"]["path"]
        input_path = job.attributes["jobInput"]["s3DataSource"]["path"]
        for uri, chunks in read_objects(job.backend, input_path, every_match=True):
            lines = b"".join(chunks).decode("utf-8").splitlines()
            served = [_serve_line(line, serve) for line in lines if line.strip()]
            content = "".join(json.dumps(line) + "\n" for line in served).encode()
            write_object(job.backend, output, f"{uri.rsplit('/', 1)[-1]}.out", content)
        return lambda: None

    return run


def _serve_line(line: str, serve: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ValueError("each line must be a JSON object")
    except ValueError as error:
        return {"input": line, "output": None, "error": f"The input line is not valid JSON: {error}"}
    try:
        return {"input": request, "output": serve(request), "error": None}
    except ValueError as error:
        return {"input": request, "output": None, "error": str(error)}


def _batch_inference(job: "Resource") -> Callable[[], Apply]:
    served = _served(job)
    if served.recipe_type == "USER_SEGMENTATION":
        raise CreationFailed(
            "A USER_SEGMENTATION solution version gives batch segment jobs, not batch inference."
        )
    item_filter = _item_filter(job)
    interactions = group_interactions(job.backend, served.group_arn)
    num_results = job.attributes.get("numResults") or serving.DEFAULT_NUM_RESULTS

    def serve(request: dict[str, Any]) -> dict[str, Any]:
        query = serving.Query(
            user_id=request.get("userId"),
            item_id=request.get("itemId"),
            num_results=num_results,
            item_filter=item_filter,
            filter_values=request.get("filterValues"),
        )
        if served.recipe_type == "PERSONALIZED_RANKING":
            if query.user_id is None or not isinstance(request.get("itemList"), list):
                raise ValueError(
                    "Each line needs a userId and an itemList for a PERSONALIZED_RANKING recipe."
                )
            return serving.scored(serving.rank(served.model, query, request["itemList"], interactions))
        return serving.scored(serving.recommend(served.model, served.recipe_type, query, interactions))

    return _batch_job(job, serve)


def _batch_segment(job: "Resource") -> Callable[[], Apply]:
    served = _served(job)
    if served.recipe_type != "USER_SEGMENTATION":
        raise CreationFailed("Batch segment jobs need a solution version of a USER_SEGMENTATION recipe.")
    if job.attributes.get("filterArn"):
        raise CreationFailed("The emulator does not apply filters to batch segment jobs.")
    num_results = job.attributes.get("numResults") or serving.DEFAULT_NUM_RESULTS

    def serve(request: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(request.get("itemId"), str):
            raise ValueError("Each line needs an itemId (Item-Affinity).")
        return {"recommendedUsers": serving.users_for_item(served.model, request["itemId"], num_results)}

    return _batch_job(job, serve)


_STARTERS: dict[str, Callable[["Resource"], Callable[[], Apply]]] = {
    "DatasetImportJob": _import,
    "DatasetExportJob": _export,
    "DataDeletionJob": _delete_users,
    "SolutionVersion": _train,
    "Recommender": _train_recommender,
    "BatchInferenceJob": _batch_inference,
    "BatchSegmentJob": _batch_segment,
}
