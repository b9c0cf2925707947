"""The emulator as its users meet it: aiobotocore and boto3, the AWS CLI, the server process, the fixtures."""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from typing import Any

import aiobotocore.session
import boto3
import pytest

from personalize_emulator import mock_personalize
from personalize_emulator.harness.pytest_plugin import start_emulator_server

from .support import INTERACTIONS_SCHEMA, RECIPE, STEP_PER_TWO_DESCRIBES, import_interactions, watch

CREATED = ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]


async def test_aiobotocore_and_boto3_in_the_same_process(in_process: Any) -> None:
    in_process.set_transition("personalize::dataset-group", STEP_PER_TWO_DESCRIBES)
    session = aiobotocore.session.get_session()
    async with session.create_client("personalize", region_name="us-east-1") as client:
        group = (await client.create_dataset_group(name="async"))["datasetGroupArn"]
        statuses = []
        for _ in range(6):
            described = await client.describe_dataset_group(datasetGroupArn=group)
            statuses.append(described["datasetGroup"]["status"])
        assert list(dict.fromkeys(statuses)) == CREATED
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            await client.describe_dataset_group(datasetGroupArn=f"{group}-missing")
    assert boto3.client("personalize", region_name="us-east-1").list_dataset_groups()["datasetGroups"]


async def test_aiobotocore_over_http(personalize_emulator_clean: Any) -> None:
    session = aiobotocore.session.get_session()
    async with session.create_client(
        "personalize",
        region_name="us-east-1",
        endpoint_url=personalize_emulator_clean.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ) as client:
        group = (await client.create_dataset_group(name="async-http"))["datasetGroupArn"]
        described = await client.describe_dataset_group(datasetGroupArn=group)
        assert described["datasetGroup"]["name"] == "async-http"


def time_a_dataset_group(personalize: Any) -> tuple[list[str], float]:
    """The statuses a new dataset group goes through, polled every 30 ms, and the seconds it took."""
    started = time.monotonic()
    group = personalize.create_dataset_group(name="timed")["datasetGroupArn"]

    def describe() -> dict[str, Any]:
        time.sleep(0.03)
        return personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]

    return watch(describe, until={"ACTIVE"}, limit=200), time.monotonic() - started


def test_statuses_progress_with_time_over_http(personalize_emulator_clean: Any) -> None:
    """Default transitions: one status per PERSONALIZE_EMULATOR_STEP_SECONDS (the fixture sets 0.2 s)."""
    statuses, seconds = time_a_dataset_group(personalize_emulator_clean.client("personalize"))
    assert (statuses, seconds >= 0.4) == (CREATED, True)


def test_statuses_progress_with_time_in_process(personalize_mock: None) -> None:
    """personalize_mock steps statuses as the server fixture does."""
    statuses, seconds = time_a_dataset_group(boto3.client("personalize", region_name="us-east-1"))
    assert (statuses, seconds >= 0.4) == (CREATED, True)


def test_aws_cli_walks_group_schema_dataset_solution(
    personalize_emulator_clean: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from awscli.clidriver import create_clidriver

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for kind in ("dataset-group", "dataset", "solution", "solution-version"):
        personalize_emulator_clean.set_transition(f"personalize::{kind}", STEP_PER_TWO_DESCRIBES)

    driver = create_clidriver()
    endpoint = ["--endpoint-url", personalize_emulator_clean.endpoint_url, "--output", "json"]

    def aws(*args: str) -> dict[str, Any]:
        capsys.readouterr()
        exit_code = driver.main(["personalize", *args, *endpoint])
        output = capsys.readouterr().out
        assert exit_code == 0, output
        return json.loads(output) if output.strip() else {}

    def walk(describe: str, arn_option: str, arn: str, key: str) -> list[str]:
        return watch(lambda: aws(describe, arn_option, arn)[key], until={"ACTIVE", "CREATE FAILED"})

    group = aws("create-dataset-group", "--name", "cli")["datasetGroupArn"]
    assert walk("describe-dataset-group", "--dataset-group-arn", group, "datasetGroup") == CREATED
    schema = aws("create-schema", "--name", "cli-interactions", "--schema", INTERACTIONS_SCHEMA)["schemaArn"]
    dataset = aws(
        "create-dataset",
        *("--name", "cli-interactions", "--schema-arn", schema),
        *("--dataset-group-arn", group, "--dataset-type", "Interactions"),
    )["datasetArn"]
    assert walk("describe-dataset", "--dataset-arn", dataset, "dataset") == CREATED
    import_interactions(personalize_emulator_clean.client("personalize"), group)
    solution = aws(
        "create-solution", "--name", "cli-recs", "--dataset-group-arn", group, "--recipe-arn", RECIPE
    )
    assert walk("describe-solution", "--solution-arn", solution["solutionArn"], "solution") == CREATED
    version = aws("create-solution-version", "--solution-arn", solution["solutionArn"])["solutionVersionArn"]
    assert walk("describe-solution-version", "--solution-version-arn", version, "solutionVersion") == CREATED
    # The same, once, through the installed ``aws`` program.
    describe_solution = ["personalize", "describe-solution", "--solution-arn", solution["solutionArn"]]
    command = [sys.executable, "-m", "awscli", *describe_solution, *endpoint]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    assert json.loads(completed.stdout)["solution"]["status"] == "ACTIVE"


def test_server_serves_s3_iam_and_sts(personalize_emulator_clean: Any) -> None:
    assert personalize_emulator_clean.create_bucket("training-data") == "s3://training-data/"
    s3 = personalize_emulator_clean.client("s3")
    s3.put_object(Bucket="training-data", Key="interactions.csv", Body=b"USER_ID,ITEM_ID,TIMESTAMP\n")
    assert s3.get_object(Bucket="training-data", Key="interactions.csv")["Body"].read().startswith(b"USER_ID")
    role = personalize_emulator_clean.client("iam").create_role(
        RoleName="personalize", AssumeRolePolicyDocument="{}"
    )
    assert role["Role"]["Arn"].endswith(":role/personalize")
    assert personalize_emulator_clean.client("sts").get_caller_identity()["Account"]


def test_reset_forgets_everything(personalize_emulator_clean: Any) -> None:
    personalize = personalize_emulator_clean.client("personalize")
    personalize.create_dataset_group(name="forgotten")
    personalize_emulator_clean.reset()
    assert personalize.list_dataset_groups()["datasetGroups"] == []


def test_airflow_connection_fixture(personalize_aws_conn_id: str, personalize_emulator: Any) -> None:
    connection = json.loads(os.environ[f"AIRFLOW_CONN_{personalize_aws_conn_id.upper()}"])
    assert connection["conn_type"] == "aws"
    assert connection["extra"] == {
        "endpoint_url": personalize_emulator.endpoint_url,
        "region_name": "us-east-1",
    }


@pytest.mark.server
def test_server_exits_cleanly_on_sigterm() -> None:
    server = start_emulator_server(step_seconds=1)
    server.client("personalize").list_dataset_groups()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=10) == 0


# What a user without the ``server`` extra meets: moto's server modules fail to import (Flask is missing).
WITHOUT_FLASK = "import sys; sys.modules['flask'] = None; "


def test_without_the_server_extra_the_command_names_the_extra_to_install() -> None:
    from_the_command = "from personalize_emulator.harness.server import main; main(['--port', '0'])"
    completed = subprocess.run(
        [sys.executable, "-c", WITHOUT_FLASK + from_the_command], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2
    assert "pip install 'personalize-emulator[server]'" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize("missing", ["flask", "waitress"])
def test_without_the_server_extra_the_server_fixtures_name_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    monkeypatch.delitem(sys.modules, "moto.moto_server.werkzeug_app", raising=False)
    with pytest.raises(ImportError, match=re.escape("pip install 'personalize-emulator[server]'")):
        start_emulator_server(step_seconds=1)


def test_mock_personalize_decorates_functions_and_coroutines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    @mock_personalize
    def create_group() -> str:
        return boto3.client("personalize", region_name="us-east-1").create_dataset_group(name="decorated")[
            "datasetGroupArn"
        ]

    @mock_personalize
    async def list_groups() -> list[str]:
        async with aiobotocore.session.get_session().create_client(
            "personalize", region_name="us-east-1"
        ) as client:
            return [group["name"] for group in (await client.list_dataset_groups())["datasetGroups"]]

    assert create_group().endswith(":dataset-group/decorated")
    assert asyncio.run(list_groups()) == []  # a fresh mock: nothing left over from the previous one
