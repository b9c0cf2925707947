"""The emulator's own failures (``service/internal_failures.py``), as a test suite reads them.

- in-process: :func:`take` returns the failures recorded since the last take, and forgets them;
- over HTTP: ``POST /moto-api/personalize-emulator/internal-failures`` does the same (a JSON list of
  strings); ``GET`` returns them without forgetting them. In-process the route answers at
  ``http://motoapi.amazonaws.com`` too.

The pytest plugin takes them after every test, and fails a test during which any was recorded.
"""

import json
from typing import Any

from ..service.internal_failures import INTERNAL_FAILURES

ROUTE = "/moto-api/personalize-emulator/internal-failures"

take = INTERNAL_FAILURES.take


def internal_failures_route(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    failures = take() if request.method == "POST" else INTERNAL_FAILURES.peek()
    return 200, {"Content-Type": "application/json"}, json.dumps(failures)
