"""A study: several waves of one instrument, the key that links respondents across waves,
the cohort variable (course occasion) and how many were invited per cohort and wave.

The manifest is YAML (safe loader only); file paths in it are relative to the manifest and
may not leave its folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ..errors import CipsurveyError
from ..instrument import ID_PATTERN, Instrument, Label, load_instrument, validate_document
from ..instrument.yamlio import load_yaml
from .compare_section import CompareSection
from .survey import Survey, read_survey


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Wave(_Model):
    """One wave: its files, and (REDCap) the event whose rows of a longitudinal export it
    is, so that one export gives every wave of a study (baseline, follow-up, ...)."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: Label
    files: Annotated[list[str], Field(min_length=1)]
    source: str | None = None
    period: tuple[str, str] | None = None
    event: str | None = None


class Invited(_Model):
    """Invitations: a CSV with the cohort column and one count column per wave."""

    file: str
    cohort_column: str = "course_occasion"
    columns: dict[str, str] = Field(default_factory=dict)  # wave id -> column


class Manifest(_Model):
    """A study manifest: the instrument, the waves and what links them."""

    schema_version: Literal[1] = 1
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: Label
    instrument: str
    plan: str | None = None
    respondent_key: str | None = None
    cohort: str | None = None
    waves: Annotated[list[Wave], Field(min_length=1)]
    invited: Invited | None = None
    compare: CompareSection | None = None


@dataclass
class Study:
    """A study read: every wave imported, and the invitations per cohort."""

    manifest: Manifest
    folder: Path
    instrument: Instrument
    waves: dict[str, Survey]
    invited: pd.DataFrame | None  # cohort, wave, invited

    @property
    def key(self) -> str | None:
        """The item that links respondents across waves, if any."""
        return self.manifest.respondent_key

    def label(self, wave: str, lang: str) -> str:
        """The label of wave ``wave`` in ``lang``."""
        return next(w.label.get(lang) for w in self.manifest.waves if w.id == wave)


def _inside(folder: Path, name: str, manifest: Path) -> Path:
    path = (folder / name).resolve()
    if folder.resolve() not in path.parents and path != folder.resolve():
        raise CipsurveyError(f"the manifest names a file outside its folder: {name!r}",
                             file=manifest, hint="keep the data files beside the manifest")
    return path


def check_study(manifest: Manifest, inst: Instrument, where: str | Path | None = None) -> None:
    """Refuse a manifest whose respondent key or cohort is not an item of the instrument
    (``where``: the manifest file, named in the error)."""
    for name in (manifest.respondent_key, manifest.cohort):
        if name and name not in inst.item_map:
            raise CipsurveyError(f"the manifest names {name!r}, which the instrument lacks",
                                 file=where)


def load_study(path: str | Path, *, partial: str = "flag", test: str = "flag",
               named: bool = False) -> Study:
    """Read a study manifest and import every wave; with ``named``, each file is called by
    the name the manifest gives it rather than its path (``wave.names.read_named``)."""
    path = Path(path)
    manifest = validate_document(Manifest, load_yaml(path), "a study manifest")
    folder = path.parent
    inst = load_instrument(manifest.instrument)
    check_study(manifest, inst, path)
    waves = {}
    for wave in manifest.waves:
        files = [_inside(folder, f, path) for f in wave.files]
        options = {"source": wave.source, "partial": partial, "test": test,
                   "event": wave.event}
        if named:
            from .names import read_named

            waves[wave.id] = read_named(list(zip(files, wave.files, strict=True)), inst,
                                        **options)
        else:
            waves[wave.id] = read_survey(files, inst, **options)
    invited = None
    if manifest.invited is not None:
        inv_path = _inside(folder, manifest.invited.file, path)
        table = pd.read_csv(inv_path, comment="#")
        rows = []
        for wave in manifest.waves:
            column = manifest.invited.columns.get(wave.id, f"invited_{wave.id}")
            if column not in table.columns:
                raise CipsurveyError(f"the invitations file has no column {column!r}",
                                     file=inv_path)
            for cohort, n in zip(table[manifest.invited.cohort_column], table[column],
                                 strict=True):
                rows.append({"cohort": float(cohort), "wave": wave.id, "invited": int(n)})
        invited = pd.DataFrame(rows)
    return Study(manifest, folder, inst, waves, invited)


def study_from_files(waves: list[tuple[str, list[Path]]], instrument: str, plan: str, *,
                     partial: str = "flag", test: str = "flag") -> Study:
    """A study given on the command line rather than in a manifest: each wave's id and
    files, in order, the instrument (a path or a bundled name) and the plan whose ``compare``
    section says what is compared. The waves are labelled by their ids; with no respondent
    key they are compared as independent samples (the comparison says so)."""
    if len(waves) < 2:
        raise CipsurveyError("a comparison needs at least two waves",
                             hint="give --wave ID=FILE once per wave (the baseline first)")
    ids = [w for w, _ in waves]
    if len(set(ids)) != len(ids):
        raise CipsurveyError(f"a wave id is given twice: {', '.join(ids)}")
    for w in ids:
        if not re.fullmatch(ID_PATTERN, w):
            raise CipsurveyError(f"a wave id is a lower-case name such as baseline, not {w!r}",
                                 hint="--wave baseline=FILE --wave followup=FILE")
    inst = load_instrument(instrument)
    manifest = Manifest.model_validate({
        "id": inst.id, "title": inst.title.get(inst.languages[0]),
        "instrument": instrument, "plan": plan,
        "waves": [{"id": w, "label": w, "files": [str(f) for f in files]}
                  for w, files in waves]})
    surveys = {w: read_survey(files, inst, partial=partial, test=test) for w, files in waves}
    return Study(manifest, Path.cwd(), inst, surveys, None)
