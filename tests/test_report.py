"""Reports: every output agrees with results.json, the CLI with the library, the HTML opens
cleanly in a browser, and the paper is reproduced through the same code path."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

import cipsurvey
from cipsurvey.analysis import forked
from cipsurvey.analysis.plan import load_plan
from cipsurvey.analysis.run import run_plan
from cipsurvey.demo.files import demo_files
from cipsurvey.demo.reproduce import build_checks, paper_cells
from cipsurvey.report.outputs import write_report

from clients import docx_tables, html_tables, numbers_in
from conftest import IN_CI

run_module = importlib.import_module("cipsurvey.analysis.run")  # (the module, not run())

STAMP = "2026-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    survey = cipsurvey.read_survey(demo_files())
    report = run_plan(survey, load_plan("kallmen2017", survey.instrument), "en")
    paper = paper_cells(build_checks(report, invited=797))  # as the report command does
    written = write_report(report, out, invited=797, generated=STAMP, paper=paper)
    payload = json.loads(written.json.read_text("utf-8"))
    return report, written, payload


def json_table(payload, rid, name) -> pd.DataFrame:
    result = next(r for r in payload["results"] if r["id"] == rid)
    t = result["tables"][name]
    return pd.DataFrame(t["rows"], columns=t["columns"])


def test_every_analysis_ran_and_json_holds_full_precision(built):
    report, _, payload = built
    assert payload["schema"] == "cipsurvey-results/1"
    assert payload["synthetic_data"] is True
    assert [r["id"] for r in payload["results"]] == [r.id for r in report.results]
    assert all(r["error"] is None for r in payload["results"])
    for r in report.results:
        for name, frame in r.tables.items():
            if r.kind == "figure" and name == "data" and len(frame) > 500:
                continue
            got = json_table(payload, r.id, name)
            numeric = frame.select_dtypes("number").columns
            np.testing.assert_array_equal(got[numeric].to_numpy(dtype=float),
                                          frame[numeric].to_numpy(dtype=float))


def test_account_and_methods_paragraph(built):
    _, _, payload = built
    assert payload["account"]["rows_read"] == 705 == payload["account"]["rows_kept"]
    methods = payload["methods"]
    assert "The analysis covers 705 respondents: 642 from an SPSS file (.sav) and 63" in methods
    assert "797 were invited, a response rate of 88.5%." in methods
    assert "Scheffé's test" in methods and "scipy" in methods


def test_word_shows_the_tables_of_the_html(built):
    """Word and HTML draw one document: the same tables, in the same order, cell by cell
    (each cell's first line; the paper's value is the grey second line)."""
    _, written, _ = built
    word = [t for t in docx_tables(written.docx) if t.caption]
    html = html_tables(written.html)
    assert [t.caption for t in word] == [t.caption for t in html]
    for w, h in zip(word, html, strict=True):
        assert [c.split("\n")[0] for c in w.header] == h.header[-1], w.caption
        cells = [[c.split("\n")[0] for c in row] for row in w.body]
        assert [[c for c in row if c] for row in cells] == \
            [[c for c in row if c] for row in h.body], w.caption


def test_excel_numbers_are_the_values_of_results_json(built):
    """Every number of a table sheet is a value of its result at full precision (Excel keeps
    numbers, not text), and no float is left without a number format."""
    import openpyxl

    _, written, payload = built
    book = openpyxl.load_workbook(written.xlsx)
    keys = {t.caption: t.key for t in html_tables(written.html)}
    values_of = {}
    for r in payload["results"]:
        values_of[r["id"]] = np.array([v for t in r["tables"].values() for row in t["rows"]
                                       for v in row if isinstance(v, int | float)
                                       and not isinstance(v, bool)], dtype=float)
    everything = np.concatenate(list(values_of.values()))
    checked = 0
    for name in book.sheetnames[1:]:
        key = keys[name]
        if key in ("account", "validation"):
            continue
        values = everything if key.endswith(".by_group") else values_of[key.split(".")[0]]
        for row in book[name].iter_rows():
            for cell in row:
                if isinstance(cell.value, float | int) and not isinstance(cell.value, bool):
                    assert np.isclose(values, cell.value, rtol=1e-15, atol=0).any(), \
                        (name, cell.coordinate, cell.value)
                    assert cell.number_format != "General", (name, cell.coordinate)
                    checked += 1
    assert checked > 1000


def test_cli_report_json_equals_the_library(built, tmp_path, cli):
    _, _, payload = built
    r = cli("report", "--demo", "--out", tmp_path / "r")
    assert r.code == 0, r.err
    cli_payload = json.loads((tmp_path / "r" / "results.json").read_text("utf-8"))
    for key in ("generated",):
        cli_payload.pop(key)
        payload = {k: v for k, v in payload.items() if k != key}
    cli_payload.pop("protection")
    assert cli_payload == {k: v for k, v in payload.items() if k != "protection"}
    # the command draws its figures in a worker process: the same files as drawn here
    _, written, _ = built
    for fig in written.figures:
        for path in (fig.png, fig.svg):
            assert (tmp_path / "r" / "figures" / path.name).read_bytes() == path.read_bytes()
    with zipfile.ZipFile(written.docx) as a, zipfile.ZipFile(tmp_path / "r" / "report.docx") as b:
        day = re.compile(rb"\d{4}-\d{2}-\d{2}")  # (the title page's date of writing)
        assert day.sub(b"", a.read("word/document.xml")) == \
            day.sub(b"", b.read("word/document.xml"))
    again = cli("report", "--demo", "--out", tmp_path / "r")
    assert again.code == 2 and "already holds a report" in again.err


@pytest.mark.parametrize("failure", ["worker dies", "no child processes", "will not pickle"])
def test_figures_are_drawn_here_when_the_worker_fails(built, tmp_path, monkeypatch, failure):
    import dataclasses

    from cipsurvey.report.drawing import FigureWorker

    report, written, _ = built
    results = list(report.results)
    if failure == "no child processes":
        import multiprocessing.context

        def refuse(*args, **kwargs):
            raise OSError("no processes")
        monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refuse)
    if failure == "will not pickle":  # the second figure cannot be sent to the worker
        second = [i for i, r in enumerate(results) if r.kind == "figure"][1]
        results[second] = dataclasses.replace(results[second],
                                              notes=[*results[second].notes, lambda: None])
    with FigureWorker() as worker:
        if failure == "worker dies":
            for process in worker._pool._processes.values():
                process.kill()
        for r in results:
            worker.submit(r, tmp_path / "figures", "en")
        drawn = worker.collect()
    assert sorted(drawn) == sorted(r.id for r in report.results if r.kind == "figure")
    for fig in written.figures:
        assert drawn[fig.id].alt == fig.alt
        assert drawn[fig.id].svg.read_bytes() == fig.svg.read_bytes()


def test_results_reach_the_caller_figures_first_and_stay_in_plan_order():
    survey = cipsurvey.read_survey(demo_files())
    plan = load_plan("kallmen2017", survey.instrument)
    seen = []
    report = run_plan(survey, plan, "en", on_result=seen.append)
    # (the plan's results in plan order, each multiplicity family's table after its members)
    assert [r.id for r in report.results if r.kind != "multiplicity"] == [
        a.id for _, a in plan.analyses()]
    assert sorted(r.id for r in seen) == sorted(r.id for r in report.results)
    kinds = [r.kind == "figure" for r in seen]
    assert kinds == sorted(kinds, reverse=True) and any(kinds)


def test_word_table_text_survives_xml_and_whitespace(tmp_path):
    """Cell text with XML's special characters, spaces at either end, tabs and line breaks
    reads back from the .docx as it was written."""
    from docx import Document

    from cipsurvey.report.publication import Cell, Column, PubTable, Row
    from cipsurvey.report.word import _NS, table_xml

    texts = ["<a & b>", " leading", "trailing ", "tab\there", "plain åäö", "\"quoted\""]
    table = PubTable("t", "T", [Column(f"h{k}") for k in range(2)],
                     [Row([Cell(texts[k]), Cell(texts[k + 1])]) for k in (0, 2, 4)])
    doc = Document()
    from docx.oxml import parse_xml

    doc.element.body.insert(0, parse_xml(table_xml(table, [100.0, 100.0], 10.0)))
    assert _NS in table_xml(table, [100.0, 100.0], 10.0)
    doc.save(str(tmp_path / "t.docx"))
    back = Document(str(tmp_path / "t.docx")).tables[0]
    got = [c.text for row in back.rows[1:] for c in row.cells]
    assert got == texts


def test_figures_exist_with_alt_text(built):
    _, written, payload = built
    assert {f["id"] for f in payload["figures"]} == {"fig_counts", "fig_reasons", "fig_contents",
                                                     "fig_consequences", "fig_partners",
                                                     "fig_climate"}
    for fig in written.figures:
        assert fig.png.stat().st_size > 5000 and fig.svg.read_text("utf-8").startswith("<?xml")
        assert len(fig.alt) > 40


def test_html_opens_in_headless_chromium_with_every_table_and_figure(built, tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if IN_CI:
            pytest.fail("chromium is not installed; .ci/run must install it")
        pytest.skip("chromium not installed")
    _, written, _ = built
    html = written.html.read_text("utf-8")
    assert not re.search(r'(src|href)="https?:', html), "external resource in the report"
    proc = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", written.html.as_uri()],
        capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert proc.returncode == 0 and "</html>" in dom
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "ERROR" in line], console
    n_tables = len([t for t in docx_tables(written.docx) if t.caption])
    assert dom.count("data-table=") == n_tables
    assert dom.count('<img src="data:image/png;base64,') == 6
    assert len(re.findall(r'<img[^>]+alt="[^"]{40,}"', dom)) == 6


def test_swedish_report_uses_decimal_commas_and_swedish_labels(tmp_path, cli):
    r = cli("report", "--demo", "--out", tmp_path / "sv", "--lang", "sv")
    assert r.code == 0, r.err
    html = (tmp_path / "sv" / "report.html").read_text("utf-8")
    assert "Socialtjänst" in html and "Importredovisning" in html
    cells = re.findall(r'<td class="num">([^<]*)', html)
    assert sum(bool(re.search(r"\d,\d", c)) for c in cells) > 300
    assert not [c for c in cells if re.search(r"\d\.\d", c)]
    assert numbers_in("518\u00a0(92,2)", "sv") == [518.0, 92.2]


def test_a_failing_analysis_becomes_a_note(monkeypatch, tmp_path):
    from cipsurvey.analysis import run

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setitem(run.RUNNERS, "scale", broken)
    survey = cipsurvey.read_survey(demo_files())
    report = run_plan(survey, load_plan("kallmen2017", survey.instrument), "en")
    failed = [r for r in report.results if r.error]
    assert [r.id for r in failed] == ["climate_scale"] and "boom" in failed[0].error
    written = write_report(report, tmp_path / "out")
    assert "This analysis could not be run: RuntimeError: boom" in written.html.read_text("utf-8")


def test_reproduce_matches_every_printed_number(cli):
    r = cli("reproduce", "kallmen2017", "--json")
    assert r.code == 0, r.err
    checks = pd.DataFrame(json.loads(r.out))
    assert len(checks) == 340  # the checks table, read by the command (the demo knows invited)
    assert checks["verdict"].value_counts().to_dict() == {"match": 333, "known inconsistency": 7}
    known = checks[checks["verdict"] == "known inconsistency"]["quantity"].tolist()
    assert "Table 3 · long_term_goals · yes n" in known


def test_results_are_deterministic(built, tmp_path):
    report, written, _ = built
    again = write_report(report, tmp_path / "again", invited=797, generated=STAMP)
    assert again.json.read_bytes() == written.json.read_bytes()
    for a, b in zip(sorted(written.figures, key=lambda f: f.id),
                    sorted(again.figures, key=lambda f: f.id), strict=True):
        assert a.svg.read_bytes() == b.svg.read_bytes()


def assert_same_report(one, two) -> None:
    assert [r.id for r in two.results] == [r.id for r in one.results]
    for a, b in zip(one.results, two.results, strict=True):
        assert (a.error, a.n, a.notes, list(a.tables)) == (b.error, b.n, b.notes, list(b.tables))
        for name in a.tables:
            pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


@pytest.fixture(scope="module")
def demo_plan():
    survey = cipsurvey.read_survey(demo_files())
    plan = load_plan("kallmen2017", survey.instrument)
    return survey, plan, run_plan(survey, plan, "en", workers=1)


def test_two_threads_give_the_same_report_as_one(demo_plan):
    survey, plan, one = demo_plan
    assert_same_report(one, run_plan(survey, plan, "en", workers=2, processes=False))


needs_fork = pytest.mark.skipif(not forked.available(), reason="forks on Linux only")


@needs_fork
def test_a_forked_worker_gives_the_same_report_as_one(demo_plan, monkeypatch):
    survey, plan, one = demo_plan
    real = run_module._run_one
    monkeypatch.setattr(run_module, "_run_one",
                        lambda *a: setattr(r := real(*a), "notes", [*r.notes, os.getpid()])
                        or r)
    two = run_plan(survey, plan, "en", workers=2)
    pid = {}  # the process that computed each result (a family's table: this one, after)
    for r in two.results:
        if r.kind != "multiplicity":
            pid[r.id] = next(n for n in r.notes if isinstance(n, int))
            r.notes.remove(pid[r.id])
    assert_same_report(one, two)
    assert len(set(pid.values())) == 2  # both processes took a share
    assert {pid[r.id] for r in two.results if r.kind == "figure"} == {os.getpid()}


@needs_fork
@pytest.mark.parametrize("failure", ["dies", "hangs", "will not pickle"])
def test_what_the_forked_worker_does_not_send_is_computed_here(demo_plan, monkeypatch,
                                                               failure):
    survey, plan, one = demo_plan
    real = run_module._run_one
    parent = os.getpid()
    sent = []

    def in_child(*a):
        result = real(*a)
        if os.getpid() != parent:
            if failure == "dies" and sent:
                os._exit(3)
            if failure == "hangs" and sent:
                time.sleep(3600)
            if failure == "will not pickle":
                result.tables["x"] = pd.DataFrame({"f": [lambda: 0]})
            sent.append(result.id)
        return result

    monkeypatch.setattr(run_module, "_run_one", in_child)
    monkeypatch.setattr(forked, "MARGIN", 2.0)  # (the hung child is stopped after this)
    started = time.perf_counter()
    two = run_plan(survey, plan, "en", workers=2)
    assert_same_report(one, two)
    assert time.perf_counter() - started < 60


def test_a_table_and_its_figure_share_their_work(monkeypatch):
    """The figures run first, yet each answer grid of the plan is tabulated once: the table
    gets the same narrow frame as its figure, and shared_work hands back the grid."""
    import importlib

    frequencies = importlib.import_module("cipsurvey.stats.frequencies")  # (the module)
    calls = []
    real = frequencies._grid
    monkeypatch.setattr(frequencies, "_grid",
                        lambda data, items, *a: calls.append(tuple(items)) or real(data, items,
                                                                                    *a))
    survey = cipsurvey.read_survey(demo_files())
    plan = load_plan("kallmen2017", survey.instrument)
    report = run_plan(survey, plan, "en", on_result=lambda r: None)
    grids = [r for r in report.results if "grid" in r.tables or
             (r.kind == "figure" and "item" in r.tables.get("data", pd.DataFrame()).columns)]
    assert len(grids) > len(set(calls)) and len(calls) == len(set(calls)), calls


@needs_fork
def test_a_failing_callback_leaves_no_forked_worker_behind(demo_plan, monkeypatch):
    survey, plan, _ = demo_plan
    children = []
    real = forked._fork

    def fork(*args):
        child = real(*args)
        children.append(child)
        return child

    monkeypatch.setattr(forked, "_fork", fork)

    def fail(result):
        raise RuntimeError("the caller's callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        run_plan(survey, plan, "en", workers=2, on_result=fail)
    assert len(children) == 1
    with pytest.raises(ChildProcessError):  # the worker was stopped and reaped
        os.waitpid(children[0].pid, os.WNOHANG)
