"""cipsurvey serve, driven in-process (Starlette's TestClient): each security point of the
page has a test here, and the page shows what the command line shows for the same files."""

from __future__ import annotations

import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from starlette.testclient import TestClient

from cipsurvey.app import web
from cipsurvey.app.server import HOST, bind
from cipsurvey.app.store import Store, shown_name
from cipsurvey.app.web import Settings, build_app
from cipsurvey.demo.files import demo_files
from cipsurvey.lang import text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "paper_forms.csv"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
SAME = {"origin": BASE}
NO_FILE = [("unused", ("", b"", "application/octet-stream"))]  # (makes the body multipart)


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The application with a known key, its private folder under tmp_path."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # (read TMPDIR again)
    settings = Settings(token="s3cret", port=PORT, max_files=3, max_mb=1, store=Store())
    with TestClient(build_app(settings), base_url=BASE, raise_server_exceptions=False) as c:
        c.settings = settings
        yield c


@pytest.fixture
def client(server):
    """A client holding the key (as a browser does after opening the printed address)."""
    server.cookies.set(f"cipsurvey-{PORT}", "s3cret")
    return server


def _wave(client, files, instrument="kallmen2017", **extra):
    return client.post("/wave", files=files, headers=SAME, follow_redirects=False,
                       data={"instrument_kind": "bundled", "instrument_name": instrument,
                             **extra})


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


# ------------------------------------------------------------------ the key


def test_without_the_key_nothing_is_served(server):
    for path in ("/", "/study", "/static/app.css", "/w/anything"):
        r = server.get(path)
        assert r.status_code == 403, path
        assert text("app.refused_token", "en") in r.text
    r = server.get("/?token=wrong")
    assert r.status_code == 403
    r = server.post("/wave", files=NO_FILE, headers=SAME)
    assert r.status_code == 403
    for wrong in ("s3cre", "s3cret2", "", "other"):  # a cookie with another key
        server.cookies.set(f"cipsurvey-{PORT}", wrong)
        assert server.get("/").status_code == 403, wrong
    server.cookies.set("cipsurvey-9999", "s3cret")  # another server's cookie name
    server.cookies.delete(f"cipsurvey-{PORT}")
    assert server.get("/").status_code == 403


def test_the_key_in_the_address_becomes_a_strict_cookie_and_leaves_the_address(server):
    r = server.get("/study?token=s3cret&x=1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/study?x=1"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"cipsurvey-{PORT}=s3cret;")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert server.get("/study?x=1").status_code == 200  # the cookie now opens the page


# ------------------------------------------------------------------ Host and Origin


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1:1",
                                  "localhost", f"192.168.1.5:{PORT}", ""])
def test_a_foreign_host_is_refused_even_with_the_key(client, host):
    r = client.get("/", headers={"host": host})
    assert r.status_code == 403
    assert text("app.refused_host", "en") in r.text
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"origin": "http://evil.example"},
                                     {"origin": f"http://evil.example:{PORT}"},
                                     {"origin": "null"},
                                     {"referer": "http://evil.example/page"}])
def test_a_post_from_another_site_is_refused(client, headers):
    r = client.post("/wave", files=[("files", ("a.csv", EXAMPLE.read_bytes(), "text/csv"))],
                    data={"instrument_kind": "bundled", "instrument_name": "kallmen2017"},
                    headers=headers, follow_redirects=False)
    assert r.status_code == 403
    assert text("app.refused_origin", "en") in r.text
    assert not client.settings.store.workspaces  # nothing was stored


def test_a_post_from_the_page_itself_by_referer_is_accepted(client):
    r = client.post("/wave", files=[("files", ("a.csv", EXAMPLE.read_bytes(), "text/csv"))],
                    data={"instrument_kind": "bundled", "instrument_name": "kallmen2017"},
                    headers={"referer": f"{BASE}/"}, follow_redirects=False)
    assert r.status_code == 303


# ------------------------------------------------------------------ limits and storage


def test_too_large_an_upload_is_refused_with_the_limit_named(client):
    big = b"x" * 1_100_000  # the limit in this fixture: 1 MB
    r = _wave(client, [("files", ("big.csv", big, "text/csv"))])
    assert r.status_code == 413
    assert text("app.too_large", "en", mb=1) in r.text
    assert not client.settings.store.workspaces


def test_too_many_files_are_refused_with_the_limit_named(client):
    files = [("files", (f"f{k}.csv", EXAMPLE.read_bytes(), "text/csv")) for k in range(4)]
    r = _wave(client, files)
    assert r.status_code == 422
    assert text("app.too_many_files", "en", n=3) in r.text
    assert not client.settings.store.workspaces
    assert not list(client.settings.store.root.iterdir())  # its files went with it


@pytest.mark.parametrize("sent", ["../../outside.csv", "/tmp/outside.csv",
                                  "..\\..\\outside.csv", "C:\\Users\\x\\outside.csv",
                                  "out\x00side.csv", ".csv"])
def test_a_sent_file_name_is_shown_never_used_as_a_path(client, tmp_path, sent):
    r = _wave(client, [("files", (sent, EXAMPLE.read_bytes(), "text/csv"))])
    assert r.status_code == 303
    store = client.settings.store
    (ws,) = store.workspaces.values()
    (upload,) = ws.uploads
    assert upload.path.parent == ws.folder and upload.path.parent.parent == store.root
    assert upload.path.name == "f1.csv"
    assert not (tmp_path / "outside.csv").exists() and not Path("/tmp/outside.csv").exists()
    # shown by its last part, without separators or control characters (what the browser
    # library does to a NUL on the way differs; the name shown never holds one)
    assert not re.search(r"[/\\\x00-\x1f]", upload.name), upload.name
    assert upload.name == shown_name(sent, "file1") or "\x00" in sent
    assert upload.name.endswith(".csv") and upload.name != ""
    page = client.get(r.headers["location"]).text
    assert f"<td>{upload.name}</td>" in page


def test_uploads_live_in_a_private_folder_removed_when_the_server_stops(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    settings = Settings(token="k", port=PORT, store=Store())
    root = settings.store.root
    assert root.parent == tmp_path
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    with TestClient(build_app(settings), base_url=BASE) as c:
        c.cookies.set(f"cipsurvey-{PORT}", "k")
        assert _wave(c, [("files", ("a.csv", EXAMPLE.read_bytes(), "text/csv"))]) \
            .status_code == 303
        assert list(root.rglob("f1.csv"))
    assert not root.exists()  # the lifespan's end (the server stopping) removed it


def test_the_server_binds_the_loopback_address_only():
    sock = bind(0)
    try:
        assert HOST == "127.0.0.1"
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


# ------------------------------------------------------------------ messages, not tracebacks


def test_an_unreadable_file_shows_the_command_lines_message(client, cli, tmp_path):
    broken = tmp_path / "web.sav"
    broken.write_bytes(demo_files("baseline")[0].read_bytes()[:300])
    expected = cli("validate", broken, "--instrument", "kallmen2017")
    assert expected.code == 2
    message = expected.err.removeprefix("error: ").strip().replace(str(broken), "web.sav")
    r = _wave(client, [("files", ("web.sav", broken.read_bytes(), "application/x-spss"))])
    assert r.status_code == 422
    assert _visible(message) in _visible(r.text)
    assert "Traceback" not in r.text and str(client.settings.store.root) not in r.text


def test_an_instrument_with_errors_shows_every_problem_with_its_line(client, cli, tmp_path):
    bad = tmp_path / "mine.yaml"
    doc = yaml.safe_load((ROOT / "instruments" / "kallmen2017.yaml").read_text("utf-8"))
    doc["items"][0]["type"] = "no_such_type"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    expected = cli("validate", EXAMPLE, "--instrument", bad)
    assert expected.code == 2
    r = client.post("/wave", headers=SAME, follow_redirects=False,
                    files=[("files", ("forms.csv", EXAMPLE.read_bytes(), "text/csv")),
                           ("instrument_file", ("mine.yaml", bad.read_bytes(), "text/yaml"))],
                    data={"instrument_kind": "file"})
    assert r.status_code == 422
    shown = _visible(r.text)
    for line in expected.err.removeprefix("error: ").strip().splitlines():
        assert _visible(line.strip().replace(str(bad), "mine.yaml")) in shown, line


def test_a_bug_shows_one_sentence_and_no_traceback(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("internal detail that must not reach the page")

    monkeypatch.setattr("cipsurvey.wave.names.read_named", broken)
    r = _wave(client, [("files", ("a.csv", EXAMPLE.read_bytes(), "text/csv"))])
    assert r.status_code == 500
    assert text("app.unexpected", "en") in r.text
    assert "internal detail" not in r.text and "Traceback" not in r.text


def test_an_unknown_address_is_a_page_in_the_interface_language(client):
    client.cookies.set("cipsurvey-lang", "sv")
    r = client.get("/w/nothing-here")
    assert r.status_code == 404
    assert text("app.not_found", "sv") in r.text and 'lang="sv"' in r.text


# ------------------------------------------------------------------ the problems table


def test_the_problems_table_and_csv_are_validates(client, cli, tmp_path, monkeypatch):
    own = tmp_path / "own"
    own.mkdir()
    (own / "paper_forms.csv").write_bytes(EXAMPLE.read_bytes())
    monkeypatch.chdir(own)  # the command line given the file by its name, as a user does
    assert cli("validate", "paper_forms.csv", "--instrument", "kallmen2017",
               "--problems", "problems.csv").code == 1
    written = (own / "problems.csv").read_bytes()
    expected = pd.read_csv(own / "problems.csv", dtype=str, keep_default_na=False)
    r = _wave(client, [("files", ("paper_forms.csv", EXAMPLE.read_bytes(), "text/csv"))])
    where = r.headers["location"]
    assert client.get(f"{where}/problems.csv").content == written  # the same file, byte for byte
    # filtered: the page's table and the CSV hold the same rows
    page = client.get(f"{where}?severity=warning&column=resp_id").text
    rows = re.findall(r'<tr data-severity="warning">(.*?)</tr>', page, re.S)
    want = expected[(expected["severity"] == "warning") & (expected["column"] == "resp_id")]
    assert len(rows) == len(want) == 1
    assert want["message"].iloc[0].replace("'", "&#39;") in rows[0]
    part = client.get(f"{where}/problems.csv?severity=error").content.decode()
    assert part.count("\n") == 1 + (expected["severity"] == "error").sum()


# ------------------------------------------------------------------ assets and texts


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "data-status") and value:
                self.urls.append(value)


def test_every_page_loads_only_from_this_server(client):
    r = _wave(client, [("files", ("a.csv", EXAMPLE.read_bytes(), "text/csv"))])
    for path in ("/", "/study", r.headers["location"]):
        page = client.get(path)
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
        links = _Links()
        links.feed(page.text)
        assert links.urls
        for url in links.urls:
            assert url.startswith(("/", "#")) and not url.startswith("//"), url
        for url in links.urls:  # every asset a page names is served from the package
            if url.startswith("/static/"):
                assert client.get(url).status_code == 200, url


def test_every_interface_text_is_used_and_exists():
    from cipsurvey.lang import texts

    keys = set(texts("app", "en"))
    used = set()
    for path in [*web.HERE.glob("templates/*.html"), *web.HERE.glob("*.py"),
                 ROOT / "cipsurvey" / "cli" / "serve_cmd.py"]:
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\.([a-z_]+)", source))
        used |= set(re.findall(r'"app\.([a-z_]+)"', source))
        for prefix in re.findall(r"t\['([a-z_]+)' ~", source):
            used |= {k for k in keys if k.startswith(prefix)}
    assert not keys - used, sorted(keys - used)
    missing = {k for k in used if k not in keys}  # a template naming a text the catalog lacks
    assert not missing, sorted(missing)


# ------------------------------------------------------------------ the report form


def test_the_report_form_says_what_is_wrong_and_starts_nothing(client):
    where = _wave(client, [("files", ("a.csv", EXAMPLE.read_bytes(), "text/csv"))]) \
        .headers["location"]
    ws = next(iter(client.settings.store.workspaces.values()))
    cases = [({"plan_kind": "bundled", "plan_name": "kallmen2017", "report_lang": "sv",
               "min_cell": "-1"}, text("app.whole_number", "en",
                                       field=text("app.min_cell", "en"), low=0)),
             ({"plan_kind": "bundled", "plan_name": "kallmen2017", "report_lang": "sv",
               "min_cell": "5", "invited": "many"},
              text("app.whole_number", "en", field=text("app.invited", "en"), low=1)),
             ({"report_lang": "sv", "min_cell": "0"}, text("app.choose_plan", "en")),
             ({"plan_kind": "bundled", "plan_name": "../../etc/passwd", "report_lang": "sv",
               "min_cell": "0"}, text("app.choose_plan", "en")),
             ({"plan_kind": "bundled", "plan_name": "kallmen2017", "min_cell": "0"},
              text("app.choose_language", "en"))]
    for data, message in cases:
        r = client.post(f"{where}/run", data=data, files=NO_FILE, headers=SAME,
                        follow_redirects=False)
        assert r.status_code == 422, data
        assert _visible(message) in _visible(r.text), data
    assert not ws.jobs and not list(ws.folder.glob("run*"))


def test_a_plan_with_errors_stops_the_run_with_the_command_lines_message(client, cli,
                                                                         tmp_path):
    import time

    bad = tmp_path / "my plan.yaml"
    doc = yaml.safe_load((ROOT / "analyses" / "kallmen2017.yaml").read_text("utf-8"))
    doc["sections"][0]["analyses"][0]["variables"] = ["no_such_item"]
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    expected = cli("report", EXAMPLE, "--plan", bad, "--out", tmp_path / "out")
    assert expected.code == 2
    where = _wave(client, [("files", ("a.csv", EXAMPLE.read_bytes(), "text/csv"))]) \
        .headers["location"]
    r = client.post(f"{where}/run", headers=SAME, follow_redirects=False,
                    data={"plan_kind": "file", "report_lang": "en", "min_cell": "0"},
                    files=[("plan_file", ("my plan.yaml", bad.read_bytes(), "text/yaml"))])
    assert r.status_code == 303
    job = r.headers["location"]
    for _ in range(600):
        status = client.get(f"{job}/status").json()
        if status["state"] != "running":
            break
        time.sleep(0.2)
    assert status["state"] == "failed"
    page = _visible(client.get(job).text)
    for line in expected.err.removeprefix("error: ").strip().splitlines():
        assert _visible(line.replace(str(bad), "my plan.yaml")) in page, line
    assert "Traceback" not in page
    assert client.get(f"{job}/files/report.docx").status_code == 404
