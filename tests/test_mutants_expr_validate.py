"""Contract tests for the filter language and the wave checks (issue 22, surviving mutants).

Every error of the filter language is checked by its exact message, the text it quotes and
the position of its caret. The positions are counted by hand from the expression text and
written beside each case (0-based, as ``ExpressionError.position``; the message shows it
1-based). The wave checks are checked row by row against a small hand-made wave.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from cipsurvey.instrument import SOURCE_FILE, SOURCE_ROW, expr
from cipsurvey.instrument.expr import ExpressionError, Variable
from cipsurvey.wave.problems import PROBLEM_COLUMNS
from cipsurvey.wave.validate import check_columns, check_duplicate_ids, check_filters

# ----------------------------------------------------------------------------- the language

VARIABLES = {
    "gate": Variable("gate", "choice", answers={"yes": 1.0, "1": 1.0, "no": 2.0, "2": 2.0,
                                                "ja": 1.0},
                     columns=("gate",)),
    "age": Variable("age", "numeric", columns=("age",)),
    "comments": Variable("comments", "text", columns=("comments",)),
    "partners": Variable("partners", "multiple",
                         options={"1": "p_social", "social": "p_social",
                                  "2": "p_primary", "primary": "p_primary"},
                         columns=("p_social", "p_primary")),
    # codes written with a decimal point ("1.0") stay out of the known-answers hint too
    "mark": Variable("mark", "choice", answers={"high": 1.0, "1.0": 1.0, "low": 2.0,
                                                "2.5": 2.0}, columns=("mark",)),
}


def _error(call) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        call()
    return info.value


def _assert_error(err: ExpressionError, text: str, message: str, position: int) -> None:
    assert err.message == message
    assert err.text == text
    assert err.position == position
    assert str(err) == f"{message} (at character {position + 1} of {text!r})"


def test_error_text_shows_the_caret_one_based_and_the_expression():
    err = _error(lambda: expr.parse("a . b"))
    assert str(err) == "unexpected character '.' (at character 3 of 'a . b')"


PARSE_ERRORS = [
    # "=" alone: ever_cip is 0-7, a space at 8, "=" at 9
    ("ever_cip = 'no'", "unexpected character '=' (use == to compare)", 9),
    # any other stray character gets no hint: "." at 2
    ("a . b", "unexpected character '.'", 2),
    # nothing after "==": the end token sits at len(text) == 4
    ("a ==", "expected an item, a number or a quoted answer, found 'end of expression'", 4),
    # ")" where an operand belongs: a0 _1 ==2-3 _4 )5
    ("a == )", "expected an item, a number or a quoted answer, found ')'", 5),
    # unclosed parenthesis: the end token at len(text) == 7
    ("(a == 1", "expected ')', found 'end of expression'", 7),
    # a second comparison without and/or: a0 _1 ==2-3 _4 1 5 _6 b7
    ("a == 1 b == 2", "unexpected 'b'", 7),
    # unknown function: a0 _1 ==2-3 _4 1 5 _6 or7-8 _9 foo10
    ("a == 1 or foo(a)", "unknown function 'foo'; the language has only answered, selected",
     10),
    # wrong number of arguments: selected starts at 10 (as above)
    ("a == 1 or selected(a)", "selected() takes 2 argument(s), got 1", 10),
    ("answered()", "answered() takes 1 argument(s), got 0", 0),
    # no list after "in": a0 _1 in2-3 _4 then "1" / ")" at 5
    ("a in 1", "expected a list such as [1, 2] after 'in'", 5),
    # a second "in" is not a "not": a0 _1 in2-3 _4 in5
    ("a in in [1]", "expected a list such as [1, 2] after 'in'", 5),
    # a keyword other than "not" cannot start a condition
    ("and a == 1", "expected an item, a number or a quoted answer, found 'and'", 0),
    # "not" between two conditions is not "or": a0 _1 ==2-3 _4 1 5 _6 not7
    ("a == 1 not b", "unexpected 'not'", 7),
    # a call closed by the wrong bracket: answered0-7 (8 a9 ]10
    ("answered(a]", "expected ')', found ']'", 10),
    ("a in )", "expected a list such as [1, 2] after 'in'", 5),
    # a list closed by the wrong bracket: a0 _1 in2-3 _4 [5 1 6 ,7 _8 2 9 closer 10
    ("a in [1, 2)", "expected ']', found ')'", 10),
    ("a in (1, 2]", "expected ')', found ']'", 10),
    # a name in a list: [ at 5, x at 6
    ("a in [x]", "expected a number or a quoted answer, found 'x'", 6),
    # the list never starts: end token at 6
    ("a in [", "expected a number or a quoted answer, found 'end'", 6),
]


@pytest.mark.parametrize("text, message, position", PARSE_ERRORS)
def test_every_parse_error_has_its_message_and_caret(text, message, position):
    _assert_error(_error(lambda: expr.parse(text)), text, message, position)


def test_errors_before_parsing_name_no_position():
    for value, message in [(5, "a filter expression must be text"),
                           ("x" * 2001, "expression longer than 2000 characters"),
                           ("   ", "empty expression")]:
        err = _error(lambda v=value: expr.parse(v))
        assert (err.message, err.text, err.position) == (message, "", None)
        assert str(err) == message
    assert isinstance(expr.parse("x" * 1995 + " == 1"), expr.Compare)  # exactly 2000: fine


def test_nesting_limit_is_fifty_levels_exactly():
    fifty = "(" * 50 + "a == 1" + ")" * 50
    assert isinstance(expr.parse(fifty), expr.Compare)
    text = "(" * 51 + "a == 1" + ")" * 51
    # the 51st "(" is at 50; the parser has moved on to "a" (at 51) when it counts the level
    _assert_error(_error(lambda: expr.parse(text)), text,
                  "expression nested more than 50 levels deep", 51)
    assert isinstance(expr.parse("not " * 50 + "a == 1"), expr.Not)
    text = "not " * 51 + "a == 1"
    # each "not " is 4 characters: "a" is at 204
    _assert_error(_error(lambda: expr.parse(text)), text,
                  "expression nested more than 50 levels deep", 204)


def test_a_list_may_be_written_in_parentheses():
    tree = expr.parse("a in (1, 2)")
    assert isinstance(tree, expr.In) and not tree.negated
    assert [v.value for v in tree.values] == [1.0, 2.0]
    assert expr.to_text(tree) == "a in [1, 2]"


def test_escaped_quotes_inside_an_answer_are_unquoted():
    tree = expr.parse('a == "say \\"hi\\"" or a == \'it\\\'s\'')
    assert [o.right.value for o in tree.operands] == ['say "hi"', "it's"]
    # and written back with escapes
    assert expr.to_text(tree) == '(a == "say \\"hi\\"") or (a == "it\'s")'


def test_to_text_writes_calls_with_their_arguments():
    text = 'answered(a) and selected(p, "x") and not b in [1, "y"]'
    assert expr.to_text(expr.parse(text)) == \
        'answered(a) and selected(p, "x") and (not (b in [1, "y"]))'


def test_names_visits_every_branch():
    tree = expr.parse('a == 1 and (b == 2 or selected(p, "x")) and not answered(c) '
                      'or d in [1]')
    assert expr.names(tree) == {"a", "b", "p", "c", "d"}
    assert expr.names(expr.parse("answered(q)")) == {"q"}


BIND_ERRORS = [
    ("zz == 1", "unknown item 'zz'", 0),
    # answered0-7 (8 zz9
    ("answered(zz)", "unknown item 'zz'", 9),
    ("zz in [1]", "unknown item 'zz'", 0),
    # answered0-7 (8 age9-11 )12 _13 in14
    ("answered(age) in [1]", "'in' needs an item on its left", 14),
    # a function's first argument must be an item: the error sits at the function's name
    ("answered(1)", "answered() needs an item name first", 0),
    # gate0-3 _4 ==5-6 _7 1 8 _9 or10-11 _12 selected13
    ('gate == 1 or selected("p", "x")', "selected() needs an item name first", 13),
    # mark0-3 _4 ==5-6 _7 "x" at 8; the codes "1.0" and "2.5" are not listed
    ('mark == "x"', "'mark' has no answer 'x'; known answers: high, low", 8),
    # 1 0 _1 ==2-3 _4 zz5
    ("1 == zz", "unknown item 'zz'", 5),
    # not0-2 _3 zz4
    ("not zz == 1", "unknown item 'zz'", 4),
    # age0-2 _3 >4 _5 1 6 _7 and8-10 _11 partners12
    ("age > 1 and partners == 1",
     "'partners' is a multiple-choice item: use selected(partners, \"option\")", 12),
    # selected0-7 (8 partners9-16 ,17 _18 "nope" at 19
    ('selected(partners, "nope")', "'partners' has no option 'nope'", 19),
    ('selected(age, "x")', "selected() needs a multiple-choice item; 'age' is not one", 0),
    # gate0-3 _4 ==5-6 _7 "maybe" at 8; the known answers leave out the codes "1", "2"
    ('gate == "maybe"', "'gate' has no answer 'maybe'; known answers: ja, no, yes", 8),
    # the answer on the left: "maybe" at 0
    ('"maybe" == gate', "'gate' has no answer 'maybe'; known answers: ja, no, yes", 0),
    ("gate == 3", "'gate' has no answer 3.0; known answers: ja, no, yes", 8),
    # gate0-3 _4 in5-6 _7 [8 1 9 ,10 _11 "x" at 12
    ('gate in [1, "x"]', "'gate' has no answer 'x'; known answers: ja, no, yes", 12),
    # 1 0 _1 ==2-3: the comparison is at its operator, 2
    ("1 == 2", "a comparison needs at least one item", 2),
    # gate0-3 _4 <5 _6 "yes" at 7
    ('gate < "yes"', "< needs numbers, not the answer 'yes'", 7),
    # comments0-7 _8 >=9-10 _11 "a" at 12 (a text item: the answer check passes)
    ('comments >= "a"', ">= needs numbers, not the answer 'a'", 12),
    # age0-2 _3 ==4-5 _6 "old" at 7
    ('age == "old"', "'age' is numeric; compare it with a number, not 'old'", 7),
]


@pytest.mark.parametrize("text, message, position", BIND_ERRORS)
def test_every_binding_error_has_its_message_and_caret(text, message, position):
    _assert_error(_error(lambda: expr.bind(text, VARIABLES)), text, message, position)


def _wave() -> pd.DataFrame:
    return pd.DataFrame({
        "gate": [1.0, 2.0, np.nan],
        "age": [30.0, np.nan, 50.0],
        # an object column holding pandas' NA, as a column built from mixed input can
        "p_social": pd.Series([1, 0, pd.NA], dtype=object),
        "p_primary": [0.0, 1.0, np.nan],
    })


def _values(series: pd.Series) -> list:
    assert str(series.dtype) == "boolean"
    return [None if v is pd.NA else bool(v) for v in series]


def test_selected_reads_the_option_column_with_missing_as_unknown():
    frame = _wave()
    assert _values(expr.bind('selected(partners, "social")', VARIABLES).evaluate(frame)) == \
        [True, False, None]
    assert _values(expr.bind("selected(partners, 2)", VARIABLES).evaluate(frame)) == \
        [False, True, None]


def test_a_function_may_be_compared_like_an_item():
    frame = _wave()
    # answered(age): [True, False, True]; == 1 compares True with 1
    assert _values(expr.bind("answered(age) == 1", VARIABLES).evaluate(frame)) == \
        [True, False, True]
    assert _values(expr.bind("answered(age) != answered(gate)", VARIABLES).evaluate(frame)) \
        == [False, True, True]


# ----------------------------------------------------------------------------- wave checks


@dataclass
class _Item:
    id: str
    columns: list[str]
    required: bool = False
    relevant: str | None = None
    role: str = "question"


class _Instrument:
    """The three things the wave checks ask of an instrument."""

    def __init__(self, items: list[_Item], variables: dict[str, Variable]) -> None:
        self.items = items
        self.respondent_id = "rid"
        self.filters = {i.id: expr.bind(i.relevant, variables) for i in items if i.relevant}

    def item(self, item_id: str) -> _Item:
        return next(i for i in self.items if i.id == item_id)


WAVE_VARIABLES = {
    "gate": Variable("gate", "choice", answers={"yes": 1.0, "no": 2.0}, columns=("gate",)),
    "count": Variable("count", "numeric", columns=("count",)),
    "extra": Variable("extra", "numeric", columns=("extra",)),
    "why": Variable("why", "text", columns=("why",)),
    "multi": Variable("multi", "multiple", options={"a": "m_a", "b": "m_b"},
                      columns=("m_a", "m_b")),
}


def _filter_wave():
    items = [
        _Item("gate", ["gate"], required=True),
        _Item("count", ["count"], required=True, relevant='gate == "yes"'),
        _Item("extra", ["extra"], relevant='gate == "yes"'),
        _Item("why", ["why"], relevant='gate == "yes"'),
        _Item("multi", ["m_a", "m_b"], relevant='gate == "yes"'),
    ]
    frame = pd.DataFrame({
        SOURCE_FILE: ["w.csv"] * 3,
        SOURCE_ROW: [2, 3, 4],
        # row 2: asked (yes), nothing answered; row 3: skipped (no), everything answered;
        # row 4: the required gate left empty, so the filter is unknown
        "gate": [1.0, 2.0, np.nan],
        "count": [np.nan, 3.0, np.nan],
        "extra": [np.nan, 2.5, np.nan],
        "why": pd.Series([np.nan, "hello", np.nan], dtype=object),
        "m_a": [np.nan, 1.0, np.nan],
        "m_b": [np.nan, 0.0, 1.0],
    })
    inst = _Instrument(items, WAVE_VARIABLES)
    fed = {i.id: {"w.csv"} for i in items}
    return inst, frame, fed


def test_filter_checks_every_problem_exactly():
    inst, frame, fed = _filter_wave()
    chunks = check_filters(inst, frame, fed)
    assert all(list(c.columns) == PROBLEM_COLUMNS for c in chunks)
    table = pd.concat(chunks).astype({"row": int})
    got = sorted(tuple(r) for r in table[PROBLEM_COLUMNS].astype(str).itertuples(index=False))
    skipped = "answered although the filter `gate == \"yes\"` skips it"
    asked = "not answered although the filter `gate == \"yes\"` asks for it"
    assert got == sorted([
        # row 2 was asked: the required item's gap is a warning, the others' notes
        ("w.csv", "2", "count", "count", "warning", "missing_but_relevant", "", asked),
        ("w.csv", "2", "extra", "extra", "note", "missing_but_relevant", "", asked),
        ("w.csv", "2", "why", "why", "note", "missing_but_relevant", "", asked),
        ("w.csv", "2", "m_a", "multi", "note", "missing_but_relevant", "", asked),
        # row 3 was skipped: each answer shown as the file held it (3.0 as "3"; the text as
        # it is; the ticked options of the multiple choice by column)
        ("w.csv", "3", "count", "count", "warning", "answered_but_skipped", "3", skipped),
        ("w.csv", "3", "extra", "extra", "warning", "answered_but_skipped", "2.5", skipped),
        ("w.csv", "3", "why", "why", "warning", "answered_but_skipped", "hello", skipped),
        ("w.csv", "3", "m_a", "multi", "warning", "answered_but_skipped", "m_a", skipped),
        # row 4: the required gate (no filter) is empty
        ("w.csv", "4", "gate", "gate", "warning", "missing_required", "",
         "a required item is empty"),
    ])


def test_a_row_from_a_file_without_the_column_is_not_a_gap():
    inst, frame, fed = _filter_wave()
    fed["gate"] = set()  # no file holds the gate: its emptiness is no gap
    table = pd.concat(check_filters(inst, frame, fed))
    assert "missing_required" not in set(table["code"])


def test_duplicate_ids_name_the_first_row_of_the_id():
    frame = pd.DataFrame({SOURCE_FILE: ["a.csv", "a.csv", "b.csv", "b.csv"],
                          SOURCE_ROW: [2, 3, 2, 3],
                          "rid": ["7", "8", "8", "7"]})
    inst = _Instrument([_Item("rid", ["rid"], required=True, role="admin")], {})
    (chunk,) = check_duplicate_ids(inst, frame)  # the codes are worked out when not given
    assert list(chunk.columns) == PROBLEM_COLUMNS
    got = [tuple(r) for r in chunk.astype(str).itertuples(index=False)]
    assert got == [
        ("b.csv", "2", "rid", "rid", "warning", "duplicate_id", "",
         "the same respondent id as a.csv row 3; both rows are kept"),
        ("b.csv", "3", "rid", "rid", "warning", "duplicate_id", "",
         "the same respondent id as a.csv row 2; both rows are kept"),
    ]


def test_column_problems_name_the_item():
    inst = _Instrument([], {})
    absent = [_Item("need", ["need"], required=True), _Item("opt", ["opt"]),
              _Item("when", ["when"], role="admin")]
    records = check_columns(inst, "w.csv", ["shoe"], absent)
    message = "no column in the file holds this item; all its values are missing"
    assert records == [
        {"file": "w.csv", "row": 1, "column": "shoe", "item": "", "severity": "warning",
         "code": "unknown_column",
         "message": "the instrument has no item for this column; not imported", "value": ""},
        {"file": "w.csv", "row": None, "column": "need", "item": "need", "severity": "error",
         "code": "missing_column", "message": message, "value": ""},
        {"file": "w.csv", "row": None, "column": "opt", "item": "opt", "severity": "warning",
         "code": "missing_column", "message": message, "value": ""},
        {"file": "w.csv", "row": None, "column": "when", "item": "when", "severity": "note",
         "code": "missing_column", "message": message, "value": ""},
    ]


FLAG = {"consent": Variable("consent", "choice", answers={"yes": 1.0, "1": 1.0, "no": 0.0,
                                                         "0": 0.0}, columns=("consent",))}


def test_an_item_coded_0_and_1_alone_is_true_where_it_is_one():
    # 1 true, 0 false, missing unknown; 2 is no answer of the item (validation reports the
    # cell), so the condition is unknown there too, never true and never a crash
    frame = pd.DataFrame({"consent": [1.0, np.nan, 0.0, 2.0]})
    assert _values(expr.bind("consent", FLAG).evaluate(frame)) == [True, None, False, None]
    assert _values(expr.bind("not consent", FLAG).evaluate(frame)) == [False, None, True, None]


@pytest.mark.parametrize("text, name, position", [
    ("age", "age", 0),                      # numeric
    ("comments", "comments", 0),            # text
    ("gate", "gate", 0),                    # coded 1 and 2
    # gate0-3 _4 ==5-6 _7 1 8 _9 and10-12 _13 age at 14
    ("gate == 1 and age", "age", 14),
    # not0-2 _3 mark at 4
    ("not mark", "mark", 4),
])
def test_an_item_alone_not_coded_0_and_1_is_refused_when_bound(text, name, position):
    # it used to pass bind and crash in pandas ("Need to pass bool-like values") on a 2
    err = _error(lambda: expr.bind(text, VARIABLES))
    _assert_error(err, text, f"{name!r} alone is a condition only when its answers are coded"
                  f" 0 and 1; compare it with an answer ({name} == ...) or write"
                  f" answered({name})", position)


def test_an_item_compared_or_listed_is_not_alone():
    frame = _wave()
    assert _values(expr.bind("age > 40", VARIABLES).evaluate(frame)) == [False, None, True]
    assert _values(expr.bind("gate in [1]", VARIABLES).evaluate(frame)) == [True, False, None]


def test_selected_with_an_item_as_its_option_names_what_it_needs():
    # selected0-7 (8 partners9-16 ,17 _18 gate at 19: the message used to print the tree node
    text = "selected(partners, gate)"
    err = _error(lambda: expr.bind(text, VARIABLES))
    _assert_error(err, text, "selected() needs an option of 'partners' in quotes or its code"
                  " as its second argument", 19)


def test_a_literal_inside_a_compared_group_is_refused_with_the_expression_text():
    # (0 gate1-4 _5 ==6-7 _8 1 9 _10 and11-13 _14 5 at 15
    text = "(gate == 1 and 5) == 1"
    err = _error(lambda: expr.bind(text, VARIABLES).evaluate(_wave()))
    _assert_error(err, text, "a literal alone is not a condition", 15)


def test_a_literal_alone_is_refused_when_evaluated_at_its_position():
    frame = _wave()
    # bind lets a bare number through (it names no item); evaluating it is refused.
    # gate0-3 _4 ==5-6 _7 1 8 _9 and10-12 _13 5 at 14
    text = "gate == 1 and 5"
    err = _error(lambda: expr.bind(text, VARIABLES).evaluate(frame))
    _assert_error(err, text, "a literal alone is not a condition", 14)


def test_two_items_compared_are_unknown_where_either_is_missing():
    frame = _wave()
    # age [30, nan, 50] > gate [1, 2, nan]: 30 > 1; age missing; gate missing
    assert _values(expr.bind("age > gate", VARIABLES).evaluate(frame)) == [True, None, None]


def test_names_finds_an_item_on_the_right_of_a_comparison():
    # the item may stand on either side of the operator
    assert expr.names(expr.parse("1 == b")) == {"b"}
    assert expr.names(expr.parse("a > b")) == {"a", "b"}


def test_names_visits_every_argument_of_a_call_after_the_first():
    # selected()'s second argument is parsed as an operand, so an item may stand there (the
    # binder refuses it later); names() reports it, as the dependency graph needs
    assert expr.names(expr.parse("selected(p, q)")) == {"p", "q"}
    # the first argument counts only when it is an item
    assert expr.names(expr.parse('selected(1, q)')) == {"q"}


def test_names_of_a_call_without_arguments_is_empty():
    # the parser never builds one (it checks the arity), but the tree types are public
    assert expr.names(expr.Call("answered", (), 0)) == set()


def test_a_skipped_multiple_choice_shows_every_ticked_option_joined_by_commas():
    inst, frame, fed = _filter_wave()
    frame.loc[1, "m_b"] = 1.0  # row 3 (skipped) now ticks both options
    table = pd.concat(check_filters(inst, frame, fed))
    shown = table.loc[(table["item"] == "multi") & (table["code"] == "answered_but_skipped"),
                      "value"]
    assert [str(v) for v in shown] == ["m_a,m_b"]


@pytest.mark.parametrize("text, position", [
    ("5", 0),
    # 5 0 _1 and2-4 _5 gate6: the literal is the first operand
    ("5 and gate == 1", 0),
    # gate0-3 _4 ==5-6 _7 1 8 _9 or10-11 _12 7 at 13
    ("gate == 1 or 7", 13),
    # not0-2 _3 5 at 4
    ("not 5", 4),
    # not0-2 _3 (4 5 at 5
    ("not (5 or gate == 1)", 5),
])
def test_a_literal_alone_is_refused_wherever_it_stands(text, position):
    err = _error(lambda: expr.bind(text, VARIABLES).evaluate(_wave()))
    _assert_error(err, text, "a literal alone is not a condition", position)


def test_answered_is_false_for_every_row_when_no_column_of_the_item_is_in_the_wave():
    # no column of "age" in this wave (a file without it): nobody answered it; the rows keep
    # the wave's own labels
    frame = pd.DataFrame({"gate": [1.0, 2.0, np.nan]}, index=[10, 20, 30])
    got = expr.bind("answered(age)", VARIABLES).evaluate(frame)
    assert list(got.index) == [10, 20, 30]
    assert _values(got) == [False, False, False]
    # and inside a comparison, where evaluate's final cast does not reach it
    got = expr.bind("answered(age) == answered(gate)", VARIABLES).evaluate(frame)
    assert _values(got) == [False, False, True]


def test_selected_of_an_option_column_not_in_the_wave_is_unknown_on_every_row():
    # the wave has no column for the option "primary" (a file without it)
    frame = _wave().drop(columns="p_primary").set_axis([10, 20, 30])
    got = expr.bind('selected(partners, "primary")', VARIABLES).evaluate(frame)
    assert list(got.index) == [10, 20, 30]
    assert _values(got) == [None, None, None]


@pytest.mark.parametrize("text, expected", [
    # each kind of node, on a wave whose rows are labelled 10, 20, 30 (not 0, 1, 2):
    # gate [1, 2, NA], age [30, NA, 50], p_social [1, 0, NA], p_primary [0, 1, NA]
    ('selected(partners, "social")', [True, False, None]),
    ("age > 40", [False, None, True]),
    ("gate in [1]", [True, False, None]),
    ("gate not in [1]", [False, True, None]),
    ("not gate == 2", [True, False, None]),
    ('gate == 1 or selected(partners, "primary")', [True, True, None]),
    ("answered(age) and age < 40", [True, False, False]),
])
def test_every_condition_keeps_the_wave_row_labels(text, expected):
    frame = _wave().set_axis([10, 20, 30])
    got = expr.bind(text, VARIABLES).evaluate(frame)
    assert list(got.index) == [10, 20, 30]
    assert _values(got) == expected


def test_an_answer_on_the_left_is_read_as_the_item_on_the_right_codes_it():
    frame = _wave()
    # "yes" is code 1 of gate, whichever side it stands on: gate [1, 2, NA]
    assert _values(expr.bind('"yes" == gate', VARIABLES).evaluate(frame)) == \
        [True, False, None]
    assert _values(expr.bind('"no" != gate', VARIABLES).evaluate(frame)) == \
        [True, False, None]


def test_rows_that_do_not_hold_an_item_are_neither_gaps_nor_answers():
    inst, frame, fed = _filter_wave()
    # rows 2 and 3 do not hold "count" (a repeat instance of another form), row 4 does not
    # hold the required gate: their problems for those items go; every other problem stays
    absent = {"count": np.array([True, True, False]), "gate": np.array([False, False, True])}
    table = pd.concat(check_filters(inst, frame, fed, absent))
    got = sorted(zip(table["row"].astype(int), table["item"].astype(str),
                     table["code"].astype(str), strict=True))
    assert got == [
        (2, "extra", "missing_but_relevant"), (2, "multi", "missing_but_relevant"),
        (2, "why", "missing_but_relevant"),
        (3, "extra", "answered_but_skipped"), (3, "multi", "answered_but_skipped"),
        (3, "why", "answered_but_skipped"),
    ]


def test_an_error_names_the_expression_without_a_caret_when_no_position_is_known():
    assert str(ExpressionError("bad", "a == 1")) == "bad (in 'a == 1')"
    # a position without the expression's text adds nothing
    assert str(ExpressionError("bad", "", 3)) == "bad"
    assert str(ExpressionError("bad")) == "bad"


def test_nesting_depth_is_counted_back_down_after_each_group():
    # 50 levels are allowed after an earlier group closed, 51 are not
    for opener, closer in (("(", ")"), ("not ", "")):
        first = "(x == 1) and " if opener == "(" else "not x == 1 and "
        expr.parse(first + opener * 50 + "a == 1" + closer * 50)
        err = _error(lambda o=opener, c=closer, f=first: expr.parse(f + o * 51 + "a == 1" + c * 51))
        assert err.message == "expression nested more than 50 levels deep"


def test_tree_nodes_carry_their_positions():
    # a leading space: every position is counted from 1
    tree = expr.parse(" a == 1 and b == 2")
    assert tree.pos == 1
    assert expr.parse(" a == 1 or b == 2").pos == 1
    assert expr.parse(" not a == 1").pos == 1
    # _1 a _2 in3: the membership test sits at its "in"
    node = expr.parse(" a in [1]")
    assert node.pos == 3
    assert node.negated is False
    assert expr.tokenize("a")[-1] == expr.Token("end", "", 1)


def test_a_call_may_take_a_parenthesised_argument():
    assert expr.to_text(expr.parse("answered((a))")) == "answered(a)"


def test_normalise_collapses_spaces_and_case():
    assert expr.normalise("  Social   Services ") == "social services"


def test_to_text_writes_fractions_and_backslashes_back():
    assert expr.to_text(expr.parse("age > 1.5")) == "age > 1.5"
    tree = expr.parse('a == "x\\\\y"')  # the answer x\y: one escaped backslash
    assert tree.right.value == "x\\y"
    assert expr.to_text(tree) == 'a == "x\\\\y"'


def test_an_item_whose_column_is_not_in_the_wave_is_unknown_on_every_row():
    frame = _wave().drop(columns="age").set_axis([10, 20, 30])
    got = expr.bind("age > 40", VARIABLES).evaluate(frame)
    assert list(got.index) == [10, 20, 30]
    assert _values(got) == [None, None, None]


def test_selected_compared_with_a_number_is_unknown_where_the_option_is_missing():
    # p_social [1, 0, NA]
    got = expr.bind('selected(partners, "social") == 1', VARIABLES).evaluate(_wave())
    assert _values(got) == [True, False, None]


def test_answered_rows_looks_at_every_column_of_the_item():
    from cipsurvey.wave.validate import answered_rows, id_codes, later_repeats
    frame = pd.DataFrame({"a": [1.0, np.nan, np.nan], "b": [np.nan, np.nan, 1.0]})
    assert answered_rows(frame, ["a", "b"]).tolist() == [True, False, True]
    assert id_codes(frame, "nope") is None
    assert later_repeats(np.array([0, 0, 1])).tolist() == [False, True, False]


# --- round 4: the last survivors of _eval ----------------------------------------------------

CONSENT = {"consent": Variable("consent", "choice", answers={"yes": 1.0, "no": 0.0},
                               columns=("consent",)),
           "age": Variable("age", "numeric", columns=("age",))}


def test_a_zero_one_item_held_as_text_digits_reads_as_its_codes():
    # a 0/1 item alone: the cells are read as numbers, so the text "1" is true, "0" false and
    # a missing cell unknown (kills _eval reading the column without dtype=float)
    frame = pd.DataFrame({"consent": pd.Series(["1", "0", None], dtype="str")})
    result = expr.bind("consent", CONSENT).evaluate(frame)
    assert result.tolist() == [True, False, pd.NA]


def test_an_item_alone_keeps_the_rows_of_the_wave():
    # the result is aligned with the wave's own row labels, not renumbered from 0
    frame = pd.DataFrame({"consent": [1.0, 0.0, np.nan]}, index=[10, 20, 30])
    result = expr.bind("consent", CONSENT).evaluate(frame)
    assert result.index.tolist() == [10, 20, 30]
    assert result.tolist() == [True, False, pd.NA]


def test_a_literal_alone_on_the_right_of_a_comparison_quotes_the_whole_text():
    # "(1 or 2)" passes bind (a group of literals) but is not a condition: evaluating it
    # names the literal "1" at character 9 (0-based 8) of the full text
    text = "age == (1 or 2)"
    bound = expr.bind(text, CONSENT)
    err = _error(lambda: bound.evaluate(pd.DataFrame({"age": [30.0]})))
    _assert_error(err, text, "a literal alone is not a condition", 8)
