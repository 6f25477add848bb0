"""The problems table of the page: every wave's problems as one table, filtered by
severity, file and column (the CSV download is ``wave.problems.problems_csv``, as
``cipsurvey validate --problems`` writes it)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..wave.problems import PROBLEM_COLUMNS, SEVERITIES

SHOWN = 500  # rows shown in the page; the CSV holds all of them


def all_problems(surveys: Mapping[str, object]) -> pd.DataFrame:
    """The problems of each wave (``Survey.problems``), with a ``wave`` column first when
    there are several waves."""
    frames = []
    for wave, survey in surveys.items():
        frame = survey.problems  # type: ignore[attr-defined]
        if len(surveys) > 1:
            frame = frame.copy()
            frame.insert(0, "wave", wave)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def choices(problems: pd.DataFrame) -> dict[str, list[str]]:
    """The values each filter offers: severities in their order, files and columns as they
    first appear."""
    present = set(problems["severity"])
    return {"severity": [s for s in SEVERITIES if s in present],
            "file": list(dict.fromkeys(problems["file"].astype(str))),
            "column": sorted({str(c) for c in problems["column"] if str(c)})}


def filtered(problems: pd.DataFrame, severity: str = "", file: str = "",
             column: str = "") -> pd.DataFrame:
    """The problems of one severity, file and column (an empty value: any)."""
    keep = pd.Series(True, index=problems.index)
    if severity:
        keep &= problems["severity"].astype(str) == severity
    if file:
        keep &= problems["file"].astype(str) == file
    if column:
        keep &= problems["column"].astype(str) == column
    return problems[keep]

