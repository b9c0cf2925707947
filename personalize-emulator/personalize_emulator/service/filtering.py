"""Filters as resources: parsed and checked once at CreateFilter, applied by every request that names one.

CreateFilter parses the expression (``engine/filters.py``) and checks it against the schemas of the dataset
group's datasets; a filter AWS would refuse answers InvalidInputException naming the problem
(https://docs.aws.amazon.com/personalize/latest/dg/API_CreateFilter.html), and one that would take the
group past 20 distinct dataset fields across its filters LimitExceededException
(https://docs.aws.amazon.com/personalize/latest/dg/filter-expression-guidelines-requirements.html).
The parsed filter lives on its resource.

Applying a filter (:func:`allowed_for`) checks that it fits the request: it belongs to the dataset group of
what serves the request, it filters what the request returns (ItemID for item recommendations and batch
inference, UserID for batch segments, ActionID for action recommendations), CurrentItem only for recipes that
recommend related items (same page). The records it reads are the group's datasets as they are at that
moment (bulk and PUT data).
"""

from typing import Any

from ..engine.avro import parse_schema
from ..engine.filters import Filter, FilterData, FilterError, FilterRequest, parse_filter
from ..engine.serving import Allowed
from .exceptions import InvalidInputException, LimitExceededException
from .kinds import KINDS
from .resources import Resource, ResourceStore, group_datasets

Params = dict[str, Any]

MAX_FIELDS_PER_DATASET_GROUP = 20
# What each kind of request returns, and so the filter target it takes.
TARGET_OF_RECIPE_TYPE = {
    "USER_PERSONALIZATION": "ItemID",
    "RELATED_ITEMS": "ItemID",
    "PERSONALIZED_RANKING": "ItemID",
    "USER_SEGMENTATION": "UserID",
    "PERSONALIZED_ACTIONS": "ActionID",
}


class FilterResource(Resource):
    """A filter, with its expression parsed and checked as it was created."""

    parsed: Filter


def parsed_filter(store: ResourceStore, params: Params) -> Filter:
    """The CreateFilter request's expression, parsed and checked against the group's schemas."""
    group_arn = params["datasetGroupArn"]
    schemas = {
        dataset_type: parse_schema(
            store.get(KINDS["Schema"], dataset.attributes["schemaArn"]).attributes["schema"]
        )
        for dataset_type, dataset in group_datasets(store, group_arn).items()
    }
    try:
        parsed = parse_filter(params["filterExpression"]).resolve(schemas)
    except FilterError as error:
        raise InvalidInputException(str(error)) from None
    used = set(parsed.dataset_fields())
    for other in store.live(KINDS["Filter"], {"datasetGroupArn": group_arn}):
        if isinstance(other, FilterResource):
            used |= other.parsed.dataset_fields()
    if len(used) > MAX_FIELDS_PER_DATASET_GROUP:
        raise LimitExceededException(
            f"The filters of a dataset group can use at most {MAX_FIELDS_PER_DATASET_GROUP} distinct dataset "
            f"fields; with this one, {group_arn}'s would use {len(used)}."
        )
    return parsed


def filter_data(store: ResourceStore, group_arn: str, filter_: Filter) -> FilterData:
    """The group's records the filter reads, as they are now."""
    wanted = set(filter_.datasets)
    if filter_.uses_current_item:
        wanted.add("Items")
    if any(expression.if_conditions for expression in filter_.expressions):
        wanted.add("Users")
    datasets = group_datasets(store, group_arn)
    tables = {
        dataset_type: datasets[dataset_type].records.records("ALL")
        for dataset_type in wanted
        if dataset_type in datasets
    }
    return FilterData(
        items=tables.get("Items"),
        users=tables.get("Users"),
        interactions=tables.get("Interactions"),
        actions=tables.get("Actions"),
        action_interactions=tables.get("Action_Interactions"),
    )


def applicable_filter(store: ResourceStore, filter_arn: str, group_arn: str, recipe_type: str) -> Filter:
    """The ACTIVE filter ``filter_arn``, checked against what it is applied to; FilterError says why not."""
    resource = store.get(KINDS["Filter"], filter_arn)
    if resource.status != "ACTIVE":
        raise FilterError(f"The filter {filter_arn} is {resource.status}; it must be ACTIVE.")
    assert isinstance(resource, FilterResource)
    if resource.attributes["datasetGroupArn"] != group_arn:
        raise FilterError(f"The filter {filter_arn} belongs to another dataset group.")
    parsed = resource.parsed
    target = TARGET_OF_RECIPE_TYPE.get(recipe_type)
    if parsed.target != target:
        raise FilterError(
            f"The filter {filter_arn} filters {parsed.target}; a {recipe_type} recipe needs {target}."
        )
    if parsed.uses_current_item and recipe_type != "RELATED_ITEMS":
        raise FilterError("Filters with CurrentItem apply only to recipes that recommend related items.")
    return parsed


def allowed_for(store: ResourceStore, parsed: Filter, group_arn: str, request: FilterRequest) -> Allowed:
    """The filter as serving applies it to one request's candidates (its data read once, now)."""
    data = filter_data(store, group_arn, parsed)
    return lambda candidates: parsed.allowed(candidates, data, request)
