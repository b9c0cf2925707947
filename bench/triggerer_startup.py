"""How long a triggerer's event loop stalls when it starts its first Personalize trigger.

Airflow's triggerer imports a trigger's class (``import_string(classpath)``, in
``TriggerRunner.create_triggers``) on its event loop, then runs the trigger there: whatever the trigger's
module imports, and whatever its first run does before its first ``await``, stalls every other trigger of
the process. Each run here is a fresh interpreter that has loaded what a triggerer has (Airflow's
``triggerer_job_runner``), runs a 2 ms ticker on its loop, then does what ``create_triggers`` does with
one serialized ``PersonalizeResourceTrigger`` (a wait on a dataset group of the emulator, over HTTP):
import the class on the loop, build the trigger, run it until its event. Reported, per run: the loop's
longest stall by the clock (the ticker's worst lateness) and, of it, the part the loop's own thread
spent running code (its CPU time between two ticks: the stall the trigger's code causes, whatever else
the machine or the process's other threads are doing); the totals of stalls over 20 ms, both ways; and
the time until the event. On a busy machine the wall-clock figures follow the load; the own-code figures
do not.

``--provider-path DIR`` runs the same with the provider found in DIR (a checkout of another revision,
put first on ``PYTHONPATH``) for a before/after comparison. Run: ``python -m bench.triggerer_startup
[--runs 5] [--provider-path DIR]``. Reports figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from personalize_emulator.harness.pytest_plugin import start_emulator_server

CONN_ID = "personalize_bench"
CLASSPATH = "airflow_provider_personalize.triggers.personalize.PersonalizeResourceTrigger"
TICK_SECONDS = 0.002
STALL_SECONDS = 0.020


async def _measure(arn: str) -> dict[str, float]:
    from airflow._shared.module_loading import import_string

    loop = asyncio.get_running_loop()
    lateness: list[float] = []
    own: list[float] = []

    async def ticker() -> None:
        while True:
            expected, cpu = loop.time() + TICK_SECONDS, time.thread_time()
            await asyncio.sleep(TICK_SECONDS)
            late = max(0.0, loop.time() - expected)
            lateness.append(late)
            own.append(min(late, time.thread_time() - cpu))

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.5)  # the loop's lateness before anything happens
    baseline = max(lateness, default=0.0)
    lateness.clear()
    own.clear()
    started = time.monotonic()
    trigger_class = import_string(CLASSPATH)  # on the loop, as create_triggers does
    await asyncio.sleep(0)
    trigger = trigger_class(
        kind="dataset_group", arn=arn, waiter_delay=0.2, waiter_max_attempts=100, aws_conn_id=CONN_ID
    )
    async for event in trigger.run():
        assert event.payload["status"] == "success", event.payload
        break
    until_event = time.monotonic() - started
    ticking.cancel()
    return {
        "baseline_ms": baseline * 1000,
        "max_stall_ms": max(lateness, default=0.0) * 1000,
        "stalled_ms": sum(late for late in lateness if late > STALL_SECONDS) * 1000,
        "max_own_ms": max(own, default=0.0) * 1000,
        "own_stalled_ms": sum(late for late in own if late > STALL_SECONDS) * 1000,
        "until_event_s": until_event,
    }


def child(arn: str) -> None:
    import airflow.jobs.triggerer_job_runner  # noqa: F401  (what a triggerer process has loaded)

    print(json.dumps(asyncio.run(_measure(arn))), flush=True)


def run_once(arn: str, env: dict[str, str]) -> dict[str, float]:
    # This file run as a script, from outside the checkout: ``python -m`` would put the working directory
    # first on sys.path, before PYTHONPATH, and import this checkout's provider whatever --provider-path says.
    completed = subprocess.run(
        [sys.executable, __file__, "--child", arn],
        env=env,
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--provider-path", help="a checkout whose provider to measure instead of this one")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    from bench._emulator import connection_environment

    emulator = start_emulator_server(0.2)
    try:
        arn = emulator.client("personalize").create_dataset_group(name="bench-triggerer-startup")[
            "datasetGroupArn"
        ]
        env = connection_environment(emulator, CONN_ID, args.provider_path)
        runs = [run_once(arn, env) for _ in range(args.runs)]
    finally:
        emulator.stop()
    print(f"provider: {args.provider_path or 'this checkout'}; {args.runs} fresh triggerer-like processes")
    print(f"{'':>16} | {'median':>8} | {'min':>8} | {'max':>8}")
    for key, label in (
        ("max_own_ms", "longest own ms"),
        ("own_stalled_ms", "own>20ms, ms"),
        ("max_stall_ms", "longest stall ms"),
        ("stalled_ms", "stalls>20ms, ms"),
        ("until_event_s", "until event, s"),
        ("baseline_ms", "idle lateness ms"),
    ):
        values = [run[key] for run in runs]
        print(f"{label:>16} | {statistics.median(values):8.1f} | {min(values):8.1f} | {max(values):8.1f}")


if __name__ == "__main__":
    main()
