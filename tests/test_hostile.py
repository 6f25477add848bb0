"""A corpus of bad and hostile inputs, each with its documented outcome (docs/reliability.md):
either one clear error (file and, where it applies, line, row or column) with exit code 2, or a
completed import with the problem in the validation table. Never a traceback."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

HEAD = "resp_id;gender;age;ever_cip;n_part_30d;comments\n"


def text(name: str, body: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / name
        p.write_bytes(body.encode(encoding))
        return p
    return make


def raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / name
        p.write_bytes(data)
        return p
    return make


def sav_bytes(d: Path) -> bytes:
    p = d / "_good.sav"
    pyreadstat.write_sav(pd.DataFrame({"resp_id": ["a", "b"], "gender": [1.0, 2.0],
                                       "age": [40.0, 50.0], "ever_cip": [1.0, 2.0]}), str(p))
    return p.read_bytes()


def cut_sav(n: int) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        p = d / f"cut{n}.sav"
        p.write_bytes(sav_bytes(d)[:n])
        return p
    return make


def sav_far_dates(d: Path) -> Path:
    """A .sav whose date cell holds the year 1000 (a flipped byte in a real file)."""
    import datetime as dt

    p = d / "far.sav"
    pyreadstat.write_sav(pd.DataFrame({"resp_id": ["a", "b"], "gender": [1.0, 2.0],
                                       "age": [40.0, 50.0],
                                       "response_date": [dt.datetime(2015, 1, 22),
                                                         dt.datetime(1000, 1, 1)]}), str(p))
    return p


def xlsx(rows: list[list], name: str = "book.xlsx") -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        from openpyxl import Workbook

        book = Workbook()
        for r in rows:
            book.active.append(r)
        p = d / name
        book.save(p)
        return p
    return make


# (case, maker, expected: ("error", text in the message) or ("problem", problem code))
FILES = [
    ("empty csv", text("e.csv", ""), ("error", "the file is empty")),
    ("whitespace csv", text("w.csv", "  \n\n \r\n"), ("error", "the file is empty")),
    ("bom only csv", raw("b.csv", b"\xef\xbb\xbf"), ("error", "the file is empty")),
    ("header only csv", text("h.csv", HEAD), ("error", "header but no data rows")),
    ("header only xlsx", xlsx([["resp_id", "gender"]]), ("error", "header but no data rows")),
    ("empty xlsx", xlsx([]), ("error", "is empty")),
    ("zero-byte sav", raw("z.sav", b""), ("error", "the file is empty")),
    ("zero-byte xlsx", raw("z.xlsx", b""), ("error", "the file is empty")),
    ("sav cut at 10", cut_sav(10), ("error", "cannot read the SPSS file")),
    ("sav cut at 200", cut_sav(200), ("error", "cannot read the SPSS file")),
    ("sav cut at 600", cut_sav(600), ("error", "cannot read the SPSS file")),
    ("sav named csv", lambda d: raw("s.csv", sav_bytes(d))(d), ("error", "SPSS .sav file")),
    ("xlsx named csv", raw("x.csv", b"PK\x03\x04" + b"\0" * 50), ("error", "zip archive")),
    ("pdf named csv", raw("p.csv", b"%PDF-1.4\n" + bytes(200)), ("error", "PDF")),
    ("gzip named csv", raw("g.csv", gzip.compress(b"a;b\n1;2\n")), ("error", "binary data")),
    ("binary junk csv", raw("j.csv", bytes(range(256)) * 4), ("error", "binary data")),
    ("csv named sav", text("c.sav", HEAD + "1;1;40;1;2;\n"), ("error", "not an SPSS .sav")),
    ("csv named xlsx", text("c.xlsx", HEAD + "1;1;40;1;2;\n"), ("error", "not an Excel")),
    ("junk named xlsx", raw("j.xlsx", b"PK\x03\x04garbage" * 20), ("error", "cannot open")),
    ("unknown extension", text("d.json", "{}"), ("error", "cannot tell the format")),
    ("missing file", lambda d: d / "nope.csv", ("error", "file not found")),
    ("folder", lambda d: d, ("error", "folder, not a data file")),
    ("unfit columns", text("u.csv", "colour;size\nred;3\n"), ("error", "does not fit")),
    ("long row", text("l.csv", HEAD + "1;1;40;1;2;;extra\n"), ("error", "fields where")),
    ("open quote", text("q.csv", HEAD + '1;1;"40;1;2;\n2;2;50;2;;\n'),
     ("error", "never closed")),
    ("duplicated header", text("d.csv", "resp_id;age;age\n1;40;41\n"), ("error", "twice")),
    ("header case duplicate", text("d2.csv", "resp_id;Age;age\n1;40;41\n"), ("error", "twice")),
    ("two columns one item", text("t.csv", "resp_id;age;Ålder\n1;40;41\n"),
     ("error", "both hold")),
    ("mixed delimiters", text("m.csv", "resp_id;age;ever_cip\n1,40,1\n2,50,2\n"),
     ("problem", "short_row")),
    ("utf16 file", raw("u16.csv", ("resp_id;age;ever_cip\n1;40;1\n").encode("utf-16")),
     ("problem", "missing_column")),
    ("latin1 with swedish", text("l1.csv", "resp_id;kön;ever_cip\n1;Kvinna;Ja\n", "cp1252"),
     ("problem", "missing_column")),
    ("blank header with values", text("bh.csv", "resp_id;;ever_cip\n1;x;1\n"),
     ("problem", "unknown_column")),
    ("trailing delimiters", text("td.csv", "resp_id;ever_cip;\n1;1;\n"),
     ("problem", "missing_column")),
    ("numbers as padded text", text("np.csv", HEAD + "1;1;  44  ;1; 2 ;\n"),
     ("problem", "missing_column")),
    ("decimal comma quoted", text("dc.csv", 'resp_id,age,ever_cip\n1,"44,5",1\n'),
     ("problem", "missing_column")),
    ("free typed count", text("ft.csv", HEAD + "1;1;44;1;ca 5;\n"),
     ("problem", "free_typed_number")),
    ("range count", text("rc.csv", HEAD + "1;1;44;1;3-4;\n"), ("problem", "free_typed_number")),
    ("plus count", text("pc.csv", HEAD + "1;1;44;1;5+;\n"), ("problem", "free_typed_number")),
    ("word count", text("wc.csv", HEAD + "1;1;44;1;fem;\n"), ("problem", "not_a_number")),
    ("fraction count", text("fc.csv", HEAD + "1;1;44;1;2,5;\n"), ("problem", "not_integer")),
    ("negative count", text("nc.csv", HEAD + "1;1;44;1;-3;\n"), ("problem", "out_of_range")),
    ("scientific number", text("sn.csv", HEAD + "1;1;4e1;1;2;\n"),
     ("problem", "free_typed_number")),
    ("nan text", text("nt.csv", HEAD + "1;1;NaN;1;2;\n"), ("problem", "not_a_number")),
    ("infinity text", text("it.csv", HEAD + "1;1;inf;1;2;\n"), ("problem", "not_a_number")),
    ("impossible age", text("ia.csv", HEAD + "1;1;999;1;2;\n"), ("problem", "out_of_range")),
    ("unknown code", text("uc.csv", HEAD + "1;7;44;1;2;\n"), ("problem", "unknown_code")),
    ("impossible date", text("id.csv", "resp_id;gender;response_date\n1;1;2017-02-30\n"),
     ("problem", "invalid_date")),
    ("date out of range sav", sav_far_dates, ("problem", "date_out_of_range")),
    ("label typo", text("lt.csv", HEAD + "1;Kvina;44;1;2;\n"), ("problem", "unknown_code")),
    ("skip violation", text("sv.csv", HEAD + "1;1;44;Nej;4;\n"),
     ("problem", "answered_but_skipped")),
    ("duplicate respondent", text("dr.csv", HEAD + "1;1;44;1;2;\n1;2;50;2;;\n"),
     ("problem", "duplicate_id")),
    ("formula in text", text("fx.csv", HEAD + "1;1;44;1;2;=cmd|'/c calc'!A1\n"),
     ("problem", "missing_column")),
    ("html in text", text("hx.csv", HEAD + "1;1;44;1;2;<script>alert(1)</script>\n"),
     ("problem", "missing_column")),
    ("huge cell", text("hc.csv", HEAD + "1;1;44;1;2;" + "x" * 2_000_000 + "\n"),
     ("problem", "missing_column")),
    ("many rows of nothing", text("mn.csv", HEAD + ";;;;;\n" * 500 + "1;1;44;1;2;\n"),
     ("problem", "missing_column")),
    ("nul byte in csv", raw("nb.csv", HEAD.encode() + b"1;1;4\x004;1;2;\n"), ("error", "binary")),
]


@pytest.mark.parametrize("case", [c[0] for c in FILES])
def test_bad_data_files(tmp_path, cli, case):
    _, make, (kind, expect) = next(c for c in FILES if c[0] == case)
    path = make(tmp_path)
    r = cli("validate", path, "--json", "-i", "kallmen2017")
    assert "Traceback" not in r.out + r.err
    if kind == "error":
        assert r.code == 2, (case, r.out[:300])
        assert r.err.startswith("error: ") and expect in r.err, (case, r.err)
        assert str(path.name) in r.err or "nope" in r.err or str(path) in r.err
    else:
        assert r.code == 1, (case, r.err)
        payload = json.loads(r.out)
        assert expect in {p["code"] for p in payload["problems"]}, (case, payload["problems"][:3])
        acc = payload["account"]
        assert acc["rows_read"] == acc["rows_kept"] + acc["rows_excluded"]


LABEL = {"sv": "x", "en": "x"}
PROV = {"status": "reconstructed", "why": "test"}


def instrument(items: list[dict], **extra) -> dict:
    return {"id": "hostile", "title": LABEL, "items": items, **extra}


def item(id_: str, type_: str = "yes_no", **extra) -> dict:
    return {"id": id_, "type": type_, "text": LABEL, "provenance": PROV, **extra}


def nested(depth: int) -> str:
    return "a:\n" + "".join("  " * k + "- \n" for k in range(1, depth))


YAMLS = [
    ("filter cycle", yaml.safe_dump(instrument([item("a", relevant='b == "yes"'),
                                                item("b", relevant='a == "yes"')])), "cycle"),
    ("self filter", yaml.safe_dump(instrument([item("a", relevant='a == "yes"')])),
     "refers to the item itself"),
    ("unknown item in filter", yaml.safe_dump(instrument([item("a", relevant='zz == 1')])),
     "unknown item"),
    ("code in filter", yaml.safe_dump(instrument([item("a", relevant="__import__('os')")])),
     "unknown function"),
    ("attribute access", yaml.safe_dump(instrument([item("a", relevant="a.__class__")])),
     "unexpected character"),
    ("python tag", "id: !!python/object/apply:os.system ['id']\n", "invalid YAML"),
    ("deep nesting", nested(200), "nested"),
    ("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e]\n", "values"),
    ("impossible date", "id: x\nversion: 2001-13-45\n", "month must be in 1..12"),
    ("not a mapping", "- just\n- a list\n", "mapping"),
    ("empty yaml", "", "empty"),
    ("unknown field", yaml.safe_dump(instrument([item("a", colour="red")])), "unknown field"),
    ("bad type", yaml.safe_dump(instrument([item("a", type_="slider")])), "slider"),
    ("duplicate ids", yaml.safe_dump(instrument([item("a"), item("a")])), "duplicate item id"),
    ("bad range", yaml.safe_dump(instrument([item("a", "count", range={"min": 5, "max": 1})])),
     "larger than max"),
]


@pytest.mark.parametrize("case", [c[0] for c in YAMLS])
def test_bad_instruments(tmp_path, cli, case):
    _, body, expect = next(c for c in YAMLS if c[0] == case)
    path = tmp_path / "inst.yaml"
    path.write_text(body, encoding="utf-8")
    r = cli("instrument", "check", path)
    assert r.code == 2 and "Traceback" not in r.err
    assert expect in r.err, (case, r.err)


def test_huge_yaml_is_refused(tmp_path, cli):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 6_000_000, encoding="utf-8")
    r = cli("instrument", "check", path)
    assert r.code == 2 and "larger than" in r.err


PLANS = [
    ("plan unknown item", {"kind": "describe", "variables": ["shoe_size"]}, "unknown item"),
    ("plan code subset", {"kind": "describe", "variables": ["age"],
                          "subset": "__import__('os').system('id')"}, "subset"),
    ("plan unknown kind", {"kind": "sql", "variables": ["age"]}, "sql"),
    ("plan missing field", {"kind": "crosstab", "rows": "gender"}, "missing field 'columns'"),
]


@pytest.mark.parametrize("case", [c[0] for c in PLANS])
def test_bad_plans(tmp_path, cli, case):
    _, analysis, expect = next(c for c in PLANS if c[0] == case)
    plan = {"id": "bad", "instrument": "kallmen2017", "title": LABEL,
            "sections": [{"id": "s", "title": LABEL,
                          "analyses": [{"id": "a", "title": LABEL, **analysis}]}]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan), encoding="utf-8")
    r = cli("report", "--demo", "--plan", path, "--out", tmp_path / "out")
    assert r.code == 2 and "Traceback" not in r.err
    assert expect in r.err and "plan.yaml" in r.err, (case, r.err)
    assert not (tmp_path / "out" / "report.html").exists()


# cells that only a questionnaire of one's own can make ambiguous: (case, instrument, csv, code)
NAMED_CHOICES = [
    ("name that is another answer's code",
     instrument([item("id", "identifier"),
                 item("smoker", "single_choice", choices=[
                     {"code": 1, "name": "0", "label": LABEL},
                     {"code": 2, "name": "1", "label": LABEL}])]),
     "id;smoker\n1;1\n", "ambiguous_code"),
]


@pytest.mark.parametrize("case", [c[0] for c in NAMED_CHOICES])
def test_bad_cells_of_an_own_instrument(tmp_path, cli, case):
    _, inst, body, expect = next(c for c in NAMED_CHOICES if c[0] == case)
    (tmp_path / "inst.yaml").write_text(yaml.safe_dump(inst), encoding="utf-8")
    (tmp_path / "own.csv").write_text(body, encoding="utf-8")
    r = cli("validate", tmp_path / "own.csv", "-i", tmp_path / "inst.yaml", "--json")
    assert r.code == 1 and "Traceback" not in r.out + r.err, r.err
    problems = json.loads(r.out)["problems"]
    assert [(p["code"], p["column"]) for p in problems if p["code"] == expect] == \
        [(expect, "smoker")], problems


def test_corpus_expects_every_cell_problem_and_is_documented_at_its_size():
    """Each problem a cell can have (the coercion's codes) is the expected outcome of at least
    one case, so a new code needs a hostile case; and docs/reliability.md gives the corpus's
    real size."""
    from cipsurvey.wave.coerce import SEVERITY

    expected = {want for _, _, (kind, want) in FILES if kind == "problem"}
    expected |= {want for *_, want in NAMED_CHOICES}
    assert set(SEVERITY) <= expected, sorted(set(SEVERITY) - expected)
    doc = (Path(__file__).resolve().parents[1] / "docs" / "reliability.md").read_text("utf-8")
    documented = re.search(r"\| (\d+) cases \|", doc)
    assert documented, "docs/reliability.md no longer states the corpus size"
    cases = len(FILES) + len(YAMLS) + len(PLANS) + len(NAMED_CHOICES) + 1  # + huge yaml
    assert int(documented.group(1)) == cases
