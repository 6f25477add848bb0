"""Figures drawn in a second process while the report's tables are computed and written.

matplotlib and seaborn take about a second to import, and the figures about as long to draw.
``cipsurvey report`` starts this worker before it reads the data: the worker imports the
plotting stack on the machine's second core while the main process imports the statistics
stack and reads the wave, then draws each figure result it is sent (the runner computes the
figures' data first) while the main process computes the tables and writes the workbook.

Jobs and answers travel pickled over the worker's stdin and stdout, a private pipe between
two processes of this program. Whatever goes wrong in the worker (it cannot start, it dies,
a figure fails) costs only time: every figure it has not delivered is drawn again in the
main process, where an error surfaces exactly as it would without the worker.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from ..analysis.results import Result
    from .figures import Figure

Job = tuple["Result", Path, str]


class FigureWorker:
    """A child process that draws figure results; a context manager that ends it."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._proc: subprocess.Popen[bytes] | None = None
        if sys.executable:  # (empty in some embedded interpreters)
            try:
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            except OSError:  # no child processes here: everything is drawn in this one
                self._proc = None
        # a thread feeds the pipe, so that a full pipe never holds up the statistics
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        proc = self._proc
        while (job := self._queue.get()) is not None:
            if proc is None:
                continue
            try:
                pickle.dump(job, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                proc.stdin.flush()
            except Exception:  # the worker is gone, or a result would not pickle: from
                proc = None     # here on collect() draws what the worker did not answer
        if self._proc is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()

    def submit(self, result: Result, out_dir: Path, lang: str) -> None:
        """Have a figure result drawn into ``out_dir`` (other results are ignored)."""
        if result.kind != "figure":
            return
        out_dir.mkdir(parents=True, exist_ok=True)
        self._jobs.append((result, out_dir, lang))
        self._queue.put((result, out_dir, lang))

    def collect(self) -> dict[str, Figure | None]:
        """Wait for the worker; every submitted figure by result id (None: no data). One
        that cannot be drawn here either is left out, for the caller to report."""
        from .figures import draw

        self._queue.put(None)
        self._feeder.join()
        answers: dict[str, tuple[bool, Figure | None]] = {}
        if self._proc is not None:
            try:  # one answer per job; the worker's exit is awaited in __exit__
                for _ in self._jobs:
                    rid, ok, figure = pickle.load(self._proc.stdout)
                    answers[rid] = (ok, figure)
            except (EOFError, OSError, pickle.UnpicklingError):  # it died: draw the rest here
                pass
        drawn: dict[str, Figure | None] = {}
        for result, out_dir, lang in self._jobs:
            ok, figure = answers.get(result.id, (False, None))
            if not ok:
                try:
                    figure = draw(result, out_dir, lang)
                except Exception:  # write_report draws it once more, and notes why
                    continue
            drawn[result.id] = figure
        return drawn

    def __enter__(self) -> FigureWorker:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._queue.put(None)
        if self._proc is None:
            return
        try:  # normally the worker has finished: it exits when its stdin is closed
            self._proc.wait(timeout=60 if kind is None else 0)
        except subprocess.TimeoutExpired:  # an error here: the figures are not wanted
            self._proc.kill()
            self._proc.wait()


def _serve(jobs: BinaryIO, answers: BinaryIO) -> None:
    from .figures import draw, setup_plotting

    setup_plotting()  # now, while the main process is still busy
    while True:
        try:
            result, out_dir, lang = pickle.load(jobs)
        except EOFError:
            return
        try:
            answer = (result.id, True, draw(result, out_dir, lang))
        except Exception:  # drawn again by the main process, which reports the error
            answer = (result.id, False, None)
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


if __name__ == "__main__":
    # the answers get a private copy of stdout; anything a library prints goes to stderr
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, answers)
    gc.freeze()  # no cycle collections at shutdown: a quarter second with this many modules
