"""AWS's error semantics: validation naming the member, conflicts, dependencies, quotas, failed jobs."""

import json
import re
from types import SimpleNamespace
from typing import Any

import botocore.config
import pytest

from .support import (
    ACCOUNT_ARN_PREFIX,
    DOMAIN_INTERACTIONS_SCHEMA,
    INTERACTIONS_SCHEMA,
    RECIPE,
    ROLE_ARN,
    VOD_RECIPE,
    avro,
    describer,
    interactions_dataset_group,
    trained_solution,
)

DATA_SOURCE = {"dataLocation": "s3://bucket/data.csv"}
NAME_PATTERN = r"Member must satisfy regular expression pattern: ^[a-zA-Z0-9][a-zA-Z0-9\-_]*"
INVALID, IN_USE, LIMIT = "InvalidInputException", "ResourceInUseException", "LimitExceededException"


def error_of(call: Any, **request: Any) -> tuple[str, str]:
    """The error code and message ``call(**request)`` fails with."""
    with pytest.raises(Exception) as raised:
        call(**request)
    error = raised.value.response["Error"]  # type: ignore[attr-defined]
    return error["Code"], error["Message"]


def code_of(call: Any, **request: Any) -> str:
    return error_of(call, **request)[0]


def dataset_error(
    personalize: Any, schema: str, group: str, dataset_type: str = "Interactions"
) -> tuple[str, str]:
    return error_of(
        personalize.create_dataset,
        name=dataset_type.lower(),
        schemaArn=schema,
        datasetGroupArn=group,
        datasetType=dataset_type,
    )


def schema_arn(personalize: Any, name: str, schema: str) -> str:
    return personalize.create_schema(name=name, schema=schema)["schemaArn"]


def test_bad_name_pattern(personalize: Any) -> None:
    assert error_of(personalize.create_dataset_group, name="-starts-with-dash") == (
        INVALID,
        f"1 validation error detected: Value '-starts-with-dash' at 'name' failed to satisfy constraint: "
        f"{NAME_PATTERN}",
    )


def test_too_long_name_and_bad_enum_are_both_reported(personalize: Any) -> None:
    code, message = error_of(personalize.create_dataset_group, name="n" * 64, domain="RETAIL")
    assert code == INVALID
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
    assert code == INVALID
    assert "Value 'arn:aws:iam::123:user/someone' at 'roleArn' failed to satisfy constraint" in message
    assert "Value 'ftp-bucket/data.csv' at 'dataSource.dataLocation' failed to satisfy constraint" in message


def test_missing_required_members_are_named(emulator: Any) -> None:
    unvalidated = emulator.client("personalize", config=botocore.config.Config(parameter_validation=False))
    code, message = error_of(unvalidated.create_dataset, name="only-a-name")
    assert code == INVALID
    for member in ("schemaArn", "datasetGroupArn", "datasetType"):
        assert f"Value null at '{member}' failed to satisfy constraint: Member must not be null" in message
    assert error_of(unvalidated.list_dataset_groups, maxResults=0)[1].endswith(
        "Member must have value greater than or equal to 1"
    )


@pytest.mark.parametrize(
    "request_members", [{"roleArn": ROLE_ARN}, {"kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}]
)
def test_dataset_group_role_only_with_kms_key(personalize: Any, request_members: dict[str, str]) -> None:
    code, message = error_of(personalize.create_dataset_group, name="secure", **request_members)
    assert (code, "roleArn and kmsKeyArn" in message) == (INVALID, True)


def test_schemas_are_checked_against_avro_and_the_dataset_type(personalize: Any) -> None:
    for name, schema in [("broken", "{not json"), ("flat", '{"type": "string"}')]:
        assert code_of(personalize.create_schema, name=name, schema=schema) == INVALID
    group = personalize.create_dataset_group(name="shop")["datasetGroupArn"]
    without_time = avro("Interactions", ("USER_ID", "string"), ("ITEM_ID", "string"))
    no_time = schema_arn(personalize, "no-time", without_time)
    code, message = dataset_error(personalize, no_time, group)
    assert (code, "TIMESTAMP" in message) == (INVALID, True)
    id_only = schema_arn(personalize, "id-only", avro("Items", ("ITEM_ID", "string")))
    code, message = dataset_error(personalize, id_only, group, "Items")
    assert (code, "metadata field" in message) == (INVALID, True)
    interactions = schema_arn(personalize, "interactions", INTERACTIONS_SCHEMA)
    assert dataset_error(personalize, interactions, group, "Clicks")[0] == INVALID


@pytest.mark.parametrize(
    ("field", "avro_type"),
    [("PAYLOAD", "bytes"), ("WHEN", "strin"), ("PARTS", {"type": "array", "items": "string"})],
)
def test_create_schema_refuses_types_personalize_does_not_support(
    personalize: Any, field: str, avro_type: Any
) -> None:
    schema = avro(
        "Interactions",
        ("USER_ID", "string"),
        ("ITEM_ID", "string"),
        ("TIMESTAMP", "long"),
        (field, avro_type),
    )
    code, message = error_of(personalize.create_schema, name="odd", schema=schema)
    assert (code, field in message) == (INVALID, True)
    assert personalize.list_schemas()["schemas"] == []


def test_create_dataset_refuses_a_schema_whose_required_field_has_the_wrong_type(personalize: Any) -> None:
    group = personalize.create_dataset_group(name="shop")["datasetGroupArn"]
    text_time = avro("Interactions", ("USER_ID", "string"), ("ITEM_ID", "string"), ("TIMESTAMP", "string"))
    code, message = dataset_error(personalize, schema_arn(personalize, "text-time", text_time), group)
    assert (code, "TIMESTAMP" in message) == (INVALID, True)
    assert personalize.list_datasets(datasetGroupArn=group)["datasets"] == []


def test_domain_datasets_need_their_domains_fields(personalize: Any) -> None:
    shop = personalize.create_dataset_group(name="shop", domain="ECOMMERCE")["datasetGroupArn"]
    items_without_price = avro("Items", ("ITEM_ID", "string"), ("GENRE", "string"))
    items_schema = personalize.create_schema(name="items", schema=items_without_price, domain="ECOMMERCE")
    code, message = dataset_error(personalize, items_schema["schemaArn"], shop, "Items")
    assert (code, "PRICE" in message) == (INVALID, True)
    no_event_type = personalize.create_schema(name="plain", schema=INTERACTIONS_SCHEMA, domain="ECOMMERCE")
    code, message = dataset_error(personalize, no_event_type["schemaArn"], shop)
    assert (code, "EVENT_TYPE" in message) == (INVALID, True)


def test_duplicates_are_refused(personalize: Any) -> None:
    setup = interactions_dataset_group(personalize, name="shop")
    assert error_of(personalize.create_dataset_group, name="shop") == (
        "ResourceAlreadyExistsException",
        f"Another resource with Arn {setup['group']} already exists.",
    )
    code, message = dataset_error(personalize, setup["schema"], setup["group"])
    assert (code, setup["dataset"] in message) == ("ResourceAlreadyExistsException", True)


def test_unknown_arns_are_not_found(personalize: Any) -> None:
    missing = f"{ACCOUNT_ARN_PREFIX}:dataset-group/missing"
    assert error_of(personalize.describe_dataset_group, datasetGroupArn=missing) == (
        "ResourceNotFoundException",
        f"Resource Arn {missing} does not exist.",
    )
    group = interactions_dataset_group(personalize)["group"]
    unknown_recipe = "arn:aws:personalize:::recipe/aws-unknown"
    code = code_of(personalize.create_solution, name="recs", datasetGroupArn=group, recipeArn=unknown_recipe)
    assert code == "ResourceNotFoundException"


def test_deleting_a_group_with_datasets_or_a_schema_in_use_is_refused(personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    code, message = error_of(personalize.delete_dataset_group, datasetGroupArn=setup["group"])
    assert (code, setup["dataset"] in message) == (IN_USE, True)
    code, message = error_of(personalize.delete_schema, schemaArn=setup["schema"])
    assert (code, setup["dataset"] in message) == (IN_USE, True)
    assert describer(personalize, "DatasetGroup", setup["group"])()["status"] == "ACTIVE"


def test_deleting_a_dataset_while_a_solution_version_trains_is_refused(
    immediate: Any, personalize: Any
) -> None:
    setup = interactions_dataset_group(personalize)
    solution = trained_solution(personalize, setup["group"])["solution"]
    immediate.set_transition("personalize::solution-version", {"progression": "manual", "times": 100})
    training = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    code, message = error_of(personalize.delete_dataset, datasetArn=setup["dataset"])
    assert (code, training in message) == (IN_USE, True)


def test_deleting_a_solution_with_a_campaign_is_refused(personalize: Any) -> None:
    trained = trained_solution(personalize, interactions_dataset_group(personalize)["group"])
    personalize.create_campaign(name="live", solutionVersionArn=trained["version"])
    assert code_of(personalize.delete_solution, solutionArn=trained["solution"]) == IN_USE


def test_children_of_an_unfinished_parent_are_refused(immediate: Any, personalize: Any) -> None:
    immediate.set_transition("personalize::dataset-group", {"progression": "manual", "times": 100})
    group = personalize.create_dataset_group(name="pending")["datasetGroupArn"]
    code, message = dataset_error(
        personalize, schema_arn(personalize, "interactions", INTERACTIONS_SCHEMA), group
    )
    assert (code, "CREATE PENDING" in message) == (IN_USE, True)
    assert code_of(personalize.delete_dataset_group, datasetGroupArn=group) == IN_USE


def test_recommenders_only_in_domain_groups_with_domain_recipes(personalize: Any) -> None:
    custom = interactions_dataset_group(personalize, name="custom")["group"]
    recommender = personalize.create_recommender
    code, message = error_of(recommender, name="r", datasetGroupArn=custom, recipeArn=VOD_RECIPE)
    assert (code, "Domain dataset group" in message) == (INVALID, True)
    shop = interactions_dataset_group(personalize, name="shop", domain="ECOMMERCE")["group"]
    assert code_of(recommender, name="r", datasetGroupArn=shop, recipeArn=VOD_RECIPE) == INVALID
    assert (
        code_of(personalize.create_solution, name="s", datasetGroupArn=shop, recipeArn=VOD_RECIPE) == INVALID
    )
    schema_without_domain = schema_arn(personalize, "plain", DOMAIN_INTERACTIONS_SCHEMA)
    shop_two = personalize.create_dataset_group(name="shop-two", domain="ECOMMERCE")["datasetGroupArn"]
    assert dataset_error(personalize, schema_without_domain, shop_two)[0] == INVALID


def test_five_running_import_jobs_per_region(immediate: Any, personalize: Any) -> None:
    dataset = interactions_dataset_group(personalize)["dataset"]
    immediate.set_transition("personalize::dataset-import-job", {"progression": "manual", "times": 100})

    def create_import_job(name: str) -> Any:
        return personalize.create_dataset_import_job(jobName=name, datasetArn=dataset, dataSource=DATA_SOURCE)

    for number in range(5):
        create_import_job(f"import-{number}")
    assert error_of(create_import_job, name="import-5") == (
        LIMIT,
        "More than 5 resources with PENDING or IN_PROGRESS status.",
    )
    immediate.set_transition("personalize::dataset-import-job", {"progression": "immediate"})
    for job in personalize.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"]:
        personalize.describe_dataset_import_job(datasetImportJobArn=job["datasetImportJobArn"])
    create_import_job("import-5")


def test_per_group_and_per_region_quotas(personalize: Any) -> None:
    group = interactions_dataset_group(personalize, name="shop")["group"]
    personalize.create_event_tracker(name="clicks", datasetGroupArn=group)
    assert code_of(personalize.create_event_tracker, name="more", datasetGroupArn=group) == LIMIT
    for number in range(10):
        personalize.create_solution(name=f"recs-{number}", datasetGroupArn=group, recipeArn=RECIPE)
    assert (
        code_of(personalize.create_solution, name="recs-10", datasetGroupArn=group, recipeArn=RECIPE) == LIMIT
    )
    for number in range(4):
        personalize.create_dataset_group(name=f"group-{number}")
    assert code_of(personalize.create_dataset_group, name="group-5") == LIMIT


def test_an_approved_quota_increase_raises_the_limit(in_process: Any) -> None:
    from personalize_emulator.harness import account_quotas

    personalize = in_process.client("personalize")
    account_quotas.apply({"DatasetGroup": 7})
    for number in range(7):
        personalize.create_dataset_group(name=f"group-{number}")
    assert error_of(personalize.create_dataset_group, name="group-7") == (
        LIMIT,
        "Exceeded the limit of 7 dataset groups per region.",
    )
    account_quotas.apply({})
    assert account_quotas.current() == {}


@pytest.mark.parametrize(
    ("limits", "refusal"),
    [
        ({"DatasetImportJob": 10}, "'DatasetImportJob' has no adjustable quota; adjustable ones: Batch"),
        ({"Bogus": 10}, "'Bogus' has no adjustable quota"),
        ({"DatasetGroup": 4}, "can only be raised: an integer >= its default 5, not 4"),
        ({"DatasetGroup": 7.5}, "not 7.5"),
    ],
)
def test_only_adjustable_quotas_can_be_raised(in_process: Any, limits: dict[str, Any], refusal: str) -> None:
    from personalize_emulator.harness import account_quotas

    with pytest.raises(ValueError, match=re.escape(refusal)):
        account_quotas.apply(limits)
    assert account_quotas.current() == {}


@pytest.mark.server
def test_applied_quotas_from_the_environment_at_server_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from personalize_emulator.harness.pytest_plugin import start_emulator_server

    monkeypatch.setenv("PERSONALIZE_EMULATOR_APPLIED_QUOTAS", json.dumps({"DatasetGroup": 6}))
    server = start_emulator_server(0.2)
    try:
        personalize = server.client("personalize")
        for number in range(6):
            personalize.create_dataset_group(name=f"group-{number}")
        assert code_of(personalize.create_dataset_group, name="group-6") == LIMIT
    finally:
        server.stop()


def test_a_job_that_cannot_do_its_work_fails_with_a_reason(in_process: Any) -> None:
    from personalize_emulator.harness import faults

    reason = "Input CSV is missing the following columns: [TIMESTAMP]"
    faults.fail_next("DatasetImportJob", reason)
    personalize = in_process.client("personalize")
    for kind in ("dataset-group", "dataset"):
        in_process.set_transition(f"personalize::{kind}", {"progression": "immediate"})
    in_process.set_transition("personalize::dataset-import-job", {"progression": "manual", "times": 1})
    dataset = interactions_dataset_group(personalize)["dataset"]
    job = personalize.create_dataset_import_job(jobName="import", datasetArn=dataset, dataSource=DATA_SOURCE)
    describe = describer(personalize, "DatasetImportJob", job["datasetImportJobArn"])
    assert [describe()["status"] for _ in range(3)] == [
        "CREATE IN_PROGRESS",
        "CREATE FAILED",
        "CREATE FAILED",
    ]
    assert describe()["failureReason"] == reason
    summary = personalize.list_dataset_import_jobs(datasetArn=dataset)["datasetImportJobs"][0]
    assert (summary["status"], summary["failureReason"]) == ("CREATE FAILED", reason)


def test_operations_refused_in_the_wrong_state(immediate: Any, personalize: Any) -> None:
    shop = interactions_dataset_group(personalize, name="shop")
    trained = trained_solution(personalize, shop["group"], name="recs")
    other = trained_solution(personalize, shop["group"], name="other")
    stop = personalize.stop_solution_version_creation
    assert code_of(stop, solutionVersionArn=trained["version"]) == IN_USE
    campaign = personalize.create_campaign(name="live", solutionVersionArn=trained["version"])["campaignArn"]
    update = personalize.update_campaign
    assert code_of(update, campaignArn=campaign, solutionVersionArn=other["version"]) == INVALID
    immediate.set_transition("personalize::solution-version", {"progression": "manual", "times": 100})
    training = personalize.create_solution_version(solutionArn=trained["solution"])["solutionVersionArn"]
    assert code_of(update, campaignArn=campaign, solutionVersionArn=training) == IN_USE
    assert code_of(personalize.create_campaign, name="early", solutionVersionArn=training) == IN_USE

    vod = interactions_dataset_group(personalize, name="vod", domain="VIDEO_ON_DEMAND")["group"]
    recommender = personalize.create_recommender(name="picks", datasetGroupArn=vod, recipeArn=VOD_RECIPE)
    assert code_of(personalize.start_recommender, recommenderArn=recommender["recommenderArn"]) == IN_USE


def test_a_resource_has_at_most_50_tags_across_create_and_tag_resource(personalize: Any) -> None:
    tags = [{"tagKey": f"key-{number}", "tagValue": "v"} for number in range(51)]
    assert code_of(personalize.create_dataset_group, name="over", tags=tags) == "TooManyTagsException"
    group = personalize.create_dataset_group(name="tagged", tags=tags[:50])["datasetGroupArn"]
    more = [{"tagKey": "one-more", "tagValue": "v"}]
    assert code_of(personalize.tag_resource, resourceArn=group, tags=more) == "TooManyTagsException"
    personalize.tag_resource(resourceArn=group, tags=[{"tagKey": "key-0", "tagValue": "new value"}])
    assert len(personalize.list_tags_for_resource(resourceArn=group)["tags"]) == 50
    too_many_keys = [f"key-{number}" for number in range(51)]
    assert code_of(personalize.untag_resource, resourceArn=group, tagKeys=too_many_keys) == (
        "TooManyTagKeysException"
    )


@pytest.mark.parametrize(
    "tag", [{"tagKey": "aws:team", "tagValue": "x"}, {"tagKey": "team", "tagValue": "aws:x"}]
)
def test_tag_keys_and_values_starting_with_aws_are_reserved(personalize: Any, tag: dict[str, str]) -> None:
    code, message = error_of(personalize.create_dataset_group, name="reserved", tags=[tag])
    assert (code, "aws:" in message) == (INVALID, True)
    group = personalize.create_dataset_group(name="plain")["datasetGroupArn"]
    assert code_of(personalize.tag_resource, resourceArn=group, tags=[tag]) == INVALID
    assert personalize.list_tags_for_resource(resourceArn=group)["tags"] == []


def test_names_must_match_the_pattern_as_a_whole(personalize: Any) -> None:
    """botocore's patterns carry no end anchor; AWS matches them against the whole value."""
    code, message = error_of(personalize.create_dataset_group, name="x y")
    assert (code, "Value 'x y' at 'name' failed to satisfy constraint" in message) == (INVALID, True)
    assert code_of(personalize.create_schema, name="ok\n", schema=INTERACTIONS_SCHEMA) == INVALID
    assert personalize.list_dataset_groups()["datasetGroups"] == []


def test_at_most_5_pending_data_deletion_jobs_per_dataset_group(immediate: Any, personalize: Any) -> None:
    group = interactions_dataset_group(personalize)["group"]
    other_group = interactions_dataset_group(personalize, name="other")["group"]
    immediate.set_transition("personalize::data-deletion-job", {"progression": "manual", "times": 100})

    def delete_users(name: str, group: str) -> Any:
        return personalize.create_data_deletion_job(
            jobName=name, datasetGroupArn=group, dataSource=DATA_SOURCE, roleArn=ROLE_ARN
        )

    for number in range(5):
        delete_users(f"forget-{number}", group)
    assert code_of(delete_users, name="forget-5", group=group) == LIMIT
    delete_users("forget-elsewhere", other_group)


def test_the_actions_operations_answer_as_aws_does_for_what_does_not_exist(emulator: Any) -> None:
    events = emulator.client("personalize-events")
    dataset = f"{ACCOUNT_ARN_PREFIX}:dataset/group/ACTIONS"
    assert (
        code_of(events.put_actions, datasetArn=dataset, actions=[{"actionId": "a"}])
        == "ResourceNotFoundException"
    )
    interaction = {"actionId": "a", "sessionId": "s", "timestamp": 1, "eventType": "TAKEN"}
    refused = code_of(events.put_action_interactions, trackingId="unknown", actionInteractions=[interaction])
    assert refused == "InvalidInputException"
    runtime = emulator.client("personalize-runtime")
    action_recommendations = {"campaignArn": f"{ACCOUNT_ARN_PREFIX}:campaign/none", "userId": "user-1"}
    assert (
        code_of(runtime.get_action_recommendations, **action_recommendations) == "ResourceNotFoundException"
    )


def test_an_operation_new_to_botocore_is_answered_when_called_not_when_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A botocore release that adds an operation must not break the import of the responses."""
    from personalize_emulator.service import responses
    from personalize_emulator.service.exceptions import InvalidAction

    real_model = responses.service_model("personalize")

    newer_model = SimpleNamespace(operation_names=[*real_model.operation_names, "CreateSomethingNew"])
    monkeypatch.setattr(responses, "service_model", lambda service_name: newer_model)
    newer: Any = responses.serving_every_operation(
        type("NewerResponse", (responses.PersonalizeEmulatorResponse,), {})
    )
    assert newer.handler("CreateDatasetGroup") is not None
    assert newer.handler("CreateSomethingNew") is None
    with pytest.raises(InvalidAction, match="CreateSomethingNew"):
        newer().create_something_new()
