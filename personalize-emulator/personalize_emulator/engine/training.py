"""Train real (small) recommendation models on a dataset group's data, and measure them as AWS does.

Models
------
``aws-popularity-count`` trains a **popularity** model: items ranked by how many interactions they have.
``aws-trending-now`` ranks items by how much their interactions grew from one trend window to the next
(:func:`_trend`); like popularity, it recommends the same items to every user.

``aws-user-personalization(-v2)``, ``aws-similar-items`` (and the older ``aws-sims``) and
``aws-personalized-ranking(-v2)`` train an **item-to-item co-occurrence** model (item-based collaborative
filtering); so do the USER_SEGMENTATION recipes, whose training and metrics are ``segments.py``'s. Two
items are related when the same user interacts with both within ``CO_OCCURRENCE_WINDOW`` consecutive
interactions; each pair counts ``1 / distance`` (nearer in time, stronger), and the sum is
normalised by cosine, ``c(a, b) / sqrt(n(a) n(b))``, so that popular items do not relate to everything.
Each item keeps its ``NEIGHBOURS`` strongest neighbours. A user's recommendations sum the neighbour lists
of their ``HISTORY_USED`` most recent items, the newer counting more (``RECENCY_DECAY`` per step back), and
blend in popularity (``POPULARITY_BLEND``), which also serves users and items the model does not know.
Scores are shares of one over the whole catalogue, as GetRecommendations' scores are.

Interactions are first filtered by the solution's ``eventType`` (and ``eventValueThreshold``), and duplicate
(user, item, timestamp) records count once. Training then needs 1000 interactions and 25 users with at least
2 interactions each; otherwise it fails with AWS's texts (developer guide, "Common error messages" and
quotas). With an event type the first text is the documented ``Dataset has fewer than 1000 interactions after
filtering by event type: TYPE``; without one, the same sentence ends at "interactions.".

UPDATE training (trainingMode UPDATE, on top of an earlier version) keeps that version's item-to-item
neighbour lists and recomputes everything that needs no model fitting from the current data: the item
catalogue (new items join, with popularity but no neighbours yet), popularity, and each user's recent
history. This mirrors AWS, where UPDATE brings in new items and interactions without retraining the model.
An UPDATE version reports the metrics of the version it builds on: its model is that model.

Metrics (GetSolutionMetrics)
----------------------------
The protocol is the developer guide's ("Evaluating a solution version"): users are split into 90% for
training and 10% for testing; a model is trained on the training users only; each test user's oldest 90% of
interactions (at least one) are given to it as the user's history, and its top 25 recommendations are
compared with the items of the user's most recent 10% (at least one). Then the model that is kept is trained
on all the data. Details that make this deterministic and affordable:

- test users are those with at least 2 interactions whose CRC-32 of the USER_ID falls in the lowest tenth
  (the same data always yields the same split and the same figures); at most ``MAX_TEST_USERS`` of them,
  lowest hashes first;
- ``precision_at_K``: relevant items among the top K, divided by K;
- ``mean_reciprocal_rank_at_25``: 1 / rank of the first relevant item in the top 25 (0 if none);
- ``normalized_discounted_cumulative_gain_at_K``: relevant items weighted ``1 / log2(1 + position)``,
  divided by the same sum for an ideal list (all relevant items first);
- each is the mean over test users; ``coverage`` is the number of distinct items recommended to any test
  user divided by the number of distinct items in the Interactions and Items data.

Public API: :func:`train`, :class:`TrainedModel` (``recommend``, ``similar_items``, ``rank``, ``to_bytes``,
``from_bytes``), :class:`Interactions` (training's view of the Interactions data), :class:`TrainingError`,
:func:`model_kind_for_recipe`, :func:`ranking_metrics`.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .datastore import TrainingData

ModelKind = Literal["popularity", "trending", "item-cooccurrence"]
TrainingMode = Literal["FULL", "UPDATE"]

MIN_INTERACTIONS = 1000
MIN_USERS_WITH_TWO_INTERACTIONS = 25
CO_OCCURRENCE_WINDOW = 10
NEIGHBOURS = 50
HISTORY_KEPT = 50
HISTORY_USED = 50
RECENCY_DECAY = 0.97
POPULARITY_BLEND = 0.05
TEST_USER_SHARE = 0.1
HELD_OUT_SHARE = 0.1
MAX_TEST_USERS = 5000
EVALUATED_RANKS = 25
# Trending-Now's trendDiscoveryFrequency default ("Trending-Now recipe": 30 minutes, 1, 3 hours or 1 day).
TREND_WINDOW_SECONDS = 86_400

RECIPE_MODEL_KINDS: dict[str, ModelKind] = {
    "aws-popularity-count": "popularity",
    "aws-trending-now": "trending",
    "aws-user-personalization": "item-cooccurrence",
    "aws-user-personalization-v2": "item-cooccurrence",
    "aws-similar-items": "item-cooccurrence",
    "aws-sims": "item-cooccurrence",
    "aws-personalized-ranking": "item-cooccurrence",
    "aws-personalized-ranking-v2": "item-cooccurrence",
}
METRIC_NAMES = (
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
)


class TrainingError(ValueError):
    """Training cannot proceed; ``str(error)`` is the solution version's failureReason."""


def model_kind_for_recipe(recipe_arn: str) -> ModelKind:
    """The model a recipe trains here; raises ValueError for recipes this emulator cannot train."""
    recipe = recipe_arn.rsplit("/", 1)[-1]
    if recipe not in RECIPE_MODEL_KINDS:
        raise ValueError(f"Recipe {recipe} is not supported by the emulator's training.")
    return RECIPE_MODEL_KINDS[recipe]


def check_enough_interactions(table: pa.Table | None) -> None:
    """Raise TrainingError unless ``table`` (Interactions) has what training needs (the quotas above)."""
    Interactions.from_table(table, None, None)


@dataclass(frozen=True)
class TrainingResult:
    model: TrainedModel
    metrics: dict[str, float]  # GetSolutionMetrics' ``metrics``: METRIC_NAMES -> value in [0, 1]


def train(
    data: TrainingData,
    recipe_arn: str,
    *,
    event_type: str | None = None,
    event_value_threshold: float | None = None,
    training_mode: TrainingMode = "FULL",
    previous: TrainingResult | None = None,
) -> TrainingResult:
    """Train a solution version on a :class:`.datastore.TrainingData` snapshot; see the module docstring.

    ``training_mode="UPDATE"`` needs ``previous``, the result of an earlier version of the same solution.
    Raises :class:`TrainingError` (AWS's failureReason texts) when the data is too small.
    """
    kind = model_kind_for_recipe(recipe_arn)
    interactions = Interactions.from_table(data.interactions, event_type, event_value_threshold)
    catalogue = _catalogue(interactions.item_ids, data.items)
    if training_mode == "UPDATE":
        if previous is None:
            raise ValueError("UPDATE training needs the result of an earlier FULL training.")
        model = TrainedModel.updated(previous.model, interactions)
        return TrainingResult(model=model, metrics=dict(previous.metrics))
    test_users = _test_users(interactions)
    training_part, queries = interactions.split(test_users)
    evaluation_model = TrainedModel.fit(kind, training_part)
    metrics = _evaluate(evaluation_model, queries, catalogue_size=len(catalogue))
    return TrainingResult(model=TrainedModel.fit(kind, interactions), metrics=metrics)


@dataclass(frozen=True)
class Interactions:
    """Filtered, de-duplicated interactions; users and items as integer codes; sorted by user, then time."""

    user_ids: pa.Array  # user code -> USER_ID
    item_ids: pa.Array  # item code -> ITEM_ID
    users: np.ndarray
    items: np.ndarray
    timestamps: np.ndarray

    @classmethod
    def from_table(
        cls, table: pa.Table | None, event_type: str | None, event_value_threshold: float | None
    ) -> Interactions:
        if table is None:
            table = pa.schema(
                {"USER_ID": pa.string(), "ITEM_ID": pa.string(), "TIMESTAMP": pa.int64()}
            ).empty_table()
        if event_type is not None and "EVENT_TYPE" in table.column_names:
            table = table.filter(pc.fill_null(pc.equal(table["EVENT_TYPE"], event_type), False))
        if event_value_threshold is not None and "EVENT_VALUE" in table.column_names:
            above = pc.greater_equal(table["EVENT_VALUE"], event_value_threshold)
            table = table.filter(pc.fill_null(above, False))
        users = pc.dictionary_encode(table["USER_ID"]).combine_chunks()
        items = pc.dictionary_encode(table["ITEM_ID"]).combine_chunks()
        user_codes = users.indices.to_numpy().astype(np.int32)
        item_codes = items.indices.to_numpy().astype(np.int32)
        timestamps = table["TIMESTAMP"].to_numpy()
        order = np.lexsort((item_codes, timestamps, user_codes))
        user_codes, item_codes, timestamps = user_codes[order], item_codes[order], timestamps[order]
        # "unique ... interactions" (quotas): the same user, item and time counts once.
        unique = np.ones(len(order), dtype=bool)
        unique[1:] = (np.diff(user_codes) != 0) | (np.diff(timestamps) != 0) | (np.diff(item_codes) != 0)
        interactions = cls(
            users.dictionary, items.dictionary, user_codes[unique], item_codes[unique], timestamps[unique]
        )
        interactions._check_enough(event_type)
        return interactions

    def _check_enough(self, event_type: str | None) -> None:
        if len(self.users) < MIN_INTERACTIONS:
            if event_type is not None:
                raise TrainingError(
                    f"Dataset has fewer than {MIN_INTERACTIONS} interactions after filtering by event type:"
                    f" {event_type}"
                )
            raise TrainingError(f"Create failed. Dataset has fewer than {MIN_INTERACTIONS} interactions.")
        per_user = np.bincount(self.users, minlength=len(self.user_ids))
        if int((per_user >= 2).sum()) < MIN_USERS_WITH_TWO_INTERACTIONS:
            raise TrainingError(
                f"Create failed. Dataset has fewer than {MIN_USERS_WITH_TWO_INTERACTIONS} users with at least"
                " 2 interactions each."
            )

    def user_starts(self) -> np.ndarray:
        """Index of each user's first interaction, plus the end: the users' ranges in the sorted arrays."""
        counts = np.bincount(self.users, minlength=len(self.user_ids))
        return np.concatenate(([0], np.cumsum(counts)))

    def split(self, test_users: np.ndarray) -> tuple[Interactions, list[tuple[np.ndarray, np.ndarray]]]:
        """Training users' interactions, and per test user (input history, held-out relevant items)."""
        is_test = np.zeros(len(self.user_ids), dtype=bool)
        is_test[test_users] = True
        keep = ~is_test[self.users]
        training = replace(
            self, users=self.users[keep], items=self.items[keep], timestamps=self.timestamps[keep]
        )
        starts = self.user_starts()
        queries = []
        for user in test_users:
            sequence = self.items[starts[user] : starts[user + 1]]
            held_out = max(1, int(len(sequence) * HELD_OUT_SHARE))
            queries.append((sequence[:-held_out], np.unique(sequence[-held_out:])))
        return training, queries


def _test_users(interactions: Interactions) -> np.ndarray:
    counts = np.bincount(interactions.users, minlength=len(interactions.user_ids))
    eligible = np.flatnonzero(counts >= 2)
    hashes = np.array(
        [zlib.crc32(user.encode()) for user in interactions.user_ids.take(eligible).to_pylist()]
    )
    by_hash = np.argsort(hashes, kind="stable")
    chosen = by_hash[hashes[by_hash] < TEST_USER_SHARE * 2**32][:MAX_TEST_USERS]
    if len(chosen) == 0:
        chosen = by_hash[:1]
    return np.sort(eligible[chosen])


def _catalogue(interaction_items: pa.Array, items: pa.Table | None) -> pa.Array:
    if items is None or items.num_rows == 0:
        return interaction_items
    return pc.unique(pa.concat_arrays([interaction_items, items["ITEM_ID"].combine_chunks()]))


def _evaluate(
    model: TrainedModel, queries: list[tuple[np.ndarray, np.ndarray]], catalogue_size: int
) -> dict[str, float]:
    totals = dict.fromkeys(METRIC_NAMES, 0.0)
    recommended: set[int] = set()
    for history, relevant in queries:
        top = model.top_indices(model.user_scores(history), EVALUATED_RANKS)
        recommended.update(top.tolist())
        for name, value in ranking_metrics(top, relevant).items():
            totals[name] += value
    metrics = {name: round(float(total) / max(len(queries), 1), 4) for name, total in totals.items()}
    metrics["coverage"] = round(len(recommended) / max(catalogue_size, 1), 4)
    return metrics


_DISCOUNTS = 1.0 / np.log2(np.arange(2, EVALUATED_RANKS + 2))


def ranking_metrics(recommended: np.ndarray, relevant: np.ndarray) -> dict[str, float]:
    """One query's metrics (all but coverage) for a ranked list, best first, and the relevant items."""
    hits = np.isin(recommended[:EVALUATED_RANKS], relevant)
    metrics = {"mean_reciprocal_rank_at_25": 1.0 / (int(np.argmax(hits)) + 1) if hits.any() else 0.0}
    for k in (5, 10, 25):
        metrics[f"precision_at_{k}"] = float(hits[:k].sum()) / k
        ideal = _DISCOUNTS[: min(k, len(relevant))].sum()
        gain = float((_DISCOUNTS[: len(hits[:k])] * hits[:k]).sum())
        metrics[f"normalized_discounted_cumulative_gain_at_{k}"] = float(gain / ideal) if ideal else 0.0
    return metrics


class TrainedModel:
    """A trained solution version: answers GetRecommendations, GetPersonalizedRanking and similar items."""

    def __init__(
        self,
        kind: ModelKind,
        item_ids: pa.Array,
        popularity: np.ndarray,
        neighbour_starts: np.ndarray,
        neighbours: np.ndarray,
        neighbour_weights: np.ndarray,
        user_ids: pa.Array,
        history_starts: np.ndarray,
        history: np.ndarray,
    ) -> None:
        self.kind = kind
        self.item_ids = item_ids  # item code -> ITEM_ID
        self.popularity = popularity  # interactions per item
        self.neighbour_starts = neighbour_starts  # CSR row starts into neighbours / neighbour_weights
        self.neighbours = neighbours
        self.neighbour_weights = neighbour_weights
        self.user_ids = user_ids
        self.history_starts = history_starts  # CSR row starts into history (item codes, oldest first)
        self.history = history
        self._item_codes: dict[str, int] | None = None
        self._user_codes: dict[str, int] | None = None
        total = popularity.sum()
        self._popularity_share = popularity / total if total else popularity
        self._popularity_rank = np.empty(len(popularity), dtype=np.int64)
        self._popularity_rank[np.argsort(-popularity, kind="stable")] = np.arange(len(popularity))

    # Building

    @classmethod
    def fit(cls, kind: ModelKind, interactions: Interactions) -> TrainedModel:
        item_count = len(interactions.item_ids)
        popularity = np.bincount(interactions.items, minlength=item_count).astype(np.float64)
        if kind == "trending":
            popularity = _trend(interactions, popularity)
        if kind == "item-cooccurrence":
            starts, neighbours, weights = _co_occurrence_neighbours(interactions, popularity)
        else:
            starts, neighbours, weights = (
                np.zeros(item_count + 1, np.int64),
                np.zeros(0, np.int32),
                np.zeros(0),
            )
        user_ids, history_starts, history = _recent_histories(interactions)
        return cls(
            kind,
            interactions.item_ids,
            popularity,
            starts,
            neighbours,
            weights.astype(np.float32),
            user_ids,
            history_starts,
            history,
        )

    @classmethod
    def updated(cls, previous: TrainedModel, interactions: Interactions) -> TrainedModel:
        """UPDATE training: keep ``previous``'s neighbours; refresh catalogue, popularity and histories."""
        known = previous.item_ids
        new_items = pc.filter(
            interactions.item_ids, pc.invert(pc.is_in(interactions.item_ids, value_set=known))
        )
        item_ids = pa.concat_arrays([known, new_items])  # old codes stay valid: new items come after
        remap = pc.index_in(interactions.item_ids, value_set=item_ids).to_numpy().astype(np.int32)
        recoded = replace(interactions, item_ids=item_ids, items=remap[interactions.items])
        popularity = np.bincount(recoded.items, minlength=len(item_ids)).astype(np.float64)
        starts = np.concatenate(
            (previous.neighbour_starts, np.full(len(new_items), previous.neighbour_starts[-1]))
        )
        user_ids, history_starts, history = _recent_histories(recoded)
        return cls(
            previous.kind,
            item_ids,
            popularity,
            starts,
            previous.neighbours,
            previous.neighbour_weights,
            user_ids,
            history_starts,
            history,
        )

    # Serving

    def recommend(
        self, user_id: str, n: int = 25, exclude_items: Iterable[str] = (), recent_items: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        """Top ``n`` items for a user (GetRecommendations with userId).

        ``recent_items`` are the user's interactions since training (PutEvents), oldest first; they count as
        the newest history. ``exclude_items`` are never returned (filters such as "not already interacted").
        """
        scores = self.user_scores(self._history_of(user_id, recent_items))
        return self._top(scores, n, exclude_items)

    def similar_items(
        self, item_id: str, n: int = 25, exclude_items: Iterable[str] = ()
    ) -> list[tuple[str, float]]:
        """Top ``n`` items related to an item (GetRecommendations with itemId); never the item itself."""
        code = self.item_code(item_id)
        history = np.array([code] if code is not None else [], dtype=np.int32)
        return self._top(self.user_scores(history), n, [*exclude_items, item_id])

    def rank(
        self, user_id: str, item_ids: Sequence[str], recent_items: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        """``item_ids`` ordered for a user (GetPersonalizedRanking); scores are shares of one over the list.

        Items the model does not know score 0 and come last, in their input order.
        """
        scores = self.user_scores(self._history_of(user_id, recent_items))
        codes = [self.item_code(item) for item in item_ids]
        raw = np.array([scores[code] if code is not None else 0.0 for code in codes])
        total = raw.sum()
        shares = raw / total if total > 0 else raw
        order = sorted(range(len(item_ids)), key=lambda index: (codes[index] is None, -raw[index], index))
        return [(item_ids[index], float(shares[index])) for index in order]

    def user_scores(self, history: np.ndarray) -> np.ndarray:
        """A score per item code for a user with ``history`` (item codes, oldest first); sums to one."""
        if self.kind == "popularity" or len(history) == 0:
            return self._popularity_share
        recent = history[-HISTORY_USED:]
        decay = RECENCY_DECAY ** np.arange(len(recent) - 1, -1, -1)
        starts, ends = self.neighbour_starts[recent], self.neighbour_starts[recent + 1]
        lengths = ends - starts
        if lengths.sum() == 0:
            return self._popularity_share
        positions = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        positions += np.arange(lengths.sum())
        affinity = np.bincount(
            self.neighbours[positions],
            weights=self.neighbour_weights[positions] * np.repeat(decay, lengths),
            minlength=len(self.popularity),
        )
        return (1 - POPULARITY_BLEND) * affinity / affinity.sum() + POPULARITY_BLEND * self._popularity_share

    def top_indices(self, scores: np.ndarray, n: int, excluded: np.ndarray | None = None) -> np.ndarray:
        """Item codes of the ``n`` best scores, best first, leaving out ``excluded`` codes."""
        excluded = np.zeros(0, dtype=np.int64) if excluded is None else excluded
        wanted = min(n + len(excluded), len(scores))
        if wanted <= 0:
            return np.zeros(0, dtype=np.int64)
        candidates = (
            np.argpartition(-scores, wanted - 1)[:wanted] if wanted < len(scores) else np.arange(wanted)
        )
        # Popularity breaks ties, so equal scores come out the same way every time.
        ranked = candidates[np.lexsort((self._popularity_rank[candidates], -scores[candidates]))]
        return ranked[~np.isin(ranked, excluded)][:n]

    def _top(self, scores: np.ndarray, n: int, exclude_items: Iterable[str]) -> list[tuple[str, float]]:
        excluded = np.array(
            [code for code in map(self.item_code, exclude_items) if code is not None], dtype=np.int64
        )
        top = self.top_indices(scores, n, excluded)
        ids = self.item_ids.take(pa.array(top)).to_pylist()
        return [(item, float(scores[code])) for item, code in zip(ids, top, strict=True)]

    def _history_of(self, user_id: str, recent_items: Sequence[str]) -> np.ndarray:
        code = self._user_code(user_id)
        stored = np.zeros(0, dtype=np.int32)
        if code is not None:
            stored = self.history[self.history_starts[code] : self.history_starts[code + 1]]
        recent = [c for c in map(self.item_code, recent_items) if c is not None]
        return np.concatenate((stored, np.array(recent, dtype=np.int32)))

    def item_code(self, item_id: str) -> int | None:
        if self._item_codes is None:
            self._item_codes = {item: code for code, item in enumerate(self.item_ids.to_pylist())}
        return self._item_codes.get(item_id)

    def _user_code(self, user_id: str) -> int | None:
        if self._user_codes is None:
            self._user_codes = {user: code for code, user in enumerate(self.user_ids.to_pylist())}
        return self._user_codes.get(user_id)

    # Storing

    def to_bytes(self) -> bytes:
        """A compact, self-contained form (NumPy ``.npz``) for storing a solution version's model."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            kind=np.frombuffer(self.kind.encode(), dtype=np.uint8),
            item_ids=_encode_ids(self.item_ids),
            user_ids=_encode_ids(self.user_ids),
            popularity=self.popularity,
            neighbour_starts=self.neighbour_starts,
            neighbours=self.neighbours,
            neighbour_weights=self.neighbour_weights,
            history_starts=self.history_starts,
            history=self.history,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TrainedModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            stored_kind = stored["kind"].tobytes().decode()
            kind: ModelKind = (
                "trending"
                if stored_kind == "trending"
                else ("popularity" if stored_kind == "popularity" else "item-cooccurrence")
            )
            return cls(
                kind,
                _decode_ids(stored["item_ids"]),
                stored["popularity"],
                stored["neighbour_starts"],
                stored["neighbours"],
                stored["neighbour_weights"],
                _decode_ids(stored["user_ids"]),
                stored["history_starts"],
                stored["history"],
            )


def _encode_ids(ids: pa.Array) -> np.ndarray:
    return np.frombuffer(json.dumps(ids.to_pylist()).encode(), dtype=np.uint8)


def _decode_ids(encoded: np.ndarray) -> pa.Array:
    return pa.array(json.loads(encoded.tobytes()), pa.string())


def _co_occurrence_neighbours(
    interactions: Interactions, popularity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each item's strongest neighbours by windowed, cosine-normalised co-occurrence, as CSR arrays."""
    users, items = interactions.users, interactions.items
    item_count = len(popularity)
    # Pairs are counted undirected (low code first), first per distance, whose weight is 1 / distance.
    # A pair's code is low * item_count + high: 32 bits wide when the catalogue allows, to halve the memory.
    code_type = np.int32 if item_count * item_count < 2**31 else np.int64
    pairs, weights = [], []
    for distance in range(1, CO_OCCURRENCE_WINDOW + 1):
        same_user = users[:-distance] == users[distance:]
        first, second = items[:-distance][same_user], items[distance:][same_user]
        different = first != second
        low = np.minimum(first[different], second[different]).astype(code_type)
        high = np.maximum(first[different], second[different]).astype(code_type)
        codes, counts = np.unique(low * code_type(item_count) + high, return_counts=True)
        pairs.append(codes)
        weights.append((counts / distance).astype(np.float32))
    all_codes, all_weights = np.concatenate(pairs), np.concatenate(weights)
    del pairs, weights
    pair_codes, inverse = np.unique(all_codes, return_inverse=True)
    del all_codes
    strength = np.bincount(inverse, weights=all_weights)
    del inverse, all_weights
    low, high = (pair_codes // item_count).astype(np.int32), (pair_codes % item_count).astype(np.int32)
    similarity = (strength / np.sqrt(popularity[low] * popularity[high])).astype(np.float32)
    return _strongest_neighbours(low, high, similarity, item_count)


def _strongest_neighbours(
    low: np.ndarray, high: np.ndarray, similarity: np.ndarray, item_count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR lists of each item's ``NEIGHBOURS`` most similar items, from undirected similar pairs.

    Rows are built a block of items at a time, so that only a slice of the pairs is ever sorted at once.
    """
    row_lengths = np.zeros(item_count, dtype=np.int64)
    targets, weights = [], []
    block = max(1, -(-item_count // 16))
    for begin in range(0, item_count, block):
        end = min(begin + block, item_count)
        as_low, as_high = (low >= begin) & (low < end), (high >= begin) & (high < end)
        source = np.concatenate((low[as_low], high[as_high]))
        target = np.concatenate((high[as_low], low[as_high]))
        weight = np.concatenate((similarity[as_low], similarity[as_high]))
        order = np.lexsort((-weight, source))
        source, target, weight = source[order], target[order], weight[order]
        row_starts = np.searchsorted(source, np.arange(begin, end + 1))
        rank_in_row = np.arange(len(source)) - np.repeat(row_starts[:-1], np.diff(row_starts))
        keep = rank_in_row < NEIGHBOURS
        targets.append(target[keep])
        weights.append(weight[keep])
        row_lengths[begin:end] = np.minimum(np.diff(row_starts), NEIGHBOURS)
    starts = np.concatenate(([0], np.cumsum(row_lengths))).astype(np.int64)
    return starts, np.concatenate(targets).astype(np.int32), np.concatenate(weights).astype(np.float32)


def _trend(interactions: Interactions, popularity: np.ndarray) -> np.ndarray:
    """Trending-Now's ranking: each item's growth in interactions from the previous ``TREND_WINDOW_SECONDS``
    to the latest (ending at the newest interaction); items that did not grow rank after those that did, by
    popularity, which a small weight keeps as the tie-breaker."""
    if len(interactions.timestamps) == 0:
        return popularity
    end = int(interactions.timestamps.max())
    latest = interactions.timestamps > end - TREND_WINDOW_SECONDS
    previous = (interactions.timestamps > end - 2 * TREND_WINDOW_SECONDS) & ~latest
    count = len(popularity)
    growth = np.bincount(interactions.items[latest], minlength=count) - np.bincount(
        interactions.items[previous], minlength=count
    )
    return np.maximum(growth, 0).astype(np.float64) + popularity / (popularity.sum() + 1.0)


def _recent_histories(interactions: Interactions) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Each user's last ``HISTORY_KEPT`` interactions (item codes, oldest first), as CSR arrays."""
    starts = interactions.user_starts()
    counts = np.diff(starts)
    kept = np.minimum(counts, HISTORY_KEPT)
    history_starts = np.concatenate(([0], np.cumsum(kept))).astype(np.int64)
    first_kept = np.repeat(starts[1:] - kept, kept)
    offsets = np.arange(history_starts[-1]) - np.repeat(history_starts[:-1], kept)
    history = interactions.items[first_kept + offsets].astype(np.int32)
    return interactions.user_ids, history_starts, history
