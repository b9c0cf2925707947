"""Config files: the three formats are read, and a config with problems is refused with every one by its path.

No AWS call is made while a config is read or refused (``no_aws_calls`` fails the test on any).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from airflow_provider_personalize.pipelines import ConfigError, dags_from_config, load_deployment
from airflow_provider_personalize.pipelines.config import detect_format
from airflow_provider_personalize.pipelines.document import ReadOptions
from airflow_provider_personalize.pipelines.jsonschemas import build_schemas
from airflow_provider_personalize.pipelines.validation import SCHEMA_DIRECTORY, SCHEMA_FILES

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "example_dags" / "personalize_deployment.yaml"
MPEML = REPOSITORY / "tests" / "integration" / "configs" / "mpeml-shop.json"
CDK = MPEML.with_name("cdk-shop.json")
ROLE_ARN = "arn:aws:iam::123456789012:role/PersonalizeS3Access"


pytestmark = pytest.mark.usefixtures("no_aws_calls")


def example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text())


def write(tmp_path: Path, document: Any, suffix: str = ".yaml") -> Path:
    path = tmp_path / f"deployment{suffix}"
    path.write_text(json.dumps(document) if suffix == ".json" else yaml.safe_dump(document))
    return path


def test_the_published_schemas_are_those_botocore_s_model_gives():
    """Regenerate with ``make schemas`` when botocore's model (or a format) changes."""
    for config_format, schema in build_schemas().items():
        published = json.loads((SCHEMA_DIRECTORY / SCHEMA_FILES[config_format]).read_text())
        assert published == schema, f"{SCHEMA_FILES[config_format]} is stale: run make schemas"
        Draft202012Validator.check_schema(published)


def test_the_example_config_reads_the_same_as_yaml_and_as_json(tmp_path):
    from_yaml = load_deployment(EXAMPLE)
    from_json = load_deployment(write(tmp_path, example(), ".json"))
    assert from_json.group == from_yaml.group == {"name": "example-shop"}
    assert from_json.datasets == from_yaml.datasets
    assert from_json.solutions == from_yaml.solutions
    interactions, items, _ = from_yaml.datasets
    assert [d.dataset_type for d in from_yaml.datasets] == ["Interactions", "Items", "Users"]
    assert interactions.bootstrap_import is not None and interactions.scheduled_import is not None
    assert interactions.scheduled_import.locations == (
        "s3://personalize-example/shop/daily/interactions/{{ ds }}.csv",
    )
    assert interactions.scheduled_import.request == {"importMode": "INCREMENTAL", "roleArn": ROLE_ARN}
    # Without scheduledImport, the schedule imports the bootstrap's data again, when it is newer.
    assert items.scheduled_import is not None and items.bootstrap_import is not None
    assert items.scheduled_import.locations == items.bootstrap_import.locations
    assert items.scheduled_import.max_age is not None and items.scheduled_import.max_age.total_seconds() == 0
    for_you = from_yaml.solutions[0]
    assert for_you.request == {
        "name": "example-shop-for-you",
        "recipeArn": "arn:aws:personalize:::recipe/aws-user-personalization",
        "performAutoTraining": False,
    }
    assert {mode: schedule.expression for mode, schedule in for_you.schedules.items()} == {
        "full": "cron(0 3 ? * SUN *)",
        "update": "after-import",
    }
    assert for_you.batch_jobs[0].filter_name == "example-shop-not-purchased"
    assert for_you.batch_jobs[0].request["roleArn"] == ROLE_ARN  # the top-level role


def test_an_mpeml_config_is_read_as_mpeml_reads_it():
    deployment = load_deployment(MPEML, options=ReadOptions(bucket="shop-data", role_arn=ROLE_ARN))
    assert deployment.config_format == "mpeml"
    team = [{"tagKey": "team", "tagValue": "recommendations"}]
    assert deployment.group == {"name": "mpeml-shop", "tags": team}  # the root tags
    (interactions,) = [d for d in deployment.datasets if d.dataset_type == "Interactions"]
    assert interactions.schema["name"] == "mpeml-shop-interactions"
    assert "tags" not in interactions.schema  # MPEML does not tag schemas
    assert interactions.bootstrap_import is not None
    assert interactions.bootstrap_import.locations == (
        "s3://shop-data/train/mpeml-shop/interactions/",  # a folder of parts, else the file
        "s3://shop-data/train/mpeml-shop/interactions.csv",
    )
    assert interactions.bootstrap_import.optional
    assert interactions.bootstrap_import.max_age.days == 30  # datasetGroup.workflowConfig.maxAge
    assert interactions.bootstrap_import.request == {"importMode": "FULL", "roleArn": ROLE_ARN, "tags": team}
    similar = deployment.solutions[1]
    (job,) = similar.batch_jobs
    assert job.request["jobInput"] == {
        "s3DataSource": {"path": "s3://shop-data/batch/mpeml-shop/mpeml-shop-similar/job_config.json"}
    }
    assert job.output_folder == "s3://shop-data/batch/mpeml-shop/mpeml-shop-similar/"
    assert job.name_prefix == "batch_mpeml-shop-similar_"
    assert job.schedule is not None and job.schedule.expression == "cron(0 3 ? * MON-FRI *)"


def test_a_cdk_pipeline_input_is_read_as_its_state_machines_read_it():
    deployment = load_deployment(CDK)
    assert deployment.config_format == "cdk"
    assert deployment.preprocessing_job == "shop-glue-job"
    (interactions,) = deployment.datasets
    assert interactions.dataset_type == "Interactions"
    assert interactions.schema["name"] == "cdk-shop-Interactions-v2"  # <group>-<name>-<schemaVersion>
    assert interactions.bootstrap_import is not None
    assert interactions.bootstrap_import.locations == ("s3://cdk-shop/interactions.csv",)
    assert interactions.bootstrap_import.max_age is None  # createNewJob: every run imports
    (solution,) = deployment.solutions
    assert solution.first_version.policy == "always"
    assert solution.campaigns == ()  # createCampaign: false
    assert solution.batch_jobs[0].name_prefix == "SimilarItems-"
    assert "jobName" not in solution.batch_jobs[0].request


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"datasetGroup": {"name": "x"}}, "personalize"),
        ({"datasetGroup": {"serviceConfig": {"name": "x"}}}, "mpeml"),
        ({"datasetGroup": {"serviceConfig": {"name": "x"}, "datasets": []}}, "cdk"),
    ],
)
def test_the_format_is_recognised_from_the_document(document, expected):
    assert detect_format(document) == expected


Mutation = Callable[[dict[str, Any]], Any]


def solution(index: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda config: config["solutions"][index]


# Each invalid config: a change to the example, and every problem it must be refused with (path, words).
INVALID: dict[str, tuple[Mutation, list[tuple[str, str]]]] = {
    "a number given as text": (
        lambda c: solution(0)(c)["campaigns"][0].update(minProvisionedTPS="1"),
        [("solutions[0].campaigns[0].minProvisionedTPS", "must be an integer, not a string '1'")],
    ),
    "a number out of range": (
        lambda c: solution(0)(c)["campaigns"][0].update(minProvisionedTPS=0),
        [("solutions[0].campaigns[0].minProvisionedTPS", "must be >= 1")],
    ),
    "a boolean given as text": (
        lambda c: solution(0)(c).update(performAutoTraining="no"),
        [("solutions[0].performAutoTraining", "must be a boolean, not a string 'no'")],
    ),
    "an unknown top-level member": (
        lambda c: c.update(solution=[]),
        [("solution", "unknown member (did you mean 'solutions'?")],
    ),
    "an unknown member, mistyped": (
        lambda c: solution(0)(c)["campaigns"][0].update(minProvisionedTps=2),
        [("solutions[0].campaigns[0].minProvisionedTps", "did you mean 'minProvisionedTPS'?")],
    ),
    "an unknown member deep in an API structure": (
        lambda c: solution(0)(c).update(solutionConfig={"autoTrainingConfig": {"schedulingExpresion": "x"}}),
        [("solutions[0].solutionConfig.autoTrainingConfig.schedulingExpresion", "unknown member")],
    ),
    "a missing schema": (
        lambda c: c["datasets"][1].pop("schema"),
        [("datasets[1].schema", "required, but missing")],
    ),
    "a missing required API member": (
        lambda c: c["filters"][0].pop("filterExpression"),
        [("filters[0].filterExpression", "required, but missing")],
    ),
    "a name the API refuses": (
        lambda c: c["datasetGroup"].update(name="example shop"),
        [("datasetGroup.name", "'example shop' does not match the pattern")],
    ),
    "a value outside an enum": (
        lambda c: c["datasets"][0]["scheduledImport"].update(importMode="DAILY"),
        [("datasets[0].scheduledImport.importMode", "'DAILY' is not one of FULL, INCREMENTAL")],
    ),
    "tags of the wrong shape": (
        lambda c: c["datasetGroup"].update(tags="team"),
        [("datasetGroup.tags", "must be a list or an object, not a string")],
    ),
    "a metric name GetSolutionMetrics cannot report": (
        lambda c: solution(0)(c)["metricsThresholds"].update({"Precision@10": 0.9}),
        [("solutions[0].metricsThresholds", "'Precision@10' does not match the pattern ^[a-z][a-z0-9_]*$")],
    ),
    "a cron with day-of-month and day-of-week": (
        lambda c: solution(0)(c)["schedules"].update(full="cron(0 3 * * SUN *)"),
        [("solutions[0].schedules.full", "exactly one of day-of-month and day-of-week must be '?'")],
    ),
    "a cron with a year": (
        lambda c: solution(0)(c)["batchInferenceJobs"][0].update(schedule="cron(0 5 * * ? 2027)"),
        [("solutions[0].batchInferenceJobs[0].schedule", "year field other than '*'")],
    ),
    "a rate in the wrong number": (
        lambda c: c["schedules"].update({"import": "rate(1 days)"}),
        [("schedules.import", "singular for 1 and plural otherwise")],
    ),
    "a schedule that is no expression": (
        lambda c: solution(1)(c)["batchSegmentJobs"][0].update(schedule="every monday"),
        [("solutions[1].batchSegmentJobs[0].schedule", "is neither cron")],
    ),
    "a filter that does not exist": (
        lambda c: solution(0)(c)["batchInferenceJobs"][0].update(filterName="no-such-filter"),
        [("solutions[0].batchInferenceJobs[0].filterName", "no filter is named 'no-such-filter'")],
    ),
    "a dataset type given twice": (
        lambda c: c["datasets"][2].update(datasetType="INTERACTIONS"),
        [("datasets[2].datasetType", "Interactions is also given at datasets[0].datasetType")],
    ),
    "a dataset type that does not exist": (
        lambda c: c["datasets"][2].update(datasetType="Purchases"),
        [("datasets[2].datasetType", "'Purchases' is not a dataset type")],
    ),
    "two solutions of one name": (
        lambda c: solution(1)(c).update(name="example-shop-for-you"),
        [("solutions[1].name", "another solution is named 'example-shop-for-you' (solutions[0])")],
    ),
    "a campaign on a segmentation recipe": (
        lambda c: solution(1)(c).update(campaigns=[{"name": "audiences"}]),
        [("solutions[1].campaigns[0]", "aws-item-affinity makes user segments")],
    ),
    "batch segments from a recommendation recipe": (
        lambda c: solution(0)(c).update(batchSegmentJobs=solution(1)(c)["batchSegmentJobs"]),
        [("solutions[0].batchSegmentJobs[0]", "batch segment jobs need a USER_SEGMENTATION recipe")],
    ),
    "UPDATE training on a recipe without it": (
        lambda c: solution(1)(c).update(schedules={"update": "rate(1 day)"}),
        [
            (
                "solutions[1].schedules.update",
                "UPDATE training is for aws-hrnn-coldstart and aws-user-personalization",
            )
        ],
    ),
    "a recommender in a custom dataset group": (
        lambda c: c.update(
            recommenders=[
                {"name": "best", "recipeArn": "arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-views"}
            ]
        ),
        [("recommenders[0]", "recommenders need a domain dataset group: give datasetGroup.domain")],
    ),
    "retraining after imports that are never scheduled": (
        lambda c: c.pop("schedules"),
        [("solutions[0].schedules.update", "'after-import' needs scheduled imports")],
    ),
    "no role for the imports and batch jobs": (
        lambda c: c.pop("roleArn"),
        [
            ("datasets[0].import.roleArn", "Personalize needs a role"),
            ("datasets[0].scheduledImport.roleArn", "Personalize needs a role"),
            ("datasets[1].import.roleArn", "Personalize needs a role"),
            ("datasets[2].import.roleArn", "Personalize needs a role"),
            ("solutions[0].batchInferenceJobs[0].roleArn", "Personalize needs a role"),
            ("solutions[1].batchSegmentJobs[0].roleArn", "Personalize needs a role"),
        ],
    ),
    "problems of every kind at once": (
        lambda c: (
            c["datasets"][1].pop("schema"),
            solution(0)(c)["campaigns"][0].update(minProvisionedTPS=0),
            solution(0)(c)["batchInferenceJobs"][0].update(filterName="missing"),
            solution(1)(c).update(schedules={"full": "rate(1 week)"}),
        ),
        [
            ("datasets[1].schema", "required"),
            ("solutions[0].campaigns[0].minProvisionedTPS", "must be >= 1"),
            ("solutions[0].batchInferenceJobs[0].filterName", "no filter is named 'missing'"),
            ("solutions[1].schedules.full", "not a rate expression"),
        ],
    ),
}


def assert_problems(error: ConfigError, expected: list[tuple[str, str]]) -> None:
    """``error`` lists exactly the problems ``expected`` (path, words of the message), in its message too."""
    problems = sorted(error.problems, key=lambda problem: problem.path)
    assert [problem.path for problem in problems] == sorted(path for path, _ in expected), str(error)
    for problem, (_, words) in zip(problems, sorted(expected), strict=True):
        assert words in problem.message, str(problem)
        assert str(problem) in str(error)


@pytest.mark.parametrize("case", INVALID)
def test_an_invalid_config_is_refused_with_every_problem_by_path_and_no_dag_is_built(tmp_path, case):
    mutate, expected = INVALID[case]
    config = copy.deepcopy(example())
    mutate(config)
    with pytest.raises(ConfigError) as refused:
        dags_from_config(write(tmp_path, config))
    assert_problems(refused.value, expected)


def mpeml(mutate: Mutation) -> dict[str, Any]:
    config = json.loads(MPEML.read_text())
    mutate(config)
    return config


@pytest.mark.parametrize(
    ("config", "options", "expected"),
    [
        pytest.param(
            mpeml(lambda c: None),
            ReadOptions(),
            [
                ("bucket", "an MPEML config names no bucket: give dags_from_config(bucket=...)"),
                ("role_arn", "give dags_from_config(role_arn=...)"),
            ],
            id="mpeml: no bucket, no role",
        ),
        pytest.param(
            mpeml(
                lambda c: (
                    c["solutions"][0]["campaigns"][0]["serviceConfig"].update(minProvisionedTPS=0),
                    c["solutions"][0]["workflowConfig"].update(schedule="cron(0 0 * * ? *)"),
                    c["solutions"][1].update(workflowConfig={"schedules": {"update": "cron(0 0 * * ? *)"}}),
                    c["datasets"].pop("interactions"),
                )
            ),
            ReadOptions(bucket="b", role_arn=ROLE_ARN),
            [
                ("solutions[0].workflowConfig.schedule", "unknown member (did you mean 'schedules'?"),
                ("solutions[0].campaigns[0].serviceConfig.minProvisionedTPS", "must be >= 1"),
                ("solutions[1].workflowConfig.schedules.update", "UPDATE training is for"),
                ("datasets", "no Interactions dataset"),
            ],
            id="mpeml: a typo, a range, UPDATE on sims, no interactions",
        ),
    ],
)
def test_an_invalid_mpeml_config_is_refused_at_its_own_paths(tmp_path, config, options, expected):
    with pytest.raises(ConfigError) as refused:
        load_deployment(write(tmp_path, config, ".json"), options=options)
    assert_problems(refused.value, expected)


def test_an_invalid_cdk_input_is_refused_at_its_own_paths(tmp_path):
    dataset = {
        "type": "ITEMS",
        "schema": {"serviceConfig": {"name": "Items" * 12, "schema": "{}"}, "schemaVersion": "v1"},
        "dataset": {"serviceConfig": {"name": "items"}},
    }
    config = {
        "datasetGroup": {
            "serviceConfig": {"name": "cdk-shop"},
            "datasets": [dataset, {**dataset, "type": "items", "schema": {"serviceConfig": {"name": "x"}}}],
        }
    }
    with pytest.raises(ConfigError) as refused:
        load_deployment(write(tmp_path, config, ".json"))
    assert_problems(
        refused.value,
        [
            ("datasetGroup.datasets[1].schema.schemaVersion", "required, but missing"),
            ("datasetGroup.datasets[1].schema.serviceConfig.schema", "required, but missing"),
            (
                "datasetGroup.datasets[1].type",
                "a dataset group has one dataset of each type, and Items is also given at "
                "datasetGroup.datasets[0].type",
            ),
            (
                "datasetGroup.datasets[1].dataset.serviceConfig.name",
                "another dataset is named 'items' (datasetGroup.datasets[0].dataset.serviceConfig)",
            ),
            (
                "datasetGroup.datasets[0].schema.schemaVersion",
                f"the schema's name would be 'cdk-shop-{'Items' * 12}-v1' (<dataset group>-<schema name>-"
                "<schemaVersion>), which is not a valid name of at most 63 characters",
            ),
        ],
    )


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("datasetGroup: {name: shop\n", ".yaml", "line 2, column 1: not valid YAML"),
        ('{"datasetGroup": }', ".json", "line 1, column 18: not valid JSON: Expecting value"),
        ("", ".yaml", "must be an object, not null"),
        ("- datasetGroup\n", ".yaml", "must be an object, not a list"),
    ],
)
def test_a_file_that_is_no_config_is_refused_saying_where(tmp_path, text, suffix, expected):
    path = tmp_path / f"deployment{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_deployment(path)
    assert expected in str(refused.value)
