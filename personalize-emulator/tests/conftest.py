"""Fixtures of the emulator tests: the emulator in both modes behind one interface.

Every test that serves the emulator over HTTP (a server process of its own) is marked ``server``: ``-m "not
server"`` runs the rest, in-process, as the dependency-floor and other-Python runs do (make test-floor).
"""

import functools
from typing import Any

import boto3
import botocore.loaders
import botocore.session
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


@functools.cache
def shared_loader() -> botocore.loaders.Loader:
    """One botocore loader for the whole test process: it caches the service models it has parsed."""
    return botocore.loaders.create_loader()


@pytest.fixture
def in_process(personalize_mock: None) -> InProcessEmulator:
    # moto's mock starts every test without a default boto3 session, so that no credentials outlive a
    # test; a new session parses every service model again (~0.1 CPU-s a test). This one is new too, but
    # reads the models through a loader that keeps them.
    session = botocore.session.Session()
    session.register_component("data_loader", shared_loader())
    boto3.setup_default_session(botocore_session=session)
    return InProcessEmulator()


# The fixtures of the pytest plugin that start or share a server process.
SERVER_FIXTURES = {"personalize_emulator", "personalize_emulator_clean", "personalize_aws_conn_id"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)


@pytest.fixture(params=["in-process", pytest.param("server", marks=pytest.mark.server)])
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
