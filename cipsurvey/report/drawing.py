"""Figures drawn in a second process while the report's tables are computed and written.

matplotlib and seaborn take about a second to import, and the figures about as long to draw.
``cipsurvey report`` starts this worker before it reads the data: the worker imports the
plotting stack on the machine's second core while the main process imports the statistics
stack and reads the wave, then draws each figure result it is sent (the runner computes the
figures' data first) while the main process computes the tables and writes the workbook.

The worker is a one-process ``concurrent.futures.ProcessPoolExecutor`` in a *spawn*
context: a fresh interpreter, so that nothing of the main process (its threads, its
half-imported modules) is copied into it. Whatever goes wrong in the worker (it cannot
start, it dies, a result will not pickle, a figure fails) costs only time: every figure it
has not delivered is drawn again in the main process, where an error surfaces exactly as it
would without the worker.
"""

from __future__ import annotations

import contextlib
import gc
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..analysis.results import Result
    from .figures import Figure


class FigureWorker:
    """A worker process that draws figure results; a context manager that ends it."""

    def __init__(self) -> None:
        self._jobs: list[tuple[Result, Path, str, Future[Figure | None] | None]] = []
        self._pool: ProcessPoolExecutor | None = None
        try:
            import multiprocessing

            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_prepare)
            # the process starts with its first job: this one, now, so that it imports the
            # plotting stack while this process is still importing and reading
            self._pool.submit(gc.collect)
        except (OSError, ImportError, RuntimeError):  # no child processes here
            self._pool = None

    def submit(self, result: Result, out_dir: Path, lang: str) -> None:
        """Have a figure result drawn into ``out_dir`` (other results are ignored)."""
        if result.kind != "figure":
            return
        out_dir.mkdir(parents=True, exist_ok=True)
        future = None
        if self._pool is not None:
            from .figures import draw

            try:
                future = self._pool.submit(draw, result, out_dir, lang)
            except RuntimeError:  # the pool broke (its process died): drawn here
                future = None
        self._jobs.append((result, out_dir, lang, future))

    def collect(self) -> dict[str, Figure | None]:
        """Wait for the worker; every submitted figure by result id (None: no data). One
        that cannot be drawn here either is left out, for the caller to report."""
        from .figures import draw

        drawn: dict[str, Figure | None] = {}
        for result, out_dir, lang, future in self._jobs:
            try:
                drawn[result.id] = future.result() if future is not None else \
                    draw(result, out_dir, lang)
            except Exception:  # it failed there (or would not pickle): again here
                try:
                    drawn[result.id] = draw(result, out_dir, lang)
                except Exception:  # write_report draws it once more, and notes why
                    continue
        return drawn

    def __enter__(self) -> FigureWorker:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._pool is None:
            return
        # normally every job is done; after an error the figures are not wanted
        self._pool.shutdown(wait=kind is None, cancel_futures=kind is not None)


def _prepare() -> None:
    """In the worker, before its first job: the plotting stack imported and set up."""
    from .figures import setup_plotting

    # anything a library prints would land among the main process's messages
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            os.dup2(devnull, fd)
    setup_plotting()
    gc.freeze()  # no cycle collections over the plotting stack, nor at shutdown
