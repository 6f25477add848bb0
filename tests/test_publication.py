"""Tables shaped like a publication's (issue 20), read back from the HTML report a user gets:
one descriptive table by group, crosstabs as matrices, test tables whose statistic column is
named by its symbol, labels rather than codes or variable names, a question's text once,
APA notes, every number shown a value of results.json, and the paper's printed values
beside the reproduced ones in the demo report."""

from __future__ import annotations

import json
import re

import pytest

from clients import html_tables, numbers_in

SYMBOLS = {"t", "F", "χ²", "H", "z", "Wald χ²", "U", "F*", "V", "d", "g"}


def _tables(reports, command="report", lang="en"):
    return html_tables(reports[command, lang] / "report.html")


def _payload(reports, command="report", lang="en"):
    return json.loads((reports[command, lang] / "results.json").read_text("utf-8"))


def _table(tables, key):
    found = [t for t in tables if t.key == key]
    assert found, f"no table {key}: {[t.key for t in tables]}"
    return found[0]


def test_table_1_is_one_wide_table_by_gender_with_a_total_and_p(reports):
    """Age, education, work area and years in one table: a column per gender, a total
    column, and a p column whose tests a footnote names (the paper's Table 1)."""
    tables = _tables(reports)
    table1 = [t for t in tables if "Woman" in t.header[-1] and "Man" in t.header[-1]]
    assert len(table1) == 1, [t.title for t in tables]
    t = table1[0]
    assert t.header[-1] == ["", "Woman", "Man", "Total", "p"]
    labels = [row[0] for row in t.body]
    for label in ("Age (years)", "Years at current workplace", "College or university",
                  "Social services"):
        assert label in labels
    notes = " ".join(t.notes)
    assert "p from Student's t test" in notes and "p from Pearson's χ² test" in notes
    # the paper's percent direction: column % for education (92.2 % of the women have a
    # degree), row % for work area (81.5 % of social services staff are women)
    college = t.body[labels.index("College or university")]
    assert college[1] == "518\u00a0(92.2)"
    social = t.body[labels.index("Social services")]
    assert "(81." in social[1] and social[3].startswith("362")  # total column: n of all


def test_the_paper_values_stand_beside_the_reproduced_ones(reports):
    tables = _tables(reports)
    table1 = next(t for t in tables if "Woman" in t.header[-1])
    labels = [row[0] for row in table1.body]
    college = labels.index("College or university")
    assert table1.paper[college][1] == "518\u00a0(92.2)"  # as Källmén et al. print it
    # every printed number with a place in the results is shown (the checks of reproduce)
    shown = sum(bool(p) for t in tables for row in t.paper for p in row)
    assert shown >= 150
    assert not any(any(row) for t in _tables(reports, "compare") for row in t.paper)


def test_crosstabs_are_matrices(reports):
    t = _table(_tables(reports), "need_by_area.cells")
    assert [row[0] for row in t.body][:3] == ["Social services", "Psychiatric care",
                                              "Substance use treatment services"]
    assert t.header[-1][1:] == ["Yes", "No", "Total"]
    assert len(t.body) == 4  # three work areas and the total row


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_statistic_columns_are_named_by_their_symbol(reports, lang):
    headings = [h for t in _tables(reports, lang=lang) for row in t.header for h in row]
    generic = {"Statistic", "Estimate", "Test statistic", "Statistika", "Skattning",
               "Testvärde"}
    assert not generic & set(headings), generic & set(headings)
    assert {"t", "F", "χ²", "H", "Wald χ²", "z"} <= set(headings)


def test_effect_sizes_are_named(reports):
    tables = _tables(reports)
    posthoc = _table(tables, "t2_anova.posthoc")
    assert "d" in posthoc.header[-1]
    ttest = _table(tables, "t1_age_ttest.ttest")
    assert any("d = 0.22" in n for n in ttest.notes)


@pytest.mark.parametrize(("command", "lang"), [("report", "en"), ("report", "sv")])
def test_labels_everywhere_never_codes_or_variable_names(reports, command, lang):
    for t in _tables(reports, command, lang):
        texts = [c for row in t.header for c in row] + [row[0] for row in t.body]
        for text in texts:
            assert not re.fullmatch(r"\d+[.,]00", text), (t.key, text)  # a code as 1.00
            assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", text), (t.key, text)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_question_is_written_once_above_its_answers(reports, lang):
    for t in _tables(reports, lang=lang):
        first = [row[0] for row in t.body if row[0].endswith("?")]  # question texts
        assert len(first) == len(set(first)), (t.key, first)


@pytest.mark.parametrize(("command", "lang"), [(c, lang) for c in ("report", "compare")
                                               for lang in ("en", "sv")])
def test_every_table_has_a_number_a_title_and_its_tests_named(reports, command, lang):
    """APA: "Table 3" above the italic title, a note below it; a p column says which test
    gave it (in a footnote or in the row)."""
    lead = "Anm." if lang == "sv" else "Note."
    word = "Tabell" if lang == "sv" else "Table"
    tables = _tables(reports, command, lang)
    for k, t in enumerate(tables):
        # a table too wide for the window comes in parts, its notes under the last
        assert re.fullmatch(rf"{word} A?\d+( \((continued|forts\.)\))?", t.caption), t.caption
        assert t.title
        if k + 1 < len(tables) and tables[k + 1].caption.startswith(t.caption + " ("):
            continue
        if command == "report" and t.key != "account":
            assert t.notes and t.notes[0].startswith(lead), (t.key, t.notes)
        if "p" in t.header[-1] and "Test" not in t.header[-1]:
            assert any(re.search(r"p(-värde)? (from|från) ", n) for n in t.notes), t.key


def _values(payload, rid):
    out = []
    for r in payload["results"]:
        if r["id"] != rid:
            continue
        for table in r["tables"].values():
            for row in table["rows"]:
                out += [v for v in row if isinstance(v, int | float) and not isinstance(v, bool)]
    return out


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_number_shown_is_a_value_of_the_results(reports, lang):
    """The renderers compute nothing: each number in a table cell is a value of its result
    in results.json, as printed to its shown decimals (a difference, a sum or a share the
    results do not hold would have no match)."""
    payload = _payload(reports, lang=lang)
    everything = [v for r in payload["results"] for v in _values(payload, r["id"])]
    checked = 0
    for t in _tables(reports, lang=lang):
        rid = t.key.split(".")[0]
        # a table by group gathers a section's results (describes, crosstabs, tests)
        values = everything if t.key.endswith(".by_group") else _values(payload, rid)
        if not values:
            continue
        for row in t.body:
            for cell in row[1:]:
                for shown in numbers_in(cell, lang):
                    text = cell.replace("\u00a0", " ")
                    mark = "," if lang == "sv" else r"\."
                    decimals = max((len(m) for m in re.findall(mark + r"(\d+)", text)),
                                   default=0)
                    tol = 0.5 * 10 ** -decimals + 1e-9
                    assert any(abs(abs(v) - abs(shown)) <= tol for v in values), \
                        (t.key, cell, shown)
                    checked += 1
    assert checked > 800


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_percentage_and_its_interval_in_one_unit(reports, lang):
    """The Likert answers' table (shown as the statistics give it) prints each percentage's
    CI in percent at a percentage's precision, bracketing it: never 0.055 beside 7.2."""
    table = _table(_tables(reports, lang=lang), "climate_scale.likert")
    checked = 0
    for row in table.body:
        if len(row) < 5 or not row[2]:
            continue  # (a statement's block row)
        pct, low, high = (numbers_in(cell, lang)[0] for cell in row[2:5])
        assert low <= pct <= high, row
        assert all(len(c.split("," if lang == "sv" else ".")[-1]) == 1 for c in row[2:5]), row
        checked += 1
    assert checked >= 20
