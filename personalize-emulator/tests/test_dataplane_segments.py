"""Item-Attribute-Affinity end to end, in both modes: train on Interactions and Items, then batch segment
jobs whose lines name item attributes, on films whose segments are known (``pipeline.film_fans``)."""

import json
from typing import Any

import pytest

from .pipeline import (
    DATA,
    film_fans,
    genre_of,
    group_with_interactions,
    import_dataset,
    run_batch,
    train,
)
from .support import avro, describer

ATTRIBUTE_AFFINITY = "arn:aws:personalize:::recipe/aws-item-attribute-affinity"
FILMS_SCHEMA = json.dumps(
    json.loads(avro("Items", ("ITEM_ID", "string"), ("GENRES", "string"), ("YEAR", "int")))
    | {
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "GENRES", "type": "string", "categorical": True},
            {"name": "YEAR", "type": "int"},
        ]
    }
)
COMEDY_WATCHERS = {f"comedy-fan-{n}" for n in range(20)} | {f"action-comedy-fan-{n}" for n in range(10)}


def films_csv() -> bytes:
    """The fans' interactions (comedy fans with an even number buy, the others watch), oldest first."""
    lines = ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE"]
    for index, (user, items) in enumerate(film_fans().items()):
        event = (
            "purchase" if user.startswith("comedy-fan-") and int(user.rsplit("-", 1)[1]) % 2 == 0 else "watch"
        )
        lines += [
            f"{user},item{item},{1_700_000_000 + 1000 * n + index},{event}" for n, item in enumerate(items)
        ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def films(personalize: Any) -> str:
    """A group with the fans' interactions and the films' genres."""
    group = group_with_interactions(personalize, name="films", csv_text=films_csv())["group"]
    items = "ITEM_ID,GENRES,YEAR\n" + "".join(f"item{i},{genre_of(i)},{1990 + i}\n" for i in range(40))
    import_dataset(personalize, group, "Items", items.encode(), FILMS_SCHEMA)
    return group


def test_the_recipe_is_listed_as_a_user_segmentation_recipe(personalize: Any) -> None:
    recipe = personalize.describe_recipe(recipeArn=ATTRIBUTE_AFFINITY)["recipe"]
    assert (recipe["name"], recipe["recipeType"], recipe["status"]) == (
        "aws-item-attribute-affinity",
        "USER_SEGMENTATION",
        "ACTIVE",
    )


def test_segments_by_item_attributes_put_the_users_of_such_items_first(personalize: Any, films: str) -> None:
    version = train(personalize, films, "by-genre", ATTRIBUTE_AFFINITY)["version"]
    assert describer(personalize, "SolutionVersion", version)()["status"] == "ACTIVE"
    metrics = personalize.get_solution_metrics(solutionVersionArn=version)["metrics"]
    assert sorted(metrics) == ["coverage", "hits_at_1_percent", "recall_at_1_percent"]
    lines: list[dict[str, Any]] = [
        {"itemAttributes": 'ITEMS.GENRES = "Comedy"'},
        {"itemAttributes": 'ITEMS.genres = "Comedy" AND ITEMS.genres = "Action"'},
        {"itemAttributes": 'ITEMS.GENRES = "Comedy" OR ITEMS.GENRES = "Drama"'},
        {"itemAttributes": 'ITEMS.STUDIO = "Pixar"'},
        {"itemId": "item1"},
    ]
    comedy, action_comedy, either, studio, item = run_batch(
        personalize, "Segment", version, lines, "by-genre", numResults=30
    )
    assert comedy == {
        "input": lines[0],
        "output": {"usersList": comedy["output"]["usersList"]},
        "error": None,
    }
    assert set(comedy["output"]["usersList"]) == COMEDY_WATCHERS
    assert set(action_comedy["output"]["usersList"][:10]) == {f"action-comedy-fan-{n}" for n in range(10)}
    for failed, named in ((either, "'OR'"), (studio, "no column STUDIO"), (item, "itemAttributes")):
        assert failed["input"] in lines and failed["output"] is None
        assert named in failed["error"]


def test_a_jobs_user_filter_applies_to_attribute_segments(personalize: Any, films: str) -> None:
    version = train(personalize, films, "buyers", ATTRIBUTE_AFFINITY)["version"]
    buyers = personalize.create_filter(
        name="buyers",
        datasetGroupArn=films,
        filterExpression="INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ($TYPE)",
    )["filterArn"]
    lines = [{"itemAttributes": 'ITEMS.GENRES = "Comedy"', "filterValues": {"TYPE": '"purchase"'}}]
    (line,) = run_batch(personalize, "Segment", version, lines, "buyers", numResults=30, filterArn=buyers)
    assert set(line["output"]["usersList"]) == {f"comedy-fan-{n}" for n in range(0, 20, 2)}


def test_without_an_items_dataset_training_fails_saying_so(personalize: Any) -> None:
    group = group_with_interactions(personalize, name="no-items", csv_text=DATA.interactions_csv)["group"]
    version = train(personalize, group, "no-items", ATTRIBUTE_AFFINITY)["version"]
    described = describer(personalize, "SolutionVersion", version)()
    assert described["status"] == "CREATE FAILED"
    assert "needs an Items dataset" in described["failureReason"]
