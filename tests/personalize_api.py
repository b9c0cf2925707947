"""Personalize resources made through the API for a test's set-up, as an earlier run would have left them."""

from __future__ import annotations

import json
import time
from typing import Any


def create_active(
    personalize: Any, resource: str, arn_member: str, timeout: float = 120, **request: Any
) -> str:
    """``create_<resource>(**request)``, then ``describe_<resource>`` until it is ACTIVE; returns the ARN."""
    arn = getattr(personalize, f"create_{resource}")(**request)[arn_member]
    deadline = time.monotonic() + timeout
    while True:
        answer = getattr(personalize, f"describe_{resource}")(**{arn_member: arn})
        (described,) = [value for key, value in answer.items() if key != "ResponseMetadata"]
        if described["status"] == "ACTIVE":
            return arn
        assert "FAILED" not in described["status"], json.dumps(described, default=str)
        assert time.monotonic() < deadline, f"{arn} is still {described['status']}"
        time.sleep(0.2)
