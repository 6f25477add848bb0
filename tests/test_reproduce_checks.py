"""The reproduction of Källmén, Hed & Elgán (2017) as data: the checks table
(``cipsurvey/demo/kallmen2017_checks.csv``) beside the published numbers, its interpreter
(``build_checks``), and the refusal of a row that names something that does not exist.

Independent values: the printed numbers are read from the published YAML by this file's own
walk; the reproduced values that the verdicts cannot guard (known inconsistencies, transformed
values) are recomputed here from the wave's answers with pandas; the interpreter's reductions
run on small frames whose answers are worked out by hand in the test.
"""

from __future__ import annotations

import csv
import math
import re
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

import cipsurvey
from cipsurvey.analysis.plan import load_plan
from cipsurvey.analysis.run import run_plan
from cipsurvey.demo.files import demo_files
from cipsurvey.demo.reproduce import (
    CHECKS,
    PUBLISHED,
    build_checks,
    checks_frame,
    load_checks,
    paper_cells,
)
from cipsurvey.errors import CipsurveyError

# the paper's contradictions the reproduction shows, with the reason the table gives
KNOWN = {
    "Design · response rate %": "705/797 = 88.46 %: the paper truncates to 88.4",
    "Table 1 · education total · other_post_primary %": "3/703 = 0.4 %, printed 0.5",
    "Text · ANOVA participated_30d F": "with the printed d exact, F ≤ 6.00 (printed 6.98)",
    "Text · ANOVA participated_6m F": "with the printed d exact, F ≥ 6.81 (printed 6.66)",
    "Text · ANOVA selfinitiated_6m F": "6.48 lies outside what the rounding allows (≤ 6.45)",
    "Text · Cohen's d largest (PC vs SS, self-initiated)": "recomputes as .434 or .403",
    "Table 3 · long_term_goals · yes n": "324 is a misprint of 234",
}

# numbers in the published YAML that no check reproduces, and why
UNCHECKED = {
    "source.alpha": "the paper's significance level, not a result",
    "design.questionnaire.questions_total": "the questionnaire's design, not the answers",
    "design.questionnaire.background_questions": "the questionnaire's design",
    "design.questionnaire.meets_clients_needing_cip": "the questionnaire's design",
    "design.questionnaire.cip_work_questions": "the questionnaire's design",
    "design.questionnaire.working_climate_questions": "the questionnaire's design",
    "text_statistics.gender_by_work_area_chi2.N": "703, checked as Table 1's n total",
    "text_statistics.abstained_6m_among_involved.N": "494, checked as 'ever involved n'",
    "text_statistics.anova_cips_participated_30d.df.0": "k − 1 = 2 of three work areas",
    "text_statistics.anova_cips_participated_6m.df.0": "k − 1 = 2",
    "text_statistics.anova_cips_selfinitiated_30d.df.0": "k − 1 = 2",
    "text_statistics.anova_cips_selfinitiated_6m.df.0": "k − 1 = 2",
    "text_statistics.template_awareness_among_meeting_clients.anova_by_work_area.df.0":
        "k − 1 = 2",
    "text_statistics.anova_cips_participated_6m.p": "p = .001 beside an F the paper "
        "contradicts (the F is checked)",
    "text_statistics.anova_cips_selfinitiated_30d.p": "p = .004, printed to the paper's "
        "bound only",
}


@pytest.fixture(scope="module")
def report():
    survey = cipsurvey.read_survey(demo_files())
    return run_plan(survey, load_plan("kallmen2017", survey.instrument), "en")


@pytest.fixture(scope="module")
def checks(report):
    return build_checks(report, invited=797)


def leaves(node, path=()):
    """Every number in the published YAML by its dotted path (this test's own walk)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, (*path, str(i)))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield ".".join(path), float(node)


def table_rows():
    lines = [s for s in CHECKS.read_text("utf-8").splitlines() if not s.startswith("#")]
    return list(csv.DictReader(lines))


def test_counts_and_the_papers_known_contradictions(checks):
    frame = checks_frame(checks)
    assert len(frame) == 340
    assert frame["verdict"].value_counts().to_dict() == {"match": 333,
                                                         "known inconsistency": 7}
    known = frame[frame["verdict"] == "known inconsistency"]
    assert dict(zip(known["quantity"], known["why"], strict=True)) == KNOWN
    assert (frame.loc[frame["verdict"] == "match", "why"] == "").all()


def test_the_published_column_is_the_yaml_and_every_number_is_checked(checks):
    published = dict(leaves(yaml.safe_load(PUBLISHED.read_text("utf-8"))))
    rows = table_rows()
    assert [r["label"] for r in rows] == [c.label for c in checks]
    prose = {}
    for row, check in zip(rows, checks, strict=True):
        if row["quote"]:  # printed in prose: the number the quoted words say
            prose[row["label"]] = check.published
        else:
            assert check.published == published[row["published"]], row["label"]
    assert prose == {"Design · course occasions": 10.0,
                     "Text · regression p (social services)": 0.001}
    checked = {r["published"] for r in rows}
    assert set(published) - checked == set(UNCHECKED)
    assert len(checked) == len(rows)  # one check per printed number


def test_hand_values_where_the_verdict_cannot_tell(report, checks):
    """Known inconsistencies stay known whatever the reproduced value, and a transformed
    value could match by chance: these are recomputed from the answers."""
    d = report.survey.data
    got = {c.label: c.reproduced for c in checks}
    with_gender = d[d["gender"].notna()]
    assert got["Table 1 · education total · other_post_primary %"] == pytest.approx(
        100 * (with_gender["education"] == 3).sum() / 703)  # the paper's 703, not 702
    assert got["Design · response rate %"] == pytest.approx(100 * 705 / 797)
    assert got["Table 3 · long_term_goals · yes n"] == (d["tc_long_term_goals"] == 1).sum() == 234
    both = with_gender[with_gender["work_area"].notna()]
    assert got["Table 1 · work area social_services · total %"] == pytest.approx(
        100 * (both["work_area"] == 1).sum() / len(both))
    assert got["Table 5 · social_services · N"] == (d["work_area"] == 1).sum()
    assert got["Design · course occasions"] == 10

    def d_pooled(item, a, b):  # Cohen's d of b over a, pooled SD
        x, y = (d.loc[d["work_area"] == g, item].dropna() for g in (a, b))
        sp = math.sqrt(((len(x) - 1) * x.var() + (len(y) - 1) * y.var())
                       / (len(x) + len(y) - 2))
        return (y.mean() - x.mean()) / sp

    assert got["Text · Cohen's d participated_30d ss_vs_pc"] == pytest.approx(
        d_pooled("n_part_30d", 1, 2))
    assert got["Text · Cohen's d participated_6m ss_vs_sut"] == pytest.approx(
        d_pooled("n_part_6m", 1, 3))
    assert got["Text · Cohen's d largest (PC vs SS, self-initiated)"] == pytest.approx(
        max(abs(d_pooled("n_self_30d", 1, 2)), abs(d_pooled("n_self_6m", 1, 2))))


def test_each_number_is_compared_at_the_precision_the_paper_prints(checks):
    """Percentages with one decimal, counts and degrees of freedom with none, Table 1 and
    2's means, SDs and medians with one, Cohen's d with three; other statistics as many as
    the transcription holds, except where the paper prints a trailing zero that YAML drops
    ("χ2 = 1.40")."""
    trailing_zero = {"Text · gender × area chi2": 2}
    for c in checks:
        if c.label.endswith(" %"):
            want = 1
        elif c.label.endswith((" n", " N", " df", " df2")):
            want = 0
        elif re.search(r"\b(mean|SD|sd|median)\b", c.label):
            want = 1
        elif "Cohen's d" in c.label:
            want = 3
        elif c.label in trailing_zero:
            want = trailing_zero[c.label]
        else:
            want = 0 if c.published.is_integer() else len(repr(c.published).split(".")[1])
        assert c.decimals == want, c.label


def test_without_the_number_invited_its_checks_are_left_out(report):
    labels = [c.label for c in build_checks(report)]
    assert len(labels) == 338
    assert "Design · invited" not in labels and "Design · response rate %" not in labels


def test_the_paper_cells_the_report_prints(checks):
    cells = paper_cells(checks)
    assert len(cells) == 317
    assert cells[("t1_education", "margins", "percent",
                  (("level", 3.0), ("margin", "row")))] == (0.5, 1)
    assert cells[("t3_contents", "grid", "count",
                  (("item", "tc_long_term_goals"), ("level", 1.0)))] == (324.0, 0)
    assert cells[("t1_age", "describe", "sd",
                  (("group", "Total"), ("variable", "age")))] == (11.5, 1)
    assert cells[("reg_ols", "coefficients", "p", (("term", "work_area[1]"),))] == (0.001, 3)
    # Cohen's d is printed unsigned beside a signed estimate: not shown beside it
    assert not [k for k in cells if k[1] == "pairwise_d"]


# ---- the table is refused when a row names what does not exist -----------------------------

def planted(tmp_path, label, column, value):
    """A copy of the checks table with one field of one row changed; its line number."""
    text = CHECKS.read_text("utf-8").splitlines()
    header = next(i for i, s in enumerate(text) if not s.startswith("#"))
    names = next(csv.reader([text[header]]))
    for i in range(header + 1, len(text)):
        fields = next(csv.reader([text[i]]))
        if fields[0] == label:
            fields[names.index(column)] = value
            out = pd.io.common.StringIO()
            csv.writer(out, lineterminator="").writerow(fields)
            text[i] = out.getvalue()
            path = tmp_path / "checks.csv"
            path.write_text("\n".join(text) + "\n", encoding="utf-8")
            return path, i + 1
    raise AssertionError(label)


@pytest.mark.parametrize("label, column, value, message", [
    ("Table 3 · long_term_goals · yes n", "published",
     "table3_template_content.long_term_goal.yes.1",
     "unknown published key 'table3_template_content.long_term_goal.yes.1': no "
     "'long_term_goal' under table3_template_content (did you mean 'long_term_goals'?"),
    ("Table 3 · long_term_goals · yes n", "published",
     "table3_template_content.long_term_goals.yes.2",
     "no '2' under table3_template_content.long_term_goals.yes"),
    ("Design · respondents", "published", "design.waves", "holds 'baseline Nov 2014"),
    ("Design · course occasions", "quote", "eleven course occasions",
     "'eleven course occasions' is not in the published text at 'design.waves'"),
    ("Text · age t", "table", "ttests", "unknown table name 'ttests' (did you mean 'ttest'?)"),
    ("Design · respondents", "result", "@acount", "unknown source '@acount'"),
    ("Text · age t", "reduce", "mean", "unknown reduction 'mean'"),
    ("Text · age t", "decimals", "two", "'two' is not a number of decimals"),
    ("Text · age t", "where", "test", "'test' is not column=value"),
    ("Text · Cohen's d largest (PC vs SS, self-initiated)", "shown", "yes",
     "a cell shown in the report is one value of one row"),
    ("Table 1 · education total · other_post_primary %", "per",
     "table1_demographics.n.totl", "unknown published key 'table1_demographics.n.totl'"),
    ("Text · age t df", "label", "Text · age t", "'Text · age t' is already a check"),
])
def test_a_misspelt_row_is_refused_when_the_table_is_read(tmp_path, label, column, value,
                                                          message):
    path, line = planted(tmp_path, label, column, value)
    load_checks()  # the shipped table is clean
    with pytest.raises(CipsurveyError) as e:
        load_checks(path)
    assert f"line {line}, column {column!r}: " in str(e.value)
    assert message in str(e.value)
    assert str(path) in str(e.value)


@pytest.mark.parametrize("label, column, value, message", [
    ("Table 3 · long_term_goals · yes n", "result", "t3_content",
     "the report has no result 't3_content' (did you mean 't3_contents'?)"),
    ("Table 3 · long_term_goals · yes n", "table", "cells",
     "result 't3_contents' has no table 'cells' (it has: grid"),
    ("Table 3 · long_term_goals · yes n", "column", "cnt", "t3_contents grid has no column 'cnt'"),
    ("Table 3 · long_term_goals · yes n", "where", "itme=tc_long_term_goals;level=1",
     "t3_contents grid has no column 'itme' (did you mean 'item'?)"),
    ("Table 1 · education total · primary %", "shown", "percnt",
     "t1_education margins has no column 'percnt' (did you mean 'percent'?)"),
    ("Table 1 · n women", "column", "gendr", "@data has no column 'gendr'"),
])
def test_a_row_naming_what_the_report_lacks_is_refused(tmp_path, report, label, column,
                                                       value, message):
    path, line = planted(tmp_path, label, column, value)
    load_checks(path)  # the names are checked against the report
    with pytest.raises(CipsurveyError) as e:
        build_checks(report, invited=797, checks=path)
    assert f"line {line}, column {column!r}: {message}" in str(e.value)


def test_every_problem_is_listed_at_once(tmp_path):
    path, one = planted(tmp_path, "Text · age t", "table", "ttests")
    text = path.read_text("utf-8").replace("Text · age t df,text_statistics.age_by_gender_ttest.df",
                                           "Text · age t df,text_statistics.age_by_gender.df")
    path.write_text(text, "utf-8")
    with pytest.raises(CipsurveyError) as e:
        load_checks(path)
    assert "2 problem(s)" in str(e.value)
    assert f"line {one}, column 'table'" in str(e.value)
    assert f"line {one + 1}, column 'published'" in str(e.value)


def test_a_wrong_header_is_refused(tmp_path):
    path = tmp_path / "checks.csv"
    path.write_text(CHECKS.read_text("utf-8").replace(",decimals,", ",digits,"), "utf-8")
    with pytest.raises(CipsurveyError, match="the header must be"):
        load_checks(path)


# ---- the interpreter on frames worked out by hand ---------------------------------------------

HEADER = ("label,published,quote,value,result,table,column,where,reduce,scale,per,decimals,"
          "shown,known")


def run_rows(tmp_path, rows, tables, data=None, invited=None, error=None):
    """build_checks over a report of hand-made tables (result 'r') and answers."""
    path = tmp_path / "rows.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
    result = SimpleNamespace(id="r", error=error, tables=tables)
    account = SimpleNamespace(table=lambda: pd.DataFrame(
        {"format": ["sav", "csv", "sav"], "rows_kept": [10, 3, 5]}))
    fake = SimpleNamespace(results=[result], result=lambda rid: result,
                           survey=SimpleNamespace(account=account, data=data))
    published = {"x": {"a": 1.0, "b": [50.0, 4], "d": 20, "h": 0.3}}
    return build_checks(fake, published, invited=invited, checks=path)


def test_reductions_and_transformations(tmp_path):
    grid = pd.DataFrame({"item": ["a", "a", "b", "b"], "level": [1.0, 2.0, 1.0, 2.0],
                         "n": [4, 4, 6, 6], "count": [1, 3, 5, 1], "d": [0.5, -0.7, 0.2, 0.1],
                         "group": [1.0, 2.0, "Total", "Total"],
                         "year": ["2014", "2014", "2015", "2015"]})  # labels that look like codes
    data = pd.DataFrame({"g": [1.0, 1.0, 2.0, None], "c": [7, 7, 8, 9]})
    rows = [
        "one,x.a,,,r,grid,n,item=a,,,,0,yes,",               # repeated n: one value, 4
        "two,x.a,,,r,grid,count,item=a,,,,0,no,",            # 1 and 3: no one value
        "sum,x.a,,,r,grid,count,item=a|b,sum,,,0,no,",       # 1+3+5+1 = 10
        "max,x.a,,,r,grid,d,,max_abs,,,1,no,",               # |−0.7|
        "neg,x.a,,,r,grid,d,item=a;level=2,,-1,,1,no,",      # 0.7
        "pct,x.b.0,,,r,grid,count,item=b;level=1,,100,x.d,1,no,",  # 100·5/20 = 25
        "code,x.a,,,r,grid,count,level=1;group=1,,,,0,yes,",  # '1' matches 1.0
        "label,x.a,,,r,grid,count,group=Total;level=2,,,,0,yes,",  # 1
        "year,x.a,,,r,grid,count,year=2015,sum,,,0,no,",     # the text '2015' is 2015: 6
        "cnt,x.a,,,@data,,g,g=1,count,,,0,no,",              # 2
        "all,x.a,,,@data,,g,,count,,,0,no,",                 # 3 not missing
        "uniq,x.a,,,@data,,c,,nunique,,,0,no,",              # 3
        "sav,x.a,,,@account,,rows_kept,format=sav,sum,,,0,no,",  # 15
        "inv,x.b.1,,,@invited,,,,,,,0,no,",
        "rate,x.b.0,,,@account,,rows_kept,,sum,100,@invited,1,no,",  # 100·18/36 = 50
    ]
    got = {c.label: c.reproduced for c in run_rows(tmp_path, rows, {"grid": grid}, data, 36)}
    assert got == {"one": 4, "two": None, "sum": 10, "max": pytest.approx(0.7),
                   "neg": pytest.approx(0.7), "pct": 25, "code": 1, "label": 1, "year": 6, "cnt": 2,
                   "all": 3, "uniq": 3, "sav": 15, "inv": 36, "rate": 50}
    assert "inv" not in [c.label for c in run_rows(tmp_path, rows, {"grid": grid}, data)]


def test_verdicts(tmp_path):
    """Half up at the printed decimals (as SPSS prints; Python's round would give 0.2 and
    a mismatch for 0.25); a known reason never hides a match."""
    grid = pd.DataFrame({"p": [0.25], "q": [49.5], "r": [49.49]})
    rows = ["half,x.h,,,r,grid,p,,,,,1,no,",            # 0.25 → 0.3, printed 0.3
            "edge,x.b.0,,,r,grid,q,,,,,0,no,",          # 49.5 → 50, printed 50
            "below,x.b.0,,,r,grid,r,,,,,0,no,",         # 49.49 → 49
            "known,x.b.0,,,r,grid,r,,,,,0,no,the paper errs",
            "matches,x.b.0,,,r,grid,q,,,,,0,no,the paper errs"]
    verdicts = {c.label: (c.verdict, c.known)
                for c in run_rows(tmp_path, rows, {"grid": grid})}
    assert verdicts == {"half": ("match", ""), "edge": ("match", ""),
                        "below": ("mismatch", ""),
                        "known": ("known inconsistency", "the paper errs"),
                        "matches": ("match", "the paper errs")}


def test_a_failed_result_gives_missing_values_not_an_error(tmp_path):
    checks = run_rows(tmp_path, ["f,x.a,,,r,grid,n,item=a,,,,0,yes,"], {}, error="boom")
    assert [(c.label, c.verdict) for c in checks] == [("f", "missing")]
