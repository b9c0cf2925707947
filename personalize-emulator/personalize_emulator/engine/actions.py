"""The Next-Best-Action recipe (``aws-next-best-action``): a small, real model of which actions users take.

What AWS documents (https://docs.aws.amazon.com/personalize/latest/dg/native-recipe-next-best-action.html,
https://docs.aws.amazon.com/personalize/latest/dg/actions-datasets.html):

- it recommends actions of the Actions dataset (required) to a user, best first, with a propensity score, the
  probability that the user takes the action; with equal propensity the action of greater VALUE ranks
  higher;
- until an action has at least 50 TAKEN interactions and 50 NOT_TAKEN or VIEWED interactions, within six
  weeks of the newest action interaction, it is recommended without personalization with a score of 0.0;
- actions past their EXPIRATION_TIMESTAMP are not recommended, nor an action the user took within its
  REPEAT_FREQUENCY (days) (Actions dataset page: "Amazon Personalize doesn't recommend ...").

The model: an action's base propensity is its share of TAKEN among its TAKEN, NOT_TAKEN and VIEWED
interactions (in the six weeks); a user's propensity for it rises with how strongly it co-occurs, among
users' TAKEN actions, with the actions the user took (cosine-normalised co-occurrence, as
``training.py``'s item model): ``p = 1 - (1 - base) * exp(-affinity)``, a probability between the base and 1.

Metrics, honestly measured as ``training.py`` measures item models: one tenth of the users with at least two
TAKEN interactions (by CRC-32 of USER_ID) are held out; their oldest 90% of TAKEN actions are their history
and the rest the actions they take; the model fitted on everyone else's data ranks every action for them.
The metrics are those AWS lists for PERSONALIZED_ACTIONS recipes
(https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html): coverage over the
Actions dataset, NDCG at 5/10/25, ``precision`` and ``recall`` instead of precision at K (per action, then
averaged over the actions), AUC; no mean reciprocal rank. Where the page leaves a choice open, this one:
an action is "predicted" for a user when it is among the first 5 (GetActionRecommendations' default
numResults); the averages run over the actions for which the ratio is defined (recommended at least once,
taken at least once); AUC is the pooled ROC AUC over every (user, action) pair, propensity against taken;
its key ``auc`` follows the spelling of the other keys (the page names the metric, not its key). Without any
TAKEN interactions to hold out, every metric is 0.0 (nothing could be measured).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .training import EVALUATED_RANKS, TrainingError, ranking_metrics

TAKEN, NOT_TAKEN, VIEWED = "TAKEN", "NOT_TAKEN", "VIEWED"
MIN_EVENTS_FOR_A_SCORE = 50
SCORED_WINDOW_SECONDS = 6 * 7 * 86_400
SECONDS_PER_DAY = 86_400
TEST_USER_SHARE = 0.1
HELD_OUT_SHARE = 0.1
PREDICTED_PER_USER = 5
NEXT_BEST_ACTION_METRIC_NAMES = (
    "coverage",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision",
    "recall",
    "auc",
)


@dataclass(frozen=True)
class ActionTrainingResult:
    model: ActionModel
    metrics: dict[str, float]


@dataclass(frozen=True)
class ActionModel:
    action_ids: pa.Array
    values: np.ndarray  # VALUE, 0 without one
    expires_at: np.ndarray  # EXPIRATION_TIMESTAMP, +inf without one
    repeat_seconds: np.ndarray  # REPEAT_FREQUENCY in seconds, 0 without one
    base: np.ndarray  # base propensity; 0 for actions without enough interactions to be scored
    scored: np.ndarray  # bool: has enough interactions to be scored
    similarity: np.ndarray  # action x action, cosine co-occurrence of TAKEN actions
    histories: dict[str, list[tuple[int, int]]]  # user -> (action code, timestamp) of TAKEN, oldest first

    def _code(self, action_id: str) -> int | None:
        codes = pc.index_in(pa.array([action_id], pa.string()), value_set=self.action_ids).to_pylist()
        return codes[0]

    def propensities(self, taken: Sequence[int]) -> np.ndarray:
        """Each action's propensity for a user who took the actions ``taken`` (codes)."""
        affinity = self.similarity[list(taken)].sum(axis=0) if len(taken) else np.zeros(len(self.base))
        return np.where(self.scored, 1.0 - (1.0 - self.base) * np.exp(-affinity), 0.0)

    def recommend(
        self,
        user_id: str,
        n: int,
        now: float | None = None,
        allowed: np.ndarray | None = None,
        recent: Sequence[tuple[str, int]] = (),
    ) -> list[tuple[str, float]]:
        """The ``n`` actions the user most likely takes, with their propensity; ``recent`` are the user's
        TAKEN actions since training (PutActionInteractions), as (action id, timestamp)."""
        now = time.time() if now is None else now
        history = list(self.histories.get(user_id, []))
        history += [(code, stamp) for action, stamp in recent if (code := self._code(action)) is not None]
        scores = self.propensities([code for code, _ in history])
        available = self.expires_at > now
        for code, stamp in history:
            if now - stamp < self.repeat_seconds[code]:
                available[code] = False
        if allowed is not None:
            available &= allowed
        codes = np.flatnonzero(available)
        order = codes[np.lexsort((codes, -self.values[codes], -scores[codes]))][:n]
        ids = self.action_ids.take(pa.array(order, pa.int64())).to_pylist()
        return [(action, round(float(scores[code]), 7)) for action, code in zip(ids, order, strict=True)]


def train_next_best_action(
    actions: pa.Table | None, action_interactions: pa.Table | None
) -> ActionTrainingResult:
    """Train on the Actions and Action_Interactions records (the ALL view); see the module docstring."""
    if actions is None or actions.num_rows == 0:
        raise TrainingError(
            "The Next-Best-Action recipe requires an Actions dataset with at least one action."
        )
    interactions = _interactions(action_interactions, actions["ACTION_ID"].combine_chunks())
    test_users = _test_users(interactions)
    training = {user: rows for user, rows in interactions.items() if user not in test_users}
    queries = []
    for user in sorted(test_users):
        rows = interactions[user]
        taken_at = [position for position, row in enumerate(rows) if row[2] == TAKEN]
        held_out = set(taken_at[-max(1, int(len(taken_at) * HELD_OUT_SHARE)) :])
        training[user] = [row for position, row in enumerate(rows) if position not in held_out]
        history = [row[0] for row in training[user] if row[2] == TAKEN]
        queries.append((history, np.unique([rows[position][0] for position in held_out])))
    evaluation_model = _fit(actions, training)
    metrics = action_metrics(
        [evaluation_model.propensities(history) for history, _ in queries],
        [taken for _, taken in queries],
        evaluation_model.values,
        PREDICTED_PER_USER,
    )
    return ActionTrainingResult(_fit(actions, interactions), metrics)


Rows = dict[str, list[tuple[int, int, str]]]  # user -> (action code, timestamp, event type), oldest first


def _interactions(table: pa.Table | None, action_ids: pa.Array) -> Rows:
    rows: Rows = {}
    if table is None or table.num_rows == 0:
        return rows
    codes = pc.index_in(table["ACTION_ID"], value_set=action_ids).to_pylist()
    events = pc.utf8_upper(table["EVENT_TYPE"]).to_pylist()
    for user, code, stamp, event in zip(
        table["USER_ID"].to_pylist(), codes, table["TIMESTAMP"].to_pylist(), events, strict=True
    ):
        if code is not None:  # interactions with actions the Actions dataset does not have are ignored
            rows.setdefault(user, []).append((code, stamp, event))
    for history in rows.values():
        history.sort(key=lambda row: row[1])
    return rows


def _test_users(interactions: Rows) -> set[str]:
    eligible = sorted(
        user for user, rows in interactions.items() if sum(1 for row in rows if row[2] == TAKEN) >= 2
    )
    return {user for user in eligible if zlib.crc32(user.encode()) < TEST_USER_SHARE * 2**32}


def _numbers(actions: pa.Table, name: str, default: float) -> np.ndarray:
    if name not in actions.column_names:
        return np.full(actions.num_rows, default)
    return np.asarray(pc.fill_null(pc.cast(actions[name], pa.float64()), default).to_numpy(), dtype=float)


def _fit(actions: pa.Table, interactions: Rows) -> ActionModel:
    count = actions.num_rows
    newest = max((stamp for rows in interactions.values() for _, stamp, _ in rows), default=0)
    taken, other = np.zeros(count), np.zeros(count)
    together = np.zeros((count, count))
    for rows in interactions.values():
        for code, stamp, event in rows:
            if newest - stamp <= SCORED_WINDOW_SECONDS:
                if event == TAKEN:
                    taken[code] += 1
                elif event in (NOT_TAKEN, VIEWED):
                    other[code] += 1
        took = sorted({code for code, _, event in rows if event == TAKEN})
        for first in took:
            together[first, took] += 1
    took_count = np.diag(together).copy()
    np.fill_diagonal(together, 0)
    norm = np.sqrt(np.outer(took_count, took_count))
    similarity = np.divide(together, norm, out=np.zeros_like(together), where=norm > 0)
    scored = (taken >= MIN_EVENTS_FOR_A_SCORE) & (other >= MIN_EVENTS_FOR_A_SCORE)
    base = np.where(scored, taken / np.maximum(taken + other, 1), 0.0)
    histories = {
        user: [(code, stamp) for code, stamp, event in rows if event == TAKEN]
        for user, rows in interactions.items()
    }
    return ActionModel(
        action_ids=actions["ACTION_ID"].combine_chunks(),
        values=_numbers(actions, "VALUE", 0.0),
        expires_at=_numbers(actions, "EXPIRATION_TIMESTAMP", np.inf),
        repeat_seconds=_numbers(actions, "REPEAT_FREQUENCY", 0.0) * SECONDS_PER_DAY,
        base=base,
        scored=scored,
        similarity=similarity,
        histories=histories,
    )


def action_metrics(
    scores: list[np.ndarray], taken: list[np.ndarray], values: np.ndarray, recommended_count: int
) -> dict[str, float]:
    """The metrics of held-out queries: each query's propensity per action (codes) and the actions the user
    took; ``values`` break ties as recommendations do. See the module docstring for the definitions."""
    if not scores:
        return dict.fromkeys(NEXT_BEST_ACTION_METRIC_NAMES, 0.0)
    action_count = len(values)
    codes = np.arange(action_count)
    recommended = np.zeros(action_count)
    taken_count = np.zeros(action_count)
    predicted_and_taken = np.zeros(action_count)
    shown: set[int] = set()
    ndcg = {k: 0.0 for k in (5, 10, 25)}
    for query_scores, query_taken in zip(scores, taken, strict=True):
        ranked = codes[np.lexsort((codes, -values, -query_scores))]
        predicted = ranked[:recommended_count]
        shown.update(predicted.tolist())
        recommended[predicted] += 1
        taken_count[query_taken] += 1
        predicted_and_taken[np.intersect1d(predicted, query_taken)] += 1
        ranks = ranking_metrics(ranked[:EVALUATED_RANKS], query_taken)
        for k in ndcg:
            ndcg[k] += ranks[f"normalized_discounted_cumulative_gain_at_{k}"]
    metrics = {"coverage": len(shown) / action_count}
    for k, total in ndcg.items():
        metrics[f"normalized_discounted_cumulative_gain_at_{k}"] = total / len(scores)
    metrics["precision"] = _mean_ratio(predicted_and_taken, recommended)
    metrics["recall"] = _mean_ratio(predicted_and_taken, taken_count)
    labels = np.concatenate([np.isin(codes, query_taken) for query_taken in taken])
    metrics["auc"] = _roc_auc(np.concatenate(scores), labels)
    return {name: round(float(metrics[name]), 4) for name in NEXT_BEST_ACTION_METRIC_NAMES}


def _mean_ratio(numerators: np.ndarray, denominators: np.ndarray) -> float:
    defined = denominators > 0
    return float((numerators[defined] / denominators[defined]).mean()) if defined.any() else 0.0


def _roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """The probability that a taken pair outscores a pair not taken, ties counting half (Mann-Whitney U)."""
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if not positives or not negatives:
        return 0.0
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    tied_rank = np.cumsum(counts) - (counts - 1) / 2.0  # 1-based rank of each distinct score, ties averaged
    rank_sum = tied_rank[inverse][labels].sum()
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)
