"""Files known by another name than their path: a wave read from stored copies.

A local web page stores each uploaded file under a name it makes itself (``u1.sav`` in a
private folder: a name a browser sends is never used as a path), yet the person who uploaded
``web.sav`` must see ``web.sav`` in the import account, the problems, the report and every
message, exactly as ``cipsurvey validate web.sav`` would show it. :func:`read_named` reads the
stored copies with :func:`~cipsurvey.wave.survey.read_survey` and then gives every place a
wave names a file (the ``source.file`` column, the account and its exclusions, the problems and
their messages) the file's name instead of its path; :func:`rename_text` does the same for
the text of an error. The stored paths are unique (a random folder), so replacing them as
text cannot touch anything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CipsurveyError
from ..instrument import SOURCE_FILE, Instrument
from .survey import ImportAccount, Survey, read_survey
from .validate import Findings


def rename_text(value: str, names: Mapping[str, str]) -> str:
    """``value`` with every stored path (a key of ``names``) replaced by its name."""
    for path, name in names.items():
        if path in value:
            value = value.replace(path, name)
    return value


def _rename_column(values: Any, names: Mapping[str, str]) -> Any:
    """A column of text (plain or categorical) with the stored paths replaced."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = [rename_text(str(c), names) for c in values.cat.categories]
        if len(set(categories)) == len(categories):
            return values.cat.rename_categories(categories)
        values = values.astype(object)  # (two paths of one name: let the values merge)
    return values.map(lambda v: rename_text(v, names) if isinstance(v, str) else v)


def rename_survey(survey: Survey, names: Mapping[str, str]) -> Survey:
    """The wave with each stored path (a key of ``names``: ``str(path)`` as it was read)
    called by its name wherever the wave names a file; the answers are untouched."""
    data = survey.data.copy(deep=False)
    data[SOURCE_FILE] = _rename_column(data[SOURCE_FILE], names)
    files = [replace(f, file=rename_text(f.file, names), details=dict(f.details),
                     notes=[rename_text(n, names) for n in f.notes]) for f in
             survey.account.files]
    exclusions = survey.account.exclusions.copy()
    for column in ("file", "reason"):
        exclusions[column] = _rename_column(exclusions[column], names)
    records = [{**r, "file": rename_text(r["file"], names),
                "message": rename_text(r["message"], names)} for r in survey.findings.records]
    chunks = []
    for chunk in survey.findings.chunks:
        chunk = chunk.copy(deep=False)
        for column in ("file", "message"):
            chunk[column] = _rename_column(chunk[column], names)
        chunks.append(chunk)
    return Survey(survey.instrument, data, ImportAccount(files, exclusions),
                  Findings(records, chunks), survey.missing_codes)


def read_named(files: Sequence[tuple[str | Path, str]],
               instrument: str | Path | Instrument, **options: Any) -> Survey:
    """Read stored copies of files as one wave, each known by its own name.

    Parameters
    ----------
    files : list of (path, name)
        Where each file is stored and the name it is shown by (``web.sav``).
    instrument : name, path or Instrument
        As for :func:`~cipsurvey.wave.survey.read_survey`.
    **options
        The reading overrides of :func:`~cipsurvey.wave.survey.read_survey`.

    Returns
    -------
    Survey
        The wave that ``read_survey`` gives for files at paths equal to their names.

    Raises
    ------
    CipsurveyError
        As ``read_survey`` does, with the names in the message instead of the paths.
    """
    names = {str(path): name for path, name in files}
    try:
        survey = read_survey([path for path, _ in files], instrument, **options)
    except CipsurveyError as exc:
        raise renamed_error(exc, names) from None
    return rename_survey(survey, names)


def renamed_error(exc: CipsurveyError, names: Mapping[str, str]) -> CipsurveyError:
    """The error with every stored path in its location, message, hint and listed
    problems replaced by the file's name (the same exception, changed in place)."""
    location = exc.location
    if location.file is not None:
        location.file = rename_text(str(location.file), names)
    exc.message = rename_text(exc.message, names)
    if exc.hint:
        exc.hint = rename_text(exc.hint, names)
    problems = getattr(exc, "problems", None)
    if problems:
        exc.problems = [rename_text(str(p), names) for p in problems]  # type: ignore[attr-defined]
    exc.args = (exc.render(),)
    return exc

