"""What the Personalize view costs: Personalize requests and time per page view, and plugin loading.

1. Page views. The emulator (over HTTP, with ``--latency`` seconds added to every request, as AWS's
   round trip would) holds a dataset group with three datasets (a FULL and an INCREMENTAL import each,
   one export), one solution with ``--versions`` trained versions, a campaign, a batch inference job and
   a data deletion job. The view's read model (the code behind its overview endpoint) reads it through
   an Airflow connection: cold (empty caches), warm (within the TTL: a reload), and after the TTL (only
   the answers that can no longer change are kept). Requests are counted by a botocore event handler.
2. Plugin loading. Every process that loads Airflow plugins (task processes do, for macros) imports the
   plugin module. Import time it adds beyond Airflow's plugins manager, in fresh interpreters
   (``python -X importtime``), against the import time of the view's app (what an eager plugin, one
   that built its FastAPI app at import, would add).

Run: ``python -m bench view_cost`` (or ``uv run --frozen --all-extras python -m bench.view_cost
[--versions 30] [--latency 0.05] [--runs 5]``). Reports figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from personalize_emulator.harness.pytest_plugin import (
    DUMMY_CREDENTIALS,
    REGION_NAME,
    PersonalizeEmulatorServer,
    start_emulator_server,
)

from bench._emulator import create_personalize_role
from bench.parse_cost import self_times

CONN_ID = "personalize_bench"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeBench"
BUCKET = "personalize-bench"
RECIPE = "arn:aws:personalize:::recipe/aws-user-personalization"
# 30 users x 40 items: enough to train (1000 interactions, 25 users with 2 or more).
INTERACTIONS = "USER_ID,ITEM_ID,TIMESTAMP\n" + "".join(
    f"user{user},item{item},{1767225600 + 100 * user + item}\n" for user in range(30) for item in range(40)
)
SCHEMAS = {
    "Interactions": [("USER_ID", "string"), ("ITEM_ID", "string"), ("TIMESTAMP", "long")],
    "Items": [("ITEM_ID", "string"), ("GENRE", "string")],
    "Users": [("USER_ID", "string"), ("AGE", "int")],
}
FILES = {
    "Interactions": INTERACTIONS,
    "Items": "ITEM_ID,GENRE\n" + "".join(f"item{item},g{item % 5}\n" for item in range(40)),
    "Users": "USER_ID,AGE\n" + "".join(f"user{user},{20 + user}\n" for user in range(30)),
}
PLUGINS_MANAGER = ("airflow.sdk.plugins_manager",)


def wait(describe: Callable[[], dict], key: str) -> dict:
    while (answer := describe()[key])["status"] not in ("ACTIVE", "CREATE FAILED", "COMPLETED", "FAILED"):
        time.sleep(0.05)
    return answer


def build_history(server: PersonalizeEmulatorServer, versions: int) -> str:
    """The dataset group described in the module's docstring; returns its ARN."""
    personalize, s3 = server.client("personalize"), server.client("s3")
    create_personalize_role(server, ROLE_ARN)
    s3.create_bucket(Bucket=BUCKET)
    group = personalize.create_dataset_group(name="bench")["datasetGroupArn"]
    wait(lambda: personalize.describe_dataset_group(datasetGroupArn=group), "datasetGroup")
    for dataset_type, fields in SCHEMAS.items():
        s3.put_object(Bucket=BUCKET, Key=f"{dataset_type}.csv", Body=FILES[dataset_type].encode())
        schema = {"type": "record", "name": dataset_type, "namespace": "com.amazonaws.personalize.schema"}
        schema["fields"] = [{"name": name, "type": avro_type} for name, avro_type in fields]
        schema_arn = personalize.create_schema(name=f"bench-{dataset_type}", schema=json.dumps(schema))[
            "schemaArn"
        ]
        dataset = personalize.create_dataset(
            name=f"bench-{dataset_type}",
            schemaArn=schema_arn,
            datasetGroupArn=group,
            datasetType=dataset_type,
        )["datasetArn"]
        wait(lambda dataset=dataset: personalize.describe_dataset(datasetArn=dataset), "dataset")
        for mode in ("FULL", "INCREMENTAL"):
            job = personalize.create_dataset_import_job(
                jobName=f"bench-{dataset_type}-{mode}",
                datasetArn=dataset,
                dataSource={"dataLocation": f"s3://{BUCKET}/{dataset_type}.csv"},
                roleArn=ROLE_ARN,
                importMode=mode,
            )["datasetImportJobArn"]
            wait(
                lambda job=job: personalize.describe_dataset_import_job(datasetImportJobArn=job),
                "datasetImportJob",
            )
        personalize.create_dataset_export_job(
            jobName=f"bench-{dataset_type}-export",
            datasetArn=dataset,
            roleArn=ROLE_ARN,
            jobOutput={"s3DataDestination": {"path": f"s3://{BUCKET}/exports/{dataset_type}/"}},
        )
    solution = personalize.create_solution(
        name="bench", datasetGroupArn=group, recipeArn=RECIPE, performAutoTraining=False
    )["solutionArn"]
    wait(lambda: personalize.describe_solution(solutionArn=solution), "solution")
    trained = []
    for _ in range(versions):
        version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        wait(
            lambda version=version: personalize.describe_solution_version(solutionVersionArn=version),
            "solutionVersion",
        )
        trained.append(version)
    campaign = personalize.create_campaign(name="bench", solutionVersionArn=trained[-1])["campaignArn"]
    wait(lambda: personalize.describe_campaign(campaignArn=campaign), "campaign")
    s3.put_object(Bucket=BUCKET, Key="users.jsonl", Body=b'{"userId": "user1"}\n')
    s3.put_object(Bucket=BUCKET, Key="deletions.csv", Body=b"USER_ID\nuser1\n")
    personalize.create_batch_inference_job(
        jobName="bench",
        solutionVersionArn=trained[-1],
        jobInput={"s3DataSource": {"path": f"s3://{BUCKET}/users.jsonl"}},
        jobOutput={"s3DataDestination": {"path": f"s3://{BUCKET}/batch/"}},
        roleArn=ROLE_ARN,
    )
    deletion = personalize.create_data_deletion_job(
        jobName="bench",
        datasetGroupArn=group,
        dataSource={"dataLocation": f"s3://{BUCKET}/deletions.csv"},
        roleArn=ROLE_ARN,
    )["dataDeletionJobArn"]
    wait(lambda: personalize.describe_data_deletion_job(dataDeletionJobArn=deletion), "dataDeletionJob")
    return group


def page_view(group: str) -> tuple[int, float]:
    """One overview page view through the read model: (requests sent to Personalize, seconds)."""
    from airflow_provider_personalize.ui import overview
    from airflow_provider_personalize.ui.reader import PersonalizeReader

    reader = PersonalizeReader(CONN_ID, None)
    sent: list[Any] = []
    reader.client.meta.events.register("before-call.personalize", lambda **_: sent.append(1))
    started = time.perf_counter()
    overview.dataset_group_overview(reader, group)
    return len(sent), time.perf_counter() - started


def page_views(server: PersonalizeEmulatorServer, versions: int, latency: float) -> None:
    group = build_history(server, versions)
    server.set_faults(latencySeconds=latency)
    os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"] = json.dumps(
        {
            "conn_type": "aws",
            "login": DUMMY_CREDENTIALS["aws_access_key_id"],
            "password": DUMMY_CREDENTIALS["aws_secret_access_key"],
            "extra": {"endpoint_url": server.endpoint_url, "region_name": REGION_NAME},
        }
    )
    from airflow_provider_personalize.ui.reader import ANSWER_TTL_SECONDS, forget_answers

    cold = page_view(group)
    warm = page_view(group)
    forget_answers(keep_settled=True)  # what ANSWER_TTL_SECONDS does
    expired = page_view(group)
    print(
        f"Overview of a dataset group with {versions} trained versions, 3 datasets, 1 campaign "
        f"(+{latency * 1000:.0f} ms per request):"
    )
    print(f"  cold (first view)                 {cold[0]:4d} requests  {cold[1]:6.2f} s")
    print(f"  warm (reload within {ANSWER_TTL_SECONDS} s)         {warm[0]:4d} requests  {warm[1]:6.2f} s")
    print(f"  after the TTL (settled answers kept) {expired[0]:4d} requests  {expired[1]:6.2f} s")
    print(f"  requests saved by the settled cache after the TTL: {cold[0] - expired[0]} ({versions} metrics)")


def plugin_loading(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="view-cost-") as scratch:
        environment = {
            **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONPYCACHEPREFIX": scratch,
            "AIRFLOW_HOME": scratch,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        }
        candidates = {
            "plugin (lazy app)": "airflow_provider_personalize.ui.plugin",
            "the view's app": "airflow_provider_personalize.ui.app",
        }
        for module in (*candidates.values(), *PLUGINS_MANAGER):  # fill the bytecode cache once
            self_times((module,), environment)
        added: dict[str, list[int]] = {label: [] for label in candidates}
        for _ in range(runs):
            baseline = self_times(PLUGINS_MANAGER, environment)
            for label, module in candidates.items():
                times = self_times((*PLUGINS_MANAGER, module), environment)
                added[label].append(sum(us for name, us in times.items() if name not in baseline))
    print(
        f"Import time a process that loads plugins pays for the view (beyond Airflow's plugins manager), "
        f"median of {runs}:"
    )
    for label, totals in added.items():
        print(f"  {label:18} {statistics.median(totals) / 1000:8.1f} ms")
    ratio = statistics.median(added["the view's app"]) / max(statistics.median(added["plugin (lazy app)"]), 1)
    print(f"  eager / lazy = {ratio:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--versions", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    server = start_emulator_server(0.02)
    try:
        page_views(server, arguments.versions, arguments.latency)
    finally:
        server.stop()
    plugin_loading(arguments.runs)


if __name__ == "__main__":
    main()
