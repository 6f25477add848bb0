"""Locate the bundled instruments and analysis plans, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

from ..errors import CipsurveyError

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the cipsurvey package


def _bundled_dir(kind: str) -> Path:
    """Directory holding bundled YAML files of ``kind`` ("instruments" or "analyses").

    A wheel carries them under ``cipsurvey/_bundled/``; a source checkout (or an editable
    install) has them at the top of the repository.
    """
    installed = _PACKAGE_DIR / "_bundled" / kind
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / kind
    if checkout.is_dir():
        return checkout
    raise CipsurveyError(f"the bundled {kind} directory is missing from this installation")


def instruments_dir() -> Path:
    """The folder of the bundled instruments."""
    return _bundled_dir("instruments")


def analyses_dir() -> Path:
    """The folder of the bundled analysis plans."""
    return _bundled_dir("analyses")


def bundled_names(kind: str) -> list[str]:
    """The names of the bundled YAML files of ``kind``."""
    return sorted(p.stem for p in _bundled_dir(kind).glob("*.yaml"))


def resolve_yaml(name_or_path: str | Path, kind: str) -> Path:
    """A path to an existing YAML file, or the name of a bundled one ("kallmen2017")."""
    candidate = Path(name_or_path)
    if candidate.suffix.lower() in {".yaml", ".yml"} or candidate.exists():
        if not candidate.is_file():
            raise CipsurveyError("file not found", file=candidate)
        return candidate
    bundled = _bundled_dir(kind) / f"{name_or_path}.yaml"
    if bundled.is_file():
        return bundled
    known = ", ".join(bundled_names(kind)) or "none"
    raise CipsurveyError(
        f"no {kind[:-1]} named {str(name_or_path)!r}",
        hint=f"give a path to a YAML file, or one of the bundled names: {known}",
    )
