"""Writing output files safely: atomically, never over an input, and with no spreadsheet
formula smuggled in through a text cell. Used by every layer that writes a file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import OutputError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_output(path: Path, inputs: Iterable[str | Path], force: bool) -> None:
    """Refuse to overwrite an input, or an existing file unless ``force``."""
    target = path.resolve()
    for src in inputs:
        try:
            if Path(src).resolve() == target:
                raise OutputError("refusing to overwrite an input file", file=path,
                                  hint="write the output to another file")
        except OSError:  # pragma: no cover - unresolvable input path
            continue
    if path.exists() and not force:
        raise OutputError("the output file exists already", file=path,
                          hint="choose another name, or add --force to replace it")
    if not path.parent.exists():
        raise OutputError("the output folder does not exist", file=path)


def atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary file in the target's folder, then rename it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp made it private; give it normal rights
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """A fresh hidden folder beside ``folder`` to write a set of outputs into. When the block
    ends normally, its files are moved into ``folder`` (created if needed; files of the same
    name replaced); when it raises, the staged files are deleted and ``folder`` is left as it
    was: a report is written whole or not at all."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        yield stage
        for path in sorted(stage.rglob("*")):
            target = folder / path.relative_to(stage)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
