"""The .sav export read by its real client, GNU PSPP: a print format per item, measurement
levels, the multiple-choice items as multiple-response sets, and the administrative columns
under names that cannot clash with an item."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import require_pspp

CORPUS = Path(__file__).parent / "corpus" / "surveys"


def pspp_csv(tmp: Path, syntax: str) -> list[list[str]]:
    import csv

    job = tmp / "job.sps"
    job.write_text(syntax, encoding="utf-8")
    out = tmp / "out.csv"
    proc = subprocess.run([require_pspp(), "-O", "format=csv", "-o", str(out), str(job)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with out.open(encoding="utf-8", newline="") as fh:  # (a cell may hold line breaks)
        return list(csv.reader(fh))


def table(rows: list[list[str]], title: str) -> list[list[str]]:
    start = rows.index([f"Table: {title}"])
    end = next((i for i in range(start + 1, len(rows)) if not rows[i]), len(rows))
    return rows[start + 1:end]


def test_pspp_reads_formats_levels_and_multiple_response_sets(cli, tmp_path):
    sav = CORPUS / "simple_alltypes.sav"
    inst = tmp_path / "inst.yaml"
    assert cli("instrument", "draft", sav, "--out", inst).code == 0
    out = tmp_path / "clean.sav"
    res = cli("import", sav, "-i", inst, "--to", out)
    assert res.code == 0, res.err
    rows = pspp_csv(tmp_path, f"GET FILE='{out}'.\nDISPLAY DICTIONARY.\n"
                              "MRSETS /DISPLAY NAME=ALL.\n")
    variables = {r[0]: dict(zip(table(rows, "Variables")[0], r, strict=False))
                 for r in table(rows, "Variables")[1:]}
    # x: codes 1-3 and 9 (found unlabelled) with missing codes 7, 8, 99: two digits
    assert variables["x"]["Print Format"] == "F2.0"
    assert variables["x"]["Measurement Level"] == "Nominal"
    assert variables["z"]["Print Format"] == "F9.5"  # 3.14159 has five decimals
    assert variables["z"]["Measurement Level"] == "Scale"
    for col in ("mymrset_1", "mymrset_2", "mymrset_3"):
        assert variables[col]["Print Format"] == "F1.0"
    assert variables["source.file"]["Measurement Level"] == "Nominal"
    sets = table(rows, "Multiple Response Sets")
    assert sets[0][:4] == ["Name", "Label", "Encoding", "Counted Value"]
    (mr,) = [r for r in sets[1:] if r[0] == "$mymrset"]
    assert mr[1] == "My multiple response set" and mr[2] == "Dichotomies" and mr[3] == "1"
    assert mr[4].split() == ["mymrset_1", "mymrset_2", "mymrset_3"]
    listed = pspp_csv(tmp_path, f"GET FILE='{out}'.\nLIST /VARIABLES=source.file.\n")
    assert {r[0].strip() for r in table(listed, "Data List")[1:]} == {sav.name}
