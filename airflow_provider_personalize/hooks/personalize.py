"""Hooks for Amazon Personalize: the control plane and the recommendation runtime.

Every helper takes a resource kind by its key in :mod:`airflow_provider_personalize.resources`
(``"dataset_import_job"``) and reads method names, ARN members and statuses from that table, so one
helper serves every kind.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from airflow.providers.amazon.aws.utils import validate_execute_complete_event
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException
from botocore.exceptions import ClientError

from airflow_provider_personalize.resources import get_kind

# The largest page every Personalize ListX operation accepts.
_LIST_PAGE_SIZE = 100
# Sorts a summary without a creation time last.
_LONG_AGO = datetime.min.replace(tzinfo=UTC)


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


def error_code(error: ClientError) -> str:
    """The service's error code (``ResourceNotFoundException``) of a failed request."""
    return error.response.get("Error", {}).get("Code", "")


def arn_from_trigger_event(event: dict[str, Any] | None) -> str:
    """The outcome of a wait done by ``PersonalizeResourceTrigger``: the ARN, or the error it reports."""
    event = validate_execute_complete_event(event)
    status = event.get("status")
    if status == "success":
        return event["arn"]
    if status == "failure" and event.get("resource_status") is None:
        # The trigger could not read the resource at all (access denied, no client): not the
        # resource's failure, so a retry may succeed.
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


class PersonalizeHook(AwsBaseHook):
    """
    Interact with Amazon Personalize's control plane.

    Provide thin wrapper around :external+boto3:py:class:`boto3.client("personalize") <Personalize.Client>`,
    plus table-driven helpers to describe, find, create and wait for any kind of resource.

    Additional arguments (such as ``aws_conn_id``) may be specified and
    are passed down to the underlying AwsBaseHook.

    .. seealso::
        - :class:`airflow.providers.amazon.aws.hooks.base_aws.AwsBaseHook`
    """

    client_type = "personalize"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["client_type"] = self.client_type
        super().__init__(*args, **kwargs)

    def describe(self, kind: str, arn: str) -> dict[str, Any]:
        """The resource's Describe body (``describeDatasetImportJob(...)["datasetImportJob"]``)."""
        resource_kind = get_kind(kind)
        response = getattr(self.conn, resource_kind.describe_method)(**{resource_kind.arn_member: arn})
        return response[resource_kind.response_key]

    def status(self, kind: str, arn: str) -> str:
        """The status the kind waits on (for update kinds, the latest update's status)."""
        return get_kind(kind).status_of(self.describe(kind, arn))

    def create(self, kind: str, request: dict[str, Any]) -> str:
        """Send the kind's Create request as given; return the new resource's ARN."""
        resource_kind = get_kind(kind)
        response = getattr(self.conn, resource_kind.create_method)(**request)
        return response[resource_kind.arn_member]

    def update(self, kind: str, request: dict[str, Any]) -> None:
        """Send the Update request of an update pseudo-kind (``campaign_update``) as given."""
        resource_kind = get_kind(kind)
        if not resource_kind.update_method:
            raise ValueError(f"{kind!r} is not an update kind (such as 'campaign_update')")
        getattr(self.conn, resource_kind.update_method)(**request)

    def delete(self, kind: str, arn: str) -> bool:
        """Ask for the resource's deletion; False if it is already gone.

        Deletion is asynchronous (see :meth:`wait_until_deleted`), except for schemas.
        """
        resource_kind = get_kind(kind)
        if not resource_kind.delete_method:
            raise ValueError(f"A Personalize {resource_kind.label} cannot be deleted")
        try:
            getattr(self.conn, resource_kind.delete_method)(**{resource_kind.arn_member: arn})
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return False
            raise
        return True

    def describe_if_exists(self, kind: str, arn: str) -> dict[str, Any] | None:
        """The resource's Describe body, or None if it does not exist (or no longer does)."""
        try:
            return self.describe(kind, arn)
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None
            raise

    def solution_metrics(self, solution_version_arn: str) -> dict[str, float]:
        """The offline metrics of a trained solution version (GetSolutionMetrics)."""
        response = self.conn.get_solution_metrics(solutionVersionArn=solution_version_arn)
        return response.get("metrics", {})

    def stop_creation(self, kind: str, arn: str) -> None:
        """Stop a resource's creation (only kinds the table marks stoppable: solution versions)."""
        resource_kind = get_kind(kind)
        if not resource_kind.stop_method:
            raise ValueError(f"The creation of a Personalize {resource_kind.label} cannot be stopped")
        getattr(self.conn, resource_kind.stop_method)(**{resource_kind.arn_member: arn})

    def list_summaries(self, kind: str, parent_arn: str | None = None) -> Iterator[dict[str, Any]]:
        """Every summary ListX returns, all pages, filtered by the parent where the API has that filter."""
        resource_kind = get_kind(kind)
        list_page = getattr(self.conn, resource_kind.list_method)
        request: dict[str, Any] = {"maxResults": _LIST_PAGE_SIZE}
        if resource_kind.list_filter_member and parent_arn:
            request[resource_kind.list_filter_member] = parent_arn
        while True:
            response = list_page(**request)
            yield from response.get(resource_kind.list_key, [])
            if not response.get("nextToken"):
                return
            request["nextToken"] = response["nextToken"]

    def find_by_name(self, kind: str, name: str, parent_arn: str | None = None) -> dict[str, Any] | None:
        """The Describe body of the resource of this kind named ``name`` (under ``parent_arn``), or None.

        Solution versions' list summaries carry no name, so candidates are described, newest first: a
        retry looks for the version its first try has just created.
        """
        resource_kind = get_kind(kind)
        unnamed = []
        for summary in self.list_summaries(kind, parent_arn):
            if resource_kind.name_member not in summary:
                unnamed.append(summary)
            elif summary[resource_kind.name_member] == name:
                return self.describe(kind, summary[resource_kind.arn_member])
        unnamed.sort(key=lambda summary: summary.get("creationDateTime", _LONG_AGO), reverse=True)
        for summary in unnamed:
            description = self.describe(kind, summary[resource_kind.arn_member])
            if description.get(resource_kind.name_member) == name:
                return description
        return None

    def is_settled(self, kind: str, arn: str, description: dict[str, Any]) -> bool:
        """True when ``description`` shows success, False while in progress; raise on a failure status."""
        resource_kind = get_kind(kind)
        if resource_kind.lifecycle is None:
            return True
        status = resource_kind.status_of(description)
        if resource_kind.lifecycle.is_success(status):
            return True
        if resource_kind.lifecycle.is_in_progress(status):
            return False
        failure_reason = resource_kind.failure_reason_of(description)
        raise PersonalizeResourceFailedError(
            resource_kind.failure_message(arn, status, failure_reason),
            arn=arn,
            status=status,
            failure_reason=failure_reason,
        )

    def wait(self, kind: str, arn: str, *, waiter_delay: float, waiter_max_attempts: int) -> dict[str, Any]:
        """Poll until the resource succeeds; return its final Describe body.

        Logs one line per status change. Raises :class:`PersonalizeResourceFailedError` on a failure
        status and :class:`PersonalizeWaitTimeoutError` when ``waiter_max_attempts`` polls are used up.
        """
        description = self._poll(
            kind,
            arn,
            until_deleted=False,
            waiter_delay=waiter_delay,
            waiter_max_attempts=waiter_max_attempts,
        )
        assert description is not None  # only a wait until deleted ends without a resource
        return description

    def wait_until_deleted(
        self, kind: str, arn: str, *, waiter_delay: float, waiter_max_attempts: int
    ) -> None:
        """Poll until the resource is gone.

        Deletes are asynchronous: DELETE PENDING > DELETE IN_PROGRESS, then Describe answers
        ResourceNotFoundException. Logs one line per status change; raises
        :class:`PersonalizeWaitTimeoutError` when ``waiter_max_attempts`` polls are used up.
        """
        self._poll(
            kind, arn, until_deleted=True, waiter_delay=waiter_delay, waiter_max_attempts=waiter_max_attempts
        )

    def _poll(
        self, kind: str, arn: str, *, until_deleted: bool, waiter_delay: float, waiter_max_attempts: int
    ) -> dict[str, Any] | None:
        """Describe every ``waiter_delay`` s until the resource settles (is gone, with ``until_deleted``)."""
        resource_kind = get_kind(kind)
        last_status: str | None = None
        for attempt in range(1, waiter_max_attempts + 1):
            description = self.describe_if_exists(kind, arn) if until_deleted else self.describe(kind, arn)
            status = "deleted" if description is None else resource_kind.status_of(description)
            if status != last_status:
                self.log.info("Personalize %s %s is %s", resource_kind.label, arn, status or "(no status)")
                last_status = status
            if description is None:
                return None
            if not until_deleted and self.is_settled(kind, arn, description):
                return description
            if attempt < waiter_max_attempts:
                time.sleep(waiter_delay)
        raise PersonalizeWaitTimeoutError(
            resource_kind.timeout_message(arn, last_status or "", waiter_max_attempts)
        )


class PersonalizeRuntimeHook(AwsBaseHook):
    """
    Interact with Amazon Personalize's runtime (GetRecommendations, GetPersonalizedRanking, ...).

    Provide thin wrapper around
    :external+boto3:py:class:`boto3.client("personalize-runtime") <PersonalizeRuntime.Client>`.

    Additional arguments (such as ``aws_conn_id``) may be specified and
    are passed down to the underlying AwsBaseHook.

    .. seealso::
        - :class:`airflow.providers.amazon.aws.hooks.base_aws.AwsBaseHook`
    """

    client_type = "personalize-runtime"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["client_type"] = self.client_type
        super().__init__(*args, **kwargs)
