"""The filter expression language: AWS's examples parse, refusals say why, effects on known data."""

import json
import re

import pyarrow as pa
import pytest

from personalize_emulator.engine.avro import parse_schema
from personalize_emulator.engine.filters import (
    INTERACTIONS_CONSIDERED_PER_EVENT_TYPE,
    Filter,
    FilterData,
    FilterError,
    FilterRequest,
    parse_filter,
)

# Every expression of AWS's "Filter expression examples" pages (item recommendation, user segment, action
# recommendation, combining multiple expressions), as written there, and the ml_ops sample's filter.
AWS_EXAMPLES = [
    "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($EVENT_TYPE)",
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")',
    'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")',
    "EXCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)",
    "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE",
    'EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("shoe") AND Items.CATEGORY_L2 NOT IN ("boot")',
    'EXCLUDE ItemID WHERE Items.CATEGORY IN ("shoe") AND Items.DESCRIPTION NOT IN ("boot")',
    "INCLUDE ItemID WHERE Items.PRICE <= $PRICE",
    "INCLUDE ItemID WHERE Items.CREATION_TIMESTAMP < $DATE",
    "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)",
    "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.CREATION_TIMESTAMP > $DATE",
    "EXCLUDE ItemID WHERE Items.GENRE IN ($GENRE) IF CurrentUser.AGE = $AGE",
    'INCLUDE ItemID WHERE Items.CATEGORY IN ("watch") AND Items.DESCRIPTION IN ("luxury") '
    "IF CurrentUser.AGE > 18",
    "INCLUDE UserID WHERE Users.MEMBERSHIP_STATUS IN ($MEMBERSHIP)",
    "EXCLUDE UserID WHERE Users.AGE < $AGE",
    'INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("click, rating")',
    "EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ($EVENT_TYPE)",
    "INCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ($EVENT_TYPE)",
    'EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("NOT_TAKEN")',
    "EXCLUDE ActionID WHERE Actions.CATEGORY IN ($CATEGORY)",
    "INCLUDE ActionID WHERE Actions.VALUE > ($VALUE)",
    'INCLUDE ActionID WHERE Action.MEMBERSHIP_LEVEL IN ("Premium") IF CurrentUser.MEMBERSHIP = $PREMIUM',
    "EXCLUDE ActionID WHERE Actions.VALUE < ($VALUE) IF CurrentUser.MEMBERSHIP = $PREMIUM",
    "INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY) "
    '| INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("favorite")',
    "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE) "
    '| EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "stream")',
    "EXCLUDE ItemID WHERE Items.YEAR < 1970",
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
]


@pytest.mark.parametrize("expression", AWS_EXAMPLES)
def test_every_aws_example_parses(expression: str) -> None:
    parsed = parse_filter(expression)
    assert parsed.expressions
    assert parsed.target == expression.split()[1].replace("Id", "ID")


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("", "expected INCLUDE or EXCLUDE"),
        ('EXCLUDE ItemID Items.GENRE IN ("a")', "expected WHERE"),
        ('EXCLUDE ItemID WHERE Items.GENRE IN ("a"', "expected ) or ,"),
        ('EXCLUDE ItemID WHERE Items.GENRE = "a" &', "unexpected '&'"),
        ('REMOVE ItemID WHERE Items.GENRE IN ("a")', "expected INCLUDE or EXCLUDE"),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("a") AND Interactions.EVENT_TYPE IN ("click")',
            "first condition",
        ),
        (
            'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click") OR Items.GENRE IN ("a")',
            "first condition",
        ),
        ('INCLUDE ActionID WHERE Interactions.EVENT_TYPE IN ("click")', "ActionID expressions filter by"),
        ("INCLUDE ItemID WHERE Actions.VALUE > 3", "ItemID expressions filter by"),
        ('INCLUDE UserID WHERE Items.GENRE IN ("a")', "UserID expressions filter by"),
        ('EXCLUDE ItemID WHERE Interactions.EVENT_VALUE IN ("3")', "EVENT_TYPE field only"),
        ('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("click")', "with IN"),
        ('EXCLUDE ActionID WHERE Action_Interactions.EVENT_TYPE IN ("*")', '"*" applies'),
        ('EXCLUDE ItemID WHERE Items.PRICE < "cheap"', "compares numbers"),
        ("EXCLUDE ItemID WHERE Items.GENRE IN (3)", "quoted values"),
        ('INCLUDE ItemID WHERE Items.GENRE IN ("a") IF Items.PRICE > 1', "CurrentUser fields only"),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("a") IF CurrentUser.A = 1 OR CurrentUser.B = 2',
            "unexpected 'OR'",
        ),
        (
            'INCLUDE ItemID WHERE Items.GENRE IN ("a") IF CurrentUser.A = 1 IF CurrentUser.B = 2',
            "unexpected 'IF'",
        ),
        ('INCLUDE UserID WHERE Users.A IN ("a") IF CurrentUser.B = 1', "not UserID"),
        ("INCLUDE ItemID WHERE CurrentUser.AGE > 3", "not CurrentUser"),
        ("INCLUDE UserID WHERE Users.AGE > CurrentItem.AGE", "CurrentItem.AGE cannot be used here"),
        ('EXCLUDE ItemID WHERE Foo.BAR IN ("x")', "names no dataset"),
        ('EXCLUDE ItemID WHERE Items.A IN ("a") | EXCLUDE UserID WHERE Users.A IN ("b")', "same thing"),
        (
            "INCLUDE ItemID WHERE " + " AND ".join(f'Items.F{n} IN ("x")' for n in range(11)),
            "at most 10 distinct dataset fields",
        ),
        (
            "INCLUDE ItemID WHERE " + " OR ".join(f"Items.PRICE > $P{n}" for n in range(26)),
            "at most 25 parameters",
        ),
        (f"INCLUDE ItemID WHERE Items.PRICE > ${'P' * 51}", "longer than 50 characters"),
    ],
)
def test_an_expression_aws_refuses_is_refused_naming_the_problem(expression: str, problem: str) -> None:
    with pytest.raises(FilterError, match=re.escape(problem)):
        parse_filter(expression)


def _schema(name: str, *fields: tuple[str, str] | tuple[str, str, bool]) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "fields": [
                {"name": field[0], "type": field[1], **({"categorical": True} if field[2:] else {})}
                for field in fields
            ],
        }
    )


SCHEMAS = {
    "Items": parse_schema(
        _schema(
            "Items",
            ("ITEM_ID", "string"),
            ("GENRE", "string", True),
            ("STUDIO", "string"),
            ("PRICE", "float"),
            ("CREATION_TIMESTAMP", "long"),
            ("IN_STOCK", "boolean"),
        )
    ),
    "Users": parse_schema(
        _schema("Users", ("USER_ID", "string"), ("AGE", "int"), ("MEMBERSHIP", "string", True))
    ),
    "Interactions": parse_schema(
        _schema(
            "Interactions",
            ("USER_ID", "string"),
            ("ITEM_ID", "string"),
            ("TIMESTAMP", "long"),
            ("EVENT_TYPE", "string"),
        )
    ),
}
ITEMS = pa.table(
    {
        "ITEM_ID": ["i1", "i2", "i3", "i4", "i5"],
        "GENRE": ["Comedy|Drama", "Horror", "Comedy", None, "Drama"],
        "STUDIO": ["A", "B", "A", "B", "A"],
        "PRICE": pa.array([10.0, 5.0, 20.0, 1.0, 10.0], pa.float32()),
        "CREATION_TIMESTAMP": [100, 200, 300, 400, 500],
        "IN_STOCK": [True, True, False, True, True],
    }
)
USERS = pa.table(
    {"USER_ID": ["adult", "child"], "AGE": pa.array([40, 9], pa.int32()), "MEMBERSHIP": ["gold", "free"]}
)
INTERACTIONS = pa.table(
    {
        "USER_ID": ["adult", "adult", "adult", "child"],
        "ITEM_ID": ["i1", "i2", "i3", "i4"],
        "TIMESTAMP": [1, 2, 3, 4],
        "EVENT_TYPE": ["Click", "purchase", None, "click"],
    }
)
DATA = FilterData(items=ITEMS, users=USERS, interactions=INTERACTIONS)
CATALOGUE = pa.array(["i1", "i2", "i3", "i4", "i5", "unknown"])


def kept(expression: str, **request: object) -> list[str]:
    resolved = parse_filter(expression).resolve(SCHEMAS)
    mask = resolved.allowed(CATALOGUE, DATA, FilterRequest(**request))
    return [item for item, keep in zip(CATALOGUE.to_pylist(), mask, strict=True) if keep]


@pytest.mark.parametrize(
    ("expression", "request_members", "expected"),
    [
        # Interactions: the user's own, event types ignoring case.
        (
            'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")',
            {"user_id": "adult"},
            ["i2", "i3", "i4", "i5", "unknown"],
        ),
        (
            'INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("CLICK", "purchase")',
            {"user_id": "adult"},
            ["i1", "i2"],
        ),
        (
            'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")',
            {"user_id": "adult"},
            ["i4", "i5", "unknown"],
        ),
        (
            "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ($TYPES)",
            {"user_id": "adult", "values": {"TYPES": '"click","purchase"'}},
            ["i3", "i4", "i5", "unknown"],
        ),
        # A multi-value categorical field matches any of its values; null matches NOT IN only.
        ('INCLUDE ItemID WHERE Items.GENRE IN ("Drama")', {}, ["i1", "i5"]),
        ('INCLUDE ItemID WHERE Items.GENRE NOT IN ("Drama")', {}, ["i2", "i3", "i4", "unknown"]),
        (
            "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)",
            {"values": {"GENRE": '"Horror","Comedy"'}},
            ["i1", "i2", "i3"],
        ),
        ('INCLUDE ItemID WHERE Items.STUDIO = "A"', {}, ["i1", "i3", "i5"]),
        ('INCLUDE ItemID WHERE Items.STUDIO != "A"', {}, ["i2", "i4", "unknown"]),
        # Numbers, literal or as a parameter (quoted as AWS writes values, or bare).
        ("EXCLUDE ItemID WHERE Items.CREATION_TIMESTAMP < 300", {}, ["i3", "i4", "i5", "unknown"]),
        (
            "INCLUDE ItemID WHERE Items.PRICE <= $PRICE",
            {"values": {"PRICE": '"10"'}},
            ["i1", "i2", "i4", "i5"],
        ),
        ("INCLUDE ItemID WHERE Items.PRICE >= $PRICE", {"values": {"PRICE": "10.5"}}, ["i3"]),
        ("INCLUDE ItemID WHERE Items.PRICE = 10", {}, ["i1", "i5"]),
        # AND binds more tightly than OR.
        (
            'INCLUDE ItemID WHERE Items.STUDIO = "B" OR Items.STUDIO = "A" AND Items.PRICE > 15',
            {},
            ["i2", "i3", "i4"],
        ),
        # CurrentItem: the request's item.
        (
            "INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE",
            {"item_id": "i3"},
            ["i1"],
        ),
        # IF: applies only when the current user meets it.
        (
            'EXCLUDE ItemID WHERE Items.GENRE IN ("Horror") IF CurrentUser.AGE < 18',
            {"user_id": "child"},
            ["i1", "i3", "i4", "i5", "unknown"],
        ),
        (
            'EXCLUDE ItemID WHERE Items.GENRE IN ("Horror") IF CurrentUser.AGE < 18',
            {"user_id": "adult"},
            ["i1", "i2", "i3", "i4", "i5", "unknown"],
        ),
        (
            'EXCLUDE ItemID WHERE Items.GENRE IN ("Horror") IF CurrentUser.AGE < 18',
            {"user_id": "stranger"},
            ["i1", "i2", "i3", "i4", "i5", "unknown"],
        ),
        (
            'INCLUDE ItemID WHERE Items.STUDIO IN ("B") IF CurrentUser.MEMBERSHIP = $LEVEL',
            {"user_id": "adult", "values": {"LEVEL": '"gold"'}},
            ["i2", "i4"],
        ),
        # An EXCLUDE expression without its parameter's value is not applied.
        ("EXCLUDE ItemID WHERE Items.GENRE IN ($GENRE)", {}, ["i1", "i2", "i3", "i4", "i5", "unknown"]),
        # Combining: INCLUDE results united, EXCLUDE results taken away, in any order.
        (
            'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click") '
            '| INCLUDE ItemID WHERE Items.GENRE IN ("Comedy") | INCLUDE ItemID WHERE Items.STUDIO IN ("B")',
            {"user_id": "adult"},
            ["i2", "i3", "i4"],
        ),
    ],
)
def test_a_filter_keeps_exactly_the_candidates_aws_describes(
    expression: str, request_members: dict[str, object], expected: list[str]
) -> None:
    assert kept(expression, **request_members) == expected


def test_an_include_expression_needs_every_parameter() -> None:
    with pytest.raises(FilterError, match="GENRE"):
        kept("INCLUDE ItemID WHERE Items.GENRE IN ($GENRE)")


def test_a_comparison_parameter_must_be_one_number() -> None:
    with pytest.raises(FilterError, match="not a number"):
        kept("INCLUDE ItemID WHERE Items.PRICE < $PRICE", values={"PRICE": '"cheap"'})
    with pytest.raises(FilterError, match="one number"):
        kept("INCLUDE ItemID WHERE Items.PRICE < $PRICE", values={"PRICE": '"1","2"'})


def test_a_float_field_equals_the_number_written_in_its_data() -> None:
    # A schema "float" is 32 bits: 9.99 is held as 9.98999977..., so a comparison made in 64 bits would find
    # no item priced 9.99 and call 9.99 "less than 9.99". The user wrote 9.99 in both places.
    prices = pa.table({"ITEM_ID": ["a", "b", "c"], "PRICE": pa.array([9.99, 19.99, 0.1], pa.float32())})
    data = FilterData(items=prices, users=USERS, interactions=INTERACTIONS)

    def priced(expression: str) -> list[str]:
        catalogue = prices["ITEM_ID"].combine_chunks()
        mask = parse_filter(expression).resolve(SCHEMAS).allowed(catalogue, data, FilterRequest())
        return [item for item, keep in zip(catalogue.to_pylist(), mask, strict=True) if keep]

    assert priced("INCLUDE ItemID WHERE Items.PRICE = 9.99") == ["a"]
    assert priced("INCLUDE ItemID WHERE Items.PRICE < 9.99") == ["c"]
    assert priced("INCLUDE ItemID WHERE Items.PRICE >= 0.1") == ["a", "b", "c"]
    assert priced("INCLUDE ItemID WHERE Items.PRICE != 19.99") == ["a", "c"]


def test_user_segments_filter_users_by_their_interactions_and_metadata() -> None:
    users = pa.array(["adult", "child", "nobody"])

    def segment(expression: str) -> list[str]:
        mask = parse_filter(expression).resolve(SCHEMAS).allowed(users, DATA, FilterRequest())
        return [user for user, keep in zip(users.to_pylist(), mask, strict=True) if keep]

    assert segment('INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("purchase")') == ["adult"]
    assert segment("EXCLUDE UserID WHERE Users.AGE < 18") == ["adult", "nobody"]


def test_only_the_100_most_recent_interactions_per_event_type_count() -> None:
    count = INTERACTIONS_CONSIDERED_PER_EVENT_TYPE + 5
    interactions = pa.table(
        {
            "USER_ID": ["u"] * count,
            "ITEM_ID": [f"old{n}" if n < 5 else f"new{n}" for n in range(count)],
            "TIMESTAMP": list(range(count)),
            "EVENT_TYPE": ["click"] * count,
        }
    )
    candidates = pa.array(["old0", "new5"])
    mask = parse_filter('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")').allowed(
        candidates, FilterData(interactions=interactions), FilterRequest(user_id="u")
    )
    assert mask.tolist() == [True, False]  # the oldest click fell out of the 100 considered


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ('INCLUDE ItemID WHERE Items.COLOUR IN ("red")', "Items schema has no field COLOUR"),
        ('INCLUDE UserID WHERE Users.AGE IN ("3")', "IN and NOT IN match string fields"),
        ("INCLUDE ItemID WHERE Items.GENRE > 3", "compares numeric fields"),
        ('INCLUDE ItemID WHERE Items.PRICE = "x"', "compare it with a number"),
        ("INCLUDE ItemID WHERE Items.IN_STOCK = 1", "boolean"),
        ("INCLUDE ActionID WHERE Actions.VALUE > 3", "no Actions dataset"),
        (
            'INCLUDE ItemID WHERE Items.STUDIO = "A" IF CurrentUser.HEIGHT > 3',
            "Users schema has no field HEIGHT",
        ),
    ],
)
def test_a_filter_on_fields_the_schemas_do_not_have_or_allow_is_refused(
    expression: str, problem: str
) -> None:
    with pytest.raises(FilterError, match=problem):
        parse_filter(expression).resolve(SCHEMAS)


def test_names_match_the_schema_ignoring_case_and_are_resolved_to_its_spelling() -> None:
    resolved: Filter = parse_filter('include ItemID where ITEMS.genre in ("Drama")').resolve(SCHEMAS)
    assert resolved.dataset_fields() == {("Items", "GENRE")}
    assert kept('include ItemID where ITEMS.genre in ("Drama")') == ["i1", "i5"]
