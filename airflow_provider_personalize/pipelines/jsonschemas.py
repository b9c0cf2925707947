"""The JSON Schemas of the three config formats, built from botocore's model of the Personalize API.

Every member a config passes to the API (a solution's ``recipeArn``, a campaign's ``minProvisionedTPS``,
a ``solutionConfig`` to its deepest member) is described by the API's own shape: types, lengths, ranges,
enums, patterns, required members and the first sentence of AWS's documentation, so editors complete and
explain the config, and a config is checked as the service would check the requests, without loading
botocore's model while DAGs are parsed. The conveniences the operators accept are allowed too, from the
same rules as :mod:`airflow_provider_personalize.hooks.request_model`: an ``s3://`` URI where a structure
wraps one S3 location, tags as a mapping, an Avro schema as an object.

The schemas are files in the package (``pipelines/schemas/``), written by ``make schemas``
(``python -m airflow_provider_personalize.pipelines.jsonschemas``); a unit test checks they are current.

- ``personalize-pipeline.schema.json``: this provider's format (see the README), published for editors;
- ``mpeml.schema.json``: the config of AWS's solution "Maintaining Personalized Experiences with Machine
  Learning" (its ``Configuration`` class and README: ``serviceConfig`` / ``workflowConfig`` wrappers);
- ``cdk-pipeline.schema.json``: the input of aws-samples/automate-mlops-personalize-cdk-pipeline.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_provider_personalize.pipelines.model import AFTER_IMPORT
from airflow_provider_personalize.pipelines.validation import SCHEMA_DIRECTORY, SCHEMA_FILES

if TYPE_CHECKING:
    from botocore.model import ServiceModel, Shape

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_TYPES = {
    "integer": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "boolean": "boolean",
}
_SCHEDULE = {  # checked, with the reason for a refusal, by pipelines.schedules
    "type": "string",
    "description": "An EventBridge schedule expression, cron(min hour day-of-month month day-of-week year) "
    "or rate(n minutes|hours|days), run in UTC.",
}
_MAX_AGE = {
    "type": "string",
    "pattern": r"^[0-9]+ (second|minute|hour|day|week)s?$",
    "description": "How old an existing import or model may be and still be reused, e.g. '1 day'.",
}


class _Builder:
    """Turns API shapes into ``$defs`` (one per shape, named as botocore names it) and collects them."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self.defs: dict[str, Any] = {}

    def request(
        self,
        operation: str,
        *,
        filled: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
        extra: dict[str, Any] | None = None,
        extra_required: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """The members of ``operation``'s request a config gives: all but those the pipeline ``filled``;
        ``optional`` ones lose their required flag (the pipeline supplies a default); ``extra`` are the
        format's own members."""
        shape = self.model.operation_model(operation).input_shape
        properties = {
            member: self.member(member_shape)
            for member, member_shape in shape.members.items()
            if member not in filled
        }
        properties.update(extra or {})
        required = [m for m in shape.required_members if m not in filled and m not in optional]
        return _object(properties, [*required, *extra_required])

    def schedule(self) -> dict[str, Any]:
        """A reference to the EventBridge schedule expression, defined on first use."""
        self.defs["EventBridgeSchedule"] = _SCHEDULE
        return {"$ref": "#/$defs/EventBridgeSchedule"}

    def member(self, shape: Shape) -> dict[str, Any]:
        reference = {"$ref": f"#/$defs/{self.define(shape)}"}
        documentation = _first_sentence(shape.documentation)
        return {**reference, "description": documentation} if documentation else reference

    def define(self, shape: Shape) -> str:
        if shape.name not in self.defs:
            self.defs[shape.name] = {}  # reserved first, in case a shape refers to itself
            self.defs[shape.name] = self.shape_schema(shape)
        return shape.name

    def shape_schema(self, shape: Shape) -> dict[str, Any]:
        from airflow_provider_personalize.hooks import request_model

        if shape.type_name == "structure":
            members = {member: self.member(member_shape) for member, member_shape in shape.members.items()}
            structure = _object(members, list(shape.required_members))
            if request_model._s3_location_path(shape):  # the operators take the one S3 URI it wraps
                location = self.define(self.model.shape_for(request_model._S3_LOCATION_SHAPE))
                return {"anyOf": [{"$ref": f"#/$defs/{location}"}, structure]}
            return structure
        if shape.type_name == "list":
            items = {"type": "array", "items": self.member(shape.member), **_sizes(shape, "Items")}
            if shape.name == request_model._TAGS_SHAPE:  # or {key: value}
                return {"anyOf": [items, {"type": "object", "additionalProperties": {"type": "string"}}]}
            return items
        if shape.type_name == "map":
            return {
                "type": "object",
                "propertyNames": self.member(shape.key),
                "additionalProperties": self.member(shape.value),
                **_sizes(shape, "Properties"),
            }
        if shape.type_name == "string":
            text: dict[str, Any] = {"type": "string", **_sizes(shape, "Length")}
            if shape.enum:
                text["enum"] = list(shape.enum)
            pattern = _pattern(shape.metadata.get("pattern"))
            if pattern:
                text["pattern"] = pattern
            if shape.name in request_model._JSON_TEXT_SHAPES:  # the JSON text, or the object itself
                return {"anyOf": [text, {"type": "object"}]}
            return text
        schema: dict[str, Any] = {"type": _TYPES[shape.type_name]}
        if "min" in shape.metadata:
            schema["minimum"] = shape.metadata["min"]
        if "max" in shape.metadata:
            schema["maximum"] = shape.metadata["max"]
        return schema


def build_schemas(model: ServiceModel | None = None) -> dict[str, dict[str, Any]]:
    """The three formats' schemas, by format name (``personalize``, ``mpeml``, ``cdk``)."""
    if model is None:
        import botocore.session

        model = botocore.session.get_session().get_service_model("personalize")
    return {
        "personalize": _personalize(_Builder(model)),
        "mpeml": _mpeml(_Builder(model)),
        "cdk": _cdk(_Builder(model)),
    }


def _personalize(api: _Builder) -> dict[str, Any]:
    from airflow_provider_personalize.operators.personalize import METRIC_NAME, SOLUTION_METRICS

    schedule_or_import = {
        "anyOf": [api.schedule(), {"const": AFTER_IMPORT}],
        "description": f"An EventBridge schedule, or '{AFTER_IMPORT}': whenever a scheduled import succeeds.",
    }
    data_import = api.request(
        "CreateDatasetImportJob", filled=("jobName", "datasetArn"), optional=("roleArn",)
    )
    batch_job_extra = {
        "filterName": {
            **api.member(api.model.shape_for("Name")),
            "description": "The name of one of the config's filters (instead of filterArn).",
        },
        "schedule": api.schedule(),
    }

    def batch_job(operation: str) -> dict[str, Any]:
        return api.request(
            operation, filled=("solutionVersionArn", "jobName"), optional=("roleArn",), extra=batch_job_extra
        )

    solution = api.request(
        "CreateSolution",
        filled=("datasetGroupArn",),
        extra={
            "solutionVersion": api.request(
                "CreateSolutionVersion", filled=("solutionArn", "name", "trainingMode")
            ),
            "schedules": _object({"full": schedule_or_import, "update": schedule_or_import}),
            "metricsThresholds": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {
                    "pattern": f"^{METRIC_NAME.pattern}$",
                    "examples": sorted(SOLUTION_METRICS),
                },
                "additionalProperties": {"type": "number"},
                "description": "GetSolutionMetrics minimums a new model must meet before it is deployed.",
            },
            "maxMetricDrop": {
                "type": "number",
                "minimum": 0,
                "description": "How much lower than the deployed model's a retrained model's metrics may be.",
            },
            "campaigns": _array(api.request("CreateCampaign", filled=("solutionVersionArn",))),
            "batchInferenceJobs": _array(batch_job("CreateBatchInferenceJob")),
            "batchSegmentJobs": _array(batch_job("CreateBatchSegmentJob")),
        },
    )
    dataset = api.request(
        "CreateDataset",
        filled=("schemaArn", "datasetGroupArn"),
        extra={
            "schema": api.request("CreateSchema"),
            "import": data_import,
            "scheduledImport": data_import,
        },
        extra_required=("schema",),
    )
    root = _object(
        {
            "$schema": {"type": "string"},
            "datasetGroup": api.request("CreateDatasetGroup"),
            "roleArn": {
                **api.member(api.model.shape_for("RoleArn")),
                "description": "The role Personalize assumes to read and write S3, unless a job names one.",
            },
            "schedules": _object({"import": api.schedule()}),
            "datasets": _array(dataset),
            "eventTracker": api.request("CreateEventTracker", filled=("datasetGroupArn",)),
            "filters": _array(api.request("CreateFilter", filled=("datasetGroupArn",))),
            "solutions": _array(solution),
            "recommenders": _array(api.request("CreateRecommender", filled=("datasetGroupArn",))),
        },
        ["datasetGroup"],
    )
    return _document(
        "Amazon Personalize deployment (airflow-provider-personalize)",
        "One dataset group and everything in it, with its schedules: the DAGs of dags_from_config.",
        root,
        api.defs,
    )


def _mpeml(api: _Builder) -> dict[str, Any]:
    def service(request: dict[str, Any], **workflow: Any) -> dict[str, Any]:
        return _wrapped(request, **({"workflowConfig": _object(workflow)} if workflow else {}))

    group_filled = ("datasetGroupArn",)
    batch_filled = ("solutionVersionArn", "jobName", "roleArn", "jobInput", "jobOutput")
    batch_workflow = {"schedule": api.schedule(), "maxAge": _MAX_AGE}
    dataset = _object(
        {
            "dataset": service(
                api.request("CreateDataset", filled=(*group_filled, "schemaArn", "datasetType"))
            ),
            "schema": service(api.request("CreateSchema")),
        },
        ["dataset", "schema"],
    )
    imports = api.request("CreateDatasetImportJob", filled=("jobName", "datasetArn", "dataSource", "roleArn"))
    solution = _object(
        {
            "serviceConfig": api.request(
                "CreateSolution",
                filled=group_filled,
                extra={
                    "solutionVersion": api.request("CreateSolutionVersion", filled=("solutionArn", "name"))
                },
            ),
            "workflowConfig": _object(
                {
                    "schedules": _object(
                        {
                            "full": api.schedule(),
                            "update": api.schedule(),
                            "maxAge": _MAX_AGE,
                        }
                    )
                }
            ),
            "campaigns": _array(service(api.request("CreateCampaign", filled=("solutionVersionArn",)))),
            "batchInferenceJobs": _array(
                service(api.request("CreateBatchInferenceJob", filled=batch_filled), **batch_workflow)
            ),
            "batchSegmentJobs": _array(
                service(api.request("CreateBatchSegmentJob", filled=batch_filled), **batch_workflow)
            ),
        },
        ["serviceConfig"],
    )
    root = _object(
        {
            "tags": api.member(api.model.shape_for("Tags")),
            "datasetGroup": service(
                api.request("CreateDatasetGroup"),
                schedules=_object({"import": api.schedule()}),
                maxAge=_MAX_AGE,
            ),
            "datasets": _object(
                {
                    "serviceConfig": _object(
                        {
                            member: schema
                            for member, schema in imports["properties"].items()
                            if member in ("importMode", "publishAttributionMetricsToS3", "tags")
                        }
                    ),
                    "users": dataset,
                    "items": dataset,
                    "interactions": dataset,
                }
            ),
            "eventTracker": service(api.request("CreateEventTracker", filled=group_filled)),
            "filters": _array(service(api.request("CreateFilter", filled=group_filled))),
            "recommenders": _array(service(api.request("CreateRecommender", filled=group_filled))),
            "solutions": _array(solution),
        },
        ["datasetGroup"],
    )
    return _document(
        "Maintaining Personalized Experiences with Machine Learning: configuration",
        "The parameter file of AWS's MPEML solution (train/<dataset group>/config.json).",
        root,
        api.defs,
    )


def _cdk(api: _Builder) -> dict[str, Any]:
    group_filled = ("datasetGroupArn",)

    def flagged(request: dict[str, Any], flag: str | None = None) -> dict[str, Any]:
        return _wrapped(request, **({flag: {"type": "boolean"}} if flag else {}))

    dataset = _object(
        {
            "type": api.member(api.model.shape_for("DatasetType")),
            "schema": _object(
                {
                    "serviceConfig": api.request("CreateSchema"),
                    "schemaVersion": {"type": "string", "minLength": 1},
                },
                ["serviceConfig", "schemaVersion"],
            ),
            "dataset": flagged(
                api.request("CreateDataset", filled=(*group_filled, "schemaArn", "datasetType"))
            ),
            "datasetImportJob": flagged(
                api.request("CreateDatasetImportJob", filled=("datasetArn",)), "createNewJob"
            ),
        },
        ["type", "schema", "dataset"],
    )
    batch_optional = ("solutionVersionArn",)
    solution = _object(
        {
            "serviceConfig": api.request("CreateSolution", filled=group_filled),
            "solutionVersion": _object(
                {
                    "createNewSolutionVersion": {"type": "boolean"},
                    "serviceConfig": api.request("CreateSolutionVersion", filled=("solutionArn",)),
                }
            ),
            "campaigns": _array(
                _object(
                    {
                        "createCampaign": {"type": "boolean"},
                        "solutionversion": {"type": "string"},
                        "serviceConfig": api.request("CreateCampaign", optional=batch_optional),
                    },
                    ["serviceConfig"],
                )
            ),
            "batchInferenceJobs": _array(
                flagged(
                    api.request("CreateBatchInferenceJob", optional=batch_optional), "createBatchInferenceJob"
                )
            ),
            "batchSegmentJobs": _array(
                flagged(
                    api.request("CreateBatchSegmentJob", optional=batch_optional), "createBatchSegmentJob"
                )
            ),
        },
        ["serviceConfig"],
    )
    root = _object(
        {
            "preprocessing": _object(
                {"jobName": {"type": "string", "minLength": 1}, "run": {"type": "boolean"}}, ["jobName"]
            ),
            "datasetGroup": _object(
                {"serviceConfig": api.request("CreateDatasetGroup"), "datasets": _array(dataset)},
                ["serviceConfig"],
            ),
            "eventTracker": flagged(api.request("CreateEventTracker", filled=group_filled)),
            "filters": _array(flagged(api.request("CreateFilter", filled=group_filled))),
            "solutions": _array(solution),
            "recommenders": _array(
                flagged(api.request("CreateRecommender", filled=group_filled), "createRecommender")
            ),
        },
        ["datasetGroup"],
    )
    return _document(
        "automate-mlops-personalize-cdk-pipeline: state machine input",
        "The input configuration of aws-samples/automate-mlops-personalize-cdk-pipeline.",
        root,
        api.defs,
    )


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def _wrapped(request: dict[str, Any], **members: Any) -> dict[str, Any]:
    """A request's members in ``serviceConfig``, beside others: MPEML's and the CDK pipeline's shape."""
    return _object({"serviceConfig": request, **members}, ["serviceConfig"])


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _document(title: str, description: str, root: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": DRAFT,
        "title": title,
        "description": description,
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def _sizes(shape: Shape, noun: str) -> dict[str, int]:
    sizes = {}
    if "min" in shape.metadata:
        sizes[f"min{noun}"] = shape.metadata["min"]
    if "max" in shape.metadata:
        sizes[f"max{noun}"] = shape.metadata["max"]
    return sizes


# Unicode property classes of the model's tag patterns, widened to classes both Python's ``re`` and
# editors' ECMA-262 read; wider, never narrower, so that no config the service accepts is refused.
_PROPERTY_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\w", r"\p{Z}": r"\s"}


def _pattern(pattern: str | None) -> str | None:
    r"""The model's pattern, matched against the whole value as the service matches it (botocore's patterns
    carry no end anchor: ``^[a-zA-Z0-9][a-zA-Z0-9\-_]*`` would take ``"my shop"``), in a dialect both
    Python's ``re`` and editors' ECMA-262 read; None where that is impossible."""
    if not pattern:
        return None
    for property_class, widened in _PROPERTY_CLASSES.items():
        pattern = pattern.replace(property_class, widened)
    if r"\p{" in pattern or r"\P{" in pattern:
        return None
    try:
        re.compile(pattern)
    except re.error:
        return None
    return f"^(?:{pattern.removeprefix('^').removesuffix('$')})$"


def _first_sentence(documentation: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", documentation or ""))
    text = " ".join(text.split())
    sentence = re.match(r"(.+?\.)(\s|$)", text)
    return sentence[1] if sentence else text


def write_schemas(directory: Path = SCHEMA_DIRECTORY) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for format_name, schema in build_schemas().items():
        path = directory / SCHEMA_FILES[format_name]
        path.write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_schemas():
        print(written_path, file=sys.stderr)
