"""Reproduce Källmén, Hed & Elgán (2017): every printed number beside the value the plan
computes from a wave, with a verdict.

The published numbers come from cipsurvey's copy of the paper's transcription
(``cipsurvey/demo/kallmen2017_published.yaml``). Each check names where the reproduced
value sits in the report's results; a value matches when it rounds (half up, as SPSS prints)
to the printed one. Known contradictions of the paper are shown as such and do not fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..analysis import tables as T
from ..analysis.results import Report

PUBLISHED = Path(__file__).resolve().parent / "kallmen2017_published.yaml"
THREE = ["social_services", "psychiatric_care", "substance_use_treatment"]
AREA = {"social_services": 1.0, "psychiatric_care": 2.0, "substance_use_treatment": 3.0,
        "other_healthcare": 4.0}
GENDER = {"women": 1.0, "men": 2.0}
COUNT_ITEMS = {"participated_30d": "n_part_30d", "selfinitiated_30d": "n_self_30d",
               "participated_6m": "n_part_6m", "selfinitiated_6m": "n_self_6m"}
TABLE3 = {"client_personal_data": "tc_personal_data", "date_established": "tc_date_established",
          "who_participated_in_meeting": "tc_participants",
          "measures_to_be_performed": "tc_measures",
          "party_responsible_per_measure": "tc_responsible_party",
          "support_client_needs": "tc_support_needs",
          "follow_up_time_point": "tc_follow_up_time",
          "overall_coordination_responsibility": "tc_coordination_responsibility",
          "measures_client_wishes": "tc_client_wishes", "long_term_goals": "tc_long_term_goals",
          "short_term_goals": "tc_short_term_goals", "client_housing_situation": "tc_housing",
          "how_follow_up_conducted": "tc_follow_up_how", "client_occupation": "tc_occupation"}
TABLE4 = {"responsibilities_clarified": "cq_responsibilities_clarified",
          "client_influence_participation": "cq_client_influence",
          "client_gets_adequate_support": "cq_adequate_support",
          "improved_coordination_of_care": "cq_coordination",
          "increased_initiation_interventions": "cq_more_interventions",
          "easier_to_receive_adequate_care": "cq_easier_care",
          "increased_initiation_investigations": "cq_more_investigations"}
PARTNERS = {"social_services": "social_services", "psychiatric_care": "psychiatric_care",
            "sut_services": "sut_services", "social_insurance_agency": "social_insurance_agency",
            "employment_services": "employment_services",
            "correctional_treatment": "correctional_treatment",
            "primary_healthcare": "primary_healthcare"}

# printed numbers the paper contradicts (see added_inconsistencies and inconsistencies)
KNOWN = {
    "Table 1 · education total · other_post_primary %": "3/703 = 0.4 %, printed 0.5",
    "Text · ANOVA participated_30d F": "with the printed d exact, F ≤ 6.00 (printed 6.98)",
    "Text · ANOVA participated_6m F": "with the printed d exact, F ≥ 6.81 (printed 6.66)",
    "Text · ANOVA selfinitiated_6m F": "6.48 lies outside what the rounding allows (≤ 6.45)",
    "Text · Cohen's d largest (PC vs SS, self-initiated)": "recomputes as .434 or .403",
    "Table 3 · long_term_goals · yes n": "324 is a misprint of 234",
    "Design · response rate %": "705/797 = 88.46 %: the paper truncates to 88.4",
}


@dataclass
class Check:
    """One printed number beside its reproduction; ``cell`` says where the reproduced value
    stands in the report's results (result id, table, column, and the keys of its row), so
    that the report can print the paper's value beside it."""

    label: str
    published: float
    reproduced: float | None
    decimals: int
    cell: tuple[str, str, str, dict[str, Any]] | None = None

    @property
    def verdict(self) -> str:
        """match, mismatch, known inconsistency (of the paper) or missing."""
        if self.reproduced is None:
            return "missing"
        ok = _round(self.reproduced, self.decimals) == round(self.published, self.decimals)
        if ok:
            return "match"
        return "known inconsistency" if self.label in KNOWN else "mismatch"


def _round(x: float, k: int) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-k), ROUND_HALF_UP))


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if float(value).is_integer() else len(text.split(".")[1])


class _Lookup:
    def __init__(self, report: Report) -> None:
        self.report = report

    def table(self, rid: str, name: str) -> pd.DataFrame:
        return self.report.result(rid).tables[name]

    def one(self, rid: str, name: str, column: str, **where) -> float | None:
        t = self.table(rid, name)
        for k, v in where.items():
            t = t[t[k] == v]
        if len(t) != 1:
            return None
        value = t[column].iloc[0]
        return None if pd.isna(value) else float(value)


def build_checks(report: Report, published: dict | None = None,
                 invited: int | None = None) -> list[Check]:
    """Every number the paper prints, each beside its reproduced value."""
    pub = published or yaml.safe_load(PUBLISHED.read_text(encoding="utf-8"))
    q = _Lookup(report)
    checks: list[Check] = []

    def add(label: str, value: float, reproduced: float | None, decimals: int | None = None,
            cell: tuple[str, str, str, dict[str, Any]] | None = None):
        checks.append(Check(label, float(value), reproduced,
                            _decimals(value) if decimals is None else decimals, cell))

    design = pub["design"]
    acc = report.survey.account
    by_format = {f.format: f.rows_kept for f in acc.files}
    add("Design · respondents", design["responded"], float(acc.rows_kept))
    add("Design · web answers (.sav)", design["responded_web"], float(by_format.get("sav", 0)))
    add("Design · paper answers (.csv)", design["responded_paper"],
        float(by_format.get("csv", 0)))
    add("Design · course occasions", 10.0,
        float(report.survey.data["course_occasion"].nunique()))
    if invited:
        add("Design · invited", design["invited"], float(invited))
        add("Design · response rate %", design["response_rate_percent"],
            100 * acc.rows_kept / invited, 1)

    t1 = pub["table1_demographics"]
    # Table 1
    area_cells = q.table("t1_work_area", T.CELLS)
    for key, g in GENDER.items():
        add(f"Table 1 · n {key}", t1["n"][key],
            float(report.survey.data["gender"].eq(g).sum()))
    add("Table 1 · n total", t1["n"]["total"], float(report.survey.data["gender"].notna().sum()))
    for var, key in (("age", "age_mean_sd"), ("years_at_workplace",
                                               "years_at_workplace_mean_sd")):
        rid = "t1_age" if var == "age" else "t1_years"
        for who, g in (*GENDER.items(), ("total", "Total")):
            m, s = t1[key][who]
            where = {"variable": var, "group": g}
            add(f"Table 1 · {var} mean · {who}", m, q.one(rid, T.DESCRIBE, "mean", group=g), 1,
                (rid, T.DESCRIBE, "mean", where))
            add(f"Table 1 · {var} SD · {who}", s, q.one(rid, T.DESCRIBE, "sd", group=g), 1,
                (rid, T.DESCRIBE, "sd", where))
    edu = q.table("t1_education", T.CELLS)
    levels = ["primary", "secondary", "other_post_primary", "college_university",
              "practical_job_training"]
    for code, level in enumerate(levels, start=1):
        cells = t1["education_percent_n"][level]
        for who, g in GENDER.items():
            if cells[who] is None:
                continue
            row = edu[(edu["row"] == code) & (edu["column"] == g)]
            where = {"row": code, "column": g}
            add(f"Table 1 · education {who} · {level} n", cells[who][1],
                float(row["observed"].iloc[0]), cell=("t1_education", T.CELLS, "observed", where))
            add(f"Table 1 · education {who} · {level} %", cells[who][0],
                float(row["col_percent"].iloc[0]), 1,
                ("t1_education", T.CELLS, "col_percent", where))
        total = float(edu.loc[edu["row"] == code, "observed"].sum())
        margin = {"margin": "row", "level": code}
        add(f"Table 1 · education total · {level} n", cells["total"][1], total,
            cell=("t1_education", T.MARGINS, "n", margin))
        add(f"Table 1 · education total · {level} %", cells["total"][0], 100 * total / 703, 1,
            ("t1_education", T.MARGINS, "percent", margin))
    n_area = area_cells["observed"].sum()
    for area, cells in t1["work_area_percent_n"].items():
        sub = area_cells[area_cells["row"] == AREA[area]]
        for who, g in GENDER.items():
            row = sub[sub["column"] == g]
            where = {"row": AREA[area], "column": g}
            add(f"Table 1 · work area {area} · {who} n", cells[who][1],
                float(row["observed"].iloc[0]), cell=("t1_work_area", T.CELLS, "observed", where))
            add(f"Table 1 · work area {area} · {who} row %", cells[who][0],
                float(row["row_percent"].iloc[0]), 1,
                ("t1_work_area", T.CELLS, "row_percent", where))
        margin = {"margin": "row", "level": AREA[area]}
        add(f"Table 1 · work area {area} · total n", cells["total"][1],
            float(sub["observed"].sum()), cell=("t1_work_area", T.MARGINS, "n", margin))
        add(f"Table 1 · work area {area} · total %", cells["total"][0],
            100 * float(sub["observed"].sum()) / n_area, 1,
            ("t1_work_area", T.MARGINS, "percent", margin))

    ts = pub["text_statistics"]
    tt = q.table("t1_age_ttest", T.TTEST)
    student = tt[tt["test"] == "Student"].iloc[0]
    where = {"test": "Student"}
    add("Text · age t", ts["age_by_gender_ttest"]["t"], float(student["statistic"]), 2,
        ("t1_age_ttest", T.TTEST, "statistic", where))
    add("Text · age t df", ts["age_by_gender_ttest"]["df"], float(student["df"]), 0,
        ("t1_age_ttest", T.TTEST, "df", where))
    add("Text · age t p", ts["age_by_gender_ttest"]["p"], float(student["p"]), 2,
        ("t1_age_ttest", T.TTEST, "p", where))
    chi = q.table("t1_work_area", T.TESTS).set_index("test").loc["Pearson chi-square"]
    where = {"test": "Pearson chi-square"}
    add("Text · gender × area chi2", ts["gender_by_work_area_chi2"]["chi2"],
        float(chi["statistic"]), 2, ("t1_work_area", T.TESTS, "statistic", where))
    add("Text · gender × area df", ts["gender_by_work_area_chi2"]["df"], float(chi["df"]), 0,
        ("t1_work_area", T.TESTS, "df", where))
    add("Text · gender × area p", ts["gender_by_work_area_chi2"]["p"], float(chi["p"]), 3,
        ("t1_work_area", T.TESTS, "p", where))
    meets = q.table("need_overall", T.FREQUENCIES).set_index("level")
    where = {"variable": "meets_clients_needing_cip", "level": 1.0}
    add("Text · meets clients n", ts["meets_clients_needing_cip"]["n"],
        float(meets.loc[1.0, "count"]), cell=("need_overall", T.FREQUENCIES, "count", where))
    add("Text · meets clients %", ts["meets_clients_needing_cip"]["percent"],
        float(meets.loc[1.0, "percent"]), 1, ("need_overall", T.FREQUENCIES, "percent", where))
    ever = q.table("ever_cip", T.FREQUENCIES).set_index("level")
    where = {"variable": "ever_cip", "level": 1.0}
    add("Text · ever involved n", ts["ever_involved_in_cip"]["n"], float(ever.loc[1.0, "count"]),
        cell=("ever_cip", T.FREQUENCIES, "count", where))
    add("Text · ever involved %", ts["ever_involved_in_cip"]["percent"],
        float(ever.loc[1.0, "percent"]), 1, ("ever_cip", T.FREQUENCIES, "percent", where))

    anova = q.table("t2_anova", T.ANOVA)
    for key, item in COUNT_ITEMS.items():
        printed = ts[f"anova_cips_{key}"]
        row = anova[(anova["variable"] == item) & (anova["source"] == "Between Groups")].iloc[0]
        within = anova[(anova["variable"] == item) & (anova["source"] == "Within Groups")].iloc[0]
        add(f"Text · ANOVA {key} F", printed["F"], float(row["statistic"]), 2,
            ("t2_anova", T.ANOVA, "statistic", {"variable": item, "source": "Between Groups"}))
        add(f"Text · ANOVA {key} df2", printed["df"][1], float(within["df"]), 0)
    pairwise = q.table("t2_anova", T.PAIRWISE_D)
    for key, printed in (("participated_30d", ts["cohens_d_participated_30d"]),
                         ("participated_6m", ts["cohens_d_participated_6m"])):
        item = COUNT_ITEMS[key]
        for pair, other in (("ss_vs_pc", 2.0), ("ss_vs_sut", 3.0)):
            row = pairwise[(pairwise["variable"] == item) & (pairwise["group1"] == 1.0)
                           & (pairwise["group2"] == other)]
            add(f"Text · Cohen's d {key} {pair}", printed[pair],
                -float(row["estimate"].iloc[0]), 3)  # the paper prints the size, unsigned
    self_d = [abs(float(pairwise[(pairwise["variable"] == COUNT_ITEMS[k])
                                 & (pairwise["group1"] == 1.0) & (pairwise["group2"] == 2.0)]
                        ["estimate"].iloc[0])) for k in ("selfinitiated_30d", "selfinitiated_6m")]
    add("Text · Cohen's d largest (PC vs SS, self-initiated)",
        ts["cohens_d_selfinitiated_largest"]["pc_vs_ss"], max(self_d), 3)

    abst = q.table("abstained", T.FREQUENCIES).set_index("level")
    add("Text · abstained %", ts["abstained_6m_among_involved"]["percent"],
        float(abst.loc[1.0, "percent"]), 1,
        ("abstained", T.FREQUENCIES, "percent", {"variable": "abstained_6m", "level": 1.0}))
    reasons = q.table("abstain_reasons", T.MULTIPLE_RESPONSE).set_index("option")
    for key, col in (("difficulties_collaborating", "abstain_reasons_difficult_collaboration"),
                     ("lack_of_time", "abstain_reasons_lack_of_time"),
                     ("no_client_consent", "abstain_reasons_no_client_consent")):
        add(f"Text · abstention reason {key} %", ts["abstention_reasons_percent"][key],
            float(reasons.loc[col, "pct_of_respondents"]), 1,
            ("abstain_reasons", T.MULTIPLE_RESPONSE, "pct_of_respondents", {"option": col}))
    ta = ts["template_awareness_among_meeting_clients"]
    tmpl = q.table("template_overall", T.FREQUENCIES).set_index("level")
    for code, key in ((1.0, "knows_template_exists"), (2.0, "no_template_exists"),
                      (3.0, "not_aware")):
        where = {"variable": "template_exists", "level": code}
        add(f"Text · template {key} %", ta[key][0], float(tmpl.loc[code, "percent"]), 1,
            ("template_overall", T.FREQUENCIES, "percent", where))
        add(f"Text · template {key} n", ta[key][1], float(tmpl.loc[code, "count"]),
            cell=("template_overall", T.FREQUENCIES, "count", where))
    by_area = q.table("template_by_area", T.CELLS)
    for area, printed in ta["percent_aware_by_area"].items():
        row = by_area[(by_area["row"] == AREA[area]) & (by_area["column"] == 1.0)]
        add(f"Text · template aware {area} %", printed, float(row["row_percent"].iloc[0]), 1,
            ("template_by_area", T.CELLS, "row_percent", {"row": AREA[area], "column": 1.0}))
    tan = q.table("template_anova", T.ANOVA)
    add("Text · template ANOVA F", ta["anova_by_work_area"]["F"],
        float(tan.loc[tan["source"] == "Between Groups", "statistic"].iloc[0]), 2,
        ("template_anova", T.ANOVA, "statistic",
         {"variable": "template_exists", "source": "Between Groups"}))
    add("Text · template ANOVA df2", ta["anova_by_work_area"]["df"][1],
        float(tan.loc[tan["source"] == "Within Groups", "df"].iloc[0]), 0)
    staff = {"social_services_staff": 1.0, "psychiatric_care_staff": 2.0, "sut_staff": 3.0}
    partner_code = {"social_services": 1.0, "psychiatric_care": 2.0,
                    "substance_use_treatment": 3.0}
    for rid, key in (("easiest", "easiest_partner_percent"),
                     ("most_difficult", "most_difficult_partner_percent")):
        cells = q.table(rid, T.CELLS)
        for who, partners in ts[key].items():
            for partner, printed in partners.items():
                row = cells[(cells["row"] == staff[who]) & (cells["column"]
                                                            == partner_code[partner])]
                add(f"Text · {rid} partner · {who} → {partner} %", printed,
                    float(row["row_percent"].iloc[0]), 1,
                    (rid, T.CELLS, "row_percent",
                     {"row": staff[who], "column": partner_code[partner]}))
    model = q.table("reg_ols", T.MODEL).iloc[0]
    add("Text · regression R²", ts["regression_cips_6m"]["r_squared"],
        float(model["r_squared"]), 2)
    coef = q.table("reg_ols", T.COEFFICIENTS).set_index("term")
    add("Text · regression p (social services)", 0.001, float(coef.loc["work_area[1]", "p"]), 3,
        ("reg_ols", T.COEFFICIENTS, "p", {"term": "work_area[1]"}))

    # Table 2
    desc = q.table("t2_describe", T.DESCRIBE)
    for key, item in COUNT_ITEMS.items():
        for area in THREE:
            want = pub["table2_cip_counts"][key][area]
            row = desc[(desc["variable"] == item) & (desc["group"] == AREA[area])].iloc[0]
            for stat in ("n", "mean", "sd", "median"):
                add(f"Table 2 · {key} · {area} · {stat}", want[stat], float(row[stat]),
                    0 if stat == "n" else 1,
                    ("t2_describe", T.DESCRIBE, stat, {"variable": item, "group": AREA[area]}))
    # Table 3
    grid = q.table("t3_contents", T.GRID)
    for key, item in TABLE3.items():
        want = pub["table3_template_content"][key]
        sub = grid[grid["item"] == item].set_index("level")
        add(f"Table 3 · {key} · N", want["N"], float(sub["n"].iloc[0]),
            cell=("t3_contents", T.GRID, "n", {"item": item}))
        for code, answer in ((1.0, "yes"), (2.0, "no"), (3.0, "dont_know")):
            printed_pct, printed_n = want[answer]
            where = {"item": item, "level": code}
            add(f"Table 3 · {key} · {answer} %", printed_pct, float(sub.loc[code, "percent"]),
                1, ("t3_contents", T.GRID, "percent", where))
            add(f"Table 3 · {key} · {answer} n", printed_n, float(sub.loc[code, "count"]),
                cell=("t3_contents", T.GRID, "count", where))
    # Table 4
    grid4 = q.table("t4_consequences", T.GRID)
    for key, item in TABLE4.items():
        want = pub["table4_positive_consequences"][key]
        sub = grid4[grid4["item"] == item].set_index("level")
        add(f"Table 4 · {key} · N", want["N"], float(sub["n"].iloc[0]),
            cell=("t4_consequences", T.GRID, "n", {"item": item}))
        for code, answer in ((1.0, "yes"), (2.0, "no")):
            where = {"item": item, "level": code}
            add(f"Table 4 · {key} · {answer} %", want[answer][0],
                float(sub.loc[code, "percent"]), 1, ("t4_consequences", T.GRID, "percent", where))
            add(f"Table 4 · {key} · {answer} n", want[answer][1], float(sub.loc[code, "count"]),
                cell=("t4_consequences", T.GRID, "count", where))
    # Table 5
    mr = q.table("t5_partners", T.MULTIPLE_RESPONSE)
    data = report.survey.data
    for area in THREE:
        want = pub["table5_collaboration_partners_12m"][area]
        add(f"Table 5 · {area} · N", want["N"], float((data["work_area"] == AREA[area]).sum()))
        for key, option in PARTNERS.items():
            if want[key] is None:
                continue
            row = mr[(mr["group"] == AREA[area]) & (mr["option"] == f"partners_12m_{option}")]
            where = {"group": AREA[area], "option": f"partners_12m_{option}"}
            add(f"Table 5 · {area} · {key} %", want[key][0],
                float(row["pct_of_respondents"].iloc[0]), 1,
                ("t5_partners", T.MULTIPLE_RESPONSE, "pct_of_respondents", where))
            add(f"Table 5 · {area} · {key} n", want[key][1], float(row["count"].iloc[0]),
                cell=("t5_partners", T.MULTIPLE_RESPONSE, "count", where))
    return checks


def paper_cells(checks: list[Check]) -> dict[tuple[str, str, str, tuple], tuple[float, int]]:
    """The paper's printed values by the result cell each reproduces, as the report looks
    them up to print each beside its reproduction: (result, table, column, the row's keys)
    → (printed value, its decimals)."""
    out = {}
    for c in checks:
        if c.cell is None:
            continue
        rid, table, column, where = c.cell
        key = (rid, table, column, tuple(sorted((k, _key(v)) for k, v in where.items())))
        out[key] = (c.published, c.decimals)
    return out


def _key(value: Any) -> Any:
    """Row keys compare codes as floats (1 and 1.0 are one group), labels as text."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def checks_frame(checks: list[Check]) -> pd.DataFrame:
    """The checks as a table, with the reason for each known inconsistency."""
    return pd.DataFrame([{"quantity": c.label, "published": c.published,
                          "reproduced": c.reproduced, "decimals": c.decimals,
                          "verdict": c.verdict, "why": KNOWN.get(c.label, "")
                          if c.verdict == "known inconsistency" else ""} for c in checks])


def paper_beside(report: Report) -> dict[tuple[str, str, str, tuple], tuple[float, int]]:
    """The paper's printed values by the result cell each reproduces, for the demo wave's
    report with the paper's plan (what the report prints beside its numbers)."""
    from .files import demo_invited

    return paper_cells(build_checks(report, invited=demo_invited("baseline")))
