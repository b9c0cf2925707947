"""Operators that create Amazon Personalize resources, all on one create-and-wait machine.

:class:`PersonalizeCreateResourceOperator` is the machine (see its docstring); every other class here is
a typed declaration of one Create request: its keyword arguments are the API's members in snake_case
(``dataSource`` -> ``data_source``), so the AWS API reference is the operator reference.

DAG-parse cost: this module imports only Airflow, the amazon provider's base classes and the table of
resource kinds. botocore's service model is loaded, and the trigger imported, when a task runs.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils import validate_execute_complete_event
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    AirflowSkipException,
    conf,
)
from botocore.exceptions import ClientError

from airflow_provider_personalize.hooks.personalize import (
    PersonalizeHook,
    PersonalizeResourceFailedError,
    arn_from_trigger_event,
    error_code,
)
from airflow_provider_personalize.links.personalize import PersonalizeResourceLink
from airflow_provider_personalize.resources import (
    DELETION_STATUSES,
    ResourceKind,
    deletion_order,
    get_kind,
    held_kinds,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

S3Uri = str
"""An ``s3://bucket/key`` URI, or the API's structure around it."""
Tags = Mapping[str, str] | list[dict[str, str]]
"""Tags as ``{key: value}`` or the API's ``[{"tagKey": ..., "tagValue": ...}]``."""

# Personalize names: ^[a-zA-Z0-9][a-zA-Z0-9\-_]*, 1..63 characters.
_NAME_MAX_LENGTH = 63
_NAME_FORBIDDEN = re.compile(r"[^a-zA-Z0-9\-_]+")
_NAME_HASH_LENGTH = 8


def run_scoped_name(context: Context) -> str:
    """A Personalize name unique to this task in this run: ``<dag>-<task>-<logical date>[-<map index>]``.

    A retry or a rerun of the same run gets the same name (and so finds the resource its first try
    created); a new run gets a new one. Runs without a logical date use the run id. Characters the API
    refuses become ``-``; a name longer than 63 characters is cut and ends with a hash of the whole, so
    that two long names differing only at the end stay distinct.
    """
    task_instance = context["ti"]
    logical_date = context.get("logical_date")
    run_part = (
        logical_date.astimezone(UTC).strftime("%Y%m%dT%H%M%S") if logical_date else task_instance.run_id
    )
    parts = [task_instance.dag_id, task_instance.task_id, run_part]
    map_index = getattr(task_instance, "map_index", -1)
    if map_index is not None and map_index >= 0:
        parts.append(str(map_index))
    whole = "-".join(parts)
    name = _NAME_FORBIDDEN.sub("-", whole).lstrip("-_") or "airflow"
    if len(name) > _NAME_MAX_LENGTH:
        digest = hashlib.sha256(whole.encode()).hexdigest()[:_NAME_HASH_LENGTH]
        name = f"{name[: _NAME_MAX_LENGTH - _NAME_HASH_LENGTH - 1]}-{digest}"
    return name


def resource_trigger(
    task: Any, kind: ResourceKind, arn: str, waiter_delay: int, waiter_max_attempts: int
) -> PersonalizeResourceTrigger:
    """The trigger that waits for ``arn`` with ``task``'s AWS connection (imported only when deferring).

    The trigger's polls back off, so ``waiter_max_attempts`` of them would outlast the same wait in the
    worker several times over; its ``timeout`` keeps the worker's budget, ``waiter_delay`` times
    ``waiter_max_attempts``, so that a wait lasts as long whichever way it is done.
    """
    from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

    return PersonalizeResourceTrigger(
        kind=kind.key,
        arn=arn,
        waiter_delay=waiter_delay,
        waiter_max_attempts=waiter_max_attempts,
        timeout=waiter_delay * waiter_max_attempts if waiter_delay > 0 else None,
        aws_conn_id=task.aws_conn_id,
        region_name=task.region_name,
        verify=task.verify,
        botocore_config=task.botocore_config,
    )


class PersonalizeRequestOperator(AwsBaseOperator[PersonalizeHook]):
    """
    What the create and update machines share: a request declared by keywords, and a wait for its outcome.

    A subclass declares its request: ``resource_kind`` (a key of the table of kinds) and an ``__init__``
    whose keyword-only parameters are the API members in snake_case, handed on as
    ``request_arguments=locals()`` (the base keeps exactly the declared keywords, so the signature is the
    one place a request's members are listed). Those parameters become template fields.

    :param wait_for_completion: Whether to wait for the outcome. (default: True)
    :param waiter_delay: Seconds between status checks. (default: the resource kind's, suited to how long
        the service takes)
    :param waiter_max_attempts: Maximum number of status checks. (default: the kind's, comfortably above
        the service's longest documented duration)
    :param deferrable: If True, wait in the triggerer instead of the worker; this implies waiting.
        (default: False, but can be overridden in config file by setting default_deferrable to True)
    :param aws_conn_id: The Airflow connection used for AWS credentials.
        If this is ``None`` or empty then the default boto3 behaviour is used. If
        running Airflow in a distributed manner and aws_conn_id is None or
        empty, then default boto3 configuration would be used (and must be
        maintained on each worker node).
    :param region_name: AWS region_name. If not specified then the default boto3 behaviour is used.
    :param verify: Whether or not to verify SSL certificates. See:
        https://boto3.amazonaws.com/v1/documentation/api/latest/reference/core/session.html
    :param botocore_config: Configuration dictionary (key-values) for botocore client. See:
        https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html
    """

    aws_hook_class = PersonalizeHook
    operator_extra_links = (PersonalizeResourceLink(),)
    ui_color = "#66c3ff"

    resource_kind: ClassVar[str]
    request_parameters: ClassVar[tuple[str, ...]] = ()
    template_fields: Sequence[str] = aws_template_fields()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A class naming its kind declares a request; the machines in between take request_arguments.
        if "resource_kind" in vars(cls):
            own_parameters = inspect.signature(cls.__init__).parameters.values()
            cls.request_parameters = tuple(
                parameter.name for parameter in own_parameters if parameter.kind is parameter.KEYWORD_ONLY
            )
            cls.template_fields = aws_template_fields(*cls.request_parameters)

    def __init__(
        self,
        *,
        request_arguments: Mapping[str, Any],
        wait_for_completion: bool = True,
        waiter_delay: int | None = None,
        waiter_max_attempts: int | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        kind = get_kind(self.resource_kind)
        for parameter in self.request_parameters:
            setattr(self, parameter, request_arguments[parameter])
        self.wait_for_completion = wait_for_completion
        self.waiter_delay = kind.waiter_delay if waiter_delay is None else waiter_delay
        self.waiter_max_attempts = (
            kind.waiter_max_attempts if waiter_max_attempts is None else waiter_max_attempts
        )
        self.deferrable = deferrable

    @property
    def kind(self) -> ResourceKind:
        return get_kind(self.resource_kind)

    def request_arguments(self) -> dict[str, Any]:
        """The declared request's arguments, by keyword, as rendered."""
        return {parameter: getattr(self, parameter) for parameter in self.request_parameters}

    def persist_link(self, context: Context, arn: str) -> None:
        PersonalizeResourceLink.persist(
            context=context,
            operator=self,
            region_name=self.hook.conn_region_name,
            aws_partition=self.hook.conn_partition,
            resource_arn=arn,
        )

    def wait_as_configured(self, arn: str, **resume_kwargs: Any) -> None:
        """Wait for ``arn`` in the triggerer (``deferrable``), in the worker, or not at all.

        After a deferred wait, the task resumes in ``execute_complete(context, event, **resume_kwargs)``.
        """
        kind = self.kind
        if self.deferrable:
            self.log.info("Deferring until Personalize %s %s is done", kind.label, arn)
            self.defer(
                trigger=resource_trigger(self, kind, arn, self.waiter_delay, self.waiter_max_attempts),
                method_name="execute_complete",
                kwargs=resume_kwargs or None,
            )
        if self.wait_for_completion:
            self.hook.wait(
                kind.key, arn, waiter_delay=self.waiter_delay, waiter_max_attempts=self.waiter_max_attempts
            )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> str:
        return arn_from_trigger_event(event)


class PersonalizeCreateResourceOperator(PersonalizeRequestOperator):
    """
    Create an Amazon Personalize resource and wait for it: the machine behind every create operator.

    1. Validate (after rendering, before any request): every argument is checked against botocore's
       model of the Create request (required members, lengths, enums, patterns, S3 URIs, nested
       structures); a bad value fails the task with a message naming its keyword, and nothing is sent.
    2. Create, idempotently: when the service answers ``ResourceAlreadyExistsException`` the resource is
       looked up by name under its parent and, with ``if_exists="reuse"``, adopted: one that succeeded is
       the result, one in progress is waited for, one that failed fails the task with its failureReason.
       Jobs and solution versions are named after the run when no name is given
       (:func:`run_scoped_name`), so a retry or rerun of a run adopts its own job and never duplicates it.
    3. Wait: not at all (``wait_for_completion=False``), in the worker, or in the triggerer
       (``deferrable=True``); a failure status raises with the ARN, the status and the failureReason.
    4. Return the ARN (the XCom value, so ``task.output`` chains tasks) and persist the console link.

    A subclass declares its request as :class:`PersonalizeRequestOperator` says.

    :param if_exists: What to do when a resource of that name already exists: ``"reuse"`` (default)
        adopts it, ``"fail"`` fails the task.

    Also takes the arguments of :class:`PersonalizeRequestOperator` (the wait, the AWS connection).
    """

    def __init__(
        self,
        *,
        request_arguments: Mapping[str, Any],
        if_exists: Literal["reuse", "fail"] = "reuse",
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=request_arguments, **kwargs)
        if if_exists not in ("reuse", "fail"):
            raise ValueError(f"if_exists must be 'reuse' or 'fail', not {if_exists!r}")
        self.if_exists = if_exists
        self.resource_arn: str | None = None

    def build_request(self, context: Context) -> dict[str, Any]:
        """The Create request from the rendered arguments; raises, naming the keyword, if one is invalid."""
        from botocore import xform_name

        from airflow_provider_personalize.hooks.request_model import build_request

        arguments = self.request_arguments()
        name_keyword = xform_name(self.kind.name_member)
        if self.kind.named_per_run and not arguments.get(name_keyword):
            arguments[name_keyword] = run_scoped_name(context)
        return build_request(self.kind.create_method, arguments)

    def execute(self, context: Context) -> str:
        request = self.build_request(context)
        arn, settled = self.create_or_adopt(request)
        self.resource_arn = arn
        self.persist_link(context, arn)
        if settled or self.kind.lifecycle is None:
            return arn
        self.wait_as_configured(arn)
        return arn

    def create_or_adopt(self, request: dict[str, Any]) -> tuple[str, bool]:
        """Create the resource, or adopt the one of that name; return its ARN and whether it is done."""
        kind = self.kind
        name = request[kind.name_member]
        parent_arn = request.get(kind.parent_member) if kind.parent_member else None
        if not kind.create_refuses_duplicates:
            existing = self.hook.find_by_name(kind.key, name, parent_arn)
            if existing is not None:
                return self.adopt(name, existing)
        try:
            arn = self.hook.create(kind.key, request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                raise
            existing = self.hook.find_by_name(kind.key, name, parent_arn)
            if existing is None:
                where = f" under {parent_arn}" if parent_arn else ""
                raise AirflowException(
                    f"Personalize says {kind.label} {name!r} already exists, but none of that name exists"
                    f"{where}: choose another name"
                ) from error
            return self.adopt(name, existing)
        self.log.info("Created Personalize %s %s", kind.label, arn)
        return arn, False

    def adopt(self, name: str, existing: dict[str, Any]) -> tuple[str, bool]:
        """Reuse an existing resource of that name (or refuse, with ``if_exists="fail"``)."""
        kind = self.kind
        arn = existing[kind.arn_member]
        if self.if_exists == "fail":
            raise AirflowException(
                f"Personalize {kind.label} {name!r} already exists: {arn} (if_exists='fail')"
            )
        status = kind.status_of(existing) or "none"
        self.log.info(
            "Personalize %s %r already exists: reusing %s (status %s)", kind.label, name, arn, status
        )
        return arn, self.hook.is_settled(kind.key, arn, existing)

    def on_kill(self) -> None:
        """Stop the creation this task started, where the service allows it (solution versions)."""
        if self.resource_arn and self.kind.stop_method:
            self.log.info("Stopping the creation of Personalize %s %s", self.kind.label, self.resource_arn)
            self.hook.stop_creation(self.kind.key, self.resource_arn)


class PersonalizeCreateDatasetGroupOperator(PersonalizeCreateResourceOperator):
    """
    Create a dataset group, the container of a use case's datasets, models and campaigns.

    :param name: The dataset group's name. (templated)
    :param role_arn: IAM role with access to the KMS key; only with ``kms_key_arn``. (templated)
    :param kms_key_arn: KMS key that encrypts the datasets. (templated)
    :param domain: ``ECOMMERCE`` or ``VIDEO_ON_DEMAND`` for a domain dataset group (recommenders);
        omit for a custom one (solutions and campaigns). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "dataset_group"

    def __init__(
        self,
        *,
        name: str,
        role_arn: str | None = None,
        kms_key_arn: str | None = None,
        domain: str | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateSchemaOperator(PersonalizeCreateResourceOperator):
    """
    Create a schema: the Avro record that describes a dataset's columns.

    :param name: The schema's name. (templated)
    :param schema: The Avro schema, as JSON text or as a dict. (templated)
    :param domain: ``ECOMMERCE`` or ``VIDEO_ON_DEMAND`` for a domain dataset group's dataset. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    A schema is created at once: there is nothing to wait for.
    """

    resource_kind = "schema"
    template_fields_renderers: ClassVar[dict[str, str]] = {"schema": "json"}

    def __init__(
        self,
        *,
        name: str,
        schema: str | dict[str, Any],
        domain: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateDatasetOperator(PersonalizeCreateResourceOperator):
    """
    Create an empty dataset of one type in a dataset group.

    :param name: The dataset's name. (templated)
    :param schema_arn: ARN of the schema of its columns. (templated)
    :param dataset_group_arn: ARN of the dataset group it belongs to. (templated)
    :param dataset_type: ``Interactions``, ``Items``, ``Users``, ``Actions`` or ``Action_Interactions``.
        (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "dataset"

    def __init__(
        self,
        *,
        name: str,
        schema_arn: str,
        dataset_group_arn: str,
        dataset_type: str,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateDatasetImportJobOperator(PersonalizeCreateResourceOperator):
    """
    Import CSV data from S3 into a dataset.

    :param dataset_arn: ARN of the dataset to fill. (templated)
    :param data_source: The CSV file or folder (a prefix ending in ``/``), as an ``s3://`` URI or the
        API's ``{"dataLocation": ...}``. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date, so that a
        retry or rerun of a run reuses its job and a new run imports anew) (templated)
    :param role_arn: IAM role Personalize assumes to read the bucket. (templated)
    :param import_mode: ``FULL`` (replace the bulk data; the first import must be FULL) or
        ``INCREMENTAL`` (append, replacing records with the same id). (templated)
    :param publish_attribution_metrics_to_s3: Publish the metrics of the dataset group's metric
        attribution to S3. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "dataset_import_job"

    def __init__(
        self,
        *,
        dataset_arn: str,
        data_source: S3Uri | dict[str, Any],
        job_name: str | None = None,
        role_arn: str | None = None,
        import_mode: str | None = None,
        publish_attribution_metrics_to_s3: bool | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateDatasetExportJobOperator(PersonalizeCreateResourceOperator):
    """
    Export a dataset's records to S3 as CSV files.

    :param dataset_arn: ARN of the dataset to export. (templated)
    :param role_arn: IAM role Personalize assumes to write the bucket. (templated)
    :param job_output: Where to write, as an ``s3://`` URI (a prefix) or the API's
        ``{"s3DataDestination": {"path": ..., "kmsKeyArn": ...}}``. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date) (templated)
    :param ingestion_mode: ``BULK`` (imported data), ``PUT`` (data sent record by record; the service's
        default) or ``ALL``. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "dataset_export_job"

    def __init__(
        self,
        *,
        dataset_arn: str,
        role_arn: str,
        job_output: S3Uri | dict[str, Any],
        job_name: str | None = None,
        ingestion_mode: str | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateDataDeletionJobOperator(PersonalizeCreateResourceOperator):
    """
    Delete users' data from every dataset of a dataset group (a CSV of USER_IDs in S3).

    The service can take up to a day; the default wait allows for that.

    :param dataset_group_arn: ARN of the dataset group. (templated)
    :param data_source: The CSV with a single USER_ID column, as an ``s3://`` URI or the API's
        ``{"dataLocation": ...}``. (templated)
    :param role_arn: IAM role Personalize assumes to read the bucket. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date) (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "data_deletion_job"

    def __init__(
        self,
        *,
        dataset_group_arn: str,
        data_source: S3Uri | dict[str, Any],
        role_arn: str,
        job_name: str | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateSolutionOperator(PersonalizeCreateResourceOperator):
    """
    Create a solution: the recipe and configuration that solution versions are trained with.

    .. warning::
        ``perform_auto_training`` defaults to True *in the service*: unless it is set to False, Personalize
        trains a new solution version every 7 days (``solution_config.autoTrainingConfig``), and each
        training is billed. A pipeline that trains on its own schedule usually wants False.

    :param name: The solution's name. (templated)
    :param dataset_group_arn: ARN of the dataset group to train on. (templated)
    :param recipe_arn: ARN of the recipe (e.g. ``arn:aws:personalize:::recipe/aws-user-personalization``).
        (templated)
    :param perform_auto_training: Whether the service retrains automatically. (the service's default: True,
        see the warning above) (templated)
    :param perform_hpo: Whether to tune the recipe's hyperparameters. (templated)
    :param perform_auto_ml: Whether to choose the recipe automatically (deprecated by AWS). (templated)
    :param perform_incremental_update: Whether to update the model incrementally with new data. (templated)
    :param event_type: Train only on interactions of this event type. (templated)
    :param solution_config: The API's SolutionConfig (hyperparameters, training config, ...). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "solution"
    template_fields_renderers: ClassVar[dict[str, str]] = {"solution_config": "json"}

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        recipe_arn: str | None = None,
        perform_auto_training: bool | None = None,
        perform_hpo: bool | None = None,
        perform_auto_ml: bool | None = None,
        perform_incremental_update: bool | None = None,
        event_type: str | None = None,
        solution_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateSolutionVersionOperator(PersonalizeCreateResourceOperator):
    """
    Train a solution version (a model). Training takes from tens of minutes to hours.

    The default wait polls every minute for up to a day; in deferrable mode the triggerer waits
    instead of a worker. Killing the task (in blocking mode) stops the training
    (StopSolutionVersionCreation), so a cancelled run does not keep paying for it.

    :param solution_arn: ARN of the solution to train. (templated)
    :param name: The version's name. (default: derived from the DAG, task and logical date, so that a
        retry or rerun of a run reuses its training and a new run trains anew) (templated)
    :param training_mode: ``FULL`` (train on all data), ``UPDATE`` (update the model with new items and
        interactions) or ``AUTOTRAIN``. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "solution_version"

    def __init__(
        self,
        *,
        solution_arn: str,
        name: str | None = None,
        training_mode: str | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateCampaignOperator(PersonalizeCreateResourceOperator):
    """
    Deploy a solution version as a campaign that serves real-time recommendations.

    :param name: The campaign's name. (templated)
    :param solution_version_arn: ARN of the solution version to serve. (templated)
    :param min_provisioned_tps: Transactions per second always provisioned (and billed). (templated)
    :param campaign_config: The API's CampaignConfig (item exploration, metadata, auto-sync). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "campaign"

    def __init__(
        self,
        *,
        name: str,
        solution_version_arn: str,
        min_provisioned_tps: int | None = None,
        campaign_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateBatchInferenceJobOperator(PersonalizeCreateResourceOperator):
    """
    Score users (or items) in batch with a solution version: JSON lines in, JSON lines out, in S3.

    :param solution_version_arn: ARN of the solution version. (templated)
    :param job_input: The input file, as an ``s3://`` URI or the API's ``{"s3DataSource": {...}}``.
        (templated)
    :param job_output: The output prefix, as an ``s3://`` URI or the API's
        ``{"s3DataDestination": {...}}``. (templated)
    :param role_arn: IAM role Personalize assumes to read and write the buckets. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date) (templated)
    :param filter_arn: ARN of a filter applied to the recommendations. (templated)
    :param num_results: Recommendations per input line. (templated)
    :param batch_inference_job_config: The API's BatchInferenceJobConfig. (templated)
    :param batch_inference_job_mode: ``BATCH_INFERENCE`` or ``THEME_GENERATION``. (templated)
    :param theme_generation_config: The API's ThemeGenerationConfig (with THEME_GENERATION). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "batch_inference_job"

    def __init__(
        self,
        *,
        solution_version_arn: str,
        job_input: S3Uri | dict[str, Any],
        job_output: S3Uri | dict[str, Any],
        role_arn: str,
        job_name: str | None = None,
        filter_arn: str | None = None,
        num_results: int | None = None,
        batch_inference_job_config: dict[str, Any] | None = None,
        batch_inference_job_mode: str | None = None,
        theme_generation_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateBatchSegmentJobOperator(PersonalizeCreateResourceOperator):
    """
    Find, in batch, the users most likely to interact with given items (user segments).

    :param solution_version_arn: ARN of a solution version trained with an item-affinity or
        item-attribute-affinity recipe. (templated)
    :param job_input: The input file, as an ``s3://`` URI or the API's ``{"s3DataSource": {...}}``.
        (templated)
    :param job_output: The output prefix, as an ``s3://`` URI or the API's
        ``{"s3DataDestination": {...}}``. (templated)
    :param role_arn: IAM role Personalize assumes to read and write the buckets. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date) (templated)
    :param filter_arn: ARN of a filter applied to the segments. (templated)
    :param num_results: Users per segment. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "batch_segment_job"

    def __init__(
        self,
        *,
        solution_version_arn: str,
        job_input: S3Uri | dict[str, Any],
        job_output: S3Uri | dict[str, Any],
        role_arn: str,
        job_name: str | None = None,
        filter_arn: str | None = None,
        num_results: int | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateRecommenderOperator(PersonalizeCreateResourceOperator):
    """
    Create a recommender for a use case of a domain dataset group (training and serving in one).

    :param name: The recommender's name. (templated)
    :param dataset_group_arn: ARN of a domain dataset group. (templated)
    :param recipe_arn: ARN of the use case's recipe (e.g.
        ``arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you``). (templated)
    :param recommender_config: The API's RecommenderConfig. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "recommender"

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        recipe_arn: str,
        recommender_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateFilterOperator(PersonalizeCreateResourceOperator):
    """
    Create a filter that includes or excludes items or users from recommendations.

    :param name: The filter's name. (templated)
    :param dataset_group_arn: ARN of the dataset group. (templated)
    :param filter_expression: The filter, e.g.
        ``EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")``. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "filter"

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        filter_expression: str,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateEventTrackerOperator(PersonalizeCreateResourceOperator):
    """
    Create the event tracker that receives a dataset group's real-time events (PutEvents).

    :param name: The event tracker's name. (templated)
    :param dataset_group_arn: ARN of the dataset group (one event tracker per group). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "event_tracker"

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeCreateMetricAttributionOperator(PersonalizeCreateResourceOperator):
    """
    Create a metric attribution: reports on the events that recommendations drive.

    :param name: The metric attribution's name. (templated)
    :param dataset_group_arn: ARN of the dataset group. (templated)
    :param metrics: The API's list of ``{"eventType", "metricName", "expression"}``. (templated)
    :param metrics_output_config: The API's MetricAttributionOutput (``roleArn`` and an optional
        ``s3DataDestination``). (templated)

    Also takes the arguments of :class:`PersonalizeCreateResourceOperator`; returns the ARN.
    """

    resource_kind = "metric_attribution"

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        metrics: list[dict[str, str]],
        metrics_output_config: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


def settings_include(actual: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether every member of ``wanted`` has the same value in ``actual``, nested mappings member by member.

    The service fills in defaults (a campaign's ``campaignConfig`` gains the members it was not given), so
    a resource matches a request when it holds everything the request asks for, whatever else it holds.
    """
    for member, value in wanted.items():
        current = actual.get(member)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            if not settings_include(current, value):
                return False
        elif current != value:
            return False
    return True


class PersonalizeUpdateResourceOperator(PersonalizeRequestOperator):
    """
    Update an Amazon Personalize resource and wait for the update: the machine behind the update operators.

    1. Validate (after rendering, before any request) every argument against botocore's model of the
       Update request; a bad value fails the task with a message naming its keyword.
    2. Bring the resource to the requested settings, retry-safe:

       - an update towards these settings already in progress (this task's first try) is waited for, not
         sent again;
       - an update towards other settings in progress is waited for first, however it ends (the service
         refuses a second update meanwhile), then this one is considered anew;
       - a resource that already has the requested settings is left alone: no request is sent (logged);
       - otherwise the update is sent.
    3. Wait for the resource's latest update (``latestCampaignUpdate``, ...): not at all
       (``wait_for_completion=False``), in the worker, or in the triggerer (``deferrable=True``), with the
       update pseudo-kind's trigger (``campaign_update``); a failed update raises with its failureReason.
    4. Return the resource's ARN (the update keeps it).

    A subclass declares its request as :class:`PersonalizeRequestOperator` says, with an update pseudo-kind
    as ``resource_kind``; the operator takes that class's arguments (the wait, the AWS connection).
    """

    def build_request(self) -> dict[str, Any]:
        """The Update request from the rendered arguments; raises, naming the keyword, if one is invalid."""
        from airflow_provider_personalize.hooks.request_model import build_request

        method = self.kind.update_method
        if method is None:
            raise TypeError(
                f"{type(self).__name__}.resource_kind must be an update kind: {self.resource_kind!r}"
            )
        return build_request(method, self.request_arguments())

    def execute(self, context: Context) -> str:
        kind = self.kind
        request = self.build_request()
        arn = request[kind.arn_member]
        wanted = {member: value for member, value in request.items() if member != kind.arn_member}
        self.persist_link(context, arn)
        description = self.hook.describe(kind.key, arn)
        latest_update = kind.latest_update_of(description)
        if kind.lifecycle and kind.lifecycle.is_in_progress(kind.status_of(description)):
            if settings_include(latest_update, wanted):
                self.log.info("An update of %s to these settings is already in progress: waiting for it", arn)
                self.wait_as_configured(arn)
                return arn
            self.log.info("%s has another update in progress: waiting for it before sending this one", arn)
            self.wait_for_other_update(arn)
            return self.execute(context)
        if settings_include(self.current_settings(description), wanted):
            self.log.info("%s already has the requested settings: nothing to update", arn)
            return arn
        self.hook.update(kind.key, request)
        self.log.info("Updating Personalize %s: %s", arn, wanted)
        self.wait_as_configured(arn)
        return arn

    def current_settings(self, description: dict[str, Any]) -> dict[str, Any]:
        """The resource's settings: its Describe members, and those of its latest update if that succeeded.

        The latest update is read too because some of its members are not the resource's
        (a solution's ``solutionUpdateConfig``).
        """
        kind = self.kind
        latest_update = kind.latest_update_of(description)
        if kind.lifecycle and kind.lifecycle.is_success(kind.status_of(description)):
            return {**description, **latest_update}
        return description

    def wait_for_other_update(self, arn: str) -> None:
        """Wait for an update this task did not ask for; how it ends does not matter."""
        if self.deferrable:
            self.wait_as_configured(arn, update_next=True)  # resumes in execute_complete
        try:
            self.hook.wait(
                self.kind.key,
                arn,
                waiter_delay=self.waiter_delay,
                waiter_max_attempts=self.waiter_max_attempts,
            )
        except PersonalizeResourceFailedError as failure:
            self.log.info("That update ended in %s", failure.status)

    def execute_complete(
        self, context: Context, event: dict[str, Any] | None = None, update_next: bool = False
    ) -> str:
        if not update_next:
            return arn_from_trigger_event(event)
        validate_execute_complete_event(event)  # another update ended, however: now this one
        return self.execute(context)


class PersonalizeUpdateCampaignOperator(PersonalizeUpdateResourceOperator):
    """
    Deploy a solution version to a campaign (or change its capacity or configuration), then wait.

    Waits for the campaign's ``latestCampaignUpdate``; the campaign keeps serving its current version until
    the update is active. A campaign already serving that version with those settings is left alone (no
    request, logged), and a retry while this task's update is in progress waits for it instead of sending
    another: see :class:`PersonalizeUpdateResourceOperator`.

    :param campaign_arn: ARN of the campaign. (templated)
    :param solution_version_arn: ARN of the solution version to serve, a version of the campaign's
        solution. (templated)
    :param min_provisioned_tps: Transactions per second always provisioned (and billed). (templated)
    :param campaign_config: The API's CampaignConfig (item exploration, metadata, auto-sync). (templated)

    Also takes the arguments of :class:`PersonalizeUpdateResourceOperator`; returns the campaign ARN.
    """

    resource_kind = "campaign_update"

    def __init__(
        self,
        *,
        campaign_arn: str,
        solution_version_arn: str | None = None,
        min_provisioned_tps: int | None = None,
        campaign_config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


class PersonalizeUpdateSolutionOperator(PersonalizeUpdateResourceOperator):
    """
    Change a solution's automatic training or incremental updates, then wait for ``latestSolutionUpdate``.

    A solution that already has those settings is left alone, and a retry waits for its own update in
    progress: see :class:`PersonalizeUpdateResourceOperator`.

    :param solution_arn: ARN of the solution. (templated)
    :param perform_auto_training: Whether the service trains a new version automatically (every 7 days
        unless ``solution_update_config.autoTrainingConfig`` says otherwise; each training is billed).
        (templated)
    :param perform_incremental_update: Whether the model is updated incrementally with new data.
        (templated)
    :param solution_update_config: The API's SolutionUpdateConfig (``autoTrainingConfig``,
        ``eventsConfig``). (templated)

    Also takes the arguments of :class:`PersonalizeUpdateResourceOperator`; returns the solution ARN.
    """

    resource_kind = "solution_update"

    def __init__(
        self,
        *,
        solution_arn: str,
        perform_auto_training: bool | None = None,
        perform_incremental_update: bool | None = None,
        solution_update_config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(request_arguments=locals(), **kwargs)


# The offline metrics GetSolutionMetrics reports, all "higher is better"; average_rewards_at_k only for a
# solution with an optimization objective.
SOLUTION_METRICS = frozenset(
    {
        "coverage",
        "mean_reciprocal_rank_at_25",
        "normalized_discounted_cumulative_gain_at_5",
        "normalized_discounted_cumulative_gain_at_10",
        "normalized_discounted_cumulative_gain_at_25",
        "precision_at_5",
        "precision_at_10",
        "precision_at_25",
        "average_rewards_at_k",
    }
)


def parse_thresholds(thresholds: Mapping[str, Any] | str) -> dict[str, float]:
    """``{metric: minimum}`` from a mapping or its text (a template rendered without native objects).

    Raises ValueError naming ``thresholds`` for anything but known metric names with numeric minimums.
    """
    if isinstance(thresholds, str):
        thresholds = _literal(thresholds)
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise ValueError(f"thresholds: expected a non-empty {{metric: minimum}} mapping, got {thresholds!r}")
    unknown = sorted(set(thresholds) - SOLUTION_METRICS)
    if unknown:
        known = ", ".join(sorted(SOLUTION_METRICS))
        raise ValueError(f"thresholds: unknown metric(s) {', '.join(unknown)}; known: {known}")
    return {
        metric: parse_number(minimum, f"thresholds[{metric!r}]") for metric, minimum in thresholds.items()
    }


def _literal(text: str) -> Any:
    """The value written as JSON, or as Python: how Jinja renders a dict without native rendering."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ValueError(f"thresholds: not a mapping nor its JSON text: {text!r}") from None


def parse_number(value: Any, parameter: str) -> float:
    """A number, or its text (a template rendered without native objects); ValueError naming ``parameter``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{parameter}: expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{parameter}: expected a number, got {value!r}") from None


@dataclass(frozen=True)
class MetricCheck:
    """One metric of a candidate solution version against its bar."""

    metric: str
    value: float | None  # None when GetSolutionMetrics does not report it
    minimum: float
    live: float | None = None  # the campaign's current version's value, when compared

    def required(self, tolerance: float) -> float:
        """The bar: the minimum, raised to the live value less the tolerance when compared."""
        return self.minimum if self.live is None else max(self.minimum, self.live - tolerance)

    def passes(self, tolerance: float) -> bool:
        return self.value is not None and self.value >= self.required(tolerance)


def metrics_table(checks: Sequence[MetricCheck], tolerance: float, compared: bool) -> str:
    """A plain-text table: metric, value, required (, live), and a mark on the rows below the bar."""
    header = ["metric", "value", "required"] + (["live"] if compared else []) + [""]
    rows = [header]
    for check in checks:
        row = [check.metric, _number(check.value), _number(check.required(tolerance))]
        if compared:
            row.append(_number(check.live))
        row.append("" if check.passes(tolerance) else "<- below")
        rows.append(row)
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def _number(value: float | None) -> str:
    return "not reported" if value is None else f"{value:.4f}"


class PersonalizeSolutionMetricsCheckOperator(AwsBaseOperator[PersonalizeHook]):
    """
    Gate a trained solution version on its offline metrics (GetSolutionMetrics) before it is deployed.

    Every metric in ``thresholds`` must reach its minimum. With ``compare_to_campaign_arn``, the candidate
    must also not be worse, by more than ``tolerance`` (absolute), than the version that campaign serves
    now, on each of those metrics (a campaign already serving the candidate passes that comparison
    trivially; a metric the live version does not report is held to its minimum only). All metrics are
    higher-is-better.

    Below the bar the task fails with a table of metric / value / required (/ live); with
    ``soft_fail=True`` it is skipped instead, so that a downstream deploy (default trigger rule) is skipped
    and the campaign keeps serving what it serves. Returns the candidate's metrics dict (XCom).

    :param solution_version_arn: ARN of the candidate solution version. (templated)
    :param thresholds: ``{metric: minimum}``, e.g. ``{"normalized_discounted_cumulative_gain_at_10": 0.2}``;
        a mapping, or its JSON text, or the text Jinja renders a dict as without native rendering.
        (templated)
    :param compare_to_campaign_arn: ARN of the campaign whose current version the candidate must not be
        worse than. (templated)
    :param tolerance: How much worse than the live version a metric may be, absolute; a number or numeric
        text. (default: 0.0) (templated)
    :param soft_fail: Skip the task, rather than fail it, when the candidate is below the bar.
    :param aws_conn_id: The Airflow connection used for AWS credentials.
        If this is ``None`` or empty then the default boto3 behaviour is used. If
        running Airflow in a distributed manner and aws_conn_id is None or
        empty, then default boto3 configuration would be used (and must be
        maintained on each worker node).
    :param region_name: AWS region_name. If not specified then the default boto3 behaviour is used.
    :param verify: Whether or not to verify SSL certificates. See:
        https://boto3.amazonaws.com/v1/documentation/api/latest/reference/core/session.html
    :param botocore_config: Configuration dictionary (key-values) for botocore client. See:
        https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html
    """

    aws_hook_class = PersonalizeHook
    operator_extra_links = (PersonalizeResourceLink(),)
    ui_color = "#66c3ff"
    template_fields: Sequence[str] = aws_template_fields(
        "solution_version_arn", "thresholds", "compare_to_campaign_arn", "tolerance"
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"thresholds": "json"}

    def __init__(
        self,
        *,
        solution_version_arn: str,
        thresholds: Mapping[str, float] | str,
        compare_to_campaign_arn: str | None = None,
        tolerance: float | str = 0.0,
        soft_fail: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.solution_version_arn = solution_version_arn
        self.thresholds = thresholds
        self.compare_to_campaign_arn = compare_to_campaign_arn
        self.tolerance = tolerance
        self.soft_fail = soft_fail

    def execute(self, context: Context) -> dict[str, float]:
        from airflow_provider_personalize.hooks.request_model import build_request

        thresholds = parse_thresholds(self.thresholds)
        tolerance = parse_number(self.tolerance, "tolerance")
        if tolerance < 0:
            raise ValueError(f"tolerance: must be >= 0, got {tolerance}")
        build_request("get_solution_metrics", {"solution_version_arn": self.solution_version_arn})
        if self.compare_to_campaign_arn:
            build_request("describe_campaign", {"campaign_arn": self.compare_to_campaign_arn})
        PersonalizeResourceLink.persist(
            context=context,
            operator=self,
            region_name=self.hook.conn_region_name,
            aws_partition=self.hook.conn_partition,
            resource_arn=self.solution_version_arn,
        )

        metrics = self.hook.solution_metrics(self.solution_version_arn)
        self.log.info("Metrics of %s: %s", self.solution_version_arn, metrics)
        live = self.live_metrics()
        checks = [
            MetricCheck(metric, metrics.get(metric), minimum, None if live is None else live.get(metric))
            for metric, minimum in thresholds.items()
        ]
        table = metrics_table(checks, tolerance, compared=live is not None)
        if all(check.passes(tolerance) for check in checks):
            self.log.info("%s meets the bar:\n%s", self.solution_version_arn, table)
            return metrics
        message = f"Solution version {self.solution_version_arn} is below the bar:\n{table}"
        if self.soft_fail:
            raise AirflowSkipException(message)
        raise AirflowFailException(message)

    def live_metrics(self) -> dict[str, float] | None:
        """The metrics of the version the campaign serves now; None when there is nothing to compare."""
        if not self.compare_to_campaign_arn:
            return None
        campaign_kind = get_kind("campaign")
        campaign = self.hook.describe(campaign_kind.key, self.compare_to_campaign_arn)
        live_version_arn = campaign[get_kind("solution_version").arn_member]
        if live_version_arn == self.solution_version_arn:
            self.log.info("%s already serves it: nothing to compare", self.compare_to_campaign_arn)
            return None
        live = self.hook.solution_metrics(live_version_arn)
        self.log.info("%s serves %s, with metrics %s", self.compare_to_campaign_arn, live_version_arn, live)
        return live


class PersonalizeDeletionOperator(AwsBaseOperator[PersonalizeHook]):
    """
    What the delete operators share: delete resources, idempotently, and wait until they are gone.

    Deletes are asynchronous (DELETE PENDING > DELETE IN_PROGRESS, then the resource is gone). A resource
    already gone is success; one already being deleted is waited for; one still being created (or
    updated) is waited for first, however its creation ends, because the service refuses to delete it
    meanwhile. The waits run in the worker: deletions take minutes, and a teardown's stages must follow
    each other, so these operators do not defer.

    :param waiter_delay: Seconds between status checks. (default: each kind's)
    :param waiter_max_attempts: Maximum number of status checks per wait. (default: each kind's)
    :param aws_conn_id: The Airflow connection used for AWS credentials.
        If this is ``None`` or empty then the default boto3 behaviour is used. If
        running Airflow in a distributed manner and aws_conn_id is None or
        empty, then default boto3 configuration would be used (and must be
        maintained on each worker node).
    :param region_name: AWS region_name. If not specified then the default boto3 behaviour is used.
    :param verify: Whether or not to verify SSL certificates. See:
        https://boto3.amazonaws.com/v1/documentation/api/latest/reference/core/session.html
    :param botocore_config: Configuration dictionary (key-values) for botocore client. See:
        https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html
    """

    aws_hook_class = PersonalizeHook
    ui_color = "#66c3ff"

    def __init__(
        self, *, waiter_delay: int | None = None, waiter_max_attempts: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.waiter_delay = waiter_delay
        self.waiter_max_attempts = waiter_max_attempts

    def wait_settings(self, kind: ResourceKind) -> dict[str, int]:
        return {
            "waiter_delay": kind.waiter_delay if self.waiter_delay is None else self.waiter_delay,
            "waiter_max_attempts": (
                kind.waiter_max_attempts if self.waiter_max_attempts is None else self.waiter_max_attempts
            ),
        }

    def settle(self, kind: ResourceKind, arn: str) -> None:
        """Wait until the resource is no longer in progress, whether it succeeds or fails."""
        try:
            self.hook.wait(kind.key, arn, **self.wait_settings(kind))
        except PersonalizeResourceFailedError as failure:
            self.log.info("Personalize %s %s ended in %s", kind.label, arn, failure.status)

    def start_deletion(self, kind: ResourceKind, resource: dict[str, Any]) -> str | None:
        """Ask for the deletion of ``resource`` (its Describe body or list summary); None if already gone."""
        arn = resource[kind.arn_member]
        status = kind.status_of(resource)
        if status in DELETION_STATUSES:
            self.log.info("Personalize %s %s is already being deleted", kind.label, arn)
            return arn
        if kind.lifecycle and kind.lifecycle.is_in_progress(status):
            self.settle(kind, arn)
        if not self.hook.delete(kind.key, arn):
            self.log.info("Personalize %s %s is already gone", kind.label, arn)
            return None
        self.log.info("Deleting Personalize %s %s", kind.label, arn)
        return arn

    def delete_all(self, kind: ResourceKind, resources: Sequence[dict[str, Any]]) -> list[str]:
        """Delete ``resources`` of one kind and wait until all are gone; return the ARNs deleted.

        Every deletion is asked for before any is waited for, so that the service runs them together.
        """
        deleted = [arn for resource in resources if (arn := self.start_deletion(kind, resource))]
        if kind.lifecycle:  # schemas go at once
            for arn in deleted:
                self.hook.wait_until_deleted(kind.key, arn, **self.wait_settings(kind))
        return deleted


class PersonalizeDeleteResourceOperator(PersonalizeDeletionOperator):
    """
    Delete one Amazon Personalize resource and wait until it is gone.

    A resource already gone is success. The service refuses to delete a resource that still holds others
    (``ResourceInUseException``: a dataset group with datasets, a solution with campaigns): delete those
    first, or the whole group with :class:`PersonalizeDeleteDatasetGroupOperator`. See
    :class:`PersonalizeDeletionOperator` for the waits.

    :param kind: The resource kind, a key of :mod:`airflow_provider_personalize.resources` that can be
        deleted: ``"campaign"``, ``"solution"``, ``"filter"``, ``"dataset"``, ``"schema"``, ...
    :param arn: The resource's ARN. (templated)

    Returns the ARN.
    """

    template_fields: Sequence[str] = aws_template_fields("arn")

    def __init__(self, *, kind: str, arn: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if get_kind(kind).delete_method is None:
            raise ValueError(f"A Personalize {get_kind(kind).label} cannot be deleted")
        self.kind = kind
        self.arn = arn

    def execute(self, context: Context) -> str:
        kind = get_kind(self.kind)
        resource = self.hook.describe_if_exists(kind.key, self.arn)
        if resource is None:
            self.log.info("Personalize %s %s does not exist: nothing to delete", kind.label, self.arn)
        else:
            self.delete_all(kind, [resource])
        return self.arn


class PersonalizeDeleteDatasetGroupOperator(PersonalizeDeletionOperator):
    """
    Delete a dataset group and everything in it, in the order the service requires.

    1. Settle the work in progress, which blocks deletions: trainings (solution versions) are stopped with
       StopSolutionVersionCreation, since their result is about to be deleted; running jobs (imports,
       exports, data deletions, batch jobs) are waited for, since they cannot be stopped.
    2. Delete, one stage after the other, each stage's deletions together and waited for until gone:
       recommenders, campaigns (of the group's solutions), solutions, event trackers, filters, metric
       attributions, datasets, then the group (the order and what a group holds come from the table of
       kinds, :func:`airflow_provider_personalize.resources.deletion_order`); jobs and solution versions
       go with what holds them.
    3. With ``delete_schemas``, delete the schemas the group's datasets used, except those another dataset
       still uses (the service refuses; they are kept, logged). Schemas are found through the datasets:
       a retry after the datasets are gone no longer finds them.

    Idempotent: what is already gone is skipped, a group that does not exist is success (logged), and a
    retry or rerun finishes what a first try left. Waits in the worker only (see
    :class:`PersonalizeDeletionOperator`); ``waiter_delay`` and ``waiter_max_attempts`` apply to each wait.

    :param dataset_group_arn: ARN of the dataset group; give this or ``dataset_group_name``. (templated)
    :param dataset_group_name: Name of the dataset group. (templated)
    :param delete_schemas: Also delete the schemas of the group's datasets. (default: False)

    Returns what it deleted, as ``{kind: [ARN, ...]}`` (``"campaign"``, ..., ``"dataset_group"``,
    ``"schema"``), and logs a summary.
    """

    template_fields: Sequence[str] = aws_template_fields("dataset_group_arn", "dataset_group_name")

    def __init__(
        self,
        *,
        dataset_group_arn: str | None = None,
        dataset_group_name: str | None = None,
        delete_schemas: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (dataset_group_arn is None) == (dataset_group_name is None):
            raise ValueError("Give exactly one of dataset_group_arn and dataset_group_name")
        self.dataset_group_arn = dataset_group_arn
        self.dataset_group_name = dataset_group_name
        self.delete_schemas = delete_schemas

    def execute(self, context: Context) -> dict[str, list[str]]:
        group_kind = get_kind("dataset_group")
        group = self.find_group()
        if group is None:
            self.log.info(
                "Personalize dataset group %s does not exist: nothing to delete",
                self.dataset_group_arn or self.dataset_group_name,
            )
            return {}
        group_arn = group[group_kind.arn_member]
        held = self.list_held(group_arn)
        schema_arns = self.schemas_used(held["dataset"]) if self.delete_schemas else []
        self.settle_running_work(held)
        deleted = {kind.key: self.delete_all(kind, held[kind.key]) for kind in deletion_order(group_kind.key)}
        deleted[group_kind.key] = self.delete_all(group_kind, [group])
        deleted["schema"] = self.delete_unused_schemas(schema_arns)
        report = {key: arns for key, arns in deleted.items() if arns}
        summary = ", ".join(f"{get_kind(key).label}: {len(arns)}" for key, arns in report.items())
        self.log.info("Deleted from Personalize dataset group %s: %s", group_arn, summary or "nothing")
        return report

    def find_group(self) -> dict[str, Any] | None:
        if self.dataset_group_arn:
            from airflow_provider_personalize.hooks.request_model import build_request

            build_request("describe_dataset_group", {"dataset_group_arn": self.dataset_group_arn})
            return self.hook.describe_if_exists("dataset_group", self.dataset_group_arn)
        return self.hook.find_by_name("dataset_group", str(self.dataset_group_name))

    def list_held(self, group_arn: str) -> dict[str, list[dict[str, Any]]]:
        """Every resource the group holds, by kind, as list summaries (which carry ARN and status)."""
        group_kind = get_kind("dataset_group")
        held: dict[str, list[dict[str, Any]]] = {group_kind.key: [{group_kind.arn_member: group_arn}]}
        for kind in held_kinds(group_kind.key):
            holder = get_kind(str(kind.contained_in))
            held[kind.key] = [
                summary
                for holder_summary in held[holder.key]
                for summary in self.hook.list_summaries(kind.key, holder_summary[holder.arn_member])
            ]
        return held

    def settle_running_work(self, held: Mapping[str, list[dict[str, Any]]]) -> None:
        """Stop the trainings and wait for the jobs in progress: while they run, they block deletions."""
        running = [
            (kind, summary[kind.arn_member])
            for kind in held_kinds("dataset_group")
            if not kind.delete_method and kind.lifecycle
            for summary in held[kind.key]
            if kind.lifecycle.is_in_progress(kind.status_of(summary))
        ]
        for kind, arn in running:
            if kind.stop_method:
                self.stop(kind, arn)
        for kind, arn in running:
            self.settle(kind, arn)

    def stop(self, kind: ResourceKind, arn: str) -> None:
        self.log.info("Stopping Personalize %s %s", kind.label, arn)
        try:
            self.hook.stop_creation(kind.key, arn)
        except ClientError as error:
            # Already stopping, or done in the meantime: either way it is settling.
            if error_code(error) != "ResourceInUseException":
                raise

    def schemas_used(self, datasets: Sequence[Mapping[str, Any]]) -> list[str]:
        dataset_kind, schema_kind = get_kind("dataset"), get_kind("schema")
        described = (
            self.hook.describe_if_exists(dataset_kind.key, d[dataset_kind.arn_member]) for d in datasets
        )
        return sorted({dataset[schema_kind.arn_member] for dataset in described if dataset})

    def delete_unused_schemas(self, schema_arns: Sequence[str]) -> list[str]:
        """Delete the schemas no dataset uses any more; the service refuses the others, which are kept."""
        schema_kind = get_kind("schema")
        deleted = []
        for arn in schema_arns:
            try:
                deleted += self.delete_all(schema_kind, [{schema_kind.arn_member: arn}])
            except ClientError as error:
                if error_code(error) != "ResourceInUseException":
                    raise
                self.log.info("Keeping Personalize schema %s: another dataset uses it", arn)
        return deleted
