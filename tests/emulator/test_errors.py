"""AWS's error semantics: validation naming the member, conflicts, dependencies, quotas, failed jobs."""

from typing import Any

import botocore.config
import pytest

from .support import (
    ACCOUNT_ARN_PREFIX,
    DOMAIN_INTERACTIONS_SCHEMA,
    INTERACTIONS_SCHEMA,
    RECIPE,
    ROLE_ARN,
    avro,
    describer,
    interactions_dataset_group,
    trained_solution,
)

DATA_SOURCE = {"dataLocation": "s3://bucket/data.csv"}
NAME_PATTERN = r"Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\-_]*"


def error_of(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(Exception) as raised:
        call(**request)
    error = raised.value.response["Error"]  # type: ignore[attr-defined]
    return error["Code"], error["Message"]


def test_bad_name_pattern(personalize: Any) -> None:
    assert error_of(personalize.create_dataset_group, name="-starts-with-dash") == (
        "InvalidInputException",
        f"1 validation error detected: Value '-starts-with-dash' at 'name' failed to satisfy constraint: "
        f"{NAME_PATTERN}",
    )


def test_too_long_name_and_bad_enum_are_both_reported(personalize: Any) -> None:
    code, message = error_of(personalize.create_dataset_group, name="n" * 64, domain="RETAIL")
    assert code == "InvalidInputException"
    assert message.startswith("2 validation errors detected: ")
    too_long = "Member must have length less than or equal to 63"
    assert f"Value '{'n' * 64}' at 'name' failed to satisfy constraint: {too_long}" in message
    enum = "Member must satisfy enum value set: [ECOMMERCE, VIDEO_ON_DEMAND]"
    assert f"Value 'RETAIL' at 'domain' failed to satisfy constraint: {enum}" in message


def test_malformed_role_arn_and_nested_member(personalize: Any) -> None:
    dataset = interactions_dataset_group(personalize)["dataset"]
    code, message = error_of(
        personalize.create_dataset_import_job,
        jobName="import",
        datasetArn=dataset,
        dataSource={"dataLocation": "ftp-bucket/data.csv"},
        roleArn="arn:aws:iam::123:user/someone",
    )
    assert code == "InvalidInputException"
    assert "Value 'arn:aws:iam::123:user/someone' at 'roleArn' failed to satisfy constraint" in message
    assert "Value 'ftp-bucket/data.csv' at 'dataSource.dataLocation' failed to satisfy constraint" in message


def test_missing_required_members_are_named(emulator: Any) -> None:
    unvalidated = emulator.client("personalize", config=botocore.config.Config(parameter_validation=False))
    code, message = error_of(unvalidated.create_dataset, name="only-a-name")
    assert code == "InvalidInputException"
    for member in ("schemaArn", "datasetGroupArn", "datasetType"):
        assert f"Value null at '{member}' failed to satisfy constraint: Member must not be null" in message
    assert error_of(unvalidated.list_dataset_groups, maxResults=0)[1].endswith(
        "Member must have value greater than or equal to 1"
    )


@pytest.mark.parametrize(
    ("request_members", "fragment"),
    [
        ({"roleArn": ROLE_ARN}, "roleArn and kmsKeyArn"),
        ({"kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}, "roleArn and kmsKeyArn"),
    ],
)
def test_dataset_group_role_only_with_kms_key(
    personalize: Any, request_members: dict[str, str], fragment: str
) -> None:
    code, message = error_of(personalize.create_dataset_group, name="secure", **request_members)
    assert (code, fragment in message) == ("InvalidInputException", True)


def test_schemas_are_checked_against_avro_and_the_dataset_type(personalize: Any) -> None:
    assert (
        error_of(personalize.create_schema, name="broken", schema="{not json")[0] == "InvalidInputException"
    )
    assert (
        error_of(personalize.create_schema, name="flat", schema='{"type": "string"}')[0]
        == "InvalidInputException"
    )
    group = personalize.create_dataset_group(name="shop")["datasetGroupArn"]
    no_time = personalize.create_schema(
        name="no-time", schema=avro("I", ("USER_ID", "string"), ("ITEM_ID", "string"))
    )
    code, message = error_of(
        personalize.create_dataset,
        name="interactions",
        schemaArn=no_time["schemaArn"],
        datasetGroupArn=group,
        datasetType="Interactions",
    )
    assert (code, "TIMESTAMP" in message) == ("InvalidInputException", True)
    id_only = personalize.create_schema(name="id-only", schema=avro("Items", ("ITEM_ID", "string")))[
        "schemaArn"
    ]
    code, message = error_of(
        personalize.create_dataset,
        name="items",
        schemaArn=id_only,
        datasetGroupArn=group,
        datasetType="Items",
    )
    assert (code, "metadata field" in message) == ("InvalidInputException", True)
    interactions = personalize.create_schema(name="interactions", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    code, _ = error_of(
        personalize.create_dataset,
        name="x",
        schemaArn=interactions,
        datasetGroupArn=group,
        datasetType="Clicks",
    )
    assert code == "InvalidInputException"


def test_duplicates_are_refused(personalize: Any) -> None:
    setup = interactions_dataset_group(personalize, name="shop")
    assert error_of(personalize.create_dataset_group, name="shop") == (
        "ResourceAlreadyExistsException",
        f"Another resource with Arn {setup['group']} already exists.",
    )
    code, message = error_of(
        personalize.create_dataset,
        name="second-interactions",
        schemaArn=setup["schema"],
        datasetGroupArn=setup["group"],
        datasetType="Interactions",
    )
    assert (code, setup["dataset"] in message) == ("ResourceAlreadyExistsException", True)


def test_unknown_arns_are_not_found(personalize: Any) -> None:
    missing = f"{ACCOUNT_ARN_PREFIX}:dataset-group/missing"
    assert error_of(personalize.describe_dataset_group, datasetGroupArn=missing) == (
        "ResourceNotFoundException",
        f"Resource Arn {missing} does not exist.",
    )
    code, _ = error_of(
        personalize.create_solution,
        name="recs",
        datasetGroupArn=interactions_dataset_group(personalize)["group"],
        recipeArn="arn:aws:personalize:::recipe/aws-unknown",
    )
    assert code == "ResourceNotFoundException"


def test_deleting_a_group_with_datasets_or_a_schema_in_use_is_refused(personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    code, message = error_of(personalize.delete_dataset_group, datasetGroupArn=setup["group"])
    assert (code, setup["dataset"] in message) == ("ResourceInUseException", True)
    code, message = error_of(personalize.delete_schema, schemaArn=setup["schema"])
    assert (code, setup["dataset"] in message) == ("ResourceInUseException", True)
    assert describer(personalize, "DatasetGroup", setup["group"])()["status"] == "ACTIVE"


def test_deleting_a_solution_with_a_campaign_is_refused(personalize: Any) -> None:
    trained = trained_solution(personalize, interactions_dataset_group(personalize)["group"])
    personalize.create_campaign(name="live", solutionVersionArn=trained["version"])
    assert (
        error_of(personalize.delete_solution, solutionArn=trained["solution"])[0] == "ResourceInUseException"
    )


def test_children_of_an_unfinished_parent_are_refused(immediate: Any, personalize: Any) -> None:
    immediate.set_transition("personalize::dataset-group", {"progression": "manual", "times": 100})
    group = personalize.create_dataset_group(name="pending")["datasetGroupArn"]
    schema = personalize.create_schema(name="interactions", schema=INTERACTIONS_SCHEMA)["schemaArn"]
    code, message = error_of(
        personalize.create_dataset,
        name="interactions",
        schemaArn=schema,
        datasetGroupArn=group,
        datasetType="Interactions",
    )
    assert (code, "CREATE PENDING" in message) == ("ResourceInUseException", True)
    assert error_of(personalize.delete_dataset_group, datasetGroupArn=group)[0] == "ResourceInUseException"


def test_recommenders_only_in_domain_groups_with_domain_recipes(personalize: Any) -> None:
    custom = interactions_dataset_group(personalize, name="custom")["group"]
    vod_recipe = "arn:aws:personalize:::recipe/aws-vod-top-picks"
    code, message = error_of(
        personalize.create_recommender, name="r", datasetGroupArn=custom, recipeArn=vod_recipe
    )
    assert (code, "Domain dataset group" in message) == ("InvalidInputException", True)
    shop = interactions_dataset_group(personalize, name="shop", domain="ECOMMERCE")["group"]
    assert error_of(personalize.create_recommender, name="r", datasetGroupArn=shop, recipeArn=vod_recipe)[
        0
    ] == ("InvalidInputException")
    code, _ = error_of(personalize.create_solution, name="s", datasetGroupArn=shop, recipeArn=vod_recipe)
    assert code == "InvalidInputException"
    schema_without_domain = personalize.create_schema(name="plain", schema=DOMAIN_INTERACTIONS_SCHEMA)[
        "schemaArn"
    ]
    shop_two = personalize.create_dataset_group(name="shop-two", domain="ECOMMERCE")["datasetGroupArn"]
    code, _ = error_of(
        personalize.create_dataset,
        name="i",
        schemaArn=schema_without_domain,
        datasetGroupArn=shop_two,
        datasetType="Interactions",
    )
    assert code == "InvalidInputException"


def test_five_running_import_jobs_per_region(immediate: Any, personalize: Any) -> None:
    dataset = interactions_dataset_group(personalize)["dataset"]
    immediate.set_transition("personalize::dataset-import-job", {"progression": "manual", "times": 100})
    for number in range(5):
        personalize.create_dataset_import_job(
            jobName=f"import-{number}", datasetArn=dataset, dataSource=DATA_SOURCE
        )
    assert error_of(
        personalize.create_dataset_import_job, jobName="import-5", datasetArn=dataset, dataSource=DATA_SOURCE
    ) == ("LimitExceededException", "More than 5 resources with PENDING or IN_PROGRESS status.")
    immediate.set_transition("personalize::dataset-import-job", {"progression": "immediate"})
    for job in personalize.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"]:
        personalize.describe_dataset_import_job(datasetImportJobArn=job["datasetImportJobArn"])
    personalize.create_dataset_import_job(jobName="import-5", datasetArn=dataset, dataSource=DATA_SOURCE)


def test_per_group_and_per_region_quotas(personalize: Any) -> None:
    group = interactions_dataset_group(personalize, name="shop")["group"]
    personalize.create_event_tracker(name="clicks", datasetGroupArn=group)
    assert (
        error_of(personalize.create_event_tracker, name="more", datasetGroupArn=group)[0]
        == "LimitExceededException"
    )
    for number in range(10):
        personalize.create_solution(name=f"recs-{number}", datasetGroupArn=group, recipeArn=RECIPE)
    code, _ = error_of(personalize.create_solution, name="recs-10", datasetGroupArn=group, recipeArn=RECIPE)
    assert code == "LimitExceededException"
    for number in range(4):
        personalize.create_dataset_group(name=f"group-{number}")
    assert error_of(personalize.create_dataset_group, name="group-5")[0] == "LimitExceededException"


def test_a_job_that_cannot_do_its_work_fails_with_a_reason(
    in_process: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_provider_personalize.emulator import models

    def missing_columns(job: models.Resource) -> None:
        raise models.CreationFailed("Input CSV is missing the following columns: [TIMESTAMP]")

    monkeypatch.setattr(models.DatasetImportJob, "_complete", missing_columns)
    personalize = in_process.client("personalize")
    in_process.set_transition("personalize::dataset-group", {"progression": "immediate"})
    in_process.set_transition("personalize::dataset", {"progression": "immediate"})
    in_process.set_transition("personalize::dataset-import-job", {"progression": "manual", "times": 1})
    dataset = interactions_dataset_group(personalize)["dataset"]
    job = personalize.create_dataset_import_job(jobName="import", datasetArn=dataset, dataSource=DATA_SOURCE)
    describe = describer(personalize, "DatasetImportJob", job["datasetImportJobArn"])
    statuses = [describe()["status"] for _ in range(3)]
    assert statuses == ["CREATE IN_PROGRESS", "CREATE FAILED", "CREATE FAILED"]
    assert describe()["failureReason"] == "Input CSV is missing the following columns: [TIMESTAMP]"
    summary = personalize.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"][0]
    assert (summary["status"], summary["failureReason"]) == ("CREATE FAILED", describe()["failureReason"])
