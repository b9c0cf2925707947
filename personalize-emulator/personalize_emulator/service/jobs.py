"""The resources that do data work: jobs, solution versions and recommenders (how, see ``work.py``).

What each kind does, and the texts it fails with:

- DatasetImportJob reads ``dataSource.dataLocation``: one object, or every ``.csv`` object under a folder
  (a location ending in ``/``), streamed from moto's S3, checked against the dataset's schema
  (:func:`..engine.datafiles.read_import_data`, whose failure texts are AWS's where AWS publishes them). FULL
  replaces the bulk data, INCREMENTAL upserts; an INCREMENTAL first import fails.
- With ``publishAttributionMetricsToS3``, an Interactions import also writes its metric attribution report
  (``engine/attribution.py``) to the group's metric attribution's ``metricsOutputConfig.s3DataDestination``
  ("Publishing metrics to Amazon S3").
- DatasetExportJob writes one CSV file with a header, ``<path><jobName>/<jobName>_part_00000.csv`` (AWS does
  not document its file names; ours are documented here), of the BULK, PUT or ALL records.
- DataDeletionJob reads the USER_ID CSV at ``dataSource.dataLocation``, removes those users' records from
  every dataset of the group, bulk and PUT, and reports how many of them had data as ``numDeleted``.
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
  recommendations and user segments"); one that does not fit the job fails it.

S3 and IAM: ``storage.py``. An import without a roleArn is not checked against IAM (AWS then relies on the
bucket policy, which moto does not enforce).
"""

import json
import time
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..engine import serving
from ..engine.actions import ActionTrainingResult, train_next_best_action
from ..engine.attribution import AttributionError, attribution_report, report_name
from ..engine.datafiles import read_deletion_user_ids, read_import_data
from ..engine.datastore import delete_users, training_snapshot
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
    group_datasets,
)
from .schemas import dataset_type_key
from .storage import Account, check_role
from .work import Apply, Run

NEXT_BEST_ACTION = "aws-next-best-action"
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


class DatasetImportJob(Resource):
    def prepare_work(self) -> Run:
        records = _dataset(self).records
        mode = self.attributes["importMode"]
        problem = records.import_mode_problem(mode)
        if problem:
            raise CreationFailed(problem)
        location, role_arn = self.attributes["dataSource"]["dataLocation"], self.attributes.get("roleArn")
        account = _account(self)
        publish = self._attribution_publisher()

        def run() -> Apply:
            if role_arn:
                check_role(role_arn)
            table = read_import_data(account.read_objects(location, suffix=".csv"), records.schema)
            if publish is not None:
                publish(table)

            def apply() -> None:
                with RECORD_WRITES:
                    records.apply_import(table, mode)

            return apply

        return run

    def _attribution_publisher(self) -> Callable[[pa.Table], None] | None:
        """With publishAttributionMetricsToS3, for an Interactions import into a group whose metric
        attribution has an S3 destination: what writes the import's report there (its role, its key)."""
        dataset = _dataset(self)
        if (
            not self.attributes.get("publishAttributionMetricsToS3")
            or dataset_type_key(dataset.attributes["datasetType"]) != "Interactions"
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

        def publish(table: pa.Table) -> None:
            check_role(output["roleArn"])
            key_arn = _output_key(destination, output["roleArn"])
            try:
                report = attribution_report(table, items, metrics)
            except AttributionError as error:
                raise CreationFailed(str(error)) from None
            account.write_object(destination["path"], report_name(mode, int(time.time())), report, key_arn)

        return publish


class DatasetExportJob(Resource):
    def prepare_work(self) -> Run:
        records = _dataset(self).records
        name = self.attributes["jobName"]
        account = _account(self)

        def run() -> Apply:
            check_role(self.attributes["roleArn"])
            destination = self.attributes["jobOutput"]["s3DataDestination"]
            key_arn = _output_key(destination, self.attributes["roleArn"])
            csv = b"".join(records.export_csv(self.attributes["ingestionMode"]))
            account.write_object(destination["path"], f"{name}/{name}_part_00000.csv", csv, key_arn)
            return lambda: None

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
            user_ids = read_deletion_user_ids(
                account.read_objects(self.attributes["dataSource"]["dataLocation"])
            )

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
            if not isinstance(previous, TrainingResult):
                raise CreationFailed(f"trainingMode UPDATE does not apply to {attributes['recipeArn']}.")
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


def _batch_job(job: Resource, serve: Serve) -> Run:
    """Read JSON lines under jobInput, ``serve`` each, write ``<file name>.out`` per input file."""
    account = _account(job)

    def run() -> Apply:
        check_role(job.attributes["roleArn"])
        destination = job.attributes["jobOutput"]["s3DataDestination"]
        output, key_arn = destination["path"], _output_key(destination, job.attributes["roleArn"])
        input_path = job.attributes["jobInput"]["s3DataSource"]["path"]
        for uri, chunks in account.read_objects(input_path, every_match=True):
            lines = b"".join(chunks).decode("utf-8").splitlines()
            served = [_serve_line(line, serve) for line in lines if line.strip()]
            content = "".join(json.dumps(line) + "\n" for line in served).encode()
            account.write_object(output, f"{uri.rsplit('/', 1)[-1]}.out", content, key_arn)
        return lambda: None

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

        return _batch_job(self, serve)


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

        return _batch_job(self, serve)
