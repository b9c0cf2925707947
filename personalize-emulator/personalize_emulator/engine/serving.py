"""Recommendations from a trained model, as personalize-runtime and batch jobs serve them, with filters.

Filters: the emulator applies the item-interaction family of filter expressions, as AWS writes them
("Filter expressions", "Item recommendation filter examples")::

    EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")
    INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($EVENT_TYPE)
    EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")

Keywords and dataset/field names are matched ignoring case, and so are event types (AWS ignores case only
there); ``"*"`` means every event type, including interactions without one. A ``$PARAM`` placeholder takes
its value from the request's ``filterValues`` (``{"EVENT_TYPE": "\\"click\\",\\"view\\""}``); a placeholder
without a value leaves the filter out, as AWS documents for placeholders. EXCLUDE leaves out the items the
user interacted with; INCLUDE keeps only those. Any other expression (item or user metadata, chained
expressions) raises :class:`UnsupportedFilter`, whose message says what the emulator supports. AWS only
considers each user's 100 most recent interactions per event type; the emulator considers them all.
"""

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .training import TrainedModel

DEFAULT_NUM_RESULTS = 25
ANY_EVENT_TYPE = "*"

_FILTER = re.compile(
    r"\s*(?P<action>EXCLUDE|INCLUDE)\s+ItemID\s+WHERE\s+Interactions\s*\.\s*EVENT_TYPE\s+IN\s*"
    r"\(\s*(?P<values>\$[A-Za-z0-9_]+|\"[^\"]*\"(?:\s*,\s*\"[^\"]*\")*)\s*\)\s*",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"]*)\"")


class UnsupportedFilter(ValueError):
    """A filter expression outside the family the emulator applies (see the module docstring)."""


@dataclass(frozen=True)
class InteractionFilter:
    """A parsed ``EXCLUDE|INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (...)`` expression."""

    include: bool
    event_types: tuple[str, ...]  # quoted values, lower-case; empty when a placeholder gives them
    placeholder: str | None = None

    def event_types_for(self, filter_values: dict[str, str] | None) -> frozenset[str] | None:
        """Lower-case event types to match; None when the filter does not apply to this request."""
        if self.placeholder is None:
            return frozenset(self.event_types)
        value = (filter_values or {}).get(self.placeholder)
        if value is None:
            return None
        return frozenset(quoted.lower() for quoted in _QUOTED.findall(value))


def parse_filter(expression: str) -> InteractionFilter:
    match = _FILTER.fullmatch(expression)
    if match is None:
        raise UnsupportedFilter(
            f"The emulator does not support the filter expression {expression!r}: it applies only "
            '"EXCLUDE|INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (...)" with quoted event types, '
            '"*", or one $PLACEHOLDER.'
        )
    values = match["values"]
    include = match["action"].upper() == "INCLUDE"
    if values.startswith("$"):
        return InteractionFilter(include, (), placeholder=values[1:])
    return InteractionFilter(include, tuple(quoted.lower() for quoted in _QUOTED.findall(values)))


def interacted_items(
    interactions: pa.Table | None, user_id: str | None, event_types: frozenset[str]
) -> set[str]:
    """Items ``user_id`` interacted with, with one of ``event_types`` (lower-case, or ``"*"``)."""
    if interactions is None or user_id is None or interactions.num_rows == 0:
        return set()
    matches = pc.equal(interactions["USER_ID"], user_id)
    if ANY_EVENT_TYPE not in event_types:
        if "EVENT_TYPE" not in interactions.column_names:
            return set()
        wanted = pa.array(sorted(event_types), pa.string())
        matches = pc.and_(matches, pc.is_in(pc.utf8_lower(interactions["EVENT_TYPE"]), value_set=wanted))
    return set(interactions["ITEM_ID"].filter(pc.fill_null(matches, False)).to_pylist())


@dataclass(frozen=True)
class Query:
    """One recommendation request: who or what for, how many, and the filter with its values."""

    user_id: str | None = None
    item_id: str | None = None
    num_results: int = DEFAULT_NUM_RESULTS
    item_filter: InteractionFilter | None = None
    filter_values: dict[str, str] | None = None
    recent_items: tuple[str, ...] = ()  # the user's events since training, oldest first


def _filtered_items(query: Query, interactions: pa.Table | None) -> tuple[bool, set[str]] | None:
    """(include?, items) for the query's filter, or None when no filter applies."""
    if query.item_filter is None:
        return None
    event_types = query.item_filter.event_types_for(query.filter_values)
    if event_types is None:
        return None
    return query.item_filter.include, interacted_items(interactions, query.user_id, event_types)


def recommend(
    model: TrainedModel, recipe_type: str, query: Query, interactions: pa.Table | None
) -> list[tuple[str, float]]:
    """GetRecommendations: items for a user (USER_PERSONALIZATION) or related to an item (RELATED_ITEMS)."""
    filtered = _filtered_items(query, interactions)
    include, listed = filtered if filtered is not None else (False, set())
    # INCLUDE keeps only the listed items: rank the whole catalogue, then keep them.
    wanted = len(model.item_ids) if include else query.num_results
    excluded = () if include else listed
    if recipe_type == "RELATED_ITEMS":
        if query.item_id is None:
            raise ValueError("itemId is required to get recommendations from a RELATED_ITEMS recipe.")
        ranked = model.similar_items(query.item_id, wanted, exclude_items=excluded)
    else:
        if query.user_id is None:
            raise ValueError(f"userId is required to get recommendations from a {recipe_type} recipe.")
        ranked = model.recommend(
            query.user_id, wanted, exclude_items=excluded, recent_items=query.recent_items
        )
    if include:
        ranked = [(item, score) for item, score in ranked if item in listed]
    return ranked[: query.num_results]


def rank(
    model: TrainedModel, query: Query, items: list[str], interactions: pa.Table | None
) -> list[tuple[str, float]]:
    """GetPersonalizedRanking: ``items`` ordered for the user, filtered items left out."""
    filtered = _filtered_items(query, interactions)
    if filtered is not None:
        include, listed = filtered
        items = [item for item in items if (item in listed) == include]
    return model.rank(query.user_id or "", items, recent_items=query.recent_items)


def users_for_item(model: TrainedModel, item_id: str, num_results: int) -> list[str]:
    """A batch segment: the users most likely to interact with ``item_id`` (Item-Affinity), best first.

    A user's affinity sums, over the items in the user's recent history, the item's similarity to
    ``item_id`` in the model (its neighbour weights; the item itself counts as fully similar). Ties, and
    users without affinity, are ordered by how active they are, then by first appearance.
    """
    codes = {item: code for code, item in enumerate(model.item_ids.to_pylist())}
    similarity = np.zeros(len(codes))
    code = codes.get(item_id)
    if code is not None:
        start, end = model.neighbour_starts[code], model.neighbour_starts[code + 1]
        similarity[model.neighbours[start:end]] = model.neighbour_weights[start:end]
        similarity[code] = max(1.0, float(similarity.max()))
    history_lengths = np.diff(model.history_starts)
    owners = np.repeat(np.arange(len(history_lengths)), history_lengths)
    affinity = np.bincount(owners, weights=similarity[model.history], minlength=len(history_lengths))
    order = np.lexsort((np.arange(len(affinity)), -history_lengths, -affinity))[:num_results]
    return list(model.user_ids.take(pa.array(order, pa.int64())).to_pylist())


def scored(ranked: list[tuple[str, float]]) -> dict[str, Any]:
    """Batch inference output: the ranked items and their scores, to 7 digits as AWS's output files show."""
    return {
        "recommendedItems": [item for item, _ in ranked],
        "scores": [round(score, 7) for _, score in ranked],
    }
