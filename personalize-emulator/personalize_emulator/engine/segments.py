"""User segments: the USER_SEGMENTATION recipes, their batch segment queries and their metrics.

Recipes (developer guide, "Item-Affinity recipe",
https://docs.aws.amazon.com/personalize/latest/dg/item-affinity-recipe.html, and "Item-Attribute-Affinity
recipe", https://docs.aws.amazon.com/personalize/latest/dg/item-attribute-affinity-recipe.html):

- ``aws-item-affinity`` gives, for each ``{"itemId": ...}`` line of a batch segment job, the users most likely
  to interact with that item. It needs Interactions data; Items and Users are optional.
- ``aws-item-attribute-affinity`` gives, for each ``{"itemAttributes": ...}`` line, the users most likely to
  interact with items that have those attributes. It needs an Items dataset with at least one non-textual,
  non-reserved metadata column (else training fails, :class:`.training.TrainingError`).

Model: both train training.py's item co-occurrence model on the Interactions data (filtered by the
solution's eventType and eventValueThreshold, with training's minimum-data rules) and keep each user's recent
history. A query is a *relevance* per item: Item-Affinity's item counts 1 (or its strongest neighbour's
weight, if higher) and its neighbours their co-occurrence weight; Item-Attribute-Affinity's matching items
count 1 and the others ``SPREAD_WEIGHT`` times their co-occurrence with the matching ones (scaled to the
strongest), so that a user whose history leans towards such items ranks above one whose history does not.
A user's affinity sums the relevance of their recent history, the newer counting more (training's
``RECENCY_DECAY`` per step back): the expected interest of their next interactions. Segments list users by
affinity, ties by how active they are, then by first appearance. Item-Attribute-Affinity keeps the Items
metadata (:class:`ItemAttributes`) as it was at training: AWS generates segments from the data of the last
training ("Getting batch user segments with custom resources").

Item attribute expressions ("Preparing input data for user segments",
https://docs.aws.amazon.com/personalize/latest/dg/prepare-input-data-user-segment.html)::

    ITEMS.COLUMN = "value" [AND ITEMS.COLUMN = value ...]

The grammar is :data:`GRAMMAR` (lark, as the filter language in ``filters.py``): "batch segment input
expressions support only the = symbol", joined by AND ("OR ... can be split into two queries": AWS's answer
on re:Post); a value is a quoted string, in which ``\\`` escapes quotes and special characters, or a
number for a numerical column. A categorical column matches when any of its ``|``-separated values does, as
in filters (``filters.any_value_in``); AND needs every condition on the same item, so ``genres = "Comedy"
AND genres = "Action"`` selects action comedies. Columns match ignoring case, as filters'. An expression that
no item matches still gets a segment (users by activity): AWS does not say it fails.

Output: ``{"usersList": [...]}`` for both recipes, the member AWS's own samples read from real jobs
(amazon-personalize-samples' user_segmentation_example.ipynb, both recipes; the Retail Demo Store's
segmentation lab). The developer guide's "Batch segment job output format examples" show
``recommendedUsers``, and for Item-Attribute-Affinity no ``input`` member; the samples' outputs are the ones a
real job wrote, so they are followed.

Metrics ("Evaluating a solution version with metrics",
https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html): for USER_SEGMENTATION
recipes "the training set consists of 80% of each user's interactions data and the testing set consists of
20%": here each user's oldest 80% (the newest 20%, at least one interaction, for users with two or more are
held out). A model trained on the rest answers queries: Item-Affinity each item of the held-out data,
Item-Attribute-Affinity each value of a categorical or string column found on the held-out items (numerical
columns are not evaluated: an exact price is no segment); at most ``MAX_EVALUATED_QUERIES`` of them, those of
lowest CRC-32, so that the same data yields the same figures. K is "the top 1% of the most relevant users"
(at least one). The *actual users* of a query are those with a held-out interaction on a matching item.

- ``hits_at_1_percent``: actual users among the top K, averaged over queries (a count: it may exceed 1, as
  AWS's own figures do);
- ``recall_at_1_percent``: those hits divided by the actual users the top K could hold, ``min(actual, K)``
  (the measure AWS's segmentation sample uses), averaged over queries;
- ``coverage``: the distinct users in any query's top K, divided by the users of the Interactions data.

AWS reports only these three for USER_SEGMENTATION recipes ("doesn't generate [mean reciprocal rank] for
PERSONALIZED_ACTIONS or USER_SEGMENTATION recipes"; the sample's GetSolutionMetrics shows coverage,
hits_at_1_percent and recall_at_1_percent). The kept model is then trained on all the data.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, TypeVar

import lark
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .avro import PersonalizeSchema, rules_for
from .datastore import TrainingData
from .filters import NUMERIC_TYPES, any_value_in, unexpected_at
from .serving import Allowed
from .training import RECENCY_DECAY, Interactions, TrainedModel, TrainingError

# Recipe -> whether its queries are item attributes (else items).
SEGMENTATION_RECIPES = {"aws-item-affinity": False, "aws-item-attribute-affinity": True}
SEGMENT_METRIC_NAMES = ("coverage", "hits_at_1_percent", "recall_at_1_percent")
HELD_OUT_SHARE = 0.2
TOP_SHARE = 0.01
MAX_EVALUATED_QUERIES = 200
SPREAD_WEIGHT = 0.5

GRAMMAR = r"""
    query: condition (_AND condition)*
    condition: field "=" value
    field: NAME "." NAME
    value: STRING | NUMBER

    _AND: "AND"i
    STRING: /"(\\.|[^"\\])*"/
    NUMBER: /[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
    NAME: /[A-Za-z_][A-Za-z0-9_]*/

    %import common.WS
    %ignore WS
"""
_PARSER = lark.Lark(GRAMMAR, start="query", parser="lalr")
_SYNTAX = (
    'batch segment expressions are ITEMS.COLUMN = "value" conditions joined by AND: = is their only '
    "comparison and AND their only connective (split an OR into one query per value)"
)


class SegmentQueryError(ValueError):
    """A batch segment job's input line that cannot be answered; ``str(error)`` says why."""


def is_segmentation_recipe(recipe_arn: str) -> bool:
    return recipe_arn.rsplit("/", 1)[-1] in SEGMENTATION_RECIPES


# -- item attribute expressions -------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeCondition:
    column: str  # as written
    value: str | float


@dataclass(frozen=True)
class AttributeQuery:
    expression: str
    conditions: tuple[AttributeCondition, ...]


def parse_item_attributes(expression: str) -> AttributeQuery:
    """Parse an ``itemAttributes`` expression; SegmentQueryError names what is wrong."""
    try:
        tree = _PARSER.parse(expression)
    except lark.exceptions.UnexpectedInput as error:
        raise SegmentQueryError(_syntax_error(expression, error)) from None
    conditions = []
    for condition in tree.children:
        assert isinstance(condition, lark.Tree)
        field, value = condition.children
        assert isinstance(field, lark.Tree) and isinstance(value, lark.Tree)
        dataset, column = (str(token) for token in field.children)
        if dataset.upper() != "ITEMS":
            raise SegmentQueryError(
                f"Invalid itemAttributes {expression!r}: {dataset}.{column} is not an item attribute; "
                "batch segment expressions use ITEMS columns."
            )
        (token,) = value.children
        assert isinstance(token, lark.Token)
        conditions.append(AttributeCondition(column, _literal(token)))
    return AttributeQuery(expression, tuple(conditions))


def _literal(token: lark.Token) -> str | float:
    if token.type == "NUMBER":
        return float(token)
    text = str(token)[1:-1]
    unescaped, escaping = [], False
    for char in text:
        if escaping or char != "\\":
            unescaped.append(char)
        escaping = not escaping and char == "\\"
    return "".join(unescaped)


def _syntax_error(expression: str, error: lark.exceptions.UnexpectedInput) -> str:
    found, position = unexpected_at(expression, error)
    return f"Invalid itemAttributes {expression!r}: unexpected {found} at character {position}; {_SYNTAX}."


# -- the Items metadata a model segments by -----------------------------------------------------------


@dataclass(frozen=True)
class ItemAttributes:
    """The Items columns an Item-Attribute-Affinity model can segment by, one row per item code of its model
    (null where an item has no Items record), and why the schema's other columns cannot be used."""

    table: pa.Table
    types: Mapping[str, str]  # column -> schema type
    categorical: frozenset[str]
    unusable: Mapping[str, str]  # column -> why not

    @classmethod
    def build(
        cls, items: pa.Table | None, schema: PersonalizeSchema | None, item_ids: pa.Array
    ) -> ItemAttributes:
        if items is None or schema is None:
            raise TrainingError("Item-Attribute-Affinity needs an Items dataset in the dataset group.")
        items_rules = rules_for("Items")
        reserved = {*items_rules.required, *items_rules.reserved}
        unusable = {name: "a reserved column" for name in reserved if schema.field(name) is not None}
        usable = []
        for field in schema.fields:
            if field.name in reserved:
                continue
            if field.textual:
                unusable[field.name] = "textual (unstructured text)"
            elif field.type == "boolean":
                unusable[field.name] = "boolean"
            else:
                usable.append(field)
        if not usable:
            raise TrainingError(
                "Item-Attribute-Affinity needs an Items dataset with at least one non-textual, non-reserved "
                "metadata column."
            )
        rows = pc.index_in(item_ids, value_set=items["ITEM_ID"].combine_chunks())
        table = pa.table({field.name: items[field.name].combine_chunks().take(rows) for field in usable})
        return cls(
            table,
            {field.name: field.type for field in usable},
            frozenset(field.name for field in usable if field.categorical),
            unusable,
        )

    def matching(self, query: AttributeQuery) -> np.ndarray:
        """Which item codes have every attribute of ``query``; SegmentQueryError for columns it cannot use."""
        matched = np.ones(self.table.num_rows, dtype=bool)
        for condition in query.conditions:
            matched &= self._condition(query.expression, condition)
        return matched

    def _condition(self, expression: str, condition: AttributeCondition) -> np.ndarray:
        column = self._column(expression, condition.column)
        values = self.table[column].combine_chunks()
        if self.types[column] not in NUMERIC_TYPES:
            if not isinstance(condition.value, str):
                raise SegmentQueryError(
                    f'In {expression!r}, {column} is a string column: compare it with a "quoted value".'
                )
            return any_value_in(values, [condition.value], column in self.categorical)
        if not isinstance(condition.value, float):
            raise SegmentQueryError(
                f"In {expression!r}, {column} is a numerical column: compare it with a number, not a string."
            )
        try:  # compare at the column's own precision: a float column holds 9.99 as float32
            wanted = pa.scalar(condition.value).cast(values.type)
        except pa.ArrowInvalid:  # 2000.5 in an int column: no item has it
            return np.zeros(len(values), dtype=bool)
        equal = pc.fill_null(pc.equal(values, wanted), False)
        return np.asarray(equal.to_numpy(zero_copy_only=False), dtype=bool)

    def _column(self, expression: str, written: str) -> str:
        for name in (*self.types, *self.unusable):
            if name.upper() == written.upper():
                if name in self.unusable:
                    raise SegmentQueryError(
                        f"In {expression!r}, {name} is {self.unusable[name]}: segments use non-textual, "
                        "non-reserved item metadata."
                    )
                return name
        raise SegmentQueryError(
            f"In {expression!r}: the Items schema has no column {written}; segments can use "
            f"{', '.join(self.types)}."
        )

    def evaluated_values(self, item_codes: np.ndarray) -> list[tuple[str, str]]:
        """The (column, value) pairs of the categorical and string columns found on ``item_codes``."""
        found: list[tuple[str, str]] = []
        taken = pa.array(item_codes, pa.int64())
        for column, schema_type in self.types.items():
            if schema_type in NUMERIC_TYPES:
                continue
            values = self.table[column].combine_chunks().take(taken)
            if column in self.categorical:
                values = pc.list_flatten(pc.split_pattern(values, "|"))
            found.extend((column, value) for value in pc.unique(values.drop_null()).to_pylist() if value)
        return found


# -- the model ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentModel:
    """A USER_SEGMENTATION solution version: answers batch segment queries."""

    items: TrainedModel
    attributes: ItemAttributes | None = None  # Item-Attribute-Affinity's; None for Item-Affinity

    def segment(
        self, request: Mapping[str, Any], n: int, allowed: Allowed | None = None
    ) -> dict[str, list[str]]:
        """One batch segment input line's output."""
        if self.attributes is None:
            if not isinstance(request.get("itemId"), str):
                raise SegmentQueryError('Each line needs an "itemId" (Item-Affinity).')
            return {"usersList": self.users_for_item(request["itemId"], n, allowed)}
        if not isinstance(request.get("itemAttributes"), str):
            raise SegmentQueryError('Each line needs "itemAttributes" (Item-Attribute-Affinity).')
        return {"usersList": self.users_for_attributes(request["itemAttributes"], n, allowed)}

    def users_for_item(self, item_id: str, n: int, allowed: Allowed | None = None) -> list[str]:
        """The ``n`` users most likely to interact with ``item_id``, best first."""
        return self._users(self.ranked_users(self.item_relevance(self.items.item_code(item_id))), n, allowed)

    def users_for_attributes(self, expression: str, n: int, allowed: Allowed | None = None) -> list[str]:
        """The ``n`` users most likely to interact with items matching ``expression``, best first."""
        if self.attributes is None:
            raise SegmentQueryError("Item-Affinity segments by items, not by item attributes.")
        matching = self.attributes.matching(parse_item_attributes(expression))
        return self._users(self.ranked_users(self.attribute_relevance(matching)), n, allowed)

    def item_relevance(self, code: int | None) -> np.ndarray:
        """Per item code, how much interacting with it speaks for interest in item ``code``."""
        relevance = np.zeros(len(self.items.item_ids))
        if code is not None:
            start, end = self.items.neighbour_starts[code], self.items.neighbour_starts[code + 1]
            relevance[self.items.neighbours[start:end]] = self.items.neighbour_weights[start:end]
            relevance[code] = max(1.0, float(relevance.max()))
        return relevance

    def attribute_relevance(self, matching: np.ndarray) -> np.ndarray:
        """Per item code, how much interacting with it speaks for interest in the ``matching`` items."""
        model = self.items
        lengths = np.diff(model.neighbour_starts)
        sources = np.repeat(np.arange(len(lengths)), lengths)
        from_matching = matching[sources]
        spread = np.bincount(
            model.neighbours[from_matching],
            weights=model.neighbour_weights[from_matching],
            minlength=len(matching),
        )
        spread[matching] = 0.0
        if spread.max(initial=0.0) > 0:
            spread *= SPREAD_WEIGHT / spread.max()
        return matching.astype(np.float64) + spread

    def ranked_users(self, relevance: np.ndarray) -> np.ndarray:
        """User codes by affinity to items of ``relevance``, best first (ties: the more active first)."""
        affinity = np.bincount(
            self._history_owners,
            weights=self._history_weights * relevance[self.items.history],
            minlength=len(self._activity),
        )
        return np.lexsort((np.arange(len(affinity)), -self._activity, -affinity))

    def _users(self, ranked: np.ndarray, n: int, allowed: Allowed | None) -> list[str]:
        if allowed is not None:
            ranked = ranked[allowed(self.items.user_ids)[ranked]]
        return list(self.items.user_ids.take(pa.array(ranked[:n], pa.int64())).to_pylist())

    @cached_property
    def _activity(self) -> np.ndarray:
        return np.diff(self.items.history_starts)

    @cached_property
    def _history_owners(self) -> np.ndarray:
        return np.repeat(np.arange(len(self._activity)), self._activity)

    @cached_property
    def _history_weights(self) -> np.ndarray:
        """RECENCY_DECAY ** (steps back from the user's newest interaction), per history entry."""
        newest = np.repeat(self.items.history_starts[1:] - 1, self._activity)
        return RECENCY_DECAY ** (newest - np.arange(len(self.items.history)))


@dataclass(frozen=True)
class SegmentTrainingResult:
    model: SegmentModel
    metrics: dict[str, float]  # GetSolutionMetrics' ``metrics``: SEGMENT_METRIC_NAMES -> value


def train_segments(
    data: TrainingData,
    recipe_arn: str,
    *,
    event_type: str | None = None,
    event_value_threshold: float | None = None,
) -> SegmentTrainingResult:
    """Train a USER_SEGMENTATION solution version and measure it; see the module docstring.

    Raises :class:`.training.TrainingError` (the failureReason) when the data does not allow it.
    """
    by_attributes = SEGMENTATION_RECIPES[recipe_arn.rsplit("/", 1)[-1]]
    interactions = Interactions.from_table(data.interactions, event_type, event_value_threshold)
    fit = _fitter(data, by_attributes)
    kept = fit(interactions)  # before evaluating: a failing data check fails fast
    training_part, held_out = _split_each_user(interactions)
    metrics = _evaluate(fit(training_part), held_out, len(interactions.user_ids))
    return SegmentTrainingResult(kept, metrics)


def _fitter(data: TrainingData, by_attributes: bool) -> Callable[[Interactions], SegmentModel]:
    def fit(interactions: Interactions) -> SegmentModel:
        items = TrainedModel.fit("item-cooccurrence", interactions)
        if not by_attributes:
            return SegmentModel(items)
        return SegmentModel(items, ItemAttributes.build(data.items, data.items_schema, interactions.item_ids))

    return fit


@dataclass(frozen=True)
class _HeldOut:
    """Held-out interactions, as user and item codes of the interactions they were split from."""

    users: np.ndarray
    items: np.ndarray


def _split_each_user(interactions: Interactions) -> tuple[Interactions, _HeldOut]:
    starts = interactions.user_starts()
    counts = np.diff(starts)
    held = np.where(counts >= 2, np.maximum(1, (counts * HELD_OUT_SHARE).astype(np.int64)), 0)
    position = np.arange(len(interactions.users)) - np.repeat(starts[:-1], counts)
    is_held = position >= np.repeat(counts - held, counts)
    training = replace(
        interactions,
        users=interactions.users[~is_held],
        items=interactions.items[~is_held],
        timestamps=interactions.timestamps[~is_held],
    )
    return training, _HeldOut(interactions.users[is_held], interactions.items[is_held])


def _evaluate(model: SegmentModel, held_out: _HeldOut, user_count: int) -> dict[str, float]:
    k = max(1, math.ceil(TOP_SHARE * user_count))
    hits, recalls, covered = [], [], set()
    for relevance, matching in _queries(model, held_out):
        actual = np.unique(held_out.users[matching[held_out.items]])
        if len(actual) == 0:
            continue
        top = model.ranked_users(relevance)[:k]
        covered.update(top.tolist())
        query_hits, query_recall = segment_hits(top, actual, k)
        hits.append(query_hits)
        recalls.append(query_recall)
    return {
        "coverage": round(len(covered) / max(user_count, 1), 4),
        "hits_at_1_percent": round(float(np.mean(hits)), 4) if hits else 0.0,
        "recall_at_1_percent": round(float(np.mean(recalls)), 4) if recalls else 0.0,
    }


def _queries(model: SegmentModel, held_out: _HeldOut) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Per evaluated query: its relevance per item code, and which item codes it is about."""
    held_items = np.unique(held_out.items)
    item_count = len(model.items.item_ids)
    if model.attributes is None:
        names = model.items.item_ids.take(pa.array(held_items, pa.int64())).to_pylist()
        for code in _lowest_crc(held_items.tolist(), names):
            matching = np.zeros(item_count, dtype=bool)
            matching[code] = True
            yield model.item_relevance(code), matching
        return
    pairs = model.attributes.evaluated_values(held_items)
    for column, value in _lowest_crc(pairs, [f"{column}={value}" for column, value in pairs]):
        condition = AttributeCondition(column, value)
        matching = model.attributes.matching(AttributeQuery(f'ITEMS.{column} = "{value}"', (condition,)))
        yield model.attribute_relevance(matching), matching


_Query = TypeVar("_Query")


def _lowest_crc(queries: list[_Query], names: list[str]) -> list[_Query]:
    order = sorted(range(len(queries)), key=lambda index: (zlib.crc32(names[index].encode()), index))
    return [queries[index] for index in order[:MAX_EVALUATED_QUERIES]]


def segment_hits(top: np.ndarray, actual: np.ndarray, k: int) -> tuple[int, float]:
    """One query's hits (actual users among the top ``k`` predicted) and recall (hits / min(actual, k))."""
    hits = int(np.isin(top[:k], actual).sum())
    return hits, hits / min(len(actual), k)
