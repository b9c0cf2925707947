"""The wait contract: how a wait for a Personalize resource ends, told the same way wherever it is done.

A wait ends in one of three outcomes, each a :class:`WaitEvent`: ``"success"`` (the resource reached its
success status), ``"failure"`` (it reached any other status that is not in progress, or the wait could
not read it) or ``"timeout"``. The trigger builds its events here (:func:`outcome`, :func:`unreadable`,
:func:`timed_out`); the operators and sensors that deferred decode them here (:func:`arn_from_event`);
the blocking wait in the worker and the sensor's poke decide with the same functions
(:func:`is_settled`), so that a wait ends alike whichever way it is done.

Importing this module is cheap, and imports nothing async: DAG files import it through the operators and
sensors. The trigger (``PersonalizeResourceTrigger.for_task`` builds it for a task), which imports
aiobotocore and aiohttp, imports this module, not the other way round; tasks import it only when they
defer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

from airflow.providers.amazon.aws.utils import validate_execute_complete_event
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

from airflow_provider_personalize.resources import WaitableKind


class PersonalizeResourceFailedError(AirflowFailException):
    """A resource ended in a failure status.

    An ``AirflowFailException``: a retry would find the same failed resource (create is idempotent), so
    retrying cannot help; a new resource needs a new name or a new run.
    """

    def __init__(self, message: str, *, arn: str, status: str, failure_reason: str | None) -> None:
        super().__init__(message)
        self.arn = arn
        self.status = status
        self.failure_reason = failure_reason


class PersonalizeWaitTimeoutError(AirflowException):
    """A resource was still in progress when the wait's attempts ran out.

    A plain ``AirflowException``, so a task retry re-attaches to the same resource and waits again.
    """


class PersonalizeWaitInterruptedError(AirflowException):
    """A wait in the worker was cut short because the task was told to stop (SIGTERM, ``on_kill``).

    A plain ``AirflowException``: the resource is untouched (but for a training that ``on_kill`` stopped),
    and a task retry re-attaches to it.
    """


class WaitEvent(TypedDict):
    """The payload of the trigger's one event.

    ``kind`` is the kind's key and ``resource_status`` the last status seen (None if none was). A
    ``"failure"`` carries ``failure_reason`` (the service's, or None) and ``message`` (ARN, status,
    reason); a failure with ``resource_status`` None is a failure of the wait itself (the resource does
    not exist, access was denied, no client could be built), which a task retry may get past. A
    ``"timeout"`` carries ``message`` (the ARN and the last status).
    """

    status: Literal["success", "failure", "timeout"]
    kind: str
    arn: str
    resource_status: str | None
    failure_reason: NotRequired[str | None]
    message: NotRequired[str]


def outcome(kind: WaitableKind, arn: str, description: Mapping[str, Any]) -> WaitEvent | None:
    """How a wait on ``arn`` ends, given its Describe body; None while it is in progress.

    A kind created synchronously (no lifecycle) is done once it exists. A status that is neither in
    progress nor success ends the wait as a failure, whether AWS documents it or not.
    """
    status = kind.status_of(description)
    lifecycle = kind.lifecycle
    if lifecycle is None or lifecycle.is_success(status):
        return {"status": "success", "kind": kind.key, "arn": arn, "resource_status": status}
    if lifecycle.is_in_progress(status):
        return None
    reason = kind.failure_reason_of(description)
    return {
        "status": "failure",
        "kind": kind.key,
        "arn": arn,
        "resource_status": status,
        "failure_reason": reason,
        "message": kind.failure_message(arn, status, reason),
    }


def unreadable(kind: WaitableKind, arn: str, message: str) -> WaitEvent:
    """A failure of the wait, not of the resource: ``resource_status`` None says so."""
    return {
        "status": "failure",
        "kind": kind.key,
        "arn": arn,
        "resource_status": None,
        "failure_reason": None,
        "message": message,
    }


def timed_out(kind: WaitableKind, arn: str, resource_status: str | None, message: str) -> WaitEvent:
    return {
        "status": "timeout",
        "kind": kind.key,
        "arn": arn,
        "resource_status": resource_status,
        "message": message,
    }


def arn_from_event(event: dict[str, Any] | None) -> str:
    """The ARN a deferred wait reports (``execute_complete``'s event), or the error it reports, raised.

    :class:`PersonalizeResourceFailedError` for a failed resource (not retryable),
    :class:`PersonalizeWaitTimeoutError` for a timeout, and a plain ``AirflowException`` for a wait that
    could not read the resource (retryable) or an event that is missing or not the trigger's.
    """
    return _arn_or_raise(validate_execute_complete_event(event))


def is_settled(kind: WaitableKind, arn: str, description: Mapping[str, Any]) -> bool:
    """True when ``description`` shows success, False while in progress; a failure status raises, as it
    does at the end of a deferred wait."""
    event = outcome(kind, arn, description)
    if event is None:
        return False
    _arn_or_raise(event)
    return True


def _arn_or_raise(event: Mapping[str, Any]) -> str:
    status = event.get("status")
    if status == "success":
        return event["arn"]
    if status == "failure" and event.get("resource_status") is None:
        raise AirflowException(event["message"])
    if status == "failure":
        raise PersonalizeResourceFailedError(
            event["message"],
            arn=event["arn"],
            status=event["resource_status"],
            failure_reason=event.get("failure_reason"),
        )
    if status == "timeout":
        raise PersonalizeWaitTimeoutError(event["message"])
    raise AirflowException(f"Unexpected event from the Personalize trigger: {event}")
