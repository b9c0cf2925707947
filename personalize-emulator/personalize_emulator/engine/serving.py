"""Recommendations from a trained model, as personalize-runtime and batch jobs serve them, with filters.

A filter reaches this module as an :data:`Allowed` function: given candidate ids (the model's items, the
items of a ranking request, its users), it says which of them the filter lets through. Filters themselves,
their language and their rules, are ``filters.py``'s.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .training import TrainedModel

DEFAULT_NUM_RESULTS = 25

# Which of the candidate ids (a string array) a filter lets through, as a bool mask.
Allowed = Callable[[pa.Array], np.ndarray]


@dataclass(frozen=True)
class Query:
    """One recommendation request: who or what for, how many, and the filter that applies to it."""

    user_id: str | None = None
    item_id: str | None = None
    num_results: int = DEFAULT_NUM_RESULTS
    allowed: Allowed | None = None
    recent_items: tuple[str, ...] = ()  # the user's events since training, oldest first


def filtered_out(candidates: pa.Array, allowed: Allowed | None) -> list[str]:
    """The candidates the filter leaves out (none without a filter)."""
    if allowed is None:
        return []
    return list(candidates.filter(pa.array(~allowed(candidates))).to_pylist())


def recommend(model: TrainedModel, recipe_type: str, query: Query) -> list[tuple[str, float]]:
    """GetRecommendations: items for a user (USER_PERSONALIZATION) or related to an item (RELATED_ITEMS)."""
    excluded = filtered_out(model.item_ids, query.allowed)
    if recipe_type == "RELATED_ITEMS":
        if query.item_id is None:
            raise ValueError("itemId is required to get recommendations from a RELATED_ITEMS recipe.")
        return model.similar_items(query.item_id, query.num_results, exclude_items=excluded)
    if query.user_id is None:
        raise ValueError(f"userId is required to get recommendations from a {recipe_type} recipe.")
    return model.recommend(
        query.user_id, query.num_results, exclude_items=excluded, recent_items=query.recent_items
    )


def rank(model: TrainedModel, query: Query, items: list[str]) -> list[tuple[str, float]]:
    """GetPersonalizedRanking: ``items`` ordered for the user, filtered items left out."""
    if query.allowed is not None:
        mask = query.allowed(pa.array(items, pa.string()))
        items = [item for item, keep in zip(items, mask, strict=True) if keep]
    return model.rank(query.user_id or "", items, recent_items=query.recent_items)


def scored(ranked: list[tuple[str, float]]) -> dict[str, Any]:
    """Batch inference output: the ranked items and their scores, to 7 digits as AWS's output files show."""
    return {
        "recommendedItems": [item for item, _ in ranked],
        "scores": [round(score, 7) for _, score in ranked],
    }
