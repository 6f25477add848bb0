"""One wave's report from its files, in the order ``cipsurvey report`` and the local web
page both use: start the figure worker, read the wave, load the plan, run it (each result
drawn as it is ready; with a minimum cell size, the whole report protected first by the
disclosure control's pass, :func:`~cipsurvey.report.protect.protect`, and drawn after),
write every output into a staged folder that is moved into place only when every file is
ready (a report is written whole or not at all).

This is the one place where those steps are put together; the command line and
``cipsurvey serve`` only say how to show progress and what to print afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.results import Report, Result
from ..wave.survey import Survey
from .outputs import Written

if TYPE_CHECKING:
    from .protect import Protection

# progress(step, done, total, detail): step is "read", "compute", "protect" or "write"; during
# "compute", done of total analyses are finished and detail names the one starting
Progress = Callable[[str, int, int, str], None]


@dataclass
class Made:
    """What :func:`make_report` did: the report, the files written (at their places in
    ``out``), what the disclosure control did (None without a minimum cell size), the
    analyses that failed (each carries a note), and what the person must be told once (in
    the report's language)."""

    report: Report
    written: Written
    protection: Protection | None
    failed: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


class Unprotected(Exception):
    """The disclosure control's audit did not hold: nothing was written."""

    def __init__(self, protection: Protection) -> None:
        super().__init__("the audit of the small-cell protection did not hold")
        self.protection = protection


def make_report(read: Callable[[], Survey], plan: str | Path, lang: str, out: Path, *,
                min_cell: int = 0, invited: int | None = None,
                free_text_key: bytes | None = None, progress: Progress | None = None,
                processes: bool = True,
                paper: Callable[[Report], dict] | None = None) -> Made:
    """Read a wave, run an analysis plan on it and write the report into ``out``.

    Parameters
    ----------
    read : callable
        Returns the wave (:class:`~cipsurvey.wave.survey.Survey`). It is called once the
        figure worker has started, so that the worker imports the plotting libraries while
        the wave is read.
    plan : name or path
        A bundled plan name or a plan YAML file, checked against the wave's instrument.
    lang : {"en", "sv"}
        The report's language.
    out : Path
        The folder for report.html, report.docx, report.xlsx, results.json and figures/
        (created if needed; files of the same names are replaced).
    min_cell : int
        Counts below this are hidden, with whatever would reveal them, by the disclosure
        control's pass over the whole report (0 or 1: none).
    invited : int, optional
        How many were invited, for the response rate.
    free_text_key : bytes, optional
        With a key, the free-text answers are added, each with its respondent's pseudonym.
    progress : callable, optional
        Told each step as it starts (see ``Progress``).
    processes : bool
        Let a large wave's plan run in a forked second process (see
        :func:`~cipsurvey.analysis.run.run_plan`); a multi-threaded caller passes False.
    paper : callable, optional
        Given the report, the printed values of a reproduced paper by result cell, to be
        shown beside the reproduced numbers (``demo.reproduce.paper_beside`` for the demo).

    Returns
    -------
    Made

    Raises
    ------
    Unprotected
        When the protection's audit does not hold (nothing is written).
    """
    from ..analysis.plan import load_plan
    from ..analysis.run import free_text_result, run_plan
    from ..files import staged_folder
    from ..lang import text
    from .drawing import FigureWorker
    from .outputs import write_report
    from .protect import protect

    tell = progress or (lambda step, done, total, detail: None)
    notices: list[str] = []
    # the worker starts first, so that it imports matplotlib while this process reads the
    # wave; it draws the figures while the tables are computed
    with staged_folder(out) as stage, FigureWorker() as drawer:
        tell("read", 0, 0, "")
        survey = read()
        inst = survey.instrument
        if lang not in inst.languages:  # said once: the questions stay as they are written
            notices.append(text("cli.texts_as_written", lang, instrument=inst.id,
                                languages=", ".join(inst.languages)))
        loaded = load_plan(plan, survey.instrument)
        total = sum(1 for _ in loaded.analyses())
        started = 0

        def starting(rid: str) -> None:
            nonlocal started
            tell("compute", started, total, rid)
            started += 1

        def draw(result: Result) -> None:
            drawer.submit(result, stage / "figures", lang)

        # without protection each figure is drawn as soon as it is computed; with it, only
        # once every result is protected (a figure draws the protected table)
        report = run_plan(survey, loaded, lang, progress=starting,
                          on_result=None if min_cell > 1 else draw, processes=processes)
        protection = None
        if min_cell > 1:
            tell("protect", total, total, "")
            protection = protect(report, min_cell)
            if not protection.held:
                raise Unprotected(protection)
            for result in report.results:
                draw(result)
        if free_text_key is not None:
            words = free_text_result(report, free_text_key)
            if protection is not None:  # no pseudonyms, sorted, questions under K left out
                from .protect.free_text import protect_free_text

                left_out = protect_free_text(words, min_cell, lang)
                report.protection = {**report.protection, "free_text_left_out": left_out}
            notices.append(text("protect.free_text_read", lang))
            report.results.append(words)
        tell("write", total, total, "")
        staged = write_report(report, stage, invited=invited, min_cell=min_cell,
                              free_text=free_text_key is not None,
                              paper=paper(report) if paper else None, drawn=drawer.collect)
    return Made(report, _placed(staged, stage, out), protection,
                [r.id for r in report.results if r.error], notices)


@dataclass
class Compared:
    """What :func:`make_comparison` did: the comparison, the files written (at their
    places in ``out``) and what the disclosure control did (None without a minimum cell
    size)."""

    comparison: Any
    written: Written
    protection: Any = None


def make_comparison(study: Any, base: str | None, follow: str | None, lang: str,
                    out: Path, *, min_cell: int = 0,
                    progress: Progress | None = None) -> Compared:
    """Compare two waves of a study and write the comparison's report into ``out``, whole or
    not at all: what ``cipsurvey compare`` and the local web page both run.

    Parameters
    ----------
    study : Study
        The study (:func:`~cipsurvey.wave.study.load_study`, ``study_from_files``, or one
        built from waves already read).
    base, follow : str or None
        The baseline and follow-up wave ids (None: the first and the last).
    lang : {"en", "sv"}
        The report's language.
    out : Path
        The folder for the report's files (created if needed).
    min_cell : int
        Counts of people below this are hidden, with whatever would reveal them, by one
        protection pass over the comparison (:func:`~cipsurvey.report.protect.comparison.
        protect_comparison`) before anything is drawn or written (0 or 1: none).
    progress : callable, optional
        Told "compute", "protect" (with a minimum cell size) and "write" as each starts.

    Raises
    ------
    Unprotected
        When the protection's audit does not hold (nothing is written).
    """
    from ..analysis.compare import compare
    from ..files import staged_folder
    from .outputs import write_report
    from .protect.comparison import protect_comparison

    tell = progress or (lambda step, done, total, detail: None)
    tell("compute", 0, 0, "")
    comparison = compare(study, base, follow, lang)
    protection = None
    if min_cell > 1:
        tell("protect", 0, 0, "")
        protection = protect_comparison(comparison, min_cell)
        if not protection.held:
            raise Unprotected(protection)
    tell("write", 0, 0, "")
    with staged_folder(out) as stage:  # every file, or none
        staged = write_report(comparison, stage, min_cell=min_cell)
    return Compared(comparison, _placed(staged, stage, out), protection)


def _placed(staged: Written, stage: Path, out: Path) -> Written:
    """The files written into ``stage``, at their places in ``out``."""
    def moved(path: Path) -> Path:
        return out / path.relative_to(stage)

    return Written(moved(staged.html), moved(staged.docx), moved(staged.xlsx),
                   moved(staged.json),
                   [replace(f, png=moved(f.png), svg=moved(f.svg)) for f in staged.figures])
