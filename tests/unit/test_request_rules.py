"""The documented rules beyond botocore's model: ARN kinds, tags, S3 URIs, ranges, members that go together,
Avro schemas and filter expressions, with the words each error uses. tests/unit/test_input_corpus.py runs
them through the operators; these pin what each rule says and where it stops."""

from __future__ import annotations

import json

import pytest

from airflow_provider_personalize.hooks.avro_schema import schema_problem
from airflow_provider_personalize.hooks.filter_expression import filter_expression_problem
from airflow_provider_personalize.hooks.request_model import InvalidRequestError, build_request
from airflow_provider_personalize.hooks.request_rules import arn_problem
from airflow_provider_personalize.resources import (
    CAMPAIGN,
    DATASET,
    DATASET_GROUP,
    SOLUTION,
    SOLUTION_VERSION,
)

PREFIX = "arn:aws:personalize:us-east-1:123456789012"
GROUP_ARN = f"{PREFIX}:dataset-group/shop"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3"
RECIPE_ARN = "arn:aws:personalize:::recipe/aws-user-personalization"


def problems_of(method: str, **arguments) -> list[str]:
    with pytest.raises(InvalidRequestError) as raised:
        build_request(method, arguments)
    return raised.value.problems


# ARNs


@pytest.mark.parametrize(
    ("kind", "arn"),
    [
        (DATASET_GROUP, GROUP_ARN),
        (DATASET, f"{PREFIX}:dataset/shop/ACTION_INTERACTIONS"),
        (SOLUTION, f"{PREFIX}:solution/shop-ranking"),
        (SOLUTION_VERSION, f"{PREFIX}:solution/shop-ranking/1a2b3c4d"),
        (SOLUTION_VERSION, f"{PREFIX}:solution/shop-ranking/$LATEST"),
        (CAMPAIGN, "arn:aws-cn:personalize:cn-northwest-1:123456789012:campaign/c"),
        (CAMPAIGN, "arn:aws-us-gov:personalize:us-gov-west-1:123456789012:campaign/c"),
    ],
)
def test_arns_of_their_kind_pass(kind, arn):
    assert arn_problem(kind, arn) is None


@pytest.mark.parametrize(
    ("kind", "arn", "said"),
    [
        (SOLUTION, f"{PREFIX}:solution/s/1a2b", "is a solution version ARN; expected a solution ARN"),
        (SOLUTION_VERSION, f"{PREFIX}:solution/s", "is a solution ARN; expected a solution version ARN"),
        (DATASET, GROUP_ARN, "is a dataset group ARN; expected a dataset ARN (arn:aws:personalize:<region>:"),
        (CAMPAIGN, f"{PREFIX}:campaign/$LATEST", "is not a campaign ARN"),
        (CAMPAIGN, f"{PREFIX}:campaign/c\n", "is not a campaign ARN"),
        (CAMPAIGN, "arn:aws:personalize:useast1:123456789012:campaign/c", "is not a campaign ARN"),
        (CAMPAIGN, "None", "'None' (a template that rendered a missing value?)"),
        (
            DATASET_GROUP,
            "arn:aws:personalize:us-east-1:123456789012:dataset-group/",
            "is not a dataset group",
        ),
    ],
)
def test_an_arn_of_another_kind_or_form_is_named_for_what_it_is(kind, arn, said):
    assert said in arn_problem(kind, arn)


def test_recipes_are_arns_without_region_or_account():
    assert build_request(
        "create_recommender", {"name": "r", "dataset_group_arn": GROUP_ARN, "recipe_arn": RECIPE_ARN}
    )
    problems = problems_of("create_recommender", name="r", dataset_group_arn=GROUP_ARN, recipe_arn=GROUP_ARN)
    assert problems == [
        f"recipe_arn: {GROUP_ARN!r} is a dataset group ARN; expected a recipe ARN "
        "(arn:aws:personalize:::recipe/<recipe name>)"
    ]


def test_arn_members_nested_in_lists_are_checked_too():
    config = {"autoMLConfig": {"recipeList": [RECIPE_ARN, f"{PREFIX}:solution/s"]}}
    problems = problems_of(
        "create_solution", name="s", dataset_group_arn=GROUP_ARN, perform_auto_ml=True, solution_config=config
    )
    assert problems[0].startswith("solution_config.autoMLConfig.recipeList[1]: ")


# Tags, S3 locations, ranges


def test_tags_at_most_50_none_reserved_none_twice():
    assert build_request("create_dataset_group", {"name": "g", "tags": {f"k{i}": "v" for i in range(50)}})
    assert problems_of("create_dataset_group", name="g", tags={f"k{i}": "v" for i in range(51)}) == [
        "tags: 51 tags; a resource can have at most 50"
    ]
    assert problems_of("create_dataset_group", name="g", tags={"Team": "AWS:Personalize"}) == [
        "tags: 'AWS:Personalize': tag keys and values can't start with 'aws:' (reserved for AWS)"
    ]
    twice = [{"tagKey": "team", "tagValue": "a"}, {"tagKey": "team", "tagValue": "b"}]
    assert problems_of("create_dataset_group", name="g", tags=twice) == [
        "tags: tag key(s) 'team' given more than once"
    ]


@pytest.mark.parametrize(
    ("uri", "said"),
    [
        ("https://shop.s3.amazonaws.com/i.csv", "is not an s3:// URI"),
        ("s3://Shop/i.csv", "does not name a valid S3 bucket"),
        ("s3://shop..data/i.csv", "does not name a valid S3 bucket"),
    ],
)
def test_s3_locations_are_s3_uris_of_valid_buckets(uri, said):
    (problem,) = problems_of(
        "create_dataset_import_job", job_name="j", dataset_arn=f"{PREFIX}:dataset/shop/ITEMS", data_source=uri
    )
    assert problem.startswith("data_source.dataLocation: ") and said in problem


@pytest.mark.parametrize(("days", "refused"), [(1, False), (30, False), (0, True), (31, True)])
def test_automatic_training_every_1_to_30_days(days, refused):
    config = {"autoTrainingConfig": {"schedulingExpression": f"rate({days} days)"}}
    arguments = {
        "name": "s",
        "dataset_group_arn": GROUP_ARN,
        "recipe_arn": RECIPE_ARN,
        "solution_config": config,
    }
    if refused:
        with pytest.raises(
            InvalidRequestError, match=r"solution_config\.autoTrainingConfig\.schedulingExpression"
        ):
            build_request("create_solution", arguments)
    else:
        build_request("create_solution", arguments)


def test_dataset_types_in_any_letter_case():
    dataset = {"name": "d", "schema_arn": f"{PREFIX}:schema/s", "dataset_group_arn": GROUP_ARN}
    assert build_request("create_dataset", {**dataset, "dataset_type": "ACTION_INTERACTIONS"})
    assert problems_of("create_dataset", **dataset, dataset_type="Interaction") == [
        "dataset_type: 'Interaction' is not a dataset type; one of Interactions, Items, Users, Actions, "
        "Action_Interactions (any letter case)"
    ]


# Members that go together


def test_a_role_only_with_a_kms_key():
    assert problems_of("create_dataset_group", name="g", role_arn=ROLE_ARN) == [
        "role_arn: only valid with kms_key_arn (the role is for the KMS key); give both, or neither"
    ]


def test_a_recipe_unless_automl_and_never_with_it():
    solution = {"name": "s", "dataset_group_arn": GROUP_ARN}
    assert problems_of("create_solution", **solution) == [
        "recipe_arn: required unless perform_auto_ml is true"
    ]
    assert problems_of("create_solution", **solution, recipe_arn=RECIPE_ARN, perform_auto_ml="true") == [
        "recipe_arn: must be omitted when perform_auto_ml is true (AutoML chooses the recipe)"
    ]
    assert build_request("create_solution", {**solution, "perform_auto_ml": True})


def test_a_campaign_synced_with_the_latest_version_names_it_latest():
    sync = {"syncWithLatestSolutionVersion": True}
    latest = f"{PREFIX}:solution/s/$LATEST"
    assert build_request(
        "update_campaign",
        {"campaign_arn": f"{PREFIX}:campaign/c", "solution_version_arn": latest, "campaign_config": sync},
    )
    (problem,) = problems_of(
        "update_campaign",
        campaign_arn=f"{PREFIX}:campaign/c",
        solution_version_arn=f"{PREFIX}:solution/s/1",
        campaign_config=sync,
    )
    assert problem.startswith("solution_version_arn: ") and "<solution ARN>/$LATEST" in problem


# Avro schemas


def schema(name: str, *fields: dict) -> str:
    return json.dumps({"type": "record", "name": name, "fields": list(fields)})


def field(name: str, type_="string", **attributes) -> dict:
    return {"name": name, "type": type_, **attributes}


INTERACTIONS = (field("USER_ID"), field("ITEM_ID"), field("TIMESTAMP", "long"))


@pytest.mark.parametrize(
    ("text", "domain", "said"),
    [
        ("{", None, "not JSON (Expecting property name"),
        (json.dumps({"type": "map", "values": "string"}), None, "not an Avro record"),
        (schema("Interactions", field("USER_ID", "strin")), None, "field USER_ID: 'strin' is not a type"),
        (
            schema("Items", field("ITEM_ID"), field("TAGS", {"type": "map", "values": "string"})),
            None,
            "complex type",
        ),
        (schema("Users", field("USER_ID"), field("AGE", ["null", "int", "long"])), None, "union with null"),
        (schema("Users", field("USER_ID"), field("A_1"), field("A1")), None, "same alphanumeric name"),
        (
            schema("Interactions", *INTERACTIONS[1:]),
            None,
            "Interactions schema: missing required field(s) USER_ID",
        ),
        (
            schema("Interactions", *INTERACTIONS[:2], field("TIMESTAMP", "int")),
            None,
            "TIMESTAMP is long, not int",
        ),
        (
            schema("Interactions", *INTERACTIONS),
            "ECOMMERCE",
            "of a ECOMMERCE dataset group: missing required field(s) EVENT_TYPE",
        ),
        (
            schema("Items", field("ITEM_ID"), field("GENRES", categorical=True)),
            "VIDEO_ON_DEMAND",
            "CREATION_TIMESTAMP",
        ),
        (
            schema("Items", field("ITEM_ID"), field("A", textual=True), field("B", textual=True)),
            None,
            "2 textual fields",
        ),
        (schema("Actions", field("ACTION_ID")), None, "needs at least one metadata field"),
        (
            schema("Users", field("USER_ID"), *(field(f"F{i}", "int") for i in range(26))),
            None,
            "26 metadata fields",
        ),
    ],
)
def test_schemas_are_refused_for_what_aws_documents(text, domain, said):
    assert said in schema_problem(text, domain)


def test_a_record_named_after_no_dataset_type_gets_the_general_checks_only():
    assert schema_problem(schema("MyRecord", field("ANYTHING"))) is None
    assert "not a type" in schema_problem(schema("MyRecord", field("ANYTHING", "date")))


def test_a_schema_problem_names_the_schema_parameter():
    (problem,) = problems_of(
        "create_schema", name="s", schema={"type": "record", "name": "Users", "fields": []}
    )
    assert problem == "schema: the record has no fields"


# Filter expressions


@pytest.mark.parametrize(
    "text",
    [
        'exclude itemid where interactions.event_type in ("click")',  # keywords in any letter case
        # grouping and single quotes
        "INCLUDE ItemID WHERE (Items.A IN ('x') OR Items.B > 3) AND Items.C IN ($C)",
        "EXCLUDE ItemID WHERE Items.PRICE != 0",
        'EXCLUDE ItemID WHERE Items.GENRE IN ("x") IF CurrentUser.AGE > 18 AND CurrentUser.TIER = $TIER',
    ],
)
def test_filter_forms_aws_does_not_rule_out_pass(text):
    assert filter_expression_problem(text) is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("EXCLUDE ItemID WHERE", "ends too early; expected '(' or a dataset field such as Items.GENRE"),
        ('EXCLUDE ItemID WHERE Items.A IN "x"', 'unexpected "x" at column 33'),
        ("EXCLUDE ItemID WHERE Items.A IN (x)", "unexpected x"),
        ("EXCLUDE ItemID WHERE Items.A IN ($A) IF CurrentUser.B = 1 OR CurrentUser.C = 2", "unexpected OR"),
        (
            "EXCLUDE ItemID WHERE CurrentUser.AGE > 18",
            "CurrentUser.AGE can only be tested in the IF condition",
        ),
        ("EXCLUDE ItemID WHERE Items.A IN ($A) IF Items.B = 1", "IF conditions are on CurrentUser fields"),
        ("INCLUDE ItemID WHERE Items.A IN ($A) # comment", "unexpected '#' at column 38"),
    ],
)
def test_filters_outside_the_grammar_say_where(text, said):
    assert said in filter_expression_problem(text)


def test_a_filter_uses_at_most_five_distinct_dataset_fields_across_its_expressions():
    five = " | ".join(f"EXCLUDE ItemID WHERE Items.F{index} IN ($P)" for index in range(5))
    assert filter_expression_problem(five) is None
    assert (
        filter_expression_problem(f"{five} | INCLUDE ItemID WHERE Items.F0 > 1") is None
    )  # the same field again
    assert "6 distinct dataset fields" in filter_expression_problem(
        f"{five} | INCLUDE ItemID WHERE Items.F5 > 1"
    )
