"""Read-only Personalize requests for the view, cached so that page views do not storm the API.

Every answer is kept ANSWER_TTL_SECONDS per (connection, region, operation, parameters): a page view,
a reload, or several people looking at the same dataset group within that time cost one request each.
Concurrent misses of one key wait for a single request (no stampede). Answers about resources that
can no longer change (the offline metrics of a trained solution version, a finished job) are kept
without expiry, in a bounded cache. Caches are per api-server worker process.

The client is the provider's hook's boto3 client for the Airflow connection, with short timeouts and
few retries, so that a slow or throttled API turns into a message in the page within seconds: errors
become :class:`ViewError`, which says what happened in words a user can act on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

import cachetools
from airflow.providers.common.compat.sdk import AirflowNotFoundException
from botocore import exceptions as botocore_errors
from botocore.config import Config

from airflow_provider_personalize.hooks.personalize import PersonalizeHook

ANSWER_TTL_SECONDS = 30
_ANSWERS_MAX_ENTRIES = 10_000
_SETTLED_MAX_ENTRIES = 50_000
# The view's own client settings, over the connection's: a page must answer in seconds, not after
# botocore's default 60 s read timeout and a retry storm.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})
# Error codes by which AWS says "too many requests". Any read refused so is a rate limit, since a
# read creates nothing: https://docs.aws.amazon.com/personalize/latest/dg/CommonErrors.html
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "LimitExceededException"}
)
# The largest page every Personalize ListX operation accepts.
LIST_PAGE_SIZE = 100

Request = tuple[str, str, str, tuple[tuple[str, Any], ...]]


class ViewError(Exception):
    """Why the view cannot show something: an HTTP status and a message for the page."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def _request_key(reader: PersonalizeReader, operation: str, params: tuple[tuple[str, Any], ...]) -> Request:
    return (reader.conn_id, reader.region_name or "", operation, params)


_answers_lock = threading.Lock()


@cachetools.cached(
    cachetools.TTLCache(maxsize=_ANSWERS_MAX_ENTRIES, ttl=ANSWER_TTL_SECONDS),
    key=_request_key,
    lock=_answers_lock,
    condition=threading.Condition(_answers_lock),
)
def _recent_answer(reader: PersonalizeReader, operation: str, params: tuple[tuple[str, Any], ...]) -> dict:
    return reader.send(operation, dict(params))


_settled_lock = threading.Lock()


@cachetools.cached(
    cachetools.LRUCache(maxsize=_SETTLED_MAX_ENTRIES),
    key=_request_key,
    lock=_settled_lock,
    condition=threading.Condition(_settled_lock),
)
def _settled_answer(reader: PersonalizeReader, operation: str, params: tuple[tuple[str, Any], ...]) -> dict:
    return reader.send(operation, dict(params))


def forget_answers(keep_settled: bool = False) -> None:
    """Empty the caches (tests and benchmarks start from a known state); ``keep_settled``: as the TTL does."""
    _recent_answer.cache_clear()
    if not keep_settled:
        _settled_answer.cache_clear()


class PersonalizeReader:
    """Personalize's read-only requests for one Airflow connection and region (None: the connection's)."""

    def __init__(self, conn_id: str, region_name: str | None) -> None:
        self.conn_id = conn_id
        self.region_name = region_name

    @cached_property
    def hook(self) -> PersonalizeHook:
        return PersonalizeHook(aws_conn_id=self.conn_id, region_name=self.region_name)

    def require_connection(self) -> None:
        """Refuse an unknown connection, rather than let the hook fall back on the server's own identity."""
        try:
            self.hook.get_connection(self.conn_id)
        except AirflowNotFoundException:
            raise ViewError(404, f"There is no Airflow connection named {self.conn_id!r}.") from None

    @cached_property
    def client(self) -> Any:
        return self.hook.get_client_type(config=self.hook.config.merge(CLIENT_CONFIG))

    @property
    def resolved_region(self) -> str:
        """The region the requests go to: the one asked for, else the connection's, else boto's default."""
        return self.hook.region_name or self.client.meta.region_name

    def call(self, operation: str, **params: Any) -> dict:
        """The answer to a read request (``"describe_campaign", campaignArn=...``), cached briefly."""
        return _recent_answer(self, operation, tuple(sorted(params.items())))

    def call_settled(self, operation: str, **params: Any) -> dict:
        """The answer to a read request about something that can no longer change, cached for good."""
        return _settled_answer(self, operation, tuple(sorted(params.items())))

    def list_all(self, operation: str, key: str, **params: Any) -> Iterator[dict]:
        """Every item of a ListX answer (``key``: its list member), page after page."""
        request = {"maxResults": LIST_PAGE_SIZE, **params}
        while True:
            page = self.call(operation, **request)
            yield from page.get(key, [])
            if not page.get("nextToken"):
                return
            request["nextToken"] = page["nextToken"]

    def send(self, operation: str, params: dict) -> dict:
        """Send one request; what went wrong, as a :class:`ViewError`."""
        try:
            request: Callable[..., dict] = getattr(self.client, operation)
            answer = request(**params)
        except botocore_errors.ClientError as error:
            raise self._client_error(operation, error) from error
        except (botocore_errors.ReadTimeoutError, botocore_errors.ConnectionError) as error:
            raise ViewError(
                504, f"Amazon Personalize did not answer {self._where()} ({error}). Try again later."
            ) from error
        except botocore_errors.NoCredentialsError as error:
            raise ViewError(
                502, f"The Airflow connection {self.conn_id!r} gives no AWS credentials ({error})."
            ) from error
        except botocore_errors.BotoCoreError as error:
            raise ViewError(
                502, f"The request to Amazon Personalize {self._where()} failed: {error}"
            ) from error
        answer.pop("ResponseMetadata", None)
        return answer

    def _client_error(self, operation: str, error: botocore_errors.ClientError) -> ViewError:
        details = error.response.get("Error", {})
        code, message = details.get("Code", ""), details.get("Message", "")
        if code in THROTTLING_CODES:
            return ViewError(
                503,
                f"Amazon Personalize is throttling requests {self._where()} ({code}: {message}). The view "
                f"keeps answers for {ANSWER_TTL_SECONDS} s: reload in a minute.",
            )
        if code == "ResourceNotFoundException":
            return ViewError(404, f"Amazon Personalize found no such resource {self._where()}: {message}")
        return ViewError(502, f"Amazon Personalize refused {operation} {self._where()} ({code}: {message}).")

    def _where(self) -> str:
        return f"for connection {self.conn_id!r} in {self.region_name or 'its region'}"
