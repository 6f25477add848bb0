"""Waves and cohorts: linked and unlinked change agree with scipy/statsmodels on the merged
data; response rates, attrition and cohorts likewise; a wave without the key falls back."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from cipsurvey.analysis.compare import compare
from cipsurvey.demo.files import DATA_DIR
from cipsurvey.wave.study import load_study

MANIFEST = DATA_DIR / "kallmen2017_synthetic_study.yaml"


@pytest.fixture(scope="module")
def study():
    return load_study(MANIFEST)


@pytest.fixture(scope="module")
def comparison(study):
    return compare(study)


def merged(study, col):
    a = study.waves["baseline"].data[["resp_id", col]]
    b = study.waves["followup"].data[["resp_id", col]]
    return a.merge(b, on="resp_id", suffixes=("_0", "_1")).dropna()


def row(comparison, indicator):
    change = comparison.result("change").tables["change"]
    return change[change["indicator"] == indicator].iloc[0]


def test_linked_count_change_matches_scipy(study, comparison):
    m = merged(study, "n_part_6m")
    r = row(comparison, "n_part_6m")
    assert r["linked_n"] == len(m)
    t = sps.ttest_rel(m["n_part_6m_1"], m["n_part_6m_0"])
    assert np.isclose(r["linked_p_t"], t.pvalue, rtol=1e-10)
    diff = (m["n_part_6m_1"] - m["n_part_6m_0"]).to_numpy()
    w = sps.wilcoxon(diff[diff != 0], correction=False, method="approx")
    assert np.isclose(r["linked_p"], w.pvalue, rtol=1e-10)
    assert np.isclose(r["d_z"], diff.mean() / diff.std(ddof=1), rtol=1e-12)


def test_linked_yes_no_change_matches_statsmodels_mcnemar(study, comparison):
    m = merged(study, "ever_cip")
    table = pd.crosstab(m["ever_cip_0"], m["ever_cip_1"]).to_numpy()
    expected = mcnemar(table, exact=True).pvalue
    assert np.isclose(row(comparison, "ever_cip")["linked_p"], expected, rtol=1e-10)


def test_unlinked_tests_match_scipy(study, comparison):
    a = study.waves["baseline"].data["n_part_6m"].dropna()
    b = study.waves["followup"].data["n_part_6m"].dropna()
    welch = sps.ttest_ind(b, a, equal_var=False)
    assert np.isclose(row(comparison, "n_part_6m")["unlinked_p"], welch.pvalue, rtol=1e-10)
    counts = [[(w.data["abstained_6m"] == v).sum() for v in (1.0, 2.0)]
              for w in study.waves.values()]
    chi = sps.chi2_contingency(counts, correction=False)
    assert np.isclose(row(comparison, "abstained_6m")["unlinked_p"], chi.pvalue, rtol=1e-10)


def test_response_rates_with_wilson_intervals(study, comparison):
    rates = comparison.result("response_rates").tables["rates"]
    inv = pd.read_csv(DATA_DIR / "kallmen2017_synthetic_invitations.csv", comment="#")
    base = rates[(rates["wave"] == "baseline") & (rates["level"] == "cohort")]
    for _, r in base.iterrows():
        n = (study.waves["baseline"].data["course_occasion"] == r["group"]).sum()
        invited = inv.loc[inv["course_occasion"] == r["group"], "invited_baseline"].iloc[0]
        lo, hi = proportion_confint(n, invited, method="wilson")
        assert (r["responded"], r["invited"]) == (n, invited)
        assert np.isclose(r["conf_low"], 100 * lo) and np.isclose(r["conf_high"], 100 * hi)
    total = rates[(rates["wave"] == "baseline") & (rates["level"] == "wave")].iloc[0]
    assert (total["responded"], total["invited"]) == (705, 797)


def test_attrition_and_linkage(study, comparison):
    attr = comparison.result("attrition").tables["attrition"]
    base = study.waves["baseline"].data
    followed = base["resp_id"].isin(set(study.waves["followup"].data["resp_id"]))
    age = attr[attr["trait"] == "age"].iloc[0]
    welch = sps.ttest_ind(base.loc[followed, "age"].dropna(), base.loc[~followed, "age"].dropna(),
                          equal_var=False)
    assert np.isclose(age["p"], welch.pvalue, rtol=1e-10)
    link = comparison.result("linkage").tables["linkage"].set_index("group")["n"]
    assert (link["both waves"], link["baseline only"], link["follow-up only"]) == (494, 211, 18)


def test_cohort_heterogeneity_matches_scipy(study, comparison):
    tests = comparison.result("cohorts").tables["heterogeneity"].set_index("indicator")
    base = study.waves["baseline"].data
    table = pd.crosstab(base["course_occasion"], base["ever_cip"])
    assert np.isclose(tests.loc["ever_cip", "p"],
                      sps.chi2_contingency(table, correction=False).pvalue, rtol=1e-10)
    groups = [g["n_part_6m"].dropna() for _, g in base.groupby("course_occasion")]
    assert np.isclose(tests.loc["n_part_6m", "p"], sps.kruskal(*groups).pvalue, rtol=1e-10)


def test_wave_without_the_key_falls_back_to_independent_tests(tmp_path, study):
    for f in DATA_DIR.glob("kallmen2017_synthetic_*"):
        shutil.copy(f, tmp_path / f.name)
    paper = tmp_path / "kallmen2017_synthetic_followup_paper.csv"
    frame = pd.read_csv(paper, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    frame.drop(columns=["resp_id"]).to_csv(paper, sep=";", index=False, encoding="cp1252")
    web = tmp_path / "kallmen2017_synthetic_followup_web.sav"
    import pyreadstat

    data, _ = pyreadstat.read_sav(str(web))
    pyreadstat.write_sav(data.drop(columns=["resp_id"]), str(web))
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    result = compare(load_study(tmp_path / "study.yaml"))
    change = result.result("change")
    assert any("only independent-sample tests" in n for n in change.notes)
    table = change.tables["change"]
    assert "linked_p" not in table.columns and table["unlinked_p"].notna().all()
    assert not any(r.id == "attrition" for r in result.results)


def test_compare_command_writes_the_report(tmp_path, cli):
    r = cli("compare", "--demo", "--out", tmp_path / "cmp", "--lang", "sv")
    assert r.code == 0, r.err
    payload = json.loads((tmp_path / "cmp" / "results.json").read_text("utf-8"))
    ids = [x["id"] for x in payload["results"]]
    assert {"response_rates", "attrition", "change", "change_by_area", "cohorts"} <= set(ids)
    html = (tmp_path / "cmp" / "report.html").read_text("utf-8")
    assert "vid baslinjen" in html and "Kurstillfällen" in html
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
