"""personalize-runtime: GetRecommendations, GetPersonalizedRanking and GetActionRecommendations, from
campaigns and recommenders.

A campaign serves the model of the solution version it has deployed, its ``solutionVersionArn``, which an
UpdateCampaign replaces once the update (``latestCampaignUpdate``) is ACTIVE; a recommender serves what it
learnt as it was created. What a request may ask depends on the recipe type, as AWS documents it:
USER_PERSONALIZATION takes a userId, RELATED_ITEMS an itemId (and optionally a userId, for filters),
PERSONALIZED_RANKING only GetPersonalizedRanking, PERSONALIZED_ACTIONS (Next-Best-Action,
``engine/actions.py``) only GetActionRecommendations. Filters: ``filtering.py``. For
USER_PERSONALIZATION and PERSONALIZED_RANKING, the user's events sent with PutEvents after the newest
interaction the model was trained on count as their newest history, as AWS's real-time personalization does.

Errors are the two the runtime API declares: ResourceNotFoundException for an unknown campaign, recommender
or filter; InvalidInputException for a campaign, recommender or filter that is not ACTIVE, a request that
does not fit the recipe, and a filter that does not fit the request (``filtering.py``). numResults defaults
to 25 and is at most 500, GetRecommendations' documented maximum without metadata.
"""

from typing import Any

import pyarrow.compute as pc
from moto.moto_api._internal import mock_random

from ..engine import serving
from ..engine.filters import FilterError, FilterRequest
from .exceptions import InvalidInputException
from .filtering import allowed_for, applicable_filter
from .kinds import KINDS
from .models import PersonalizeEmulatorBackend
from .resources import Resource, Served, TrainedResource, events_since, group_datasets

Params = dict[str, Any]

MAX_NUM_RESULTS = 500
DEFAULT_ACTION_RESULTS = 5
MAX_ACTION_RESULTS = 100
# Recipes whose recommendations follow the user's events as they arrive (AWS: "real-time personalization").
REAL_TIME_RECIPE_TYPES = frozenset({"USER_PERSONALIZATION", "PERSONALIZED_RANKING"})


def _active(backend: PersonalizeEmulatorBackend, api_name: str, arn: str) -> Resource:
    resource = backend.get(KINDS[api_name], arn)
    if resource.status != "ACTIVE":
        raise InvalidInputException(
            f"The {resource.kind.label} {arn} is {resource.status}; it must be ACTIVE."
        )
    return resource


def _served(backend: PersonalizeEmulatorBackend, params: Params) -> Served:
    """What serves the request: the campaign's deployed solution version, or the recommender."""
    campaign_arn, recommender_arn = params.get("campaignArn"), params.get("recommenderArn")
    if recommender_arn and not campaign_arn:
        trained = _active(backend, "Recommender", recommender_arn)
    elif campaign_arn and not recommender_arn:
        campaign = _active(backend, "Campaign", campaign_arn)
        trained = backend.get(KINDS["SolutionVersion"], campaign.attributes["solutionVersionArn"])
    else:
        raise InvalidInputException("Provide either a campaignArn or a recommenderArn.")
    served = trained.served() if isinstance(trained, TrainedResource) else None
    if served is None:
        raise InvalidInputException(f"The {trained.kind.label} {trained.arn} has no trained model.")
    return served


def _query(backend: PersonalizeEmulatorBackend, params: Params, served: Served) -> serving.Query:
    num_results = params.get("numResults", serving.DEFAULT_NUM_RESULTS)
    if num_results > MAX_NUM_RESULTS:
        raise InvalidInputException(f"numResults must be at most {MAX_NUM_RESULTS}.")
    user_id = params.get("userId")
    recent_items: tuple[str, ...] = ()
    if user_id is not None and served.recipe_type in REAL_TIME_RECIPE_TYPES:
        recent_items = tuple(events_since(backend, served, user_id))
    return serving.Query(
        user_id=user_id,
        item_id=params.get("itemId"),
        num_results=num_results,
        allowed=_allowed(backend, params, served),
        recent_items=recent_items,
    )


def _allowed(backend: PersonalizeEmulatorBackend, params: Params, served: Served) -> serving.Allowed | None:
    """The request's filter, as serving applies it; None without one."""
    if not params.get("filterArn"):
        return None
    backend.get(KINDS["Filter"], params["filterArn"])  # ResourceNotFoundException for an unknown filter
    request = FilterRequest(params.get("userId"), params.get("itemId"), params.get("filterValues") or {})
    try:
        parsed = applicable_filter(backend, params["filterArn"], served.group_arn, served.recipe_type)
    except FilterError as error:
        raise InvalidInputException(str(error)) from None
    return allowed_for(backend, parsed, served.group_arn, request)


def _scored(ranked: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"itemId": item, "score": score} for item, score in ranked]


def get_recommendations(backend: PersonalizeEmulatorBackend, params: Params) -> Params:
    served = _served(backend, params)
    if served.recipe_type not in ("USER_PERSONALIZATION", "RELATED_ITEMS"):
        raise InvalidInputException(f"GetRecommendations does not serve a {served.recipe_type} recipe.")
    query = _query(backend, params, served)
    try:
        ranked = serving.recommend(served.items_model, served.recipe_type, query)
    except ValueError as error:  # FilterError too
        raise InvalidInputException(str(error)) from None
    return {"itemList": _scored(ranked), "recommendationId": f"RID-{mock_random.uuid4()}"}


def get_personalized_ranking(backend: PersonalizeEmulatorBackend, params: Params) -> Params:
    served = _served(backend, params)
    if served.recipe_type != "PERSONALIZED_RANKING":
        raise InvalidInputException(
            f"GetPersonalizedRanking serves PERSONALIZED_RANKING recipes, not {served.recipe_type}."
        )
    query = _query(backend, params, served)
    try:
        ranked = serving.rank(served.items_model, query, params["inputList"])
    except FilterError as error:
        raise InvalidInputException(str(error)) from None
    return {"personalizedRanking": _scored(ranked), "recommendationId": f"RID-{mock_random.uuid4()}"}


def _recent_actions_taken(
    backend: PersonalizeEmulatorBackend, served: Served, user_id: str
) -> list[tuple[str, int]]:
    """The user's TAKEN actions sent with PutActionInteractions after training's newest interaction."""
    dataset = group_datasets(backend, served.group_arn).get("Action_Interactions")
    if dataset is None:
        return []
    events = dataset.records.records("PUT")
    if events.num_rows == 0:
        return []
    mine = pc.and_(
        pc.equal(events["USER_ID"], user_id), pc.equal(pc.utf8_upper(events["EVENT_TYPE"]), "TAKEN")
    )
    if served.latest_timestamp is not None:
        mine = pc.and_(mine, pc.greater(events["TIMESTAMP"], served.latest_timestamp))
    taken = events.filter(mine)
    return list(zip(taken["ACTION_ID"].to_pylist(), taken["TIMESTAMP"].to_pylist(), strict=True))


def get_action_recommendations(backend: PersonalizeEmulatorBackend, params: Params) -> Params:
    """Actions for a user from a campaign of a PERSONALIZED_ACTIONS solution version: numResults defaults to
    5 and is at most 100 (GetActionRecommendations, API reference)."""
    if not params.get("campaignArn"):
        raise InvalidInputException("Provide the campaignArn of a campaign of a PERSONALIZED_ACTIONS recipe.")
    served = _served(backend, {"campaignArn": params["campaignArn"]})
    if served.recipe_type != "PERSONALIZED_ACTIONS":
        raise InvalidInputException(
            f"GetActionRecommendations serves PERSONALIZED_ACTIONS recipes, not {served.recipe_type}."
        )
    num_results = params.get("numResults", DEFAULT_ACTION_RESULTS)
    if num_results > MAX_ACTION_RESULTS:
        raise InvalidInputException(f"numResults must be at most {MAX_ACTION_RESULTS}.")
    user_id = params.get("userId")
    if user_id is None:
        raise InvalidInputException("userId is required to get action recommendations.")
    model = served.actions_model
    allowed = _allowed(backend, params, served)
    try:
        mask = allowed(model.action_ids) if allowed is not None else None
    except FilterError as error:
        raise InvalidInputException(str(error)) from None
    recent = _recent_actions_taken(backend, served, user_id)
    ranked = model.recommend(user_id, num_results, allowed=mask, recent=recent)
    actions = [{"actionId": action, "score": score} for action, score in ranked]
    return {"actionList": actions, "recommendationId": f"RID-{mock_random.uuid4()}"}
