"""Training, metrics and personalize-runtime, in both modes: what campaigns and recommenders serve."""

from typing import Any

import pytest

from personalize_emulator.engine.training import METRIC_NAMES

from .pipeline import (
    DATA,
    POPULARITY,
    USER_PERSONALIZATION,
    group_with_interactions,
    item_counts,
    put_object,
    rows,
    train,
)
from .support import ROLE_ARN, import_interactions, interactions_dataset_group

SIMILAR_ITEMS = "arn:aws:personalize:::recipe/aws-similar-items"
RANKING = "arn:aws:personalize:::recipe/aws-personalized-ranking"


def campaign_of(personalize: Any, version: str, name: str = "live") -> str:
    return personalize.create_campaign(name=name, solutionVersionArn=version)["campaignArn"]


def recommended(runtime: Any, **request: Any) -> list[str]:
    return [entry["itemId"] for entry in runtime.get_recommendations(**request)["itemList"]]


def test_a_popularity_campaign_recommends_the_most_popular_items(emulator: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    campaign = campaign_of(personalize, train(personalize, setup["group"], "popular", POPULARITY)["version"])
    top = recommended(
        emulator.client("personalize-runtime"), campaignArn=campaign, userId="user-1", numResults=5
    )
    counts = item_counts()
    assert [counts[item] for item in top] == sorted(counts.values(), reverse=True)[:5]


def test_metrics_carry_aws_names_with_values_between_0_and_1(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    version = train(personalize, setup["group"], "recs", USER_PERSONALIZATION)["version"]
    response = personalize.get_solution_metrics(solutionVersionArn=version)
    assert response["solutionVersionArn"] == version
    assert set(response["metrics"]) == set(METRIC_NAMES)
    assert all(0.0 <= value <= 1.0 for value in response["metrics"].values())


def test_metrics_of_a_missing_or_unfinished_version_are_refused(immediate: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    solution = train(personalize, setup["group"], "recs", POPULARITY)["solution"]
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.get_solution_metrics(solutionVersionArn=f"{solution}/00000000")
    immediate.set_transition("personalize::solution-version", {"progression": "manual", "times": 100})
    training = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    with pytest.raises(personalize.exceptions.ResourceInUseException):
        personalize.get_solution_metrics(solutionVersionArn=training)


def test_training_uses_the_data_as_it_was_when_training_started(immediate: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize)
    solution = personalize.create_solution(name="early", datasetGroupArn=setup["group"], recipeArn=POPULARITY)
    immediate.set_transition("personalize::solution-version", {"progression": "manual", "times": 1})
    version = personalize.create_solution_version(solutionArn=solution["solutionArn"])["solutionVersionArn"]

    def describe() -> dict[str, Any]:
        return personalize.describe_solution_version(solutionVersionArn=version)["solutionVersion"]

    assert describe()["status"] == "CREATE IN_PROGRESS"  # the snapshot is taken: no data yet
    import_interactions(personalize, setup["group"])  # in before training ends, too late for it
    described = describe()
    assert described["status"] == "CREATE FAILED"
    assert described["failureReason"] == "Create failed. Dataset has fewer than 1000 interactions."


def test_update_training_needs_an_earlier_full_version(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    solution = personalize.create_solution(
        name="recs", datasetGroupArn=setup["group"], recipeArn=USER_PERSONALIZATION
    )

    def version(mode: str) -> dict[str, Any]:
        arn = personalize.create_solution_version(solutionArn=solution["solutionArn"], trainingMode=mode)
        return personalize.describe_solution_version(solutionVersionArn=arn["solutionVersionArn"])[
            "solutionVersion"
        ]

    early = version("UPDATE")
    assert (early["status"], "trainingMode FULL" in early["failureReason"]) == ("CREATE FAILED", True)
    assert version("FULL")["status"] == "ACTIVE"
    assert version("UPDATE")["status"] == "ACTIVE"


def test_update_training_is_for_user_personalization_only(personalize: Any) -> None:
    # CreateSolutionVersion's trainingMode: UPDATE only for a solution of the User-Personalization recipe
    # (or the legacy HRNN-Coldstart, not offered), after a FULL version.
    setup = group_with_interactions(personalize)
    solution = train(personalize, setup["group"], "popular", POPULARITY)["solution"]
    update = personalize.create_solution_version(solutionArn=solution, trainingMode="UPDATE")
    described = personalize.describe_solution_version(solutionVersionArn=update["solutionVersionArn"])
    assert described["solutionVersion"]["status"] == "CREATE FAILED"
    assert "User-Personalization" in described["solutionVersion"]["failureReason"]


def test_filters_exclude_or_include_what_the_user_interacted_with(emulator: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    campaign = campaign_of(
        personalize, train(personalize, setup["group"], "recs", USER_PERSONALIZATION)["version"]
    )
    runtime = emulator.client("personalize-runtime")

    def filter_arn(name: str, expression: str) -> str:
        return personalize.create_filter(
            name=name, datasetGroupArn=setup["group"], filterExpression=expression
        )["filterArn"]

    history = [row for row in rows(DATA.interactions_csv) if row["USER_ID"] == "user-1"]
    seen = {row["ITEM_ID"] for row in history}
    purchased = {row["ITEM_ID"] for row in history if row["EVENT_TYPE"] == "purchase"}
    unseen = filter_arn("unseen", 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")')
    request = {"campaignArn": campaign, "userId": "user-1", "numResults": 40}
    assert not set(recommended(runtime, filterArn=unseen, **request)) & seen
    not_bought = filter_arn("not-bought", "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($TYPES)")
    by_value = recommended(runtime, filterArn=not_bought, filterValues={"TYPES": '"PURCHASE"'}, **request)
    assert purchased and not set(by_value) & purchased and set(by_value) & (seen - purchased)
    again = filter_arn("again", 'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "purchase")')
    assert set(recommended(runtime, filterArn=again, **request)) == seen

    with pytest.raises(personalize.exceptions.InvalidInputException, match="has no Items dataset"):
        filter_arn("by-genre", 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("books")')


def test_update_campaign_serves_the_new_version(emulator: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    trained = train(personalize, setup["group"], "popular", POPULARITY)
    campaign = campaign_of(personalize, trained["version"])
    runtime = emulator.client("personalize-runtime")
    assert recommended(runtime, campaignArn=campaign, userId="user-1", numResults=1) != ["item-fresh"]

    fresh = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n" + "".join(
        f"user-{user},item-fresh,{1767225600 + 100 * user + visit},click\n"
        for user in range(60)
        for visit in range(17)  # 1020 records: an import job needs 1000
    )
    location = put_object(personalize, "fresh.csv", fresh.encode())
    personalize.create_dataset_import_job(
        jobName="fresh",
        datasetArn=setup["dataset"],
        dataSource={"dataLocation": location},
        roleArn=ROLE_ARN,
        importMode="INCREMENTAL",
    )
    newer = personalize.create_solution_version(solutionArn=trained["solution"])["solutionVersionArn"]
    personalize.update_campaign(campaignArn=campaign, solutionVersionArn=newer)
    assert recommended(runtime, campaignArn=campaign, userId="user-1", numResults=1) == ["item-fresh"]


def test_related_items_and_personalized_ranking(emulator: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    runtime = emulator.client("personalize-runtime")
    similar = campaign_of(
        personalize, train(personalize, setup["group"], "similar", SIMILAR_ITEMS)["version"], "similar"
    )
    related = recommended(runtime, campaignArn=similar, itemId="item-1", numResults=10)
    assert len(related) == 10 and "item-1" not in related
    with pytest.raises(runtime.exceptions.InvalidInputException, match="itemId"):
        runtime.get_recommendations(campaignArn=similar, userId="user-1")

    ranking = campaign_of(
        personalize, train(personalize, setup["group"], "ranking", RANKING)["version"], "ranking"
    )
    candidates = ["item-3", "item-1", "item-2", "unknown-item"]
    ranked = runtime.get_personalized_ranking(campaignArn=ranking, userId="user-1", inputList=candidates)
    order = [entry["itemId"] for entry in ranked["personalizedRanking"]]
    assert sorted(order) == sorted(candidates) and order[-1] == "unknown-item"
    with pytest.raises(runtime.exceptions.InvalidInputException):
        runtime.get_recommendations(campaignArn=ranking, userId="user-1")
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.get_recommendations(campaignArn=f"{ranking}-gone", userId="user-1")


def test_recommenders_serve_by_recommender_arn(emulator: Any, personalize: Any) -> None:
    setup = interactions_dataset_group(personalize, name="vod", domain="VIDEO_ON_DEMAND")
    import_interactions(personalize, setup["group"])
    recommender = personalize.create_recommender(
        name="popular",
        datasetGroupArn=setup["group"],
        recipeArn="arn:aws:personalize:::recipe/aws-vod-most-popular",
    )["recommenderArn"]
    items = recommended(
        emulator.client("personalize-runtime"), recommenderArn=recommender, userId="user1", numResults=3
    )
    assert len(items) == 3


def test_events_after_training_steer_a_users_recommendations(emulator: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    campaign = campaign_of(
        personalize, train(personalize, setup["group"], "recs", USER_PERSONALIZATION)["version"]
    )
    runtime = emulator.client("personalize-runtime")

    def top(user: str) -> list[str]:
        return recommended(runtime, campaignArn=campaign, userId=user, numResults=10)

    before = {user: top(user) for user in ("user-1", "user-2")}
    tracking_id = personalize.create_event_tracker(name="live", datasetGroupArn=setup["group"])["trackingId"]
    # Far from the user's tastes: the least popular item, clicked again and again after training.
    rare = min(item_counts().items(), key=lambda counted: (counted[1], counted[0]))[0]
    clicks = [{"eventType": "click", "itemId": rare, "sentAt": 1767225600 + second} for second in range(10)]
    emulator.client("personalize-events").put_events(
        trackingId=tracking_id, userId="user-1", sessionId="s", eventList=clicks
    )
    assert top("user-1") != before["user-1"]
    assert top("user-2") == before["user-2"]  # nobody else's
