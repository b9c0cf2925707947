"""Unit-test fixtures."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest


@pytest.fixture
def no_aws_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request a botocore client sends fails the test: for code that must not call AWS."""

    def refuse(client: Any, operation_name: str, api_params: Any) -> None:
        raise AssertionError(f"an AWS call was made: {operation_name}")

    monkeypatch.setattr("botocore.client.BaseClient._make_api_call", refuse)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The trigger's sleeps, recorded instead of slept (each still yields to the loop once)."""
    # Imported here: a unit test that checks what DAG parsing imports must not find the trigger loaded.
    from airflow_provider_personalize.triggers import _polling

    recorded: list[float] = []

    async def record(delay: float) -> None:
        recorded.append(delay)
        await asyncio.sleep(0)

    monkeypatch.setattr(_polling, "sleep", record)
    return recorded
