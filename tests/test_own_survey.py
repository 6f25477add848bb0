"""A user's own questionnaire through the CLI: the bugs of issue 18, each with its test.

The fixture is a small survey of its own (not the 2017 questionnaire): a group, two numbers,
a four-item scale answered 1-4 with one item worded the other way, and an item named
``source``. Expected values are computed here from the raw arrays with numpy and scipy, not
through cipsurvey.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from scipy import stats

OUTPUTS = ("report.html", "report.docx", "report.xlsx", "results.json")


def _choices(labels: list[str]) -> str:
    return "[" + ", ".join(
        f"{{code: {k}, name: c{k}, label: {{sv: '{lab}', en: '{lab}'}}}}"
        for k, lab in enumerate(labels, start=1)) + "]"


FOUR = _choices(["never", "sometimes", "often", "always"])
PROV = "provenance: {status: reconstructed, why: test}"

# the old format (both languages, provenance everywhere): valid before and after issue 18,
# so that each test below fails on the bug it names and not on the format
INSTRUMENT = f"""\
schema_version: 1
id: own
title: {{sv: Egen enkät, en: Own survey}}
respondent_id: resp
items:
  - {{id: resp, role: admin, type: identifier, text: {{sv: Id, en: Id}}, {PROV}}}
  - id: grp
    type: single_choice
    text: {{sv: Grupp, en: Group}}
    choices: {_choices(["north", "south"])}
    {PROV}
  - {{id: age, type: count, text: {{sv: Ålder, en: Age}}, {PROV}}}
  - {{id: hours, type: number, text: {{sv: Timmar, en: Hours}}, {PROV}}}
  - {{id: a1, type: likert, text: {{sv: A1, en: I cope well}}, choices: {FOUR}, {PROV}}}
  - {{id: a2, type: likert, text: {{sv: A2, en: It is too much}}, choices: {FOUR}, {PROV}}}
  - {{id: a3, type: likert, text: {{sv: A3, en: I feel supported}}, choices: {FOUR}, {PROV}}}
  - {{id: a4, type: likert, text: {{sv: A4, en: It is worthwhile}}, choices: {FOUR}, {PROV}}}
groups:
  - id: coping
    type: scale
    text: {{sv: Hanterbarhet, en: Coping}}
    items: [a1, a2, a3, a4]
    reverse: [a2]
"""

PLAN = """\
schema_version: 1
id: own_plan
instrument: {instrument}
title: {{sv: Egen plan, en: Own plan}}
sections:
  - id: main
    title: {{sv: Resultat, en: Results}}
    analyses:
      - id: by_group
        kind: ttest
        title: {{sv: Efter grupp, en: By group}}
        variables: [age, hours]
        by: grp
      - id: coping
        kind: scale
        title: {{sv: Hanterbarhet, en: Coping}}
        group: coping
"""


def own_frame(n: int = 240, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    grp = rng.integers(1, 3, n).astype(float)
    frame = {"resp": [f"r{k:04d}" for k in range(n)], "grp": grp,
             "age": np.round(40 + 8 * grp + rng.normal(0, 9, n)),
             "hours": np.round(rng.gamma(2, 6, n) + grp, 1)}
    for item, sign in (("a1", 1), ("a2", -1), ("a3", 1), ("a4", 1)):
        frame[item] = np.clip(np.rint(2.5 + sign * trait + rng.normal(0, 0.8, n)), 1, 4)
    out = pd.DataFrame(frame)
    out.loc[rng.choice(n, 12, replace=False), "a3"] = np.nan
    return out


@pytest.fixture
def own(tmp_path: Path) -> dict[str, Path]:
    frame = own_frame()
    sav = tmp_path / "own.sav"
    pyreadstat.write_sav(frame, str(sav))
    inst = tmp_path / "own.yaml"
    inst.write_text(INSTRUMENT, encoding="utf-8")
    plan = tmp_path / "own_plan.yaml"
    plan.write_text(PLAN.format(instrument="own.yaml"), encoding="utf-8")
    return {"sav": sav, "instrument": inst, "plan": plan, "dir": tmp_path}


def results(folder: Path) -> dict[str, dict]:
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return {r["id"]: r for r in data["results"]}


def table(result: dict, name: str) -> pd.DataFrame:
    t = result["tables"][name]
    return pd.DataFrame(t["rows"], columns=t["columns"])


def test_a_ttest_of_several_variables_tests_each(own, cli):
    out = own["dir"] / "r"
    res = cli("report", own["sav"], "-i", own["instrument"], "-p", own["plan"], "--out", out)
    assert res.code == 0, res.err
    tt = table(results(out)["by_group"], "ttest")
    frame = own_frame()
    for var in ("age", "hours"):
        rows = tt[(tt["variable"] == var) & (tt["test"] == "Student")]
        assert len(rows) == 1, f"{var} was not tested"
        x = frame.loc[frame["grp"] == 1, var].dropna()
        y = frame.loc[frame["grp"] == 2, var].dropna()
        expected = stats.ttest_ind(x, y)
        assert abs(rows["statistic"].iloc[0]) == pytest.approx(abs(expected.statistic), rel=1e-9)
        assert rows["p"].iloc[0] == pytest.approx(expected.pvalue, rel=1e-9)


def test_a_scale_reverses_its_reversed_items_in_alpha_and_scores(own, cli):
    out = own["dir"] / "r"
    res = cli("report", own["sav"], "-i", own["instrument"], "-p", own["plan"], "--out", out)
    assert res.code == 0, res.err
    r = results(out)["coping"]
    frame = own_frame()
    items = frame[["a1", "a2", "a3", "a4"]].copy()
    items["a2"] = 1 + 4 - items["a2"]  # the item's own range, 1-4
    complete = items.dropna().to_numpy()
    k = complete.shape[1]
    alpha = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum()
                           / complete.sum(axis=1).var(ddof=1))
    assert alpha > 0.6  # with a2 left as answered it is near zero
    assert table(r, "alpha")["estimate"].iloc[0] == pytest.approx(alpha, rel=1e-12)
    rest = table(r, "items").set_index("item")
    others = complete[:, [0, 2, 3]].sum(axis=1)
    assert rest.loc["a2", "item_rest_r"] == pytest.approx(
        np.corrcoef(complete[:, 1], others)[0, 1], rel=1e-12)
    score = table(r, "score")
    assert score["mean"].iloc[0] == pytest.approx(items.mean(axis=1).mean(), rel=1e-12)


def test_an_item_may_be_called_source(own, cli):
    text = INSTRUMENT.replace("id: hours", "id: source")
    own["instrument"].write_text(text, encoding="utf-8")
    frame = own_frame().rename(columns={"hours": "source"})
    pyreadstat.write_sav(frame, str(own["sav"]))
    res = cli("instrument", "check", own["instrument"])
    assert res.code == 0, res.err
    out = own["dir"] / "clean.sav"
    res = cli("import", own["sav"], "-i", own["instrument"], "--to", out)
    assert res.code == 0, res.err
    back, _ = pyreadstat.read_sav(str(out))
    np.testing.assert_allclose(back["source"], frame["source"])  # the answers, not a file path
    assert set(back["source.file"]) == {"own.sav"}  # the file each row came from, by its name
    assert not any("/" in str(v) for v in back.select_dtypes(["object", "str"]).stack())


def test_own_files_need_an_instrument(own, cli):
    res = cli("validate", own["sav"])
    assert res.code == 2
    assert "--instrument" in res.err
    assert "kallmen2017" not in res.out + res.err


def test_report_uses_the_instrument_its_plan_names(own, cli):
    out = own["dir"] / "r"
    res = cli("report", own["sav"], "-p", own["plan"], "--out", out)
    assert res.code == 0, res.err
    assert json.loads((out / "results.json").read_text())["instrument"] == "own"


def test_errors_name_the_instrument_checked_against(own, cli):
    frame = own_frame()
    frame.loc[3, "grp"] = 7.0  # not an answer of grp
    pyreadstat.write_sav(frame, str(own["sav"]))
    res = cli("validate", own["sav"], "-i", own["instrument"])
    assert res.code == 1
    assert "own" in res.out.split("\n")[0] + res.err.split("\n")[0]


def _small_wave(tmp: Path) -> Path:
    from cipsurvey.demo.files import demo_files

    csv = next(p for p in demo_files("baseline") if p.suffix == ".csv")
    head = csv.read_bytes().splitlines(keepends=True)[:7]  # header and six respondents
    small = tmp / "small.csv"
    small.write_bytes(b"".join(head))
    return small


def test_a_small_file_gets_a_whole_report_with_notes(tmp_path, cli):
    out = tmp_path / "r"
    res = cli("report", _small_wave(tmp_path), "-i", "kallmen2017", "-p", "kallmen2017",
              "--out", out)
    assert "bug" not in res.err, res.err
    assert res.code in (0, 1), res.err
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    noted = [r for r in results(out).values() if r["error"] or r["notes"]]
    assert noted  # six respondents cannot carry every analysis: some say why


def test_a_report_that_fails_to_write_leaves_nothing_behind(tmp_path, cli, monkeypatch):
    import docx.document

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(docx.document.Document, "save", broken)
    out = tmp_path / "r"
    res = cli("report", "--demo", "--out", out)
    assert res.code != 0
    assert not out.exists() or not any(out.iterdir()), sorted(out.rglob("*"))


def test_a_wide_file_gives_no_performance_warnings(tmp_path, cli):
    rng = np.random.default_rng(3)
    n, k = 60, 135
    frame = pd.DataFrame({f"q{j}": rng.integers(1, 6, n).astype(float) for j in range(k)})
    sav = tmp_path / "wide.sav"
    pyreadstat.write_sav(frame, str(sav))
    items = "\n".join(
        f"  - {{id: q{j}, type: likert, text: {{sv: q{j}, en: q{j}}}, "
        f"choices: {_choices(['1', '2', '3', '4', '5'])}, {PROV}}}" for j in range(k))
    inst = tmp_path / "wide.yaml"
    inst.write_text(f"schema_version: 1\nid: wide\ntitle: {{sv: W, en: W}}\nitems:\n{items}\n"
                    "derived:\n  - {id: any5, kind: any, text: {sv: A, en: A}, "
                    f"sources: [q0, q1, q2], value: 5, {PROV}}}\n", encoding="utf-8")
    plan = tmp_path / "wide_plan.yaml"
    plan.write_text("schema_version: 1\nid: wp\ninstrument: wide.yaml\ntitle: W\nsections:\n"
                    "  - id: s\n    title: S\n    analyses:\n"
                    "      - {id: f, kind: frequencies, title: F, variables: [q0, any5]}\n"
                    "      - {id: d, kind: anova, title: D, variables: [q3, q4], by: q0}\n",
                    encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        res = cli("validate", sav, "-i", inst)
        assert res.code == 0, res.err
        res = cli("import", sav, "-i", inst, "--to", tmp_path / "wide_clean.sav")
        assert res.code == 0, res.err
        res = cli("report", sav, "-p", plan, "--out", tmp_path / "r")
        assert res.code == 0, res.err


def test_the_sav_export_keeps_each_items_format(own, cli):
    out = own["dir"] / "clean.sav"
    res = cli("import", own["sav"], "-i", own["instrument"], "--to", out)
    assert res.code == 0, res.err
    _, meta = pyreadstat.read_sav(str(out), metadataonly=True)
    formats = meta.original_variable_types
    assert formats["grp"] == "F1.0"
    assert formats["a1"] == "F1.0"
    assert formats["age"] == "F2.0"  # whole numbers, 21-75: two digits
    assert formats["hours"].endswith(".1")  # the answers carry one decimal
    assert meta.variable_measure["a1"] == "ordinal"
    assert meta.variable_measure["grp"] == "nominal"
    assert meta.variable_measure["hours"] == "scale"


def test_import_says_once_where_it_wrote_a_new_key(own, cli, monkeypatch):
    key = own["dir"] / "keys" / "cipsurvey.key"
    monkeypatch.setenv("CIPSURVEY_KEY_FILE", str(key))
    res = cli("import", own["sav"], "-i", own["instrument"], "--to", own["dir"] / "c.sav")
    assert res.code == 0, res.err
    assert key.is_file()
    assert res.err.count(str(key)) == 1, res.err  # the new key and its place, said once
    res = cli("import", own["sav"], "-i", own["instrument"], "--to", own["dir"] / "d.sav")
    assert res.code == 0, res.err
    assert str(key) not in res.err  # an existing key is simply used


@pytest.mark.parametrize("args, says", [
    (["--wave", "baseline=own.sav", "--wave", "followup=own.sav"], "--plan"),
    (["--plan", "own_plan.yaml", "--wave", "baseline=own.sav"], "at least two waves"),
    (["--plan", "own_plan.yaml", "--wave", "baseline", "--wave", "f=own.sav"], "ID=FILE"),
    (["--plan", "own_plan.yaml", "--wave", "a=own.sav", "--wave", "a=own.sav"], "twice"),
    (["--plan", "own_plan.yaml", "--wave", "Base=own.sav", "--wave", "f=own.sav"],
     "lower-case"),
    (["--plan", "own_plan.yaml", "--demo"], "--plan and --instrument go with --wave"),
])
def test_compare_without_a_manifest_refuses_what_it_cannot_use(own, cli, monkeypatch, args,
                                                                says):
    monkeypatch.chdir(own["dir"])
    res = cli("compare", *args, "--out", "cmp")
    assert res.code == 2, (res.out, res.err)
    assert says in " ".join(res.err.split()), res.err
    assert "Traceback" not in res.err and not (own["dir"] / "cmp").exists()
