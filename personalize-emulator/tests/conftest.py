"""Fixtures of the emulator tests: the emulator in both modes behind one interface."""

from typing import Any

import boto3
import pytest

from .support import ALL_MODEL_NAMES, IMMEDIATE


class InProcessEmulator:
    """``mock_personalize()`` with the same interface as the pytest plugin's server object."""

    region_name = "us-east-1"

    def client(self, service_name: str, **kwargs: Any) -> Any:
        return boto3.client(service_name, region_name=self.region_name, **kwargs)

    def set_transition(self, model_name: str, transition: dict[str, Any]) -> None:
        from moto.moto_api import state_manager

        state_manager.set_transition(model_name, transition)  # personalize_mock unsets it afterwards


@pytest.fixture
def in_process(personalize_mock: None) -> InProcessEmulator:
    return InProcessEmulator()


@pytest.fixture(params=["in-process", "server"])
def emulator(request: pytest.FixtureRequest) -> Any:
    """The emulator in-process, then over HTTP: a test using it runs once per mode."""
    if request.param == "in-process":
        return request.getfixturevalue("in_process")
    return request.getfixturevalue("personalize_emulator_clean")


@pytest.fixture
def immediate(emulator: Any) -> Any:
    """The emulator with every kind's statuses reaching their end at once (for set-ups)."""
    for model_name in ALL_MODEL_NAMES:
        emulator.set_transition(model_name, IMMEDIATE)
    return emulator


@pytest.fixture
def personalize(immediate: Any) -> Any:
    return immediate.client("personalize")
