"""Actions end to end, in both modes: PutActions and PutActionInteractions, action imports and exports, the
Next-Best-Action recipe with honest metrics, GetActionRecommendations with filters."""

import time
from typing import Any

import pytest

from personalize_emulator.engine.actions import NEXT_BEST_ACTION_METRIC_NAMES

from .pipeline import (
    ACTION_INTERACTIONS_SCHEMA,
    ACTIONS_CSV,
    ACTIONS_SCHEMA,
    FAR_FUTURE,
    NEXT_BEST_ACTION,
    action_interactions_csv,
    export,
    group_with_interactions,
    import_dataset,
    train,
)
from .support import ROLE_ARN, describer


@pytest.fixture
def actions_group(personalize: Any) -> dict[str, str]:
    setup = group_with_interactions(personalize)
    setup["actions"] = import_dataset(
        personalize, setup["group"], "Actions", ACTIONS_CSV.encode(), ACTIONS_SCHEMA
    )
    setup["action_interactions"] = import_dataset(
        personalize,
        setup["group"],
        "Action_Interactions",
        action_interactions_csv().encode(),
        ACTION_INTERACTIONS_SCHEMA,
    )
    return setup


def test_next_best_action_trains_with_honest_metrics_and_recommends_actions(
    emulator: Any, personalize: Any, actions_group: dict[str, str]
) -> None:
    version = train(personalize, actions_group["group"], "nba", NEXT_BEST_ACTION)["version"]
    described = describer(personalize, "SolutionVersion", version)()
    assert described["status"] == "ACTIVE", described
    metrics = personalize.get_solution_metrics(solutionVersionArn=version)["metrics"]
    assert set(metrics) == set(NEXT_BEST_ACTION_METRIC_NAMES)
    assert all(0.0 <= value <= 1.0 for value in metrics.values())
    assert metrics["coverage"] > 0

    campaign = personalize.create_campaign(name="nba", solutionVersionArn=version)["campaignArn"]
    runtime = emulator.client("personalize-runtime")
    response = runtime.get_action_recommendations(campaignArn=campaign, userId="u0", numResults=10)
    actions = [(entry["actionId"], entry["score"]) for entry in response["actionList"]]
    assert response["recommendationId"]
    assert "old-offer" not in dict(actions)  # expired
    assert dict(actions)["rare"] == 0.0  # too few interactions to be scored
    scores = [score for _, score in actions]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= score <= 1.0 for score in scores)
    # u0 took enroll and download-app, as every even user did: those two are the likeliest for it.
    assert {action for action, _ in actions[:2]} == {"enroll", "download-app"}
    assert (
        len(runtime.get_action_recommendations(campaignArn=campaign, userId="u0")["actionList"]) == 4
    )  # 5 by default


def test_put_actions_and_action_interactions_reach_exports_and_recommendations(
    emulator: Any, personalize: Any, actions_group: dict[str, str]
) -> None:
    events = emulator.client("personalize-events")
    events.put_actions(
        datasetArn=actions_group["actions"],
        actions=[
            {
                "actionId": "subscribe",
                "properties": f'{{"value": 3, "category": "news", "expirationTimestamp": {FAR_FUTURE}}}',
            }
        ],
    )
    exported = export(personalize, actions_group["actions"], "actions-all", "ALL")
    assert {row["ACTION_ID"] for row in exported} == {
        "enroll",
        "download-app",
        "apply-card",
        "old-offer",
        "rare",
        "subscribe",
    }

    version = train(personalize, actions_group["group"], "nba", NEXT_BEST_ACTION)["version"]
    campaign = personalize.create_campaign(name="nba", solutionVersionArn=version)["campaignArn"]
    tracker = personalize.create_event_tracker(name="actions", datasetGroupArn=actions_group["group"])[
        "trackingId"
    ]
    runtime = emulator.client("personalize-runtime")

    def recommended(user: str) -> list[str]:
        actions = runtime.get_action_recommendations(campaignArn=campaign, userId=user, numResults=10)[
            "actionList"
        ]
        return [entry["actionId"] for entry in actions]

    assert "subscribe" in recommended("u1")
    assert "download-app" in recommended("u1")
    # Taking download-app (REPEAT_FREQUENCY 7 days) now keeps it out of u1's recommendations for a week.
    events.put_action_interactions(
        trackingId=tracker,
        actionInteractions=[
            {
                "actionId": "download-app",
                "userId": "u1",
                "sessionId": "s1",
                "timestamp": time.time(),
                "eventType": "TAKEN",
            }
        ],
    )
    assert "download-app" not in recommended("u1")
    put = export(personalize, actions_group["action_interactions"], "action-events", "PUT")
    assert [(row["USER_ID"], row["ACTION_ID"], row["EVENT_TYPE"]) for row in put] == [
        ("u1", "download-app", "TAKEN")
    ]


def test_action_filters_apply_to_action_recommendations(
    emulator: Any, personalize: Any, actions_group: dict[str, str]
) -> None:
    group = actions_group["group"]
    version = train(personalize, group, "nba", NEXT_BEST_ACTION)["version"]
    campaign = personalize.create_campaign(name="nba", solutionVersionArn=version)["campaignArn"]
    runtime = emulator.client("personalize-runtime")

    def recommended(filter_expression: str, **request: Any) -> set[str]:
        name = f"f{abs(hash(filter_expression)) % 10**8}"
        arn = personalize.create_filter(name=name, datasetGroupArn=group, filterExpression=filter_expression)
        actions = runtime.get_action_recommendations(
            campaignArn=campaign, userId="u0", numResults=10, filterArn=arn["filterArn"], **request
        )["actionList"]
        return {entry["actionId"] for entry in actions}

    assert recommended("EXCLUDE ActionID WHERE Actions.CATEGORY IN ($C)", filterValues={"C": '"app"'}) == {
        "enroll",
        "apply-card",
    }
    took = recommended('EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("TAKEN")')
    assert took == {"apply-card"}  # u0 took enroll, download-app and rare
    assert recommended("INCLUDE ActionID WHERE Actions.VALUE >= $V", filterValues={"V": "10"}) == {
        "enroll",
        "apply-card",
    }
    items_filter = personalize.create_filter(
        name="items",
        datasetGroupArn=group,
        filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
    )["filterArn"]
    with pytest.raises(runtime.exceptions.InvalidInputException, match="filters ItemID"):
        runtime.get_action_recommendations(campaignArn=campaign, userId="u0", filterArn=items_filter)


def test_action_recipes_serve_action_recommendations_only(
    emulator: Any, personalize: Any, actions_group: dict[str, str]
) -> None:
    version = train(personalize, actions_group["group"], "nba", NEXT_BEST_ACTION)["version"]
    campaign = personalize.create_campaign(name="nba", solutionVersionArn=version)["campaignArn"]
    runtime = emulator.client("personalize-runtime")
    with pytest.raises(runtime.exceptions.InvalidInputException, match="PERSONALIZED_ACTIONS"):
        runtime.get_recommendations(campaignArn=campaign, userId="u0")
    # "You can't get batch recommendations with the Trending-Now or Next-Best-Action recipes."
    with pytest.raises(personalize.exceptions.InvalidInputException, match="aws-next-best-action"):
        personalize.create_batch_inference_job(
            jobName="nba-batch",
            solutionVersionArn=version,
            roleArn=ROLE_ARN,
            jobInput={"s3DataSource": {"path": "s3://bucket/input.json"}},
            jobOutput={"s3DataDestination": {"path": "s3://bucket/out/"}},
        )


def test_next_best_action_needs_an_actions_dataset(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    version = train(personalize, setup["group"], "nba", NEXT_BEST_ACTION)["version"]
    described = describer(personalize, "SolutionVersion", version)()
    assert described["status"] == "CREATE FAILED"
    assert "requires an Actions dataset" in described["failureReason"]


def test_actions_datasets_exist_in_custom_dataset_groups_only(personalize: Any) -> None:
    group = personalize.create_dataset_group(name="vod", domain="VIDEO_ON_DEMAND")["datasetGroupArn"]
    schema = personalize.create_schema(name="actions", schema=ACTIONS_SCHEMA)["schemaArn"]
    with pytest.raises(personalize.exceptions.InvalidInputException, match="Domain dataset group"):
        personalize.create_dataset(
            name="actions", schemaArn=schema, datasetGroupArn=group, datasetType="Actions"
        )
