"""How long a task waiting for an import takes to end once it is told to stop (SIGTERM).

Airflow's task runner answers SIGTERM by calling the operator's ``on_kill`` from its signal handler and
returning: whatever the operator does next is up to it, until the supervisor kills the process. Each run
here is a fresh process doing the same: a ``PersonalizeCreateDatasetImportJobOperator`` (the import kind's
default wait: a poll every 60 s) creates an import in the emulator over HTTP that takes minutes, and waits
for it in the worker (blocking mode); SIGTERM comes once the wait is under way, and the handler calls
``on_kill`` as the task runner's does. Reported: seconds from the signal to the end of ``execute`` (capped at
``--cap``, then the process is killed), and how ``execute`` ended.

``--provider-path DIR`` runs the same with the provider found in DIR (a checkout of another revision) for a
before/after comparison. Run: ``python -m bench.on_kill [--runs 3] [--provider-path DIR]``. Reports
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CONN_ID = "personalize_bench"
BUCKET = "personalize-bench"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3Access"
WAITING = "waiting"


def child(dataset_arn: str) -> None:
    from unittest import mock

    from airflow_provider_personalize.operators.personalize import PersonalizeCreateDatasetImportJobOperator

    operator = PersonalizeCreateDatasetImportJobOperator(
        task_id="import",
        job_name=f"bench-on-kill-{os.getpid()}",
        dataset_arn=dataset_arn,
        data_source=f"s3://{BUCKET}/interactions.csv",
        role_arn=ROLE_ARN,
        aws_conn_id=CONN_ID,
        deferrable=False,
    )
    killed: list[float] = []

    def on_term(signum: int, frame: Any) -> None:  # as Airflow's task runner's handler does
        killed.append(time.monotonic())
        operator.on_kill()

    signal.signal(signal.SIGTERM, on_term)
    # The one thing of a task's context the operator reads here: the task instance, for its console link.
    context: Any = {"ti": mock.MagicMock(), "logical_date": None}
    print(WAITING, flush=True)
    try:
        operator.execute(context)
        ended = "returned"
    except BaseException as error:  # what ended it is the figure
        ended = type(error).__name__
    print(
        json.dumps({"seconds": time.monotonic() - killed[0] if killed else None, "ended": ended}), flush=True
    )


def run_once(dataset_arn: str, env: dict[str, str], cap: float) -> dict[str, Any]:
    # A script run from its own folder: ``python -m`` would put the working directory first on sys.path,
    # before PYTHONPATH, and import this checkout's provider whatever --provider-path says.
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", dataset_arn],
        env=env,
        cwd=Path(__file__).parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == WAITING:
            break
    time.sleep(5)  # the Create sent, the wait under way
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    try:
        out, _ = process.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return {"seconds": cap, "ended": f"still waiting after {cap:.0f} s: killed"}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"seconds": time.monotonic() - signalled, "ended": "?"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap", type=float, default=120.0)
    parser.add_argument("--provider-path", help="a checkout whose provider to measure instead of this one")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    from personalize_emulator.harness.pytest_plugin import start_emulator_server

    from bench._emulator import connection_environment, create_personalize_role

    emulator = start_emulator_server(0.2)
    try:
        # Imports take ten minutes: the task is still waiting whenever it is told to stop.
        emulator.set_transition("personalize::dataset-import-job", {"progression": "time", "seconds": 300})
        create_personalize_role(emulator, ROLE_ARN)
        s3 = emulator.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(
            Bucket=BUCKET, Key="interactions.csv", Body=b"USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1767225600\n"
        )
        personalize = emulator.client("personalize")
        group = personalize.create_dataset_group(name="bench-on-kill")["datasetGroupArn"]
        schema = personalize.create_schema(
            name="bench-on-kill",
            schema=json.dumps(
                {
                    "type": "record",
                    "name": "Interactions",
                    "namespace": "com.amazonaws.personalize.schema",
                    "fields": [
                        {"name": "USER_ID", "type": "string"},
                        {"name": "ITEM_ID", "type": "string"},
                        {"name": "TIMESTAMP", "type": "long"},
                    ],
                    "version": "1.0",
                }
            ),
        )["schemaArn"]
        while personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"] != "ACTIVE":
            time.sleep(0.2)
        dataset = personalize.create_dataset(
            name="bench-on-kill", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
        )["datasetArn"]
        while personalize.describe_dataset(datasetArn=dataset)["dataset"]["status"] != "ACTIVE":
            time.sleep(0.2)
        env = connection_environment(emulator, CONN_ID, args.provider_path)
        runs = [run_once(dataset, env, args.cap) for _ in range(args.runs)]
    finally:
        emulator.stop()
    print(f"provider: {args.provider_path or 'this checkout'}; {args.runs} runs")
    for run in runs:
        print(f"  SIGTERM -> execute ended: {run['seconds']:6.1f} s ({run['ended']})")
    print(f"  median: {statistics.median(run['seconds'] for run in runs):.1f} s")


if __name__ == "__main__":
    main()
