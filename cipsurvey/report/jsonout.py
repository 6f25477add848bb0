"""results.json: every statistic of a report at full precision (docs/results-json.md).

What machines read: the results' tables as they were computed (after small-cell
protection), the import account, the validation summary, the methods text as the report
prints it, and the figures' files and alt texts.
"""

from __future__ import annotations

import datetime as dt
import math
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis import tables as T
from ..analysis.results import Report
from ..version import __version__
from .figures import Figure

SCHEMA = "cipsurvey-results/1"


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def table_records(frame: pd.DataFrame) -> dict[str, Any]:
    """A frame as JSON: its column names and its rows (NaN and infinities as null)."""
    return {"columns": [str(c) for c in frame.columns],
            "rows": [[_clean(v) for v in rec] for rec in frame.itertuples(index=False)]}


def software() -> dict[str, str]:
    """The versions of cipsurvey and of the libraries that computed the results."""
    import pyreadstat
    import scipy
    import statsmodels

    return {"cipsurvey": __version__, "python": platform.python_version(),
            "pandas": pd.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__, "pyreadstat": pyreadstat.__version__}


def is_synthetic(report: Report) -> bool:
    """Whether the report's answers are the bundled synthetic demo data."""
    return any("synthetic" in Path(f.file).name for f in report.survey.account.files)


FIGURE_DATA_ROWS = 500  # a figure's data longer than this is left out of results.json


def results_json(report: Report, figures: list[Figure], invited: int | None = None,
                 generated: str | None = None, methods: str | None = None) -> dict[str, Any]:
    """Everything a report computed, at full precision, as the JSON document of
    docs/results-json.md."""
    survey = report.survey
    problems = survey.problems.groupby(["severity", "code"]).size().reset_index(name="n")
    return {
        "schema": SCHEMA,
        "generated": generated or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "synthetic_data": is_synthetic(report),
        "instrument": survey.instrument.id,
        "plan": report.plan.id,
        "lang": report.lang,
        "alpha": report.plan.alpha,
        "conf": report.plan.conf,
        "software": software(),
        "methods": methods or "",
        "account": _clean_tree(survey.account.as_dict()),
        "validation": table_records(problems),
        "results": [{
            "id": r.id, "section": r.section, "kind": r.kind, "title": r.title,
            "addition": r.addition, "source": r.source, "n": r.n, "notes": r.notes,
            "error": r.error, "figure": r.figure,
            "tables": {name: table_records(t) for name, t in r.tables.items()
                       if not (r.kind == "figure" and name == T.DATA
                               and len(t) > FIGURE_DATA_ROWS)},
        } for r in report.results],
        "figures": figure_records(figures),
    }


def figure_records(figures: list[Figure]) -> list[dict[str, str]]:
    """Each figure's id, alt text and file names."""
    return [{"id": f.id, "alt": f.alt, "png": f.png.name, "svg": f.svg.name} for f in figures]


def _clean_tree(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean_tree(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean_tree(v) for v in obj]
    return _clean(obj)
