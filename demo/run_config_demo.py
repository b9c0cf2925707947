"""`make demo-config`: a Personalize deployment from one config file, end to end, on this machine.

``example_dags/personalize_deployment.yaml`` describes the deployment; ``personalize_deployment_dags.py``
makes its DAGs with ``dags_from_config``. This script:

1. starts the local Personalize service on a free loopback port, with the config's bucket and role, a
   synthetic dataset in the config's S3 layout, a day of new interactions and the batch jobs' inputs;
2. runs, with ``airflow dags test`` in deferrable mode: the bootstrap; the nightly import; the UPDATE
   retraining the import's asset triggers in a deployment (here run by hand: ``dags test`` has no
   scheduler); the two batch jobs; the bootstrap again, which must create nothing; the teardown;
3. prints each DAG's tasks, what was created, the live model, recommendations (purchased items filtered
   out), the batch outputs, and what the teardown left.

Exits non-zero on any failure; the emulator is stopped on every path.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta

import yaml
from personalize_emulator.harness.pytest_plugin import PersonalizeEmulatorServer

from demo.run_demo import (
    REPOSITORY,
    WORKDIR,
    airflow,
    airflow_settings,
    bucket_policy,
    local_service,
    outcome,
    run_dag,
    say,
    synthetic_dataset,
    task_table,
    trust_policy,
)

CONFIG = REPOSITORY / "example_dags" / "personalize_deployment.yaml"
GROUP = "example-shop"
BUCKET = "personalize-example"
PREFIX = "shop"
BOOTSTRAP_DATE = date(2026, 11, 22)
NIGHT = BOOTSTRAP_DATE + timedelta(days=1)
SOLUTION = "example-shop-for-you"
DEMO_USERS = ("user-1", "user-2")


def role_name() -> str:
    """The role the config names (``roleArn``), created in the emulator's account."""
    return str(yaml.safe_load(CONFIG.read_text())["roleArn"]).rpartition("/")[2]


def prepare_shop(server: PersonalizeEmulatorServer, night: date = NIGHT) -> str:
    """The config's bucket and role, and its S3 layout filled; returns the role's ARN."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=bucket_policy(BUCKET))
    role = server.client("iam").create_role(RoleName=role_name(), AssumeRolePolicyDocument=trust_policy())
    dataset = synthetic_dataset()
    files = {
        "bootstrap/interactions.csv": dataset.interactions_csv,
        "bootstrap/items.csv": dataset.items_csv,
        "bootstrap/users.csv": dataset.users_csv,
        f"daily/interactions/{night.isoformat()}.csv": dataset.increments[0],
        "batch/users.jsonl": "".join(f'{{"userId": "user-{n}"}}\n' for n in range(1, 21)).encode(),
        "batch/items.jsonl": "".join(f'{{"itemId": "item-{n}"}}\n' for n in range(1, 6)).encode(),
    }
    for key, body in files.items():
        s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}", Body=body)
    rows = dataset.interactions_csv.count(b"\n") - 1
    say(f"wrote the shop's data to s3://{BUCKET}/{PREFIX}/ ({rows} interactions, 1000 users, 500 items)")
    return role["Role"]["Arn"]


def inventory(server: PersonalizeEmulatorServer) -> dict[str, int]:
    """How many of each resource the group holds: what a second bootstrap must not change."""
    personalize = server.client("personalize")
    groups = [g for g in personalize.list_dataset_groups()["datasetGroups"] if g["name"] == GROUP]
    if not groups:
        return {}
    group_arn = groups[0]["datasetGroupArn"]
    datasets = personalize.list_datasets(datasetGroupArn=group_arn)["datasets"]
    solutions = personalize.list_solutions(datasetGroupArn=group_arn)["solutions"]
    versions = [
        v["solutionVersionArn"]
        for s in solutions
        for v in personalize.list_solution_versions(solutionArn=s["solutionArn"])["solutionVersions"]
    ]
    return {
        "datasets": len(datasets),
        "import jobs": sum(
            len(personalize.list_dataset_import_jobs(datasetArn=d["datasetArn"])["datasetImportJobs"])
            for d in datasets
        ),
        "event trackers": len(personalize.list_event_trackers(datasetGroupArn=group_arn)["eventTrackers"]),
        "filters": len(personalize.list_filters(datasetGroupArn=group_arn)["Filters"]),
        "solutions": len(solutions),
        "solution versions": len(versions),
        "campaigns": sum(
            len(personalize.list_campaigns(solutionArn=s["solutionArn"])["campaigns"]) for s in solutions
        ),
        "batch inference jobs": sum(
            len(personalize.list_batch_inference_jobs(solutionVersionArn=v)["batchInferenceJobs"])
            for v in versions
        ),
        "batch segment jobs": sum(
            len(personalize.list_batch_segment_jobs(solutionVersionArn=v)["batchSegmentJobs"])
            for v in versions
        ),
    }


def summarise(server: PersonalizeEmulatorServer, environment: dict[str, str], dag_ids: list[str]) -> bool:
    healthy = True
    for dag_id in dag_ids:
        print(f"\n{dag_id}")
        for task_id, state, duration in sorted(task_table(environment, dag_id)):
            print(f"  {task_id:<48} {state:<10} {duration:6.1f} s")
            healthy &= state in ("success", "skipped")

    personalize = server.client("personalize")
    runtime = server.client("personalize-runtime")
    print("\nCreated")
    for kind, count in inventory(server).items():
        print(f"  {kind:<22} {count}")
    (campaign,) = [c for c in personalize.list_campaigns()["campaigns"] if c["name"] == SOLUTION]
    campaign = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]
    served = personalize.describe_solution_version(solutionVersionArn=campaign["solutionVersionArn"])
    print(f"\nCampaign {campaign['name']} serves {campaign['solutionVersionArn']}")
    print(f"  ({served['solutionVersion']['trainingMode']} training, after the night's import)")
    (not_purchased,) = [
        f for f in personalize.list_filters()["Filters"] if f["name"] == "example-shop-not-purchased"
    ]
    print("Recommendations, purchased items filtered out")
    for user in DEMO_USERS:
        items = runtime.get_recommendations(
            campaignArn=campaign["campaignArn"],
            userId=user,
            numResults=5,
            filterArn=not_purchased["filterArn"],
        )
        print(f"  {user}: {', '.join(item['itemId'] for item in items['itemList'])}")

    s3 = server.client("s3")
    for folder in ("recommendations", "audiences"):
        prefix = f"{PREFIX}/batch/{folder}/{NIGHT.isoformat()}/"
        entries = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
        lines = sum(s3.get_object(Bucket=BUCKET, Key=e["Key"])["Body"].read().count(b"\n") for e in entries)
        print(f"Batch output s3://{BUCKET}/{prefix}: {lines} lines")
        healthy &= lines > 0
    return healthy


def main() -> int:
    started = time.monotonic()
    workdir = WORKDIR / "config"
    with local_service(workdir) as server:
        role_arn = prepare_shop(server)
        environment = {**os.environ, **airflow_settings(server, role_arn, workdir / "airflow")}
        say(f"preparing Airflow in {environment['AIRFLOW_HOME']} ...")
        airflow(environment, "db", "migrate")
        dags = [
            (f"{GROUP}_bootstrap", BOOTSTRAP_DATE),
            (f"{GROUP}_import", NIGHT),
            (f"{GROUP}_{SOLUTION}_update", NIGHT),
            (f"{GROUP}_{SOLUTION}_batch_inference", NIGHT),
            (f"{GROUP}_example-shop-audiences_batch_segment", NIGHT),
        ]
        for dag_id, logical_date in dags:
            run_dag(environment, dag_id, logical_date)
        healthy = summarise(server, environment, [dag_id for dag_id, _ in dags])
        created = inventory(server)
        run_dag(environment, f"{GROUP}_bootstrap", NIGHT + timedelta(days=1))
        rerun_created_nothing = inventory(server) == created
        say(f"the second bootstrap created {'nothing' if rerun_created_nothing else inventory(server)}")
        run_dag(environment, f"{GROUP}_teardown", NIGHT + timedelta(days=2))
        left = inventory(server)
        say(f"the teardown left {left or 'nothing'}")
    return outcome(healthy and rerun_created_nothing and not left, started)


if __name__ == "__main__":
    sys.exit(main())
