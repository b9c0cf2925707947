"""Hooks for Amazon Personalize: the control plane and the recommendation runtime.

Every helper takes a resource kind of :mod:`airflow_provider_personalize.resources`
(``DATASET_IMPORT_JOB``) and reads method names, ARN members and statuses from it, so one helper serves
every kind. Every request the helpers send goes through :meth:`PersonalizeHook.call`, which rides out
rate limits (``hooks/retries.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from botocore.exceptions import ClientError

from airflow_provider_personalize.hooks.caller import caller_class_name
from airflow_provider_personalize.hooks.retries import (
    PendingJobsQuotaError,
    RateLimitPolicy,
    error_code,
    error_message,
    pending_jobs_quota_reached,
    rate_limited,
)
from airflow_provider_personalize.hooks.service_models import share_service_models
from airflow_provider_personalize.resources import ResourceKind, UpdateKind, WaitableKind
from airflow_provider_personalize.waits import (
    PersonalizeResourceFailedError,
    PersonalizeWaitInterruptedError,
    PersonalizeWaitTimeoutError,
    is_settled,
)

__all__ = [
    "PersonalizeBaseHook",
    "PersonalizeHook",
    "PersonalizeResourceFailedError",
    "PersonalizeRuntimeHook",
    "PersonalizeWaitInterruptedError",
    "PersonalizeWaitTimeoutError",
    "error_code",
]

# The largest page every Personalize ListX operation accepts.
_LIST_PAGE_SIZE = 100
# Sorts a summary without a creation time last.
_LONG_AGO = datetime.min.replace(tzinfo=UTC)


class PersonalizeBaseHook(AwsBaseHook):
    """
    What both Personalize hooks share, beyond AwsBaseHook:

    - the client type, which their class names;
    - botocore's service models, loaded once per process for all their sessions
      (:mod:`airflow_provider_personalize.hooks.service_models`);
    - the User-Agent's caller, found without reading the source of the stack
      (:mod:`airflow_provider_personalize.hooks.caller`).

    Additional arguments (such as ``aws_conn_id``) may be specified and
    are passed down to the underlying AwsBaseHook.
    """

    client_type: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["client_type"] = self.client_type
        super().__init__(*args, **kwargs)

    def get_session(self, region_name: str | None = None, deferrable: bool = False) -> Any:
        session = super().get_session(region_name=region_name, deferrable=deferrable)
        share_service_models(session)
        return session

    def _get_caller(self, target_function_name: str = "execute") -> str:
        # AwsBaseHook's answer without its inspect.stack() (hooks/caller.py).
        return caller_class_name(target_function_name)


class PersonalizeHook(PersonalizeBaseHook):
    """
    Interact with Amazon Personalize's control plane.

    Provide thin wrapper around :external+boto3:py:class:`boto3.client("personalize") <Personalize.Client>`,
    plus helpers that describe, find, create, update, delete and wait for any kind of resource, given its
    kind from :mod:`airflow_provider_personalize.resources`.

    Rate limits are retried (:meth:`call`); a Create refused by a pending-jobs quota raises
    :class:`~airflow_provider_personalize.hooks.retries.PendingJobsQuotaError` (:meth:`create`). Waits
    (and the retries' backoff) sleep in :meth:`sleep`, which :meth:`interrupt` cuts short, so that a task
    told to stop (SIGTERM, ``on_kill``) stops at once.

    Additional arguments (such as ``aws_conn_id``) may be specified and
    are passed down to the underlying AwsBaseHook.

    .. seealso::
        - :class:`airflow.providers.amazon.aws.hooks.base_aws.AwsBaseHook`
    """

    client_type = "personalize"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rate_limit_policy = RateLimitPolicy.from_config()
        self._interrupted = threading.Event()

    def call(
        self, method_name: str, request: Mapping[str, Any], *, creating: ResourceKind | None = None
    ) -> Any:
        """Send one request (``method_name`` of the boto3 client, with ``request``'s members) and return its
        response.

        A rate-limited request is sent again after a jittered backoff, within the hook's
        ``rate_limit_policy``; the last error is raised when its budget is spent. ``creating`` is the kind
        a Create request creates: its pending-jobs quota answers are not rate limits (see :meth:`create`).
        """
        method = getattr(self.conn, method_name)

        def log_retry(retry_state: Any) -> None:
            error = retry_state.outcome.exception()
            self.log.info(
                "Personalize %s was rate-limited (%s: %s); sending it again in %.1f s (attempt %d)",
                method_name,
                error_code(error) or type(error).__name__,
                error_message(error) or error,
                retry_state.next_action.sleep,
                retry_state.attempt_number + 1,
            )

        retrying = self.rate_limit_policy.retrying(
            lambda error: rate_limited(error, creating), sleep=self.sleep, before_sleep=log_retry
        )
        return retrying(method, **request)

    def sleep(self, seconds: float) -> None:
        """Sleep, unless :meth:`interrupt` is called first or meanwhile: then raise
        :class:`PersonalizeWaitInterruptedError` at once."""
        if self._interrupted.wait(seconds):
            raise PersonalizeWaitInterruptedError(
                "Stopped waiting for Personalize: the task was told to stop (SIGTERM, or on_kill)"
            )

    def interrupt(self) -> None:
        """End the current and every later :meth:`sleep` of this hook at once (safe in a signal handler)."""
        self._interrupted.set()

    def describe(self, kind: WaitableKind, arn: str) -> dict[str, Any]:
        """The resource's Describe body (``describeDatasetImportJob(...)["datasetImportJob"]``); for an
        update kind, the updated resource's."""
        response = self.call(kind.describe_method, {kind.arn_member: arn})
        return response[kind.response_key]

    def status(self, kind: WaitableKind, arn: str) -> str:
        """The status the kind waits on (for update kinds, the latest update's status)."""
        return kind.status_of(self.describe(kind, arn))

    def create(self, kind: ResourceKind, request: dict[str, Any]) -> str:
        """Send the kind's Create request as given; return the new resource's ARN.

        :raises PendingJobsQuotaError: the service refused it for a pending-jobs quota (five unfinished
            import jobs in the region, ...); it may succeed once an earlier job ends.
        """
        try:
            response = self.call(kind.create_method, request, creating=kind)
        except ClientError as error:
            if pending_jobs_quota_reached(error, kind):
                raise PendingJobsQuotaError(kind, error_message(error)) from error
            raise
        return response[kind.arn_member]

    def update(self, kind: UpdateKind, request: dict[str, Any]) -> None:
        """Send the kind's Update request (``UpdateCampaign`` for ``CAMPAIGN_UPDATE``) as given."""
        self.call(kind.update_method, request)

    def delete(self, kind: ResourceKind, arn: str) -> bool:
        """Ask for the resource's deletion; False if it is already gone.

        Deletion is asynchronous (see :meth:`wait_until_deleted`), except for schemas.
        """
        if not kind.delete_method:
            raise ValueError(f"A Personalize {kind.label} cannot be deleted")
        try:
            self.call(kind.delete_method, {kind.arn_member: arn})
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return False
            raise
        return True

    def describe_if_exists(self, kind: WaitableKind, arn: str) -> dict[str, Any] | None:
        """The resource's Describe body, or None if it does not exist (or no longer does)."""
        try:
            return self.describe(kind, arn)
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None
            raise

    def solution_metrics(self, solution_version_arn: str) -> dict[str, float]:
        """The offline metrics of a trained solution version (GetSolutionMetrics)."""
        response = self.call("get_solution_metrics", {"solutionVersionArn": solution_version_arn})
        return response.get("metrics", {})

    def stop_creation(self, kind: ResourceKind, arn: str) -> None:
        """Stop a resource's creation (only kinds the table marks stoppable: solution versions)."""
        if not kind.stop_method:
            raise ValueError(f"The creation of a Personalize {kind.label} cannot be stopped")
        self.call(kind.stop_method, {kind.arn_member: arn})

    def list_summaries(self, kind: ResourceKind, parent_arn: str | None = None) -> Iterator[dict[str, Any]]:
        """Every summary ListX returns, all pages, filtered by the parent where the API has that filter."""
        request: dict[str, Any] = {"maxResults": _LIST_PAGE_SIZE}
        if kind.list_filter_member and parent_arn:
            request[kind.list_filter_member] = parent_arn
        while True:
            response = self.call(kind.list_method, request)
            yield from response.get(kind.list_key, [])
            if not response.get("nextToken"):
                return
            request["nextToken"] = response["nextToken"]

    def find_by_name(
        self, kind: ResourceKind, name: str, parent_arn: str | None = None
    ) -> dict[str, Any] | None:
        """The Describe body of the resource of this kind named ``name`` (under ``parent_arn``), or None."""
        return self.find_by_names(kind, [name], parent_arn).get(name)

    def find_by_names(
        self,
        kind: ResourceKind,
        names: Collection[str],
        parent_arn: str | None = None,
        *,
        created_since: datetime | None = None,
    ) -> dict[str, dict[str, Any]]:
        """The Describe bodies of the resources of this kind (under ``parent_arn``) named any of ``names``,
        by name; one List of the kind, one Describe per resource found.

        Solution versions' list summaries carry no name, so each candidate is described, newest first,
        until every name is found: the candidates are those created at or after ``created_since`` (when
        given), so that the cost of a lookup does not grow with the solution's history. Where several
        candidates share a name (the service does not refuse a version's name twice), the newest wins.
        """
        wanted = set(names)
        found: dict[str, dict[str, Any]] = {}
        unnamed = []
        for summary in self.list_summaries(kind, parent_arn):
            if kind.name_member not in summary:
                created = summary.get("creationDateTime")
                if created_since is None or created is None or created >= created_since:
                    unnamed.append(summary)
            elif summary[kind.name_member] in wanted and summary[kind.name_member] not in found:
                found[summary[kind.name_member]] = self.describe(kind, summary[kind.arn_member])
        unnamed.sort(key=lambda summary: summary.get("creationDateTime", _LONG_AGO), reverse=True)
        for summary in unnamed:
            if wanted <= found.keys():
                break
            description = self.describe(kind, summary[kind.arn_member])
            name = description.get(kind.name_member)
            if name in wanted and name not in found:
                found[name] = description
        return found

    def wait(
        self, kind: WaitableKind, arn: str, *, waiter_delay: float, waiter_max_attempts: int
    ) -> dict[str, Any]:
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
        self, kind: ResourceKind, arn: str, *, waiter_delay: float, waiter_max_attempts: int
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
        self,
        kind: WaitableKind,
        arn: str,
        *,
        until_deleted: bool,
        waiter_delay: float,
        waiter_max_attempts: int,
    ) -> dict[str, Any] | None:
        """Describe every ``waiter_delay`` s until the resource settles (is gone, with ``until_deleted``)."""
        last_status: str | None = None
        for attempt in range(1, waiter_max_attempts + 1):
            description = self.describe_if_exists(kind, arn) if until_deleted else self.describe(kind, arn)
            status = "deleted" if description is None else kind.status_of(description)
            if status != last_status:
                self.log.info("Personalize %s %s is %s", kind.label, arn, status or "(no status)")
                last_status = status
            if description is None:
                return None
            if not until_deleted and is_settled(kind, arn, description):
                return description
            if attempt < waiter_max_attempts:
                self.sleep(waiter_delay)
        raise PersonalizeWaitTimeoutError(kind.timeout_message(arn, last_status or "", waiter_max_attempts))


class PersonalizeRuntimeHook(PersonalizeBaseHook):
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
