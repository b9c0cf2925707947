"""OpenLineage lineage of the create operators: names, facets, and what each event costs in requests.

The AWS client is a MagicMock specced on a real client behind a real PersonalizeHook, so that every request
lineage sends is recorded and counted; real DAG runs emitting these events through Airflow's OpenLineage
listener are in tests/integration/test_openlineage.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import jsonschema
import pytest
from openlineage.client.serde import Serde

from airflow_provider_personalize.lineage import facets
from airflow_provider_personalize.lineage.facets import PersonalizeRunFacet, avro_schema_facet
from airflow_provider_personalize.lineage.naming import arn_dataset_name, s3_dataset_name
from airflow_provider_personalize.operators.personalize import (
    PersonalizeCreateBatchInferenceJobOperator,
    PersonalizeCreateDataDeletionJobOperator,
    PersonalizeCreateDatasetExportJobOperator,
    PersonalizeCreateDatasetGroupOperator,
    PersonalizeCreateDatasetImportJobOperator,
    PersonalizeCreateSolutionVersionOperator,
)

ACCOUNT = "arn:aws:personalize:us-east-1:123456789012"
GROUP_ARN = f"{ACCOUNT}:dataset-group/shop"
INTERACTIONS_ARN = f"{ACCOUNT}:dataset/shop/INTERACTIONS"
ITEMS_ARN = f"{ACCOUNT}:dataset/shop/ITEMS"
USERS_ARN = f"{ACCOUNT}:dataset/shop/USERS"
SCHEMA_ARN = f"{ACCOUNT}:schema/shop-schema"
JOB_ARN = f"{ACCOUNT}:dataset-import-job/nightly"
VERSION_ARN = f"{ACCOUNT}:solution/shop-solution/1a2b3c4d"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3Access"
AVRO = {
    "type": "record",
    "name": "Interactions",
    "fields": [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string", "doc": "the item"},
        {"name": "TIMESTAMP", "type": "long"},
        {"name": "EVENT_VALUE", "type": ["null", "float"]},
        {"name": "GENRES", "type": {"type": "string", "categorical": True}},
    ],
}
REAL_CLIENT = boto3.client(
    "personalize", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
)


def with_client(operator: Any) -> mock.MagicMock:
    """A recording client behind the operator's real hook, answering Describe and List like the service."""
    client = mock.MagicMock(spec=REAL_CLIENT)
    client.describe_dataset.side_effect = lambda datasetArn: {
        "dataset": {"datasetArn": datasetArn, "schemaArn": SCHEMA_ARN, "status": "ACTIVE"}
    }
    client.describe_schema.return_value = {"schema": {"schemaArn": SCHEMA_ARN, "schema": json.dumps(AVRO)}}
    client.list_datasets.return_value = {
        "datasets": [
            {"datasetArn": INTERACTIONS_ARN, "datasetType": "Interactions"},
            {"datasetArn": ITEMS_ARN, "datasetType": "Items"},
            {"datasetArn": USERS_ARN, "datasetType": "USERS"},
        ]
    }
    operator.hook.__dict__["conn"] = client
    return client


def requests_sent(client: mock.MagicMock) -> list[str]:
    return [call[0] for call in client.mock_calls if not call[0].startswith("meta")]


def names(datasets: list[Any]) -> list[tuple[str, str]]:
    return [(dataset.namespace, dataset.name) for dataset in datasets]


def import_job(**kwargs: Any) -> PersonalizeCreateDatasetImportJobOperator:
    return PersonalizeCreateDatasetImportJobOperator(
        task_id="import_interactions",
        dataset_arn=INTERACTIONS_ARN,
        data_source="s3://shop-data/daily/2026-01-02.csv",
        role_arn=ROLE_ARN,
        **kwargs,
    )


# Naming


@pytest.mark.parametrize(
    ("uri", "namespace", "name"),
    [
        ("s3://shop-data/daily/2026-01-02.csv", "s3://shop-data", "daily/2026-01-02.csv"),
        ("s3://shop-data/exports/2026-01-02/", "s3://shop-data", "exports/2026-01-02"),  # a folder
        ("s3://shop-data/", "s3://shop-data", "/"),
        ("s3://shop-data", "s3://shop-data", "/"),
    ],
)
def test_s3_locations_are_named_by_bucket_and_key(uri, namespace, name):
    assert s3_dataset_name(uri) == (namespace, name)


@pytest.mark.parametrize("uri", ["https://shop-data/x.csv", "s3:///x.csv", "shop-data/x.csv"])
def test_a_location_that_is_not_s3_is_refused(uri):
    with pytest.raises(ValueError, match="Not an S3 URI"):
        s3_dataset_name(uri)


def test_personalize_resources_are_named_by_their_arn_split_after_the_account():
    assert arn_dataset_name(INTERACTIONS_ARN) == (ACCOUNT, "dataset/shop/INTERACTIONS")
    assert arn_dataset_name("arn:aws-cn:personalize:cn-north-1:123456789012:solution/s/v") == (
        "arn:aws-cn:personalize:cn-north-1:123456789012",
        "solution/s/v",
    )
    with pytest.raises(ValueError, match="Not an ARN"):
        arn_dataset_name("dataset/shop/INTERACTIONS")


# Facets


def test_the_schema_facet_lists_the_avro_fields_in_order_with_their_types():
    facet = avro_schema_facet(json.dumps(AVRO))
    assert [(field.name, field.type, field.ordinal_position) for field in facet.fields] == [
        ("USER_ID", "string", 1),
        ("ITEM_ID", "string", 2),
        ("TIMESTAMP", "long", 3),
        ("EVENT_VALUE", "float", 4),  # optional: a union with null
        ("GENRES", "string", 5),
    ]
    assert facet.fields[1].description == "the item"
    assert facet._producer == facets.PRODUCER


def test_the_run_facet_follows_openlineage_facet_conventions_and_its_shipped_schema():
    facet = PersonalizeRunFacet(
        resourceType="DatasetImportJob", arn=JOB_ARN, status="CREATE FAILED", failureReason="bad CSV"
    )
    document = json.loads(Serde.to_json(facet))
    assert document["_producer"] == facets.PRODUCER
    assert document["_producer"].startswith("https://pypi.org/project/airflow-provider-personalize/")
    assert document["_schemaURL"] == facets.RUN_FACET_SCHEMA_URL
    schema = json.loads((Path(facets.__file__).parent / facets.RUN_FACET_SCHEMA).read_text())
    # The facet's own members (the base RunFacet's _producer and _schemaURL are OpenLineage's schema).
    own = schema["$defs"]["PersonalizeRunFacet"]["allOf"][1]
    jsonschema.validate(document, own)
    assert set(own["properties"]) == {name for name in document if not name.startswith("_")} | {
        "solutionVersionArn"
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"arn": JOB_ARN}, own)


# What each event reports, and costs


def test_on_start_reports_what_the_request_names_without_any_request(no_aws_calls):
    lineage = import_job().get_openlineage_facets_on_start()
    assert names(lineage.inputs) == [("s3://shop-data", "daily/2026-01-02.csv")]
    assert names(lineage.outputs) == [(ACCOUNT, "dataset/shop/INTERACTIONS")]
    assert lineage.outputs[0].facets == {}  # the schema costs requests: on complete
    run_facet = lineage.run_facets["personalize"]
    assert (run_facet.resourceType, run_facet.arn, run_facet.status) == ("DatasetImportJob", None, None)


def test_on_complete_adds_the_dataset_schema_and_the_status_with_two_describes():
    operator = import_job()
    client = with_client(operator)
    operator.resource_arn = JOB_ARN
    lineage = operator.get_openlineage_facets_on_complete(mock.MagicMock())
    # The task waited for the job: its status is known without describing it.
    assert requests_sent(client) == ["describe_dataset", "describe_schema"]
    assert [field.name for field in lineage.outputs[0].facets["schema"].fields][:3] == [
        "USER_ID",
        "ITEM_ID",
        "TIMESTAMP",
    ]
    run_facet = lineage.run_facets["personalize"]
    assert (run_facet.arn, run_facet.status, run_facet.failureReason) == (JOB_ARN, "ACTIVE", None)
    assert "errorMessage" not in lineage.run_facets


def test_a_job_the_task_did_not_wait_for_is_described_for_its_status():
    operator = import_job(wait_for_completion=False)
    client = with_client(operator)
    client.describe_dataset_import_job.return_value = {
        "datasetImportJob": {"datasetImportJobArn": JOB_ARN, "status": "CREATE IN_PROGRESS"}
    }
    operator.resource_arn = JOB_ARN
    lineage = operator.get_openlineage_facets_on_complete(mock.MagicMock())
    assert lineage.run_facets["personalize"].status == "CREATE IN_PROGRESS"
    assert requests_sent(client).count("describe_dataset_import_job") == 1


def test_on_failure_reports_the_status_and_failure_reason_and_an_error_facet():
    operator = import_job()
    client = with_client(operator)
    client.describe_dataset_import_job.return_value = {
        "datasetImportJob": {
            "datasetImportJobArn": JOB_ARN,
            "status": "CREATE FAILED",
            "failureReason": "Input CSV is missing the following columns: [TIMESTAMP]",
        }
    }
    operator.resource_arn = JOB_ARN
    lineage = operator.get_openlineage_facets_on_failure(mock.MagicMock())
    run_facet = lineage.run_facets["personalize"]
    assert (run_facet.status, run_facet.failureReason) == (
        "CREATE FAILED",
        "Input CSV is missing the following columns: [TIMESTAMP]",
    )
    error = lineage.run_facets["errorMessage"]
    assert JOB_ARN in error.message and "missing the following columns" in error.message
    assert names(lineage.inputs) == [("s3://shop-data", "daily/2026-01-02.csv")]


def test_a_task_that_failed_before_creating_anything_reports_no_resource():
    operator = import_job()
    client = with_client(operator)
    lineage = operator.get_openlineage_facets_on_failure(mock.MagicMock())
    assert lineage.run_facets["personalize"].arn is None
    assert "errorMessage" not in lineage.run_facets  # Airflow's listener reports the task's own error
    assert "describe_dataset_import_job" not in requests_sent(client)


def test_an_export_reads_the_dataset_and_writes_the_folder():
    operator = PersonalizeCreateDatasetExportJobOperator(
        task_id="export",
        dataset_arn=INTERACTIONS_ARN,
        job_output="s3://shop-data/exports/2026-01-02/",
        role_arn=ROLE_ARN,
    )
    with_client(operator)
    operator.resource_arn = f"{ACCOUNT}:dataset-export-job/e"
    lineage = operator.get_openlineage_facets_on_complete(mock.MagicMock())
    assert names(lineage.inputs) == [(ACCOUNT, "dataset/shop/INTERACTIONS")]
    assert "schema" in lineage.inputs[0].facets
    assert names(lineage.outputs) == [("s3://shop-data", "exports/2026-01-02")]


def test_a_deletion_reads_the_user_list_and_rewrites_the_datasets_holding_users():
    operator = PersonalizeCreateDataDeletionJobOperator(
        task_id="delete_users",
        dataset_group_arn=GROUP_ARN,
        data_source="s3://shop-data/deletion-requests/2026-01-02.csv",
        role_arn=ROLE_ARN,
    )
    client = with_client(operator)
    start = operator.get_openlineage_facets_on_start()
    assert names(start.inputs) == [("s3://shop-data", "deletion-requests/2026-01-02.csv")]
    assert start.outputs == []  # the group's datasets are listed on complete
    assert requests_sent(client) == []

    operator.resource_arn = f"{ACCOUNT}:data-deletion-job/d"
    lineage = operator.get_openlineage_facets_on_complete(mock.MagicMock())
    holding_users = [(ACCOUNT, "dataset/shop/INTERACTIONS"), (ACCOUNT, "dataset/shop/USERS")]
    assert names(lineage.inputs) == [("s3://shop-data", "deletion-requests/2026-01-02.csv"), *holding_users]
    assert names(lineage.outputs) == holding_users  # not the items: they hold no user
    assert all("schema" in dataset.facets for dataset in lineage.outputs)
    assert lineage.run_facets["personalize"].status == "COMPLETED"
    # One list, each dataset described once, their shared schema once.
    assert sorted(requests_sent(client)) == [
        "describe_dataset",
        "describe_dataset",
        "describe_schema",
        "list_datasets",
    ]


def test_a_batch_job_reads_s3_through_its_model_and_writes_s3(no_aws_calls):
    operator = PersonalizeCreateBatchInferenceJobOperator(
        task_id="batch",
        solution_version_arn=VERSION_ARN,
        job_input="s3://shop-data/batch/users.jsonl",
        job_output="s3://shop-data/batch-output/",
        role_arn=ROLE_ARN,
    )
    operator.resource_arn = f"{ACCOUNT}:batch-inference-job/b"
    lineage = operator.get_openlineage_facets_on_complete(mock.MagicMock())
    assert names(lineage.inputs) == [
        ("s3://shop-data", "batch/users.jsonl"),
        (ACCOUNT, "solution/shop-solution/1a2b3c4d"),
    ]
    assert names(lineage.outputs) == [("s3://shop-data", "batch-output")]
    assert lineage.run_facets["personalize"].solutionVersionArn == VERSION_ARN


def test_a_training_reads_the_groups_datasets_and_outputs_the_model():
    operator = PersonalizeCreateSolutionVersionOperator(
        task_id="train", solution_arn=f"{ACCOUNT}:solution/shop-solution"
    )
    client = with_client(operator)
    client.describe_solution_version.return_value = {
        "solutionVersion": {
            "solutionVersionArn": VERSION_ARN,
            "datasetGroupArn": GROUP_ARN,
            "status": "ACTIVE",
        }
    }
    operator.resource_arn = VERSION_ARN
    lineage = operator.get_openlineage_facets_on_complete(mock.MagicMock())
    assert names(lineage.inputs) == [
        (ACCOUNT, "dataset/shop/INTERACTIONS"),
        (ACCOUNT, "dataset/shop/ITEMS"),
        (ACCOUNT, "dataset/shop/USERS"),
    ]
    assert names(lineage.outputs) == [(ACCOUNT, "solution/shop-solution/1a2b3c4d")]
    assert requests_sent(client).count("describe_solution_version") == 1


def test_a_resource_that_moves_no_data_reports_only_its_run_facet(no_aws_calls):
    operator = PersonalizeCreateDatasetGroupOperator(task_id="group", name="shop")
    operator.resource_arn = GROUP_ARN
    lineage = operator.get_openlineage_facets_on_complete(mock.MagicMock())
    assert (lineage.inputs, lineage.outputs) == ([], [])
    assert (lineage.run_facets["personalize"].arn, lineage.run_facets["personalize"].status) == (
        GROUP_ARN,
        "ACTIVE",
    )


def test_without_openlineage_the_methods_return_none_and_send_nothing(no_aws_calls, monkeypatch):
    # As if the extra were not installed: importing OpenLineage's provider fails.
    monkeypatch.setitem(sys.modules, "airflow.providers.openlineage.extractors", None)
    operator = import_job()
    operator.resource_arn = JOB_ARN
    assert operator.get_openlineage_facets_on_start() is None
    assert operator.get_openlineage_facets_on_complete(mock.MagicMock()) is None
    assert operator.get_openlineage_facets_on_failure(mock.MagicMock()) is None
