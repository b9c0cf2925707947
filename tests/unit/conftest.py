"""Unit-test fixtures."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def no_aws_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request a botocore client sends fails the test: for code that must not call AWS."""

    def refuse(client: Any, operation_name: str, api_params: Any) -> None:
        raise AssertionError(f"an AWS call was made: {operation_name}")

    monkeypatch.setattr("botocore.client.BaseClient._make_api_call", refuse)
