"""The pages of ``cipsurvey serve``: a Starlette application rendered on the server.

The flow, each step behind a plain URL:

- ``/``: drop the files of one wave and choose the instrument (or take the demo files);
  ``/study``: the same for two or more waves.
- ``POST /wave``, ``POST /study``: the files are stored (``store``) and read as the command
  line reads them (:func:`~cipsurvey.wave.names.read_named`, which is ``read_survey`` with
  each file called by its own name); the browser is sent to the workspace. With "draft one
  from these files" (or a questionnaire definition to convert) the instrument is drafted
  first, as ``cipsurvey instrument draft`` drafts it, and ``/w/{id}/instrument`` shows it for
  review; the files are read with the reviewed text.
- ``/w/{id}``: the import account and every validation problem, filterable by severity,
  file and column (``/w/{id}/problems.csv`` with the same filters), and the form for the
  report (plan: bundled, a file, or drafted as ``cipsurvey plan draft`` drafts it, shown at
  ``/w/{id}/plan``; language, minimum cell size) or the comparison.
- ``POST /w/{id}/run``: the report is made by :func:`~cipsurvey.report.make.make_report`
  (what ``cipsurvey report`` runs) or the comparison by
  :func:`~cipsurvey.report.make.make_comparison` (what ``cipsurvey compare`` runs), in a
  worker thread; ``/w/{id}/jobs/{job}`` shows its progress, then the
  report in the page with its downloads.

Nothing is computed here: the page only shows what the library returns. A user's mistake
(a file that cannot be read, an instrument or plan with errors) is shown as the command line
words it (:class:`~cipsurvey.errors.CipsurveyError`), with the file's own name; anything
else is logged in the terminal and shown as one sentence, never as a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import time
import zipfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..errors import CipsurveyError
from ..lang import LANGS, text, texts
from .guard import Guard
from .problems import SHOWN, all_problems, choices, filtered
from .store import Draft, Job, Store, Workspace

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "cipsurvey-lang"
log = logging.getLogger("cipsurvey.serve")


@dataclass
class Settings:
    """How the server was started: its key, port, default language and limits."""

    token: str
    port: int
    lang: str = "en"
    max_files: int = 20
    max_mb: int = 500
    store: Store = field(default_factory=Store)


class UserError(Exception):
    """A mistake in what the page was given, worded for the person (already translated)."""


def interface_lang(scope: Any, default: str) -> str:
    """The language of the page: the cookie set by the language switch, else ``default``."""
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, _, val = part.strip().partition("=")
                if name == LANG_COOKIE and val in LANGS:
                    return val
    return default


def build_app(settings: Settings) -> Guard:
    """The whole application: the pages behind the :class:`~.guard.Guard`."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.autoescape = True
    runner = ThreadPoolExecutor(1, thread_name_prefix="cipsurvey-run")  # one run at a time
    store = settings.store

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = interface_lang(request.scope, settings.lang)
        return templates.TemplateResponse(request, name, {
            "t": texts("app", lang), "lang": lang,
            "other_lang": next(code for code in LANGS if code != lang),
            "path": request.url.path, **context}, status_code=status)

    def lang_of(request: Request) -> str:
        return interface_lang(request.scope, settings.lang)

    def bundled(kind: str) -> list[str]:
        from ..instrument.resources import bundled_names

        return bundled_names(kind)

    # ------------------------------------------------------------------ start pages

    async def home(request: Request) -> HTMLResponse:
        return page(request, "home.html", instruments=bundled("instruments"))

    async def study_form(request: Request) -> HTMLResponse:
        return page(request, "study.html", instruments=bundled("instruments"), slots=3)

    async def switch_lang(request: Request) -> Response:
        code = request.path_params["code"]
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        response = RedirectResponse(target, status_code=303)
        if code in LANGS:
            response.set_cookie(LANG_COOKIE, code, httponly=True, samesite="strict")
        return response

    async def read_form(request: Request) -> Any:
        try:
            return await request.form(max_files=settings.max_files + 10, max_fields=200)
        except HTTPException as exc:  # the multipart parser's refusal
            raise UserError(text("app.bad_upload", lang_of(request), detail=exc.detail)) \
                from None

    def files_of(form: Any, field_name: str) -> list[UploadFile]:
        return [f for f in form.getlist(field_name)
                if isinstance(f, UploadFile) and (f.filename or f.size)]

    def instrument_source(ws: Workspace, form: Any, lang: str) -> str | None:
        """The instrument chosen in the form: a bundled name, or the stored YAML file; None
        when a draft was made for review instead (from the data files, or from a
        questionnaire definition: XLSForm, REDCap dictionary, .lss, .qsf)."""
        from ..wave.draft import definition_kind
        from ..wave.names import renamed_error

        kind = form.get("instrument_kind")
        if kind == "bundled":
            name = str(form.get("instrument_name", ""))
            if name not in bundled("instruments"):
                raise UserError(text("app.choose_instrument", lang))
            ws.instrument_label = name
            return name
        if kind == "file":
            given = files_of(form, "instrument_file")
            if not given:
                raise UserError(text("app.no_instrument_file", lang))
            upload = store.save(ws, given[0].filename, given[0].file, "instrument.yaml")
            ws.instrument_label = upload.name
            definition = definition_kind(upload.path)
            if definition is None:
                return str(upload.path)
            written_in = draft_lang(form, lang)
            try:
                drafted, count = _converted(upload, definition, written_in)
            except CipsurveyError as exc:
                raise renamed_error(exc, ws.names()) from None
            ws.draft = Draft(drafted, count, [], _yaml_name(Path(upload.name).stem),
                             written_in)
            return None
        if kind == "draft":
            draft_from_files(ws, draft_lang(form, lang))
            return None
        raise UserError(text("app.choose_instrument", lang))

    def draft_lang(form: Any, lang: str) -> str:
        """The language the files' texts are in, as the form says (else the page's)."""
        chosen = str(form.get("draft_lang", ""))
        return chosen if chosen in LANGS else lang

    def draft_from_files(ws: Workspace, lang: str) -> None:
        """An instrument drafted from every data file of the workspace (what ``cipsurvey
        instrument draft`` writes), kept for the person to review before it is used."""
        from ..wave.draft import draft_instrument

        uploads = [u for files in ws.wave_files.values() for u in files]
        drafted = draft_instrument([u.path for u in uploads], lang=lang,
                                   names=[u.name for u in uploads])
        review = [(str(p.entry.get("id", "")), r.text(lang))
                  for p in [*drafted.items, *drafted.groups] for r in p.review]
        ws.draft = Draft(drafted.text(), drafted.review_count(), review,
                         _yaml_name(drafted.instrument_id), lang)

    def check_count(count: int, lang: str) -> None:
        if count == 0:
            raise UserError(text("app.no_files", lang))
        if count > settings.max_files:
            raise UserError(text("app.too_many_files", lang, n=settings.max_files))

    async def new_wave(request: Request) -> Response:
        lang = lang_of(request)
        ws = store.new("wave")
        try:
            form = await read_form(request)
            await run_in_threadpool(take_wave, ws, form, lang)  # (copies and reading block)
        except (UserError, CipsurveyError) as exc:
            store.drop(ws.id)
            return page(request, "home.html", status=422, error=_message(exc, ws),
                        instruments=bundled("instruments"))
        return RedirectResponse(_next_page(ws), status_code=303)

    def take_wave(ws: Workspace, form: Any, lang: str) -> None:
        """Store a wave's files and instrument (or take the demo's) and read the wave."""
        if form.get("demo"):
            from ..demo.files import demo_files

            ws.uploads = [_demo_upload(path) for path in demo_files("baseline")]
            ws.demo = True
            ws.instrument_source = ws.instrument_label = "kallmen2017"
        else:
            given = files_of(form, "files")
            check_count(len(given), lang)
            for k, f in enumerate(given, start=1):
                store.save(ws, f.filename, f.file, f"file{k}")
        ws.wave_files = {"wave": list(ws.uploads)}  # (before the instrument's file)
        if not ws.demo:
            source = instrument_source(ws, form, lang)
            if source is None:  # a draft to review first
                return
            ws.instrument_source = source
        read_waves(ws)

    async def new_study(request: Request) -> Response:
        lang = lang_of(request)
        ws = store.new("study")
        try:
            form = await read_form(request)
            await run_in_threadpool(take_study, ws, form, lang)
        except (UserError, CipsurveyError) as exc:
            store.drop(ws.id)
            return page(request, "study.html", status=422, error=_message(exc, ws),
                        instruments=bundled("instruments"), slots=3)
        return RedirectResponse(_next_page(ws), status_code=303)

    def take_study(ws: Workspace, form: Any, lang: str) -> None:
        """Store each wave's files and the instrument (or take the demo study) and read
        every wave."""
        if form.get("demo"):
            read_demo_study(ws)
            return
        slots = []
        for k in range(1, 21):
            given = files_of(form, f"wave{k}_files")
            label = str(form.get(f"wave{k}_label", "")).strip()
            if given or label:
                if not given:
                    raise UserError(text("app.wave_without_files", lang, label=label))
                slots.append((label or text("app.wave_n", lang, n=len(slots) + 1), given))
        if len(slots) < 2:
            raise UserError(text("app.two_waves", lang))
        check_count(sum(len(g) for _, g in slots), lang)
        for k, (label, given) in enumerate(slots, start=1):
            wave = f"wave{k}"
            ws.wave_labels[wave] = label
            ws.wave_files[wave] = [store.save(ws, f.filename, f.file, f"file{j}")
                                   for j, f in enumerate(given, start=1)]
        source = instrument_source(ws, form, lang)
        if source is None:  # a draft to review first
            return
        ws.instrument_source = source
        read_waves(ws)

    def read_waves(ws: Workspace) -> None:
        """Read every wave of the workspace as ``cipsurvey validate`` reads it."""
        from ..instrument import load_instrument
        from ..wave.names import read_named, renamed_error

        try:
            instrument = load_instrument(ws.instrument_source)
        except CipsurveyError as exc:
            raise renamed_error(exc, ws.names()) from None
        surveys = {wave: read_named([(u.path, u.name) for u in uploads], instrument)
                   for wave, uploads in ws.wave_files.items()}
        # (only once every wave is read: a reviewed draft may be tried again)
        ws.instrument, ws.surveys, ws.problems = instrument, surveys, all_problems(surveys)

    def read_demo_study(ws: Workspace) -> None:
        """The bundled demo study, read as ``cipsurvey compare --demo`` reads it (each
        file called by the name the manifest gives it)."""
        from ..demo.files import demo_study_file
        from ..wave.study import load_study

        study = load_study(demo_study_file(), named=True)
        ws.study, ws.instrument, ws.demo = study, study.instrument, True
        ws.instrument_source = ws.instrument_label = study.manifest.instrument
        ws.surveys = dict(study.waves)
        for wave in study.manifest.waves:
            ws.wave_files[wave.id] = [_demo_upload(study.folder / f) for f in wave.files]
        ws.problems = all_problems(ws.surveys)

    # ------------------------------------------------------------------ a draft to review

    def draft_of(request: Request) -> Workspace:
        ws = store.get(request.path_params["wid"])
        if ws is None or ws.draft is None:
            raise HTTPException(404)
        return ws

    async def draft_page(request: Request) -> HTMLResponse:
        ws = draft_of(request)
        return page(request, "draft.html", ws=ws, draft=ws.draft, shown=ws.draft.text,
                    mark=text("draft.review", ws.draft.lang))

    async def draft_download(request: Request) -> Response:
        ws = draft_of(request)
        return Response(ws.draft.text, media_type="application/yaml; charset=utf-8", headers={
            "content-disposition": f'attachment; filename="{ws.draft.name}"'})

    async def use_draft(request: Request) -> Response:
        """The reviewed (perhaps edited) draft becomes the workspace's instrument, and the
        waves are read with it; a draft that does not load stays on the page with the
        command line's message."""
        ws = draft_of(request)
        form = await read_form(request)
        reviewed = str(form.get("instrument_text", ""))
        try:
            if not reviewed.strip():
                raise UserError(text("app.empty_draft", lang_of(request)))
            upload = store.save(ws, ws.draft.name, reviewed.encode("utf-8"), "instrument.yaml")
            ws.instrument_source, ws.instrument_label = str(upload.path), upload.name
            await run_in_threadpool(read_waves, ws)
        except (UserError, CipsurveyError) as exc:
            return page(request, "draft.html", status=422, ws=ws, draft=ws.draft,
                        shown=reviewed, mark=text("draft.review", ws.draft.lang),
                        error=_message(exc, ws))
        return RedirectResponse(f"/w/{ws.id}", status_code=303)

    # ------------------------------------------------------------------ the workspace

    def workspace_of(request: Request) -> Workspace:
        ws = store.get(request.path_params["wid"])
        if ws is None or not ws.surveys:
            raise HTTPException(404)
        return ws

    def workspace_context(request: Request, ws: Workspace) -> dict[str, Any]:
        from ..wave.problems import problem_counts

        q = request.query_params
        chosen = {k: q.get(k, "") for k in ("severity", "file", "column")}
        shown = filtered(ws.problems, **chosen)
        return {"ws": ws, "rows": [_row(r) for r in shown.head(SHOWN).to_dict(orient="records")],
                "counts": problem_counts(ws.problems).to_dict(orient="records"),
                "matching": len(shown), "total": len(ws.problems), "chosen": chosen,
                "options": choices(ws.problems),
                "query": urlencode({k: v for k, v in chosen.items() if v}),
                "plans": bundled("analyses"), "waves": _waves(ws, lang_of(request)),
                "key_items": _items(ws), "by_items": _grouping(ws), "shown_limit": SHOWN}

    async def workspace(request: Request) -> HTMLResponse:
        ws = workspace_of(request)
        return page(request, "workspace.html", **workspace_context(request, ws))

    async def problems_download(request: Request) -> Response:
        ws = workspace_of(request)
        from ..wave.problems import problems_csv

        q = request.query_params
        shown = filtered(ws.problems, **{k: q.get(k, "") for k in ("severity", "file", "column")})
        return Response(problems_csv(shown), media_type="text/csv; charset=utf-8", headers={
            "content-disposition": 'attachment; filename="problems.csv"'})

    # ------------------------------------------------------------------ runs

    async def run(request: Request) -> Response:
        ws = workspace_of(request)
        lang = lang_of(request)
        form = await read_form(request)
        try:
            report_lang = str(form.get("report_lang", ""))
            if report_lang not in LANGS:
                raise UserError(text("app.choose_language", lang))
            if ws.kind == "wave":
                plan = plan_source(ws, form, lang)
                min_cell = _whole(form.get("min_cell", ""), lang, text("app.min_cell", lang), 0)
                invited = _whole(form.get("invited", ""), lang, text("app.invited", lang), 1) \
                    if str(form.get("invited", "")).strip() else None
                if ws.demo and invited is None:  # as `cipsurvey report --demo` does
                    from ..demo.files import demo_invited

                    invited = demo_invited("baseline")
                work = functools.partial(wave_job, ws, plan=plan, lang=report_lang,
                                         min_cell=min_cell, invited=invited)
            else:
                # (a form of an older page, or a script, may leave it out: none)
                min_cell = _whole(form.get("min_cell", ""), lang, text("app.min_cell", lang),
                                  0) if str(form.get("min_cell", "")).strip() else 0
                work = functools.partial(compare_job, ws, study=study_of(ws, form, lang),
                                         base=str(form.get("base", "")),
                                         follow=str(form.get("follow", "")), lang=report_lang,
                                         min_cell=min_cell)
        except (UserError, CipsurveyError) as exc:
            return page(request, "workspace.html", status=422, run_error=_message(exc, ws),
                        **workspace_context(request, ws))
        jid, folder = store.job_folder(ws)
        job = Job(jid, folder, lang=report_lang)
        if form.get("plan_kind") == "draft" and ws.study is None:
            job.plan = Path(work.keywords["plan"] if ws.kind == "wave"
                            else work.keywords["study"].manifest.plan)
        ws.jobs[jid] = job
        runner.submit(work, job)
        return RedirectResponse(f"/w/{ws.id}/jobs/{jid}", status_code=303)

    def plan_source(ws: Workspace, form: Any, lang: str) -> str:
        kind = form.get("plan_kind")
        if kind == "bundled":
            name = str(form.get("plan_name", ""))
            if name not in bundled("analyses"):
                raise UserError(text("app.choose_plan", lang))
            return name
        if kind == "file":
            given = files_of(form, "plan_file")
            if not given:
                raise UserError(text("app.no_plan_file", lang))
            return str(store.save(ws, given[0].filename, given[0].file, "plan.yaml").path)
        if kind == "draft":
            body = drafted_plan(ws, str(form.get("by", "")) or None)
            return str(store.save(ws, "plan.yaml", body.encode("utf-8"), "plan.yaml").path)
        raise UserError(text("app.choose_plan", lang))

    def drafted_plan(ws: Workspace, by: str | None) -> str:
        """The starter plan ``cipsurvey plan draft`` writes for the workspace's instrument
        (grouped by ``by``), naming the instrument as the stored plan will find it."""
        from ..analysis.plan_draft import draft_plan_text
        from ..wave.names import renamed_error

        source = ws.instrument_source  # named as the person knows it: its file's name
        ref = source if source in bundled("instruments") else ws.instrument_label
        try:
            body, _ = draft_plan_text(ws.instrument, instrument_ref=ref, by=by)
        except CipsurveyError as exc:
            raise renamed_error(exc, ws.names()) from None
        return body

    async def plan_draft_page(request: Request) -> Response:
        """The plan that "draft a plan" would run, to read before running it."""
        ws = workspace_of(request)
        by = request.query_params.get("by") or None
        try:
            body = drafted_plan(ws, by)
        except CipsurveyError as exc:
            return page(request, "message.html", status=422, message=exc.render())
        if request.url.path.endswith(".yaml"):
            return Response(body, media_type="application/yaml; charset=utf-8", headers={
                "content-disposition": 'attachment; filename="plan.yaml"'})
        return page(request, "plan_draft.html", ws=ws, body=body, by=by or "",
                    by_items=_grouping(ws), query=urlencode({"by": by} if by else {}))

    def study_of(ws: Workspace, form: Any, lang: str) -> Any:
        """The study to compare: the demo's, or one made of the page's waves."""
        if ws.study is not None:
            return ws.study
        from ..lang import translations
        from ..wave.names import renamed_error
        from ..wave.study import Manifest, Study, Wave, check_study

        plan = plan_source(ws, form, lang)
        key = str(form.get("respondent_key", "")) or None
        cohort = str(form.get("cohort", "")) or None
        try:
            manifest = Manifest(
                id="study", title=translations("compare.title"),
                instrument=ws.instrument_source, plan=plan, respondent_key=key, cohort=cohort,
                waves=[Wave(id=w, label={"en": ws.wave_labels[w], "sv": ws.wave_labels[w]},
                            files=[u.name for u in uploads])
                       for w, uploads in ws.wave_files.items()])
            check_study(manifest, ws.instrument)
        except CipsurveyError as exc:
            raise renamed_error(exc, ws.names()) from None
        return Study(manifest, ws.folder, ws.instrument, dict(ws.surveys), None)

    def wave_job(ws: Workspace, job: Job, *, plan: str, lang: str, min_cell: int,
                 invited: int | None) -> None:
        from ..report.make import Unprotected, make_report

        def progress(step: str, done: int, total: int, detail: str) -> None:
            job.step, job.done, job.total, job.detail = step, done, total, detail

        def work() -> None:
            paper = None  # the paper's values beside the demo's, as `report --demo` shows
            if ws.demo and plan == "kallmen2017" and min_cell <= 1:  # (not under protection)
                from ..demo.reproduce import paper_beside as paper
            try:
                made = make_report(lambda: ws.surveys["wave"], plan, lang,
                                   job.folder / "report", min_cell=min_cell, invited=invited,
                                   progress=progress, processes=False, paper=paper)
            except Unprotected as failed:  # said as the command line says it; nothing written
                raise CipsurveyError(text(
                    "app.audit_failed", lang, k=min_cell,
                    where="; ".join(failed.protection.audit.problems()[:5]))) from None
            job.summary, job.notices = made.failed, list(made.notices)
            if made.protection is not None:  # as the command line says it
                done = made.protection
                job.notices.append(text("app.protected", lang, k=min_cell, cells=done.cells,
                                        statistics=done.statistics, tables=done.tables))

        finish(ws, job, work)

    def compare_job(ws: Workspace, job: Job, *, study: Any, base: str, follow: str,
                    lang: str, min_cell: int = 0) -> None:
        from ..report.make import Unprotected, make_comparison

        def progress(step: str, done: int, total: int, detail: str) -> None:
            job.step = step

        def work() -> None:
            try:
                made = make_comparison(study, base or None, follow or None, lang,
                                       job.folder / "report", min_cell=min_cell,
                                       progress=progress)
            except Unprotected as failed:  # said as the command line says it; nothing written
                raise CipsurveyError(text(
                    "app.audit_failed", lang, k=min_cell,
                    where="; ".join(failed.protection.audit.problems()[:5]))) from None
            job.summary = list(made.comparison.summary)
            if made.protection is not None:  # as the command line says it
                done = made.protection
                job.notices.append(text("app.protected", lang, k=min_cell, cells=done.cells,
                                        statistics=done.statistics, tables=done.tables))

        finish(ws, job, work)

    def finish(ws: Workspace, job: Job, work: Any) -> None:
        from ..wave.names import renamed_error

        start = time.perf_counter()
        try:
            work()
            job.outputs = _outputs(job.folder / "report",
                                   {"plan.yaml": job.plan} if job.plan else {})
            job.state = "done"
        except CipsurveyError as exc:
            job.error = renamed_error(exc, ws.names()).render()
            job.state = "failed"
        except Exception:  # a bug: the terminal gets the traceback, the page a sentence
            log.exception("the run failed")
            job.error = text("app.unexpected", job.lang)
            job.state = "failed"
        job.seconds = time.perf_counter() - start

    def job_of(request: Request) -> tuple[Workspace, Job]:
        ws = workspace_of(request)
        job = ws.jobs.get(request.path_params["jid"])
        if job is None:
            raise HTTPException(404)
        return ws, job

    async def job_page(request: Request) -> HTMLResponse:
        ws, job = job_of(request)
        named, others = _downloads(job, lang_of(request))
        return page(request, "job.html", ws=ws, job=job, named=named, others=others,
                    status_text=_status_text(job, lang_of(request)))

    async def job_status(request: Request) -> JSONResponse:
        _, job = job_of(request)
        return JSONResponse({"state": job.state, "done": job.done, "total": job.total,
                             "text": _status_text(job, lang_of(request))})

    async def job_file(request: Request) -> Response:
        _, job = job_of(request)
        path = job.outputs.get(request.path_params["name"])  # never a path from the URL
        if path is None or job.state != "done":
            raise HTTPException(404)
        inline = path.suffix in (".html", ".png", ".svg")
        return FileResponse(path, filename=None if inline else request.path_params["name"],
                            content_disposition_type="inline" if inline else "attachment")

    # ------------------------------------------------------------------ errors

    async def not_found(request: Request, exc: Exception) -> HTMLResponse:
        status = getattr(exc, "status_code", 404)
        return page(request, "message.html", status=status,
                    message=text("app.not_found", lang_of(request)))

    async def user_error(request: Request, exc: Exception) -> HTMLResponse:
        return page(request, "message.html", status=422, message=str(exc))

    async def server_error(request: Request, exc: Exception) -> HTMLResponse:
        log.error("unexpected error", exc_info=exc)
        return page(request, "message.html", status=500,
                    message=text("app.unexpected", lang_of(request)))

    routes = [
        Route("/", home),
        Route("/study", study_form),
        Route("/lang/{code}", switch_lang),
        Route("/wave", new_wave, methods=["POST"]),
        Route("/study", new_study, methods=["POST"]),
        Route("/w/{wid}/instrument", draft_page),
        Route("/w/{wid}/instrument", use_draft, methods=["POST"]),
        Route("/w/{wid}/instrument.yaml", draft_download),
        Route("/w/{wid}/plan", plan_draft_page),
        Route("/w/{wid}/plan.yaml", plan_draft_page),
        Route("/w/{wid}", workspace),
        Route("/w/{wid}/problems.csv", problems_download),
        Route("/w/{wid}/run", run, methods=["POST"]),
        Route("/w/{wid}/jobs/{jid}", job_page),
        Route("/w/{wid}/jobs/{jid}/status", job_status),
        Route("/w/{wid}/jobs/{jid}/files/{name:path}", job_file),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        runner.shutdown(wait=False, cancel_futures=True)  # (a run under way is abandoned)
        store.close()  # everything given to the page goes with the server

    app = Starlette(routes=routes, exception_handlers={
        HTTPException: not_found, UserError: user_error, Exception: server_error},
        lifespan=lifespan)
    app.state.settings = settings
    return Guard(app, token=settings.token, port=settings.port,
                 max_body=settings.max_mb * 1_000_000,
                 lang=lambda scope: interface_lang(scope, settings.lang))


# ---------------------------------------------------------------------- helpers


def _yaml_name(stem: str) -> str:
    """A file name for a drafted instrument: the stem in letters, digits, ``-`` and ``_``
    (it goes into a download's header), then ``.yaml``."""
    return (re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") or "instrument") + ".yaml"


def _converted(upload: Any, kind: str, lang: str) -> tuple[str, int]:
    """A questionnaire definition converted as ``instrument draft`` converts it
    (:func:`~cipsurvey.wave.draft.definition_text`), and how many notes it has.

    The converters take the instrument's id and their notes from the file's name, so the
    stored copy is converted through a link named as the file was, reduced to letters,
    digits, ``-`` and ``_`` (in a folder made for it, removed at once); the notes then show
    the file's own name."""
    import tempfile

    from ..wave.draft import definition_text

    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(upload.name).stem).strip("_")[:60] or "form"
    with tempfile.TemporaryDirectory(dir=upload.path.parent) as folder:
        link = Path(folder) / (stem + upload.path.suffix)
        link.hardlink_to(upload.path)
        drafted, count = definition_text(link, kind, lang, upload.name)
    return drafted.replace(link.name, upload.name), count


def _next_page(ws: Workspace) -> str:
    """Where the browser goes once a workspace's files are in: the draft to review, or the
    import account and problems."""
    return f"/w/{ws.id}/instrument" if ws.draft is not None else f"/w/{ws.id}"


def _demo_upload(path: Path) -> Any:
    from .store import Upload

    return Upload(path.name, path, path.stat().st_size)


def _message(exc: Exception, ws: Workspace) -> str:
    if isinstance(exc, CipsurveyError):
        from ..wave.names import renamed_error

        return renamed_error(exc, ws.names()).render()
    return str(exc)


def _whole(value: Any, lang: str, field: str, low: int) -> int:
    """A whole number of at least ``low`` typed into the field named ``field``."""
    raw = str(value).strip()
    if not raw.isdigit() or int(raw) < low:
        raise UserError(text("app.whole_number", lang, field=field, low=low))
    return int(raw)


def _row(record: dict[str, Any]) -> dict[str, Any]:
    row = record.get("row")
    return {**record, "row": "" if row is None or row != row else str(int(row))}


def _waves(ws: Workspace, lang: str) -> list[dict[str, Any]]:
    out = []
    for wave, survey in ws.surveys.items():
        acc = survey.account
        label = ws.wave_labels.get(wave) or (ws.study.label(wave, lang) if ws.study else "")
        out.append({"id": wave, "label": label, "files": acc.files,
                    "reasons": acc.reasons().to_dict(orient="records"),
                    "read": acc.rows_read, "kept": acc.rows_kept,
                    "excluded": acc.rows_excluded})
    return out


def _items(ws: Workspace) -> list[tuple[str, str]]:
    inst = ws.instrument
    return [(i.id, i.id) for i in inst.items] if inst is not None else []


def _grouping(ws: Workspace) -> list[str]:
    """The items a drafted plan can compare groups by (``plan draft --by``)."""
    from ..analysis.plan_draft import grouping_candidates

    return grouping_candidates(ws.instrument) if ws.instrument is not None else []


def _status_text(job: Job, lang: str) -> str:
    if job.state == "done":
        return text("app.run_done", lang, seconds=f"{job.seconds:.1f}")
    if job.state == "failed":
        return text("app.run_failed", lang)
    if job.step == "compute" and job.total:
        return text("app.step_compute", lang, done=job.done, total=job.total,
                    detail=job.detail)
    return text("app.step_read" if job.step == "read" else "app.step_write"
                if job.step == "write" else "app.step_protect" if job.step == "protect"
                else "app.step_compute_all" if job.step == "compute" else "app.step_queued",
                lang)


def _outputs(folder: Path, extra: dict[str, Path]) -> dict[str, Path]:
    """Every file of a finished report by its download name, with ``extra`` files (the plan
    drafted for the run), and two zips: the figures, and everything."""
    files = {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
             if p.is_file()} | extra
    figures = {n: p for n, p in files.items() if n.startswith("figures/")}
    bundles = {"figures.zip": figures, "report.zip": files}
    out = dict(files)
    for name, members in bundles.items():
        if not members:
            continue
        path = folder.parent / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for member, p in members.items():
                z.write(p, member)
        out[name] = path
    return out


# the downloads the job page names, in its order; any other file of the report is listed
# after them by its name (figures are in figures.zip)
DOWNLOADS = {"report.docx": "app.download_docx", "report.xlsx": "app.download_xlsx",
             "results.json": "app.download_json", "report.html": "app.download_html",
             "plan.yaml": "app.download_plan", "figures.zip": "app.download_figures",
             "report.zip": "app.download_all"}


def _downloads(job: Job, lang: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The job's named downloads (file, what it is) and its other files, by name."""
    labels = texts("app", lang)
    named = [(name, labels[key.removeprefix("app.")]) for name, key in DOWNLOADS.items()
             if name in job.outputs]
    others = [name for name in job.outputs
              if name not in DOWNLOADS and not name.startswith("figures/")]
    return named, others
