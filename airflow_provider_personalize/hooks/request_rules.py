"""The documented rules of Personalize requests that botocore's model does not carry, each cited.

botocore's model says each member's type, lengths, range, enum and pattern (:mod:`.request_model` checks
those); AWS's API reference and developer guide say more, in sentences: an ARN member names one kind of
resource, a resource may carry 50 tags, a role is only valid with a KMS key, a data source is an ``s3://``
URI, a training schedule is 1 to 30 days. Each rule here is one such sentence, with its page. Two kinds:

- value rules (:data:`MEMBER_RULES` by API member name, :data:`SHAPE_RULES` by model shape name), applied
  by :mod:`.request_model` to each value that passed the model's own checks, wherever it sits in the
  request; each returns what is wrong, or None;
- request rules (:data:`REQUEST_RULES` by operation), which relate members to each other; each returns
  ``(member, what is wrong)`` pairs.

Where AWS's documentation leaves a case open, the rule lets it through: the service still checks it, and a
check here must never refuse what AWS accepts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from airflow_provider_personalize.resources import RESOURCE_KINDS, ResourceKind

API = "https://docs.aws.amazon.com/personalize/latest/dg/API_{}.html"
GUIDE = "https://docs.aws.amazon.com/personalize/latest/dg/{}.html"

ValueRule = Callable[[Any], str | None]
RequestRule = Callable[[Mapping[str, Any]], list[tuple[str, str]]]

# -- ARNs ----------------------------------------------------------------------------------------------
# AWS's ARN format (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html): arn:partition:
# service:region:account-id:resource, partitions aws, aws-cn, aws-us-gov, ... Personalize's ARNs, as its
# API pages show them: arn:aws:personalize:us-west-2:acct-id:<type>/<name> (dataset/<group>/<TYPE>,
# solution/<name>/<version id>), recipes arn:aws:personalize:::recipe/<name>. A campaign may name
# "the ARN of your solution in SolutionArn/$LATEST format" (API_CreateCampaign, solutionVersionArn).
_PARTITION = r"aws(?:-[a-z]+)*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_ACCOUNT = r"\d{12}"
_ID = r"[a-zA-Z0-9][a-zA-Z0-9\-_]*"  # the model's Name pattern; generated ids fit it too
_LATEST = "$LATEST"
_RESOURCE_ARN = re.compile(rf"arn:{_PARTITION}:personalize:{_REGION}:{_ACCOUNT}:([a-z\-]+)/(.+)", re.DOTALL)
_RECIPE_ARN = re.compile(rf"arn:{_PARTITION}:personalize:(?:{_REGION})?:(?:{_ACCOUNT})?:recipe/{_ID}")
ARN_KINDS: dict[str, ResourceKind] = {kind.arn_member: kind for kind in RESOURCE_KINDS.values()}


def _arn_example(kind: ResourceKind) -> str:
    ids = ["<name>", "<DATASET TYPE>"] if kind.key == "dataset" else ["<name>", "<version id>"]
    path = "/".join(ids[: kind.arn_ids])
    return f"arn:aws:personalize:<region>:<account>:{kind.arn_type}/{path}"


def _kind_of(arn: str) -> ResourceKind | None:
    """The kind of resource ``arn`` names in one of Personalize's ARN forms, or None."""
    match = _RESOURCE_ARN.fullmatch(arn)
    if not match:
        return None
    resource_type, path = match.groups()
    ids = path.split("/")
    for kind in RESOURCE_KINDS.values():
        if kind.arn_type == resource_type and kind.arn_ids == len(ids):
            latest = kind.key == "solution_version" and ids[-1] == _LATEST
            if all(re.fullmatch(_ID, part) for part in (ids[:-1] if latest else ids)):
                return kind
    return None


def arn_problem(kind: ResourceKind, value: str) -> str | None:
    """What keeps ``value`` from being the ARN of a ``kind`` resource, or None."""
    named = _kind_of(value)
    if named is kind:
        return None
    expected = f"expected {_a(kind.label)} ARN ({_arn_example(kind)})"
    if named:
        return f"{value!r} is {_a(named.label)} ARN; {expected}"
    if value == "None":
        return f"'None' (a template that rendered a missing value?); {expected}"
    return f"{value!r} is not {_a(kind.label)} ARN; {expected}"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _recipe_arn_problem(value: str) -> str | None:
    # "arn:aws:personalize:::recipe/aws-user-personalization" (GUIDE "working-with-predefined-recipes").
    if _RECIPE_ARN.fullmatch(value):
        return None
    named = _kind_of(value)
    what = f"is {_a(named.label)} ARN" if named else "is not a recipe ARN"
    return f"{value!r} {what}; expected a recipe ARN (arn:aws:personalize:::recipe/<recipe name>)"


# -- Tags (GUIDE "personalize-managing-tags": "Guidelines and requirements") --------------------------------
MAX_TAGS = 50  # "Maximum number of tags per resource - 50"
RESERVED_TAG_PREFIX = "aws:"  # "Your tag keys and tag values can't start with aws:", in any letter case


def _tags_problem(tags: list[dict[str, str]]) -> str | None:
    if len(tags) > MAX_TAGS:
        return f"{len(tags)} tags; a resource can have at most {MAX_TAGS}"
    keys = [tag.get("tagKey", "") for tag in tags]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:  # "each tag key must be unique and it can have only one tag value"
        return f"tag key(s) {', '.join(map(repr, duplicates))} given more than once"
    reserved = [text for tag in tags for text in tag.values() if text.lower().startswith(RESERVED_TAG_PREFIX)]
    if reserved:
        prefix = RESERVED_TAG_PREFIX
        return f"{reserved[0]!r}: tag keys and values can't start with {prefix!r} (reserved for AWS)"
    return None


# -- S3 locations ---------------------------------------------------------------------------------------
# Every S3 location of a request is an s3:// URI: "For example: s3://bucket-name/folder-name/fileName.csv"
# (API_DataSource), and a folder "with a / after the folder name" (same page). The model's pattern also
# allows http(s)://, which a job then fails on ("Invalid S3 input path"). Bucket names: lower-case letters,
# digits, dots and hyphens, 3 to 63, starting and ending with a letter or digit
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
S3_URI = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?", re.DOTALL)


def _s3_location_problem(value: str) -> str | None:
    if S3_URI.fullmatch(value) and ".." not in value.split("/")[2]:
        return None
    if not value.startswith("s3://"):
        return f"{value!r} is not an s3:// URI: Personalize reads and writes S3 locations as s3://bucket/key"
    return f"{value!r} does not name a valid S3 bucket (lower-case letters, digits, dots and hyphens)"


# -- Numbers written as text, and ranges the model does not carry -------------------------------------------
def _number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _whole_number(text: Any) -> int | None:
    return int(text) if isinstance(text, str) and text.strip().isdigit() else None


def _num_results_problem(value: int) -> str | None:
    # "The number of recommendations to retrieve" (API_CreateBatchInferenceJob), "the number of users ...
    # for each line of input data" (GUIDE "creating-batch-seg-job"): a count, so at least 1. AWS states no
    # maximum for batch jobs, so none is checked.
    return None if value >= 1 else f"{value}: the number of results per input line must be at least 1"


_SCHEDULE_DAYS = re.compile(r"rate\((\d+) days?\)")


def _schedule_problem(value: str) -> str | None:
    # "Specify a rate expression in rate(value unit) format. For value, specify a number between 1 and 30.
    # For unit, specify day or days." (API_AutoTrainingConfig)
    match = _SCHEDULE_DAYS.fullmatch(value)
    if match and 1 <= int(match[1]) <= 30:
        return None
    return f"{value!r}: the training schedule is rate(<1 to 30> days)"


def _exploration_problem(config: Mapping[str, str]) -> str | None:
    # explorationWeight: "Specify a decimal value between 0 to 1" (GUIDE
    # "create-recommender-configure-exploration", and API_CampaignConfig); explorationItemAgeCutOff: "the
    # maximum item age in days" (same page): a number of days, not negative.
    weight = config.get("explorationWeight")
    if weight is not None and ((share := _number(weight)) is None or not 0 <= share <= 1):
        return f"explorationWeight {weight!r}: a decimal value between 0 and 1"
    cutoff = config.get("explorationItemAgeCutOff")
    if cutoff is not None and ((days := _number(cutoff)) is None or days < 0):
        return f"explorationItemAgeCutOff {cutoff!r}: a number of days"
    return None


def _hpo_resources_problem(config: Mapping[str, str]) -> str | None:
    # "The maximum value for maxNumberOfTrainingJobs is 40", "... for maxParallelTrainingJobs is 10"
    # (API_HPOResourceConfig); both are counts written as text.
    for member, maximum in (("maxNumberOfTrainingJobs", 40), ("maxParallelTrainingJobs", 10)):
        text = config.get(member)
        if text is not None and not 1 <= (_whole_number(text) or 0) <= maximum:
            return f"{member} {text!r}: a whole number from 1 to {maximum}"
    return None


# -- Dataset types, metric expressions, filter expressions ---------------------------------------------------
# "The type of dataset. One of the following (case insensitive) values: Interactions Items Users Actions
# Action_Interactions" (API_CreateDataset).
DATASET_TYPES = ("Interactions", "Items", "Users", "Actions", "Action_Interactions")


def _dataset_type_problem(value: str) -> str | None:
    if value.lower() in (known.lower() for known in DATASET_TYPES):
        return None
    return f"{value!r} is not a dataset type; one of {', '.join(DATASET_TYPES)} (any letter case)"


# "Available functions are SUM() or SAMPLECOUNT(). For SUM() functions, provide the dataset type (either
# Interactions or Items) and column to sum as a parameter. For example SUM(Items.PRICE)."
# (API_MetricAttribute)
_METRIC_EXPRESSION = re.compile(r"SAMPLECOUNT\(\)|SUM\((Interactions|Items)\.[A-Za-z_][A-Za-z0-9_]*\)")


def _metric_expression_problem(value: str) -> str | None:
    if _METRIC_EXPRESSION.fullmatch(value.strip()):
        return None
    return f"{value!r}: a metric is SAMPLECOUNT() or SUM(Interactions.<column>) or SUM(Items.<column>)"


def _filter_expression_problem(value: str) -> str | None:
    from airflow_provider_personalize.hooks.filter_expression import filter_expression_problem

    return filter_expression_problem(value)


MEMBER_RULES: dict[str, ValueRule] = {
    **{member: functools.partial(arn_problem, kind) for member, kind in ARN_KINDS.items()},
    "recipeArn": _recipe_arn_problem,
    "recipeList": _recipe_arn_problem,
    "numResults": _num_results_problem,
    "itemExplorationConfig": _exploration_problem,
    "datasetType": _dataset_type_problem,
    "expression": _metric_expression_problem,
    "filterExpression": _filter_expression_problem,
}
SHAPE_RULES: dict[str, ValueRule] = {
    "Tags": _tags_problem,
    "S3Location": _s3_location_problem,
    "SchedulingExpression": _schedule_problem,
    "HPOResourceConfig": _hpo_resources_problem,
}


def value_problem(member: str, shape_name: str, value: Any) -> str | None:
    """What the documented rules find wrong with ``value`` (already valid for the model), or None."""
    for rule in (MEMBER_RULES.get(member), SHAPE_RULES.get(shape_name)):
        problem = rule(value) if rule else None
        if problem:
            return problem
    return None


# -- Members that go together ----------------------------------------------------------------------------
def _role_needs_key(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    # "Supplying an IAM role is only valid when also specifying a KMS key." (API_CreateDatasetGroup, roleArn)
    if request.get("roleArn") and not request.get("kmsKeyArn"):
        return [
            ("roleArn", "only valid with kms_key_arn (the role is for the KMS key); give both, or neither")
        ]
    return []


def _recipe_or_automl(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    # performAutoML: "The default is false. For this case, you must specify recipeArn. When set to true, ...
    # you must omit recipeArn." (API_CreateSolution)
    if request.get("performAutoML") is True and request.get("recipeArn"):
        return [("recipeArn", "must be omitted when perform_auto_ml is true (AutoML chooses the recipe)")]
    if request.get("performAutoML") is not True and not request.get("recipeArn"):
        return [("recipeArn", "required unless perform_auto_ml is true")]
    return []


def _latest_for_sync(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    # syncWithLatestSolutionVersion: "If you specify True, you must specify the ARN of your solution for the
    # SolutionVersionArn parameter. It must be in SolutionArn/$LATEST format." (API_CampaignConfig)
    config = request.get("campaignConfig")
    version = request.get("solutionVersionArn")
    synced = isinstance(config, Mapping) and config.get("syncWithLatestSolutionVersion") is True
    if synced and not (isinstance(version, str) and version.endswith("/" + _LATEST)):
        problem = (
            f"{version!r}: with campaign_config.syncWithLatestSolutionVersion, give the solution's ARN as "
            f"<solution ARN>/{_LATEST}"
        )
        return [("solutionVersionArn", problem)]
    return []


def _schema_rules(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    from airflow_provider_personalize.hooks.avro_schema import schema_problem

    schema = request.get("schema")
    problem = schema_problem(schema, request.get("domain")) if isinstance(schema, str) else None
    return [("schema", problem)] if problem else []


REQUEST_RULES: dict[str, list[RequestRule]] = {
    "CreateDatasetGroup": [_role_needs_key],
    "CreateSolution": [_recipe_or_automl],
    "CreateCampaign": [_latest_for_sync],
    "UpdateCampaign": [_latest_for_sync],
    "CreateSchema": [_schema_rules],
}


def request_problems(operation_name: str, request: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(member, what is wrong)`` for each rule relating the request's members that it breaks."""
    return [problem for rule in REQUEST_RULES.get(operation_name, ()) for problem in rule(request)]
