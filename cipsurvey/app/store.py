"""Where the page keeps what it is given: a private folder, and names it makes itself.

Everything uploaded goes into one folder made for this server (``mkdtemp``: readable by
its owner only) and removed when the server stops. A name a browser sends is shown, never
used as a path: each file is stored as ``f<n><suffix>`` in its workspace's folder, keeping
only a short alphanumeric suffix (``.sav``, ``.csv``) so that the library detects the format
and words its messages as it would for the original. Reports are written into the same
folder, one subfolder per run.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}\Z")
# characters a shown name never holds: controls, and the separators of every system
UNSHOWN = re.compile(r"[\x00-\x1f\x7f/\\]")


def shown_name(sent: str | None, fallback: str) -> str:
    """The name to show for a file a browser sent: its last part (a browser may send a
    whole Windows path), without control characters, at most 120 characters."""
    name = (sent or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = UNSHOWN.sub("", name).strip()
    if len(name) > 120:
        name = name[:100] + "…" + name[-19:]
    return name or fallback


def stored_suffix(name: str) -> str:
    """The suffix a stored copy keeps: the shown name's, lower case, if it is short and
    alphanumeric, else none."""
    found = SUFFIX.search(name)
    return found.group(0).lower() if found else ""


@dataclass
class Upload:
    """One uploaded file: the name it is shown by, where it is stored, its size."""

    name: str
    path: Path
    size: int


@dataclass
class Job:
    """One run of a report or a comparison: its folder, progress and outcome."""

    id: str
    folder: Path
    state: str = "running"  # running, done, failed
    step: str = "queued"
    done: int = 0
    total: int = 0
    detail: str = ""
    error: str = ""
    seconds: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)  # download name -> file
    lang: str = "en"
    summary: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # what the report says it assumed
    plan: Path | None = None  # a plan drafted for this run, offered beside the report


@dataclass
class Draft:
    """An instrument drafted for review (``cipsurvey instrument draft``'s YAML, every guess
    marked), how many lines are marked, the guesses by item, the name it is saved by and the
    language it is written in."""

    text: str
    marked: int
    review: list[tuple[str, str]]
    name: str
    lang: str


@dataclass
class Workspace:
    """One person's files and what was made of them: a wave (``waves`` holds one) or a
    study of several waves, with the instrument, the waves read, and the runs."""

    id: str
    folder: Path
    kind: str  # "wave" or "study"
    uploads: list[Upload] = field(default_factory=list)
    wave_files: dict[str, list[Upload]] = field(default_factory=dict)  # wave id -> files
    wave_labels: dict[str, str] = field(default_factory=dict)
    instrument_label: str = ""
    instrument: Any = None  # the Instrument
    instrument_source: str = ""  # a bundled name or a stored path, as the library takes it
    surveys: dict[str, Any] = field(default_factory=dict)  # wave id -> Survey
    study: Any = None  # a loaded Study (the demo study)
    demo: bool = False
    jobs: dict[str, Job] = field(default_factory=dict)
    problems: Any = None  # the problems of every wave as one table (pandas)
    draft: Draft | None = None  # an instrument drafted from the files, for review

    def names(self) -> dict[str, str]:
        """Stored path -> shown name, for every file of the workspace; then the workspace's
        folder itself (where a study built in the page is said to be) -> ``study``, so
        that no message shows the private folder."""
        return {str(u.path): u.name for u in self.uploads} | {str(self.folder): "study"}


class Store:
    """The server's private folder and the workspaces in it (kept in memory, each with its
    waves read: past ``max_workspaces`` the oldest is forgotten and its files deleted)."""

    def __init__(self, max_workspaces: int = 10) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cipsurvey-serve-"))  # mode 0700
        self.max_workspaces = max_workspaces
        self.workspaces: dict[str, Workspace] = {}
        self._lock = threading.Lock()
        self._made = 0

    def new(self, kind: str) -> Workspace:
        """A new workspace with a folder of its own; the oldest is dropped past the limit."""
        with self._lock:
            while len(self.workspaces) >= self.max_workspaces:
                oldest = next(iter(self.workspaces))
                self.drop(oldest)
            wid = secrets.token_urlsafe(9)
            self._made += 1
            folder = self.root / f"w{self._made}"
            folder.mkdir()
            ws = Workspace(wid, folder, kind)
            self.workspaces[wid] = ws
            return ws

    def get(self, wid: str) -> Workspace | None:
        """The workspace with this id, or None."""
        return self.workspaces.get(wid)

    def drop(self, wid: str) -> None:
        """Forget a workspace and delete its files."""
        ws = self.workspaces.pop(wid, None)
        if ws is not None:
            shutil.rmtree(ws.folder, ignore_errors=True)

    def save(self, ws: Workspace, sent_name: str | None, data: bytes | Any,
             fallback: str) -> Upload:
        """Store one uploaded file (bytes, or a binary file object) in the workspace under
        a name made here; return it with the name it is shown by."""
        name = shown_name(sent_name, fallback)
        path = ws.folder / f"f{len(ws.uploads) + 1}{stored_suffix(name)}"
        with path.open("xb") as out:
            if isinstance(data, bytes | bytearray):
                out.write(data)
            else:
                shutil.copyfileobj(data, out)
        upload = Upload(name, path, path.stat().st_size)
        ws.uploads.append(upload)
        return upload

    def job_folder(self, ws: Workspace) -> tuple[str, Path]:
        """An id and a new folder for a run."""
        jid = secrets.token_urlsafe(6)
        folder = ws.folder / f"run{len(ws.jobs) + 1}"
        folder.mkdir()
        return jid, folder

    def close(self) -> None:
        """Delete the whole private folder."""
        self.workspaces.clear()
        shutil.rmtree(self.root, ignore_errors=True)
