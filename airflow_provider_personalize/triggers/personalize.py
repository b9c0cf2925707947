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
"""

from __future__ import annotations

import asyncio
from asyncio import sleep
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp
from airflow.triggers.base import BaseTrigger, TriggerEvent
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from airflow_provider_personalize import waits
from airflow_provider_personalize.hooks.retries import error_code, http_status, rate_limited
from airflow_provider_personalize.resources import WaitableKind, get_waitable_kind
from airflow_provider_personalize.triggers._history import HistoryInformedSchedule
from airflow_provider_personalize.triggers._schedule import PollSchedule, default_max_delay
from airflow_provider_personalize.triggers._shared_client import (
    ClientKey,
    ClientOpeningError,
    shared_personalize_client,
)
from airflow_provider_personalize.waits import WaitEvent

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
    from airflow.providers.amazon.aws.sensors.base_aws import AwsBaseSensor

TRANSIENT_ERROR_CODES = frozenset({"InternalFailure", "InternalServerError", "ServiceUnavailable"})
# Errors raised while sending or reading a request (or refreshing credentials): aiobotocore and botocore
# map transport errors to their ConnectionError and HTTPClientError families, but a body cut short
# surfaces as aiohttp's own error or a timeout.
NETWORK_ERRORS = (BotocoreConnectionError, HTTPClientError, aiohttp.ClientError, TimeoutError)


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
        # The event is yielded after the client is released: the triggerer may keep a finished
        # trigger suspended at its yield for a while, and it must not hold the shared client meanwhile.
        key = ClientKey.of(self.aws_conn_id, self.region_name, self.verify, self.botocore_config)
        try:
            async with shared_personalize_client(key) as client:
                event = await _Wait(self, client, key).until_done()
        except ClientOpeningError as error:
            event = waits.unreadable(self.kind, self.arn, str(error))
        yield TriggerEvent(event)


class _Wait:
    """The state of one run of a trigger: what it has seen so far."""

    # Slots: a triggerer holds one per waiting task, thousands at a time.
    __slots__ = (
        "describe",
        "kind",
        "last_problem",
        "last_status",
        "polls",
        "problems_logged",
        "schedule",
        "trigger",
    )

    def __init__(self, trigger: PersonalizeResourceTrigger, client: Any, client_key: ClientKey) -> None:
        self.trigger = trigger
        self.kind = trigger.kind
        self.describe = getattr(client, self.kind.describe_method)
        backoff = PollSchedule(trigger.waiter_delay, trigger.max_delay)
        self.schedule = HistoryInformedSchedule(
            backoff, self.kind, trigger.arn, client, client_key, trigger.log
        )
        self.polls = 0
        self.last_status: str | None = None
        self.last_problem: str | None = None
        self.problems_logged: set[str] = set()

    async def until_done(self) -> WaitEvent:
        trigger = self.trigger
        loop = asyncio.get_running_loop()
        deadline = None if trigger.timeout is None else loop.time() + trigger.timeout
        while True:
            delay = self.schedule.next_delay()
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - loop.time()))
            await sleep(delay)
            self.polls += 1
            event = await self.poll()
            if event is not None:
                return event
            out_of_time = deadline is not None and loop.time() >= deadline
            if self.polls >= trigger.waiter_max_attempts or out_of_time:
                return self.timed_out(out_of_time)

    async def poll(self) -> WaitEvent | None:
        """Describe the resource once: the final event, or None to keep waiting."""
        kind, trigger = self.kind, self.trigger
        try:
            response = await self.describe(**{kind.arn_member: trigger.arn})
        except ClientError as error:
            return self.request_failed(error)
        except NETWORK_ERRORS as error:
            self.problem(type(error).__name__, error)
            return None
        except BotoCoreError as error:
            return self.unreadable(error)
        self.last_problem = None
        description = response[kind.response_key]
        status = kind.status_of(description)
        if status != self.last_status:
            trigger.log.info("Personalize %s %s is %s", kind.label, trigger.arn, status or "(no status)")
            self.last_status = status
        event = waits.outcome(kind, trigger.arn, description)
        if event is None:
            self.schedule.observe(description)
        return event

    def request_failed(self, error: ClientError) -> WaitEvent | None:
        kind, trigger = self.kind, self.trigger
        code, status = error_code(error), http_status(error)
        if code == "ResourceNotFoundException":
            return self.unreadable(error, f"Personalize {kind.label} {trigger.arn} does not exist")
        # The retry policy's rate limits (hooks/retries.py); a Describe creates nothing, so
        # LimitExceededException is one too.
        if rate_limited(error):
            self.schedule.slow_down()
            self.problem(code or f"HTTP {status}", error)
            return None
        if code in TRANSIENT_ERROR_CODES or status >= 500:
            self.problem(code or f"HTTP {status}", error)
            return None
        return self.unreadable(error)

    def problem(self, name: str, error: Exception) -> None:
        """Note a failed poll that the wait survives; log each kind of problem once per wait."""
        self.last_problem = f"{name}: {error}"
        if name not in self.problems_logged:
            self.problems_logged.add(name)
            self.trigger.log.warning(
                "Polling %s %s failed (%s); retrying on the poll schedule, further %s errors are not logged",
                self.kind.label,
                self.trigger.arn,
                self.last_problem,
                name,
            )

    def unreadable(self, error: Exception, what: str | None = None) -> WaitEvent:
        """A failure of the wait, not of the resource, which the operator fails the task retryably for.
        The message keeps the last status seen."""
        kind, trigger = self.kind, self.trigger
        what = what or f"Could not describe Personalize {kind.label} {trigger.arn}"
        seen = f" (last status seen: {self.last_status})" if self.last_status else ""
        return waits.unreadable(kind, trigger.arn, f"{what}{seen}: {error}")

    def timed_out(self, out_of_time: bool) -> WaitEvent:
        trigger, last_status = self.trigger, self.last_status or "unknown (no poll succeeded)"
        if out_of_time:
            message = (
                f"Personalize {self.kind.label} {trigger.arn} is still in status {last_status!r} "
                f"after the trigger's timeout of {trigger.timeout} s ({self.polls} polls)"
            )
        else:
            message = self.kind.timeout_message(trigger.arn, last_status, self.polls)
        if self.last_problem:
            message += f"; the last poll failed: {self.last_problem}"
        return waits.timed_out(self.kind, trigger.arn, self.last_status, message)
