"""Requests built and checked against botocore's Personalize model."""

from __future__ import annotations

import pytest

from airflow_provider_personalize.hooks.request_model import (
    InvalidRequestError,
    _compiled_pattern,
    build_request,
)

DATASET_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset/g/INTERACTIONS"
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3"
VERSION_ARN = "arn:aws:personalize:us-east-1:123456789012:solution/s/1"


def problems_of(method: str, **arguments) -> list[str]:
    with pytest.raises(InvalidRequestError) as raised:
        build_request(method, arguments)
    return raised.value.problems


def test_keywords_become_api_members_and_none_is_left_out():
    request = build_request(
        "create_campaign",
        {"name": "c", "solution_version_arn": VERSION_ARN, "min_provisioned_tps": 2, "tags": None},
    )
    assert request == {"name": "c", "solutionVersionArn": VERSION_ARN, "minProvisionedTPS": 2}


def test_an_s3_uri_is_wrapped_into_the_structure_around_it():
    request = build_request(
        "create_batch_inference_job",
        {
            "job_name": "j",
            "solution_version_arn": VERSION_ARN,
            "role_arn": ROLE_ARN,
            "job_input": "s3://in-bucket/users.json",
            "job_output": "s3://out-bucket/",
        },
    )
    assert request["jobInput"] == {"s3DataSource": {"path": "s3://in-bucket/users.json"}}
    assert request["jobOutput"] == {"s3DataDestination": {"path": "s3://out-bucket/"}}


def test_a_wrapped_uri_still_needs_the_structures_other_required_members():
    problems = problems_of(
        "create_metric_attribution",
        name="m",
        dataset_group_arn="arn:aws:personalize:us-east-1:123456789012:dataset-group/g",
        metrics=[],
        metrics_output_config="s3://out-bucket/",
    )
    assert problems == ["metrics_output_config.roleArn: required"]


def test_a_structure_without_an_s3_location_refuses_text():
    problems = problems_of(
        "create_campaign", name="c", solution_version_arn=VERSION_ARN, campaign_config="s3://out-bucket/"
    )
    assert len(problems) == 1
    assert problems[0].startswith("campaign_config: expected a mapping with members itemExplorationConfig")
    assert "s3://" not in problems[0]


def test_tags_as_a_dict_or_as_the_api_list():
    as_list = [{"tagKey": "team", "tagValue": "recs"}]
    for tags in ({"team": "recs"}, as_list):
        assert build_request("create_dataset_group", {"name": "g", "tags": tags})["tags"] == as_list


def test_template_rendered_numbers_and_booleans_are_converted():
    request = build_request(
        "create_solution",
        {
            "name": "s",
            "dataset_group_arn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/g",
            "recipe_arn": "arn:aws:personalize:::recipe/aws-user-personalization",
            "perform_auto_training": "false",
            "solution_config": {"autoTrainingConfig": {"schedulingExpression": "rate(7 days)"}},
        },
    )
    assert request["performAutoTraining"] is False
    campaign = build_request(
        "create_campaign", {"name": "c", "solution_version_arn": VERSION_ARN, "min_provisioned_tps": "3"}
    )
    assert campaign["minProvisionedTPS"] == 3
    ranges = {"continuousHyperParameterRanges": [{"name": "lambda", "minValue": "0.001", "maxValue": "1e-1"}]}
    tuned = build_request(
        "create_solution",
        {
            "name": "s",
            "dataset_group_arn": "arn:aws:personalize:us-east-1:123456789012:dataset-group/g",
            "recipe_arn": "arn:aws:personalize:::recipe/aws-user-personalization",
            "solution_config": {"hpoConfig": {"algorithmHyperParameterRanges": ranges}},
        },
    )
    (tuned_range,) = tuned["solutionConfig"]["hpoConfig"]["algorithmHyperParameterRanges"][
        "continuousHyperParameterRanges"
    ]
    assert (tuned_range["minValue"], tuned_range["maxValue"]) == (0.001, 0.1)


def test_every_problem_is_reported_at_once_by_keyword():
    problems = problems_of(
        "create_dataset_export_job",
        job_name="x" * 64,
        dataset_arn="arn:aws:s3:::not-personalize",
        role_arn="PersonalizeRole",
        job_output={"s3DataDestination": {"path": "s3://okay/", "kms": "k"}},
        ingestion_mode="SOME",
    )
    assert [problem.split(":")[0] for problem in problems] == [
        "job_name",
        "dataset_arn",
        "role_arn",
        "job_output.s3DataDestination.kms",
        "ingestion_mode",
    ]
    assert "64 characters, expected 1..63" in problems[0]
    assert "BULK, PUT, ALL" in problems[-1]


def test_required_members_are_named_at_every_depth():
    problems = problems_of(
        "create_batch_segment_job",
        job_name="j",
        solution_version_arn=VERSION_ARN,
        job_input={"s3DataSource": {}},
    )
    assert problems == ["job_input.s3DataSource.path: required", "job_output: required", "role_arn: required"]


def test_types_ranges_and_lists_are_checked():
    problems = problems_of(
        "create_campaign",
        name="c",
        solution_version_arn=VERSION_ARN,
        min_provisioned_tps=0,
        tags="team=recs",
    )
    assert problems == ["min_provisioned_tps: 0 is outside at least 1", "tags: expected a list"]
    problems = problems_of("create_dataset_group", name=True)
    assert problems == ["name: expected a string, got bool"]


def test_unknown_keywords_are_refused():
    assert problems_of("create_dataset_group", name="g", nmae="g") == [
        "nmae: CreateDatasetGroup has no such member"
    ]


@pytest.mark.parametrize(
    "uri", ["s3://ab", "s3://UpperCase/key", "s3://bucket_with_underscore/x", "s3:/one-slash/x"]
)
def test_s3_uris_must_name_a_valid_bucket(uri):
    problems = problems_of(
        "create_dataset_import_job", job_name="j", dataset_arn=DATASET_ARN, data_source=uri
    )
    assert len(problems) == 1
    assert problems[0].startswith("data_source.dataLocation: ")


@pytest.mark.parametrize("name", ["ok.suffix", "x y", "shop\n", "shop!"])
def test_patterns_match_the_whole_value_as_the_service_applies_them(name):
    # The model's name pattern anchors only the start; the service takes a name of those characters only.
    assert problems_of("create_dataset_group", name=name) == [
        f"name: {name!r} does not match the pattern '^[a-zA-Z0-9][a-zA-Z0-9\\\\-_]*'"
    ]


def test_unicode_property_classes_are_applied_exactly():
    tag_pattern = _compiled_pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")
    for accepted_by_the_service in ("équipe", "team 1", "a_b.c:d/e=f+g-h@i", "数据", "٣"):
        assert tag_pattern.fullmatch(accepted_by_the_service)
    for refused in ("no#hash", "tab\there", "new\nline"):  # a tab or a newline is no \p{Z} separator
        assert not tag_pattern.fullmatch(refused)


def test_a_value_a_template_rendered_empty_is_named_as_such():
    assert problems_of("create_dataset_group", name="") == [
        "name: empty (a template that rendered to nothing?)"
    ]
    assert (
        build_request("create_dataset_group", {"name": "g", "tags": {"team": ""}})["tags"][0]["tagValue"]
        == ""
    )


def test_number_ranges_of_the_model_hold_for_decimals_too():
    config = {"rankingInfluence": {"POPULARITY": 1.5}}
    problems = problems_of(
        "create_campaign", name="c", solution_version_arn=VERSION_ARN, campaign_config=config
    )
    assert problems == ["campaign_config.rankingInfluence['POPULARITY']: 1.5 is outside 0..1"]


@pytest.mark.parametrize("text", ["+-3", "3.5", "three", ""])
def test_text_that_is_not_an_integer_is_refused_not_converted(text):
    problems = problems_of(
        "create_campaign", name="c", solution_version_arn=VERSION_ARN, min_provisioned_tps=text
    )
    assert problems == [f"min_provisioned_tps: expected an integer, got {text!r}"]
