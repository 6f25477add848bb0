"""Write the demo waves as an evaluator receives them, and find the shipped copies.

The web part is an SPSS ``.sav`` as a survey tool exports it: Swedish variable and value labels,
``-7`` where the filter skipped a question and ``-9`` where a question was left unanswered,
both declared user-missing. The paper part is what a typist makes of the paper forms in
Swedish Excel: a semicolon CSV in Windows-1252 with the answers written as Swedish labels,
ticked options as "Ja" and blank cells for everything unanswered.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from ..instrument import Instrument, ItemType, load_instrument
from ..wave.export import sav_dictionary
from .generate import COURSE_DATES, INVITED, build, load_histograms

DATA_DIR = Path(__file__).resolve().parent / "data"
HISTOGRAMS = Path(__file__).resolve().parent / "histograms.json"
PREFIX = "kallmen2017_synthetic"
NOTICE = ("SYNTHETIC DATA: invented answers calibrated to the aggregates published by "
          "Källmén, Hed & Elgán (2017), Nordic Studies on Alcohol and Drugs 34(2):119-130. "
          "Not the study's data; no real person answered.")
FILE_LABEL = "SYNTHETIC demo data calibrated to Kallmen et al 2017 - not real"
SAV_STAMP = (b"01 Mar 17", b"00:00:00")  # fixed creation stamp: regeneration is byte-identical
NOT_APPLICABLE, NOT_ANSWERED = -7.0, -9.0


def demo_files(wave: str = "baseline") -> list[Path]:
    """The shipped files of one demo wave: web ``.sav`` first, then the paper CSV."""
    files = [DATA_DIR / f"{PREFIX}_{wave}_web.sav", DATA_DIR / f"{PREFIX}_{wave}_paper.csv"]
    missing = [f for f in files if not f.exists()]
    if missing:
        from ..errors import CipsurveyError

        raise CipsurveyError(f"the demo file {missing[0].name} is missing from this installation")
    return files


def demo_study_file() -> Path:
    """The shipped manifest of the demo study (baseline and follow-up)."""
    return DATA_DIR / f"{PREFIX}_study.yaml"


def demo_invited(wave: str = "baseline") -> int:
    """How many were invited to a demo wave (its column of the shipped invitations file)."""
    inv = pd.read_csv(DATA_DIR / f"{PREFIX}_invitations.csv", comment="#")
    return int(inv[f"invited_{wave}"].sum())


def _relevance(inst: Instrument, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per item: False where its filter skips it (unknown counts as asked)."""
    out = {}
    for item_id, bound in inst.filters.items():
        out[item_id] = ~(bound.evaluate(frame) == False).fillna(False).to_numpy(bool)  # noqa: E712
    return out


def _columns(inst: Instrument) -> list[str]:
    return [c for item in inst.items for c in item.columns]


def web_frame(inst: Instrument, wave: pd.DataFrame) -> pd.DataFrame:
    """Codes as the web tool exports them: -7 skipped by the filter, -9 not answered."""
    frame = wave[_columns(inst)].copy()
    asked = _relevance(inst, wave)
    for item in inst.items:
        if item.type in (ItemType.text, ItemType.identifier, ItemType.date):
            continue
        shown = asked.get(item.id, np.ones(len(frame), dtype=bool))
        block = frame[item.columns]
        if item.type == ItemType.multiple_choice:
            unanswered = block.isna().all(axis=1).to_numpy()
        else:
            unanswered = block[item.id].isna().to_numpy()
        fill = np.where(shown, NOT_ANSWERED, NOT_APPLICABLE)
        for col in item.columns:
            frame[col] = np.where(unanswered, fill, frame[col].to_numpy(dtype=float))
    for item in inst.items:
        if item.type == ItemType.text:
            frame[item.id] = frame[item.id].astype(object).where(frame[item.id].notna(), "")
    frame["resp_id"] = frame["resp_id"].astype(str)
    return frame


def write_web_sav(inst: Instrument, wave: pd.DataFrame, path: Path) -> None:
    """The web answers as a survey tool exports them to SPSS, with the dictionary."""
    import pyreadstat

    frame = web_frame(inst, wave)
    meta = sav_dictionary(inst, "sv")
    pyreadstat.write_sav(
        frame, str(path), file_label=FILE_LABEL, note=textwrap.wrap(NOTICE, 70),
        column_labels=[meta["labels"].get(c, "") for c in frame.columns],
        variable_value_labels={k: v for k, v in meta["values"].items() if k in frame},
        missing_ranges={k: v for k, v in meta["missing"].items() if k in frame},
        variable_measure={k: v for k, v in meta["measure"].items() if k in frame},
    )
    raw = bytearray(path.read_bytes())
    raw[92:101], raw[101:109] = SAV_STAMP
    path.write_bytes(bytes(raw))


def paper_frame(inst: Instrument, wave: pd.DataFrame) -> pd.DataFrame:
    """Answers as a typist enters them from the paper forms, in Swedish."""
    out = pd.DataFrame(index=wave.index)
    for item in inst.items:
        if item.type == ItemType.multiple_choice:
            for col in item.columns:
                out[col] = np.where(wave[col] == 1, "Ja", "")
            continue
        values = wave[item.id]
        if item.choices:
            labels = {float(c.code): c.label.sv for c in item.choices}
            out[item.id] = values.map(labels).fillna("")
        elif item.type == ItemType.date:
            out[item.id] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif item.type in (ItemType.count, ItemType.number):
            out[item.id] = values.map(_swedish_number).fillna("")
        else:
            out[item.id] = values.fillna("").astype(str)
    return out


def _swedish_number(x: float) -> str | None:
    if pd.isna(x):
        return None
    return str(int(x)) if float(x).is_integer() else f"{x}".replace(".", ",")


def write_paper_csv(inst: Instrument, wave: pd.DataFrame, path: Path) -> None:
    """The paper forms as typed into Swedish Excel: ``;``, Windows-1252, labels."""
    frame = paper_frame(inst, wave)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False))
    path.write_bytes(buffer.getvalue().encode("cp1252"))


def _ordered(wave: pd.DataFrame) -> pd.DataFrame:
    """Rows in submission order, as the tools export them."""
    return wave.sort_values(["response_date", "resp_id"], kind="stable")


def write_demo(out_dir: Path, *, recalibrate: bool = False) -> list[Path]:
    """Generate both waves and write every demo file into ``out_dir``."""
    inst = load_instrument("kallmen2017")
    histograms = None if recalibrate else load_histograms(HISTOGRAMS)
    base, follow, histograms = build(histograms)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, wave in (("baseline", base), ("followup", follow)):
        web = _ordered(wave[wave["mode"] == 1])
        paper = _ordered(wave[wave["mode"] == 2])
        sav = out_dir / f"{PREFIX}_{name}_web.sav"
        write_web_sav(inst, web, sav)
        csv_path = out_dir / f"{PREFIX}_{name}_paper.csv"
        write_paper_csv(inst, paper, csv_path)
        written += [sav, csv_path]
    invitations = pd.DataFrame({
        "course_occasion": range(1, 11), "course_date": COURSE_DATES,
        "invited_baseline": INVITED, "invited_followup": INVITED,
    })
    inv = out_dir / f"{PREFIX}_invitations.csv"
    inv.write_text(f"# {NOTICE}\n" + invitations.to_csv(index=False, lineterminator="\n"),
                   encoding="utf-8")
    written.append(inv)
    if recalibrate or not HISTOGRAMS.exists():
        HISTOGRAMS.write_text(json.dumps(histograms, indent=1, sort_keys=True) + "\n",
                              encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin wrapper
    """Regenerate the demo files (``python -m cipsurvey.demo.files``)."""
    import argparse

    parser = argparse.ArgumentParser(description="Regenerate the synthetic demo files.")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--recalibrate", action="store_true",
                        help="solve the calibrated histograms again instead of reading them")
    args = parser.parse_args(argv)
    for path in write_demo(args.out, recalibrate=args.recalibrate):
        print(path)


if __name__ == "__main__":  # pragma: no cover
    main()
