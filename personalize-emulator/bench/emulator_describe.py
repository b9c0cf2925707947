"""Requests per second the emulator sustains for DescribeDatasetImportJob.

Three figures: in-process (``mock_personalize()``, one boto3 client), over HTTP from one client, and over
HTTP from 50 concurrent clients (50 threads, a boto3 client each) against one ``personalize-emulator``
process. Prints the figures and their ratios; asserts nothing about time.

    uv run --frozen --all-extras python bench/emulator_describe.py [--seconds 3]
"""

import argparse
import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3

from personalize_emulator import mock_personalize
from personalize_emulator.harness.pytest_plugin import DUMMY_CREDENTIALS, start_emulator_server

REGION = "us-east-1"
CONCURRENT_CLIENTS = 50
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


def concurrent_describes_per_second(make_describe: Callable[[], Callable[[], Any]], seconds: float) -> float:
    describers = [make_describe() for _ in range(CONCURRENT_CLIENTS)]
    counts = [0] * CONCURRENT_CLIENTS
    start = threading.Barrier(CONCURRENT_CLIENTS + 1)
    stop = threading.Event()

    def run(index: int) -> None:
        start.wait()
        while not stop.is_set():
            describers[index]()
            counts[index] += 1

    threads = [threading.Thread(target=run, args=(index,)) for index in range(CONCURRENT_CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


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


def over_http(seconds: float) -> tuple[float, float]:
    server = start_emulator_server(step_seconds=0)
    try:
        job = create_import_job(server.client("personalize"))

        def make_describe() -> Callable[[], Any]:
            personalize = server.client("personalize")
            return lambda: personalize.describe_dataset_import_job(datasetImportJobArn=job)

        single, _ = describes_per_second(make_describe(), seconds)
        concurrent = concurrent_describes_per_second(make_describe, seconds)
    finally:
        server.stop()
    return single, concurrent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per figure")
    args = parser.parse_args()
    for variable, value in DUMMY_CREDENTIALS.items():
        os.environ.setdefault(variable.upper(), value)

    local, local_per_cpu_second = in_process(args.seconds)
    single, concurrent = over_http(args.seconds)
    print(f"DescribeDatasetImportJob, {args.seconds:g} s per figure, {os.cpu_count()} CPUs")
    print(f"  in-process (mock_personalize), 1 client:  {local:8.0f} describes/s")
    print(f"    client and emulator in one process:     {local_per_cpu_second:8.0f} describes per CPU second")
    print(f"  over HTTP, 1 client:                      {single:8.0f} describes/s")
    print(f"  over HTTP, {CONCURRENT_CLIENTS} concurrent clients:       {concurrent:8.0f} describes/s")
    print(f"  ratio in-process / HTTP 1 client:         {local / single:8.2f}")
    print(f"  ratio HTTP {CONCURRENT_CLIENTS} clients / HTTP 1 client:    {concurrent / single:8.2f}")


if __name__ == "__main__":
    main()
