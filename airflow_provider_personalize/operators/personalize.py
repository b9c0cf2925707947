"""Operators that create Amazon Personalize resources, all on one create-and-wait machine.

:class:`PersonalizeCreateResourceOperator` is the machine (see its docstring); every other class here is
a typed declaration of one Create request: its keyword arguments are the API's members in snake_case
(``dataSource`` -> ``data_source``), so the AWS API reference is the operator reference.

DAG-parse cost: this module imports only Airflow, the amazon provider's base classes and the table of
resource kinds. botocore's service model is loaded, and the trigger imported, when a task runs.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.providers.common.compat.sdk import AirflowException, conf
from botocore.exceptions import ClientError

from airflow_provider_personalize.hooks.personalize import PersonalizeHook, arn_from_trigger_event
from airflow_provider_personalize.links.personalize import PersonalizeResourceLink
from airflow_provider_personalize.resources import ResourceKind, get_kind

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
    """The trigger that waits for ``arn`` with ``task``'s AWS connection (imported only when deferring)."""
    from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

    return PersonalizeResourceTrigger(
        kind=kind.key,
        arn=arn,
        waiter_delay=waiter_delay,
        waiter_max_attempts=waiter_max_attempts,
        aws_conn_id=task.aws_conn_id,
        region_name=task.region_name,
        verify=task.verify,
        botocore_config=task.botocore_config,
    )


class PersonalizeCreateResourceOperator(AwsBaseOperator[PersonalizeHook]):
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

    A subclass declares its request: ``resource_kind`` (a key of the table of kinds) and an ``__init__``
    whose keyword-only parameters are the API members in snake_case, passed on as ``request_arguments``.
    Those parameters become template fields.

    :param if_exists: What to do when a resource of that name already exists: ``"reuse"`` (default)
        adopts it, ``"fail"`` fails the task.
    :param wait_for_completion: Whether to wait for the resource to become active. (default: True)
    :param waiter_delay: Seconds between status checks. (default: the resource kind's, suited to how long
        the service takes to create it)
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
        own_parameters = inspect.signature(cls.__init__).parameters.values()
        declared = tuple(
            parameter.name for parameter in own_parameters if parameter.kind is parameter.KEYWORD_ONLY
        )
        if declared:
            cls.request_parameters = declared
            cls.template_fields = aws_template_fields(*declared)

    def __init__(
        self,
        *,
        request_arguments: Mapping[str, Any],
        if_exists: Literal["reuse", "fail"] = "reuse",
        wait_for_completion: bool = True,
        waiter_delay: int | None = None,
        waiter_max_attempts: int | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if if_exists not in ("reuse", "fail"):
            raise ValueError(f"if_exists must be 'reuse' or 'fail', not {if_exists!r}")
        kind = get_kind(self.resource_kind)
        for parameter, value in request_arguments.items():
            setattr(self, parameter, value)
        self.if_exists = if_exists
        self.wait_for_completion = wait_for_completion
        self.waiter_delay = kind.waiter_delay if waiter_delay is None else waiter_delay
        self.waiter_max_attempts = (
            kind.waiter_max_attempts if waiter_max_attempts is None else waiter_max_attempts
        )
        self.deferrable = deferrable
        self.resource_arn: str | None = None

    @property
    def kind(self) -> ResourceKind:
        return get_kind(self.resource_kind)

    def build_request(self, context: Context) -> dict[str, Any]:
        """The Create request from the rendered arguments; raises, naming the keyword, if one is invalid."""
        from botocore import xform_name

        from airflow_provider_personalize.hooks.request_model import build_request

        arguments = {parameter: getattr(self, parameter) for parameter in self.request_parameters}
        name_keyword = xform_name(self.kind.name_member)
        if self.kind.named_per_run and not arguments.get(name_keyword):
            arguments[name_keyword] = run_scoped_name(context)
        return build_request(self.kind.create_method, arguments)

    def execute(self, context: Context) -> str:
        request = self.build_request(context)
        arn, settled = self.create_or_adopt(request)
        self.resource_arn = arn
        PersonalizeResourceLink.persist(
            context=context,
            operator=self,
            region_name=self.hook.conn_region_name,
            aws_partition=self.hook.conn_partition,
            resource_arn=arn,
        )
        if settled or self.kind.lifecycle is None:
            return arn
        if self.deferrable:
            self.log.info("Deferring until Personalize %s %s is done", self.kind.label, arn)
            self.defer(
                trigger=resource_trigger(self, self.kind, arn, self.waiter_delay, self.waiter_max_attempts),
                method_name="execute_complete",
            )
        if self.wait_for_completion:
            self.hook.wait(
                self.kind.key,
                arn,
                waiter_delay=self.waiter_delay,
                waiter_max_attempts=self.waiter_max_attempts,
            )
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

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> str:
        return arn_from_trigger_event(event)

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
        super().__init__(
            request_arguments={
                "name": name,
                "role_arn": role_arn,
                "kms_key_arn": kms_key_arn,
                "domain": domain,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(request_arguments={"name": name, "schema": schema, "domain": domain}, **kwargs)


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
        super().__init__(
            request_arguments={
                "name": name,
                "schema_arn": schema_arn,
                "dataset_group_arn": dataset_group_arn,
                "dataset_type": dataset_type,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "dataset_arn": dataset_arn,
                "data_source": data_source,
                "job_name": job_name,
                "role_arn": role_arn,
                "import_mode": import_mode,
                "publish_attribution_metrics_to_s3": publish_attribution_metrics_to_s3,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "dataset_arn": dataset_arn,
                "role_arn": role_arn,
                "job_output": job_output,
                "job_name": job_name,
                "ingestion_mode": ingestion_mode,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "dataset_group_arn": dataset_group_arn,
                "data_source": data_source,
                "role_arn": role_arn,
                "job_name": job_name,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "name": name,
                "dataset_group_arn": dataset_group_arn,
                "recipe_arn": recipe_arn,
                "perform_auto_training": perform_auto_training,
                "perform_hpo": perform_hpo,
                "perform_auto_ml": perform_auto_ml,
                "perform_incremental_update": perform_incremental_update,
                "event_type": event_type,
                "solution_config": solution_config,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "solution_arn": solution_arn,
                "name": name,
                "training_mode": training_mode,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "name": name,
                "solution_version_arn": solution_version_arn,
                "min_provisioned_tps": min_provisioned_tps,
                "campaign_config": campaign_config,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "solution_version_arn": solution_version_arn,
                "job_input": job_input,
                "job_output": job_output,
                "role_arn": role_arn,
                "job_name": job_name,
                "filter_arn": filter_arn,
                "num_results": num_results,
                "batch_inference_job_config": batch_inference_job_config,
                "batch_inference_job_mode": batch_inference_job_mode,
                "theme_generation_config": theme_generation_config,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "solution_version_arn": solution_version_arn,
                "job_input": job_input,
                "job_output": job_output,
                "role_arn": role_arn,
                "job_name": job_name,
                "filter_arn": filter_arn,
                "num_results": num_results,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "name": name,
                "dataset_group_arn": dataset_group_arn,
                "recipe_arn": recipe_arn,
                "recommender_config": recommender_config,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "name": name,
                "dataset_group_arn": dataset_group_arn,
                "filter_expression": filter_expression,
                "tags": tags,
            },
            **kwargs,
        )


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
        super().__init__(
            request_arguments={"name": name, "dataset_group_arn": dataset_group_arn, "tags": tags},
            **kwargs,
        )


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
        super().__init__(
            request_arguments={
                "name": name,
                "dataset_group_arn": dataset_group_arn,
                "metrics": metrics,
                "metrics_output_config": metrics_output_config,
            },
            **kwargs,
        )
