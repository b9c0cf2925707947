"""The clock: one thread per process that moves every status walk on time, whether or not anyone polls.

On AWS a job runs, writes its output and reaches its final status on its own; a client that waits for the
output in S3 (an S3 sensor, an Airflow asset watcher, another team's consumer) rather than describing the
job sees it appear. So every walk under time progression (``lifecycle.py``) tells the clock when its next
status is due, and the clock's thread takes that step then: the job's data work starts as it enters its
in-progress status, and its result (records, a model, output files) lands as it enters its final status.

- The thread starts when the first walk is scheduled and ends when nothing is due, so that an emulator
  nobody uses costs nothing. ``cancel`` drops walks (moto's reset, and the mock's exit, which resets,
  cancel every walk of the backends they reset: ``models.PersonalizeEmulatorBackend.reset``), so the thread
  ends with them.
- Manual and immediate progressions never involve the clock (their walks step on describes, or at once),
  so tests that use them stay deterministic.
- Thread safety: the clock's lock guards only its queue; a walk is stepped with the clock's lock released,
  under the walk's own lock, as a request thread would step it.
"""

import heapq
import itertools
import threading
import time
from typing import Protocol

from .internal_failures import INTERNAL_FAILURES


class Walk(Protocol):
    def tick(self) -> None:
        """Take the steps that are due (and tell the clock when the next one is)."""


class Clock:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._queue: list[tuple[float, int, Walk]] = []
        self._due: dict[int, float] = {}  # id of a queued walk -> when it is due (the queue holds the walk)
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, walk: Walk, at: float) -> None:
        """Tick ``walk`` at ``at`` (``time.monotonic()`` seconds), unless it is due sooner already."""
        with self._condition:
            due = self._due.get(id(walk))
            if due is not None and due <= at:
                return
            self._due[id(walk)] = at
            heapq.heappush(self._queue, (at, next(self._order), walk))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="personalize-emulator clock", daemon=True
                )
                self._thread.start()
            self._condition.notify()

    def cancel(self, walks: list[Walk]) -> None:
        """Never tick ``walks`` again (until they are scheduled anew)."""
        cancelled = {id(walk) for walk in walks}
        with self._condition:
            for key in cancelled:
                self._due.pop(key, None)
            self._queue = [entry for entry in self._queue if id(entry[2]) not in cancelled]
            heapq.heapify(self._queue)
            self._condition.notify()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _next_due(self) -> Walk | None:
        """Wait for the next walk that is due; None when nothing is queued (the thread then ends)."""
        with self._condition:
            while self._queue:
                at, _, walk = self._queue[0]
                if self._due.get(id(walk)) != at:  # superseded by an earlier tick, or cancelled
                    heapq.heappop(self._queue)
                    continue
                delay = at - time.monotonic()
                if delay > 0:
                    self._condition.wait(delay)
                    continue
                heapq.heappop(self._queue)
                del self._due[id(walk)]
                return walk
            self._thread = None
            return None

    def _run(self) -> None:
        while (walk := self._next_due()) is not None:
            try:
                walk.tick()
            except Exception as error:  # an emulator bug: recorded, and the clock keeps going
                INTERNAL_FAILURES.record("the clock's tick of a status walk", error)


CLOCK = Clock()
