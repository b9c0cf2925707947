"""`make demo`: a nightly Amazon Personalize pipeline, end to end, on this machine.

1. Starts the local Personalize service (``personalize-emulator``) on a free loopback port.
2. Creates the pipeline's S3 bucket and IAM role in it, and writes a synthetic dataset there
   (users, items, interactions, one day of new interactions, a day's deletion requests).
3. Runs the example DAGs with ``airflow dags test``, in deferrable mode, against a private
   AIRFLOW_HOME: ``personalize_bootstrap`` then one ``personalize_nightly_refresh``.
4. Prints what happened: each task's state and duration, the ARNs created, the deployed model's
   metrics, recommendations for two users, the export and the deletions.
5. Starts Airflow's api-server on that AIRFLOW_HOME, checks that the Personalize view (the provider's
   plugin) shows the pipeline's dataset group, and prints the view's URL. With ``--keep``
   (``make demo KEEP=1``) the api-server and the emulator stay up until Ctrl-C, to open it.

Exits non-zero on any failure; the emulator and the api-server are stopped on every path.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from personalize_emulator.engine.synthetic import SyntheticDataset, generate
from personalize_emulator.harness.pytest_plugin import (
    DUMMY_CREDENTIALS,
    REGION_NAME,
    PersonalizeEmulatorServer,
    start_emulator_server,
)

from demo.deployment import AirflowDeployment, free_port

REPOSITORY = Path(__file__).resolve().parent.parent
WORKDIR = REPOSITORY / ".demo"
BUCKET = "personalize-demo"
PREFIX = "personalize"
ROLE_NAME = "PersonalizeDemoS3Access"
DATASET_GROUP = "personalize-example"
BOOTSTRAP_DATE = date(2026, 11, 22)
NIGHT = BOOTSTRAP_DATE + timedelta(days=1)
# Seconds per status step in the emulator: the real service takes minutes to hours per step.
STEP_SECONDS = "0.3"
DEMO_USERS = ("user-1", "user-2")
API_PORT = 8080  # Airflow's usual port, when it is free


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def trust_policy() -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "personalize.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def bucket_policy(bucket: str = BUCKET) -> str:
    statement = {
        "Sid": "PersonalizeS3BucketAccessPolicy",
        "Effect": "Allow",
        "Principal": {"Service": "personalize.amazonaws.com"},
        "Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@functools.cache
def synthetic_dataset() -> SyntheticDataset:
    return generate(users=1000, items=500, interactions=40_000, seed=7, increments=1, deleted_users=20)


def prepare_aws(server: PersonalizeEmulatorServer) -> str:
    """The bucket and its policy, the role Personalize assumes, the bootstrap data; returns the role ARN."""
    s3 = server.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=bucket_policy())
    role = server.client("iam").create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=trust_policy())
    dataset = synthetic_dataset()
    upload(
        server,
        {
            "bootstrap/interactions.csv": dataset.interactions_csv,
            "bootstrap/items.csv": dataset.items_csv,
            "bootstrap/users.csv": dataset.users_csv,
        },
    )
    rows = dataset.interactions_csv.count(b"\n") - 1
    say(f"wrote a synthetic dataset to s3://{BUCKET}/{PREFIX}/ ({rows} interactions, 1000 users, 500 items)")
    return role["Role"]["Arn"]


def prepare_night(server: PersonalizeEmulatorServer, night: date) -> None:
    """The files the nightly run of ``night`` reads: the day's interactions and deletion requests."""
    dataset = synthetic_dataset()
    upload(
        server,
        {
            f"daily/interactions/{night.isoformat()}.csv": dataset.increments[0],
            f"deletion-requests/{night.isoformat()}.csv": dataset.deletions_csv or b"USER_ID\n",
        },
    )


def upload(server: PersonalizeEmulatorServer, files: dict[str, bytes]) -> None:
    s3 = server.client("s3")
    for key, body in files.items():
        s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}", Body=body)


def airflow_settings(server: PersonalizeEmulatorServer, role_arn: str, home: Path) -> dict[str, str]:
    """Airflow's settings (environment variables) for the example DAGs, with ``aws_default`` the emulator."""
    connection = {
        "conn_type": "aws",
        "login": DUMMY_CREDENTIALS["aws_access_key_id"],
        "password": DUMMY_CREDENTIALS["aws_secret_access_key"],
        "extra": {"endpoint_url": server.endpoint_url, "region_name": REGION_NAME},
    }
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPOSITORY / "example_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
        "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(connection),
        "PERSONALIZE_EXAMPLE_BUCKET": BUCKET,
        "PERSONALIZE_EXAMPLE_PREFIX": PREFIX,
        "PERSONALIZE_EXAMPLE_ROLE_ARN": role_arn,
        # The emulator moves a status every STEP_SECONDS: poll often rather than every minute.
        "PERSONALIZE_EXAMPLE_WAITER_DELAY": "1",
    }


def airflow(environment: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "airflow", *args]
    log = Path(environment["AIRFLOW_HOME"]).parent / "airflow-cli.log"
    with log.open("a") as output:
        output.write(f"\n$ {' '.join(command)}\n")
        output.flush()
        completed = subprocess.run(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    if completed.returncode != 0:
        raise SystemExit(f"`airflow {' '.join(args)}` failed (exit {completed.returncode}); see {log}")


def run_dag(environment: dict[str, str], dag_id: str, logical_date: date) -> float:
    say(f"airflow dags test {dag_id} {logical_date} (deferrable) ...")
    started = time.monotonic()
    airflow(environment, "dags", "test", dag_id, logical_date.isoformat())
    return time.monotonic() - started


def task_table(environment: dict[str, str], dag_id: str) -> list[tuple[str, str, float]]:
    """(task id, state, duration) of the DAG's run, read from the Airflow database."""
    script = (
        "import json\n"
        "from airflow.models import TaskInstance\n"
        "from airflow.utils.session import create_session\n"
        "with create_session() as session:\n"
        f"    rows = session.query(TaskInstance).filter(TaskInstance.dag_id == {dag_id!r}).all()\n"
        "    print(json.dumps([[t.task_id, str(t.state), t.duration or 0] for t in rows]))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    ).stdout
    return [tuple(row) for row in json.loads(output.strip().splitlines()[-1])]


def summarise(server: PersonalizeEmulatorServer, environment: dict[str, str]) -> bool:
    personalize = server.client("personalize")
    runtime = server.client("personalize-runtime")
    s3 = server.client("s3")
    healthy = True

    for dag_id in ("personalize_bootstrap", "personalize_nightly_refresh"):
        print(f"\n{dag_id}")
        for task_id, state, duration in sorted(task_table(environment, dag_id)):
            print(f"  {task_id:<32} {state:<10} {duration:6.1f} s")
            healthy &= state in ("success", "skipped")

    group = next(g for g in personalize.list_dataset_groups()["datasetGroups"] if g["name"] == DATASET_GROUP)
    group_arn = group["datasetGroupArn"]
    print("\nARNs created")
    print(f"  dataset group       {group_arn}")
    for dataset in personalize.list_datasets(datasetGroupArn=group_arn)["datasets"]:
        print(f"  dataset             {dataset['datasetArn']}")
        for job in personalize.list_dataset_import_jobs(datasetArn=dataset["datasetArn"])[
            "datasetImportJobs"
        ]:
            print(f"  import job          {job['datasetImportJobArn']}  {job['status']}")
    solution = personalize.list_solutions(datasetGroupArn=group_arn)["solutions"][0]
    print(f"  solution            {solution['solutionArn']}")
    versions = personalize.list_solution_versions(solutionArn=solution["solutionArn"])["solutionVersions"]
    for version in versions:
        print(f"  solution version    {version['solutionVersionArn']}  {version['status']}")
    campaign = personalize.list_campaigns(solutionArn=solution["solutionArn"])["campaigns"][0]
    campaign = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]
    print(f"  campaign            {campaign['campaignArn']}")

    deployed = campaign["solutionVersionArn"]
    print(f"\nMetrics of the deployed version {deployed}")
    for name, value in sorted(
        personalize.get_solution_metrics(solutionVersionArn=deployed)["metrics"].items()
    ):
        print(f"  {name:<46} {value:.4f}")

    print("\nRecommendations")
    for user in DEMO_USERS:
        items = runtime.get_recommendations(campaignArn=campaign["campaignArn"], userId=user, numResults=5)
        print(f"  {user}: {', '.join(item['itemId'] for item in items['itemList'])}")

    export_prefix = f"{PREFIX}/exports/interactions/{NIGHT.isoformat()}/"
    rows = 0
    for entry in s3.list_objects_v2(Bucket=BUCKET, Prefix=export_prefix).get("Contents", []):
        body = s3.get_object(Bucket=BUCKET, Key=entry["Key"])["Body"].read()
        rows += max(body.count(b"\n") - 1, 0)
    print(f"\nExport: s3://{BUCKET}/{export_prefix} holds {rows} interaction rows")

    deletions = personalize.list_data_deletion_jobs(datasetGroupArn=group_arn)["dataDeletionJobs"]
    for summary in deletions:
        job = personalize.describe_data_deletion_job(dataDeletionJobArn=summary["dataDeletionJobArn"])
        deleted = job["dataDeletionJob"].get("numDeleted", 0)
        print(f"Data deletion job {summary['jobName']}: {summary['status']}, {deleted} users deleted")
    return healthy


def api_port() -> int:
    with socket.socket() as probe:
        return free_port() if probe.connect_ex(("127.0.0.1", API_PORT)) == 0 else API_PORT


@contextmanager
def api_server(server: PersonalizeEmulatorServer, role_arn: str) -> Iterator[AirflowDeployment]:
    """Airflow's api-server on the demo's AIRFLOW_HOME, starting (it is waited for in show_view); stopped
    on every path. Every user is an admin: a demo on loopback."""
    say("starting Airflow's api-server, for the Personalize view ...")
    home = WORKDIR / "airflow"
    api = AirflowDeployment(
        home=home,
        dags_folder=REPOSITORY / "example_dags",
        extra_env=airflow_settings(server, role_arn, home),
        api_port=api_port(),
    )
    api.start(components=("api-server",), wait=False)
    try:
        yield api
    finally:
        api.stop()
        say("stopped the api-server")


def show_view(api: AirflowDeployment, keep: bool) -> bool:
    """Check that the Personalize view shows the pipeline's dataset group; print where to open it and,
    if asked, keep the api-server (and so the emulator) up until Ctrl-C."""
    api.wait_until_serving()
    groups = api.request("GET", "/personalize/dataset-groups?conn_id=aws_default") or {}
    shown = [group["name"] for group in groups.get("groups", [])]
    print(f"\nThe Personalize view shows dataset groups {shown}:")
    print(f"  {api.api_url}/plugin/personalize                (in the Airflow UI: Browse > Personalize)")
    print(f"  {api.api_url}/personalize/?conn_id=aws_default  (the page alone)")
    if keep:
        say("the api-server and the emulator stay up until Ctrl-C")
        try:
            while api.alive()["api-server"]:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    else:
        say("`make demo KEEP=1` keeps them up to open it")
    return DATASET_GROUP in shown


@contextmanager
def local_service(workdir: Path) -> Iterator[PersonalizeEmulatorServer]:
    """The local Personalize service for a demo in a fresh ``workdir``; stopped on every path."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    say("starting the local Personalize service ...")
    server = start_emulator_server(float(STEP_SECONDS))
    try:
        say(f"personalize-emulator is serving Personalize, S3, IAM and STS on {server.endpoint_url}")
        yield server
    finally:
        server.stop()
        say("stopped the emulator")


def outcome(healthy: bool, started: float) -> int:
    say(f"{'done' if healthy else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if healthy else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the api-server and the emulator up")
    keep = parser.parse_args().keep
    # Stopped like a service (SIGTERM) as well as by Ctrl-C, the demo still stops what it started.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    with local_service(WORKDIR) as server:
        role_arn = prepare_aws(server)
        prepare_night(server, NIGHT)
        environment = {**os.environ, **airflow_settings(server, role_arn, WORKDIR / "airflow")}
        say(f"preparing Airflow in {environment['AIRFLOW_HOME']} ...")
        airflow(environment, "db", "migrate")
        with api_server(server, role_arn) as api:
            run_dag(environment, "personalize_bootstrap", BOOTSTRAP_DATE)
            run_dag(environment, "personalize_nightly_refresh", NIGHT)
            healthy = summarise(server, environment)
            healthy &= show_view(api, keep)
    return outcome(healthy, started)


if __name__ == "__main__":
    sys.exit(main())
