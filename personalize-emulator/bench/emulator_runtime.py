"""GetRecommendations latency of an emulated campaign, in-process and over HTTP.

Sets up, in each mode, a campaign on synthetic data (``--users``, ``--items``, ``--interactions``; imported
from the emulator's S3 with an IAM role, trained with aws-user-personalization), then times ``--requests``
sequential GetRecommendations (25 items, users drawn with a fixed seed) from one boto3 client: without a
filter, and with ``EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")``, which scans the user's
interactions on every request. Prints p50, p99 and mean latency per configuration; asserts nothing.

    uv run --frozen --all-extras python bench/emulator_runtime.py [--requests 2000]
"""

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from personalize_emulator import mock_personalize
from personalize_emulator.engine.synthetic import generate, user_id
from personalize_emulator.harness.pytest_plugin import start_emulator_server
from personalize_emulator.service.kinds import KINDS
from personalize_emulator.service.storage import trust_policy

REGION = "us-east-1"
BUCKET = "bench-runtime"
EXCLUDE_SEEN = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")'

Client = Callable[[str], Any]


def campaign(client: Client, interactions_csv: bytes, schema: str) -> tuple[str, str]:
    """A campaign of a trained version, and a filter, in the emulator ``client`` reaches (statuses must be
    immediate)."""
    s3, iam, personalize = client("s3"), client("iam"), client("personalize")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="interactions.csv", Body=interactions_csv)
    role = iam.create_role(RoleName="PersonalizeBench", AssumeRolePolicyDocument=trust_policy())["Role"][
        "Arn"
    ]
    group = personalize.create_dataset_group(name="bench")["datasetGroupArn"]
    schema_arn = personalize.create_schema(name="bench", schema=schema)["schemaArn"]
    dataset = personalize.create_dataset(
        name="bench", schemaArn=schema_arn, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    personalize.create_dataset_import_job(
        jobName="bench",
        datasetArn=dataset,
        dataSource={"dataLocation": f"s3://{BUCKET}/interactions.csv"},
        roleArn=role,
    )
    solution = personalize.create_solution(
        name="bench", datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
    )["solutionArn"]
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    status = personalize.describe_solution_version(solutionVersionArn=version)["solutionVersion"]["status"]
    assert status == "ACTIVE", status
    campaign_arn = personalize.create_campaign(name="bench", solutionVersionArn=version)["campaignArn"]
    filter_arn = personalize.create_filter(
        name="unseen", datasetGroupArn=group, filterExpression=EXCLUDE_SEEN
    )["filterArn"]
    return campaign_arn, filter_arn


def latencies(runtime: Any, requests: list[dict[str, Any]]) -> list[float]:
    runtime.get_recommendations(**requests[0])  # warm-up: first-use caches (item codes, routes)
    timings = []
    for request in requests:
        started = time.perf_counter()
        runtime.get_recommendations(**request)
        timings.append(time.perf_counter() - started)
    return timings


def report(mode: str, label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    mean = statistics.mean(timings) * 1000
    print(f"{mode:<12} {label:<14} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   mean {mean:7.2f} ms")


def run(mode: str, client: Client, arguments: argparse.Namespace) -> None:
    data = generate(users=arguments.users, items=arguments.items, interactions=arguments.interactions, seed=1)
    started = time.perf_counter()
    campaign_arn, filter_arn = campaign(client, data.interactions_csv, data.schemas["Interactions"])
    print(f"{mode:<12} set-up (import and training) {time.perf_counter() - started:.1f} s")
    draw = random.Random(7)
    users = [user_id(draw.randrange(arguments.users)) for _ in range(arguments.requests)]
    runtime = client("personalize-runtime")
    plain = [{"campaignArn": campaign_arn, "userId": user, "numResults": 25} for user in users]
    report(mode, "no filter", latencies(runtime, plain))
    report(
        mode, "exclude seen", latencies(runtime, [{**request, "filterArn": filter_arn} for request in plain])
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--interactions", type=int, default=200_000)
    arguments = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)

    import boto3
    from moto.moto_api import state_manager

    with mock_personalize():
        for kind in KINDS.values():
            state_manager.set_transition(kind.model_name, {"progression": "immediate"})
        run("in-process", lambda service: boto3.client(service, region_name=REGION), arguments)
        for kind in KINDS.values():
            state_manager.unset_transition(kind.model_name)

    server = start_emulator_server(0)
    try:
        for kind in KINDS.values():
            server.set_transition(kind.model_name, {"progression": "immediate"})
        run("HTTP", server.client, arguments)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
