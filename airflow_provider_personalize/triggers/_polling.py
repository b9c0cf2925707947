"""Polling a Personalize resource until it is done: the body of ``PersonalizeResourceTrigger.run``.

A module of its own because it imports aiobotocore, aiohttp and botocore: the trigger imports it in a
worker thread the first time a trigger runs (see ``triggers/personalize.py``), never on the event loop.
"""

from __future__ import annotations

import asyncio
from asyncio import sleep
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from airflow_provider_personalize import waits
from airflow_provider_personalize.hooks.retries import error_code, http_status, rate_limited
from airflow_provider_personalize.triggers._history import HistoryInformedSchedule
from airflow_provider_personalize.triggers._schedule import PollSchedule
from airflow_provider_personalize.triggers._shared_client import (
    ClientKey,
    ClientOpeningError,
    shared_personalize_client,
)
from airflow_provider_personalize.waits import WaitEvent

if TYPE_CHECKING:
    from logging import Logger

    from airflow_provider_personalize.resources import WaitableKind

TRANSIENT_ERROR_CODES = frozenset({"InternalFailure", "InternalServerError", "ServiceUnavailable"})
# Errors raised while sending or reading a request (or refreshing credentials): aiobotocore and botocore
# map transport errors to their ConnectionError and HTTPClientError families, but a body cut short
# surfaces as aiohttp's own error or a timeout.
NETWORK_ERRORS = (BotocoreConnectionError, HTTPClientError, aiohttp.ClientError, TimeoutError)


class WaitedFor(Protocol):
    """What a wait reads of its trigger (``PersonalizeResourceTrigger``)."""

    kind: WaitableKind
    arn: str
    waiter_delay: float
    waiter_max_attempts: int
    max_delay: float
    timeout: float | None
    aws_conn_id: str | None
    region_name: str | None
    verify: bool | str | None
    botocore_config: dict[str, Any] | None

    @property
    def log(self) -> Logger: ...


async def wait(trigger: WaitedFor) -> WaitEvent:
    """Poll the trigger's resource until it is done; the trigger's one event.

    The event is returned after the shared client is released: the triggerer may keep a finished trigger
    suspended at its yield for a while, and it must not hold the shared client meanwhile.
    """
    key = ClientKey.of(trigger.aws_conn_id, trigger.region_name, trigger.verify, trigger.botocore_config)
    try:
        async with shared_personalize_client(key) as client:
            return await _Wait(trigger, client, key).until_done()
    except ClientOpeningError as error:
        return waits.unreadable(trigger.kind, trigger.arn, str(error))


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

    def __init__(self, trigger: WaitedFor, client: Any, client_key: ClientKey) -> None:
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
