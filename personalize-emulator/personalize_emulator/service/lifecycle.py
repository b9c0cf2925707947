"""Status lifecycles driven by moto's state manager.

Every status-bearing resource holds a :class:`Lifecycle`: a walk through a sequence of statuses
(creation, deletion, stop, start, update). How fast it walks is moto's state-manager transition for the
resource kind's model name, ``personalize::<ARN resource type>`` (``personalize::dataset-import-job``,
``personalize::solution-version``, ...):

- default: ``{"progression": "time", "seconds": S}`` with S from ``PERSONALIZE_EMULATOR_STEP_SECONDS``
  (default 1, floats allowed), read as the server starts and as each ``mock_personalize()`` starts. The
  walk moves on time whether or not anyone reads its status: it tells the clock (``clock.py``) when its
  next status is due, and the clock's thread takes the step then. A read takes any step that is due too
  (a status read 3.5 steps after the last change has moved three statuses, as the real service would have);
- ``{"progression": "manual", "times": N}``: one status every N describes of the resource;
- ``{"progression": "immediate"}``: straight to the end of the walk, as the walk begins.

Each status entered calls back the owner, which is where the work of a job happens (see
``resources.Resource._on_status``); a callback may end the walk early with :meth:`Lifecycle.end`. An owner
may also hold the walk before a status until it is ready (a job's final status waits for its data work,
and :meth:`Lifecycle.wake` it when the work is done).

Threads: a walk steps under its own lock, on a request thread or the clock's. A status callback may read
other resources' statuses (a job reads its dataset's); a read made from inside a walk never waits for
another walk's lock (it sees that walk's status as it stands), so two walks reading each other cannot
deadlock. Timestamps (``updated_at``, and :func:`now` for creation times) have millisecond precision, as
AWS's have.

Transitions are moto's state manager's (``moto.moto_api.state_manager``: the defaults registered here, and
what a test sets in-process or over ``/moto-api/state-manager/set-transition``). moto's ``ManagedState``
mixin does not fit the walk: its statuses are fixed at creation (a resource here walks again to delete,
stop, start), its time progression moves one status per read however long ago the last one was due (here
a walk catches up, as the real service would have moved on), and it can neither call back on each status
nor hold a status until a job's work is done. So the walk keeps its own position and reads only the state
manager's public interface.
"""

import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from moto.moto_api import state_manager

from .clock import CLOCK

STEP_SECONDS_VARIABLE = "PERSONALIZE_EMULATOR_STEP_SECONDS"
MODEL_NAME_PREFIX = "personalize::"

# A deleted resource's last status: the owner forgets it, the API never shows it.
GONE = "DELETED"

CREATE = ("CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE")
CREATE_FAILED = "CREATE FAILED"
DELETE = ("DELETE PENDING", "DELETE IN_PROGRESS", GONE)
BATCH_JOB = ("PENDING", "IN PROGRESS", "ACTIVE")
DATA_DELETION_JOB = ("PENDING", "IN_PROGRESS", "COMPLETED")
DATA_DELETION_JOB_FAILED = "FAILED"
STOP_SOLUTION_VERSION = ("CREATE STOPPING", "CREATE STOPPED")
STOP_RECOMMENDER = ("STOP PENDING", "STOP IN_PROGRESS", "INACTIVE")
START_RECOMMENDER = ("START PENDING", "START IN_PROGRESS", "ACTIVE")

# Statuses of unfinished work, which count against the "in progress" quotas.
RUNNING = frozenset(
    {"CREATE PENDING", "CREATE IN_PROGRESS", "PENDING", "IN PROGRESS", "IN_PROGRESS", "CREATE STOPPING"}
)

StatusCallback = Callable[[str], None]
# Whether the walk may enter a status now; with ``wait`` the owner blocks until it may.
EntryGate = Callable[[str, bool], bool]


# Whether this thread is stepping a walk (see the module docstring: reads from inside a walk never wait).
_stepping_here = threading.local()


def now() -> float:
    """The time, in epoch seconds with millisecond precision (AWS's timestamps have three decimals)."""
    return round(time.time(), 3)


def model_name(arn_resource_type: str) -> str:
    return f"{MODEL_NAME_PREFIX}{arn_resource_type}"


def step_seconds() -> float:
    return float(os.environ.get(STEP_SECONDS_VARIABLE, "1"))


def register_default_transitions(arn_resource_types: Sequence[str]) -> None:
    """Make every kind's statuses advance one step per ``PERSONALIZE_EMULATOR_STEP_SECONDS``."""
    transition = {"progression": "time", "seconds": step_seconds()}
    for arn_resource_type in arn_resource_types:
        state_manager.register_default_transition(model_name(arn_resource_type), transition)


class Lifecycle:
    """Walks nowhere until :meth:`begin` gives it statuses to walk through."""

    def __init__(self, model: str, on_status: StatusCallback, may_enter: EntryGate | None = None) -> None:
        self.model_name = model
        self._statuses: tuple[str, ...] = ()
        self._status = ""
        self._describes = 0  # counted for the manual progression
        self._on_status = on_status
        self._may_enter = may_enter
        # Server mode serves requests on many threads: one walk, one step at a time. Re-entrant, because
        # a status callback may begin a new walk (a job that fails ends in its failed status).
        self._stepping = threading.RLock()
        # Set while the walk steps: a status callback that reads the status (a job listing its siblings)
        # must not take further steps from inside the step it is part of.
        self._walking = False
        self._stepped_at = time.monotonic()
        self._cancelled = False
        self.updated_at = now()

    def begin(self, statuses: Sequence[str]) -> None:
        """Start a new walk (deletion, stop, start ...) from its first status."""
        self._statuses = tuple(statuses)
        self._status = statuses[0]
        self._describes = 0
        self._stepped_at = time.monotonic()
        self.updated_at = now()
        self._progress()  # an immediate progression ends now, whatever the transition is later

    def end(self, status: str) -> None:
        """Stop walking, in ``status`` (a failure, for instance)."""
        self.begin((status,))

    @property
    def status(self) -> str:
        self._progress()
        return self._status

    def advance(self) -> None:
        """Count one describe, for the manual progression."""
        self._describes += 1

    def tick(self) -> None:
        """The clock's call: take the steps that are due."""
        self._progress()

    def wake(self) -> None:
        """The owner is ready for a held step: take it as soon as it is due."""
        if not self._cancelled:
            CLOCK.schedule(self, time.monotonic())

    def cancel(self) -> None:
        """Stop walking for good (the resource's backend is reset): no step is taken after this."""
        self._cancelled = True
        CLOCK.cancel([self])

    def _following(self) -> str | None:
        """The status after the current one; None at the end of the walk."""
        position = self._statuses.index(self._status) if self._status in self._statuses else -1
        return self._statuses[position + 1] if 0 <= position < len(self._statuses) - 1 else None

    def _steps_due(self, transition: dict[str, Any]) -> int:
        progression = transition["progression"]
        if progression == "manual":
            if self._describes < transition["times"]:
                return 0
            self._describes = 0
            return 1
        if progression == "time" and float(transition["seconds"]) > 0:
            seconds = float(transition["seconds"])
            steps = int((time.monotonic() - self._stepped_at) // seconds)
            self._stepped_at += steps * seconds
            return steps
        return len(self._statuses)

    def _progress(self) -> None:
        inside_a_walk = getattr(_stepping_here, "active", False)
        if not self._stepping.acquire(blocking=not inside_a_walk):
            return  # another thread steps this walk; a read from inside a walk sees the status as it stands
        try:
            if self._walking or self._cancelled:
                return
            self._walking = True
            _stepping_here.active = True
            try:
                self._walk()
            finally:
                self._walking = False
                _stepping_here.active = inside_a_walk
        finally:
            self._stepping.release()

    def _walk(self) -> None:
        transition = state_manager.get_transition(self.model_name)
        timed = transition["progression"] == "time" and float(transition["seconds"]) > 0
        steps = self._steps_due(transition)
        for step in range(steps):
            following = self._following()
            if following is None:
                return
            # Time progression never blocks a request: a held step stays due, and is taken once the
            # owner is ready (it wakes the walk). Other progressions (tests) wait, so that they stay
            # deterministic.
            if self._may_enter is not None and not self._may_enter(following, not timed):
                if timed:
                    self._stepped_at -= (steps - step) * float(transition["seconds"])
                return
            self._status = following
            self.updated_at = now()
            self._on_status(following)
        if timed and self._following() is not None:
            CLOCK.schedule(self, self._stepped_at + float(transition["seconds"]))
