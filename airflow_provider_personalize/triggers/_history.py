"""How long a job can be expected to take: how long the latest jobs like it under the same parent took.

A nightly pipeline runs the same jobs every night, and last night's import of a dataset took about as long
as tonight's will. The service says how long: the summaries ListX answers carry each job's status,
creationDateTime and lastUpdatedDateTime, which for a job that ended is when it ended (jobs and solution
versions never change once ended; other kinds are updated after their creation, so only those kinds have
a history here). The expected duration is the median of the latest ``HISTORY_SIZE`` successful ones with
the same mode (``importMode``, ``trainingMode``: see ``ResourceKind.mode_member``), robust to an outlier.

A wait learns its job's parent, creation time and mode from its first Describe body (every kind with a
history names its parent there), so it needs nothing from the task that deferred, and a sensor's wait, an
adopted job's or one resumed by a restarted triggerer gets the same schedule.

Cost: one ListX request (one page, the most the service returns) per (connection, kind, parent), shared by
every wait of the process on that kind and parent, and kept ``LISTING_TTL_SECONDS``. It runs in a task of
its own: a wait polls on its backoff meanwhile and never waits for it. Any failure of it (no permission to
list, throttling, a network error, a client closed under it) means no history, never a failed wait: the
wait polls on its backoff, as it would without history; a failure is kept as long as a listing, so that a
thousand waits on a parent send one failing request, not a thousand.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from airflow_provider_personalize.resources import ResourceKind, WaitableKind
from airflow_provider_personalize.triggers._schedule import DURATION_SPREAD, ExpectedEndSchedule, PollSchedule

HISTORY_SIZE = 5
LISTING_TTL_SECONDS = 600.0
# ListX's largest page. AWS does not document the order of a listing (the emulator lists the latest
# first); the jobs of the page are sorted here by creation time.
LIST_PAGE_SIZE = 100


class PastJob(NamedTuple):
    created: datetime
    seconds: float
    mode: str | None


class Listing(NamedTuple):
    """The successful jobs of a kind under a parent, latest first; or why they could not be listed."""

    jobs: tuple[PastJob, ...]
    problem: str | None = None


def has_history(kind: WaitableKind) -> bool:
    """Whether a wait on ``kind`` can learn from earlier jobs: the kinds a pipeline creates anew every run."""
    return isinstance(kind, ResourceKind) and kind.named_per_run and kind.parent_member is not None


def past_jobs(kind: ResourceKind, summaries: Sequence[Mapping[str, Any]]) -> tuple[PastJob, ...]:
    """The jobs of ``summaries`` (ListX's) that succeeded, with how long each took, latest first."""
    assert kind.lifecycle is not None  # a kind with a history has a lifecycle
    jobs = []
    for summary in summaries:
        created, ended = summary.get("creationDateTime"), summary.get("lastUpdatedDateTime")
        if not (isinstance(created, datetime) and isinstance(ended, datetime)):
            continue
        seconds = (ended - created).total_seconds()
        if kind.lifecycle.is_success(kind.status_of(summary)) and seconds > 0:
            mode = summary.get(kind.mode_member) if kind.mode_member else None
            jobs.append(PastJob(created, seconds, mode))
    jobs.sort(key=lambda job: job.created, reverse=True)
    return tuple(jobs)


def expected_duration(jobs: Sequence[PastJob], mode: str | None) -> tuple[float, int] | None:
    """The median duration of the latest ``HISTORY_SIZE`` of ``jobs`` (latest first) in ``mode`` (any when
    None), and how many there were; None without any."""
    durations = [job.seconds for job in jobs if mode is None or job.mode == mode][:HISTORY_SIZE]
    return (statistics.median(durations), len(durations)) if durations else None


class _Log(Protocol):
    def info(self, event: str, *args: Any) -> Any: ...


class _Cached(NamedTuple):
    listing: asyncio.Future[Listing]
    expires: float


_listings: dict[tuple[Hashable, str, str], _Cached] = {}


def listing(client: Any, client_key: Hashable, kind: ResourceKind, parent: str) -> asyncio.Future[Listing]:
    """The jobs of ``kind`` under ``parent``, listed by ``client`` (whose sharing key is ``client_key``):
    the process's cached listing, or a new one, in its own task."""
    key = (client_key, kind.key, parent)
    now = time.monotonic()
    loop = asyncio.get_running_loop()
    cached = _listings.get(key)
    # A listing of another event loop (a test's) cannot be awaited on this one.
    if cached is not None and cached.expires > now and cached.listing.get_loop() is loop:
        return cached.listing
    for stale in [cached_key for cached_key, entry in _listings.items() if entry.expires <= now]:
        del _listings[stale]
    task = loop.create_task(_list(client, kind, parent))
    _listings[key] = _Cached(task, now + LISTING_TTL_SECONDS)
    return task


async def _list(client: Any, kind: ResourceKind, parent: str) -> Listing:
    assert kind.list_filter_member is not None  # a kind with a history is listed under its parent
    request = {kind.list_filter_member: parent, "maxResults": LIST_PAGE_SIZE}
    try:
        response = await getattr(client, kind.list_method)(**request)
    except Exception as error:  # whatever went wrong, the wait goes on without history
        return Listing((), f"{type(error).__name__}: {error}")
    return Listing(past_jobs(kind, response.get(kind.list_key, [])))


class HistoryInformedSchedule:
    """The poll schedule of one wait: the ``backoff`` until the job's history is known, then polls around
    the end it predicts (:class:`ExpectedEndSchedule`); the backoff throughout when there is none.

    :meth:`observe` each Describe body of the job in progress; the first one starts the history's lookup.
    """

    # Slots: a triggerer holds one per waiting task, thousands at a time.
    __slots__ = (
        "_arn",
        "_backoff",
        "_client",
        "_client_key",
        "_elapsed",
        "_kind",
        "_like",
        "_log",
        "_mode",
        "_observed",
        "_pending",
        "_planned",
    )

    def __init__(
        self,
        backoff: PollSchedule,
        kind: WaitableKind,
        arn: str,
        client: Any,
        client_key: Hashable,
        log: _Log,
    ) -> None:
        self._backoff = backoff
        self._kind = kind
        self._arn = arn
        self._client = client
        self._client_key = client_key
        self._log = log
        self._observed = not has_history(kind)
        self._pending: asyncio.Future[Listing] | None = None
        self._planned: ExpectedEndSchedule | None = None
        self._mode: str | None = None
        self._like = ""  # the mode in words, for the log
        # Seconds since the job's creation, as of the end of the last delay returned.
        self._elapsed = 0.0

    def next_delay(self) -> float:
        pending = self._pending
        if pending is not None and pending.done():
            # Cancelled only as its event loop shuts down, with this wait.
            self._plan(Listing((), "cancelled") if pending.cancelled() else pending.result())
            self._pending = None
        delay = (self._planned or self._backoff).next_delay()
        self._elapsed += delay
        return delay

    def slow_down(self) -> None:
        (self._planned or self._backoff).slow_down()

    def observe(self, description: Mapping[str, Any]) -> None:
        """Learn the job's parent, creation time and mode from its Describe body, the first time."""
        if self._observed:
            return
        self._observed = True
        kind = self._kind
        assert isinstance(kind, ResourceKind) and kind.parent_member is not None  # has_history(kind)
        parent, created = description.get(kind.parent_member), description.get("creationDateTime")
        if not (isinstance(parent, str) and isinstance(created, datetime)):
            return
        self._mode = description.get(kind.mode_member) if kind.mode_member else None
        self._like = f"{kind.mode_member} {self._mode}" if self._mode else ""
        # The service's clock against ours: both keep UTC, and seconds of skew matter little here.
        self._elapsed = max(0.0, time.time() - created.timestamp())
        self._pending = listing(self._client, self._client_key, kind, parent)

    def _plan(self, listing: Listing) -> None:
        kind, arn, mode = self._kind, self._arn, self._like
        expected = expected_duration(listing.jobs, self._mode)
        if expected is None:
            why = f"could not list them ({listing.problem})" if listing.problem else "there is none"
            self._log.info(
                "Personalize %s %s: no earlier successful job like it%s to learn its duration from: %s; "
                "polling on the backoff",
                kind.label,
                arn,
                f" ({mode})" if mode else "",
                why,
            )
            return
        seconds, count = expected
        self._planned = ExpectedEndSchedule(self._backoff, seconds, self._elapsed)
        self._log.info(
            "Personalize %s %s: earlier jobs like it (%sthe latest %d) took %s (median); polling most "
            "from %s to %s after its creation",
            kind.label,
            arn,
            f"{mode}, " if mode else "",
            count,
            _duration_text(seconds),
            _duration_text(seconds * (1 - DURATION_SPREAD)),
            _duration_text(seconds * (1 + DURATION_SPREAD)),
        )


def _duration_text(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
