"""Triggerer benchmark: N concurrent waits in one event loop, ours against the amazon provider's pattern.

``python -m bench.triggerer`` starts the Personalize emulator (HTTP, a subprocess), then runs each
configuration in a fresh worker subprocess, so that peak RSS is comparable between them:

- ``ours``: N ``PersonalizeResourceTrigger`` waits on dataset import jobs;
- ``amazon``: N waits of the amazon provider's ``AwsBaseWaiterTrigger`` pattern on the same jobs, with a
  custom botocore waiter model for DescribeDatasetImportJob, as the amazon provider does for its
  services (a hook, a session and a client per wait; ``async_wait`` polling every ``waiter_delay``).

Each worker builds its triggers from serialised keyword arguments and runs each ``trigger.run()`` in
its own task, as a triggerer does. The waits are on five import jobs created just
before the configuration starts (the service's limit of running import jobs), shared round-robin: a
wait's semantics do not depend on how many other waits describe the same job, since the job's status
advances with time, not with describes. A job takes about two ``waiter_delay`` to become ACTIVE.

The emulator serves about 200-250 describes a second on two cores: ``waiter_delay`` is
``max(30, N / 80)`` seconds so that each configuration's first polls (spread over the first interval by
our trigger) ask for at most ~80 a second, and the server is never the bottleneck.

Measured in each worker, from the moment the waits are created until the last one ends:

- peak RSS per wait: (peak RSS - RSS before the waits) / N, after a warm-up that loads botocore's
  Personalize model once, for both patterns alike;
- setup CPU per wait: process CPU (every thread) until each wait is set up, that is parked before its
  first poll (ours) or sending its first poll (amazon: the first thing it does once its client exists);
- CPU per wait: process CPU of the whole run / N, polls and their logging included. Both CPU figures
  leave out the probe's own ticker, whose cost is measured alone before the run (~13 ms a second);
- event-loop lag: how late a 10 ms ticker wakes, p50 / p99 / max; "own p99", the p99 of the part of
  each lateness the loop thread spent running code (at most its CPU time over the tick), which leaves
  out waiting for a core held by other processes; and the longest garbage collection;
- last first poll: seconds until the last wait sent its first request;
- requests: HTTP requests sent (counted in aiobotocore's HTTP session, for both patterns);
- load: the machine's 1-minute load average at the end, since other processes delay the loop too.

Figures are printed as a table with ratios; nothing is asserted (see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REGION_NAME = "us-east-1"
CONN_ID = "bench_emulator"
IMPORT_JOBS = 5
TICK_SECONDS = 0.01
MAX_FIRST_POLL_RATE = 80
MIN_WAITER_DELAY = 30

# The amazon provider's way: a botocore waiter model per service, in a JSON file next to its hook.
WAITER_NAME = "dataset_import_job_complete"


def _status_acceptor(status: str, state: str) -> dict[str, str]:
    return {"matcher": "path", "argument": "datasetImportJob.status", "expected": status, "state": state}


WAITER_MODEL = {
    "version": 2,
    "waiters": {
        WAITER_NAME: {
            "delay": 60,
            "maxAttempts": 720,
            "operation": "DescribeDatasetImportJob",
            "acceptors": [
                _status_acceptor("CREATE PENDING", "retry"),
                _status_acceptor("CREATE IN_PROGRESS", "retry"),
                _status_acceptor("ACTIVE", "success"),
                _status_acceptor("CREATE FAILED", "failure"),
            ],
        }
    },
}


def waiter_delay_for(waits: int, min_delay: int = MIN_WAITER_DELAY) -> int:
    return max(min_delay, -(-waits // MAX_FIRST_POLL_RATE))


# --- the worker: one configuration, in its own process --------------------------------------------------


def amazon_pattern_trigger_class(waiter_model_path: Path) -> type:
    """An ``AwsBaseWaiterTrigger`` for import jobs, written as the amazon provider writes its own."""
    from functools import cached_property

    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
    from airflow.providers.amazon.aws.triggers.base import AwsBaseWaiterTrigger

    class PersonalizeWaiterHook(AwsBaseHook):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["client_type"] = "personalize"
            super().__init__(*args, **kwargs)

        @cached_property
        def waiter_path(self) -> Path:
            return waiter_model_path

    class DatasetImportJobCompleteTrigger(AwsBaseWaiterTrigger):
        aws_hook_class = PersonalizeWaiterHook

        def __init__(
            self, *, arn: str, waiter_delay: int, waiter_max_attempts: int, aws_conn_id: str
        ) -> None:
            super().__init__(
                serialized_fields={"arn": arn},
                waiter_name=WAITER_NAME,
                waiter_args={"datasetImportJobArn": arn},
                failure_message="Personalize dataset import job failed",
                status_message="Status of Personalize dataset import job is",
                status_queries=["datasetImportJob.status"],
                return_key="arn",
                return_value=arn,
                waiter_delay=waiter_delay,
                waiter_max_attempts=waiter_max_attempts,
                aws_conn_id=aws_conn_id,
            )

    return DatasetImportJobCompleteTrigger


class Probe:
    """Watches the waits from the side: requests, when each wait was set up and first polled, loop lag,
    and the garbage collector's pauses (which, with tens of thousands of live objects, are the longest)."""

    def __init__(self, waits: int) -> None:
        self.waits = waits
        self.started = time.monotonic()
        self.cpu_started = time.process_time()
        self.requests = 0
        self.first_request: dict[asyncio.Task[Any], float] = {}
        self.set_up: set[asyncio.Task[Any]] = set()
        self.setup_cpu: float | None = None
        self.setup_seconds: float | None = None
        self.lags: list[float] = []
        self.own_lags: list[float] = []
        self.gc_pauses: list[float] = []
        self._gc_started = 0.0

    def gc_phase(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_pauses.append(time.perf_counter() - self._gc_started)

    def wait_is_set_up(self) -> None:
        task = asyncio.current_task()
        if task is None or task in self.set_up:
            return
        self.set_up.add(task)
        if len(self.set_up) == self.waits:
            self.setup_cpu = time.process_time() - self.cpu_started
            self.setup_seconds = time.monotonic() - self.started

    def request_sent(self) -> None:
        self.requests += 1
        task = asyncio.current_task()
        if task is not None and task not in self.first_request:
            self.first_request[task] = time.monotonic() - self.started
        self.wait_is_set_up()

    async def tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before, cpu_before = loop.time(), time.thread_time()
            await asyncio.sleep(TICK_SECONDS)
            lag = loop.time() - before - TICK_SECONDS
            self.lags.append(lag)
            # The loop thread cannot have delayed the tick by more than the CPU it ran meanwhile: the rest
            # of the lag is the process waiting for a core that other processes hold.
            self.own_lags.append(min(lag, time.thread_time() - cpu_before))


async def ticker_cpu_per_second(seconds: float = 2.0) -> float:
    """What the probe's ticker alone costs, to take out of the waits' CPU (~13 ms a second)."""
    ticker = asyncio.ensure_future(Probe(0).tick())
    cpu, started = time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    ticker.cancel()
    return (time.process_time() - cpu) / (time.monotonic() - started)


def instrument(probe: Probe) -> None:
    """Count requests where both patterns send them, and see when our waits park before a first poll."""
    from aiobotocore.httpsession import AIOHTTPSession

    from airflow_provider_personalize.triggers import _polling

    send = AIOHTTPSession.send

    async def counted_send(self: AIOHTTPSession, request: Any) -> Any:
        probe.request_sent()
        return await send(self, request)

    AIOHTTPSession.send = counted_send  # type: ignore[method-assign]
    sleep = _polling.sleep

    async def observed_sleep(delay: float) -> None:
        probe.wait_is_set_up()
        await sleep(delay)

    _polling.sleep = observed_sleep  # type: ignore[assignment]


async def warm_up() -> None:
    """Load botocore's data for Personalize once, as any long-running triggerer already has."""
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    hook = AwsBaseHook(aws_conn_id=CONN_ID, client_type="personalize")
    async with await hook.get_async_conn() as client:
        await client.list_dataset_groups()


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


async def run_waits(triggers: list[Any], probe: Probe) -> list[dict[str, Any]]:
    async def wait(trigger: Any) -> dict[str, Any]:
        async for event in trigger.run():
            return event.payload
        raise RuntimeError("the trigger ended without an event")

    ticker = asyncio.ensure_future(probe.tick())
    gc.callbacks.append(probe.gc_phase)
    try:
        return await asyncio.gather(*(asyncio.ensure_future(wait(trigger)) for trigger in triggers))
    finally:
        gc.callbacks.remove(probe.gc_phase)
        ticker.cancel()


def worker(pattern: str, waits: int, waiter_delay: int, arns: list[str], waiter_model_path: Path) -> dict:
    trigger_class: Callable[..., Any]
    if pattern == "ours":
        from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

        trigger_class = PersonalizeResourceTrigger
        common = {"kind": "dataset_import_job"}
    else:
        trigger_class = amazon_pattern_trigger_class(waiter_model_path)
        common = {}
    # What a triggerer holds for each wait: the keyword arguments its operator serialised.
    kwargs = [
        {
            **common,
            "arn": arns[i % len(arns)],
            "waiter_delay": waiter_delay,
            "waiter_max_attempts": 100,
            "aws_conn_id": CONN_ID,
        }
        for i in range(waits)
    ]

    async def measured() -> dict:
        await warm_up()
        ticker_cpu_rate = await ticker_cpu_per_second()
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")  # resets the peak RSS to the current RSS
        rss_before = rss_kib("VmRSS")
        probe = Probe(waits)
        instrument(probe)
        triggers = [trigger_class(**arguments) for arguments in kwargs]
        events = await run_waits(triggers, probe)
        elapsed = time.monotonic() - probe.started
        cpu = time.process_time() - probe.cpu_started - ticker_cpu_rate * elapsed
        assert probe.setup_cpu is not None and probe.setup_seconds is not None
        setup_cpu = probe.setup_cpu - ticker_cpu_rate * probe.setup_seconds
        lags = sorted(probe.lags)
        own_lags = sorted(probe.own_lags)
        statuses: dict[str, int] = {}
        for event in events:
            statuses[event["status"]] = statuses.get(event["status"], 0) + 1
        return {
            "pattern": pattern,
            "waits": waits,
            "waiter_delay": waiter_delay,
            "rss_kib_per_wait": (rss_kib("VmHWM") - rss_before) / waits,
            "setup_cpu_ms_per_wait": 1000 * setup_cpu / waits,
            "cpu_ms_per_wait": 1000 * cpu / waits,
            "lag_p50_ms": 1000 * lags[len(lags) // 2],
            "lag_p99_ms": 1000 * lags[int(len(lags) * 0.99)],
            "lag_max_ms": 1000 * lags[-1],
            "own_lag_p99_ms": 1000 * own_lags[int(len(own_lags) * 0.99)],
            "gc_max_ms": 1000 * max(probe.gc_pauses, default=0),
            "last_first_poll_s": max(probe.first_request.values()),
            "requests": probe.requests,
            "elapsed_s": elapsed,
            # Other processes on the machine delay the loop too: the 1-minute load average says how many.
            "load_average": os.getloadavg()[0],
            "events": statuses,
        }

    return asyncio.run(measured())


# --- the orchestrator: the emulator, the jobs, one worker per configuration ------------------------------


class Service:
    """The emulator, with a dataset to import into."""

    def __init__(self) -> None:
        from personalize_emulator.engine import synthetic
        from personalize_emulator.harness.pytest_plugin import start_emulator_server

        from demo.run_demo import trust_policy

        self.server = start_emulator_server(step_seconds=1)
        self.personalize = self.server.client("personalize")
        data = synthetic.generate(users=100, items=50, interactions=1000)
        self.server.create_bucket("bench-triggerer")
        self.server.client("s3").put_object(
            Bucket="bench-triggerer", Key="interactions.csv", Body=data.interactions_csv
        )
        self.role_arn = self.server.client("iam").create_role(
            RoleName="personalize-bench", AssumeRolePolicyDocument=trust_policy()
        )["Role"]["Arn"]
        group = self.personalize.create_dataset_group(name="bench")["datasetGroupArn"]
        self._wait_active("dataset_group", group)
        schema = self.personalize.create_schema(name="bench", schema=data.schemas["Interactions"])
        dataset = self.personalize.create_dataset(
            name="bench", schemaArn=schema["schemaArn"], datasetGroupArn=group, datasetType="Interactions"
        )["datasetArn"]
        self._wait_active("dataset", dataset)
        self.dataset = dataset
        self.jobs_created = 0

    def _wait_active(self, kind_key: str, arn: str) -> None:
        from airflow_provider_personalize.resources import get_kind

        kind = get_kind(kind_key)
        describe = getattr(self.personalize, kind.describe_method)
        while kind.status_of(describe(**{kind.arn_member: arn})[kind.response_key]) != "ACTIVE":
            time.sleep(0.2)

    def fresh_import_jobs(self, step_seconds: int) -> list[str]:
        """Import jobs that become ACTIVE about ``2 * step_seconds`` from now."""
        transition = {"progression": "time", "seconds": step_seconds}
        self.server.set_transition("personalize::dataset-import-job", transition)
        arns = []
        for _ in range(IMPORT_JOBS):
            self.jobs_created += 1
            arns.append(
                self.personalize.create_dataset_import_job(
                    jobName=f"bench-{self.jobs_created}",
                    datasetArn=self.dataset,
                    dataSource={"dataLocation": "s3://bench-triggerer/interactions.csv"},
                    roleArn=self.role_arn,
                    importMode="FULL",
                )["datasetImportJobArn"]
            )
        return arns

    def connection_env(self) -> dict[str, str]:
        connection = {
            "conn_type": "aws",
            "login": "testing",
            "password": "testing",
            "extra": {"endpoint_url": self.server.endpoint_url, "region_name": REGION_NAME},
        }
        return {f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(connection)}

    def stop(self) -> None:
        self.server.stop()


def run_configuration(service: Service, pattern: str, waits: int, min_delay: int, workdir: Path) -> dict:
    waiter_delay = waiter_delay_for(waits, min_delay)
    arns = service.fresh_import_jobs(step_seconds=waiter_delay)
    result_path = workdir / f"{pattern}-{waits}.json"
    env = {**os.environ, **service.connection_env(), "AIRFLOW_HOME": str(workdir / "airflow")}
    command = [
        sys.executable,
        "-m",
        "bench.triggerer",
        "--worker",
        pattern,
        str(waits),
        str(waiter_delay),
        ",".join(arns),
        str(workdir / "waiters.json"),
        str(result_path),
    ]
    # The waits' own logs (a line per status change, or per poll for the amazon pattern) are part of
    # their cost, but not of the report: they go to a file, shown if the worker fails.
    log_path = workdir / f"{pattern}-{waits}.log"
    with log_path.open("w") as log:
        worker_process = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    if worker_process.returncode:
        sys.exit(f"{pattern} x {waits} failed:\n" + "\n".join(log_path.read_text().splitlines()[-30:]))
    return json.loads(result_path.read_text())


COLUMNS = (
    ("pattern", "{}", 7),
    ("waits", "{:,}", 7),
    ("waiter_delay", "{} s", 12),
    ("rss_kib_per_wait", "{:.1f} KiB", 13),
    ("setup_cpu_ms_per_wait", "{:.2f} ms", 11),
    ("cpu_ms_per_wait", "{:.2f} ms", 10),
    ("lag_p50_ms", "{:.1f} ms", 9),
    ("lag_p99_ms", "{:.1f} ms", 9),
    ("lag_max_ms", "{:.0f} ms", 9),
    ("own_lag_p99_ms", "{:.1f} ms", 9),
    ("gc_max_ms", "{:.0f} ms", 9),
    ("last_first_poll_s", "{:.1f} s", 10),
    ("requests", "{:,}", 8),
    ("elapsed_s", "{:.0f} s", 7),
    ("load_average", "{:.1f}", 4),
)
HEADERS = (
    "pattern",
    "waits",
    "waiter_delay",
    "RSS/wait",
    "setup CPU",
    "CPU/wait",
    "lag p50",
    "lag p99",
    "lag max",
    "own p99",
    "GC max",
    "1st polls",
    "requests",
    "elapsed",
    "load",
)


def table(results: list[dict]) -> str:
    widths = [max(width, len(header)) for (_, _, width), header in zip(COLUMNS, HEADERS, strict=True)]
    lines = [" | ".join(header.rjust(width) for header, width in zip(HEADERS, widths, strict=True))]
    for result in results:
        cells = [fmt.format(result[key]) for key, fmt, _ in COLUMNS]
        lines.append(" | ".join(cell.rjust(width) for cell, width in zip(cells, widths, strict=True)))
    return "\n".join(lines)


def ratios(results: list[dict]) -> str:
    lines = []
    by_key = {(result["pattern"], result["waits"]): result for result in results}
    for waits in sorted({result["waits"] for result in results}):
        ours, amazon = by_key.get(("ours", waits)), by_key.get(("amazon", waits))
        if not (ours and amazon):
            continue
        parts = [
            f"{label} {amazon[key] / max(ours[key], 1e-9):.0f}x"
            for key, label in (
                ("rss_kib_per_wait", "RSS"),
                ("setup_cpu_ms_per_wait", "setup CPU"),
                ("cpu_ms_per_wait", "CPU"),
                ("lag_p99_ms", "lag p99"),
                ("lag_max_ms", "lag max"),
                ("requests", "requests"),
            )
        ]
        lines.append(f"amazon / ours at {waits:,} waits: " + ", ".join(parts))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", type=int, nargs="*", default=[100, 1000, 10000], help="sizes for ours")
    parser.add_argument("--amazon", type=int, nargs="*", default=[100, 1000], help="sizes for amazon")
    parser.add_argument(
        "--min-delay",
        type=int,
        default=MIN_WAITER_DELAY,
        help=f"shortest waiter_delay in seconds (default {MIN_WAITER_DELAY}; lower for a quick smoke run)",
    )
    parser.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        pattern, waits, waiter_delay, arns, waiter_model_path, result_path = args.worker
        result = worker(pattern, int(waits), int(waiter_delay), arns.split(","), Path(waiter_model_path))
        Path(result_path).write_text(json.dumps(result))
        return

    configurations = [("ours", n) for n in args.ours] + [("amazon", n) for n in args.amazon]
    configurations.sort(key=lambda configuration: (configuration[1], configuration[0]))
    service = Service()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-triggerer-") as workdir_name:
            workdir = Path(workdir_name)
            (workdir / "waiters.json").write_text(json.dumps(WAITER_MODEL))
            for pattern, waits in configurations:
                print(f"running {pattern} x {waits:,} ...", file=sys.stderr, flush=True)
                results.append(run_configuration(service, pattern, waits, args.min_delay, workdir))
                print(f"  {json.dumps(results[-1])}", file=sys.stderr, flush=True)
    finally:
        service.stop()
    print(table(results))
    print()
    print(ratios(results))
    print(
        "goals at 10,000 waits (ours): RSS <= 30 KB (29.3 KiB) and setup CPU <= 2 ms per wait, "
        "lag p99 <= 20 ms"
    )
    for result in results:
        if set(result["events"]) != {"success"}:
            print(f"note: {result['pattern']} x {result['waits']} ended with {result['events']}")


if __name__ == "__main__":
    main()
