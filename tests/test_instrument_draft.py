"""``cipsurvey instrument draft``: an instrument drafted from the files a user has, that passes
``instrument check`` as it is and reads its own files back clean.

The expectations come from an independent reading of each file (pyreadstat's metadata of the
real SPSS files in tests/corpus/surveys, or the CSV written here), never from the draft.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

CORPUS = Path(__file__).parent / "corpus" / "surveys"
EFC = CORPUS / "EFC.sav"
COPE = ["c82cop1", "c83cop2", "c84cop3", "c85cop4", "c86cop5", "c87cop6", "c88cop7",
        "c89cop8", "c90cop9"]


def draft(cli, tmp: Path, *files: Path, lang: str = "en") -> tuple[dict, str]:
    out = tmp / "draft.yaml"
    res = cli("instrument", "draft", *files, "--out", out, "--lang", lang)
    assert res.code == 0, res.err
    check = cli("instrument", "check", out)
    assert check.code == 0, check.err  # the draft passes `instrument check` as it is
    text = out.read_text(encoding="utf-8")
    return yaml.safe_load(text), text


def items(data: dict) -> dict[str, dict]:
    return {i["id"]: i for i in data["items"]}


def test_an_spss_file_gives_types_labels_and_missing_codes(cli, tmp_path):
    data, text = draft(cli, tmp_path, EFC)
    _, meta = pyreadstat.read_sav(str(EFC), user_missing=True, metadataonly=True)
    got = items(data)
    assert list(got) == meta.column_names  # every column, in the file's order
    assert data["languages"] == ["en"]
    for name in meta.column_names:
        item = got[name]
        assert item["text"] == meta.column_names_to_labels[name]
        declared = sorted(r["lo"] for r in meta.missing_ranges.get(name, []))
        assert sorted(m["code"] for m in item.get("missing", [])) == declared, name
    for name in COPE:  # ordinal, labelled never ... always: Likert with the file's labels
        assert got[name]["type"] == "likert"
        labels = meta.variable_value_labels[name]
        assert {c["code"]: c["label"] for c in got[name]["choices"]} == {
            int(k): v for k, v in labels.items()}
    assert got["e16sex"]["type"] == "single_choice"  # nominal, two labels
    for name in ("c12hour", "e17age", "c160age", "barthtot"):  # F3.0, no labels, none < 0
        assert got[name]["type"] == "count"
    # the scale and its reversed items: the three positively worded items
    (scale,) = [g for g in data["groups"] if g["type"] == "scale"]
    assert scale["items"] == COPE
    assert scale["reverse"] == ["c82cop1", "c89cop8", "c90cop9"]
    assert text.count("# REVIEW:") >= 3  # the guesses are marked


def test_the_draft_reads_its_file_back_clean_and_unchanged(cli, tmp_path):
    draft(cli, tmp_path, EFC)
    res = cli("validate", EFC, "-i", tmp_path / "draft.yaml", "--json")
    payload = json.loads(res.out)
    assert res.code == 0 and payload["clean"], payload["problems"][:5]
    out = tmp_path / "clean.csv"
    assert cli("import", EFC, "-i", tmp_path / "draft.yaml", "--to", out).code == 0
    ours = pd.read_csv(out)
    theirs, _ = pyreadstat.read_sav(str(EFC))  # user-missing codes read as missing
    for name in theirs.columns:
        np.testing.assert_array_equal(ours[name].to_numpy(dtype=float),
                                      theirs[name].to_numpy(dtype=float), err_msg=name)


def test_a_dichotomy_set_becomes_a_multiple_choice_item(cli, tmp_path):
    sav = CORPUS / "simple_alltypes.sav"
    data, _ = draft(cli, tmp_path, sav)
    frame, meta = pyreadstat.read_sav(str(sav))
    spec = meta.mr_sets["mymrset"]
    got = items(data)["mymrset"]
    assert got["type"] == "multiple_choice"
    assert got["text"] == spec["label"]
    assert [c["aliases"] for c in got["choices"]] == [[v] for v in spec["variable_list"]]
    res = cli("validate", sav, "-i", tmp_path / "draft.yaml", "--json")
    assert json.loads(res.out)["clean"], res.out[:2000]
    out = tmp_path / "clean.csv"
    assert cli("import", sav, "-i", tmp_path / "draft.yaml", "--to", out).code == 0
    wave = pd.read_csv(out)
    ticked = frame[spec["variable_list"]]
    # an option left blank beside answered ones counts as not ticked (the importer's rule)
    answered = ticked.notna().any(axis=1)
    expected = ticked.fillna(0).where(answered, np.nan)
    for choice, var in zip(got["choices"], spec["variable_list"], strict=True):
        np.testing.assert_array_equal(wave[f"mymrset_{choice['name']}"], expected[var])


def test_a_csv_export_gives_answer_lists_families_and_an_id(cli, tmp_path):
    rng = np.random.default_rng(4)
    n = 60
    agree = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
    frame = pd.DataFrame({
        "respondent_id": [f"R{k:03d}" for k in range(n)],
        "Which region do you work in?": rng.choice(["North", "South", "East"], n),
        "The course was useful": rng.choice(agree, n),
        "q5_1": rng.integers(0, 2, n), "q5_2": rng.integers(0, 2, n),
        "q5_3": rng.integers(0, 2, n),
        "hours": [f"{x:.1f}".replace(".", ",") for x in rng.gamma(2, 3, n)],
        "r1": rng.integers(1, 6, n), "r2": rng.integers(1, 6, n), "r3": rng.integers(1, 6, n),
        "Which tools do you use?": [", ".join(rng.choice(["Mail", "Phone", "Video"],
                                                         rng.integers(1, 4), replace=False))
                                    for _ in range(n)],
    })
    frame.loc[3, "The course was useful"] = ""
    csv = tmp_path / "export.csv"
    frame.to_csv(csv, index=False, sep=";")
    data, _ = draft(cli, tmp_path, csv)
    got = items(data)
    assert data["respondent_id"] == "respondent_id"
    assert got["respondent_id"]["type"] == "identifier"
    region = next(i for i in got.values() if i["text"] == "Which region do you work in?")
    assert region["type"] == "single_choice"
    assert sorted(c["label"] for c in region["choices"]) == ["East", "North", "South"]
    useful = next(i for i in got.values() if i["text"] == "The course was useful")
    assert useful["type"] == "likert"
    assert sorted(c["label"] for c in useful["choices"]) == sorted(agree)
    assert got["q5"]["type"] == "multiple_choice"
    assert [c["code"] for c in got["q5"]["choices"]] == [1, 2, 3]
    assert got["hours"]["type"] == "number"  # decimal commas read as the importer reads them
    for r in ("r1", "r2", "r3"):  # a run of 1-5 ratings without labels
        assert got[r]["type"] == "likert" and got[r]["range"] == {"min": 1, "max": 5}
    tools = next(i for i in got.values() if i["text"] == "Which tools do you use?")
    assert tools["type"] == "multiple_choice"
    assert sorted(c["label"] for c in tools["choices"]) == ["Mail", "Phone", "Video"]
    res = cli("validate", csv, "-i", tmp_path / "draft.yaml", "--json")
    assert json.loads(res.out)["clean"], res.out[:3000]
    out = tmp_path / "clean.csv"
    assert cli("import", csv, "-i", tmp_path / "draft.yaml", "--to", out).code == 0
    wave = pd.read_csv(out)
    np.testing.assert_allclose(wave["hours"], frame["hours"].str.replace(",", ".").astype(float))
    np.testing.assert_array_equal(wave["q5_1"], frame["q5_1"])
    mail = f"{tools['id']}_{next(c['name'] for c in tools['choices'] if c['label'] == 'Mail')}"
    np.testing.assert_array_equal(wave[mail], frame["Which tools do you use?"]
                                  .str.contains("Mail").astype(int))


def test_a_swedish_draft_says_so(cli, tmp_path):
    data, text = draft(cli, tmp_path, EFC, lang="sv")
    assert data["languages"] == ["sv"]
    assert "# GRANSKA:" in text and "REVIEW" not in text
    assert "-0,30" in text  # loadings with a decimal comma


def test_a_definition_goes_through_its_converter(cli, tmp_path):
    draft(cli, tmp_path, EFC)
    form = tmp_path / "form.xlsx"
    assert cli("instrument", "convert", tmp_path / "draft.yaml", "--to", "xlsform",
               "--out", form).code == 0
    out = tmp_path / "from_form.yaml"
    res = cli("instrument", "draft", form, "--out", out)
    assert res.code == 0, res.err
    back = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert [i["id"] for i in back["items"]] == pyreadstat.read_sav(
        str(EFC), metadataonly=True)[1].column_names
    assert out.read_text(encoding="utf-8").startswith("# Converted by")


@pytest.mark.parametrize("name", ["EFC.sav", "simple_alltypes.sav"])
def test_every_column_is_accounted_for(cli, tmp_path, name):
    data, _ = draft(cli, tmp_path, CORPUS / name)
    _, meta = pyreadstat.read_sav(str(CORPUS / name), metadataonly=True)
    covered = set()
    for item in data["items"]:
        if item["type"] == "multiple_choice" and any("aliases" in c for c in item["choices"]):
            covered |= {a for c in item["choices"] for a in c.get("aliases", [])}
        else:
            covered.add(item.get("aliases", {}).get("spss", [item["id"]])[0])
    assert covered == set(meta.column_names)


def test_reversed_items_do_not_depend_on_the_eigenvectors_sign(monkeypatch):
    """An eigenvector's sign is arbitrary: the items proposed as reversed are the minority
    whichever sign numpy returns."""
    from cipsurvey.wave import draft as d

    frame, _ = pyreadstat.read_sav(str(EFC))
    run = [d.Proposal({"id": c, "type": "likert", "text": c}, columns=[c]) for c in COPE]
    as_given = d._scale(run, frame, set()).entry["reverse"]
    eigh = np.linalg.eigh
    monkeypatch.setattr(np.linalg, "eigh", lambda m: (lambda w, v: (w, -v))(*eigh(m)))
    assert d._scale(run, frame, set()).entry["reverse"] == as_given
    assert as_given == ["c82cop1", "c89cop8", "c90cop9"]
