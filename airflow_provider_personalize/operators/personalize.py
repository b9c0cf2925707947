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
        try:
            arn = self.hook.create(kind.key, request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                raise
            if self.if_exists == "fail":
                raise AirflowException(
                    f"Personalize {kind.label} {name!r} already exists (if_exists='fail')"
                ) from error
            parent_arn = request.get(kind.parent_member) if kind.parent_member else None
            existing = self.hook.find_by_name(kind.key, name, parent_arn)
            if existing is None:
                where = f" under {parent_arn}" if parent_arn else ""
                raise AirflowException(
                    f"Personalize says {kind.label} {name!r} already exists, but none of that name exists"
                    f"{where}: choose another name"
                ) from error
            arn = existing[kind.arn_member]
            self.log.info(
                "Personalize %s %r already exists: reusing %s (status %s)",
                kind.label,
                name,
                arn,
                kind.status_of(existing) or "none",
            )
            return arn, self.hook.is_settled(kind.key, arn, existing)
        self.log.info("Created Personalize %s %s", kind.label, arn)
        return arn, False

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
