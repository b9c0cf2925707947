"""pytest fixtures for the local Amazon Personalize service (registered as a ``pytest11`` plugin).

Server mode (a real ``personalize-emulator`` subprocess, shared by the whole session):

- ``personalize_emulator`` (session): starts the emulator on a free loopback port and stops it at the
  end of the session. Status steps take ``PERSONALIZE_EMULATOR_TEST_STEP_SECONDS`` seconds (default
  0.2). Yields a :class:`PersonalizeEmulatorServer`: ``endpoint_url``, ``region_name`` ("us-east-1"),
  ``client(service_name)`` (a boto3 client with dummy credentials), ``reset()`` (forget every resource
  of every service and every transition set through ``set_transition``),
  ``set_transition(model_name, transition)`` (moto's state manager, e.g.
  ``("personalize::solution-version", {"progression": "manual", "times": 1})``), ``create_bucket(name)``,
  ``set_faults(**settings)`` (fault injection, camelCase settings as ``harness/faults.py``'s HTTP
  route takes them, e.g. ``set_faults(throttleRate=0.5, seed=1)``; ``set_faults()`` and ``reset()`` clear
  them).
- ``personalize_emulator_clean`` (function): the same server, reset before the test.
- ``personalize_aws_conn_id`` (function): the clean server as the Airflow connection
  ``personalize_emulator`` (environment variable ``AIRFLOW_CONN_PERSONALIZE_EMULATOR``, JSON, conn_type
  aws, dummy credentials, ``endpoint_url`` and ``region_name`` extras); yields the connection id. Setting
  the variable is all it does: it needs no Airflow to be installed.

Every test, whatever its fixtures:

- fails (an error at teardown) if the emulator, in-process or any server this process started, failed to
  serve a request (an InternalFailure, HTTP 500) or to do a job's work during the test: an emulator bug,
  which no test injects on purpose with fault injection (throttling answers HTTP 400). A test that
  provokes one on purpose takes it with the ``personalize_emulator_internal_failures`` fixture
  (``.take()``: the failures recorded so far, forgotten), which this check then no longer sees.

The server fixtures need the ``server`` extra (``pip install 'personalize-emulator[server]'``); without it
they fail with a message that says so.

In-process mode:

- ``personalize_mock`` (function): ``mock_personalize()`` active for the test, with dummy AWS
  credentials, region us-east-1 and status steps as short as the server's in the environment. boto3
  and aiobotocore clients created inside the test reach the emulator without any endpoint URL. Set
  transitions with ``moto.moto_api.state_manager.set_transition(...)``; they are unset when the test
  ends, and so are faults set with ``personalize_emulator.harness.faults`` and quota values applied with
  ``personalize_emulator.harness.account_quotas``.

This module imports nothing but the standard library and pytest at import time, so that loading the plugin
costs every pytest run nothing; fixtures import what they need.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

REGION_NAME = "us-east-1"
AIRFLOW_CONN_ID = "personalize_emulator"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
_STARTUP_TIMEOUT_SECONDS = 60
SERVER_MODULE = "personalize_emulator.harness.server"
IN_PROCESS_FAILURES_MODULE = "personalize_emulator.service.internal_failures"

# The servers this process started and has not stopped, and the failures of those it stopped since the
# last check: the internal-failure check reads both.
_servers: list[PersonalizeEmulatorServer] = []
_failures_of_stopped_servers: list[str] = []


class PersonalizeEmulatorServer:
    """A running ``personalize-emulator`` subprocess."""

    region_name = REGION_NAME

    def __init__(self, process: subprocess.Popen[str], endpoint_url: str) -> None:
        self.process = process
        self.endpoint_url = endpoint_url
        self._transitions_set: set[str] = set()
        self._faults_set = False

    def client(self, service_name: str, **kwargs: Any) -> Any:
        import boto3

        return boto3.client(
            service_name,
            endpoint_url=self.endpoint_url,
            region_name=self.region_name,
            **DUMMY_CREDENTIALS,
            **kwargs,
        )

    def _post(self, path: str, payload: dict[str, Any] | None = None) -> bytes:
        data = json.dumps(payload).encode() if payload is not None else b""
        request = urllib.request.Request(f"{self.endpoint_url}{path}", data=data, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            body: bytes = response.read()
            return body

    def take_internal_failures(self) -> list[str]:
        """The server's own failures since the last take (see the module docstring); forgotten."""
        from .internal_failures import ROUTE

        failures: list[str] = json.loads(self._post(ROUTE))
        return failures

    def set_transition(self, model_name: str, transition: dict[str, Any]) -> None:
        self._post(
            "/moto-api/state-manager/set-transition", {"model_name": model_name, "transition": transition}
        )
        self._transitions_set.add(model_name)

    def unset_transition(self, model_name: str) -> None:
        self._post("/moto-api/state-manager/unset-transition", {"model_name": model_name})
        self._transitions_set.discard(model_name)

    def set_faults(self, **settings: Any) -> None:
        """Replace the faults the emulator injects (see ``harness/faults.py``); no settings: none."""
        from .faults import ROUTE

        self._post(ROUTE, settings)
        self._faults_set = bool(settings)

    def reset(self) -> None:
        self._post("/moto-api/reset")
        for model_name in list(self._transitions_set):
            self.unset_transition(model_name)
        if self._faults_set:
            self.set_faults()

    def create_bucket(self, name: str) -> str:
        """Create an S3 bucket in the emulator; returns its ``s3://name/`` URI."""
        self.client("s3").create_bucket(Bucket=name)
        return f"s3://{name}/"

    def stop(self) -> None:
        if self in _servers:
            _servers.remove(self)
            if self.process.poll() is None:
                try:
                    _failures_of_stopped_servers.extend(self.take_internal_failures())
                except OSError as error:  # an unresponsive server: say so rather than hang the stop
                    _failures_of_stopped_servers.append(f"the server did not answer as it stopped: {error}")
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_emulator_server(step_seconds: float) -> PersonalizeEmulatorServer:
    """Start ``personalize-emulator`` on a free loopback port and wait until it listens.

    ImportError naming the extra to install when the server's dependencies are missing.
    """
    from .server import READY_LINE_PREFIX, require_server_extra

    require_server_extra()
    env = {**os.environ, "PERSONALIZE_EMULATOR_STEP_SECONDS": str(step_seconds)}
    # The server writes its errors on stderr: to a file (the server keeps it open after we close ours),
    # never a pipe nobody drains; read if the server fails to start.
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", SERVER_MODULE, "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
        assert process.stdout is not None
        # readline blocks: a timer kills a server that never becomes ready, which ends the read with EOF.
        watchdog = threading.Timer(_STARTUP_TIMEOUT_SECONDS, process.kill)
        watchdog.start()
        try:
            line = process.stdout.readline()
        finally:
            watchdog.cancel()
        if not line.startswith(READY_LINE_PREFIX):
            process.kill()
            process.wait()
            errors.seek(0)
            raise RuntimeError(
                f"personalize-emulator did not start (exit status {process.returncode}): {line!r}\n"
                f"{errors.read()}"
            )
    # Keep draining stdout so that a chatty server never blocks on a full pipe.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    server = PersonalizeEmulatorServer(process, line[len(READY_LINE_PREFIX) :].strip())
    _servers.append(server)
    return server


def _test_step_seconds() -> float:
    return float(os.environ.get("PERSONALIZE_EMULATOR_TEST_STEP_SECONDS", "0.2"))


@pytest.fixture(scope="session")
def personalize_emulator() -> Iterator[PersonalizeEmulatorServer]:
    server = start_emulator_server(_test_step_seconds())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def personalize_emulator_clean(
    personalize_emulator: PersonalizeEmulatorServer,
) -> PersonalizeEmulatorServer:
    personalize_emulator.reset()
    return personalize_emulator


@pytest.fixture
def personalize_aws_conn_id(
    personalize_emulator_clean: PersonalizeEmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> str:
    connection = {
        "conn_type": "aws",
        "login": DUMMY_CREDENTIALS["aws_access_key_id"],
        "password": DUMMY_CREDENTIALS["aws_secret_access_key"],
        "extra": {"endpoint_url": personalize_emulator_clean.endpoint_url, "region_name": REGION_NAME},
    }
    monkeypatch.setenv(f"AIRFLOW_CONN_{AIRFLOW_CONN_ID.upper()}", json.dumps(connection))
    return AIRFLOW_CONN_ID


@pytest.fixture
def personalize_mock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from .mock import mock_personalize

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION_NAME)
    monkeypatch.setenv("PERSONALIZE_EMULATOR_STEP_SECONDS", str(_test_step_seconds()))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with mock_personalize():
        yield
    from moto.moto_api import state_manager

    from ..service.kinds import KINDS
    from . import account_quotas, faults

    for kind in KINDS.values():  # the next test starts with the default transitions again
        state_manager.unset_transition(kind.model_name)
    faults.clear()  # and without the faults this one injected
    account_quotas.apply({})  # and with the default quotas


class InternalFailures:
    """The emulator's own failures, in-process and in every server this process started."""

    def take(self) -> list[str]:
        """The failures recorded since the last take, forgotten."""
        failures = list(_failures_of_stopped_servers)
        _failures_of_stopped_servers.clear()
        in_process = sys.modules.get(IN_PROCESS_FAILURES_MODULE)  # loaded only if the emulator ran here
        if in_process is not None:
            failures += in_process.INTERNAL_FAILURES.take()
        for server in list(_servers):
            if server.process.poll() is None:
                failures += server.take_internal_failures()
        return failures


@pytest.fixture
def personalize_emulator_internal_failures() -> InternalFailures:
    """For a test that makes the emulator fail on purpose: ``.take()`` what it recorded."""
    return InternalFailures()


@pytest.fixture(autouse=True)
def _personalize_emulator_failed_nothing() -> Iterator[None]:
    yield
    failures = InternalFailures().take()
    if failures:
        listed = "\n".join(f"- {failure}" for failure in failures)
        pytest.fail(
            "The Personalize emulator failed to serve a request (InternalFailure, HTTP 500) or to do a job's"
            f" work during this test; its log has the tracebacks:\n{listed}",
            pytrace=False,
        )
