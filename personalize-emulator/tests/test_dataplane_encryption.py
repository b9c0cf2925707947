"""KMS keys, in both modes, on moto's KMS and IAM: a dataset group's key must exist, be enabled and be usable
by Personalize and its role; outputs written under a key carry SSE-KMS; a key disabled later fails jobs."""

import json
from typing import Any

import pytest

from .pipeline import DATA, put_object, rows
from .support import INPUT_BUCKET, ROLE_ARN, describer, sibling_client, stage_inputs

KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"]


def key_policy(principal: dict[str, Any]) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": KMS_ACTIONS, "Resource": "*"}
    root = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [root, statement]})


PERSONALIZE_AND_ROLE = {"Service": "personalize.amazonaws.com", "AWS": ROLE_ARN}


def create_key(personalize: Any, policy: str | None = None) -> str:
    kms = sibling_client(personalize, "kms")
    arguments = {"Policy": policy} if policy else {}
    return str(kms.create_key(Description="personalize", **arguments)["KeyMetadata"]["Arn"])


def disable(personalize: Any, key_arn: str) -> None:
    # moto's DisableKey takes the key id only (AWS also takes the ARN).
    sibling_client(personalize, "kms").disable_key(KeyId=key_arn.rsplit("/", 1)[-1])


def allow_role_to_use_keys(personalize: Any) -> None:
    stage_inputs(personalize)
    statement = {"Effect": "Allow", "Action": ["kms:*"], "Resource": "*"}
    sibling_client(personalize, "iam").put_role_policy(
        RoleName=ROLE_ARN.rsplit("/", 1)[-1],
        PolicyName="use-keys",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )


def group_status(personalize: Any, name: str, key_arn: str) -> dict[str, Any]:
    group = personalize.create_dataset_group(name=name, kmsKeyArn=key_arn, roleArn=ROLE_ARN)[
        "datasetGroupArn"
    ]
    return describer(personalize, "DatasetGroup", group)()


def test_a_usable_key_makes_an_active_group(personalize: Any) -> None:
    allow_role_to_use_keys(personalize)
    described = group_status(
        personalize, "encrypted", create_key(personalize, key_policy(PERSONALIZE_AND_ROLE))
    )
    assert described["status"] == "ACTIVE", described


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("missing", "the key does not exist"),
        ("disabled", "the key is Disabled"),
        ("default policy", "its key policy does not allow personalize.amazonaws.com or the role kms:Decrypt"),
        ("role without permissions", "do not allow kms:Decrypt"),
    ],
)
def test_a_key_personalize_cannot_use_fails_the_group(personalize: Any, case: str, reason: str) -> None:
    if case != "role without permissions":
        allow_role_to_use_keys(personalize)
    else:
        stage_inputs(personalize)
    if case == "missing":
        key_arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    elif case == "default policy":
        key_arn = create_key(personalize)
    else:
        key_arn = create_key(personalize, key_policy(PERSONALIZE_AND_ROLE))
    if case == "disabled":
        disable(personalize, key_arn)
    described = group_status(personalize, "encrypted", key_arn)
    assert described["status"] == "CREATE FAILED"
    assert reason in described["failureReason"]
    assert key_arn in described["failureReason"]


def test_encrypted_exports_carry_sse_kms_and_a_disabled_key_fails_later_jobs(personalize: Any) -> None:
    allow_role_to_use_keys(personalize)
    key_arn = create_key(personalize, key_policy(PERSONALIZE_AND_ROLE))
    group = personalize.create_dataset_group(name="encrypted", kmsKeyArn=key_arn, roleArn=ROLE_ARN)[
        "datasetGroupArn"
    ]
    schema = personalize.create_schema(name="interactions", schema=DATA.schemas["Interactions"])["schemaArn"]
    dataset = personalize.create_dataset(
        name="interactions", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    location = put_object(personalize, "encrypted/interactions.csv", DATA.interactions_csv)

    def import_job(name: str) -> dict[str, Any]:
        job = personalize.create_dataset_import_job(
            jobName=name, datasetArn=dataset, dataSource={"dataLocation": location}, roleArn=ROLE_ARN
        )["datasetImportJobArn"]
        return describer(personalize, "DatasetImportJob", job)()

    assert import_job("first")["status"] == "ACTIVE"
    output = f"s3://{INPUT_BUCKET}/encrypted-export/"
    export = personalize.create_dataset_export_job(
        jobName="sealed",
        datasetArn=dataset,
        roleArn=ROLE_ARN,
        ingestionMode="BULK",
        jobOutput={"s3DataDestination": {"path": output, "kmsKeyArn": key_arn}},
    )["datasetExportJobArn"]
    assert describer(personalize, "DatasetExportJob", export)()["status"] == "ACTIVE"
    s3 = sibling_client(personalize, "s3")
    written = s3.get_object(Bucket=INPUT_BUCKET, Key="encrypted-export/sealed/sealed_part_00000.csv")
    assert (written["ServerSideEncryption"], written["SSEKMSKeyId"]) == ("aws:kms", key_arn)
    assert len(rows(written["Body"].read())) == len(rows(DATA.interactions_csv))

    disable(personalize, key_arn)
    failed = import_job("after-disabling")
    assert failed["status"] == "CREATE FAILED"
    assert (
        failed["failureReason"]
        == f"Amazon Personalize cannot use the KMS key {key_arn}: the key is Disabled."
    )


def test_an_output_key_the_role_cannot_use_fails_the_export(personalize: Any) -> None:
    stage_inputs(personalize)  # the role has no KMS permissions
    key_arn = create_key(personalize, key_policy(PERSONALIZE_AND_ROLE))
    group = personalize.create_dataset_group(name="plain")["datasetGroupArn"]
    schema = personalize.create_schema(name="interactions", schema=DATA.schemas["Interactions"])["schemaArn"]
    dataset = personalize.create_dataset(
        name="interactions", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    export = personalize.create_dataset_export_job(
        jobName="sealed",
        datasetArn=dataset,
        roleArn=ROLE_ARN,
        jobOutput={"s3DataDestination": {"path": f"s3://{INPUT_BUCKET}/out/", "kmsKeyArn": key_arn}},
    )["datasetExportJobArn"]
    described = describer(personalize, "DatasetExportJob", export)()
    assert described["status"] == "CREATE FAILED"
    assert "do not allow kms:Decrypt" in described["failureReason"]
