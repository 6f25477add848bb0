"""Write a cleaned wave as SPSS ``.sav`` (with its dictionary), CSV or Parquet.

Outputs are written through :func:`cipsurvey.files.atomic_write` (a crash never leaves half
a file); an input file is never overwritten, and an existing output only with ``force``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import OutputError
from ..files import atomic_write, guard_output, neutralise
from ..instrument.model import SOURCE_FILE, SOURCE_ROW
from ..lang import text
from .sav_mrsets import MrSet, add_mr_sets

if TYPE_CHECKING:  # pragma: no cover
    from ..instrument import Instrument
    from .survey import Survey

WRITERS = {".sav": "sav", ".csv": "csv", ".parquet": "parquet"}


def write_wave(survey: Survey, path: str | Path, *, lang: str = "en", force: bool = False) -> Path:
    """Write ``survey`` to ``path``; the format follows the extension (.sav, .csv, .parquet)."""
    path = Path(path)
    kind = WRITERS.get(path.suffix.lower())
    if kind is None:
        raise OutputError(f"cannot write {path.suffix!r} files", file=path,
                          hint="use .sav, .csv or .parquet")
    guard_output(path, [f.file for f in survey.account.files], force)
    if kind == "sav":
        return atomic_write(path, lambda tmp: _write_sav(survey, tmp, lang))
    if kind == "csv":
        return atomic_write(path, lambda tmp: _csv_frame(survey).to_csv(
            tmp, index=False, encoding="utf-8", lineterminator="\n"))
    return atomic_write(path, lambda tmp: survey.data.to_parquet(tmp, index=False))


def _csv_frame(survey: Survey) -> pd.DataFrame:
    out = survey.data.copy()
    for col in _whole_number_columns(survey.instrument):
        if col in out.columns:
            out[col] = out[col].astype("Int64")
    for col in out.columns:
        if _is_text(out[col]):
            out[col] = out[col].astype(object).map(neutralise)
    return out


def _is_text(column: pd.Series) -> bool:
    """Text held as Python objects or as pandas' own string dtype."""
    return column.dtype == object or isinstance(column.dtype, pd.StringDtype)


def _whole_number_columns(inst: Instrument) -> list[str]:
    from ..instrument import ItemType  # (not at the top: atomic_write needs no pydantic)

    cols = [c for i in inst.items if i.type not in
            (ItemType.number, ItemType.text, ItemType.identifier, ItemType.date)
            for c in i.columns]
    return cols + [d.id for d in inst.derived]


def sav_dictionary(inst: Instrument, lang: str = "en") -> dict[str, Any]:
    """Variable labels, value labels, missing codes and measures for every wave column."""
    from ..instrument import ItemType

    labels: dict[str, str] = {}
    values: dict[str, dict[float, str]] = {}
    missing: dict[str, list[float]] = {}
    measure: dict[str, str] = {}
    yes, no = text("sav.selected", lang), text("sav.not_selected", lang)
    for item in inst.items:
        miss = [m for m in inst.missing_codes(item) if isinstance(m.code, int | float)]
        miss_labels = {float(m.code): m.label.get(lang) for m in miss}
        if item.type == ItemType.multiple_choice:
            for choice, col in zip(item.choices, item.columns, strict=True):
                labels[col] = f"{item.text.get(lang)}: {choice.label.get(lang)}"
                values[col] = {1.0: yes, 0.0: no, **miss_labels}
                measure[col] = "nominal"
                missing[col] = sorted(miss_labels)
            continue
        labels[item.id] = item.text.get(lang)
        measure[item.id] = item.measure
        if item.type in (ItemType.text, ItemType.identifier, ItemType.date):
            continue
        vl = {float(c.code): c.label.get(lang) for c in item.choices}
        vl.update(miss_labels)
        if vl:
            values[item.id] = vl
        if miss_labels:
            missing[item.id] = sorted(miss_labels)
    for d in inst.derived:
        labels[d.id] = d.text.get(lang)
        measure[d.id] = "scale" if d.kind == "count" else "nominal"
        if d.choices:
            values[d.id] = {float(c.code): c.label.get(lang) for c in d.choices}
    labels[SOURCE_FILE] = text("sav.source_file", lang)
    labels[SOURCE_ROW] = text("sav.source_row", lang)
    measure[SOURCE_FILE] = "nominal"
    measure[SOURCE_ROW] = "scale"
    return {"labels": labels, "values": values, "missing": missing, "measure": measure}


MAX_DECIMALS = 6


def _digits(x: float) -> int:
    """Characters of a whole number as SPSS prints it (sign included)."""
    return len(str(int(abs(x)))) + (x < 0)


def _decimals(values: np.ndarray) -> int:
    """The fewest decimals that show every value exactly (at most MAX_DECIMALS)."""
    for d in range(MAX_DECIMALS + 1):
        scaled = values * 10 ** d
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return d
    return MAX_DECIMALS


def sav_formats(inst: Instrument, frame: pd.DataFrame) -> dict[str, str]:
    """An SPSS print format per numeric column of ``frame`` (the wave as written, missing
    codes in place): codes and counts as whole numbers just wide enough for the largest
    value or code (F1.0 for answers 1-5), numbers with the decimals their answers have, and
    nothing for text and dates (pyreadstat's own)."""
    from ..instrument import ItemType

    codes: dict[str, list[float]] = {}
    for item in inst.items:
        if item.type in (ItemType.text, ItemType.identifier, ItemType.date):
            continue
        own = [float(m.code) for m in inst.missing_codes(item) if isinstance(m.code, int)]
        if item.type == ItemType.multiple_choice:
            for col in item.columns:
                codes[col] = [0.0, 1.0, *own]
        else:
            codes[item.id] = [float(c.code) for c in item.choices] + own
    for d in inst.derived:
        codes[d.id] = [float(c.code) for c in d.choices]
    codes[SOURCE_ROW] = []
    formats: dict[str, str] = {}
    for col, known in codes.items():
        if col not in frame.columns:
            continue
        x = frame[col].to_numpy(dtype=float, na_value=np.nan)
        x = np.concatenate([x[~np.isnan(x)], known])
        if not len(x):
            formats[col] = "F1.0"
            continue
        decimals = _decimals(x)
        width = max(_digits(x.min()), _digits(x.max()))
        formats[col] = f"F{width + (decimals + 1 if decimals else 0)}.{decimals}"
    return formats


def sav_mr_sets(inst: Instrument, lang: str) -> list[MrSet]:
    """One SPSS multiple dichotomy set per multiple-choice item (1 = ticked)."""
    from ..instrument import ItemType

    return [MrSet(item.id, item.text.get(lang), tuple(item.columns), 1)
            for item in inst.items if item.type == ItemType.multiple_choice]


def _missing_spec(codes: list[float]) -> list[Any]:
    if len(codes) <= 3:
        return codes
    return [{"lo": min(codes), "hi": max(codes)}]  # SPSS allows 3 values or one range


def _write_sav(survey: Survey, tmp: Path, lang: str) -> None:
    import pyreadstat

    inst = survey.instrument
    frame = survey.data.copy()
    meta = sav_dictionary(inst, lang)
    # put the user-missing codes back, so SPSS and PSPP show why a value is missing; codes
    # that only the input file declared missing (not the instrument) are declared too
    codes = survey.missing_codes.columns if survey.missing_codes is not None else {}
    for col, (which, values) in codes.items():
        if col not in frame or _is_text(frame[col]):
            continue
        column = frame[col].to_numpy(dtype=float, copy=True)
        numeric = []
        for k, code in enumerate(values, start=1):
            if isinstance(code, int | float | np.integer | np.floating):
                numeric.append(float(code))
                column[which == k] = float(code)
        if numeric:
            meta["missing"][col] = sorted(set(meta["missing"].get(col, [])) | set(numeric))
            frame[col] = column
    for col in frame.columns:
        if _is_text(frame[col]):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), "")
            frame[col] = frame[col].map(str)
        elif str(frame[col].dtype).startswith(("Int", "Float", "boolean")):
            frame[col] = frame[col].astype(float)
    # the file each answer came from, by its name: the folders it sat in stay private
    frame[SOURCE_FILE] = [Path(f).name for f in frame[SOURCE_FILE]]
    file_label = inst.title.get(lang)[:64]
    pyreadstat.write_sav(
        frame, str(tmp), file_label=file_label,
        column_labels=[meta["labels"].get(c, "") for c in frame.columns],
        variable_value_labels={k: v for k, v in meta["values"].items() if k in frame},
        missing_ranges={k: _missing_spec(v) for k, v in meta["missing"].items() if k in frame},
        variable_measure={k: v for k, v in meta["measure"].items() if k in frame},
        variable_format=sav_formats(inst, frame),
    )
    add_mr_sets(tmp, sav_mr_sets(inst, lang))
