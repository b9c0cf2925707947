"""An encrypted dataset group, a filter with a parameter and a Next-Best-Action campaign, run with
``dag.test()`` against the HTTP emulator (real Airflow, real botocore over HTTP, moto's KMS, IAM and S3)."""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
import pytest

from demo.run_demo import trust_policy

DAG_FILE = Path(__file__).parent / "dags" / "personalize_features_dags.py"
GENRES = ("comedy", "drama", "horror")
ITEMS = {f"item{item}": GENRES[item % 3] for item in range(40)}
ACTION_USERS = 120


def csv(header: str, rows: list[tuple[object, ...]]) -> bytes:
    return (header + "\n" + "".join(",".join(map(str, row)) + "\n" for row in rows)).encode()


@pytest.fixture
def features(install_dags, personalize_aws_conn_id: str, personalize_emulator_clean):
    """The DAG module, with the role (trusted by Personalize, allowed to use KMS keys), a key Personalize
    and the role may use, and the input files in the emulator's S3; returns (module, key ARN)."""
    module = install_dags(DAG_FILE)
    emulator = personalize_emulator_clean
    iam = emulator.client("iam")
    role_name = module.ROLE_ARN.rpartition("/")[2]
    iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust_policy())
    use_keys = {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}
    iam.put_role_policy(
        RoleName=role_name,
        PolicyName="keys",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [use_keys]}),
    )
    key_use = {
        "Effect": "Allow",
        "Principal": {"Service": "personalize.amazonaws.com", "AWS": module.ROLE_ARN},
        "Action": [
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "kms:DescribeKey",
            "kms:CreateGrant",
            "kms:ListGrants",
        ],
        "Resource": "*",
    }
    key_arn = emulator.client("kms").create_key(
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [key_use]})
    )["KeyMetadata"]["Arn"]

    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=module.BUCKET)
    interactions = [(f"user{u}", f"item{i}", 1767225600 + 100 * u + i) for u in range(30) for i in range(40)]
    action_rows = []
    for user in range(ACTION_USERS):
        taken = {"enroll"} if user % 2 else {"download-app"}
        for step, action in enumerate(("enroll", "download-app")):
            action_rows.append(
                (
                    f"user{user}",
                    action,
                    1767225600 + 10 * user + step,
                    "TAKEN" if action in taken else "NOT_TAKEN",
                )
            )
    files = {
        "interactions.csv": csv("USER_ID,ITEM_ID,TIMESTAMP", interactions),
        "items.csv": csv("ITEM_ID,GENRE", list(ITEMS.items())),
        "actions.csv": csv(
            "ACTION_ID,VALUE,CATEGORY", [("enroll", 10, "loyalty"), ("download-app", 5, "app")]
        ),
        "action-interactions.csv": csv("USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE", action_rows),
        "batch-input/users.jsonl": b'{"userId": "user1", "filterValues": {"GENRE": "\\"drama\\""}}\n'
        b'{"userId": "user2", "filterValues": {"GENRE": "\\"comedy\\",\\"horror\\""}}\n',
    }
    for key, body in files.items():
        s3.put_object(Bucket=module.BUCKET, Key=key, Body=body)
    return module, key_arn


def test_an_encrypted_group_a_parameterised_filter_and_next_best_action_run_green(
    features, personalize_emulator_clean
) -> None:
    module, key_arn = features
    run = module.personalize_it_features.test(
        logical_date=pendulum.datetime(2026, 1, 2, tz="UTC"), run_conf={"kms_key_arn": key_arn}
    )
    assert run.state == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}
    xcom = {ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in run.get_task_instances()}
    personalize = personalize_emulator_clean.client("personalize")
    group = personalize.describe_dataset_group(datasetGroupArn=xcom["dataset_group"])["datasetGroup"]
    assert (group["status"], group["kmsKeyArn"]) == ("ACTIVE", key_arn)

    output = (
        personalize_emulator_clean.client("s3")
        .get_object(Bucket=module.BUCKET, Key="batch-output/users.jsonl.out")["Body"]
        .read()
    )
    first, second = (json.loads(line) for line in output.decode().splitlines())
    assert first["output"]["recommendedItems"] and {
        ITEMS[i] for i in first["output"]["recommendedItems"]
    } == {"drama"}
    assert {ITEMS[i] for i in second["output"]["recommendedItems"]} <= {"comedy", "horror"}

    actions = personalize_emulator_clean.client("personalize-runtime").get_action_recommendations(
        campaignArn=xcom["nba_campaign"], userId="user1"
    )["actionList"]
    assert actions[0]["actionId"] == "enroll"  # what the odd users take
    assert all(0.0 <= action["score"] <= 1.0 for action in actions)
