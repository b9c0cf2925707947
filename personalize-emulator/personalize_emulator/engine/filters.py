"""Personalize's filter expression language: parsed once when a filter is created, applied to each request.

The language, from AWS's developer guide ("Filter expression structure and elements",
https://docs.aws.amazon.com/personalize/latest/dg/creating-filter-expressions.html; "Guidelines and
requirements", https://docs.aws.amazon.com/personalize/latest/dg/filter-expression-guidelines-requirements.html;
the examples of https://docs.aws.amazon.com/personalize/latest/dg/filter-expression-examples.html)::

    INCLUDE|EXCLUDE ItemID|UserID|ActionID WHERE Dataset.FIELD IN|NOT IN (values) [AND|OR ...]
        [IF CurrentUser.FIELD <op> value [AND ...]]  [| another expression ...]

The grammar is :data:`GRAMMAR`, parsed by lark's LALR parser (a declarative grammar that can be read against
AWS's page as a whole, and errors that name the unexpected token, its position and what was expected,
which hand-written recursive descent would have to reimplement). :func:`parse_filter` checks the rules that
need no data; :meth:`Filter.resolve` those that need the dataset group's schemas (CreateFilter runs both);
:meth:`Filter.allowed` applies a filter to the candidates of one request. Rules, each from the pages above:

- ItemID filters items by Items fields or by the user's Interactions; UserID filters users (segments) by
  Users fields or Interactions; ActionID filters actions by Actions fields or the user's Action_Interactions.
- Conditions chained with AND or OR use the dataset of the first condition only, so Interactions and Items
  (or Item interactions and Actions) combine only as separate expressions joined by ``|``. AND binds more
  tightly than OR (AWS does not document precedence: we take SQL's, the reading its examples suggest).
- Interaction datasets filter by EVENT_TYPE only, with IN; ``"*"`` means every event type (Interactions
  only, the one dataset AWS documents it for); event types match ignoring case, everything else exactly.
- IN / NOT IN match string values (a multi-value categorical field matches when any of its ``|``-separated
  values does); =, !=, <, <=, >, >= compare numbers, and = / != also strings (AWS's own example compares
  ``CurrentUser.MEMBERSHIP = $PREMIUM``). Textual and boolean fields cannot be filtered on.
- ``CurrentItem.FIELD`` (the request's item) stands on the right of an Items condition of an ItemID
  expression, and applies only to recipes that recommend related items (the caller checks that).
- ``IF`` comes once, at the end of an ItemID or ActionID expression, with CurrentUser conditions joined by
  AND; when the current user does not meet it (or has no Users record), the expression is not applied.
- ``$NAME`` placeholders take their values from the request's ``filterValues`` (``"\\"a\\",\\"b\\""``, or a
  number for a comparison). An INCLUDE expression needs every one of its parameters; an EXCLUDE expression
  missing one is not applied (GetRecommendations' ``filterValues``, API reference).
- Expressions joined by ``|`` combine as AWS's "Combining multiple expressions" says: the union of the
  INCLUDE results, minus the union of the EXCLUDE results (the whole catalogue when none INCLUDE applies).
- Limits: 10 distinct dataset fields per filter (:data:`MAX_FIELDS_PER_FILTER`); parameter names as
  ``filterValues`` keys allow them (``[A-Za-z0-9_]+``, at most 50 characters), and at most 25 of them, as
  many as ``filterValues`` can carry. Only each user's 100 most recent interactions per event type count.

Conservative choices where AWS does not say: dataset and field names match ignoring case (AWS's pages write
``Items.genres`` for a GENRES field and ``ITEMS.genres``), and ``Action.`` is read as ``Actions.`` as in AWS's
own example; one filter's expressions all filter the same thing (ItemID, UserID or ActionID); IN on a
numeric field and NOT IN on event types are refused; a filter must name datasets the group has, and their
fields (an interactions dataset without EVENT_TYPE still takes EVENT_TYPE filters: its interactions match
``"*"`` only); a record without the field (null) matches no IN or comparison, and does match NOT IN and !=.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

import lark
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .avro import PersonalizeSchema, SchemaField

Target = Literal["ItemID", "UserID", "ActionID"]
Operator = Literal["=", "!=", "<", "<=", ">", ">="]

MAX_FIELDS_PER_FILTER = 10
MAX_FIELDS_PER_DATASET_GROUP = 20
MAX_PARAMETERS = 25  # filterValues holds at most 25 entries (GetRecommendations, API reference)
MAX_PARAMETER_NAME_CHARS = 50
INTERACTIONS_CONSIDERED_PER_EVENT_TYPE = 100
ANY_EVENT_TYPE = "*"

ITEMS, USERS, INTERACTIONS = "Items", "Users", "Interactions"
ACTIONS, ACTION_INTERACTIONS = "Actions", "Action_Interactions"
CURRENT_ITEM, CURRENT_USER = "CurrentItem", "CurrentUser"
# What each target may be filtered by (its own metadata dataset, and its interactions).
TARGET_DATASETS: dict[str, tuple[str, str]] = {
    "ItemID": (ITEMS, INTERACTIONS),
    "UserID": (USERS, INTERACTIONS),
    "ActionID": (ACTIONS, ACTION_INTERACTIONS),
}
ID_FIELDS = {ITEMS: "ITEM_ID", USERS: "USER_ID", ACTIONS: "ACTION_ID"}
_DATASET_NAMES = {
    name.lower().replace("_", ""): name
    for name in (ITEMS, USERS, INTERACTIONS, ACTIONS, ACTION_INTERACTIONS, CURRENT_ITEM, CURRENT_USER)
} | {"action": ACTIONS}
NUMERIC_TYPES = frozenset({"int", "long", "float", "double"})

GRAMMAR = r"""
    filter: expression ("|" expression)*
    expression: ACTION TARGET _WHERE disjunction if_clause?
    disjunction: conjunction (_OR conjunction)*
    conjunction: condition (_AND condition)*
    if_clause: _IF condition (_AND condition)*
    condition: field _IN values             -> member
             | field _NOT _IN values        -> not_member
             | field COMPARATOR operand     -> comparison
    field: NAME "." NAME
    values: "(" value ("," value)* ")"
          | field
    value: STRING | PARAM | NUMBER
    operand: STRING | PARAM | NUMBER | field | "(" operand ")"

    ACTION: "INCLUDE"i | "EXCLUDE"i
    TARGET: "ItemID"i | "UserID"i | "ActionID"i
    _WHERE: "WHERE"i
    _AND: "AND"i
    _OR: "OR"i
    _IF: "IF"i
    _IN: "IN"i
    _NOT: "NOT"i
    COMPARATOR: "<=" | ">=" | "!=" | "=" | "<" | ">"
    PARAM: "$" /[A-Za-z0-9_]+/
    STRING: /"[^"]*"/
    NUMBER: /[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
    NAME: /[A-Za-z_][A-Za-z0-9_]*/

    %import common.WS
    %ignore WS
"""
_PARSER = lark.Lark(GRAMMAR, start="filter", parser="lalr")


class FilterError(ValueError):
    """A filter expression AWS would refuse (at CreateFilter), or a request it cannot be applied to."""


# -- the parsed form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRef:
    dataset: str  # one of the dataset names above, CurrentItem or CurrentUser
    name: str  # as written until resolve(), then as the schema spells it
    type: str | None = None  # the schema's type, once resolved
    categorical: bool = False

    def __str__(self) -> str:
        return f"{self.dataset}.{self.name}"


@dataclass(frozen=True)
class Param:
    name: str

    def __str__(self) -> str:
        return self.name


Value = str | float | Param
Operand = Value | FieldRef


@dataclass(frozen=True)
class Membership:
    field: FieldRef
    values: tuple[Value, ...] | FieldRef  # a CurrentItem field stands for the current item's values
    negated: bool = False


@dataclass(frozen=True)
class Comparison:
    field: FieldRef
    operator: Operator
    operand: Operand


Condition = Membership | Comparison


@dataclass(frozen=True)
class Expression:
    include: bool
    target: Target
    disjunction: tuple[tuple[Condition, ...], ...]  # OR of ANDs
    if_conditions: tuple[Condition, ...] = ()

    @property
    def dataset(self) -> str:
        return self.disjunction[0][0].field.dataset

    def conditions(self) -> Iterable[Condition]:
        for conjunction in self.disjunction:
            yield from conjunction
        yield from self.if_conditions

    @property
    def parameters(self) -> frozenset[str]:
        return frozenset(_parameters(self.conditions()))


def _parameters(conditions: Iterable[Condition]) -> Iterable[str]:
    for condition in conditions:
        operands = condition.values if isinstance(condition, Membership) else (condition.operand,)
        if isinstance(operands, tuple):
            yield from (operand.name for operand in operands if isinstance(operand, Param))


# -- what a request brings ------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterData:
    """The dataset group's records a filter reads (each the ALL view of its dataset, or None)."""

    items: pa.Table | None = None
    users: pa.Table | None = None
    interactions: pa.Table | None = None
    actions: pa.Table | None = None
    action_interactions: pa.Table | None = None

    def table(self, dataset: str) -> pa.Table | None:
        return {
            ITEMS: self.items,
            USERS: self.users,
            INTERACTIONS: self.interactions,
            ACTIONS: self.actions,
            ACTION_INTERACTIONS: self.action_interactions,
        }[dataset]


@dataclass(frozen=True)
class FilterRequest:
    """The request a filter is applied to: its user, its item (related items) and its filterValues."""

    user_id: str | None = None
    item_id: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)


# -- the filter ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    expression: str
    expressions: tuple[Expression, ...]

    @property
    def target(self) -> Target:
        return self.expressions[0].target

    @property
    def parameters(self) -> frozenset[str]:
        return frozenset().union(*(expression.parameters for expression in self.expressions))

    @property
    def uses_current_item(self) -> bool:
        return any(_is_current_item(condition) for condition in self._conditions())

    @property
    def datasets(self) -> frozenset[str]:
        return frozenset(expression.dataset for expression in self.expressions)

    def dataset_fields(self) -> frozenset[tuple[str, str]]:
        """The distinct dataset fields the filter uses (CurrentItem's are Items', CurrentUser's Users')."""
        used = set()
        for condition in self._conditions():
            for ref in _field_refs(condition):
                dataset = {CURRENT_ITEM: ITEMS, CURRENT_USER: USERS}.get(ref.dataset, ref.dataset)
                used.add((dataset, ref.name.upper()))
        return frozenset(used)

    def _conditions(self) -> Iterable[Condition]:
        for expression in self.expressions:
            yield from expression.conditions()

    def resolve(self, schemas: Mapping[str, PersonalizeSchema]) -> Filter:
        """Check the filter against the dataset group's schemas (by dataset type) and return it with the
        fields as the schemas name and type them; FilterError names what does not fit."""
        return replace(self, expressions=tuple(_resolve_expression(e, schemas) for e in self.expressions))

    def allowed(self, candidates: pa.Array, data: FilterData, request: FilterRequest) -> np.ndarray:
        """Which of ``candidates`` (ids of the filter's target) the filter lets through, as a bool mask.

        Raises FilterError for a request the filter cannot serve (an INCLUDE parameter without a value, a
        value that is not a number where one is compared ...).
        """
        candidates = _string_array(candidates)
        included: np.ndarray | None = None
        excluded = np.zeros(len(candidates), dtype=bool)
        for expression in self.expressions:
            missing = sorted(expression.parameters - set(request.values))
            if missing:
                if expression.include:
                    raise FilterError(
                        f"Provide filterValues for the parameters of the filter's INCLUDE expression: "
                        f"{', '.join(missing)}."
                    )
                continue  # "Amazon Personalize doesn't use that portion of the expression"
            if not _user_meets(expression.if_conditions, data, request):
                continue
            matches = _matches(expression, candidates, data, request)
            if expression.include:
                included = matches if included is None else included | matches
            else:
                excluded |= matches
        kept = np.ones(len(candidates), dtype=bool) if included is None else included
        return kept & ~excluded


def _field_refs(condition: Condition) -> Iterable[FieldRef]:
    yield condition.field
    other = condition.values if isinstance(condition, Membership) else condition.operand
    if isinstance(other, FieldRef):
        yield other


def _is_current_item(condition: Condition) -> bool:
    return any(ref.dataset == CURRENT_ITEM for ref in _field_refs(condition))


# -- parsing -----------------------------------------------------------------------------------------


def parse_filter(expression: str) -> Filter:
    """Parse a filterExpression and check the rules that need no data; FilterError says what is wrong."""
    try:
        tree = _PARSER.parse(expression)
    except lark.exceptions.UnexpectedInput as error:
        raise FilterError(_syntax_error(expression, error)) from None
    expressions = tuple(_expression(node) for node in _trees(tree))
    _check_filter(expressions)
    return Filter(expression, expressions)


def unexpected_at(expression: str, error: lark.exceptions.UnexpectedInput) -> tuple[str, int]:
    """What a parser stopped at in ``expression`` (the word there, quoted, or the end) and where (from 1)."""
    at_end = isinstance(error, lark.exceptions.UnexpectedToken) and error.token.type == "$END"
    position = len(expression) if at_end or error.pos_in_stream is None else error.pos_in_stream
    rest = expression[position:].split(maxsplit=1)
    return (repr(rest[0]) if rest else "end of the expression"), position + 1


def _syntax_error(expression: str, error: lark.exceptions.UnexpectedInput) -> str:
    found, position = unexpected_at(expression, error)
    expected: set[str] = set()
    if isinstance(error, lark.exceptions.UnexpectedToken):
        expected = set(error.expected)
    elif isinstance(error, lark.exceptions.UnexpectedCharacters):
        expected = set(error.allowed or ())
    words = sorted(_TERMINAL_WORDS.get(name, name) for name in expected if not name.startswith("__ANON"))
    hint = f"; expected {' or '.join(words)}" if words else ""
    return f"Invalid filter expression: unexpected {found} at character {position}{hint}."


_TERMINAL_WORDS = {
    "ACTION": "INCLUDE or EXCLUDE",
    "TARGET": "ItemID, UserID or ActionID",
    "_WHERE": "WHERE",
    "_AND": "AND",
    "_OR": "OR",
    "_IF": "IF",
    "_IN": "IN",
    "_NOT": "NOT IN",
    "COMPARATOR": "a comparison operator",
    "PARAM": "a $PARAMETER",
    "STRING": 'a "quoted value"',
    "NUMBER": "a number",
    "NAME": "a Dataset.FIELD",
    "LPAR": "(",
    "RPAR": ")",
    "COMMA": ",",
    "DOT": ".",
    "VBAR": "|",
    "$END": "the end of the expression",
}


def _trees(node: lark.Tree) -> list[lark.Tree]:
    return [child for child in node.children if isinstance(child, lark.Tree)]


def _tokens(node: lark.Tree) -> list[lark.Token]:
    return [child for child in node.children if isinstance(child, lark.Token)]


def _expression(node: lark.Tree) -> Expression:
    action, target, disjunction, *rest = node.children
    canonical_target: Target = {"itemid": "ItemID", "userid": "UserID", "actionid": "ActionID"}[
        str(target).lower()
    ]  # type: ignore[assignment]
    conjunctions = tuple(tuple(_condition(c) for c in conj.children) for conj in disjunction.children)
    if_conditions = tuple(_condition(c) for c in rest[0].children) if rest else ()
    return Expression(str(action).upper() == "INCLUDE", canonical_target, conjunctions, if_conditions)


def _condition(node: lark.Tree) -> Condition:
    field_node, *others = node.children
    ref = _field(field_node)
    if node.data in ("member", "not_member"):
        (values,) = others
        if values.children[0].data == "field":  # CurrentItem.X: the current item's values
            return Membership(ref, _field(values.children[0]), negated=node.data == "not_member")
        parsed = tuple(_value(token) for value in _trees(values) for token in _tokens(value))
        return Membership(ref, parsed, negated=node.data == "not_member")
    operator, operand = others
    return Comparison(ref, str(operator), _operand(operand))  # type: ignore[arg-type]


def _operand(node: lark.Tree) -> Operand:
    (child,) = node.children
    if isinstance(child, lark.Tree):
        return _field(child) if child.data == "field" else _operand(child)
    return _value(child)


def _value(token: lark.Token) -> Value:
    if token.type == "PARAM":
        return Param(str(token)[1:])
    if token.type == "NUMBER":
        return float(token)
    return str(token)[1:-1]


def _field(node: lark.Tree) -> FieldRef:
    dataset, name = (str(child) for child in node.children)
    canonical = _DATASET_NAMES.get(dataset.lower().replace("_", ""))
    if canonical is None:
        raise FilterError(
            f"Invalid filter expression: {dataset}.{name} names no dataset; use Items, Users, Interactions,"
            " Actions, Action_Interactions, CurrentItem or CurrentUser."
        )
    return FieldRef(canonical, name)


def _check_filter(expressions: tuple[Expression, ...]) -> None:
    targets = {expression.target for expression in expressions}
    if len(targets) > 1:
        raise FilterError(
            "All expressions of a filter must filter the same thing; this one mixes "
            f"{', '.join(sorted(targets))}."
        )
    for expression in expressions:
        _check_expression(expression)
    filter_ = Filter("", expressions)
    fields = filter_.dataset_fields()
    if len(fields) > MAX_FIELDS_PER_FILTER:
        raise FilterError(
            f"A filter can use at most {MAX_FIELDS_PER_FILTER} distinct dataset fields; this one uses "
            f"{len(fields)}."
        )
    parameters = filter_.parameters
    if len(parameters) > MAX_PARAMETERS:
        raise FilterError(
            f"A filter can have at most {MAX_PARAMETERS} parameters; this one has {len(parameters)}."
        )
    for name in sorted(parameters):
        if len(name) > MAX_PARAMETER_NAME_CHARS:
            raise FilterError(f"The parameter ${name} is longer than {MAX_PARAMETER_NAME_CHARS} characters.")


def _check_expression(expression: Expression) -> None:
    first, (own_dataset, interactions) = expression.dataset, TARGET_DATASETS[expression.target]
    if first not in (own_dataset, interactions):
        raise FilterError(
            f"{expression.target} expressions filter by {own_dataset} or {interactions} fields, not {first}."
        )
    for conjunction in expression.disjunction:
        for condition in conjunction:
            if condition.field.dataset != first:
                raise FilterError(
                    f"Conditions chained with AND or OR use the dataset of the first condition ({first}); "
                    f"{condition.field} is not one of its fields. Join expressions on other datasets with |."
                )
            _check_where_condition(expression, condition)
    if expression.if_conditions and expression.target == "UserID":
        raise FilterError(
            "An IF condition checks the CurrentUser of item or action recommendations, not UserID."
        )
    for condition in expression.if_conditions:
        if condition.field.dataset != CURRENT_USER:
            raise FilterError(f"An IF condition checks CurrentUser fields only, not {condition.field}.")
        if any(ref.dataset == CURRENT_ITEM for ref in _field_refs(condition)):
            raise FilterError("An IF condition cannot use CurrentItem.")
        _check_operands(condition)


def _check_where_condition(expression: Expression, condition: Condition) -> None:
    ref = condition.field
    if ref.dataset in (INTERACTIONS, ACTION_INTERACTIONS):
        if ref.name.upper() != "EVENT_TYPE":
            raise FilterError(f"Interactions filters use the EVENT_TYPE field only, not {ref}.")
        if (
            not isinstance(condition, Membership)
            or condition.negated
            or isinstance(condition.values, FieldRef)
        ):
            raise FilterError(f'Filter {ref} with IN ("type", ...) or IN ($PARAMETER).')
        if ANY_EVENT_TYPE in condition.values and ref.dataset != INTERACTIONS:
            raise FilterError(f'"*" applies to the EVENT_TYPE of an Interactions dataset only, not {ref}.')
    for other in _field_refs(condition):
        if other is ref:
            continue
        if other.dataset != CURRENT_ITEM or ref.dataset != ITEMS:
            raise FilterError(
                f"{other} cannot be used here: compare Items fields with CurrentItem fields, or with values."
            )
    _check_operands(condition)


def _check_operands(condition: Condition) -> None:
    if isinstance(condition, Comparison):
        if isinstance(condition.operand, str) and condition.operator not in ("=", "!="):
            raise FilterError(
                f"{condition.field} {condition.operator} compares numbers; "
                f'"{condition.operand}" is a string (strings take =, != or IN).'
            )
    elif isinstance(condition.values, tuple) and any(isinstance(value, float) for value in condition.values):
        raise FilterError(
            f'IN and NOT IN take quoted values ("value") or $PARAMETERS; see {condition.field}.'
        )


# -- resolving against schemas ------------------------------------------------------------------------


def _resolve_expression(expression: Expression, schemas: Mapping[str, PersonalizeSchema]) -> Expression:
    def resolve(condition: Condition) -> Condition:
        ref = _resolve_field(condition.field, schemas)
        if isinstance(condition, Membership):
            values = condition.values
            resolved = _resolve_field(values, schemas) if isinstance(values, FieldRef) else values
            if ref.dataset not in (INTERACTIONS, ACTION_INTERACTIONS) and ref.type != "string":
                raise FilterError(f"IN and NOT IN match string fields; {ref} is {ref.type}: use =, <, > ...")
            return replace(condition, field=ref, values=resolved)
        operand = condition.operand
        resolved_operand = _resolve_field(operand, schemas) if isinstance(operand, FieldRef) else operand
        numeric = ref.type in NUMERIC_TYPES
        if condition.operator not in ("=", "!=") and not numeric:
            raise FilterError(f"{ref} is {ref.type}: {condition.operator} compares numeric fields.")
        if isinstance(resolved_operand, float) and not numeric:
            raise FilterError(f"{ref} is {ref.type}: compare it with a quoted value, not a number.")
        if isinstance(resolved_operand, str) and numeric:
            raise FilterError(f"{ref} is {ref.type}: compare it with a number, not a quoted value.")
        if isinstance(resolved_operand, FieldRef) and (resolved_operand.type in NUMERIC_TYPES) != numeric:
            raise FilterError(
                f"{ref} ({ref.type}) and {resolved_operand} ({resolved_operand.type}) differ in type."
            )
        return replace(condition, field=ref, operand=resolved_operand)

    return replace(
        expression,
        disjunction=tuple(tuple(resolve(c) for c in conjunction) for conjunction in expression.disjunction),
        if_conditions=tuple(resolve(c) for c in expression.if_conditions),
    )


def _resolve_field(ref: FieldRef, schemas: Mapping[str, PersonalizeSchema]) -> FieldRef:
    dataset = {CURRENT_ITEM: ITEMS, CURRENT_USER: USERS}.get(ref.dataset, ref.dataset)
    schema = schemas.get(dataset)
    if schema is None:
        raise FilterError(f"The filter uses {ref}, but the dataset group has no {dataset} dataset.")
    if dataset in (INTERACTIONS, ACTION_INTERACTIONS):  # EVENT_TYPE, the one field (parse_filter)
        return replace(ref, name="EVENT_TYPE", type="string")
    found: SchemaField | None = next((f for f in schema.fields if f.name.upper() == ref.name.upper()), None)
    if found is None:
        raise FilterError(f"The filter uses {ref}, but the {dataset} schema has no field {ref.name}.")
    if found.textual:
        raise FilterError(f"{ref} is a textual field: filters cannot use unstructured text.")
    if found.type == "boolean":
        raise FilterError(
            f'{ref} is boolean: filters cannot use boolean fields (use a string with "True"/"False", or 0/1).'
        )
    return replace(ref, name=found.name, type=found.type, categorical=found.categorical)


# -- applying -----------------------------------------------------------------------------------------


def _string_array(values: pa.Array | pa.ChunkedArray | Iterable[str]) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(list(values), pa.string())


def _matches(
    expression: Expression, candidates: pa.Array, data: FilterData, request: FilterRequest
) -> np.ndarray:
    if expression.dataset in (INTERACTIONS, ACTION_INTERACTIONS):
        ids = _interacted(expression, data, request)
        return np.asarray(pc.is_in(candidates, value_set=ids).to_numpy(zero_copy_only=False), dtype=bool)
    table = data.table(expression.dataset)
    id_field = ID_FIELDS[expression.dataset]
    rows = pc.index_in(candidates, value_set=_string_array(table[id_field])) if table is not None else None
    result = np.zeros(len(candidates), dtype=bool)
    for conjunction in expression.disjunction:
        met = np.ones(len(candidates), dtype=bool)
        for condition in conjunction:
            column = (
                table[condition.field.name].combine_chunks().take(rows)
                if table is not None and rows is not None
                else pa.nulls(len(candidates), pa.string())
            )
            met &= _condition_mask(condition, column, data, request)
        result |= met
    return result


def _interacted(expression: Expression, data: FilterData, request: FilterRequest) -> pa.Array:
    """The ids the expression's interaction conditions select: for ItemID and ActionID the items or actions
    the current user interacted with (their 100 most recent per event type), for UserID the users."""
    table = data.table(expression.dataset)
    id_field = (
        "USER_ID"
        if expression.target == "UserID"
        else ("ITEM_ID" if expression.dataset == INTERACTIONS else "ACTION_ID")
    )
    empty = pa.array([], pa.string())
    if table is None or table.num_rows == 0 or (expression.target != "UserID" and request.user_id is None):
        return empty
    if expression.target != "UserID":
        table = table.filter(pc.equal(table["USER_ID"], request.user_id))
    selected: list[pa.Array] = []
    for conjunction in expression.disjunction:  # EVENT_TYPE conditions only (parse_filter)
        for condition in conjunction:
            assert isinstance(condition, Membership) and isinstance(condition.values, tuple)
            types = {value.lower() for value in _strings(condition.values, request)}
            rows = table
            if ANY_EVENT_TYPE not in types:
                if "EVENT_TYPE" not in table.column_names:
                    continue
                wanted = pa.array(sorted(types), pa.string())
                rows = table.filter(
                    pc.fill_null(pc.is_in(pc.utf8_lower(table["EVENT_TYPE"]), value_set=wanted), False)
                )
            if expression.target != "UserID":
                rows = _most_recent_per_event_type(rows)
            selected.append(rows[id_field].combine_chunks())
    return pc.unique(pa.concat_arrays(selected)) if selected else empty


def _most_recent_per_event_type(rows: pa.Table) -> pa.Table:
    if rows.num_rows <= INTERACTIONS_CONSIDERED_PER_EVENT_TYPE:
        return rows
    event_types = (
        pc.fill_null(pc.utf8_lower(rows["EVENT_TYPE"]), "") if "EVENT_TYPE" in rows.column_names else None
    )
    if event_types is None:
        return rows.sort_by([("TIMESTAMP", "descending")]).slice(0, INTERACTIONS_CONSIDERED_PER_EVENT_TYPE)
    rows = rows.append_column("__event_type", event_types)
    rows = rows.sort_by([("__event_type", "ascending"), ("TIMESTAMP", "descending")])
    codes = pc.dictionary_encode(rows["__event_type"]).combine_chunks().indices.to_numpy()
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    rank = np.arange(len(codes)) - np.repeat(starts, np.diff(np.append(starts, len(codes))))
    return rows.filter(pa.array(rank < INTERACTIONS_CONSIDERED_PER_EVENT_TYPE)).drop_columns(["__event_type"])


def _strings(values: tuple[Value, ...], request: FilterRequest) -> list[str]:
    strings: list[str] = []
    for value in values:
        if isinstance(value, Param):
            strings.extend(parameter_values(request.values[value.name], value.name))
        else:
            strings.append(str(value))
    return strings


def parameter_values(text: str, name: str = "") -> list[str]:
    """The values of one filterValues entry: ``"a","b"`` (AWS's form), or bare ``a,b``."""
    try:
        (values,) = csv.reader([text], skipinitialspace=True, strict=True)
    except (csv.Error, ValueError):
        raise FilterError(
            f'The filterValues entry {name} is not a list of "quoted", comma-separated values.'
        ) from None
    return [value.strip() for value in values]


def _number(value: Value, request: FilterRequest) -> float:
    if isinstance(value, float):
        return value
    text = value if isinstance(value, str) else parameter_values(request.values[value.name], value.name)
    if isinstance(text, list):
        if len(text) != 1:
            raise FilterError(f"The filterValues entry {value} must be one number for a comparison.")
        text = text[0]
    try:
        return float(text)
    except ValueError:
        raise FilterError(f"{text!r} is not a number.") from None


def _condition_mask(
    condition: Condition, column: pa.Array, data: FilterData, request: FilterRequest
) -> np.ndarray:
    ref = condition.field
    if isinstance(condition, Membership):
        if isinstance(condition.values, FieldRef):
            wanted = _current_item_strings(condition.values, data, request)
        else:
            wanted = _strings(condition.values, request)
        found = any_value_in(column, wanted, ref.categorical)
        return ~found if condition.negated else found
    operand = condition.operand
    if ref.type in NUMERIC_TYPES:
        if isinstance(operand, FieldRef):
            number = _current_item_number(operand, data, request)
            if number is None:
                return np.full(len(column), condition.operator == "!=")
        else:
            number = _number(operand, request)
        compared = _COMPARE[condition.operator](*_at_common_precision(column, number))
        return np.asarray(
            pc.fill_null(compared, condition.operator == "!=").to_numpy(zero_copy_only=False), dtype=bool
        )
    if isinstance(operand, FieldRef):
        strings = _current_item_strings(operand, data, request)
    else:
        strings = _strings((operand,), request) if isinstance(operand, Param) else [str(operand)]
    found = any_value_in(column, strings, ref.categorical)
    return ~found if condition.operator == "!=" else found


def _at_common_precision(column: pa.Array, number: float) -> tuple[pa.Array, pa.Scalar]:
    """A schema ``float`` column is compared at 32 bits, where the number its data wrote is exactly what it
    holds: in 64 bits a price of 9.99 would be 9.98999977 and neither equal to nor above 9.99."""
    if pa.types.is_float32(column.type):
        return column, pa.scalar(number, pa.float32())
    return pc.cast(column, pa.float64()), pa.scalar(number, pa.float64())


_COMPARE = {
    "=": pc.equal,
    "!=": pc.not_equal,
    "<": pc.less,
    "<=": pc.less_equal,
    ">": pc.greater,
    ">=": pc.greater_equal,
}


def any_value_in(column: pa.Array, wanted: list[str], categorical: bool) -> np.ndarray:
    """Whether each value (any of its ``|``-separated values, for a categorical field) is in ``wanted``."""
    value_set = pa.array(wanted, pa.string())
    if not categorical:
        return np.asarray(
            pc.fill_null(pc.is_in(column, value_set=value_set), False).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
    lists = pc.split_pattern(column, "|")
    flat = pc.list_flatten(lists)
    hits = pc.is_in(flat, value_set=value_set).to_numpy(zero_copy_only=False)
    parents = pc.list_parent_indices(lists).to_numpy()
    found = np.zeros(len(column), dtype=bool)
    found[parents[hits]] = True
    return found


def _current_item(data: FilterData, request: FilterRequest, ref: FieldRef) -> object:
    if data.items is None or request.item_id is None:
        return None
    rows = data.items.filter(pc.equal(data.items["ITEM_ID"], request.item_id))
    return rows[ref.name][0].as_py() if rows.num_rows else None


def _current_item_strings(ref: FieldRef, data: FilterData, request: FilterRequest) -> list[str]:
    value = _current_item(data, request, ref)
    if value is None:
        return []
    return str(value).split("|") if ref.categorical else [str(value)]


def _current_item_number(ref: FieldRef, data: FilterData, request: FilterRequest) -> float | None:
    value = _current_item(data, request, ref)
    return float(value) if isinstance(value, int | float) else None


def _user_meets(conditions: tuple[Condition, ...], data: FilterData, request: FilterRequest) -> bool:
    """Whether the current user meets an IF clause (always, without one)."""
    if not conditions:
        return True
    users = data.users
    if users is None or request.user_id is None:
        return False
    record = users.filter(pc.equal(users["USER_ID"], request.user_id))
    if record.num_rows == 0:
        return False
    return all(
        bool(
            _condition_mask(
                condition, record[condition.field.name].combine_chunks().slice(0, 1), data, request
            )[0]
        )
        for condition in conditions
    )
