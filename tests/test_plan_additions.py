"""The plan format's additions of issue 18, run end to end on a survey of one's own: a
layered crosstab, Levene's test and the robust tests beside the classical ANOVA, Kruskal-Wallis
mean ranks, the regression's ANOVA table, φ for 2 × k tables and the scale's missing-item rule.
Expected values come from scipy and numpy on the raw arrays, not from cipsurvey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from scipy import stats
from test_own_survey import INSTRUMENT, own_frame

from cipsurvey.analysis.plan import load_plan
from cipsurvey.analysis.run import run_plan
from cipsurvey.wave.survey import read_survey

PLAN = """\
schema_version: 1
id: additions
instrument: own.yaml
title: Additions
sections:
  - id: main
    title: Main
    analyses:
      - {id: layered, kind: crosstab, title: A1 by group within A4, rows: a1, columns: grp,
         layer: a4}
      - {id: oneway, kind: anova, title: By A2, variables: [age, hours], by: a2, levene: true,
         robust: true}
      - {id: model, kind: regression, title: Hours, model: ols, outcome: hours,
         predictors: [age, grp]}
      - {id: two_by_k, kind: crosstab, title: Group by A1, rows: grp, columns: a1}
      - {id: coping, kind: scale, title: Coping, group: coping, min_share: 0.75}
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("additions")
    frame = own_frame()
    frame.loc[:9, ["a1", "a4"]] = np.nan  # ten respondents answer two of the four items
    pyreadstat.write_sav(frame, str(tmp / "own.sav"))
    (tmp / "own.yaml").write_text(INSTRUMENT, encoding="utf-8")
    (tmp / "plan.yaml").write_text(PLAN, encoding="utf-8")
    survey = read_survey([tmp / "own.sav"], str(tmp / "own.yaml"))
    rep = run_plan(survey, load_plan(tmp / "plan.yaml", survey.instrument), "en")
    return {r.id: r for r in rep.results}, frame


def test_a_layered_crosstab_tests_each_layer(report):
    results, frame = report
    r = results["layered"]
    assert r.error is None, r.error
    tests = r.tables["tests"]
    layers = sorted(frame["a4"].dropna().unique())
    assert sorted(tests["layer"].unique()) == layers
    for layer in layers:
        part = frame[frame["a4"] == layer]
        observed = pd.crosstab(part["a1"], part["grp"]).to_numpy()
        chi2, p, dof, _ = stats.chi2_contingency(observed, correction=False)
        row = tests[(tests["layer"] == layer) & (tests["test"] == "Pearson chi-square")]
        assert row["statistic"].iloc[0] == pytest.approx(chi2, rel=1e-9)
        assert row["p"].iloc[0] == pytest.approx(p, rel=1e-9)
        assert row["df"].iloc[0] == dof
        cells = r.tables["cells"]
        assert cells.loc[cells["layer"] == layer, "observed"].sum() == observed.sum()
    assert set(r.tables["cells"]["layer_label"]) == {"never", "sometimes", "often", "always"}


def test_levene_and_the_robust_tests_sit_beside_the_anova(report):
    results, frame = report
    r = results["oneway"]
    assert r.error is None, r.error
    for name in ("anova", "levene", "robust", "kruskal", "ranks"):
        assert set(r.tables[name]["variable"]) == {"age", "hours"}, name
    for var in ("age", "hours"):
        groups = [g[var].dropna().to_numpy() for _, g in frame.groupby("a2")]
        groups = [g for g in groups if len(g)]
        f = r.tables["anova"]
        between = f[(f["variable"] == var) & (f["source"] == "Between Groups")]
        assert between["statistic"].iloc[0] == pytest.approx(stats.f_oneway(*groups)[0],
                                                              rel=1e-9)
        lev = r.tables["levene"]
        assert lev.loc[lev["variable"] == var, "statistic"].iloc[0] == pytest.approx(
            stats.levene(*groups, center="mean")[0], rel=1e-9)
        kw = r.tables["kruskal"]
        assert kw.loc[kw["variable"] == var, "statistic"].iloc[0] == pytest.approx(
            stats.kruskal(*groups)[0], rel=1e-9)
        ranks = r.tables["ranks"][lambda t, v=var: t["variable"] == v]
        both = frame[[var, "a2"]].dropna()
        both = both.assign(rank=stats.rankdata(both[var]))
        expected = both.groupby("a2")["rank"].mean()
        np.testing.assert_allclose(ranks.set_index("group")["mean_rank"], expected, rtol=1e-12)
        assert list(ranks["group_label"]) == ["never", "sometimes", "often", "always"][
            :len(ranks)]


def test_the_regression_has_its_anova_table(report):
    results, frame = report
    table = results["model"].tables["regression_anova"].set_index("source")
    data = frame[["hours", "age", "grp"]].dropna()
    x = np.column_stack([np.ones(len(data)), data["age"], data["grp"] == 2])
    y = data["hours"].to_numpy()
    fitted = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    ss_resid = ((y - fitted) ** 2).sum()
    ss_total = ((y - y.mean()) ** 2).sum()
    assert table.loc["Residual", "ss"] == pytest.approx(ss_resid, rel=1e-9)
    assert table.loc["Total", "ss"] == pytest.approx(ss_total, rel=1e-9)
    assert table.loc["Regression", "df"] == 2
    f = (ss_total - ss_resid) / 2 / (ss_resid / (len(y) - 3))
    assert table.loc["Regression", "statistic"] == pytest.approx(f, rel=1e-9)


def test_phi_of_a_two_by_k_table(report):
    results, frame = report
    assoc = results["two_by_k"].tables["association"].set_index("measure")
    observed = pd.crosstab(frame["grp"], frame["a1"]).to_numpy()
    chi2 = stats.chi2_contingency(observed, correction=False)[0]
    assert assoc.loc["Phi", "estimate"] == pytest.approx(np.sqrt(chi2 / observed.sum()),
                                                         rel=1e-12)


def test_the_scale_states_and_applies_its_missing_item_rule(report):
    results, frame = report
    r = results["coping"]
    items = frame[["a1", "a2", "a3", "a4"]].copy()
    items["a2"] = 5 - items["a2"]
    answered = items.notna().sum(axis=1)
    expected = items.mean(axis=1).where(answered >= 3)  # 0.75 of four items
    assert (answered <= 2).sum() >= 10
    assert r.tables["score"]["n"].iloc[0] == expected.notna().sum()
    assert r.tables["score"]["mean"].iloc[0] == pytest.approx(expected.mean(), rel=1e-12)
    assert any("at least 3 of the 4 items" in note for note in r.notes), r.notes
    assert "at least 3 of the 4 items" in r.tables["score"]["method"].iloc[0]  # -> methods
    assert any("Reversed" in note and "It is too much" in note for note in r.notes), r.notes
