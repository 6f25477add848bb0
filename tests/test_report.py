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
from cipsurvey.report.display import SHOWN
from cipsurvey.report.outputs import write_report

from conftest import IN_CI

run_module = importlib.import_module("cipsurvey.analysis.run")  # (the module, not run())

STAMP = "2026-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    survey = cipsurvey.read_survey(demo_files())
    report = run_plan(survey, load_plan("kallmen2017", survey.instrument), "en")
    written = write_report(report, out, invited=797, generated=STAMP)
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
    assert "705 respondents of 797 invited (88.5%)" in payload["methods"]
    assert "Scheffé" in payload["methods"] and "scipy" in payload["methods"]


def _number(text: str) -> float | None:
    text = text.strip().replace(",", ".").replace("< ", "")
    if not re.fullmatch(r"-?\d*\.?\d+", text):
        return None
    return float(text)


def _display_tables(report):
    for r in report.results:
        if r.kind == "figure":
            continue
        yield from ((r.id, name, frame) for name, frame in r.tables.items())


def test_docx_tables_show_the_numbers_of_results_json(built):
    import docx

    report, written, payload = built
    document = docx.Document(str(written.docx))
    tables = document.tables[1:]  # the first is the import account
    expected = list(_display_tables(report))
    assert len(tables) == len(expected)
    checked = 0
    for table, (rid, name, _) in zip(tables, expected, strict=True):
        frame = json_table(payload, rid, name)
        cols = [c for c in SHOWN.get(name, []) if c in frame and frame[c].notna().any()]
        rows = table.rows[1:]
        assert len(rows) == len(frame), (rid, name)
        for row, (_, values) in zip(rows, frame.iterrows(), strict=True):
            for cell, col in zip(row.cells, cols, strict=True):
                shown = _number(cell.text)
                value = values[col]
                if shown is None or not isinstance(value, int | float) or pd.isna(value):
                    continue
                if col in ("conf_low", "conf_high") and name in ("frequencies", "grid", "likert"):
                    value = 100 * value
                decimals = len(cell.text.split(".")[-1]) if "." in cell.text else 0
                if cell.text.startswith("<"):
                    assert value < 0.001
                else:
                    assert abs(shown - value) <= 0.5 * 10**-decimals + 1e-9, (rid, name, col)
                checked += 1
    assert checked > 1000


def test_xlsx_sheets_equal_results_json(built):
    import openpyxl

    report, written, payload = built
    book = openpyxl.load_workbook(written.xlsx, read_only=True)
    expected = list(_display_tables(report))
    assert len(book.sheetnames) == len(expected)
    for sheet, (rid, name, _) in zip(book.sheetnames, expected, strict=True):
        rows = list(book[sheet].iter_rows(values_only=True))
        frame = json_table(payload, rid, name)
        assert list(rows[0]) == list(frame.columns)
        for got, want in zip(rows[1:], frame.itertuples(index=False), strict=True):
            for g, w in zip(got, want, strict=True):
                if isinstance(w, float):
                    # openpyxl writes 16 significant digits (Excel keeps 15)
                    assert (g is None and np.isnan(w)) or np.isclose(g, w, rtol=1e-15, atol=0)
                elif w is None or w == "":
                    assert g in (None, "")
                else:
                    assert str(g).lstrip("'") == str(w)


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
        assert a.read("word/document.xml") == b.read("word/document.xml")
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


def test_word_table_cells_match_python_docx_own_setter():
    from docx import Document

    from cipsurvey.report.outputs import _docx_table

    heads = ["a", "b", "c"]
    rows = [["", " leading", "trailing "], ["tab\there", "two\nlines", "plain åäö"]]
    ours = Document()
    _docx_table(ours, heads, rows)
    theirs = Document()
    table = theirs.add_table(rows=3, cols=3)
    for cell, text in zip(table._cells, [*heads, *rows[0], *rows[1]], strict=True):
        cell.text = text
    for cell in table._cells[:3]:
        cell.paragraphs[0].runs[0].bold = False
    strip = re.compile(r"\s*<w:tcBorders>.*?</w:tcBorders>", re.S)
    ours_xml = strip.sub("", ours.tables[0]._tbl.xml)
    assert ours_xml == strip.sub("", theirs.tables[0]._tbl.xml)


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
    report, written, _ = built
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
    n_tables = sum(1 for _ in _display_tables(report))
    assert dom.count("data-table=") == n_tables
    assert dom.count('<img src="data:image/png;base64,') == 6
    assert len(re.findall(r'<img[^>]+alt="[^"]{40,}"', dom)) == 6


def test_swedish_report_uses_decimal_commas_and_swedish_labels(tmp_path, cli):
    r = cli("report", "--demo", "--out", tmp_path / "sv", "--lang", "sv")
    assert r.code == 0, r.err
    html = (tmp_path / "sv" / "report.html").read_text("utf-8")
    assert "Socialtjänst" in html and "Importredovisning" in html
    assert re.search(r"<td>\d+,\d+</td>", html) and not re.search(r"<td>\d+\.\d+</td>", html)


def test_min_cell_suppresses_small_cells_and_says_so(tmp_path, cli):
    r = cli("report", "--demo", "--out", tmp_path / "k", "--min-cell", "5")
    assert r.code == 0
    payload = json.loads((tmp_path / "k" / "results.json").read_text("utf-8"))
    assert payload["protection"]["min_cell"] == 5
    assert "fewer than 5" in payload["methods"]
    cells = json_table(payload, "t1_education", "cells")
    shown = cells["observed"].dropna()
    assert ((shown == 0) | (shown >= 5)).all() and cells["observed"].isna().any()
    for _, row in cells[cells["observed"].isna()].iterrows():
        assert pd.isna(row["row_percent"])
    # the figure's points: no value given by fewer than 5 shows, and no lone blank in a
    # variable's group, whose total is printed with its box
    points = json_table(payload, "fig_counts", "data")
    shown = points["count"].dropna()
    assert (shown >= 5).all() and points["count"].isna().any()
    blanks = points["count"].isna().groupby([points["variable"], points["group"]]).sum()
    assert not (blanks == 1).any()


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
    assert "This analysis failed" in written.html.read_text("utf-8")


def test_reproduce_matches_every_printed_number(cli):
    r = cli("reproduce", "kallmen2017", "--json")
    assert r.code == 0, r.err
    checks = pd.DataFrame(json.loads(r.out))
    assert len(checks) >= 330
    assert set(checks["verdict"]) == {"match", "known inconsistency"}
    known = checks[checks["verdict"] == "known inconsistency"]["quantity"].tolist()
    assert "Table 3 · long_term_goals · yes n" in known
    assert (checks["verdict"] == "match").sum() >= 330


def test_results_are_deterministic(built, tmp_path):
    report, written, _ = built
    again = write_report(report, tmp_path / "again", invited=797, generated=STAMP)
    assert again.json.read_bytes() == written.json.read_bytes()
    for a, b in zip(sorted(written.figures, key=lambda f: f.id),
                    sorted(again.figures, key=lambda f: f.id), strict=True):
        assert a.svg.read_bytes() == b.svg.read_bytes()


def test_min_cell_leaves_no_single_blank_in_a_row_or_column(tmp_path, cli):
    assert cli("report", "--demo", "--out", tmp_path / "k", "--min-cell", "10").code == 0
    payload = json.loads((tmp_path / "k" / "results.json").read_text("utf-8"))
    for result in payload["results"]:
        for name, t in result["tables"].items():
            frame = pd.DataFrame(t["rows"], columns=t["columns"])
            if name == "cells":
                for key in ("row", "column"):
                    for _, part in frame.groupby(key):
                        assert part["observed"].isna().sum() != 1, (result["id"], key)
                shown = frame["observed"].dropna()
                assert ((shown == 0) | (shown >= 10)).all()
            if name == "describe":
                assert (frame["n"].dropna() >= 10).all()
                assert frame.loc[frame["n"].isna(), "mean"].isna().all()


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
