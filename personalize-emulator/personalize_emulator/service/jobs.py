"""The resources that do data work: jobs, solution versions and recommenders (how, see ``work.py``).

What each kind does, and the texts it fails with:

- DatasetImportJob reads ``dataSource.dataLocation``: one object, or every ``.csv`` object under a folder
  (a location ending in ``/``), streamed from moto's S3, checked against the dataset's schema
  (:func:`..engine.datafiles.read_import_data`, whose failure texts are AWS's where AWS publishes them) and
  the import quotas (size by import mode; records and event types of Interactions data). FULL replaces the
  bulk data, INCREMENTAL upserts; an INCREMENTAL first import fails.
- With ``publishAttributionMetricsToS3``, an Interactions import also writes its metric attribution report
  (``engine/attribution.py``) to the group's metric attribution's ``metricsOutputConfig.s3DataDestination``
  ("Publishing metrics to Amazon S3").
- DatasetExportJob writes one CSV file with a header, ``<path><jobName>/<jobName>_part_00000.csv`` (AWS does
  not document its file names; ours are documented here), of the BULK, PUT or ALL records as they were when
  the job was created: AWS does not say whether records that arrive later (PutEvents, imports) are
  exported, and a pipeline cannot rely on them being so (the conservative choice).
- DataDeletionJob reads the USER_ID CSV at ``dataSource.dataLocation`` (at most 50 MB), removes those users'
  records from every dataset of the group, bulk and PUT, and reports how many of them had data as
  ``numDeleted``.
- SolutionVersion trains (:func:`..engine.training.train`) with the solution's recipe, ``eventType`` and
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
- BatchSegmentJob reads ``{"itemId": "..."}`` (Item-Affinity) or ``{"itemAttributes": "..."}``
  (Item-Attribute-Affinity) lines and writes ``{"input": {...}, "output": {"usersList": [...]}, "error":
  null}``, as AWS's samples show real jobs write them (``engine/segments.py`` says where, and how the
  developer guide's example differs); a line that cannot be answered gets ``"output": null`` and the reason
  in ``"error"``. Batch segment jobs need a USER_SEGMENTATION version, batch inference jobs any other. A
  job's filter (``filtering.py``) applies to each line with the line's ``filterValues`` ("Filtering batch
  recommendations and user segments"); one that does not fit the job fails it. Their inputs are held to
  the batch quotas.

Output files (exports, batch jobs, attribution reports) are written as the job enters its final status, so
that they appear when the job would have written them on the clock, whether or not anyone describes it,
and never for a job that failed.

S3 and IAM: ``storage.py``. An import without a roleArn is not checked against IAM (AWS then relies on the
bucket policy, which moto does not enforce).
"""

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..engine import quotas, serving
from ..engine.actions import ActionTrainingResult, train_next_best_action
from ..engine.attribution import AttributionError, attribution_report, report_name
from ..engine.datafiles import interactions_quota_problem, read_deletion_user_ids, read_import_data
from ..engine.datastore import csv_chunks, delete_users, training_snapshot
from ..engine.filters import Filter, FilterError, FilterRequest
from ..engine.segments import SegmentTrainingResult, is_segmentation_recipe, train_segments
from ..engine.training import TrainingResult, check_enough_interactions, train
from .encryption import check_key
from .exceptions import CreationFailed
from .filtering import allowed_for, applicable_filter
from .kinds import KINDS
from .resources import (
    RECORD_WRITES,
    Dataset,
    Resource,
    Served,
    TrainedResource,
    Training,
    dataset_type,
    group_datasets,
)
from .storage import Account, StoredObject, check_input_size, check_role
from .work import Apply, Run

NEXT_BEST_ACTION = "aws-next-best-action"
UPDATABLE_RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"
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


def _output_key(destination: dict[str, Any], role_arn: str) -> str | None:
    """The output's kmsKeyArn, once checked that Personalize may use it with the job's role."""
    key_arn = destination.get("kmsKeyArn")
    if key_arn:
        check_key(key_arn, role_arn)
    return key_arn


def _account(resource: Resource) -> Account:
    return Account(resource.backend.account_id, resource.backend.region_name)


def _dataset(job: Resource) -> Dataset:
    dataset = job.backend.get(KINDS["Dataset"], job.attributes["datasetArn"])
    assert isinstance(dataset, Dataset)
    return dataset


def _contents(objects: list[StoredObject]) -> list[tuple[str, Iterator[bytes]]]:
    return [(stored.uri, stored.chunks) for stored in objects]


class DatasetImportJob(Resource):
    def prepare_work(self) -> Run:
        dataset = _dataset(self)
        records = dataset.records
        mode = self.attributes["importMode"]
        problem = records.import_mode_problem(mode)
        if problem:
            raise CreationFailed(problem)
        location, role_arn = self.attributes["dataSource"]["dataLocation"], self.attributes.get("roleArn")
        account = _account(self)
        interactions = dataset_type(dataset) == "Interactions"
        publish = self._attribution_publisher()

        def run() -> Apply:
            if role_arn:
                check_role(role_arn)
            objects = account.read_objects(location, suffix=".csv")
            check_input_size(objects, f"A {mode} import", quotas.MAX_IMPORT_BYTES[mode])
            table = read_import_data(_contents(objects), records.schema)
            quota_problem = interactions_quota_problem(table, records.schema) if interactions else None
            if quota_problem:
                raise CreationFailed(quota_problem)
            write_report = publish(table) if publish is not None else None

            def apply() -> None:
                with RECORD_WRITES:
                    records.apply_import(table, mode)
                if write_report is not None:
                    write_report()

            return apply

        return run

    def _attribution_publisher(self) -> Callable[[pa.Table], Apply] | None:
        """With publishAttributionMetricsToS3, for an Interactions import into a group whose metric
        attribution has an S3 destination: what makes the import's report, and returns what writes it there
        (its role, its key)."""
        dataset = _dataset(self)
        if (
            not self.attributes.get("publishAttributionMetricsToS3")
            or dataset_type(dataset) != "Interactions"
        ):
            return None
        group_arn = dataset.attributes["datasetGroupArn"]
        attributions = self.backend.live(KINDS["MetricAttribution"], {"datasetGroupArn": group_arn})
        output = attributions[0].attributes.get("metricsOutputConfig", {}) if attributions else {}
        destination = output.get("s3DataDestination")
        if not destination:
            return None
        metrics = list(attributions[0].attributes["metrics"])
        items_dataset = group_datasets(self.backend, group_arn).get("Items")
        items = items_dataset.records.records("ALL") if items_dataset is not None else None
        account, mode = _account(self), self.attributes["importMode"]

        def publish(table: pa.Table) -> Apply:
            check_role(output["roleArn"])
            key_arn = _output_key(destination, output["roleArn"])
            try:
                report = attribution_report(table, items, metrics)
            except AttributionError as error:
                raise CreationFailed(str(error)) from None
            name = report_name(mode, int(time.time()))
            return lambda: account.write_object(destination["path"], name, report, key_arn)

        return publish


class DatasetExportJob(Resource):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The records as they are when the job is created (see the module docstring).
        self._snapshot = _dataset(self).records.records(self.attributes["ingestionMode"])

    def prepare_work(self) -> Run:
        name = self.attributes["jobName"]
        account = _account(self)
        snapshot = self._snapshot

        def run() -> Apply:
            check_role(self.attributes["roleArn"])
            destination = self.attributes["jobOutput"]["s3DataDestination"]
            key_arn = _output_key(destination, self.attributes["roleArn"])
            csv = b"".join(csv_chunks(snapshot))
            return lambda: account.write_object(
                destination["path"], f"{name}/{name}_part_00000.csv", csv, key_arn
            )

        return run


class DataDeletionJob(Resource):
    def prepare_work(self) -> Run:
        datasets = [
            dataset.records
            for dataset in group_datasets(self.backend, self.attributes["datasetGroupArn"]).values()
        ]
        account = _account(self)

        def run() -> Apply:
            check_role(self.attributes["roleArn"])
            objects = account.read_objects(self.attributes["dataSource"]["dataLocation"])
            check_input_size(objects, "A data deletion job", quotas.MAX_DELETION_INPUT_BYTES)
            user_ids = read_deletion_user_ids(_contents(objects))

            def apply() -> None:
                with RECORD_WRITES:
                    self.attributes["numDeleted"] = delete_users(datasets, user_ids)

            return apply

        return run


class _Trained(TrainedResource):
    """A resource that trains on its dataset group's data as it is when its work starts."""

    def _training(self, recipe_arn: str, **options: Any) -> Run:
        datasets = group_datasets(self.backend, self.attributes["datasetGroupArn"])
        snapshot = training_snapshot(
            *(
                datasets[kind].records if kind in datasets else None
                for kind in ("Interactions", "Items", "Users")
            )
        )

        actions, action_interactions = (
            datasets[kind].records.records("ALL") if kind in datasets else None
            for kind in ("Actions", "Action_Interactions")
        )

        def run() -> Apply:
            result: TrainingResult | ActionTrainingResult | SegmentTrainingResult
            try:
                if recipe_arn.endswith(f"/{NEXT_BEST_ACTION}"):
                    check_enough_interactions(snapshot.interactions)
                    result = train_next_best_action(actions, action_interactions)
                elif is_segmentation_recipe(recipe_arn):
                    result = train_segments(
                        snapshot,
                        recipe_arn,
                        event_type=options.get("event_type"),
                        event_value_threshold=options.get("event_value_threshold"),
                    )
                else:
                    result = train(snapshot, recipe_arn, **options)
            except ValueError as error:  # TrainingError, or a recipe the emulator cannot train
                raise CreationFailed(str(error)) from None
            interactions = (
                action_interactions if isinstance(result, ActionTrainingResult) else snapshot.interactions
            )
            latest = pc.max(interactions["TIMESTAMP"]).as_py() if interactions is not None else None

            def store() -> None:
                self.training = Training(result, latest)

            return store

        return run


def _event_value_threshold(solution_config: dict[str, Any] | None) -> float | None:
    threshold = (solution_config or {}).get("eventValueThreshold")
    return float(threshold) if threshold is not None else None


class SolutionVersion(_Trained):
    def prepare_work(self) -> Run:
        attributes = self.attributes
        mode = attributes["trainingMode"]
        previous = None
        if mode == "UPDATE":
            # CreateSolutionVersion's trainingMode (API reference): UPDATE only for a solution trained with
            # the User-Personalization recipe (or the legacy HRNN-Coldstart, which is not offered).
            if attributes["recipeArn"] != UPDATABLE_RECIPE:
                raise CreationFailed(
                    f"trainingMode UPDATE applies only to solutions of the User-Personalization recipe "
                    f"({UPDATABLE_RECIPE}), not {attributes['recipeArn']}."
                )
            solution = {"solutionArn": self.ancestors["solutionArn"]}
            earlier = [
                other
                for other in self.backend.live(KINDS["SolutionVersion"], solution)
                if other is not self
                and other.status == "ACTIVE"
                and isinstance(other, TrainedResource)
                and other.training is not None
            ]
            if not any(other.attributes["trainingMode"] == "FULL" for other in earlier):
                raise CreationFailed(
                    "trainingMode UPDATE needs an earlier ACTIVE solution version of this solution trained "
                    "with trainingMode FULL."
                )
            previous = earlier[0].training_result
        return self._training(
            attributes["recipeArn"],
            event_type=attributes.get("eventType"),
            event_value_threshold=_event_value_threshold(attributes.get("solutionConfig")),
            training_mode=mode,
            previous=previous,
        )


class Recommender(_Trained):
    def prepare_work(self) -> Run:
        use_case = self.attributes["recipeArn"].rsplit("/", 1)[-1]
        recipe, event_type = USE_CASE_RECIPES[use_case]
        return self._training(f"arn:aws:personalize:::recipe/{recipe}", event_type=event_type)


def _served(job: Resource) -> Served:
    version = job.backend.get(KINDS["SolutionVersion"], job.attributes["solutionVersionArn"])
    served = version.served() if isinstance(version, TrainedResource) else None
    if served is None:
        raise CreationFailed(f"The solution version {version.arn} has no trained model.")
    return served


def _job_filter(job: Resource, served: Served) -> Filter | None:
    """The job's filter, checked against what the job serves; None without one."""
    if not job.attributes.get("filterArn"):
        return None
    try:
        return applicable_filter(
            job.backend, job.attributes["filterArn"], served.group_arn, served.recipe_type
        )
    except FilterError as error:
        raise CreationFailed(str(error)) from None


def _line_filter(
    job: Resource, served: Served, parsed: Filter | None, request: FilterRequest
) -> serving.Allowed | None:
    return allowed_for(job.backend, parsed, served.group_arn, request) if parsed is not None else None


Serve = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class BatchInputQuotas:
    """The quotas a batch job's input is held to (``engine/quotas.py``); None: none of that kind."""

    max_bytes: int | None = None
    max_files: int | None = None
    max_queries_per_file: int | None = None


def _batch_job(job: Resource, serve: Serve, limits: BatchInputQuotas) -> Run:
    """Read JSON lines under jobInput, ``serve`` each, write ``<file name>.out`` per input file."""
    account = _account(job)
    label = job.kind.label

    def run() -> Apply:
        check_role(job.attributes["roleArn"])
        destination = job.attributes["jobOutput"]["s3DataDestination"]
        output, key_arn = destination["path"], _output_key(destination, job.attributes["roleArn"])
        objects = account.read_objects(job.attributes["jobInput"]["s3DataSource"]["path"], every_match=True)
        if limits.max_bytes is not None:
            check_input_size(objects, f"A {label}", limits.max_bytes, limits.max_files)
        outputs = {}
        for stored in objects:
            lines = [line for line in b"".join(stored.chunks).decode("utf-8").splitlines() if line.strip()]
            if limits.max_queries_per_file is not None and len(lines) > limits.max_queries_per_file:
                raise CreationFailed(
                    f"{stored.uri} has {len(lines)} queries; a {label} takes at most"
                    f" {limits.max_queries_per_file} per input file."
                )
            served = "".join(json.dumps(_serve_line(line, serve)) + "\n" for line in lines)
            outputs[f"{stored.uri.rsplit('/', 1)[-1]}.out"] = served.encode()

        def write() -> None:
            for name, content in outputs.items():
                account.write_object(output, name, content, key_arn)

        return write

    return run


def _serve_line(line: str, serve: Serve) -> dict[str, Any]:
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


class BatchInferenceJob(Resource):
    def prepare_work(self) -> Run:
        served = _served(self)
        if served.recipe_type == "USER_SEGMENTATION":
            raise CreationFailed(
                "A USER_SEGMENTATION solution version gives batch segment jobs, not batch inference."
            )
        parsed = _job_filter(self, served)
        num_results = self.attributes.get("numResults") or serving.DEFAULT_NUM_RESULTS

        def serve(request: dict[str, Any]) -> dict[str, Any]:
            filter_request = FilterRequest(
                request.get("userId"), request.get("itemId"), request.get("filterValues") or {}
            )
            query = serving.Query(
                user_id=request.get("userId"),
                item_id=request.get("itemId"),
                num_results=num_results,
                allowed=_line_filter(self, served, parsed, filter_request),
            )
            if served.recipe_type == "PERSONALIZED_RANKING":
                if query.user_id is None or not isinstance(request.get("itemList"), list):
                    raise ValueError(
                        "Each line needs a userId and an itemList for a PERSONALIZED_RANKING recipe."
                    )
                return serving.scored(serving.rank(served.items_model, query, request["itemList"]))
            return serving.scored(serving.recommend(served.items_model, served.recipe_type, query))

        limits = BatchInputQuotas(
            max_bytes=quotas.MAX_BATCH_INFERENCE_INPUT_BYTES, max_files=quotas.MAX_BATCH_INFERENCE_INPUT_FILES
        )
        return _batch_job(self, serve, limits)


class BatchSegmentJob(Resource):
    def prepare_work(self) -> Run:
        served = _served(self)
        if served.recipe_type != "USER_SEGMENTATION":
            raise CreationFailed("Batch segment jobs need a solution version of a USER_SEGMENTATION recipe.")
        parsed = _job_filter(self, served)
        num_results = self.attributes.get("numResults") or serving.DEFAULT_NUM_RESULTS
        model = served.segment_model

        def serve(request: dict[str, Any]) -> dict[str, Any]:
            allowed = _line_filter(
                self, served, parsed, FilterRequest(values=request.get("filterValues") or {})
            )
            return model.segment(request, num_results, allowed)

        version = self.backend.get(KINDS["SolutionVersion"], self.attributes["solutionVersionArn"])
        recipe = version.attributes["recipeArn"].rsplit("/", 1)[-1]
        limits = BatchInputQuotas(max_queries_per_file=quotas.MAX_BATCH_SEGMENT_QUERIES_PER_FILE.get(recipe))
        return _batch_job(self, serve, limits)
