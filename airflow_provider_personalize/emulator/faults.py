"""Fault injection, for testing how clients cope with a misbehaving Personalize.

Three faults, all optional, held once per emulator process:

- **throttling**: a fraction ``throttle_rate`` (0 to 1) of Personalize requests (control plane,
  personalize-runtime, personalize-events; optionally only the ``operations`` listed) fail with HTTP 400
  and ``__type`` ``throttle_error``: ``ThrottlingException`` (default) or ``LimitExceededException``.
  Which requests fail is drawn from a random generator seeded with ``seed``, so the same sequence of
  requests fails the same way every run. botocore retries both errors by default: a test that wants to
  see them sets ``Config(retries={"total_max_attempts": 1})``;
- **forced job failure**: ``fail_next`` maps a resource kind's API name (``DatasetImportJob``,
  ``SolutionVersion``, ``Campaign`` ...) to a failureReason; the next resource of that kind to start its
  work (as it enters its in-progress status) ends in its failed status (CREATE FAILED, or FAILED for data
  deletion jobs) with that reason, and the fault is used up;
- **latency**: every Personalize request waits ``latency_seconds`` before it is served.

Set them

- in-process: ``faults.configure(throttle_rate=0.5, seed=7)``, ``faults.fail_next("SolutionVersion",
  "Boom")``, ``faults.clear()``; ``faults.current()`` returns the settings as the HTTP route does;
- at server start, from the environment: ``PERSONALIZE_EMULATOR_THROTTLE_RATE``,
  ``PERSONALIZE_EMULATOR_THROTTLE_ERROR``, ``PERSONALIZE_EMULATOR_THROTTLE_OPERATIONS`` (comma-separated),
  ``PERSONALIZE_EMULATOR_LATENCY_SECONDS``, ``PERSONALIZE_EMULATOR_FAULT_SEED`` and
  ``PERSONALIZE_EMULATOR_FAIL_NEXT`` (JSON, ``{"DatasetImportJob": "reason"}``), read by
  :func:`configure_from_environment` as the emulator installs;
- over HTTP at run time: ``POST /moto-api/personalize-emulator/faults`` with a JSON body of the settings
  in camelCase (``{"throttleRate": 0.5, "throttleError": "LimitExceededException", "operations":
  ["GetRecommendations"], "latencySeconds": 0.1, "seed": 7, "failNext": {"SolutionVersion": "Boom"}}``)
  replaces every fault (members left out are off); ``{}`` clears them; ``GET`` returns the settings.
  In-process the same route answers at ``http://motoapi.amazonaws.com``.
"""

import json
import os
import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.core.common_types import TYPE_RESPONSE

from .exceptions import LimitExceededException, PersonalizeError

ROUTE = "/moto-api/personalize-emulator/faults"
THROTTLE_ERRORS = ("ThrottlingException", "LimitExceededException")
ENVIRONMENT_PREFIX = "PERSONALIZE_EMULATOR_"


class ThrottlingException(PersonalizeError):
    """Not in Personalize's model, but what AWS's front end answers to a client over its request rate."""


@dataclass
class _Faults:
    throttle_rate: float = 0.0
    throttle_error: str = "ThrottlingException"
    operations: frozenset[str] = frozenset()  # empty: every operation
    latency_seconds: float = 0.0
    seed: int | None = None
    fail_next: dict[str, str] = field(default_factory=dict)
    generator: random.Random = field(default_factory=random.Random)


_lock = threading.Lock()
_faults = _Faults()


def configure(
    *,
    throttle_rate: float = 0.0,
    throttle_error: str = "ThrottlingException",
    operations: Iterable[str] = (),
    latency_seconds: float = 0.0,
    seed: int | None = None,
    fail_next: Mapping[str, str] | None = None,
) -> None:
    """Replace every fault with these (the defaults are "no fault")."""
    global _faults
    if not 0.0 <= throttle_rate <= 1.0:
        raise ValueError(f"throttle_rate must be between 0 and 1, not {throttle_rate}.")
    if throttle_error not in THROTTLE_ERRORS:
        raise ValueError(f"throttle_error must be one of {', '.join(THROTTLE_ERRORS)}, not {throttle_error}.")
    if latency_seconds < 0:
        raise ValueError(f"latency_seconds must not be negative, not {latency_seconds}.")
    with _lock:
        _faults = _Faults(
            throttle_rate=throttle_rate,
            throttle_error=throttle_error,
            operations=frozenset(operations),
            latency_seconds=latency_seconds,
            seed=seed,
            fail_next=dict(fail_next or {}),
            generator=random.Random(seed),
        )


def clear() -> None:
    configure()


def fail_next(kind: str, reason: str) -> None:
    """Make the next resource of ``kind`` (an API name such as ``DatasetImportJob``) fail with ``reason``."""
    with _lock:
        _faults.fail_next[kind] = reason


def current() -> dict[str, Any]:
    """The settings, as the HTTP route takes and returns them."""
    with _lock:
        return {
            "throttleRate": _faults.throttle_rate,
            "throttleError": _faults.throttle_error,
            "operations": sorted(_faults.operations),
            "latencySeconds": _faults.latency_seconds,
            "seed": _faults.seed,
            "failNext": dict(_faults.fail_next),
        }


def configure_from_environment(environ: Mapping[str, str] = os.environ) -> None:
    """Set the faults from ``PERSONALIZE_EMULATOR_*`` variables (see the module docstring), if any is set."""

    def variable(name: str) -> str | None:
        return environ.get(f"{ENVIRONMENT_PREFIX}{name}")

    names = (
        "THROTTLE_RATE",
        "THROTTLE_ERROR",
        "THROTTLE_OPERATIONS",
        "LATENCY_SECONDS",
        "FAULT_SEED",
        "FAIL_NEXT",
    )
    if not any(variable(name) for name in names):
        return
    seed = variable("FAULT_SEED")
    configure(
        throttle_rate=float(variable("THROTTLE_RATE") or 0),
        throttle_error=variable("THROTTLE_ERROR") or "ThrottlingException",
        operations=[
            name.strip() for name in (variable("THROTTLE_OPERATIONS") or "").split(",") if name.strip()
        ],
        latency_seconds=float(variable("LATENCY_SECONDS") or 0),
        seed=int(seed) if seed else None,
        fail_next=json.loads(variable("FAIL_NEXT") or "{}"),
    )


def before_request(operation: str) -> None:
    """Apply the request faults to one Personalize request: wait, then maybe refuse it."""
    with _lock:
        latency = _faults.latency_seconds
        throttled = (
            _faults.throttle_rate > 0
            and (not _faults.operations or operation in _faults.operations)
            and _faults.generator.random() < _faults.throttle_rate
        )
        error = _faults.throttle_error
    if latency:
        time.sleep(latency)
    if throttled:
        if error == "LimitExceededException":
            raise LimitExceededException("Rate exceeded (a fault injected by the emulator).")
        raise ThrottlingException("Rate exceeded (a fault injected by the emulator).")


def take_forced_failure(kind: str) -> str | None:
    """The failureReason forced on the next resource of ``kind``, used up by this call; or None."""
    with _lock:
        return _faults.fail_next.pop(kind, None)


def faults_route(request: Any, full_url: str, headers: Any) -> TYPE_RESPONSE:
    """``/moto-api/personalize-emulator/faults``: GET the settings, POST new ones."""
    if request.method == "POST":
        # The raw body, whatever its content type says (urllib and curl -d send JSON as a form).
        body = request.get_data(parse_form_data=False)
        settings = json.loads(body) if body else {}
        try:
            configure(
                throttle_rate=float(settings.get("throttleRate", 0.0)),
                throttle_error=settings.get("throttleError", "ThrottlingException"),
                operations=settings.get("operations", ()),
                latency_seconds=float(settings.get("latencySeconds", 0.0)),
                seed=settings.get("seed"),
                fail_next=settings.get("failNext"),
            )
        except ValueError as error:
            return 400, {"Content-Type": "application/json"}, json.dumps({"message": str(error)})
    return 200, {"Content-Type": "application/json"}, json.dumps(current())
