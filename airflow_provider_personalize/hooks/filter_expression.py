"""Whether a filter expression is written in the grammar AWS documents for Amazon Personalize filters.

The grammar is "Filter expression structure and elements"
(https://docs.aws.amazon.com/personalize/latest/dg/creating-filter-expressions.html)::

    EXCLUDE/INCLUDE ItemID/ActionID/UserID WHERE dataset type.field IN/NOT IN (value/parameter)

with AND/OR between conditions, the comparison operators =, !=, <, <=, >, >= for numbers, ``$PARAMETER``
placeholders, ``*`` for every event type, an IF condition on ``CurrentUser`` fields "only once at the end of
an expression" (extended with AND), ``CurrentItem`` fields as values, and ``|`` between expressions. Every
example of AWS's filter-expression example pages parses (tests/input_corpus.py holds them all), including
their looser forms (``Actions.VALUE > ($VALUE)``, ``Items.GENRE IN CurrentItem.GENRE``). Keywords are
matched in any letter case, and grouping parentheses and single quotes are accepted: AWS documents neither
way, so this check does not refuse them. It checks syntax, and the documented limit of 5 distinct dataset
fields per filter (https://docs.aws.amazon.com/personalize/latest/dg/limits.html), not whether the datasets
and fields exist: the service does.

The parser is Lark's LALR parser, built on first use (a task that creates a filter), never at DAG parse.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Lark, Tree

GRAMMAR = r"""
start: expression ("|" expression)*
expression: ACTION SUBJECT WHERE conditions if_clause?
conditions: condition ((AND | OR) condition)*
if_clause: IF condition (AND condition)*
condition: field NOT? IN in_values
         | field COMPARATOR operand
         | "(" conditions ")"
in_values: "(" value ("," value)* ")" | field | PARAMETER
value: STRING | PARAMETER | NUMBER | "*"
operand: NUMBER | PARAMETER | field | "(" (NUMBER | PARAMETER) ")"
field: NAME "." NAME

ACTION: "INCLUDE"i | "EXCLUDE"i
SUBJECT: "ItemID"i | "ActionID"i | "UserID"i
WHERE: "WHERE"i
AND: "AND"i
OR: "OR"i
IF: "IF"i
NOT: "NOT"i
IN: "IN"i
COMPARATOR: "<=" | ">=" | "!=" | "=" | "<" | ">"
PARAMETER: /\$[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /-?[0-9]+(\.[0-9]+)?/
STRING: /"[^"]*"/ | /'[^']*'/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
%ignore /\s+/
"""
# "The maximum number of distinct dataset fields for a filter, either in one expression or across multiple
# expressions chained together, is 5" (creating-filter-expressions, and the quotas page).
MAX_DATASET_FIELDS = 5
# The elements that name the request's user or item rather than a dataset.
CURRENT_USER = "currentuser"
CURRENT_ITEM = "currentitem"
_EXPECTED_WORDS = {
    "ACTION": "INCLUDE or EXCLUDE",
    "SUBJECT": "ItemID, ActionID or UserID",
    "NAME": "a dataset field such as Items.GENRE",
    "COMPARATOR": "a comparison (=, !=, <, <=, >, >=)",
    "STRING": 'a quoted value such as "click"',
    "PARAMETER": "a $PARAMETER",
    "NUMBER": "a number",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "VBAR": "'|'",
    "DOT": "'.'",
    "STAR": "'*'",
}


@functools.cache
def _parser() -> Lark:
    from lark import Lark

    return Lark(GRAMMAR, parser="lalr")


def filter_expression_problem(text: str) -> str | None:
    """What keeps ``text`` from being a filter expression in AWS's grammar, or None."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

    try:
        tree = _parser().parse(text)
    except UnexpectedToken as error:
        expected = " or ".join(sorted({_EXPECTED_WORDS.get(name, name) for name in error.expected}))
        if error.token.type == "$END":
            return f"{text!r} ends too early; expected {expected}"
        return f"unexpected {error.token!s} at column {error.column} of {text!r}; expected {expected}"
    except UnexpectedCharacters as error:
        return f"unexpected {error.char!r} at column {error.column} of {text!r}"
    except UnexpectedInput as error:  # the other ways Lark reports a text its grammar refuses
        return f"not a filter expression: {error}"
    return _semantic_problem(tree)


def _semantic_problem(tree: Tree) -> str | None:
    """The documented rules a grammar does not hold: where CurrentUser may be, and how many fields."""
    from lark import Tree

    dataset_fields: set[str] = set()
    for clause in tree.iter_subtrees():
        if clause.data not in ("conditions", "if_clause"):
            continue
        in_if = clause.data == "if_clause"
        for condition in clause.children:
            if not isinstance(condition, Tree) or condition.data != "condition":
                continue
            subject = condition.children[0]
            if not (isinstance(subject, Tree) and subject.data == "field"):
                continue  # a parenthesised group: its conditions are a clause of their own
            dataset, name = (str(token) for token in subject.children)
            # "Use an IF condition only to check conditions for the CurrentUser", and CurrentUser "in only
            # an IF condition" (creating-filter-expressions).
            if in_if and dataset.lower() != CURRENT_USER:
                return f"IF conditions are on CurrentUser fields, not {dataset}.{name}"
            if not in_if and dataset.lower() == CURRENT_USER:
                return f"CurrentUser.{name} can only be tested in the IF condition at the end"
            if dataset.lower() not in (CURRENT_USER, CURRENT_ITEM):
                dataset_fields.add(f"{dataset}.{name}")
    if len(dataset_fields) > MAX_DATASET_FIELDS:
        return (
            f"{len(dataset_fields)} distinct dataset fields ({', '.join(sorted(dataset_fields))}); a filter "
            f"can use at most {MAX_DATASET_FIELDS}"
        )
    return None
