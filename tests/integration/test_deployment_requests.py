"""The deployment's REST client on a loaded machine: a GET the api-server is too slow to answer is sent
again; a POST is never sent twice. A loopback HTTP server stands in for a starved api-server (its
slowness cannot be produced on demand from a real one)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from demo import deployment
from demo.deployment import AirflowDeployment

SLOW_ANSWERS = 2


@pytest.fixture
def slow_api(tmp_path, monkeypatch) -> Iterator[tuple[AirflowDeployment, list[str]]]:
    """A deployment whose api-server answers each method only from its third request on."""
    monkeypatch.setattr(deployment, "REQUEST_TIMEOUT_SECONDS", 0.3)
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            received.append(self.command)
            if received.count(self.command) <= SLOW_ANSWERS:
                time.sleep(1)
            body = b'{"state": "success"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

        def log_message(self, *args) -> None:  # keep the test's output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield AirflowDeployment(home=tmp_path, dags_folder=tmp_path, api_port=server.server_port), received
    finally:
        server.shutdown()
        server.server_close()


def test_a_get_the_api_server_is_too_slow_to_answer_is_sent_again(slow_api):
    airflow, received = slow_api

    assert airflow.request("GET", "/api/v2/dags/nightly/dagRuns/run")["state"] == "success"
    assert received == ["GET"] * (SLOW_ANSWERS + 1)


def test_a_post_without_an_answer_is_not_sent_again(slow_api):
    airflow, received = slow_api

    with pytest.raises(AssertionError, match=r"POST /api/v2/dags/nightly/dagRuns: no answer"):
        airflow.request("POST", "/api/v2/dags/nightly/dagRuns", {"logical_date": "2026-11-22T00:00:00Z"})
    assert received == ["POST"]
