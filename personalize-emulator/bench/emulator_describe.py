"""Requests per second the emulator sustains for DescribeDatasetImportJob, in-process and over HTTP.

In-process: ``mock_personalize()`` and one boto3 client. Over HTTP: one ``personalize-emulator`` process and
1, 8 and 50 concurrent clients (threads, a boto3 client each, each keeping its connection pool as botocore
does), with, for each count: describes a second, p50 and p99 latency, the TCP connections the clients
opened (counted where urllib3 opens them, so a server that closes every connection after one request
shows one per request), and the server process's CPU time (per describe, and as a share of one core: a
server near 100 % is the bottleneck). The clients share this process, so its CPU is printed too. Prints
figures and ratios; asserts nothing about time.

    uv run --frozen --all-extras python bench/emulator_describe.py [--seconds 3] [--clients 1 8 50]
"""

import argparse
import json
import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import psutil
import urllib3.util.connection

from personalize_emulator import mock_personalize
from personalize_emulator.harness.pytest_plugin import (
    DUMMY_CREDENTIALS,
    PersonalizeEmulatorServer,
    start_emulator_server,
)

REGION = "us-east-1"
CLIENT_COUNTS = (1, 8, 50)
SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Interactions",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
        ],
    }
)


@dataclass
class HttpFigures:
    clients: int
    describes_per_second: float
    p50_ms: float
    p99_ms: float
    connections: int
    describes: int
    server_cpu_seconds: float
    client_cpu_seconds: float
    seconds: float

    @property
    def server_core_share(self) -> float:
        return self.server_cpu_seconds / self.seconds

    @property
    def server_cpu_ms_per_describe(self) -> float:
        return 1000 * self.server_cpu_seconds / self.describes


def create_import_job(personalize: Any) -> str:
    """A dataset group, schema, dataset and import job; returns the job's ARN."""
    group = personalize.create_dataset_group(name="bench")["datasetGroupArn"]
    schema = personalize.create_schema(name="bench", schema=SCHEMA)["schemaArn"]
    dataset = personalize.create_dataset(
        name="bench", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    return personalize.create_dataset_import_job(
        jobName="bench", datasetArn=dataset, dataSource={"dataLocation": "s3://bench/interactions.csv"}
    )["datasetImportJobArn"]


def describes_per_second(describe: Callable[[], Any], seconds: float) -> tuple[float, float]:
    """Describes per wall-clock second, and per CPU second of this process (the machine may be busy)."""
    count = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - started) < seconds:
        describe()
        count += 1
    return count / elapsed, count / (time.process_time() - cpu_started)


def in_process(seconds: float) -> tuple[float, float]:
    with mock_personalize():
        from moto.moto_api import state_manager

        for kind in ("dataset-group", "dataset"):
            state_manager.set_transition(f"personalize::{kind}", {"progression": "immediate"})
        personalize = boto3.client("personalize", region_name=REGION)
        job = create_import_job(personalize)
        return describes_per_second(
            lambda: personalize.describe_dataset_import_job(datasetImportJobArn=job), seconds
        )


class ConnectionCounter:
    """Counts the TCP connections this process's boto3 clients open, at urllib3's one place of opening.

    urllib3 reconnects a pooled connection that the server closed without counting it in its pool's
    statistics, so the count is taken where every connection starts.
    """

    def __init__(self) -> None:
        self.opened = 0
        self._lock = threading.Lock()
        self._create_connection = urllib3.util.connection.create_connection
        urllib3.util.connection.create_connection = self._counting

    def _counting(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.opened += 1
        return self._create_connection(*args, **kwargs)


def over_http(
    server: PersonalizeEmulatorServer, job: str, clients: int, seconds: float, connections: ConnectionCounter
) -> HttpFigures:
    """``clients`` threads describing the job as fast as they can for ``seconds``, after one warm-up call."""
    personalize = [server.client("personalize") for _ in range(clients)]
    opened_before = connections.opened
    latencies: list[list[float]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    stop = threading.Event()

    def run(index: int) -> None:
        client, record = personalize[index], latencies[index]
        client.describe_dataset_import_job(datasetImportJobArn=job)  # the client's lazy set-up, unmeasured
        start.wait()
        while not stop.is_set():
            sent = time.perf_counter()
            client.describe_dataset_import_job(datasetImportJobArn=job)
            record.append(time.perf_counter() - sent)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    server_process = psutil.Process(server.process.pid)
    start.wait()
    started, server_cpu, client_cpu = time.perf_counter(), server_process.cpu_times(), time.process_time()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server_cpu_after, client_cpu_after = server_process.cpu_times(), time.process_time()
    every = sorted(latency for record in latencies for latency in record)
    percentiles = statistics.quantiles(every, n=100, method="inclusive")
    return HttpFigures(
        clients=clients,
        describes_per_second=len(every) / elapsed,
        p50_ms=1000 * statistics.median(every),
        p99_ms=1000 * percentiles[98],
        connections=connections.opened - opened_before,
        describes=len(every),
        server_cpu_seconds=(server_cpu_after.user + server_cpu_after.system)
        - (server_cpu.user + server_cpu.system),
        client_cpu_seconds=client_cpu_after - client_cpu,
        seconds=elapsed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per figure")
    parser.add_argument("--clients", type=int, nargs="+", default=CLIENT_COUNTS, help="concurrent clients")
    args = parser.parse_args()
    for variable, value in DUMMY_CREDENTIALS.items():
        os.environ.setdefault(variable.upper(), value)

    local, local_per_cpu_second = in_process(args.seconds)
    connections = ConnectionCounter()
    server = start_emulator_server(step_seconds=0)
    try:
        job = create_import_job(server.client("personalize"))
        figures = [over_http(server, job, clients, args.seconds, connections) for clients in args.clients]
    finally:
        server.stop()

    print(f"DescribeDatasetImportJob, {args.seconds:g} s per figure, {os.cpu_count()} CPUs")
    print(f"  in-process (mock_personalize), 1 client: {local:6.0f} describes/s")
    print(f"    client and emulator in one process:    {local_per_cpu_second:6.0f} describes per CPU second")
    print("  over HTTP, one personalize-emulator process:")
    print("    clients  describes/s  p50 ms  p99 ms  connections  server CPU  ms/describe  clients' CPU")
    for row in figures:
        print(
            f"    {row.clients:7d}  {row.describes_per_second:11.0f}  {row.p50_ms:6.1f}  {row.p99_ms:6.1f}"
            f"  {row.connections:11d}  {row.server_core_share:9.0%}  {row.server_cpu_ms_per_describe:11.2f}"
            f"  {row.client_cpu_seconds / row.seconds:12.0%}"
        )
    single = figures[0]
    print(f"  ratio in-process / HTTP {single.clients} client(s): {local / single.describes_per_second:6.2f}")
    for row in figures[1:]:
        ratio = row.describes_per_second / single.describes_per_second
        print(f"  ratio HTTP {row.clients} clients / {single.clients}:        {ratio:6.2f}")


if __name__ == "__main__":
    main()
