import json

import boto3


def test_server_serves_personalize_and_s3(personalize_emulator_clean):
    personalize = personalize_emulator_clean.client("personalize")
    personalize.create_schema(name="s", schema=json.dumps({"type": "record", "name": "x", "fields": []}))
    assert [s["name"] for s in personalize.list_schemas()["schemas"]] == ["s"]
    assert personalize_emulator_clean.create_bucket("emulator-bucket") == "s3://emulator-bucket/"


def test_mock_serves_boto3(personalize_mock):
    personalize = boto3.client("personalize")
    personalize.create_schema(name="s", schema="{}")
    assert len(personalize.list_schemas()["schemas"]) == 1
