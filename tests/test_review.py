"""The reviewer's choices wired into the plan (issue 21): run on the synthetic demo wave and
checked against R (tests/reference/r_exact_models.csv: the same demo tables and columns),
scipy computed here, and hand calculations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cipsurvey.analysis import tables as T
from cipsurvey.analysis.plan import load_plan
from cipsurvey.analysis.run import run_plan
from cipsurvey.demo.files import demo_files
from cipsurvey.instrument import load_instrument
from cipsurvey.wave.survey import read_survey

REF = Path(__file__).resolve().parent / "reference"
R = {n: float(v) for n, v in pd.read_csv(REF / "r_exact_models.csv", dtype={"value": str},
                                          keep_default_na=False).itertuples(index=False)
     if v != "NA"}
THREE = [1.0, 2.0, 3.0]


@pytest.fixture(scope="module")
def wave():
    return read_survey(demo_files("baseline"), load_instrument("kallmen2017"))


@pytest.fixture(scope="module")
def reports(wave):
    plan = load_plan("kallmen2017")
    return {lang: run_plan(wave, plan, lang=lang, workers=1) for lang in ("en", "sv")}


def holm_by_hand(p):
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    m = len(p)
    out = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def test_structural_zeros_give_the_quasi_independence_test_r_computed(reports):
    r = reports["en"].result("easiest")
    primary = r.tables[T.TESTS][r.tables[T.TESTS]["primary"]].iloc[0]
    assert primary["statistic"] == pytest.approx(R["qi_pearson"], rel=1e-9)
    assert primary["df"] == R["qi_df"]
    assert T.ASSOCIATION not in r.tables  # no Cramér's V for a table with zeros by design
    cells = r.tables[T.CELLS].set_index(["row", "column"])
    assert cells.loc[(1.0, 2.0), "expected"] == pytest.approx(R["qi_expected_1_2"], rel=1e-8)
    assert cells.loc[(2.0, 1.0), "adj_residual"] == pytest.approx(R["qi_adjres_2_1"], rel=1e-7)
    assert bool(cells.loc[(1.0, 1.0), "structural"])
    assert cells.loc[(1.0, 2.0), "row_percent"] == pytest.approx(100 * 117 / 236)
    assert any("structural zeros: 1×1, 2×2, 3×3" in n for n in r.notes)


def test_partner_options_leave_out_their_own_organisation(reports, wave):
    tests = reports["en"].result("t5_partners").tables[T.TESTS].set_index("option")
    d = wave.data[wave.data["work_area"].isin([2.0, 3.0])]
    answered = d[[c for c in d.columns if c.startswith("partners_12m_")]].notna().any(axis=1)
    d = d[answered]
    table = pd.crosstab(d["work_area"], d["partners_12m_social_services"].fillna(0))
    chi2 = sps.chi2_contingency(table.to_numpy(), correction=False)[0]
    assert tests.loc["partners_12m_social_services", "statistic"] == pytest.approx(chi2)
    assert tests.loc["partners_12m_social_services", "cramers_v"] < 0.1  # was .794 with zeros


def test_sparse_table_reads_the_exact_test_r_computed(reports):
    r = reports["en"].result("t1_education")
    tests = r.tables[T.TESTS]
    primary = tests[tests["primary"]].iloc[0]
    assert primary["test"] == "Fisher-Freeman-Halton exact test"
    assert primary["p"] == pytest.approx(R["fisher_edu_gender"], rel=1e-9)
    assert "Linear-by-linear association" not in set(tests["test"])  # gender is not ordered


def test_the_paper_s_anova_on_an_answer_code_has_the_fitting_test_beside_it(reports, wave):
    r = reports["en"].result("template_anova")
    assert T.ANOVA in r.tables  # the paper's number stays
    fit = r.tables[T.FITTING]
    d = wave.data[wave.data["work_area"].isin(THREE)]
    chi2 = sps.chi2_contingency(pd.crosstab(d["work_area"], d["template_exists"]).to_numpy(),
                                correction=False)[0]
    primary = fit[fit["primary"]].iloc[0]
    assert primary["statistic"] == pytest.approx(chi2, rel=1e-12)
    assert any(n.startswith("The paper's choice") for n in r.notes)
    sv = reports["sv"].result("template_anova")
    assert any(n.startswith("Artikelns val") for n in sv.notes)


def test_robust_and_classical_disagreements_are_said_beside_both_results(reports, wave):
    d = wave.data[wave.data["work_area"].isin(THREE)]
    groups = [d.loc[d["work_area"] == g, "n_self_30d"].dropna() for g in THREE]
    f_p = sps.f_oneway(*groups).pvalue
    kw_p = sps.kruskal(*groups).pvalue
    assert f_p < 0.05 <= kw_p  # the case, computed here with scipy
    for rid in ("t2_anova", "t2_robust"):
        r = reports["en"].result(rid)
        agree = r.tables[T.AGREEMENT]
        row = agree[(agree["variable"] == "n_self_30d") & (agree["test"] == "Kruskal-Wallis")]
        assert row["p"].iloc[0] == pytest.approx(kw_p, rel=1e-9)
        assert row["p_classical"].iloc[0] == pytest.approx(f_p, rel=1e-9)
        assert row["disagree"].iloc[0] == "Yes"
        # the reading of Table 2: these three, and no others, disagree at .05
        flagged = set(agree.loc[agree["disagree"] == "Yes", ["variable", "test"]]
                      .itertuples(index=False, name=None))
        assert flagged == {("n_self_30d", "Kruskal-Wallis"), ("n_self_6m", "Welch's ANOVA"),
                           ("n_self_6m", "Kruskal-Wallis")}
        assert any("Kruskal-Wallis (p = .278) and one-way ANOVA (p = .004)" in n
                   for n in r.notes), r.notes
    # Welch .051 for the six-month count (Welch's ANOVA itself is checked against R's
    # oneway.test in test_stats_r.py), said in Swedish with Swedish numbers
    r = reports["sv"].result("t2_anova")
    assert any("Welchs ANOVA (p = 0,051)" in n and "α = 0,05" in n for n in r.notes), r.notes


def test_families_are_adjusted_by_holm_and_both_p_kept(reports, wave):
    r = reports["en"].result("t2_anova")
    anova = r.tables[T.ANOVA]
    head = anova[anova["source"] == "Between Groups"]
    d = wave.data[wave.data["work_area"].isin(THREE)]
    raw = [sps.f_oneway(*[d.loc[d["work_area"] == g, v].dropna() for g in THREE]).pvalue
           for v in head["variable"]]
    assert list(head["p"]) == pytest.approx(raw, rel=1e-9)
    assert list(head["p_adjusted"]) == pytest.approx(list(holm_by_hand(raw)), rel=1e-12)
    summary = reports["en"].result("multiplicity_cip_counts").tables[T.MULTIPLICITY]
    assert list(summary["p_adjusted"]) == pytest.approx(list(holm_by_hand(raw)), rel=1e-12)
    assert set(summary["primary"]) == {"Yes"}
    partners = reports["en"].result("multiplicity_partners").tables[T.MULTIPLICITY]
    assert len(partners) == 9 and set(partners["family_size"]) == {9}  # 7 options + 2 tables
    assert list(partners["p_adjusted"]) == pytest.approx(list(holm_by_hand(partners["p"])))
    # each family is named by its title in the report's language, not by its plan id
    titles = {lang: reports[lang].result("multiplicity_partners").title for lang in reports}
    assert "Collaboration partners across work areas" in titles["en"]
    assert "Samverkanspartner i olika verksamheter" in titles["sv"]
    assert not any("partners" in note for note in reports["sv"].result("t5_partners").notes)
    assert "A primary analysis of the plan." in r.notes


def test_bounded_count_model_is_the_quasi_binomial_r_fitted(reports):
    r = reports["en"].result("template_contents_count")
    coef = r.tables[T.COEFFICIENTS]
    assert r.tables[T.MODEL]["trials"].iloc[0] == 14  # from the derived count's 14 items
    for i in range(6):
        assert coef["se"].iloc[i] == pytest.approx(R[f"tc_quasi_se{i + 1}"], rel=1e-7)
    refs = r.tables[T.REFERENCES].set_index("predictor")
    assert refs.loc["work_area", "reference_label"] == "Social services"
    assert any(n.startswith("Reference categories: ") and n.endswith("n = 339.")
               for n in r.notes)
    assert any("quasi-binomial" in n for n in r.notes)


def test_every_model_states_its_reference_categories_and_n(reports):
    for rid in ("reg_ols", "reg_nb", "abstain_logit", "template_logit"):
        r = reports["sv"].result(rid)
        assert T.REFERENCES in r.tables, rid
        assert any(n.startswith("Referenskategorier: ") for n in r.notes), rid


def test_likert_items_get_their_distributions(reports, wave):
    r = reports["en"].result("climate_scale")
    dist = r.tables[T.LIKERT]
    trust = dist[dist["item"] == "climate_trust"].set_index("level")
    counts = wave.data["climate_trust"].value_counts()
    for level in range(1, 6):
        assert trust.loc[float(level), "count"] == counts.get(float(level), 0)
    assert trust["percent"].sum() == pytest.approx(100)
    assert list(trust["side"]) == ["below", "below", "middle", "above", "above"]
    summary = r.tables[T.LIKERT_SUMMARY].set_index("item")
    assert summary.loc["climate_trust", "mean"] == pytest.approx(
        wave.data["climate_trust"].mean())


def test_the_likert_figure_is_drawn_with_alt_text(reports, tmp_path):
    from cipsurvey.report.figures import draw

    for lang in ("en", "sv"):
        fig = draw(reports[lang].result("fig_climate"), tmp_path, lang)
        assert fig is not None and fig.png.stat().st_size > 10_000
        assert ("Diverging stacked bars for 6 items" in fig.alt if lang == "en"
                else "Divergerande staplar för 6 påståenden" in fig.alt)


def test_a_negative_binomial_at_its_bound_is_said_in_the_report_language(wave):
    """The plan's declared negative binomial on the under-dispersed 0-14 count: α at its
    bound (R's glm.nb warns and sends θ to infinity on the same data), said in Swedish and
    not left as the statistics' English note."""
    import yaml

    from cipsurvey.analysis.plan import Plan

    plan = yaml.safe_load((Path(__file__).resolve().parents[1] / "analyses" /
                           "kallmen2017.yaml").read_text("utf-8"))
    for section in plan["sections"]:
        for a in section["analyses"]:
            if a["id"] == "template_contents_count":
                a["model"] = "negative_binomial"
    report = run_plan(wave, Plan.model_validate(plan), lang="sv", workers=1)
    r = report.result("template_contents_count")
    assert R["tc_nb_warned"] == 1
    assert any(n.startswith("Den negativa binomialmodellens α ligger på sin nedre gräns")
               for n in r.notes), r.notes
    assert r.tables[T.MODEL]["note"].iloc[0] == ""


def test_the_robust_addition_holds_the_robust_tests_and_no_second_anova(reports, wave):
    # t2_robust is classical: false beside t2_anova: Levene, Welch, Brown-Forsythe and
    # Kruskal-Wallis with mean ranks, and no ANOVA table or effect sizes of its own
    r = reports["en"].result("t2_robust")
    assert T.ANOVA not in r.tables and T.EFFECT_SIZES not in r.tables
    assert {T.LEVENE, T.ROBUST, T.KRUSKAL, T.RANKS} <= set(r.tables)
    d = wave.data[wave.data["work_area"].isin(THREE)]
    groups = [d.loc[d["work_area"] == g, "n_part_6m"].dropna() for g in THREE]
    lev = r.tables[T.LEVENE].set_index("variable").loc["n_part_6m"]
    assert lev["statistic"] == pytest.approx(sps.levene(*groups, center="mean")[0], rel=1e-9)
    kw = r.tables[T.KRUSKAL].set_index("variable").loc["n_part_6m"]
    assert kw["p"] == pytest.approx(sps.kruskal(*groups).pvalue, rel=1e-9)
    # the ANOVA beside it is t2_anova's, whose F is the family's headline
    assert T.ANOVA in reports["en"].result("t2_anova").tables
