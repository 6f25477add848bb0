"""The filter language: parsing, precedence, binding to the instrument, three-valued logic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cipsurvey.instrument import expr


def test_precedence_not_binds_tighter_than_and_than_or():
    tree = expr.parse('not a == 1 and b == 2 or c == 3')
    assert isinstance(tree, expr.BoolOp) and tree.op == "or"
    left = tree.operands[0]
    assert isinstance(left, expr.BoolOp) and left.op == "and"
    assert isinstance(left.operands[0], expr.Not)


def test_in_and_not_in_lists():
    tree = expr.parse('work_area not in ["social_services", 4]')
    assert isinstance(tree, expr.In) and tree.negated
    assert [v.value for v in tree.values] == ["social_services", 4.0]


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("ever_cip = 'no'", "use =="),
    ("ever_cip ==", "expected an item"),
    ("(ever_cip == 'no'", "expected ')'"),
    ("__import__('os').system('ls')", "unexpected character '.'"),
    ("__import__('os')", "unknown function '__import__'"),
    ("open('x')", "unknown function"),
    ("ever_cip.__class__", "unexpected character"),
    ("a == 1 b == 2", "unexpected 'b'"),
    ("a in 1", "expected a list"),
    ("answered()", "takes 1 argument"),
])
def test_malformed_expressions_are_refused_with_position(text, fragment):
    with pytest.raises(expr.ExpressionError) as info:
        expr.parse(text)
    assert fragment in str(info.value)


def test_too_deep_nesting_is_refused_not_a_recursion_error():
    text = "(" * 200 + "a == 1" + ")" * 200
    with pytest.raises(expr.ExpressionError, match="nested"):
        expr.parse(text)
    with pytest.raises(expr.ExpressionError, match="nested"):
        expr.parse("not " * 200 + "a == 1")


def test_binding_checks_items_and_answers(inst):
    variables = inst.variables()
    with pytest.raises(expr.ExpressionError, match="unknown item 'evr_cip'"):
        expr.bind('evr_cip == "no"', variables)
    with pytest.raises(expr.ExpressionError, match="has no answer 'maybe'"):
        expr.bind('ever_cip == "maybe"', variables)
    with pytest.raises(expr.ExpressionError, match="multiple-choice"):
        expr.bind('partners_12m == 1', variables)
    with pytest.raises(expr.ExpressionError, match="no option 'police'"):
        expr.bind('selected(partners_12m, "police")', variables)
    with pytest.raises(expr.ExpressionError, match="numeric"):
        expr.bind('age == "old"', variables)
    # answers can be named by name, by label in either language, or by code
    for answer in ('"no"', '"Nej"', '"NO "', "2"):
        expr.bind(f"ever_cip == {answer}", variables)


def tri(series):
    return [None if v is pd.NA else bool(v) for v in series]


def test_three_valued_evaluation(inst):
    frame = pd.DataFrame({
        "ever_cip": [1.0, 2.0, np.nan, 1.0],
        "age": [30.0, 50.0, 40.0, np.nan],
        "work_area": [1.0, 2.0, 3.0, np.nan],
    })
    for item in inst.items:
        for col in item.columns:
            if col not in frame:
                frame[col] = np.nan
    variables = inst.variables()
    got = expr.bind('ever_cip == "yes"', variables).evaluate(frame)
    assert tri(got) == [True, False, None, True]
    got = expr.bind('ever_cip == "yes" and age < 40', variables).evaluate(frame)
    assert tri(got) == [True, False, False, None]  # NA and False is False
    # Kleene logic: False and NA is False, True or NA is True
    got = expr.bind('ever_cip == "no" and age > 100', variables).evaluate(frame)
    assert tri(got) == [False, False, False, False]
    got = expr.bind('ever_cip == "yes" or age > 45', variables).evaluate(frame)
    assert tri(got) == [True, True, None, True]
    got = expr.bind('not work_area in ["social_services", "Psykiatrisk vård"]',
                    variables).evaluate(frame)
    assert tri(got) == [False, False, True, None]
    # the negated list keeps its negation when evaluated, and NA stays NA
    got = expr.bind('work_area not in ["social_services", "Psykiatrisk vård"]',
                    variables).evaluate(frame)
    assert tri(got) == [False, False, True, None]
    got = expr.bind("age not in [30, 40]", variables).evaluate(frame)
    assert tri(got) == [False, True, False, None]
    got = expr.bind("age in [30, 40]", variables).evaluate(frame)
    assert tri(got) == [True, False, True, None]
    got = expr.bind("answered(age)", variables).evaluate(frame)
    assert tri(got) == [True, True, True, False]


# ---------------------------------------------------------------- round trip of generated trees

names = st.sampled_from(["a", "b", "ever_cip", "x1"])
literals = st.one_of(st.integers(-5, 99).map(float), st.text("abc xyz_", min_size=1, max_size=6))


def leaf():
    return st.one_of(
        st.builds(lambda n, op, v: f"{n} {op} {expr.to_text(expr.Literal(v, 0))}",
                  names, st.sampled_from(sorted(expr.COMPARATORS)), literals),
        st.builds(lambda n, vs, neg: f"{n} {'not in' if neg else 'in'} "
                  f"[{', '.join(expr.to_text(expr.Literal(v, 0)) for v in vs)}]",
                  names, st.lists(literals, min_size=1, max_size=3), st.booleans()),
    )


conditions = st.recursive(
    leaf(),
    lambda inner: st.one_of(
        st.builds(lambda a, b, op: f"({a}) {op} ({b})", inner, inner,
                  st.sampled_from(["and", "or"])),
        st.builds(lambda a: f"not ({a})", inner),
    ),
    max_leaves=8,
)


def strip_positions(node):
    if isinstance(node, expr.Name):
        return ("name", node.name)
    if isinstance(node, expr.Literal):
        return ("lit", node.value)
    if isinstance(node, expr.Compare):
        return ("cmp", node.op, strip_positions(node.left), strip_positions(node.right))
    if isinstance(node, expr.In):
        return ("in", node.negated, strip_positions(node.operand),
                tuple(strip_positions(v) for v in node.values))
    if isinstance(node, expr.Not):
        return ("not", strip_positions(node.operand))
    if isinstance(node, expr.BoolOp):
        return (node.op, tuple(strip_positions(o) for o in node.operands))
    raise TypeError(node)


@settings(max_examples=300, deadline=None)
@given(conditions)
def test_canonical_text_parses_back_to_the_same_tree(text):
    tree = expr.parse(text)
    again = expr.parse(expr.to_text(tree))
    assert strip_positions(again) == strip_positions(tree)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_to_a_tree_that_round_trips_or_is_refused_with_its_place(text):
    """Arbitrary text: a tree whose canonical text parses back to it, or one ExpressionError
    saying what is wrong and, where it has one, a position inside the text."""
    try:
        tree = expr.parse(text)
    except expr.ExpressionError as error:
        assert error.message.strip() and error.text in (text, "")  # "" for blank text
        assert error.position is None or 0 <= error.position <= len(text)
        return
    assert strip_positions(expr.parse(expr.to_text(tree))) == strip_positions(tree)


# ------------------------------------------------- evaluation against Kleene logic by hand

# three items of the instrument: two numbers and a yes/no choice (codes 1 = yes, 2 = no)
NUMBERS = ["age", "years_at_workplace"]
ROWS = st.lists(st.tuples(st.sampled_from([20.0, 30.0, 40.0, 55.0, None]),
                          st.sampled_from([0.0, 1.0, 5.0, None]),
                          st.sampled_from([1.0, 2.0, None])), min_size=1, max_size=12)


def _leaf_tree():
    number = st.sampled_from([0, 1, 5, 20, 30, 40, 55, 60])
    return st.one_of(
        st.tuples(st.just("cmp"), st.sampled_from(NUMBERS),
                  st.sampled_from(sorted(expr.COMPARATORS)), number),
        st.tuples(st.just("in"), st.sampled_from(NUMBERS), st.booleans(),
                  st.lists(number, min_size=1, max_size=3)),
        st.tuples(st.just("cmp"), st.just("ever_cip"), st.sampled_from(["==", "!="]),
                  st.sampled_from(['"yes"', '"no"', "1", "2"])),
        st.tuples(st.just("answered"), st.sampled_from([*NUMBERS, "ever_cip"])),
    )


TREES = st.recursive(_leaf_tree(), lambda inner: st.one_of(
    st.tuples(st.sampled_from(["and", "or"]), inner, inner),
    st.tuples(st.just("not"), inner)), max_leaves=6)


def render(tree) -> str:
    kind = tree[0]
    if kind == "cmp":
        return f"{tree[1]} {tree[2]} {tree[3]}"
    if kind == "in":
        return f"{tree[1]} {'not in' if tree[2] else 'in'} [{', '.join(map(str, tree[3]))}]"
    if kind == "answered":
        return f"answered({tree[1]})"
    if kind == "not":
        return f"not ({render(tree[1])})"
    return f"({render(tree[1])}) {kind} ({render(tree[2])})"


def kleene(tree, row: dict):
    """True, False or None (unknown) for one respondent, by the rules of three-valued logic
    written out here independently of the evaluator."""
    kind = tree[0]
    if kind in ("cmp", "in"):
        value = row[tree[1]]
        if value is None:
            return None
        if kind == "in":
            return (value in tree[3]) != tree[2]
        other = float({'"yes"': 1.0, '"no"': 2.0}.get(tree[3], tree[3]))
        return {"==": value == other, "!=": value != other,
                "<": value < other, "<=": value <= other, ">": value > other,
                ">=": value >= other}[tree[2]]
    if kind == "answered":
        return row[tree[1]] is not None
    if kind == "not":
        inner = kleene(tree[1], row)
        return None if inner is None else not inner
    left, right = kleene(tree[1], row), kleene(tree[2], row)
    if kind == "and":
        if left is False or right is False:
            return False
        return None if None in (left, right) else True
    if left is True or right is True:
        return True
    return None if None in (left, right) else False


@settings(max_examples=150, deadline=None)
@given(tree=TREES, rows=ROWS)
def test_generated_conditions_evaluate_as_three_valued_logic(inst, tree, rows):
    names = [*NUMBERS, "ever_cip"]
    frame = pd.DataFrame([[np.nan if v is None else v for v in r] for r in rows],
                         columns=names)
    got = tri(expr.bind(render(tree), inst.variables()).evaluate(frame))
    assert got == [kleene(tree, dict(zip(names, r, strict=True))) for r in rows], render(tree)
