"""Filters on a real dataset group, in both modes: refused at CreateFilter as AWS refuses them, applied by
GetRecommendations, GetPersonalizedRanking, batch inference and batch segment jobs with AWS's semantics."""

from typing import Any

import pytest

from .pipeline import (
    DATA,
    USER_PERSONALIZATION,
    group_with_interactions,
    import_dataset,
    rows,
    run_batch,
    train,
)

SIMILAR_ITEMS = "arn:aws:personalize:::recipe/aws-similar-items"
RANKING = "arn:aws:personalize:::recipe/aws-personalized-ranking"
ITEM_AFFINITY = "arn:aws:personalize:::recipe/aws-item-affinity"
ITEMS = {row["ITEM_ID"]: row for row in rows(DATA.items_csv)}
USERS = {row["USER_ID"]: row for row in rows(DATA.users_csv)}


@pytest.fixture
def group(personalize: Any) -> str:
    """A group with the synthetic interactions, items and users."""
    arn = group_with_interactions(personalize)["group"]
    import_dataset(personalize, arn, "Items", DATA.items_csv)
    import_dataset(personalize, arn, "Users", DATA.users_csv)
    return arn


def create_filter(personalize: Any, group: str, name: str, expression: str) -> str:
    return personalize.create_filter(name=name, datasetGroupArn=group, filterExpression=expression)[
        "filterArn"
    ]


def recommended(runtime: Any, **request: Any) -> list[str]:
    return [entry["itemId"] for entry in runtime.get_recommendations(**request)["itemList"]]


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ('EXCLUDE ItemID WHERE Items.GENRES IN ("x")', "Items schema has no field GENRES"),
        ("EXCLUDE ItemID WHERE Items.CATEGORY < 3", "compares numeric fields"),
        ('INCLUDE ItemID WHERE Items.PRICE IN ("3")', "IN and NOT IN match string fields"),
        ("EXCLUDE ActionID WHERE Actions.VALUE > 3", "no Actions dataset"),
        (
            'EXCLUDE ItemID WHERE Items.CATEGORY IN ("a") AND Interactions.EVENT_TYPE IN ("click")',
            "first condition",
        ),
        ('EXCLUDE ItemID WHERE Items.CATEGORY IN ("a"', "expected ) or ,"),
    ],
)
def test_create_filter_refuses_what_aws_refuses_naming_the_problem(
    personalize: Any, group: str, expression: str, problem: str
) -> None:
    with pytest.raises(
        personalize.exceptions.InvalidInputException, match=problem.replace("(", r"\(").replace(")", r"\)")
    ):
        create_filter(personalize, group, "refused", expression)
    assert personalize.list_filters(datasetGroupArn=group)["Filters"] == []


def test_metadata_filters_with_parameters_shape_recommendations(
    emulator: Any, personalize: Any, group: str
) -> None:
    version = train(personalize, group, "recs", USER_PERSONALIZATION)["version"]
    campaign = personalize.create_campaign(name="live", solutionVersionArn=version)["campaignArn"]
    runtime = emulator.client("personalize-runtime")
    request = {"campaignArn": campaign, "userId": "user-1", "numResults": 40}
    everything = recommended(runtime, **request)

    by_category = create_filter(
        personalize, group, "by-category", "INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"
    )
    chosen = recommended(
        runtime, filterArn=by_category, filterValues={"CATEGORY": '"category-1","category-2"'}, **request
    )
    assert chosen == [item for item in everything if ITEMS[item]["CATEGORY"] in ("category-1", "category-2")]
    assert chosen
    with pytest.raises(runtime.exceptions.InvalidInputException, match="CATEGORY"):
        runtime.get_recommendations(filterArn=by_category, **request)  # INCLUDE needs its values

    cheap = create_filter(personalize, group, "cheap", "EXCLUDE ItemID WHERE Items.PRICE >= $PRICE")
    cheap_items = recommended(runtime, filterArn=cheap, filterValues={"PRICE": "50"}, **request)
    assert cheap_items == [item for item in everything if float(ITEMS[item]["PRICE"]) < 50]
    assert recommended(runtime, filterArn=cheap, **request) == everything  # EXCLUDE without its value

    premium_only = create_filter(
        personalize,
        group,
        "premium",
        'EXCLUDE ItemID WHERE Items.PRICE > 100 IF CurrentUser.MEMBERSHIP = "free"',
    )
    free_user = next(user for user, row in USERS.items() if row["MEMBERSHIP"] == "free")
    paying_user = next(user for user, row in USERS.items() if row["MEMBERSHIP"] != "free")
    for user, limited in ((free_user, True), (paying_user, False)):
        items = recommended(runtime, campaignArn=campaign, userId=user, numResults=40, filterArn=premium_only)
        assert any(float(ITEMS[item]["PRICE"]) > 100 for item in items) is not limited


def test_current_item_filters_apply_to_related_items_only(
    emulator: Any, personalize: Any, group: str
) -> None:
    similar = train(personalize, group, "similar", SIMILAR_ITEMS)["version"]
    campaign = personalize.create_campaign(name="similar", solutionVersionArn=similar)["campaignArn"]
    runtime = emulator.client("personalize-runtime")
    same_category = create_filter(
        personalize, group, "same-category", "INCLUDE ItemID WHERE Items.CATEGORY IN CurrentItem.CATEGORY"
    )
    items = recommended(
        runtime, campaignArn=campaign, itemId="item-1", numResults=40, filterArn=same_category
    )
    assert items and {ITEMS[item]["CATEGORY"] for item in items} == {ITEMS["item-1"]["CATEGORY"]}

    personal = train(personalize, group, "personal", USER_PERSONALIZATION)["version"]
    user_campaign = personalize.create_campaign(name="personal", solutionVersionArn=personal)["campaignArn"]
    with pytest.raises(runtime.exceptions.InvalidInputException, match="related items"):
        runtime.get_recommendations(campaignArn=user_campaign, userId="user-1", filterArn=same_category)


def test_a_ranking_leaves_out_what_the_filter_excludes(emulator: Any, personalize: Any, group: str) -> None:
    version = train(personalize, group, "ranking", RANKING)["version"]
    campaign = personalize.create_campaign(name="ranking", solutionVersionArn=version)["campaignArn"]
    not_cheap = create_filter(personalize, group, "not-cheap", "EXCLUDE ItemID WHERE Items.PRICE < 50")
    candidates = [f"item-{number}" for number in range(10)]
    ranking = emulator.client("personalize-runtime").get_personalized_ranking(
        campaignArn=campaign, userId="user-1", inputList=candidates, filterArn=not_cheap
    )["personalizedRanking"]
    assert sorted(entry["itemId"] for entry in ranking) == [
        item for item in sorted(candidates) if float(ITEMS[item]["PRICE"]) >= 50
    ]


def test_a_filter_of_the_wrong_kind_is_refused_where_it_is_applied(
    emulator: Any, personalize: Any, group: str
) -> None:
    version = train(personalize, group, "recs", USER_PERSONALIZATION)["version"]
    campaign = personalize.create_campaign(name="live", solutionVersionArn=version)["campaignArn"]
    users_filter = create_filter(
        personalize, group, "plus-users", 'INCLUDE UserID WHERE Users.MEMBERSHIP IN ("plus")'
    )
    runtime = emulator.client("personalize-runtime")
    with pytest.raises(runtime.exceptions.InvalidInputException, match="filters UserID"):
        runtime.get_recommendations(campaignArn=campaign, userId="user-1", filterArn=users_filter)


def test_batch_inference_applies_the_filter_with_each_lines_values(personalize: Any, group: str) -> None:
    version = train(personalize, group, "recs", USER_PERSONALIZATION)["version"]
    by_category = create_filter(
        personalize, group, "by-category", "INCLUDE ItemID WHERE Items.CATEGORY IN ($C)"
    )
    lines = [
        {"userId": "user-1", "filterValues": {"C": '"category-1"'}},
        {"userId": "user-2", "filterValues": {"C": '"category-2","category-3"'}},
        {"userId": "user-3"},
    ]
    first, second, third = run_batch(
        personalize, "Inference", version, lines, "inference-filtered", filterArn=by_category
    )
    assert {ITEMS[item]["CATEGORY"] for item in first["output"]["recommendedItems"]} == {"category-1"}
    assert {ITEMS[item]["CATEGORY"] for item in second["output"]["recommendedItems"]} <= {
        "category-2",
        "category-3",
    }
    assert third["output"] is None and "C" in third["error"]


def test_batch_segments_apply_user_filters(personalize: Any, group: str) -> None:
    version = train(personalize, group, "segments", ITEM_AFFINITY)["version"]
    plus_users = create_filter(
        personalize, group, "plus", "INCLUDE UserID WHERE Users.MEMBERSHIP IN ($LEVEL)"
    )
    (line,) = run_batch(
        personalize,
        "Segment",
        version,
        [{"itemId": "item-1", "filterValues": {"LEVEL": '"plus"'}}],
        "segment-filtered",
        filterArn=plus_users,
    )
    users = line["output"]["usersList"]
    assert users and {USERS[user]["MEMBERSHIP"] for user in users} == {"plus"}
