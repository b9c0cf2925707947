"""Next-Best-Action's offline metrics as AWS's metrics page defines them, on queries with known answers."""

import numpy as np
import pytest

from personalize_emulator.engine.actions import NEXT_BEST_ACTION_METRIC_NAMES, action_metrics


def test_next_best_action_reports_the_metrics_aws_lists_for_it() -> None:
    # https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html: precision and
    # recall instead of precision at K, no mean reciprocal rank for PERSONALIZED_ACTIONS, AUC, NDCG, coverage.
    assert set(NEXT_BEST_ACTION_METRIC_NAMES) == {
        "coverage",
        "normalized_discounted_cumulative_gain_at_5",
        "normalized_discounted_cumulative_gain_at_10",
        "normalized_discounted_cumulative_gain_at_25",
        "precision",
        "recall",
        "auc",
    }


def test_precision_and_recall_are_per_action_and_averaged_over_actions() -> None:
    # AWS's examples: an action recommended to 100 users of whom 60 took it has precision 0.6; an action 100
    # users took, 50 of them predicted, has recall 0.5. Here, one action recommended per user: action 0 to
    # users 0-7, action 1 to users 8-9, action 2 to nobody. Action 0 is taken by users 0-5 and 8, action 1
    # by users 2 and 8.
    scores = [np.array([0.9, 0.1, 0.0]) if user < 8 else np.array([0.1, 0.9, 0.0]) for user in range(10)]
    taken: list[list[int]] = [[] for _ in range(10)]
    for user in (0, 1, 2, 3, 4, 5, 8):
        taken[user].append(0)
    for user in (2, 8):
        taken[user].append(1)
    metrics = action_metrics(
        scores, [np.array(actions, dtype=int) for actions in taken], values=np.zeros(3), recommended_count=1
    )
    # precision: action 0, 6 of its 8 recommendations taken; action 1, 1 of 2; action 2 was never recommended.
    assert metrics["precision"] == pytest.approx((6 / 8 + 1 / 2) / 2, abs=1e-4)
    # recall: action 0, 6 of its 7 takers predicted; action 1, 1 of 2; action 2 was taken by nobody.
    assert metrics["recall"] == pytest.approx((6 / 7 + 1 / 2) / 2, abs=1e-4)
    assert metrics["coverage"] == pytest.approx(2 / 3, abs=1e-4)


def test_auc_is_one_when_every_taken_action_outscores_every_other_and_half_when_scores_say_nothing() -> None:
    perfect = action_metrics(
        [np.array([0.9, 0.1, 0.2]), np.array([0.1, 0.8, 0.3])],
        [np.array([0]), np.array([1])],
        values=np.zeros(3),
        recommended_count=1,
    )
    assert perfect["auc"] == 1.0
    uninformed = action_metrics(
        [np.zeros(3), np.zeros(3)], [np.array([0]), np.array([1])], values=np.zeros(3), recommended_count=1
    )
    assert uninformed["auc"] == 0.5


def test_without_queries_every_metric_is_zero() -> None:
    metrics = action_metrics([], [], values=np.zeros(3), recommended_count=5)
    assert metrics == dict.fromkeys(NEXT_BEST_ACTION_METRIC_NAMES, 0.0)
