"""The retry policy: which failed requests are sent again, how soon, and for how long.

Two kinds of answers say "not now" rather than "no", and neither fails a task:

- **Rate limits**, on any request: the throttling codes of AWS's front ends (``ThrottlingException``,
  ``TooManyRequestsException``, HTTP 429, ...) and Personalize's own ``LimitExceededException``, which its
  API reference documents as "The limit on the number of requests per second has been exceeded"
  (https://docs.aws.amazon.com/personalize/latest/dg/API_DescribeDatasetImportJob.html#API_DescribeDatasetImportJob_Errors).
  The hook sends the request again after a full-jitter exponential backoff
  (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), for up to a time budget
  (:class:`RateLimitPolicy`); the trigger's polls ride them out on its own schedule.
- **Pending-jobs quotas**, on a Create: the same ``LimitExceededException``, saying "More than 5 resources
  with PENDING or IN_PROGRESS status." when five import jobs are unfinished in the region
  (https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html). Such a quota clears when an
  earlier job ends, minutes later: the hook raises :class:`PendingJobsQuotaError` at once, and the create
  machine waits it out within the task's budget (:class:`QuotaWait`), in the worker or, deferrable, on a
  timer in the triggerer.

Why our own policy over botocore's retry modes: botocore's ``standard`` and ``adaptive`` modes do count
``LimitExceededException`` as throttling, but they cannot tell a quota answer on a Create from a rate
limit (they would spend their attempts in seconds on a quota that clears in minutes), their retry quota
(a token bucket per client) stops all retries in a long storm, and their classes are not a public
interface. The hook keeps whatever retry mode the connection configures (botocore's default ``legacy``
mode retries ``ThrottlingException`` a few times itself); this policy is the layer above it, and
``tenacity`` (Airflow's own retry library) runs it.

This module is cheap to import: tenacity is imported when a policy first runs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import AirflowException, conf

if TYPE_CHECKING:
    from tenacity import Retrying

    from airflow_provider_personalize.resources import ResourceKind

# Error codes that mean "slow down" and nothing about the request or the resource. LimitExceededException
# is one on every request but a Create, where it may be a quota (see pending_jobs_quota_reached).
THROTTLING_ERROR_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "LimitExceededException",
        "SlowDown",
    }
)
TOO_MANY_REQUESTS = 429
# The words of AWS's throttling answers ("Rate exceeded"; Personalize's API reference: "The limit on the
# number of requests per second has been exceeded"): a LimitExceededException saying so is a rate limit
# even on a Create.
_RATE_WORDS = ("rate exceeded", "rate limit", "too many requests", "throttl", "requests per second")
# The statuses a pending-jobs quota names ("More than 5 resources with PENDING or IN_PROGRESS status.").
_UNFINISHED_STATUS_WORDS = ("PENDING", "IN_PROGRESS")

CONFIG_SECTION = "personalize"


def error_code(error: BaseException) -> str:
    """The service's error code (``ResourceNotFoundException``) of a failed request; "" for other errors."""
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, Mapping) else ""


def error_message(error: BaseException) -> str:
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Message", "")) if isinstance(response, Mapping) else ""


def http_status(error: BaseException) -> int:
    response = getattr(error, "response", None)
    if not isinstance(response, Mapping):
        return 0
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


def pending_jobs_quota_reached(error: BaseException, creating: ResourceKind) -> bool:
    """Whether ``error``, the answer to a Create of ``creating``, is a pending-jobs quota.

    A ``LimitExceededException`` is one when its message names the unfinished statuses (AWS's words), or
    when the kind has such a quota and the message does not speak of a rate: waiting a quota out costs a
    little time if it was a rate limit after all, failing the task on a quota would fail a night's run.
    """
    if error_code(error) != "LimitExceededException":
        return False
    message = error_message(error)
    if any(word in message for word in _UNFINISHED_STATUS_WORDS):
        return True
    speaks_of_rate = any(word in message.lower() for word in _RATE_WORDS)
    return creating.pending_jobs_quota is not None and not speaks_of_rate


def rate_limited(error: BaseException, creating: ResourceKind | None = None) -> bool:
    """Whether ``error`` is a rate limit, for a request that creates a ``creating`` (None: any other).

    On a Create, a ``LimitExceededException`` that neither is a pending-jobs quota nor speaks of a rate
    (nor is silent) is a count quota ("Exceeded the limit of 5 dataset groups per region."): no retry
    within minutes lifts it, so it is not one.
    """
    if creating is not None and error_code(error) == "LimitExceededException":
        if pending_jobs_quota_reached(error, creating):
            return False
        message = error_message(error).lower()
        return not message or any(word in message for word in _RATE_WORDS)
    return error_code(error) in THROTTLING_ERROR_CODES or http_status(error) == TOO_MANY_REQUESTS


class PendingJobsQuotaError(AirflowException):
    """A Create was refused by a pending-jobs quota: it may succeed once an earlier job ends."""

    def __init__(self, kind: ResourceKind, service_message: str) -> None:
        self.kind = kind
        self.service_message = service_message
        super().__init__(f"{self.quota}: the service says {service_message!r}")

    @property
    def quota(self) -> str:
        """Which quota, in words: the table's (with its source) or, for a kind without one, the service's."""
        return self.kind.pending_jobs_quota or f"a quota on unfinished {self.kind.label}s"


@dataclass(frozen=True)
class RateLimitPolicy:
    """How the hook retries a rate-limited request: full-jitter exponential backoff within a budget.

    The n-th retry waits a random time in ``[0, min(base_delay * 2 ** (n - 1), max_delay)]``; no retry
    starts once ``budget_seconds`` have passed since the first attempt. Full jitter spreads the retries
    of many clients throttled together; the budget (5 minutes by default) outlasts a storm of 60 %
    throttled requests with a margin (the chance that 25 attempts in a row are throttled is 3e-6).
    """

    base_delay: float = 1.0
    max_delay: float = 20.0
    budget_seconds: float = 300.0

    @classmethod
    def from_config(cls) -> RateLimitPolicy:
        """The policy the ``[personalize]`` section of Airflow's configuration sets (documented in the
        provider's configuration: ``rate_limit_base_delay``, ``rate_limit_max_delay``,
        ``rate_limit_budget``), else the defaults."""
        default = cls()
        return cls(
            base_delay=conf.getfloat(CONFIG_SECTION, "rate_limit_base_delay", fallback=default.base_delay),
            max_delay=conf.getfloat(CONFIG_SECTION, "rate_limit_max_delay", fallback=default.max_delay),
            budget_seconds=conf.getfloat(
                CONFIG_SECTION, "rate_limit_budget", fallback=default.budget_seconds
            ),
        )

    def retrying(
        self,
        retryable: Callable[[BaseException], bool],
        *,
        sleep: Callable[[float], None],
        before_sleep: Callable[[Any], None],
    ) -> Retrying:
        """A tenacity ``Retrying`` that sends a call again while ``retryable`` says so, within the budget;
        it raises the last error when the budget is spent."""
        import tenacity

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(retryable),
            wait=tenacity.wait_random_exponential(multiplier=self.base_delay, max=self.max_delay),
            stop=tenacity.stop_after_delay(self.budget_seconds),
            sleep=sleep,
            before_sleep=before_sleep,
            reraise=True,
        )


# A quota wait retries the Create at most this often: each try is a request against the user's rate.
_MIN_QUOTA_RETRY_SECONDS = 1.0
# Each interval is shortened by up to this fraction at random, so that tasks refused together (a mapped
# fan-out) do not all try again at the same moment.
_QUOTA_JITTER = 0.2


class QuotaWaitExpiredError(AirflowException):
    """A pending-jobs quota did not clear within the task's budget."""


@dataclass(frozen=True)
class QuotaWait:
    """A wait for a pending-jobs quota to clear, across tries of the Create and across deferrals.

    ``started`` is when the first Create was refused; the wait may last ``budget_seconds`` from then (the
    task's wait budget, ``waiter_delay`` x ``waiter_max_attempts``), trying again every ``interval``
    seconds (``waiter_delay``, at least a second), jittered.
    """

    started: datetime
    budget_seconds: float
    interval: float

    @classmethod
    def starting_now(cls, budget_seconds: float, interval: float) -> QuotaWait:
        return cls(datetime.now(UTC), budget_seconds, interval)

    def waited(self) -> float:
        return (datetime.now(UTC) - self.started).total_seconds()

    def next_delay(self, refusal: PendingJobsQuotaError) -> float:
        """Seconds until the next try of the Create; raises :class:`QuotaWaitExpiredError` when the budget
        does not allow another one."""
        waited = self.waited()
        interval = max(self.interval, _MIN_QUOTA_RETRY_SECONDS)
        delay = interval * random.uniform(1 - _QUOTA_JITTER, 1)
        if waited + delay > self.budget_seconds:
            raise QuotaWaitExpiredError(
                f"Personalize refused to create the {refusal.kind.label} for {_duration(waited)}, the task's "
                f"budget ({_duration(self.budget_seconds)}, waiter_delay x waiter_max_attempts): {refusal}. "
                "Raise waiter_max_attempts to wait longer, or run fewer of these jobs at once (a pool)."
            )
        return delay

    def describe(self, refusal: PendingJobsQuotaError, delay: float) -> str:
        """The log line of one refusal: which quota, how long waited so far, when the next try comes."""
        return (
            f"Personalize quota reached, {refusal}; waited {_duration(self.waited())} of "
            f"{_duration(self.budget_seconds)}, trying to create the {refusal.kind.label} again in "
            f"{delay:.0f} s"
        )


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
