"""Training: AWS's minimum-data failures, popularity and co-occurrence models, UPDATE, honest metrics."""

from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

from personalize_emulator.engine.avro import parse_schema
from personalize_emulator.engine.datafiles import read_import_data
from personalize_emulator.engine.datastore import TrainingData
from personalize_emulator.engine.synthetic import generate
from personalize_emulator.engine.training import (
    METRIC_NAMES,
    TrainedModel,
    TrainingError,
    model_kind_for_recipe,
    ranking_metrics,
    train,
)

POPULARITY = "arn:aws:personalize:::recipe/aws-popularity-count"
USER_PERSONALIZATION = "arn:aws:personalize:::recipe/aws-user-personalization"


@pytest.fixture(scope="module")
def synthetic() -> TrainingData:
    dataset = generate(users=600, items=200, interactions=15_000, seed=7)
    interactions = read_import_data(
        [("interactions.csv", dataset.interactions_csv)], parse_schema(dataset.schemas["Interactions"])
    )
    items = read_import_data([("items.csv", dataset.items_csv)], parse_schema(dataset.schemas["Items"]))
    return TrainingData(interactions, items)


@pytest.fixture(scope="module")
def popularity(synthetic):
    return train(synthetic, POPULARITY)


@pytest.fixture(scope="module")
def co_occurrence(synthetic):
    return train(synthetic, USER_PERSONALIZATION)


def interactions(users: int, per_user: int, event_type: str = "click") -> pa.Table:
    user_ids = [f"u{user}" for user in range(users) for _ in range(per_user)]
    return pa.table(
        {
            "USER_ID": user_ids,
            "ITEM_ID": [f"i{index % 17}" for index in range(len(user_ids))],
            "TIMESTAMP": pa.array(range(1_600_000_000, 1_600_000_000 + len(user_ids)), pa.int64()),
            "EVENT_TYPE": [event_type] * len(user_ids),
        }
    )


def test_fewer_than_1000_interactions_fail_with_awss_text():
    with pytest.raises(TrainingError) as raised:
        train(TrainingData(interactions(users=333, per_user=3)), POPULARITY)
    assert str(raised.value) == "Create failed. Dataset has fewer than 1000 interactions."


def test_the_event_type_filter_applies_before_counting():
    table = pa.concat_tables([interactions(100, 10, "click"), interactions(50, 2, "purchase")])
    assert train(TrainingData(table), POPULARITY, event_type="click").model.kind == "popularity"
    with pytest.raises(TrainingError) as raised:
        train(TrainingData(table), POPULARITY, event_type="purchase")
    assert (
        str(raised.value)
        == "Dataset has fewer than 1000 interactions after filtering by event type: purchase"
    )


def test_duplicate_interactions_count_once():
    table = interactions(users=100, per_user=10)
    with pytest.raises(TrainingError, match="fewer than 1000 interactions"):
        train(TrainingData(pa.concat_tables([table.slice(0, 999), table.slice(0, 999)])), POPULARITY)


def test_fewer_than_25_users_with_two_interactions_fail_with_awss_text():
    heavy = interactions(users=24, per_user=50)
    light = interactions(users=200, per_user=1).set_column(
        0, "USER_ID", pa.array([f"light-{n}" for n in range(200)])
    )
    with pytest.raises(TrainingError) as raised:
        train(TrainingData(pa.concat_tables([heavy, light])), USER_PERSONALIZATION)
    assert (
        str(raised.value)
        == "Create failed. Dataset has fewer than 25 users with at least 2 interactions each."
    )
    train(TrainingData(interactions(users=25, per_user=40)), USER_PERSONALIZATION)


def test_no_interactions_at_all_is_too_little_data():
    with pytest.raises(TrainingError, match="fewer than 1000 interactions"):
        train(TrainingData(None), POPULARITY)


def test_recipes_map_to_models():
    assert model_kind_for_recipe(POPULARITY) == "popularity"
    for recipe in ("aws-user-personalization-v2", "aws-similar-items", "aws-personalized-ranking"):
        assert model_kind_for_recipe(f"arn:aws:personalize:::recipe/{recipe}") == "item-cooccurrence"
    with pytest.raises(ValueError, match="not supported"):
        model_kind_for_recipe("arn:aws:personalize:::recipe/aws-next-best-action")


def test_popularity_recommends_the_most_popular_items(synthetic, popularity):
    counts = Counter(synthetic.interactions.column("ITEM_ID").to_pylist())
    expected = [item for item, _ in counts.most_common(6)]
    recommended = popularity.model.recommend("user-1", n=5)
    assert [item for item, _ in recommended] == expected[:5]
    assert [item for item, _ in popularity.model.recommend("someone-new", n=5)] == expected[:5]
    scores = [score for _, score in recommended]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score < 1 for score in scores)
    without_top = popularity.model.recommend("user-1", n=5, exclude_items=[expected[0]])
    assert [item for item, _ in without_top] == expected[1:6]


def test_metrics_have_awss_names_and_values_in_range(popularity, co_occurrence):
    for result in (popularity, co_occurrence):
        assert sorted(result.metrics) == sorted(
            [
                "coverage",
                "mean_reciprocal_rank_at_25",
                "normalized_discounted_cumulative_gain_at_5",
                "normalized_discounted_cumulative_gain_at_10",
                "normalized_discounted_cumulative_gain_at_25",
                "precision_at_5",
                "precision_at_10",
                "precision_at_25",
            ]
        )
        assert set(result.metrics) == set(METRIC_NAMES)
        assert all(isinstance(value, float) and 0 <= value <= 1 for value in result.metrics.values())
        assert result.metrics["precision_at_5"] > 0


def test_metrics_are_deterministic(synthetic, co_occurrence):
    assert train(synthetic, USER_PERSONALIZATION).metrics == co_occurrence.metrics


def test_co_occurrence_beats_popularity_on_data_with_taste_structure(popularity, co_occurrence):
    for name in (
        "precision_at_5",
        "normalized_discounted_cumulative_gain_at_10",
        "mean_reciprocal_rank_at_25",
    ):
        assert co_occurrence.metrics[name] > popularity.metrics[name], name
    assert co_occurrence.metrics["coverage"] > 5 * popularity.metrics["coverage"]


def test_ranking_metrics_match_the_developer_guides_worked_example():
    # Recommendations 2 and 5 are the relevant ones (developer guide, "Evaluating a solution version").
    metrics = ranking_metrics(np.array([10, 1, 11, 12, 2, 13]), relevant=np.array([1, 2]))
    assert metrics["mean_reciprocal_rank_at_25"] == 0.5
    assert metrics["precision_at_5"] == 0.4
    assert round(metrics["normalized_discounted_cumulative_gain_at_5"], 4) == 0.6241
    assert ranking_metrics(np.array([5, 6]), relevant=np.array([1]))["mean_reciprocal_rank_at_25"] == 0.0


def test_similar_items_share_a_category_and_never_include_the_item(synthetic, co_occurrence):
    category = dict(
        zip(
            synthetic.items.column("ITEM_ID").to_pylist(),
            synthetic.items.column("CATEGORY").to_pylist(),
            strict=True,
        )
    )
    counts = Counter(synthetic.interactions.column("ITEM_ID").to_pylist())
    shared = []
    for item, _ in counts.most_common(10):
        similar = [other for other, _ in co_occurrence.model.similar_items(item, n=10)]
        assert item not in similar
        assert len(similar) == 10
        shared.append(np.mean([category[other] == category[item] for other in similar]))
    assert np.mean(shared) > 0.5  # a random item shares the category one time in twelve


def test_recent_events_change_recommendations(co_occurrence):
    model = co_occurrence.model
    cold = model.recommend("someone-new", n=10)
    warm = model.recommend("someone-new", n=10, recent_items=["item-3", "item-4"])
    assert cold != warm


def test_rank_orders_the_given_items_and_puts_unknown_ones_last(co_occurrence):
    ranked = co_occurrence.model.rank("user-1", ["item-150", "no-such-item", "item-0", "item-1"])
    assert sorted(item for item, _ in ranked) == ["item-0", "item-1", "item-150", "no-such-item"]
    assert ranked[-1] == ("no-such-item", 0.0)
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) == pytest.approx(1.0)


def test_models_round_trip_through_bytes(co_occurrence, popularity):
    for result in (co_occurrence, popularity):
        restored = TrainedModel.from_bytes(result.model.to_bytes())
        assert restored.kind == result.model.kind
        assert restored.recommend("user-5", n=10) == result.model.recommend("user-5", n=10)
        assert restored.similar_items("item-2", n=5) == result.model.similar_items("item-2", n=5)


def test_update_training_keeps_neighbours_and_brings_in_new_items_and_interactions(synthetic, co_occurrence):
    new_events = pa.table(
        {
            "USER_ID": [f"user-{n}" for n in range(40)] + ["newcomer"] * 3,
            "ITEM_ID": ["brand-new-item"] * 40 + ["item-1", "item-2", "item-3"],
            "TIMESTAMP": pa.array([1_800_000_000 + n for n in range(43)], pa.int64()),
            "EVENT_TYPE": ["click"] * 43,
        }
    )
    data = TrainingData(pa.concat_tables([synthetic.interactions, new_events]), synthetic.items)
    updated = train(data, USER_PERSONALIZATION, training_mode="UPDATE", previous=co_occurrence)
    assert updated.metrics == co_occurrence.metrics
    assert updated.model.similar_items("item-7", n=10) != []
    old_neighbours = [item for item, _ in co_occurrence.model.similar_items("item-7", n=5)]
    assert [item for item, _ in updated.model.similar_items("item-7", n=5)] == old_neighbours
    assert updated.model.rank("newcomer", ["brand-new-item"])[0][1] > 0
    assert updated.model.recommend("newcomer", n=5) != co_occurrence.model.recommend("newcomer", n=5)
    with pytest.raises(ValueError, match="UPDATE training needs"):
        train(data, USER_PERSONALIZATION, training_mode="UPDATE")


def test_trending_now_ranks_the_items_growing_fastest_not_the_most_popular() -> None:
    day = 86_400
    rows = []
    # "steady" is the most popular overall, evenly over two days; "rising" appears only on the last day.
    for user in range(40):
        for n in range(20):
            rows.append((f"u{user}", "steady", 1_000_000 + n * 2 * day // 20 + user))
        for n in range(8):
            rows.append((f"u{user}", "rising", 1_000_000 + 2 * day - 3600 + n * 10 + user))
        rows.append((f"u{user}", f"other{user % 5}", 1_000_000 + user))
    table = pa.table(
        {
            "USER_ID": [row[0] for row in rows],
            "ITEM_ID": [row[1] for row in rows],
            "TIMESTAMP": pa.array([row[2] for row in rows], pa.int64()),
        }
    )
    trending = train(TrainingData(table), "arn:aws:personalize:::recipe/aws-trending-now")
    popular = train(TrainingData(table), "arn:aws:personalize:::recipe/aws-popularity-count")
    assert trending.model.recommend("u1", 1)[0][0] == "rising"
    assert popular.model.recommend("u1", 1)[0][0] == "steady"
    assert set(trending.metrics) == set(METRIC_NAMES)
    again = TrainedModel.from_bytes(trending.model.to_bytes())
    assert again.recommend("u1", 1)[0][0] == "rising"
