"""The HTTP server as many clients meet it: kept-alive connections, stalled clients, races, SIGTERM."""

import logging
import signal
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import urllib3.util.connection
from botocore.config import Config
from botocore.exceptions import ClientError

from personalize_emulator.harness.pytest_plugin import start_emulator_server

from .support import INTERACTIONS_SCHEMA, watch

CREATED = ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
# Every answer seen as sent: a retried 5xx or throttle would hide what these tests look for.
NO_RETRIES = Config(retries={"total_max_attempts": 1}, max_pool_connections=1)


def test_waitress_builds_requests_from_the_classes_the_server_names() -> None:
    """The waitress internals ``harness/http_server.py`` extends (pyproject pins waitress's major version)."""
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.server import TcpWSGIServer
    from waitress.task import ThreadedTaskDispatcher, WSGITask

    from personalize_emulator.harness.http_server import EmulatorHTTPServer

    assert "parser_class" in HTTPChannel.received.__code__.co_names
    assert "task_class" in HTTPChannel.service.__code__.co_names
    assert "channel_class" in TcpWSGIServer.handle_accept.__code__.co_names
    assert "parse_header" in HTTPRequestParser.received.__code__.co_names
    assert "build_response_header" in WSGITask.write.__code__.co_names
    assert "queue_logger" in ThreadedTaskDispatcher.add_task.__code__.co_names
    channel = EmulatorHTTPServer.channel_class
    assert issubclass(channel.parser_class, HTTPRequestParser) and issubclass(channel.task_class, WSGITask)


@pytest.fixture
def connections_opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The TCP connections boto3 clients open during the test (a spy on urllib3's one place of opening)."""
    opened: list[tuple[str, int]] = []
    create_connection = urllib3.util.connection.create_connection

    def counting(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        opened.append(address)
        return create_connection(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting)
    return opened


def test_a_client_sends_all_its_requests_on_one_connection(
    personalize_emulator_clean: Any, connections_opened: list[tuple[str, int]]
) -> None:
    """Answers of every shape (JSON, XML, errors, large bodies, heads) leave the connection open.

    Not 204s (S3's DeleteObject): waitress closes the connection after an answer without a length.
    """
    personalize = personalize_emulator_clean.client("personalize", config=NO_RETRIES)
    group = personalize.create_dataset_group(name="kept-alive")["datasetGroupArn"]
    for _ in range(10):
        personalize.describe_dataset_group(datasetGroupArn=group)
        with pytest.raises(personalize.exceptions.ResourceNotFoundException):
            personalize.describe_dataset_group(datasetGroupArn=f"{group}-missing")
    personalize.list_dataset_groups()
    assert len(connections_opened) == 1

    s3 = personalize_emulator_clean.client("s3", config=NO_RETRIES)
    s3.create_bucket(Bucket="kept-alive")
    body = bytes(range(256)) * 12_000  # 3 MB, more than one read or write of either side
    s3.put_object(Bucket="kept-alive", Key="data.csv", Body=body)
    for _ in range(3):
        assert s3.get_object(Bucket="kept-alive", Key="data.csv")["Body"].read() == body
        assert s3.head_object(Bucket="kept-alive", Key="data.csv")["ContentLength"] == len(body)
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket="kept-alive", Key="missing.csv")
    assert len(connections_opened) == 2


def test_s3_metadata_names_keep_their_underscores(personalize_emulator_clean: Any) -> None:
    s3 = personalize_emulator_clean.client("s3")
    s3.create_bucket(Bucket="metadata")
    metadata = {"source_system": "crm", "batch-id": "7"}
    s3.put_object(Bucket="metadata", Key="data.csv", Body=b"USER_ID\n", Metadata=metadata)
    assert s3.head_object(Bucket="metadata", Key="data.csv")["Metadata"] == metadata


def test_s3_keys_arrive_as_sent(personalize_emulator_clean: Any) -> None:
    """Keys with characters a URL encodes (an encoded slash above all) keep them: moto reads the raw path."""
    s3 = personalize_emulator_clean.client("s3")
    s3.create_bucket(Bucket="keys")
    keys = ["a%2Fb.csv", "a/b.csv", "with space+plus.csv", "caf\u00e9/\u6570\u636e.csv", "q?x=1&y.csv"]
    for key in keys:
        s3.put_object(Bucket="keys", Key=key, Body=key.encode())
    assert sorted(item["Key"] for item in s3.list_objects_v2(Bucket="keys")["Contents"]) == sorted(keys)
    for key in keys:
        assert s3.get_object(Bucket="keys", Key=key)["Body"].read() == key.encode()


@contextmanager
def stalled_clients(endpoint_url: str, count: int) -> Iterator[None]:
    """``count`` connections that never finish a request: half send nothing, half half a request."""
    host, port = endpoint_url.removeprefix("http://").rsplit(":", 1)
    sockets = [socket.create_connection((host, int(port)), timeout=10) for _ in range(count)]
    try:
        for stalled in sockets[::2]:
            stalled.sendall(b"POST / HTTP/1.1\r\nHost: personalize.us-east-1.amazonaws.com\r\nContent-Le")
        yield
    finally:
        for stalled in sockets:
            stalled.close()


def test_the_server_does_not_warn_of_requests_waiting_for_a_thread() -> None:
    """More requests at once than threads is the normal state of a busy emulator, not worth a line each."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from personalize_emulator.harness.http_server import EmulatorHTTPServer

    server = EmulatorHTTPServer(DomainDispatcherApplication(create_backend_app), "127.0.0.1", 0)
    try:
        assert not server.task_dispatcher.queue_logger.isEnabledFor(logging.WARNING)
        assert server.task_dispatcher.queue_logger.isEnabledFor(logging.ERROR)
    finally:
        server.close()
        server.task_dispatcher.queue_logger.setLevel(logging.NOTSET)  # as the other tests found it


def test_stalled_clients_do_not_hold_up_the_others(personalize_emulator_clean: Any) -> None:
    with stalled_clients(personalize_emulator_clean.endpoint_url, 100):
        personalize = personalize_emulator_clean.client(
            "personalize", config=NO_RETRIES.merge(Config(connect_timeout=10, read_timeout=10))
        )
        personalize.create_dataset_group(name="served")
        assert [group["name"] for group in personalize.list_dataset_groups()["datasetGroups"]] == ["served"]


def test_many_clients_creating_and_describing_at_once_get_consistent_answers(
    personalize_emulator_clean: Any,
) -> None:
    """50 clients at once, racing for a quota and for a name: no 5xx, nothing lost, doubled or over quota."""
    clients = 50
    racing = threading.Barrier(clients)

    def client_life(index: int) -> tuple[list[str], bool]:
        personalize = personalize_emulator_clean.client("personalize", config=NO_RETRIES)
        try:
            name = f"schema-{index}"
            schema = personalize.create_schema(name=name, schema=INTERACTIONS_SCHEMA)["schemaArn"]
            assert personalize.describe_schema(schemaArn=schema)["schema"]["name"] == name
        except BaseException:
            racing.abort()  # the others stop waiting for this one; its own error is the one reported
            raise
        racing.wait(timeout=60)
        try:
            group = personalize.create_dataset_group(name=f"group-{index}")["datasetGroupArn"]
        except personalize.exceptions.LimitExceededException:
            group = None
        try:
            personalize.create_schema(name="contested", schema=INTERACTIONS_SCHEMA)
            won = True
        except personalize.exceptions.ResourceAlreadyExistsException:
            won = False
        if group is None:
            return [], won
        statuses = watch(
            lambda: personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"],
            until={"ACTIVE", "CREATE FAILED"},
            limit=5000,
        )
        return statuses, won

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(client_life, index) for index in range(clients)]
    errors = [error for future in futures if (error := future.exception()) is not None]
    cause = next((error for error in errors if not isinstance(error, threading.BrokenBarrierError)), None)
    if isinstance(cause, ClientError):  # a 5xx or throttle, unretried: say which
        pytest.fail(f"{len(errors)} clients failed, one with {cause.response['ResponseMetadata']}: {cause}")
    if errors:
        raise cause or errors[0]
    lives = [future.result() for future in futures]
    walks = [statuses for statuses, _ in lives if statuses]
    # "Total number of active dataset groups": 5 (https://docs.aws.amazon.com/personalize/latest/dg/limits.html)
    assert len(walks) == 5
    for statuses in walks:
        assert statuses == [status for status in CREATED if status in statuses] and statuses[-1] == "ACTIVE"
    assert sum(won for _, won in lives) == 1
    personalize = personalize_emulator_clean.client("personalize")
    assert len(personalize.list_dataset_groups()["datasetGroups"]) == 5
    schemas = [
        schema["name"]
        for page in personalize.get_paginator("list_schemas").paginate()
        for schema in page["schemas"]
    ]
    assert sorted(schemas) == sorted([f"schema-{index}" for index in range(clients)] + ["contested"])


@pytest.mark.server
def test_sigterm_ends_the_server_cleanly_with_clients_connected() -> None:
    server = start_emulator_server(step_seconds=1)
    personalize = server.client("personalize")
    personalize.list_dataset_groups()  # its connection stays open
    with stalled_clients(server.endpoint_url, 4):
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) == 0
    server.stop()
