"""Unit-test fixtures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

TRIGGER_LOGGER = "airflow_provider_personalize.triggers.personalize.PersonalizeResourceTrigger"


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


@pytest.fixture
def trigger_logs(
    caplog: pytest.LogCaptureFixture,
) -> Callable[[], AbstractContextManager[list[MutableMapping[str, Any]]]]:
    """``with trigger_logs() as logs:`` the trigger's log lines, as structlog's ``capture_logs`` gives them
    (``event``, ``log_level``), whatever logging the trigger has: structlog from Airflow 3.1, the standard
    library's before."""
    from structlog.testing import capture_logs

    @contextmanager
    def capture() -> Iterator[list[MutableMapping[str, Any]]]:
        caplog.set_level(logging.INFO, logger=TRIGGER_LOGGER)
        first = len(caplog.records)
        with capture_logs() as logs:
            yield logs
        logs.extend(
            {"event": record.getMessage(), "log_level": record.levelname.lower()}
            for record in caplog.records[first:]
            if record.name == TRIGGER_LOGGER
        )

    return capture
