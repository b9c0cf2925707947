"""The one async trigger with which every Personalize wait defers: ``PersonalizeResourceTrigger``.

Jobs run minutes to hours and one triggerer holds every waiting task of a deployment, so a wait must
cost little while it waits:

- It polls the resource's Describe request on a backoff (``_schedule.PollSchedule``): the first poll at a
  random point of the first ``waiter_delay`` (so that a triggerer restart does not fire every wait at
  once), then intervals growing x1.5 from ``waiter_delay`` up to ``max_delay``, each shortened by up to
  20 % at random so that thousands of waits drift apart instead of polling in lockstep.
- For a job (and a solution version), whose parent ran jobs like it before, it polls around the end their
  durations predict instead (``_history.HistoryInformedSchedule``): few polls while the job cannot be
  expected to have ended, dense ones while it may, the backoff again if it overruns. The history costs one
  List request per parent and kind, shared by every wait of the process; without it, the backoff.
- All triggers of the process with the same connection, region, ``verify`` and botocore configuration
  share one aiobotocore client (see ``_shared_client``), built off the event loop.
- Throttling and transient network or server errors do not end the wait: the poll is retried at the next
  point of the schedule (after throttling, at the longest interval), and each kind of problem is logged
  once per wait, not per retry. A status change is logged once, not every poll.
- Nothing heavy runs on the event loop, not even an import: this module, which the triggerer imports on
  its loop, imports only Airflow's trigger base, the table of kinds and the schedules; the polling itself
  (``_polling``, with aiobotocore, aiohttp and botocore) is imported in a thread by the first run.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from types import ModuleType
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_personalize.resources import WaitableKind, get_waitable_kind
from airflow_provider_personalize.triggers._schedule import default_max_delay

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
    from airflow.providers.amazon.aws.sensors.base_aws import AwsBaseSensor

_POLLING_MODULE = "airflow_provider_personalize.triggers._polling"
_polling_imported: ModuleType | None = None


class PersonalizeResourceTrigger(BaseTrigger):
    """
    Wait, in the triggerer, for a Personalize resource to leave its in-progress statuses.

    :param kind: the resource kind's key in ``airflow_provider_personalize.resources``
        (``"dataset_import_job"``, ``"solution_version"``, ``"campaign_update"``, ...); the trigger
        holds the kind itself, and serializes its key.
    :param arn: the resource's ARN.
    :param waiter_delay: seconds before the second poll (the first comes at a random point of this
        interval); later intervals grow x1.5 up to ``max_delay``. Around a job's expected end, the
        shortest interval.
    :param waiter_max_attempts: how many polls before the wait ends with a ``timeout`` event. A poll
        that failed on throttling or a network error counts, so that an endpoint that never answers
        cannot hold a wait forever.
    :param aws_conn_id: the Airflow AWS connection; None for boto3's default credential chain.
    :param region_name: the AWS region; the connection's when None.
    :param verify: whether to verify SSL certificates, or a CA bundle path (as boto3 takes it).
    :param botocore_config: botocore client configuration, as a dict.
    :param max_delay: the longest interval between polls, in seconds;
        default 10 x ``waiter_delay``, at most 300.
    :param timeout: seconds after which the wait ends with a ``timeout`` event, whatever the number of
        polls; None for no limit but ``waiter_max_attempts``. Counted from the start of this run: a
        triggerer restart starts it again, as it does the polls.

    ``run()`` yields one event, a :class:`~airflow_provider_personalize.waits.WaitEvent`:

    - ``"success"``: the resource reached its success status.
    - ``"failure"``: it reached a status that is neither success nor in progress. Or the wait itself
      failed: the resource does not exist, a request failed for good (access denied, invalid input) or
      no client could be built; then ``resource_status`` is None, and ``message`` says what happened and
      the last status seen.
    - ``"timeout"``: ``waiter_max_attempts`` polls or ``timeout`` seconds passed.
    """

    def __init__(
        self,
        kind: str,
        arn: str,
        waiter_delay: float,
        waiter_max_attempts: int,
        aws_conn_id: str | None,
        region_name: str | None = None,
        verify: bool | str | None = None,
        botocore_config: dict[str, Any] | None = None,
        *,
        max_delay: float | None = None,
        timeout: float | None = None,
    ) -> None:
        super().__init__()
        self.kind = get_waitable_kind(kind)
        if self.kind.lifecycle is None:
            raise ValueError(f"A {self.kind.label} is created synchronously: nothing to wait for")
        if waiter_delay < 0:
            raise ValueError(f"waiter_delay must be >= 0, got {waiter_delay}")
        if waiter_max_attempts < 1:
            raise ValueError(f"waiter_max_attempts must be >= 1, got {waiter_max_attempts}")
        self.arn = arn
        self.waiter_delay = waiter_delay
        self.waiter_max_attempts = waiter_max_attempts
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.verify = verify
        self.botocore_config = botocore_config
        self.max_delay = default_max_delay(waiter_delay) if max_delay is None else max_delay
        self.timeout = timeout

    @classmethod
    def for_task(
        cls,
        task: AwsBaseOperator[Any] | AwsBaseSensor[Any],
        kind: WaitableKind,
        arn: str,
        *,
        waiter_delay: int,
        waiter_max_attempts: int,
    ) -> PersonalizeResourceTrigger:
        """The trigger with which ``task`` waits for ``arn``, with the task's AWS connection.

        Its polls back off, so ``waiter_max_attempts`` of them would outlast the same wait in the worker
        several times over: its ``timeout`` keeps the worker's budget, ``waiter_delay`` times
        ``waiter_max_attempts``, so that a wait lasts as long whichever way it is done.
        """
        return cls(
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

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "kind": self.kind.key,
                "arn": self.arn,
                "waiter_delay": self.waiter_delay,
                "waiter_max_attempts": self.waiter_max_attempts,
                "aws_conn_id": self.aws_conn_id,
                "region_name": self.region_name,
                "verify": self.verify,
                "botocore_config": self.botocore_config,
                "max_delay": self.max_delay,
                "timeout": self.timeout,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        polling = await _polling_module()
        event = await polling.wait(self)
        yield TriggerEvent(event)


async def _polling_module() -> ModuleType:
    """The module that polls (``_polling``), imported in a worker thread on first use.

    It imports aiobotocore, aiohttp, botocore and the hooks: a second or more of imports, which on the
    event loop would stall every trigger of the triggerer (Airflow imports a trigger's class, this module,
    on the loop). Later runs find it imported.

    Not looked up in sys.modules: a module is there from the moment its import starts, so the triggers
    that start while the first one's thread imports it would get it half-initialised. Until an import has
    finished, each run imports it in a thread of its own, and importlib makes those wait for the first.
    """
    global _polling_imported
    if _polling_imported is None:
        _polling_imported = await asyncio.to_thread(importlib.import_module, _POLLING_MODULE)
    return _polling_imported
