"""Actions end to end, in both modes: PutActions and PutActionInteractions, action imports and exports, the
Next-Best-Action recipe with honest metrics, GetActionRecommendations with filters."""

import json
import time
from typing import Any

import pytest

from personalize_emulator.engine.training import METRIC_NAMES

from .pipeline import export, group_with_interactions, put_object, train
from .support import ROLE_ARN, avro, describer

NEXT_BEST_ACTION = "arn:aws:personalize:::recipe/aws-next-best-action"
ACTIONS_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Actions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "ACTION_ID", "type": "string"},
            {"name": "VALUE", "type": ["null", "long"]},
            {"name": "CATEGORY", "type": "string", "categorical": True},
            {"name": "EXPIRATION_TIMESTAMP", "type": ["null", "long"]},
            {"name": "REPEAT_FREQUENCY", "type": ["null", "long"]},
        ],
        "version": "1.0",
    }
)
ACTION_INTERACTIONS_SCHEMA = avro(
    "ActionInteractions",
    ("USER_ID", "string"),
    ("ACTION_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
)
FAR_FUTURE, PAST = 4_102_444_800, 946_684_800  # 2100 and 2000
ACTIONS_CSV = (
    "ACTION_ID,VALUE,CATEGORY,EXPIRATION_TIMESTAMP,REPEAT_FREQUENCY\n"
    f"enroll,10,loyalty,{FAR_FUTURE},\n"
    f"download-app,5,app,{FAR_FUTURE},7\n"
    f"apply-card,50,finance,{FAR_FUTURE},\n"
    f"old-offer,100,finance,{PAST},\n"
    f"rare,1,app,{FAR_FUTURE},\n"
)
START = 1_767_225_600


def action_interactions_csv() -> str:
    """120 users: every user sees enroll, download-app and apply-card; the even users take enroll and
    download-app, the others apply-card; rare is taken by a few. Each scored action gets more than 50 TAKEN
    and 50 NOT_TAKEN interactions."""
    lines = ["USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE"]
    for user in range(120):
        taken = ("enroll", "download-app") if user % 2 == 0 else ("apply-card",)
        for step, action in enumerate(("enroll", "download-app", "apply-card")):
            event = "TAKEN" if action in taken else "NOT_TAKEN"
            lines.append(f"u{user},{action},{START + 1000 * user + step},{event}")
        if user < 3:
            lines.append(f"u{user},rare,{START + 1000 * user + 9},TAKEN")
    return "\n".join(lines) + "\n"


def create_dataset(personalize: Any, group: str, dataset_type: str, schema: str, csv_text: str) -> str:
    name = f"shop-{dataset_type.lower().replace('_', '-')}"
    schema_arn = personalize.create_schema(name=name, schema=schema)["schemaArn"]
    dataset = personalize.create_dataset(
        name=name, schemaArn=schema_arn, datasetGroupArn=group, datasetType=dataset_type
    )["datasetArn"]
    location = put_object(personalize, f"actions/{name}.csv", csv_text.encode())
    job = personalize.create_dataset_import_job(
        jobName=name, datasetArn=dataset, dataSource={"dataLocation": location}, roleArn=ROLE_ARN
    )["datasetImportJobArn"]
    assert describer(personalize, "DatasetImportJob", job)()["status"] == "ACTIVE"
    return dataset


@pytest.fixture
def actions_group(personalize: Any) -> dict[str, str]:
    setup = group_with_interactions(personalize)
    setup["actions"] = create_dataset(personalize, setup["group"], "Actions", ACTIONS_SCHEMA, ACTIONS_CSV)
    setup["action_interactions"] = create_dataset(
        personalize,
        setup["group"],
        "Action_Interactions",
        ACTION_INTERACTIONS_SCHEMA,
        action_interactions_csv(),
    )
    return setup


def test_next_best_action_trains_with_honest_metrics_and_recommends_actions(
    emulator: Any, personalize: Any, actions_group: dict[str, str]
) -> None:
    version = train(personalize, actions_group["group"], "nba", NEXT_BEST_ACTION)["version"]
    described = describer(personalize, "SolutionVersion", version)()
    assert described["status"] == "ACTIVE", described
    metrics = personalize.get_solution_metrics(solutionVersionArn=version)["metrics"]
    assert set(metrics) == set(METRIC_NAMES) and all(0.0 <= value <= 1.0 for value in metrics.values())
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
