"""Sensors that wait for an Amazon Personalize resource created elsewhere."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.providers.amazon.aws.sensors.base_aws import AwsBaseSensor
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.providers.common.compat.sdk import conf

from airflow_provider_personalize.hooks.personalize import PersonalizeHook
from airflow_provider_personalize.links.personalize import PersonalizeResourceLink
from airflow_provider_personalize.resources import (
    BATCH_INFERENCE_JOB,
    BATCH_SEGMENT_JOB,
    CAMPAIGN,
    CAMPAIGN_UPDATE,
    DATA_DELETION_JOB,
    DATASET_EXPORT_JOB,
    DATASET_IMPORT_JOB,
    RECOMMENDER,
    SOLUTION_UPDATE,
    SOLUTION_VERSION,
    WaitableKind,
    get_waitable_kind,
)
from airflow_provider_personalize.waits import arn_from_event, is_settled

if TYPE_CHECKING:
    from airflow.sdk import Context


class PersonalizeResourceSensor(AwsBaseSensor[PersonalizeHook]):
    """
    Wait until a Personalize resource of any kind succeeds; fail if it ends in a failure status.

    A failure status fails the task with the ARN, the status and the service's failureReason (with
    ``soft_fail=True`` the task is skipped instead, as Airflow does for sensors). Returns the ARN.

    :param kind: The resource kind, a key of :mod:`airflow_provider_personalize.resources`
        (``"dataset_import_job"``, ``"solution_version"``, ``"campaign_update"``, ...); the typed aliases
        below fix it.
    :param arn: The resource's ARN. (templated)
    :param poke_interval: Seconds between status checks. (default: the kind's, suited to how long the
        service takes)
    :param deferrable: If True, wait in the triggerer; ``poke_interval`` is then the initial delay of the
        trigger's backoff and ``timeout`` bounds the number of polls.
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
    template_fields: Sequence[str] = aws_template_fields("arn")
    operator_extra_links = (PersonalizeResourceLink(),)
    ui_color = "#66c3ff"

    # The typed aliases below fix the kind.
    resource_kind: ClassVar[WaitableKind | None] = None

    def __init__(
        self,
        *,
        arn: str,
        kind: str | None = None,
        poke_interval: float | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        resource_kind = get_waitable_kind(kind) if kind else self.resource_kind
        if resource_kind is None:
            raise ValueError("PersonalizeResourceSensor needs the resource kind")
        if poke_interval is None:
            poke_interval = resource_kind.waiter_delay
        super().__init__(poke_interval=poke_interval, **kwargs)
        self.kind = resource_kind
        self.arn = arn
        self.deferrable = deferrable
        self._last_status: str | None = None

    def execute(self, context: Context) -> str:
        PersonalizeResourceLink.persist(
            context=context,
            operator=self,
            region_name=self.hook.conn_region_name,
            aws_partition=self.hook.conn_partition,
            resource_arn=self.arn,
        )
        if self.deferrable:
            # The trigger imports aiobotocore and aiohttp: only when a task defers, never at DAG parse.
            from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

            # The trigger counts polls where the sensor counts seconds; it polls at least every second.
            waiter_delay = max(1, int(self.poke_interval))
            self.defer(
                trigger=PersonalizeResourceTrigger.for_task(
                    self,
                    self.kind,
                    self.arn,
                    waiter_delay=waiter_delay,
                    waiter_max_attempts=math.ceil(self.timeout / waiter_delay),
                ),
                method_name="execute_complete",
                timeout=timedelta(seconds=self.timeout),
            )
        else:
            super().execute(context)
        return self.arn

    def poke(self, context: Context) -> bool:
        description = self.hook.describe(self.kind, self.arn)
        status = self.kind.status_of(description)
        if status != self._last_status:
            self.log.info("Personalize %s %s is %s", self.kind.label, self.arn, status)
            self._last_status = status
        return is_settled(self.kind, self.arn, description)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> str:
        return arn_from_event(event)


class PersonalizeDatasetImportJobSensor(PersonalizeResourceSensor):
    """Wait for a dataset import job (``arn``); see :class:`PersonalizeResourceSensor`."""

    resource_kind = DATASET_IMPORT_JOB


class PersonalizeDatasetExportJobSensor(PersonalizeResourceSensor):
    """Wait for a dataset export job (``arn``); see :class:`PersonalizeResourceSensor`."""

    resource_kind = DATASET_EXPORT_JOB


class PersonalizeDataDeletionJobSensor(PersonalizeResourceSensor):
    """Wait for a data deletion job (``arn``); see :class:`PersonalizeResourceSensor`."""

    resource_kind = DATA_DELETION_JOB


class PersonalizeSolutionVersionSensor(PersonalizeResourceSensor):
    """Wait for a solution version's training (``arn``); see :class:`PersonalizeResourceSensor`."""

    resource_kind = SOLUTION_VERSION


class PersonalizeBatchInferenceJobSensor(PersonalizeResourceSensor):
    """Wait for a batch inference job (``arn``); see :class:`PersonalizeResourceSensor`."""

    resource_kind = BATCH_INFERENCE_JOB


class PersonalizeBatchSegmentJobSensor(PersonalizeResourceSensor):
    """Wait for a batch segment job (``arn``); see :class:`PersonalizeResourceSensor`."""

    resource_kind = BATCH_SEGMENT_JOB


class PersonalizeCampaignSensor(PersonalizeResourceSensor):
    """Wait for a campaign to be created (``arn``); see :class:`PersonalizeResourceSensor`."""

    resource_kind = CAMPAIGN


class PersonalizeCampaignUpdateSensor(PersonalizeResourceSensor):
    """Wait for a campaign's latest update (``arn``: the campaign); see :class:`PersonalizeResourceSensor`."""

    resource_kind = CAMPAIGN_UPDATE


class PersonalizeSolutionUpdateSensor(PersonalizeResourceSensor):
    """Wait for a solution's latest update (``arn``: the solution); see :class:`PersonalizeResourceSensor`."""

    resource_kind = SOLUTION_UPDATE


class PersonalizeRecommenderSensor(PersonalizeResourceSensor):
    """Wait for a recommender (``arn``); see :class:`PersonalizeResourceSensor`."""

    resource_kind = RECOMMENDER
