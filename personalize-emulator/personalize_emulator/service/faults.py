"""The faults the service injects, for testing how clients cope with a misbehaving Personalize.

The service consults one registry, :data:`FAULTS`, at two points: before serving each Personalize request
(:meth:`FaultInjection.before_request`) and as a resource starts its work
(:meth:`FaultInjection.take_forced_failure`). What sets the faults (the Python API, the environment, the
HTTP route) is the harness's (``harness/faults.py``), which documents them.

Three faults, all optional, held once per emulator process:

- throttling: a fraction ``throttle_rate`` (0 to 1) of Personalize requests (optionally only the
  ``operations`` listed) fail with HTTP 400 and ``__type`` ``throttle_error``, drawn from a random
  generator seeded with ``seed``, so the same sequence of requests fails the same way every run;
- forced job failure: ``fail_next`` maps a resource kind's API name to a failureReason; the next resource
  of that kind to start its work fails with that reason, and the fault is used up;
- latency: every Personalize request waits ``latency_seconds`` before it is served.
"""

import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .exceptions import LimitExceededException, PersonalizeError

THROTTLE_ERRORS = ("ThrottlingException", "LimitExceededException")


class ThrottlingException(PersonalizeError):
    """Not in Personalize's model, but what AWS's front end answers to a client over its request rate."""


@dataclass
class _Settings:
    throttle_rate: float = 0.0
    throttle_error: str = "ThrottlingException"
    operations: frozenset[str] = frozenset()  # empty: every operation
    latency_seconds: float = 0.0
    seed: int | None = None
    fail_next: dict[str, str] = field(default_factory=dict)
    generator: random.Random = field(default_factory=random.Random)


class FaultInjection:
    """The faults in force; thread-safe, as server mode serves requests on many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = _Settings()

    def configure(
        self,
        *,
        throttle_rate: float = 0.0,
        throttle_error: str = "ThrottlingException",
        operations: Iterable[str] = (),
        latency_seconds: float = 0.0,
        seed: int | None = None,
        fail_next: Mapping[str, str] | None = None,
    ) -> None:
        """Replace every fault with these (the defaults are "no fault"); ValueError names a bad setting."""
        if not 0.0 <= throttle_rate <= 1.0:
            raise ValueError(f"throttle_rate must be between 0 and 1, not {throttle_rate}.")
        if throttle_error not in THROTTLE_ERRORS:
            raise ValueError(
                f"throttle_error must be one of {', '.join(THROTTLE_ERRORS)}, not {throttle_error}."
            )
        if latency_seconds < 0:
            raise ValueError(f"latency_seconds must not be negative, not {latency_seconds}.")
        settings = _Settings(
            throttle_rate=throttle_rate,
            throttle_error=throttle_error,
            operations=frozenset(operations),
            latency_seconds=latency_seconds,
            seed=seed,
            fail_next=dict(fail_next or {}),
            generator=random.Random(seed),
        )
        with self._lock:
            self._settings = settings

    def clear(self) -> None:
        self.configure()

    def fail_next(self, kind: str, reason: str) -> None:
        """Make the next resource of ``kind`` (an API name: ``DatasetImportJob`` ...) fail with ``reason``."""
        with self._lock:
            self._settings.fail_next[kind] = reason

    def current(self) -> dict[str, Any]:
        """The settings, in camelCase, as the HTTP route takes and returns them."""
        with self._lock:
            settings = self._settings
            return {
                "throttleRate": settings.throttle_rate,
                "throttleError": settings.throttle_error,
                "operations": sorted(settings.operations),
                "latencySeconds": settings.latency_seconds,
                "seed": settings.seed,
                "failNext": dict(settings.fail_next),
            }

    def before_request(self, operation: str) -> None:
        """Apply the request faults to one Personalize request: wait, then maybe refuse it."""
        with self._lock:
            settings = self._settings
            throttled = (
                settings.throttle_rate > 0
                and (not settings.operations or operation in settings.operations)
                and settings.generator.random() < settings.throttle_rate
            )
        if settings.latency_seconds:
            time.sleep(settings.latency_seconds)
        if throttled:
            if settings.throttle_error == "LimitExceededException":
                raise LimitExceededException("Rate exceeded (a fault injected by the emulator).")
            raise ThrottlingException("Rate exceeded (a fault injected by the emulator).")

    def take_forced_failure(self, kind: str) -> str | None:
        """The failureReason forced on the next resource of ``kind``, used up by this call; or None."""
        with self._lock:
            return self._settings.fail_next.pop(kind, None)


FAULTS = FaultInjection()
