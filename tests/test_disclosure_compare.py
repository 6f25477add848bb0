"""Small-cell protection of a comparison of waves (``cipsurvey compare --min-cell K``).

The attacker (``protect.comparison.audit_json``) reads the written results.json only, and is
given the totals a reader may know from elsewhere (each family's sum, the waves' sizes, the
trait levels' baseline counts of at least K), taken from the *unprotected* comparison's
results.json. The four leaks of (a) are read off today's output by hand (a printed count,
a lost share times its n) and must be gone after; the attacker must fail on today's output
and hold on the protected one.
"""

from __future__ import annotations

import copy
import json
import math
import re
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cipsurvey.analysis.compare import compare
from cipsurvey.demo.files import DATA_DIR
from cipsurvey.lang import text
from cipsurvey.report.jsonout import results_json
from cipsurvey.report.make import Unprotected, make_comparison
from cipsurvey.report.protect import comparison as pc
from cipsurvey.wave.study import load_study
from cipsurvey.wave.survey import ImportAccount

MANIFEST = DATA_DIR / "kallmen2017_synthetic_study.yaml"
K = 5


@pytest.fixture(scope="module")
def demo():
    return load_study(MANIFEST)


def small_study(demo, base_keys, follow_keys):
    """The demo study cut to the given respondents (one file per wave, invitations for
    the occasions present: three more than answered the baseline)."""
    waves = {}
    for wave, keys in (("baseline", base_keys), ("followup", follow_keys)):
        s = demo.waves[wave]
        data = s.data[s.data["resp_id"].isin(keys)].drop_duplicates("resp_id")
        data = data.reset_index(drop=True)
        f = replace(s.account.files[0], rows_read=len(data), rows_kept=len(data))
        waves[wave] = replace(s, data=data, account=ImportAccount([f], s.account.exclusions
                                                                  .iloc[0:0]))
    occ = waves["baseline"].data["course_occasion"].value_counts()
    invited = pd.DataFrame([{"cohort": float(c), "wave": w, "invited": int(n) + 3}
                            for c, n in occ.items() for w in ("baseline", "followup")])
    return replace(demo, waves=waves, invited=invited)


def payload(comparison) -> dict:
    """The results.json a comparison would write (its tables, notes, summary and methods),
    serialised and read back as a reader has it."""
    doc = results_json(comparison, [], None, "2026-01-01T00:00:00+00:00", comparison.methods)
    doc["summary"] = list(comparison.summary)
    return json.loads(json.dumps(doc, allow_nan=False))


def table(doc: dict, rid: str, name: str) -> pd.DataFrame:
    return pc.frames_of_json(doc)[f"{rid}.{name}"]


# --------------------------------------------------------------------------- (a) leaks


@pytest.fixture(scope="module")
def leaky(demo):
    """A study with a course occasion of 2, one lost man, a work-area group of 3 among the
    linked and a cohort of 2 (K = 5)."""
    b = demo.waves["baseline"].data.drop_duplicates("resp_id").set_index("resp_id")
    f = demo.waves["followup"].data.drop_duplicates("resp_id").set_index("resp_id")
    linked = b.loc[b.index.isin(f.index)]
    lost = b.loc[~b.index.isin(f.index)]
    # the follow-up's occasion and the baseline's agree for the linked picked
    same = linked[f.loc[linked.index, "course_occasion"].to_numpy()
                  == linked["course_occasion"].to_numpy()]
    common = same[same["work_area"].isin([1.0, 2.0]) & same["gender"].notna()]
    keys = [*common[common["course_occasion"] == 1].index[:30],
            *common[common["course_occasion"] == 2].index[:30],
            *common[common["course_occasion"] == 3].index[:2]]
    third = same[(same["work_area"] == 3.0) & same["course_occasion"].isin([1.0, 2.0])]
    keys += list(third.index[:3])
    pool = lost[lost["course_occasion"].isin([1.0, 2.0]) & lost["work_area"].isin([1.0, 2.0])]
    gone = [*pool[pool["gender"] == 1.0].index[:12], *pool[pool["gender"] == 2.0].index[:1]]
    return small_study(demo, keys + gone, keys)


def recover(doc: dict) -> dict[str, float | None]:
    """What a reader reads off the four places by hand (None: not shown)."""
    def num(v):
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

    rates = table(doc, "response_rates", "rates")
    occ3 = rates[(rates["wave_id"] == "baseline") & (rates["group"] == "Course occasion 3")]
    att = table(doc, "attrition", "attrition")
    man = att[(att["trait"] == "gender") & (att["level"] == 2.0)].iloc[0]
    lost_men = (None if num(man["lost"]) is None or num(man["n_lost"]) is None
                else round(man["lost"] * man["n_lost"] / 100))
    by = table(doc, "change_by_group", "by_group")
    group3 = by[(by["group"] == 3.0) & (by["indicator"] == "abstained_6m")]
    co = table(doc, "cohorts", "cohorts")
    cohort3 = co[(co["wave_id"] == "baseline") & (co["group"] == 3.0)
                 & (co["indicator"] == "ever_cip")]
    return {"occasion": num(occ3["responded"].iloc[0]), "lost_men": lost_men,
            "group": num(group3["n"].iloc[0]) if len(group3) else None,
            "cohort": num(cohort3["n"].iloc[0]) if len(cohort3) else None}


@pytest.fixture(scope="module")
def leaky_pair(leaky):
    """The leaky study's comparison unprotected (today's output) and protected at K."""
    protected = compare(leaky)
    before = payload(protected)  # today's output, serialised before the protection
    done = pc.protect_comparison(protected, K)
    return before, payload(protected), protected, done


def test_todays_comparison_publishes_the_four_small_groups(leaky_pair):
    before, _, _, _ = leaky_pair
    found = recover(before)
    assert found["occasion"] == 2
    assert found["lost_men"] == 1
    assert found["group"] is not None and 1 <= found["group"] < K
    assert found["cohort"] is not None and 1 <= found["cohort"] < K
    # and the attacker sees them
    totals = pc.known_totals(pc.frames_of_json(before), K)
    assert not pc.audit_json(before, totals, K).held


def test_the_protected_comparison_hides_them_and_the_audit_holds(leaky_pair):
    before, after, _, done = leaky_pair
    assert recover(after) == {"occasion": None, "lost_men": None, "group": None,
                              "cohort": None}
    totals = pc.known_totals(pc.frames_of_json(before), K)
    audit = pc.audit_json(after, totals, K)
    assert audit.held, audit.problems()
    assert audit.bounded > 0  # it bounded hidden counts, not nothing
    assert done.held and done.cells > 0
    # the occasion of 2 is not the wave total minus the others either
    rates = table(after, "response_rates", "rates")
    cohort = rates[(rates["wave_id"] == "baseline") & (rates["level"] == "cohort")]
    assert cohort["responded"].isna().sum() >= 2
    # nor do the tests across occasions or groups survive a hidden group
    het = table(after, "cohorts", "heterogeneity")
    base = het[(het["wave_id"] == "baseline") & (het["indicator"] == "ever_cip")].iloc[0]
    assert base["p"] is None or math.isnan(base["p"])
    by = table(after, "change_by_group", "by_group")
    assert by.loc[by["indicator"] == "abstained_6m", "p"].isna().all()


# --------------------------------------------------------------------------- (b) the demo


@pytest.fixture(scope="module")
def demo_comparisons(demo):
    """The demo comparison computed once per language, and today's results.json of it."""
    made = {lang: compare(demo, lang=lang) for lang in ("en", "sv")}
    return made, payload(made["en"])


@pytest.mark.parametrize(("k", "lang"), [(3, "en"), (10, "en"), (5, "sv")])
def test_the_demo_comparison_at_k_passes_the_attack(k, lang, demo_comparisons):
    made, unprotected = demo_comparisons
    comparison = copy.deepcopy(made[lang])
    done = pc.protect_comparison(comparison, k)
    assert done.held, done.audit.problems()
    doc = payload(comparison)
    totals = pc.known_totals(pc.frames_of_json(unprotected), k)
    audit = pc.audit_json(doc, totals, k)
    assert audit.held, audit.problems()
    _no_small_count_anywhere(doc, comparison.summary, k)
    _figures_draw_only_what_the_tables_show(doc)
    if lang == "sv":
        _notes_are_swedish(doc, comparison.summary, k)


def test_the_command_at_k_5_says_what_it_hid_and_its_results_json_holds(tmp_path, cli,
                                                                       demo_comparisons):
    out = tmp_path / "cmp"
    result = cli("compare", "--demo", "--out", out, "--min-cell", "5")
    assert result.code == 0, result.err
    assert "--min-cell 5:" in result.err and "the audit held" in result.err
    doc = json.loads((out / "results.json").read_text("utf-8"))
    assert doc["protection"]["min_cell"] == 5 and doc["protection"]["audit"]["held"]
    totals = pc.known_totals(pc.frames_of_json(demo_comparisons[1]), 5)
    audit = pc.audit_json(doc, totals, 5)
    assert audit.held, audit.problems()
    summary = [line.strip() for line in result.out.splitlines()[1:]]
    _no_small_count_anywhere(doc, summary, 5)
    # what the command echoes is the protected summary
    withheld = [line for line in summary if line.endswith(
        "not shown, to protect groups of fewer than the minimum cell size.")]
    assert withheld


def _no_small_count_anywhere(doc: dict, summary: list[str], k: int) -> None:
    """No count from 1 to K - 1 in any count column of any table or figure's data, and
    no such number of people in a summary sentence or the methods."""
    for key, frame in pc.frames_of_json(doc).items():
        table_name = key.split(".", 1)[1]
        columns = pc.COUNTS.get(table_name, ())
        if table_name == "data":  # a figure's data repeats its table's columns
            columns = pc.COUNTS["change"] + ("n",)
        for col in columns:
            if col not in frame:
                continue
            values = pd.to_numeric(frame[col], errors="coerce")
            if table_name == "planning":
                values = values[frame["what"] == "mde"]
            small = values[(values >= 1) & (values < k)]
            assert small.empty, f"{key}.{col}: {list(small)}"
    # nor a share that rests on 1 to K - 1 people (its numerator or complement)
    frames = pc.frames_of_json(doc)
    shares = [("change.change", "base", "n_base", "points"),
              ("change.change", "follow", "n_follow", "points"),
              ("change.change", "linked_base", "linked_n", "points"),
              ("change.change", "linked_follow", "linked_n", "points"),
              ("cohorts.cohorts", "estimate", "n", "percent"),
              ("attrition.attrition", "followed", "n_followed", "percent"),
              ("attrition.attrition", "lost", "n_lost", "percent"),
              ("response_rates.rates", "percent", "invited", None)]
    for key, share, n, unit in shares:
        frame = frames.get(key)
        if frame is None or share not in frame or n not in frame:
            continue
        rows = frame if unit is None else frame[frame["unit"] == unit]
        x = pd.to_numeric(rows[share], errors="coerce") * pd.to_numeric(rows[n],
                                                                         errors="coerce") / 100
        of = pd.to_numeric(rows[n], errors="coerce")
        for count in (x.round(6), (of - x).round(6)):
            small = count[(count >= 0.5) & (count < k - 0.5)]
            assert small.empty, f"{key}.{share}: rests on {list(small)} people"
    people = re.compile(r"(?:among the|bland de) (\d+) ")
    for line in summary:
        for n in people.findall(line):
            assert not 1 <= int(n) < k, line


def _notes_are_swedish(doc: dict, summary: list[str], k: int) -> None:
    notes = [n for r in doc["results"] for n in r["notes"]]
    assert text("protect.compare_note", "sv", k=k) in notes
    assert text("protect.compare_note", "en", k=k) not in notes
    withheld = [line for line in summary if "redovisas inte" in line]
    assert all("not shown" not in line for line in summary)
    assert withheld or all(r["p"] is not None for r in
                           pc.frames_of_json(doc)["change.change"].to_dict("records"))


# --------------------------------------------------------------------------- (c) random


@st.composite
def two_waves(draw, demo):
    b = demo.waves["baseline"].data.drop_duplicates("resp_id")
    f_keys = set(demo.waves["followup"].data["resp_id"])
    linked = b[b["resp_id"].isin(f_keys)]
    lost = b[~b["resp_id"].isin(f_keys)]
    occasions = draw(st.lists(st.sampled_from([1.0, 2.0, 3.0, 4.0]), min_size=1, max_size=3,
                              unique=True))
    keys = []
    for occ in occasions:
        n_linked = draw(st.integers(0, 9))
        n_lost = draw(st.integers(0, 4))
        keys_l = linked.loc[linked["course_occasion"] == occ, "resp_id"]
        keys_o = lost.loc[lost["course_occasion"] == occ, "resp_id"]
        start = draw(st.integers(0, 20))
        keys += [("l", k) for k in keys_l.iloc[start:start + n_linked]]
        keys += [("o", k) for k in keys_o.iloc[start:start + n_lost]]
    follow = [k for kind, k in keys if kind == "l"]
    base = [k for _, k in keys]
    return base, follow


def _random_case(demo, base, follow, k):
    study = small_study(demo, base, follow)
    comparison = compare(study)
    before = payload(comparison)  # today's output, serialised before the protection
    done = pc.protect_comparison(comparison, k)
    return before, payload(comparison), comparison, done


@pytest.fixture(scope="module")
def waves_strategy(demo):
    return two_waves(demo)


def test_random_small_two_wave_studies(demo, waves_strategy):
    @settings(max_examples=15, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(waves_strategy, st.sampled_from([3, 5]))
    def check(case, k):
        base, follow = case
        if len(follow) < 3 or len(base) - len(follow) < 1:
            return  # compare needs linked people in both waves and someone lost
        try:
            before, after, comparison, done = _random_case(demo, base, follow, k)
        except Exception as exc:  # a study too small to compare is refused by compare()
            if type(exc).__name__ == "CipsurveyError":
                return
            raise
        assert done.held, done.audit.problems()
        totals = pc.known_totals(pc.frames_of_json(before), k)
        audit = pc.audit_json(after, totals, k)
        assert audit.held, audit.problems()
        _no_small_count_anywhere(after, comparison.summary, k)
        _figures_draw_only_what_the_tables_show(after)

    check()


# --------------------------------------------------------------------------- (d) figures


def _figures_draw_only_what_the_tables_show(doc: dict) -> None:
    frames = pc.frames_of_json(doc)
    if "fig_change.data" in frames:
        fig = frames["fig_change.data"]
        change = frames["change.change"]
        for _, row in fig.iterrows():
            match = change[(change["indicator"] == row["indicator"])
                           & (change["answer"] == row["answer"])].iloc[0]
            for col in ("base", "follow", "n_base", "n_follow", "linked_change"):
                if col in fig:
                    a, b = row[col], match[col]
                    assert (pd.isna(a) and pd.isna(b)) or np.isclose(a, b), col
            assert pd.notna(row["base"]) and pd.notna(row["follow"])
    if "fig_cohorts.data" in frames and len(frames["fig_cohorts.data"]):
        fig = frames["fig_cohorts.data"]
        co = frames["cohorts.cohorts"]
        for _, row in fig.iterrows():
            match = co[(co["wave_id"] == row["wave_id"]) & (co["indicator"] == row["indicator"])
                       & (co["group"] == row["group"])].iloc[0]
            assert pd.notna(match["estimate"]) and np.isclose(row["estimate"],
                                                              match["estimate"])
            assert pd.notna(match["n"]) and row["n"] == match["n"]


def test_figures_and_summary_draw_only_from_the_protected_tables(leaky_pair):
    before, after, protected, _ = leaky_pair
    _figures_draw_only_what_the_tables_show(after)
    change = table(after, "change", "change")
    withheld = change[change["base"].isna() | change["linked_change"].isna()]
    assert len(withheld)  # the leaky study withholds some rows
    fig = table(after, "fig_change", "data")
    assert not set(zip(withheld["indicator"], withheld["answer"], strict=True)) & set(
        zip(fig["indicator"], fig["answer"], strict=True))
    lines = protected.summary
    for _, row in withheld.iterrows():
        if row["kind"] == "categorical" and not row["focus"]:
            continue  # not a headline row
        name = row["indicator_label"] + (f" ({row['answer']})" if row["answer"] else "")
        said = [line for line in lines if line.startswith(name + ":")]
        assert said == [text("compare.sentence_withheld", "en", indicator=name)]
    # the figure of the occasions has no row the cohorts table hides
    co = table(after, "cohorts", "cohorts")
    hidden = co[co["estimate"].isna() & (co["wave_id"] == "baseline")]
    figc = table(after, "fig_cohorts", "data")
    assert not set(zip(hidden["indicator"], hidden["group"], strict=True)) & set(
        zip(figc["indicator"], figc["group"], strict=True))
    # the methods paragraph and the notes print no count the tables hide
    assert before["methods"] != after["methods"] or "[hidden]" not in after["methods"]


# --------------------------------------------------------------------------- (e) Swedish


def test_swedish_notes_and_summary(leaky):
    protected = compare(leaky, lang="sv")
    pc.protect_comparison(protected, K)
    doc = payload(protected)
    notes = [n for r in doc["results"] for n in r["notes"]]
    assert text("protect.compare_note", "sv", k=K) in notes
    het = table(doc, "cohorts", "heterogeneity")
    assert text("protect.compare_test_withheld", "sv", k=K) in set(het["note"])
    assert any(line.endswith("redovisas inte, för att skydda grupper som är mindre än den "
                             "minsta cellstorleken.") for line in protected.summary)
    english = [text(key, "en", k=K) for key in ("protect.compare_note",
                                                 "protect.compare_test_withheld")]
    assert not set(english) & set(notes)


# --------------------------------------------------------------------------- the command


def test_without_a_minimum_cell_size_nothing_changes(demo):
    plain = compare(demo)
    tables = {k: f.copy() for k, f in pc.frames_of(plain.results).items()}
    done = pc.protect_comparison(plain, 1)
    assert done.cells == 0 and done.audit is None
    after = pc.frames_of(plain.results)
    assert tables.keys() == after.keys()
    for key, frame in tables.items():
        pd.testing.assert_frame_equal(frame, after[key])


def test_an_audit_that_does_not_hold_writes_nothing(leaky, tmp_path, monkeypatch):
    monkeypatch.setattr(pc, "_widen", lambda *a, **kw: False)  # no secondary suppression
    with pytest.raises(Unprotected):
        make_comparison(leaky, None, None, "en", tmp_path / "out", min_cell=K)
    assert not (tmp_path / "out" / "results.json").exists()


def test_the_pages_comparison_form_passes_the_minimum_cell_size():
    from starlette.testclient import TestClient

    from cipsurvey.app.store import Store
    from cipsurvey.app.web import Settings, build_app

    port = 8771
    base = f"http://127.0.0.1:{port}"
    same = {"origin": base}
    with TestClient(build_app(Settings(token="k", port=port, store=Store())),
                    base_url=base) as client:
        client.cookies.set(f"cipsurvey-{port}", "k")
        r = client.post("/study", data={"demo": "1"}, headers=same, follow_redirects=False)
        assert r.status_code == 303, r.text
        where = r.headers["location"]
        page = client.get(where).text
        assert 'id="min_cell"' in page  # offered for a comparison, with what it does
        assert text("app.compare_unprotected", "en") .split(":")[0] in page
        r = client.post(f"{where}/run", headers=same, follow_redirects=False,
                        files=[("unused", ("", b"", "application/octet-stream"))],
                        data={"report_lang": "en", "min_cell": "5", "base": "", "follow": ""})
        assert r.status_code == 303, r.text
        job = r.headers["location"]
        for _ in range(3000):
            state = client.get(f"{job}/status").json()["state"]
            if state != "running":
                break
            time.sleep(0.2)
        assert state == "done", client.get(job).text
        got = json.loads(client.get(f"{job}/files/results.json").content)
    assert got["protection"]["min_cell"] == 5 and got["protection"]["audit"]["held"]
    change = pc.frames_of_json(got)["change.change"]
    assert change["base"].isna().any()  # the same rows withheld as the command's
