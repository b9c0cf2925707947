"""Fault injection, for testing how clients cope with a misbehaving Personalize: how to set the faults.

Three faults, all optional, held once per emulator process (``service/faults.py`` applies them):

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
  :func:`configure_from_environment` as the server starts;
- over HTTP at run time: ``POST /moto-api/personalize-emulator/faults`` with a JSON body of the settings
  in camelCase (``{"throttleRate": 0.5, "throttleError": "LimitExceededException", "operations":
  ["GetRecommendations"], "latencySeconds": 0.1, "seed": 7, "failNext": {"SolutionVersion": "Boom"}}``)
  replaces every fault (members left out are off); ``{}`` clears them; ``GET`` returns the settings.
  In-process the same route answers at ``http://motoapi.amazonaws.com``.
"""

import json
import os
from collections.abc import Mapping
from typing import Any

from ..service.faults import FAULTS

ROUTE = "/moto-api/personalize-emulator/faults"
ENVIRONMENT_PREFIX = "PERSONALIZE_EMULATOR_"

configure = FAULTS.configure
clear = FAULTS.clear
fail_next = FAULTS.fail_next
current = FAULTS.current


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


def faults_route(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
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
