"""Small-cell protection against a reader of every output (issue 19).

The first tests are the four recoveries a reader could make from the demo report at
``--min-cell 5`` before the protection pass: each is an attacker written here, apart from
the package's own (plain enumeration, scipy's statistics, the wave's raw answers), run on
the results.json and the protected results a report is drawn from. Then the package's own
audit (linear programming and exhaustive search, ``cipsurvey.report.protect``) is run
on what the report publishes at K = 3, 5 and 10, in English and Swedish.
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cipsurvey
from cipsurvey.analysis.plan import load_plan
from cipsurvey.cli.app import main
from cipsurvey.demo.files import demo_files
from cipsurvey.report.protect import audit_json

K = 5
CAP = 200_000  # fillings the enumeration below tries


RUNS: dict[tuple[int, str], tuple[int, dict | None, str]] = {}


def cli_report(k: int, lang: str, root) -> tuple[int, dict | None, str]:
    """``cipsurvey report --demo --min-cell k --lang lang --include-free-text`` (run once per
    session): its exit code, results.json and what it printed to stderr."""
    if (k, lang) not in RUNS:
        out = root / f"k{k}-{lang}"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["report", "--demo", "--out", str(out), "--min-cell", str(k),
                         "--lang", lang, "--include-free-text",
                         "--key-file", str(root / "pseudonym.key")])
        payload = json.loads((out / "results.json").read_text("utf-8")) if code == 0 \
            else None
        RUNS[(k, lang)] = (code, payload, err.getvalue())
    return RUNS[(k, lang)]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("protected")


@pytest.fixture(scope="module")
def survey():
    return cipsurvey.read_survey(demo_files())


@pytest.fixture(scope="module")
def published(survey, root):
    """The demo report at --min-cell 5 as the CLI writes it: results.json, the plan."""
    code, payload, err = cli_report(K, "en", root)
    assert code == 0, err
    return payload, load_plan("kallmen2017", survey.instrument)


def _result(payload: dict, rid: str) -> dict:
    return next(r for r in payload["results"] if r["id"] == rid)


def _table(payload: dict, rid: str, name: str) -> pd.DataFrame | None:
    t = _result(payload, rid)["tables"].get(name)
    return None if t is None else pd.DataFrame(t["rows"], columns=t["columns"])


def _true_table(survey, rows: str, cols: str, row_levels, col_levels) -> pd.DataFrame:
    d = survey.data[[rows, cols]].dropna()
    d = d[d[rows].isin(row_levels) & d[cols].isin(col_levels)]
    return pd.crosstab(d[rows], d[cols]).reindex(index=row_levels, columns=col_levels,
                                                 fill_value=0)


def _margins(cells: pd.DataFrame, n: float | None):
    """Row and column totals a reader works out: a row or column shown whole, a count
    over its percentage, or an expected count over the other margin (E = R·C/N)."""
    rows, cols = list(dict.fromkeys(cells["row"])), list(dict.fromkeys(cells["column"]))
    R: dict = {}
    C: dict = {}
    for r in rows:
        part = cells[cells["row"] == r]
        if part["observed"].notna().all():
            R[r] = part["observed"].sum()
    for c in cols:
        part = cells[cells["column"] == c]
        if part["observed"].notna().all():
            C[c] = part["observed"].sum()
    for _, x in cells.iterrows():
        if pd.notna(x["observed"]) and x["observed"] > 0:
            if pd.notna(x.get("row_percent")) and x["row_percent"] > 0:
                R[x["row"]] = round(x["observed"] / x["row_percent"] * 100)
            if pd.notna(x.get("col_percent")) and x["col_percent"] > 0:
                C[x["column"]] = round(x["observed"] / x["col_percent"] * 100)
    if n is None and len(R) == len(rows):
        n = sum(R.values())
    for _ in range(3):
        for _, x in cells.iterrows():
            e = x.get("expected")
            if n and pd.notna(e) and e > 0:
                if x["row"] in R and x["column"] not in C:
                    C[x["column"]] = round(e * n / R[x["row"]])
                elif x["column"] in C and x["row"] not in R:
                    R[x["row"]] = round(e * n / C[x["column"]])
    return rows, cols, R, C, n


def _fillings(cells: pd.DataFrame, n: float | None):
    """Every table that agrees with the shown counts and the totals a reader works out
    (depth first over the hidden cells); None when a hidden cell has no bound or there
    are more than ``CAP``."""
    rows, cols, R, C, n = _margins(cells, n)
    obs = cells.pivot(index="row", columns="column", values="observed").reindex(
        index=rows, columns=cols)
    hidden = [(i, j) for i in range(len(rows)) for j in range(len(cols))
              if np.isnan(obs.iat[i, j])]
    shown = np.nan_to_num(obs.to_numpy(dtype=float))
    row_left = {i: R[r] - shown[i].sum() for i, r in enumerate(rows) if r in R}
    col_left = {j: C[c] - shown[:, j].sum() for j, c in enumerate(cols) if c in C}
    total_left = [n - shown.sum()] if n is not None else []
    out: list[np.ndarray] = []
    table = shown.copy()

    def visit(at: int) -> bool:
        if at == len(hidden):
            if all(v == 0 for v in [*row_left.values(), *col_left.values(), *total_left]):
                out.append(table.copy())
            return len(out) <= CAP
        i, j = hidden[at]
        last_in_row = all(h[0] != i for h in hidden[at + 1:])
        last_in_col = all(h[1] != j for h in hidden[at + 1:])
        bounds = [x for x in (row_left.get(i), col_left.get(j), *total_left) if x is not None]
        if not bounds:
            return False
        for v in range(int(min(bounds)) + 1):
            if (last_in_row and i in row_left and row_left[i] != v) or \
                    (last_in_col and j in col_left and col_left[j] != v):
                continue
            table[i, j] = v
            for d, key in ((row_left, i), (col_left, j)):
                if key in d:
                    d[key] -= v
            if total_left:
                total_left[0] -= v
            ok = visit(at + 1)
            for d, key in ((row_left, i), (col_left, j)):
                if key in d:
                    d[key] += v
            if total_left:
                total_left[0] += v
            if not ok:
                return False
        return True

    return (out if hidden and visit(0) else None), hidden, rows, cols


def _crosstab_stats(t: np.ndarray) -> dict[str, float]:
    """What the report prints of a filled-in crosstab, from scipy."""
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    chi2, _, _, expected = stats.chi2_contingency(t, correction=False)
    g2 = stats.chi2_contingency(t, correction=False, lambda_="log-likelihood")[0]
    v = np.sqrt(chi2 / (t.sum() * (min(t.shape) - 1)))
    return {"Pearson chi-square": chi2, "Likelihood ratio": g2, "Cramer's V": v,
            "min expected": expected.min()}


def _published_stats(payload: dict, rid: str) -> dict[str, float]:
    out = {}
    tests = _table(payload, rid, "tests")
    if tests is not None:
        for _, x in tests.iterrows():
            if pd.notna(x["statistic"]):
                out[x["test"]] = float(x["statistic"])
    assoc = _table(payload, rid, "association")
    if assoc is not None:
        for _, x in assoc.iterrows():
            if pd.notna(x["estimate"]):
                out[x["measure"]] = float(x["estimate"])
    return out


def _recover(payload: dict, survey, rid: str, rows: str, cols: str, extra=()) -> dict:
    """Each hidden cell's values over the fillings that reproduce every statistic the
    report prints about the table (those the true table reproduces: recomputed on merged
    categories, a statistic is not of this table)."""
    cells = _table(payload, rid, "cells")
    tests = _table(payload, rid, "tests")
    n = float(tests["n"].dropna().iloc[0]) if tests is not None and tests["n"].notna().any() \
        else None
    assoc = _table(payload, rid, "association")
    if n is None and assoc is not None and assoc["n"].notna().any():
        n = float(assoc["n"].dropna().iloc[0])
    fills, hidden, rlev, clev = _fillings(cells, n)
    truth = _true_table(survey, rows, cols, rlev, clev).to_numpy(dtype=float)
    if not hidden:
        return {}
    checks = []
    true_stats = _crosstab_stats(truth)
    for name, value in _published_stats(payload, rid).items():
        if name in true_stats and np.isclose(true_stats[name], value, rtol=1e-9):
            checks.append(lambda f, name=name, value=value: np.isclose(
                _crosstab_stats(f)[name], value, rtol=1e-9))
    for check in extra:
        if check(truth):
            checks.append(check)
    if fills is None:  # the totals alone leave a hidden cell unbounded, or too many
        assert not checks, f"{rid}: a statistic of the hidden cells is printed"
        return {cell: "unbounded" for cell in hidden}
    assert any((f == truth).all() for f in fills), "the reading must admit the true table"
    kept = [f for f in fills if all(c(f) for c in checks)]
    return {(rlev[i], clev[j]): sorted({int(f[i, j]) for f in kept}) for i, j in hidden}


def _narrow(found: dict) -> dict:
    return {cell: v for cell, v in found.items() if v != "unbounded" and len(v) < K}


def test_education_by_gender_hidden_cells_cannot_be_solved(published, survey):
    """Main's report: χ² 6.67 and the visible totals left one filling (0/1/2/1)."""
    payload, _ = published
    found = _recover(payload, survey, "t1_education", "education", "gender")
    assert found, "the table has hidden cells at K = 5"
    assert not _narrow(found), _narrow(found)


def test_template_by_area_hidden_cells_cannot_be_solved(published, survey):
    """Main's report: the expected counts gave the column totals and χ² = 50.67 fixed the
    hidden cells; the ANOVA of the answer code by work area (F) was also printed."""
    payload, plan = published

    def anova_checks():
        for _, a in plan.analyses():
            if a.kind == "anova" and a.by == "work_area" and "template_exists" in a.variables:
                t = _table(payload, a.id, "anova")
                f = t[(t["variable"] == "template_exists") & t["statistic"].notna()] \
                    if t is not None else []
                for value in getattr(f, "statistic", []):
                    yield lambda fill, value=value: np.isclose(_f_of(fill), value, rtol=1e-9)

    found = _recover(payload, survey, "template_by_area", "work_area", "template_exists",
                     list(anova_checks()))
    assert found
    assert not _narrow(found), _narrow(found)


def _f_of(fill: np.ndarray) -> float:
    codes = np.arange(1, fill.shape[1] + 1, dtype=float)
    groups = [np.repeat(codes, row.astype(int)) for row in fill if row.sum() > 1]
    return float(stats.f_oneway(*groups).statistic)


def test_figure_of_the_template_contents_hides_what_its_table_hides(published):
    """Main's figure drew "Don't know" where its table hid it; a bar with a single hidden
    segment shows it as the gap."""
    payload, _ = published
    table = _table(payload, "t3_contents", "grid")
    figure = _table(payload, "fig_contents", "data")
    hidden_t = {(x.item, x.level) for x in table.itertuples() if pd.isna(x.count)}
    hidden_f = {(x.item, x.level) for x in figure.itertuples() if pd.isna(x.count)}
    assert hidden_t and hidden_t <= hidden_f
    for item, part in figure.groupby("item"):
        hid = part["count"].isna()
        assert hid.sum() != 1 or part["n"].isna().all(), item
        assert part.loc[hid, ["percent", "proportion"]].isna().all().all(), item


def test_box_whiskers_end_at_values_held_by_at_least_k(published, survey):
    """Main's counts figure ended whiskers at values held by one or two people."""
    payload, plan = published
    a = next(a for _, a in plan.analyses() if a.id == "fig_counts")
    boxes = _table(payload, "fig_counts", "boxes")
    data = survey.data
    checked = 0
    for x in boxes.itertuples():
        values = data.loc[data[a.by] == x.group, x.variable].dropna()
        for end, edge in ((x.whisker_low, x.q1), (x.whisker_high, x.q3)):
            if pd.notna(end) and end != edge:
                assert (values == end).sum() >= K, (x.variable, x.group, end)
                checked += 1
    assert checked


NOTE_MIN = re.compile(r"\d+\.\d\d")


def test_no_note_reveals_a_small_row_through_its_minimum_expected_count(published, survey):
    """Main's note "the minimum expected count is 0.20" gave away a row of one."""
    payload, plan = published
    leaks, small_tables = [], 0
    for _, a in plan.analyses():
        if a.kind != "crosstab":
            continue
        cells = _table(payload, a.id, "cells")
        rows, cols = list(dict.fromkeys(cells["row"])), list(dict.fromkeys(cells["column"]))
        truth = _true_table(survey, a.rows, a.columns, rows, cols).to_numpy(dtype=float)
        margins = np.concatenate([truth.sum(axis=0), truth.sum(axis=1)])
        if not ((margins > 0) & (margins < K)).any():
            continue
        small_tables += 1
        true_min = f"{_crosstab_stats(truth)['min expected']:.2f}"
        r = _result(payload, a.id)
        notes = list(r["notes"]) + [str(v) for t in r["tables"].values()
                                    for row in t["rows"] for v in row if isinstance(v, str)]
        if any(true_min in NOTE_MIN.findall(note) for note in notes):
            leaks.append((a.id, true_min))
    assert small_tables, "the demo has a crosstab with a row or column under K"
    assert not leaks, leaks


# --------------------------------------------------------------------------- the audit


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("k", [3, 5, 10])
def test_the_audit_holds_on_the_demo_report(survey, root, k, lang):
    """The package's attacker on results.json as ``cipsurvey report --min-cell K`` writes
    it (alt text included): every hidden count keeps at least K feasible values, and the
    command said how many numbers it protected and that the audit held."""
    code, payload, err = cli_report(k, lang, root)
    assert code == 0, err
    protection = payload["protection"]
    assert protection["min_cell"] == k and protection["audit"]["held"]
    assert protection["hidden"] > 0
    said = "granskningen höll" if lang == "sv" else "the audit held"
    assert f"--min-cell {k}: {protection['hidden']} " in err and said in err
    plan = load_plan("kallmen2017", survey.instrument)
    audit = audit_json(payload, plan, survey.instrument, k, truth_data=survey.data)
    assert audit.held, audit.problems()[:5]
    assert audit.narrowest() is None or audit.narrowest() >= k
    shown = [v for r in payload["results"] for t in r["tables"].values() for row in t["rows"]
             for c, v in zip(t["columns"], row, strict=True)
             if c in ("count", "observed") and isinstance(v, int | float)]
    assert shown and not [v for v in shown if 1 <= v < k]


def test_min_cell_leaves_no_single_blank_in_a_row_or_column(root):
    """(From test_report.py, on the same run.) No lone blank in a crosstab's row or column;
    no describe row of a group under K."""
    code, payload, err = cli_report(10, "en", root)
    assert code == 0, err
    for result in payload["results"]:
        for name, t in result["tables"].items():
            frame = pd.DataFrame(t["rows"], columns=t["columns"])
            if name == "cells":
                for key in ("row", "column"):
                    for _, part in frame.groupby(key):
                        assert part["observed"].isna().sum() != 1, (result["id"], key)
            if name == "describe":
                assert (frame["n"].dropna() >= 10).all()
                assert frame.loc[frame["n"].isna(), "mean"].isna().all()


def test_min_cell_hides_small_cells_and_says_so(published):
    """(From test_report.py.) The methods paragraph says what was done; percentages of a
    hidden count are hidden; no lone hidden value in a figure's group."""
    payload, _ = published
    assert "5" in payload["methods"] and "audit" in payload["methods"]
    cells = _table(payload, "t1_education", "cells")
    assert cells["observed"].isna().any()
    assert cells.loc[cells["observed"].isna(), "row_percent"].isna().all()
    points = _table(payload, "fig_counts", "data")
    if points is None:  # withheld whole, and the figure says so
        assert any("could not be protected" in note
                   for note in _result(payload, "fig_counts")["notes"])
        return
    assert (points["count"].dropna() >= K).all()
    blanks = points["count"].isna().groupby([points["variable"], points["group"]]).sum()
    assert not (blanks == 1).any()


# --------------------------------------------------------------------------- free text


def test_the_free_text_appendix_adds_nothing_the_audit_does_not_allow(survey, root):
    """At K = 5 and K = 3 the appendix holds each question's answers exactly as the wave
    has them (compared with the raw answers), only for questions at least K answered, with
    no pseudonym, sorted by their text; the command says once that the answers must be
    read. The demo's "other reason" has four answers: left out at 5, kept at 3."""
    for k in (5, 3):
        code, payload, err = cli_report(k, "en", root)
        assert code == 0, err
        assert "read every one before publishing" in err
        assert payload["protection"]["respondent_ids"] == "left out"
        words = _table(payload, "free_text", "free_text")
        assert "respondent" not in words.columns
        for item in ("abstain_reason_other", "comments"):
            raw = survey.data[item].dropna().astype(str).tolist()
            shown = words.loc[words["item"] == item, "answer"].tolist()
            if len(raw) >= k:
                assert shown == sorted(raw, key=lambda a: (a.casefold(), a)), item
            else:
                assert shown == [], item
                label = survey.instrument.item_map[item].text.get("en")
                notes = _result(payload, "free_text")["notes"]
                assert any(label in n and f"fewer than {k}" in n for n in notes)
        assert (k == 3) == ("abstain_reason_other" in set(words["item"]))


def test_the_audit_reads_an_unprotected_free_text_appendix_as_a_leak(survey):
    """The package's attacker on the appendix as it is written without a minimum cell
    size (data order, pseudonyms, a question four people answered) names all three."""
    from types import SimpleNamespace

    from cipsurvey.analysis.run import free_text_result
    from cipsurvey.report.protect.free_text import check

    plan = load_plan("kallmen2017", survey.instrument)
    report = SimpleNamespace(survey=survey, plan=plan, lang="en")
    raw = free_text_result(report, b"k" * 32).tables["free_text"]
    leaks = check({"free_text": raw}, 5)
    assert any("pseudonym" in leak for leak in leaks)
    assert "free text, abstain_reason_other: 4 answers (fewer than 5)" in leaks
    assert any("comments: answers in the order of the data rows" in leak for leak in leaks)
