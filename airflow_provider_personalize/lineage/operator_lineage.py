"""The lineage of a create operator's task, read from the table of kinds: inputs, outputs and run facet.

What each event costs in Personalize requests (each counts against the account's API rate; OpenLineage
asks only when its provider is installed and enabled, and each Describe is sent at most once per event):

- start: none. The inputs and outputs the rendered request names (S3 locations, datasets, the model a
  batch job runs); not yet the datasets a job finds through its dataset group, nor schemas.
- complete: DescribeDataset and DescribeSchema per Personalize dataset, for its schema facet (a schema
  shared by datasets is described once); ListDatasets for a job that works on a dataset group's datasets;
  a Describe of the created resource only where the task did not wait for it (its status is then not
  known) or where its dataset group is read from it (a solution version).
- failure: as complete, and a Describe of the created resource, for its status and failureReason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from botocore import xform_name

from airflow_provider_personalize.lineage.naming import DatasetName, arn_dataset_name, s3_dataset_name
from airflow_provider_personalize.resources import DATASET, SCHEMA, DataMovement, ResourceKind
from airflow_provider_personalize.waits import outcome

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage
    from openlineage.client.event_v2 import Dataset

    from airflow_provider_personalize.hooks.personalize import PersonalizeHook

Moment = Literal["start", "complete", "failure"]


class CreateTask(Protocol):
    """What lineage reads of a create operator (``operators._base.CreateTask``), named
    here so that lineage, which the operators import, does not import them back."""

    resource_kind: ClassVar[ResourceKind]
    resource_arn: str | None
    deferrable: bool
    wait_for_completion: bool

    @property
    def hook(self) -> PersonalizeHook: ...

    def request_arguments(self) -> dict[str, Any]: ...


# Lineage never sends the Create request: a name is only needed for the request to be checked whole.
_UNSENT_NAME = "lineage"


def operator_lineage(operator: CreateTask, moment: Moment) -> OperatorLineage | None:
    """The task's lineage at ``moment``; None when OpenLineage's provider is not installed."""
    try:
        from airflow.providers.openlineage.extractors import OperatorLineage
    except ImportError:
        return None
    from airflow_provider_personalize.lineage.facets import PersonalizeRunFacet

    kind = operator.resource_kind
    request = _rendered_request(operator)
    reader = None if moment == "start" else _Reader(operator.hook)
    arn = operator.resource_arn
    description = _description(operator, moment, request, reader)
    status, failure_reason = _state(operator, moment, description)
    moves = kind.moves or DataMovement()
    inputs, outputs = _datasets(moves, request, description, reader, arn)
    run_facet = PersonalizeRunFacet(
        resourceType=kind.noun,
        arn=arn,
        status=status,
        failureReason=failure_reason,
        solutionVersionArn=request.get(moves.model_input) if moves.model_input else None,
    )
    run_facets: dict[str, Any] = {"personalize": run_facet}
    ended = outcome(kind, arn, description) if arn and description else None
    if ended and ended["status"] == "failure":
        from openlineage.client.facet_v2 import error_message_run

        # Airflow's listener replaces it with the task's exception, which says the same for a failed resource.
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=ended["message"], programmingLanguage="python"
        )
    return OperatorLineage(inputs=inputs, outputs=outputs, run_facets=run_facets)


def _rendered_request(operator: CreateTask) -> dict[str, Any]:
    """The Create request the rendered arguments make ({} if they are invalid: the task fails on them)."""
    from airflow_provider_personalize.hooks.request_model import InvalidRequestError, build_request

    kind = operator.resource_kind
    arguments = operator.request_arguments()
    name_keyword = xform_name(kind.name_member)
    arguments[name_keyword] = arguments.get(name_keyword) or _UNSENT_NAME
    try:
        return build_request(kind.create_method, arguments)
    except InvalidRequestError:
        return {}


def _waited(operator: CreateTask) -> bool:
    return bool(operator.deferrable or operator.wait_for_completion)


def _description(
    operator: CreateTask,
    moment: Moment,
    request: Mapping[str, Any],
    reader: _Reader | None,
) -> dict[str, Any]:
    """The created resource's Describe body, when this moment needs it and the resource exists; else {}."""
    kind = operator.resource_kind
    if reader is None or not operator.resource_arn:
        return {}
    group = kind.moves.group_datasets if kind.moves else None
    status_unknown = moment == "failure" or (kind.lifecycle is not None and not _waited(operator))
    group_unknown = group is not None and group.group_member not in request
    if not (status_unknown or group_unknown):
        return {}
    return reader.describe(kind, operator.resource_arn) or {}


def _state(
    operator: CreateTask, moment: Moment, description: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """The resource's status and failureReason, as far as known without another request."""
    kind = operator.resource_kind
    if description:
        return kind.status_of(description) or None, kind.failure_reason_of(description)
    if moment == "complete" and kind.lifecycle and _waited(operator) and len(kind.lifecycle.success) == 1:
        # The task waited until the resource succeeded: its status is the success status.
        (status,) = kind.lifecycle.success
        return status, None
    return None, None


def _datasets(
    moves: DataMovement,
    request: Mapping[str, Any],
    description: Mapping[str, Any],
    reader: _Reader | None,
    arn: str | None,
) -> tuple[list[Dataset], list[Dataset]]:
    """The inputs and outputs of the movement, named; Personalize datasets with their schema once read."""
    inputs = [_s3(location) for location in _locations(request, moves.s3_inputs)]
    outputs = [_s3(location) for location in _locations(request, moves.s3_outputs)]
    inputs += [_personalize_dataset(request[m], reader) for m in moves.dataset_inputs if request.get(m)]
    outputs += [_personalize_dataset(request[m], reader) for m in moves.dataset_outputs if request.get(m)]
    if moves.model_input and request.get(moves.model_input):
        inputs.append(_named(arn_dataset_name(request[moves.model_input])))
    group = moves.group_datasets
    group_arn = (request.get(group.group_member) or description.get(group.group_member)) if group else None
    if group and group_arn and reader:
        for dataset_arn in reader.group_dataset_arns(group_arn, group.types):
            inputs.append(_personalize_dataset(dataset_arn, reader))
            if group.written:
                outputs.append(_personalize_dataset(dataset_arn, reader))
    if moves.model_output and arn and reader:
        outputs.append(_named(arn_dataset_name(arn)))
    return inputs, outputs


def _locations(request: Mapping[str, Any], paths: tuple[tuple[str, ...], ...]) -> list[str]:
    """The S3 URIs at ``paths`` in the request (a path the request leaves out is skipped)."""
    found = []
    for path in paths:
        value: Any = request
        for member in path:
            value = value.get(member) if isinstance(value, Mapping) else None
        if isinstance(value, str):
            found.append(value)
    return found


def _named(name: DatasetName, facets: Mapping[str, Any] | None = None) -> Dataset:
    from openlineage.client.event_v2 import Dataset

    return Dataset(namespace=name.namespace, name=name.name, facets=dict(facets or {}))


def _s3(uri: str) -> Dataset:
    return _named(s3_dataset_name(uri))


def _personalize_dataset(dataset_arn: str, reader: _Reader | None) -> Dataset:
    schema = reader.schema_facet(dataset_arn) if reader else None
    return _named(arn_dataset_name(dataset_arn), {"schema": schema} if schema else None)


class _Reader:
    """What lineage reads from Personalize for one event, each resource at most once."""

    def __init__(self, hook: PersonalizeHook) -> None:
        self.hook = hook
        self.described: dict[str, dict[str, Any] | None] = {}

    def describe(self, kind: ResourceKind, arn: str) -> dict[str, Any] | None:
        if arn not in self.described:
            self.described[arn] = self.hook.describe_if_exists(kind, arn)
        return self.described[arn]

    def group_dataset_arns(self, group_arn: str, types: frozenset[str] | None) -> list[str]:
        """The group's datasets (of ``types``, lower case, if given), by ARN (ListDatasets)."""
        return sorted(
            summary[DATASET.arn_member]
            for summary in self.hook.list_summaries(DATASET, group_arn)
            if types is None or str(summary.get("datasetType", "")).lower() in types
        )

    def schema_facet(self, dataset_arn: str) -> Any:
        """The schema facet of a dataset's Avro schema (DescribeDataset, DescribeSchema); None if gone."""
        from airflow_provider_personalize.lineage.facets import avro_schema_facet

        dataset = self.describe(DATASET, dataset_arn)
        schema = self.describe(SCHEMA, dataset[SCHEMA.arn_member]) if dataset else None
        return avro_schema_facet(schema["schema"]) if schema else None
