"""The README's "Your own survey": its commands, run exactly as written, in a fresh folder, on
the real SPSS file it names; each printed line it shows must be what the command prints, and
the scale's results in the report must agree with GNU PSPP on the reversed items. Then its
comparison of two waves: the scale's score at each wave must be PSPP's on that wave's file."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from test_scales_pspp import pspp_scale

from conftest import require_pspp
from pspp_spv import by_title

ROOT = Path(__file__).resolve().parents[1]
COPE = ["c82cop1", "c83cop2", "c84cop3", "c85cop4", "c86cop5", "c87cop6", "c88cop7",
        "c89cop8", "c90cop9"]


def walkthrough(name: str = "walkthrough") -> list[tuple[list[str], list[str]]]:
    """Each command of the README's walkthrough ``name`` with the lines shown below it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(rf"<!-- {name}: begin -->\n```console\n(.*?)```", readme, re.S)
    assert block, f"the README has no {name}"
    steps: list[tuple[list[str], list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((shlex.split(line[2:]), []))
        else:
            steps[-1][1].append(line)
    return steps


def run_steps(cli, steps: list[tuple[list[str], list[str]]]) -> None:
    """Run each step (cipsurvey in-process, pspp as a program); every line the README shows
    below a command must be among the lines it prints."""
    for args, shown in steps:
        if args[0] == "pspp":
            proc = subprocess.run([require_pspp(), *args[1:]], capture_output=True, text=True,
                                  timeout=300)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        else:
            assert args[0] == "cipsurvey", args
            res = cli(*args[1:])
            code, out, err = res.code, res.out, res.err
        assert code == 0, (args, out, err)
        printed = [line.rstrip() for line in out.splitlines()]
        for line in shown:
            if line == "...":
                continue
            assert line in printed, (args, line, printed[-3:])


def test_the_readme_walkthrough_runs_as_written(cli, tmp_path, monkeypatch):
    (tmp_path / "tests" / "corpus").mkdir(parents=True)
    (tmp_path / "tests" / "corpus" / "surveys").symlink_to(ROOT / "tests" / "corpus" /
                                                           "surveys")
    monkeypatch.chdir(tmp_path)
    steps = walkthrough()
    assert [s[0][:2] for s in steps] == [["cipsurvey", "instrument"], ["cipsurvey", "plan"],
                                        ["cipsurvey", "validate"], ["cipsurvey", "report"]]
    run_steps(cli, steps)
    out = tmp_path / "efc_report"
    for name in ("report.html", "report.docx", "report.xlsx", "results.json"):
        assert (out / name).is_file()
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]
    assert [r["id"] for r in results if r["error"]] == []
    (scale,) = [r for r in results if r["kind"] == "scale"]

    # the same scale in PSPP: the items reversed within 1-4, RELIABILITY and MEAN.5
    instrument = (tmp_path / "efc.yaml").read_text(encoding="utf-8")
    reversed_ = re.search(r"reverse: \[(.*?)\]", instrument).group(1).split(", ")
    assert reversed_ == ["c82cop1", "c89cop8", "c90cop9"]
    tables, names, scores = pspp_scale(tmp_path, str(ROOT / "tests/corpus/surveys/EFC.sav"),
                                       COPE, {i: (1, 4) for i in reversed_}, 5)
    alpha = scale["tables"]["alpha"]
    ours = dict(zip(alpha["columns"], alpha["rows"][0], strict=True))
    assert ours["estimate"] == pytest.approx(
        by_title(tables, "Reliability Statistics")[0].get("Cronbach's Alpha"), rel=1e-9)
    items = scale["tables"]["items"]
    rest = {row[0]: dict(zip(items["columns"], row, strict=True)) for row in items["rows"]}
    it = by_title(tables, "Item-Total Statistics")[0]
    for item in COPE:
        assert rest[item]["item_rest_r"] == pytest.approx(
            it.get("Corrected Item-Total Correlation", names[item]), rel=1e-9)
    score = dict(zip(scale["tables"]["score"]["columns"], scale["tables"]["score"]["rows"][0],
                     strict=True))
    valid = scores[~(scores != scores)]  # PSPP's saved scores, system-missing left out
    assert score["n"] == len(valid)
    assert score["mean"] == pytest.approx(valid.mean(), rel=1e-12)

    # the comparison: two stand-in waves made by PSPP, compared by the plan's compare section
    steps = walkthrough("compare walkthrough")
    assert [s[0][:2] for s in steps] == [["pspp", "tests/corpus/surveys/efc_two_waves.sps"],
                                        ["cipsurvey", "compare"]]
    run_steps(cli, steps)
    out = tmp_path / "efc_compare"
    for name in ("report.html", "report.docx", "report.xlsx", "results.json"):
        assert (out / name).is_file()
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))["results"]
    assert [r["id"] for r in results if r["error"]] == []
    change = next(r for r in results if r["id"] == "change")["tables"]["change"]
    rows = [dict(zip(change["columns"], row, strict=True)) for row in change["rows"]]
    (cope,) = [r for r in rows if r["kind"] == "scale"]
    halves = {}
    for wave in ("baseline", "followup"):
        (tmp_path / wave).mkdir()
        _, _, scores = pspp_scale(tmp_path / wave, str(tmp_path / f"efc_{wave}.sav"), COPE,
                                  {i: (1, 4) for i in reversed_}, 5)
        halves[wave] = scores[~(scores != scores)]
    assert (cope["n_base"], cope["n_follow"]) == (len(halves["baseline"]),
                                                  len(halves["followup"]))
    assert cope["base"] == pytest.approx(halves["baseline"].mean(), rel=1e-12)
    assert cope["follow"] == pytest.approx(halves["followup"].mean(), rel=1e-12)
    # the same missing-item rule as the report's score: the two halves add up to its n
    assert len(halves["baseline"]) + len(halves["followup"]) == score["n"]
    # no key links the waves: the report says they are compared as independent samples
    notes = [n for r in results for n in r.get("notes", [])]
    assert any(n.startswith("No respondent key links the waves") for n in notes), notes
