"""A nightly DAG with eight imports under injected rate limiting: does each run succeed on the first try of
every task, and how many requests does it send?

The DAG (``nightly_eight_imports``): two schemas, then four dataset groups (AWS's default quota is five
per region), each with an Interactions and an Items dataset and an import into each: eight imports, 22
tasks, no task retries. Run with ``dag.test()`` against the emulator over
HTTP, whose fault injection answers a share of all requests (``throttleRate``: 30 % or 60 %) with
``ThrottlingException`` or ``LimitExceededException`` (``throttleError``), seeded. Each run is a fresh
process with a copy of one migrated Airflow database, so that runs and revisions compare alike.

Reported per configuration: runs that succeeded with every task on its first try; requests sent to
Personalize (every HTTP request of botocore and aiobotocore clients, refused ones included) and, of them,
throttled answers; wall time. The rate-limit retries run at a twentieth of their default pace
(``[personalize] rate_limit_base_delay = 0.05``, ``rate_limit_max_delay = 1``; their budget unchanged) and
the waits poll every second, so that a run takes a minute, not an hour: the request counts are those of
the default pace within a few percent (the number of retries a storm needs does not depend on the pace).

``--provider-path DIR`` runs the same with the provider found in DIR (a checkout of another revision) for a
before/after comparison. Run: ``python -m bench.nightly_rate_limits [--runs 2] [--modes blocking
deferrable] [--provider-path DIR]``. Reports figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CONN_ID = "personalize_bench"
BUCKET = "personalize-bench"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3Access"
GROUPS = 4  # each with two imports: eight
DAG_ID = "nightly_eight_imports"
CODES = ("ThrottlingException", "LimitExceededException")
RATES = (0.3, 0.6)
INTERACTIONS_CSV = "USER_ID,ITEM_ID,TIMESTAMP\n" + "".join(
    f"user{user},item{item},{1767225600 + 100 * user + item}\n" for user in range(30) for item in range(40)
)
ITEMS_CSV = "ITEM_ID,GENRE\n" + "".join(f"item{item},genre{item % 5}\n" for item in range(40))
DAG_SOURCE = f'''
from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateDatasetOperator,
    PersonalizeCreateSchemaOperator,
)

FIELDS = {{
    "Interactions": [
        {{"name": "USER_ID", "type": "string"}},
        {{"name": "ITEM_ID", "type": "string"}},
        {{"name": "TIMESTAMP", "type": "long"}},
    ],
    "Items": [
        {{"name": "ITEM_ID", "type": "string"}},
        {{"name": "GENRE", "type": "string", "categorical": True}},
    ],
}}

for deferrable in (False, True):
    with DAG(
        "{DAG_ID}" + ("_deferrable" if deferrable else ""),
        schedule=None,
        start_date=datetime(2026, 1, 1),
        default_args={{"aws_conn_id": "{CONN_ID}", "waiter_delay": 1, "deferrable": deferrable}},
    ) as dag:
        schemas = {{
            dataset_type: PersonalizeCreateSchemaOperator(
                task_id=f"{{dataset_type.lower()}}_schema",
                name=f"nightly-{{dataset_type.lower()}}",
                schema={{
                    "type": "record",
                    "name": dataset_type,
                    "namespace": "com.amazonaws.personalize.schema",
                    "fields": fields,
                    "version": "1.0",
                }},
            )
            for dataset_type, fields in FIELDS.items()
        }}
        for index in range({GROUPS}):
            group = PersonalizeCreateDatasetGroupOperator(task_id=f"group_{{index}}", name=f"shop-{{index}}")
            for dataset_type, schema in schemas.items():
                kind = dataset_type.lower()
                dataset = PersonalizeCreateDatasetOperator(
                    task_id=f"{{kind}}_{{index}}",
                    name=f"shop-{{index}}-{{kind}}",
                    schema_arn=schema.output,
                    dataset_group_arn=group.output,
                    dataset_type=dataset_type,
                )
                PersonalizeCreateDatasetImportJobOperator(
                    task_id=f"import_{{kind}}_{{index}}",
                    dataset_arn=dataset.output,
                    data_source=f"s3://{BUCKET}/{{kind}}.csv",
                    role_arn="{ROLE_ARN}",
                )
    globals()[dag.dag_id] = dag
'''


def child(mode: str) -> None:
    """One run, in this fresh process (its environment set by the parent): prints the figures as JSON."""
    import importlib.util

    from aiobotocore.httpsession import AIOHTTPSession
    from botocore.endpoint import Endpoint

    counts = {"requests": 0, "throttled": 0}

    def count(status: int, body: bytes | None) -> None:
        counts["requests"] += 1
        if status in (400, 429) and body and any(code.encode() in body for code in CODES):
            counts["throttled"] += 1

    send = Endpoint._send

    def counted_send(self: Any, request: Any) -> Any:
        response = send(self, request)
        count(response.status_code, response.content)
        return response

    Endpoint._send = counted_send  # type: ignore[method-assign]
    async_send = AIOHTTPSession.send

    async def counted_async_send(self: Any, request: Any) -> Any:
        response = await async_send(self, request)
        count(response.status_code, await response.content if response.status_code >= 400 else None)
        return response

    AIOHTTPSession.send = counted_async_send  # type: ignore[method-assign]

    dag_file = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"]) / "nightly_eight_imports.py"
    spec = importlib.util.spec_from_file_location(dag_file.stem, dag_file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dag = getattr(module, DAG_ID + ("_deferrable" if mode == "deferrable" else ""))
    started = time.monotonic()
    run = dag.test()
    tries = {ti.task_id: (ti.state, ti.try_number) for ti in run.get_task_instances()}
    print(
        json.dumps(
            {
                "first_try": run.state == "success" and all(t == ("success", 1) for t in tries.values()),
                "failed": sorted(task for task, (state, _) in tries.items() if state != "success"),
                "seconds": time.monotonic() - started,
                **counts,
            }
        ),
        flush=True,
    )


def migrated_database(workdir: Path, env: dict[str, str]) -> Path:
    """An Airflow database migrated once, copied for every run."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True
    )
    return workdir / "airflow.db"


def run_once(
    emulator: Any, workdir: Path, template: Path, env: dict[str, str], setting: dict[str, Any]
) -> dict:
    from bench._emulator import create_personalize_role

    emulator.reset()
    create_personalize_role(emulator, ROLE_ARN)
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="interactions.csv", Body=INTERACTIONS_CSV.encode())
    s3.put_object(Bucket=BUCKET, Key="items.csv", Body=ITEMS_CSV.encode())
    run_dir = Path(tempfile.mkdtemp(dir=workdir))
    shutil.copy(template, run_dir / "airflow.db")
    (run_dir / "dags").mkdir()
    (run_dir / "dags" / "nightly_eight_imports.py").write_text(DAG_SOURCE)
    run_env = {
        **env,
        "AIRFLOW_HOME": str(run_dir),
        "AIRFLOW__CORE__DAGS_FOLDER": str(run_dir / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{run_dir / 'airflow.db'}",
    }
    emulator.set_faults(throttleRate=setting["rate"], throttleError=setting["code"], seed=setting["seed"])
    try:
        # A script run from its own folder: ``python -m`` would put the working directory first on
        # sys.path, before PYTHONPATH, and import this checkout's provider whatever --provider-path says.
        completed = subprocess.run(
            [sys.executable, __file__, "--child", setting["mode"]],
            env=run_env,
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        emulator.set_faults()
        shutil.rmtree(run_dir, ignore_errors=True)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(completed.stderr[-3000:])
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--modes", nargs="+", default=["blocking"], choices=["blocking", "deferrable"])
    parser.add_argument("--provider-path", help="a checkout whose provider to measure instead of this one")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    from personalize_emulator.harness.pytest_plugin import start_emulator_server

    from bench._emulator import connection_environment

    workdir = Path(tempfile.mkdtemp(prefix="bench-nightly-rate-limits-"))
    emulator = start_emulator_server(0.1)
    try:
        env = {
            **connection_environment(emulator, CONN_ID),
            "AIRFLOW_HOME": str(workdir),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{workdir / 'airflow.db'}",
            "AIRFLOW__PERSONALIZE__RATE_LIMIT_BASE_DELAY": "0.05",
            "AIRFLOW__PERSONALIZE__RATE_LIMIT_MAX_DELAY": "1",
        }
        if args.provider_path:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [args.provider_path, env.get("PYTHONPATH")]))
        template = migrated_database(workdir, env)
        print(f"provider: {args.provider_path or 'this checkout'}; {args.runs} runs per configuration")
        print(
            f"{'mode':>10} | {'rate':>4} | {'code':>22} | {'first-try success':>17} | {'requests':>8} | "
            f"{'throttled':>9} | {'seconds':>7} | failed tasks"
        )
        for mode in args.modes:
            for rate in RATES:
                for code in CODES:
                    results = [
                        run_once(
                            emulator,
                            workdir,
                            template,
                            env,
                            {"mode": mode, "rate": rate, "code": code, "seed": seed},
                        )
                        for seed in range(args.runs)
                    ]
                    succeeded = sum(result["first_try"] for result in results)
                    failed = sorted({task for result in results for task in result["failed"]})
                    print(
                        f"{mode:>10} | {rate:4.0%} | {code:>22} | {f'{succeeded}/{len(results)}':>17} | "
                        f"{statistics.median(r['requests'] for r in results):8.0f} | "
                        f"{statistics.median(r['throttled'] for r in results):9.0f} | "
                        f"{statistics.median(r['seconds'] for r in results):7.0f} | "
                        f"{', '.join(failed[:4]) + (' ...' if len(failed) > 4 else '') or '-'}",
                        flush=True,
                    )
    finally:
        emulator.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
