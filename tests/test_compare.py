"""Waves compared as the compare section says: every number against scipy/statsmodels on the
merged data (computed here, not by cipsurvey), the 2017 comparison's numbers kept, three
waves, a wave without the key, and a section that does not fit its instrument."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from scipy import stats as sps
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from cipsurvey.analysis.compare import compare
from cipsurvey.demo.files import DATA_DIR
from cipsurvey.errors import CipsurveyError
from cipsurvey.instrument import load_instrument
from cipsurvey.wave.compare_section import (
    CompareSection,
    CompareSpecError,
    draft_compare_section,
    resolve,
)
from cipsurvey.wave.study import load_study

MANIFEST = DATA_DIR / "kallmen2017_synthetic_study.yaml"


@pytest.fixture(scope="module")
def study():
    return load_study(MANIFEST)


@pytest.fixture(scope="module")
def comparison(study):
    return compare(study)


def merged(study, col):
    a = study.waves["baseline"].data[["resp_id", col]].drop_duplicates("resp_id")
    b = study.waves["followup"].data[["resp_id", col]].drop_duplicates("resp_id")
    return a.merge(b, on="resp_id", suffixes=("_0", "_1")).dropna()


def row(comparison, indicator, answer=None):
    change = comparison.result("change").tables["change"]
    hit = change[change["indicator"] == indicator]
    if answer is not None:
        hit = hit[hit["answer"] == answer]
    assert len(hit) == 1
    return hit.iloc[0]


def test_linked_count_change_matches_scipy(study, comparison):
    m = merged(study, "n_part_6m")
    r = row(comparison, "n_part_6m")
    diff = m["n_part_6m_1"] - m["n_part_6m_0"]
    t = sps.ttest_rel(m["n_part_6m_1"], m["n_part_6m_0"])
    ci = t.confidence_interval()
    assert r["linked_n"] == len(m) == 279
    assert np.isclose(r["linked_change"], diff.mean(), rtol=1e-12)
    assert np.isclose(r["linked_p"], t.pvalue, rtol=1e-10)
    assert np.isclose(r["linked_low"], ci.low) and np.isclose(r["linked_high"], ci.high)
    assert np.isclose(r["d_z"], diff.mean() / diff.std(ddof=1), rtol=1e-12)
    assert r["linked_test"] == "paired t test"  # the p and the CI come from the same test


def test_linked_share_change_in_points_with_exact_mcnemar(study, comparison):
    m = merged(study, "ever_cip")
    r = row(comparison, "ever_cip")
    table = pd.crosstab(m["ever_cip_0"], m["ever_cip_1"]).to_numpy()
    assert r["linked_n"] == len(m)
    assert np.isclose(r["linked_p"], mcnemar(table, exact=True).pvalue, rtol=1e-10)
    expected = 100 * ((m["ever_cip_1"] == 1).mean() - (m["ever_cip_0"] == 1).mean())
    assert np.isclose(r["linked_change"], expected, rtol=1e-12)
    assert r["linked_low"] < r["linked_change"] < r["linked_high"]
    assert r["unit"] == "points"


def test_whole_sample_change_uses_everyone_with_cluster_robust_se(study, comparison):
    # independence GEE = OLS with cluster-robust (sandwich, no small-sample factor) SEs
    long = pd.concat([study.waves[w].data[["resp_id", "n_part_6m"]].assign(wave=k)
                      for k, w in enumerate(["baseline", "followup"])]).dropna(
        subset=["n_part_6m"])
    ids = long["resp_id"].copy()
    blank = ids.isna()
    ids[blank] = [f"anon{k}" for k in range(blank.sum())]
    groups = pd.factorize(ids)[0]
    x = np.column_stack([np.ones(len(long)), long["wave"]])
    fit = OLS(long["n_part_6m"].to_numpy(), x).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False,
                                      "df_correction": False})
    r = row(comparison, "n_part_6m")
    means = long.groupby("wave")["n_part_6m"].mean()
    assert np.isclose(r["whole_change"], means[1] - means[0], rtol=1e-10)
    assert np.isclose(r["whole_change"], fit.params[1], rtol=1e-10)
    se = fit.bse[1]
    assert np.isclose(r["whole_high"] - r["whole_low"], 2 * sps.norm.ppf(0.975) * se,
                      rtol=1e-7)
    assert np.isclose(r["whole_p"], 2 * sps.norm.sf(abs(fit.params[1] / se)), rtol=1e-6)
    assert r["whole_n"] == len(long) and r["whole_people"] == len(set(ids))
    # a share's whole-sample change is in percentage points
    e = row(comparison, "ever_cip")
    assert np.isclose(e["whole_change"], e["follow"] - e["base"], rtol=1e-10)


def test_weighted_change_is_the_weighted_mean_of_the_linked_changes(study, comparison):
    weights = comparison.result("weights")
    diag = weights.tables["weights_diagnostics"].iloc[0]
    base = study.waves["baseline"].data.drop_duplicates("resp_id")
    assert diag["n"] == 494  # one weight per person in both waves
    # Kish's effective n is at most the number of weights
    assert diag["ess"] <= diag["n"] and np.isclose(diag["design_effect"],
                                                    diag["n"] / diag["ess"])
    assert np.isclose(diag["sum"], len(base), rtol=0.02)  # 1/p sums to about everyone invited
    assert "logistic regression" in " ".join(weights.notes)
    # the missing-answer categories everyone in which answered are said, with labels
    assert any("Gender (no answer)" in n and "Current work area (no answer)" in n
               for n in weights.notes)
    # the response model rebuilt here with statsmodels' Logit: categories as indicators,
    # numbers with a missing value set to the mean and flagged; the missing-answer flags of
    # gender, age and work area are left out (everyone with them answered: separation)
    from statsmodels.discrete.discrete_model import Logit

    base = base.reset_index(drop=True)
    responded = base["resp_id"].isin(set(study.waves["followup"].data["resp_id"]))
    x = pd.DataFrame({"const": 1.0}, index=base.index)
    for trait in ("gender", "work_area", "ever_cip"):
        for level in sorted(base[trait].dropna().unique())[1:]:
            x[f"{trait}={level:g}"] = (base[trait] == level).astype(float)
    for trait in ("age", "years_at_workplace", "n_part_6m"):
        x[trait] = base[trait].fillna(base[trait].mean())
        if trait != "age":
            x[f"{trait}=missing"] = base[trait].isna().astype(float)
    fit = Logit(responded.astype(float), x).fit(disp=0)
    model = weights.tables["weights_model"].set_index("term")["estimate"]
    assert sorted(model.index) == sorted(x.columns)
    assert np.allclose(model[x.columns], fit.params, rtol=1e-6)
    w = 1 / fit.predict(x)
    m = merged(study, "n_part_6m").merge(base[["resp_id"]].assign(w=w), on="resp_id")
    r = row(comparison, "n_part_6m")
    expected = np.average(m["n_part_6m_1"] - m["n_part_6m_0"], weights=m["w"])
    assert np.isclose(r["weighted_change"], expected, rtol=1e-6)
    assert r["weighted_change"] != pytest.approx(r["linked_change"], rel=1e-4)


def test_minimum_detectable_change_beside_each_non_significant_change(comparison):
    change = comparison.result("change").tables["change"]
    quiet = change[change["p"] >= 0.05]
    assert len(quiet) > 5 and quiet["mde"].notna().all()
    assert change.loc[change["p"] < 0.05, "mde"].isna().all()
    # the MDE is larger than the change the test did not find
    assert (quiet["mde"].abs() > quiet["linked_change"].abs()).all()


def test_the_2017_comparison_keeps_its_numbers(study, comparison):
    """The values the hard-coded comparison printed before the section existed (both
    waves' value and n per indicator), recomputed here with pandas."""
    b, f = study.waves["baseline"].data, study.waves["followup"].data
    for col in ["n_part_30d", "n_self_30d", "n_part_6m", "n_self_6m"]:
        r = row(comparison, col)
        assert np.isclose(r["base"], b[col].mean()) and np.isclose(r["follow"], f[col].mean())
        assert (r["n_base"], r["n_follow"]) == (b[col].notna().sum(), f[col].notna().sum())
    before = {"n_part_6m": (6.380615, 7.989362, 423, 376), "ever_cip": (70.070922, 76.953125,
                                                                          705, 512),
              "abstained_6m": (13.967611, 11.421320, 494, 394)}
    for col, (v0, v1, n0, n1) in before.items():
        r = row(comparison, col)
        assert np.allclose([r["base"], r["follow"]], [v0, v1], atol=1e-6)
        assert (r["n_base"], r["n_follow"]) == (n0, n1)
    # "knows a template exists" is now the 'exists' answer of the template question, once
    t = row(comparison, "template_exists", "Yes, there is a template")
    assert np.allclose([t["base"], t["follow"]], [70.612245, 80.818414], atol=1e-6)
    change = comparison.result("change").tables["change"]
    assert "template_known" not in set(change["indicator"])
    partners = change[change["indicator"].str.startswith("partners_12m_")]
    assert len(partners) == 7
    assert np.isclose(partners.loc[partners["indicator"] == "partners_12m_psychiatric_care",
                                   "base"].iloc[0], 48.734177, atol=1e-6)


def test_categorical_indicator_is_tested_as_a_whole(study, comparison):
    from statsmodels.stats.contingency_tables import SquareTable

    dist = comparison.result("distribution").tables["distribution"].set_index("test")
    m = merged(study, "template_exists")
    table = pd.crosstab(m["template_exists_0"], m["template_exists_1"]).to_numpy()
    sm = SquareTable(table.astype(float), shift_zeros=False).homogeneity()
    assert np.isclose(dist.loc["Stuart-Maxwell", "p"], sm.pvalue, rtol=1e-10)
    rows = comparison.result("change").tables["change"]
    rows = rows[rows["indicator"] == "template_exists"]
    assert len(rows) == 3 and np.isclose(rows["base"].sum(), 100)


def test_response_rates_with_wilson_intervals(study, comparison):
    rates = comparison.result("response_rates").tables["rates"]
    inv = pd.read_csv(DATA_DIR / "kallmen2017_synthetic_invitations.csv", comment="#")
    base = rates[(rates["wave_id"] == "baseline") & (rates["level"] == "cohort")]
    assert len(base) == len(inv)
    for (_, r), (_, i) in zip(base.iterrows(), inv.iterrows(), strict=True):
        n = (study.waves["baseline"].data["course_occasion"] == i["course_occasion"]).sum()
        lo, hi = proportion_confint(n, i["invited_baseline"], method="wilson")
        assert (r["responded"], r["invited"]) == (n, i["invited_baseline"])
        assert np.isclose(r["conf_low"], 100 * lo) and np.isclose(r["conf_high"], 100 * hi)
    total = rates[(rates["wave_id"] == "baseline") & (rates["level"] == "wave")].iloc[0]
    assert (total["responded"], total["invited"]) == (705, 797)
    files = rates[(rates["wave_id"] == "baseline") & (rates["level"] == "file")]
    assert sorted(files["responded"]) == [63, 642]


def test_attrition_and_linkage(study, comparison):
    attr = comparison.result("attrition").tables["attrition"]
    base = study.waves["baseline"].data
    followed = base["resp_id"].isin(set(study.waves["followup"].data["resp_id"]))
    age = attr[attr["trait"] == "age"].iloc[0]
    welch = sps.ttest_ind(base.loc[followed, "age"].dropna(), base.loc[~followed, "age"].dropna(),
                          equal_var=False)
    assert np.isclose(age["p"], welch.pvalue, rtol=1e-10)
    assert age["trait_label"] == "Age (years)" and age["unit"] == "mean"
    area = attr[attr["trait"] == "work_area"]
    assert "Social services" in set(area["level_label"])  # labels, not codes
    link = comparison.result("linkage").tables["linkage"].set_index("group")["n"]
    assert (link["both"], link["base_only"], link["follow_only"]) == (494, 211, 18)


def test_change_by_group_uses_the_section_grouping(study, comparison):
    table = comparison.result("change_by_group").tables["by_group"]
    assert set(table["group_label"]) == {"Social services", "Psychiatric care",
                                         "Substance use treatment services"}
    base = study.waves["baseline"].data[["resp_id", "work_area"]]
    m = merged(study, "n_part_6m").merge(base, on="resp_id")
    m = m[m["work_area"].isin([1, 2, 3])]
    delta = m["n_part_6m_1"] - m["n_part_6m_0"]
    groups = [delta[m["work_area"] == g] for g in (1, 2, 3)]
    part = table[table["indicator"] == "n_part_6m"]
    assert np.isclose(part["p"].iloc[0], sps.kruskal(*groups).pvalue, rtol=1e-10)
    assert np.isclose(part["p_anova"].iloc[0], sps.f_oneway(*groups).pvalue, rtol=1e-10)
    assert np.allclose(part.sort_values("group")["change"], [g.mean() for g in groups])


def test_cohort_heterogeneity_matches_scipy(study, comparison):
    tests = comparison.result("cohorts").tables["heterogeneity"]
    tests = tests[tests["wave_id"] == "baseline"].set_index("indicator")
    base = study.waves["baseline"].data
    table = pd.crosstab(base["course_occasion"], base["ever_cip"])
    assert np.isclose(tests.loc["ever_cip", "p"],
                      sps.chi2_contingency(table, correction=False).pvalue, rtol=1e-10)
    groups = [g["n_part_6m"].dropna() for _, g in base.groupby("course_occasion")]
    assert np.isclose(tests.loc["n_part_6m", "p"], sps.kruskal(*groups).pvalue, rtol=1e-10)


def test_summary_states_the_caveat_and_no_cause(comparison):
    assert "without a control group" in comparison.summary[0]
    assert "cannot show that the intervention caused" in comparison.summary[0]
    text = " ".join(comparison.summary[1:])
    assert "because" not in text and "caused" not in text and "led to" not in text


def three_wave_study(tmp_path):
    for f in DATA_DIR.glob("kallmen2017_synthetic_*"):
        shutil.copy(f, tmp_path / f.name)
    web, meta = pyreadstat.read_sav(str(DATA_DIR / "kallmen2017_synthetic_followup_web.sav"))
    web["n_part_6m"] = web["n_part_6m"].where(web["n_part_6m"] < 0, web["n_part_6m"] + 2)
    pyreadstat.write_sav(web, str(tmp_path / "wave3_web.sav"),
                         variable_value_labels=meta.variable_value_labels,
                         missing_ranges=meta.missing_ranges)
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    manifest["waves"].append({"id": "month12", "label": {"sv": "Tolv månader",
                                                         "en": "Twelve months"},
                              "files": ["wave3_web.sav"]})
    manifest["invited"]["columns"]["month12"] = "invited_followup"
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    return load_study(tmp_path / "study.yaml")


def test_three_waves_any_two_compared_and_every_wave_shown(tmp_path):
    study = three_wave_study(tmp_path)
    result = compare(study, base="followup", follow="month12")
    r = row(result, "n_part_6m")
    assert np.isclose(r["linked_change"], 2.0)  # the third wave adds 2 to every count
    across = result.result("across_waves")
    values = across.tables["wave_values"]
    part = values[values["indicator"] == "n_part_6m"]
    assert list(part["wave_id"]) == ["baseline", "followup", "month12"]
    assert list(part["wave"]) == ["Baseline 2014–2015", "Follow-up 2015–2016", "Twelve months"]
    for wave, est in zip(part["wave_id"], part["estimate"], strict=True):
        assert np.isclose(est, study.waves[wave].data["n_part_6m"].mean())
    models = across.tables["wave_models"]
    trend = models[(models["indicator"] == "n_part_6m") & (models["term"] == "trend")].iloc[0]
    # independence GEE with the wave as a number = OLS with cluster-robust SEs
    long = pd.concat([study.waves[w].data[["resp_id", "n_part_6m"]].assign(wave=k)
                      for k, w in enumerate(study.waves)]).dropna(subset=["n_part_6m"])
    ids = long["resp_id"].copy()
    blank = ids.isna()
    ids[blank] = [f"anon{k}" for k in range(blank.sum())]
    fit = OLS(long["n_part_6m"].to_numpy(), np.column_stack([np.ones(len(long)),
                                                             long["wave"]])).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(ids)[0], "use_correction": False,
                                      "df_correction": False})
    assert np.isclose(trend["estimate"], fit.params[1], rtol=1e-8)
    assert np.isclose(trend["conf_high"] - trend["estimate"],
                      sps.norm.ppf(0.975) * fit.bse[1], rtol=1e-6)
    joint = models[(models["indicator"] == "n_part_6m") & (models["term"] == "joint")].iloc[0]
    assert joint["df"] == 2 and joint["p"] < 1e-6
    # the third wave repeats the follow-up's other answers: nobody changed them, which the
    # change table says (rather than showing a p without a test)
    assert any("nobody changed their answer" in n for n in result.result("change").notes)
    assert np.isnan(row(result, "ever_cip")["linked_p"])


def test_wave_without_the_key_falls_back_to_independent_samples(tmp_path):
    for f in DATA_DIR.glob("kallmen2017_synthetic_*"):
        shutil.copy(f, tmp_path / f.name)
    paper = tmp_path / "kallmen2017_synthetic_followup_paper.csv"
    frame = pd.read_csv(paper, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    frame.drop(columns=["resp_id"]).to_csv(paper, sep=";", index=False, encoding="cp1252")
    web = tmp_path / "kallmen2017_synthetic_followup_web.sav"
    data, _ = pyreadstat.read_sav(str(web))
    pyreadstat.write_sav(data.drop(columns=["resp_id"]), str(web))
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    study = load_study(tmp_path / "study.yaml")
    result = compare(study)
    change = result.result("change")
    assert any("only analyses of independent samples" in n for n in change.notes)
    table = change.tables["change"]
    assert "linked_p" not in table.columns and table["whole_p"].notna().all()
    assert (table["whole_people"] == table["whole_n"]).all()
    assert not any(r.id in ("attrition", "weights") for r in result.results)
    # independent samples: the whole-sample change of a count is Welch-like, its MDE from
    # the two samples
    r = row(result, "abstained_6m")
    assert r["primary"] == "whole" and np.isfinite(r["mde"])


def test_a_section_that_does_not_fit_is_refused_with_every_problem(study):
    inst = study.instrument
    section = CompareSection.model_validate({
        "indicators": [{"item": "no_such_item", "kind": "count"},
                       {"item": "gender", "kind": "count"},
                       {"item": "ever_cip", "kind": "share", "answers": ["maybe"]},
                       {"item": "work_area", "kind": "share"}],
        "traits": ["shoe_size"], "by": {"item": "age"}})
    with pytest.raises(CompareSpecError) as err:
        resolve(section, inst)
    problems = err.value.problems
    assert len(problems) == 6
    assert "compare.indicators[0] (no_such_item): the instrument has no item" in problems[0]
    assert "needs a count or number item" in problems[1]
    assert "'maybe' is not an answer of 'ever_cip'" in problems[2]
    assert "say which answers count" in problems[3]
    assert any("shoe_size" in p for p in problems) and any("compare.by" in p for p in problems)
    with pytest.raises(CipsurveyError, match="does not fit the instrument"):
        compare(study, section=section)


def test_yaml_yes_is_read_as_the_answer_yes():
    section = CompareSection.model_validate(
        yaml.safe_load("indicators:\n  - {item: ever_cip, kind: share, answers: [yes]}\n"))
    inst = load_instrument("kallmen2017")
    (ind,) = resolve(section, inst)
    assert ind.yes == (1.0,) and ind.answer.en == "Yes"


def test_drafted_section_resolves_for_every_bundled_instrument():
    from cipsurvey.instrument.resources import bundled_names

    for name in bundled_names("instruments"):
        inst = load_instrument(name)
        draft = draft_compare_section(inst)
        indicators = resolve(CompareSection.model_validate(draft), inst)
        assert indicators
        ids = {i.id for i in indicators}
        assert not ids & set(draft["traits"])  # background traits are not indicators
    draft = draft_compare_section(load_instrument("kallmen2017"))
    assert draft["traits"][:4] == ["gender", "age", "education", "work_area"]
    assert {"item": "working_climate", "kind": "scale"} in draft["indicators"]


def test_compare_command_writes_the_report(tmp_path, cli):
    r = cli("compare", "--demo", "--out", tmp_path / "cmp", "--lang", "sv")
    assert r.code == 0, r.err
    payload = json.loads((tmp_path / "cmp" / "results.json").read_text("utf-8"))
    ids = [x["id"] for x in payload["results"]]
    assert {"response_rates", "attrition", "weights", "change", "change_by_group", "cohorts",
            "planning"} <= set(ids)
    html = (tmp_path / "cmp" / "report.html").read_text("utf-8")
    assert "vid baslinjemätningen" in html and "Kurstillfällen" in html
    # (the footnote's words as a reader sees them: the report sets the symbol p in italics)
    words = re.sub(r"<[^>]+>", "", html)
    assert "p-värde från t-test för parade observationer" in words
    assert {f["id"] for f in payload["figures"]} == {"fig_change", "fig_cohorts"}


def test_report_accepts_a_study_manifest(tmp_path, cli):
    r = cli("report", str(MANIFEST), "--out", tmp_path / "rep")
    assert r.code == 0, r.err
    for wave in ("baseline", "followup"):
        assert (tmp_path / "rep" / wave / "report.html").exists()


def test_manifest_cannot_reach_outside_its_folder(tmp_path, cli):
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    manifest["waves"][0]["files"] = ["../../etc/passwd"]
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    r = cli("compare", str(tmp_path / "study.yaml"), "--out", tmp_path / "o")
    assert r.code == 2 and "outside its folder" in r.err


def test_report_of_a_study_checks_every_folder_before_writing(tmp_path, cli):
    (tmp_path / "rep" / "followup").mkdir(parents=True)
    (tmp_path / "rep" / "followup" / "report.html").write_text("earlier", "utf-8")
    r = cli("report", str(MANIFEST), "--out", tmp_path / "rep")
    assert r.code == 2 and "already holds a report" in r.err
    assert not (tmp_path / "rep" / "baseline").exists()
    assert (tmp_path / "rep" / "followup" / "report.html").read_text("utf-8") == "earlier"


def test_planning_gives_what_each_group_comparison_of_the_plan_could_detect(study,
                                                                            comparison):
    plan_power = comparison.result("planning").tables["plan_power"].set_index("analysis")
    follow = study.waves["followup"].data
    # the plan's t test of age by gender: power of the two-sided t at the reported d is .80
    row_ = plan_power.loc["t1_age_ttest"]
    ages = follow[["age", "gender"]].dropna()
    n1, n2 = (ages["gender"] == 2).sum(), (ages["gender"] == 1).sum()
    df, ncp = n1 + n2 - 2, row_["effect"] / np.sqrt(1 / n1 + 1 / n2)
    q = sps.t.ppf(0.975, df)
    assert row_["n"] == n1 + n2
    assert np.isclose(sps.nct.sf(q, df, ncp) + sps.nct.cdf(-q, df, ncp), 0.8, atol=1e-6)
    # a crosstab: the noncentral chi-square at N w^2 has power .80
    row_ = plan_power.loc["t1_work_area"]
    df = 3
    crit = sps.chi2.ppf(0.95, df)
    assert np.isclose(sps.ncx2.sf(crit, df, row_["n"] * row_["effect"] ** 2), 0.8, atol=1e-6)
    # the subset of the plan is applied (three work areas only)
    assert plan_power.loc["t2_anova"].iloc[0]["groups"] == 3


def test_a_scale_score_indicator_from_the_manifest_section(tmp_path):
    for f in DATA_DIR.glob("kallmen2017_synthetic_*"):
        shutil.copy(f, tmp_path / f.name)
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    manifest["compare"] = {"indicators": [{"item": "working_climate", "kind": "scale"}]}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    study = load_study(tmp_path / "study.yaml")
    result = compare(study)  # the manifest's section replaces the plan's
    change = result.result("change").tables["change"]
    assert list(change["indicator"]) == ["working_climate"]
    items = ["climate_trust", "climate_contacts", "climate_roles", "climate_manager",
             "climate_time", "climate_overall"]
    group = study.instrument.group_map["working_climate"]
    assert list(group.items) == items and not group.reverse
    need = group.min_items or len(items)
    scores = {}
    for wave in ("baseline", "followup"):
        d = study.waves[wave].data
        answered = d[items].notna().sum(axis=1)
        scores[wave] = d[items].mean(axis=1).where(answered >= need)
    r = change.iloc[0]
    assert np.isclose(r["base"], scores["baseline"].mean())
    assert np.isclose(r["follow"], scores["followup"].mean())
    assert r["n_base"] == scores["baseline"].notna().sum() and r["unit"] == "mean"


def test_methods_count_responses_and_people_apart(study, comparison):
    keys = pd.concat([study.waves[w].data["resp_id"] for w in study.waves])
    people = keys.dropna().nunique() + keys.isna().sum()
    assert (len(keys), people) == (1217, 723)
    assert "1,217 responses from 723 people" in comparison.methods
    assert "494 people answered both" in comparison.methods
    sv = compare(study, lang="sv").methods
    assert "1\u00a0217 svar från 723 personer" in sv and "α = 0,05" in sv


def test_the_swedish_comparison_holds_no_english_text_of_the_catalog(study):
    from cipsurvey.lang.catalog import entries

    english = {e["en"] for k, e in entries().items()
               if k.startswith("compare.") and "{" not in e["en"]
               and e["en"] != e["sv"] and len(e["en"]) > 3}
    result = compare(study, lang="sv")
    found = [*result.summary, result.methods]
    for r in result.results:
        found += [r.title, *r.notes]
        for frame in r.tables.values():
            for col in frame.columns:
                found += [v for v in frame[col] if isinstance(v, str)]
    leaks = sorted({t for t in english for f in found if t in f})
    assert not leaks, leaks
    assert any("procentenheter" in line for line in result.summary)
