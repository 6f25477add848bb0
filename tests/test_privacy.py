"""Privacy: pseudonymised ids in every output, free text only on request, no network."""

from __future__ import annotations

import json
import socket

import pandas as pd
import pytest

import cipsurvey
from cipsurvey.demo.files import demo_files
from cipsurvey.wave.privacy import load_key, pseudonym


@pytest.fixture(scope="module")
def ids():
    return cipsurvey.read_survey(demo_files()).data["resp_id"].tolist()


def test_import_pseudonymises_ids_with_a_key_kept_apart(tmp_path, cli, ids):
    key_file = tmp_path / "secret.key"
    out1, out2 = tmp_path / "a.csv", tmp_path / "b.csv"
    assert cli("import", "--demo", "--to", out1, "--key-file", key_file).code == 0
    assert cli("import", "--demo", "--to", out2, "--key-file", key_file).code == 0
    a, b = pd.read_csv(out1), pd.read_csv(out2)
    assert not set(a["resp_id"]) & set(ids)                 # no real id left
    assert a["resp_id"].tolist() == b["resp_id"].tolist()   # same key, same pseudonyms
    key = load_key(key_file)
    assert a["resp_id"].iloc[0] == pseudonym(ids[0], key)
    assert key.hex() not in out1.read_text("utf-8")
    other = tmp_path / "c.csv"
    assert cli("import", "--demo", "--to", other, "--key-file", tmp_path / "other.key").code == 0
    assert pd.read_csv(other)["resp_id"].iloc[0] != a["resp_id"].iloc[0]


def test_reports_hold_no_ids_and_no_free_text_unless_asked(tmp_path, cli, ids):
    assert cli("report", "--demo", "--out", tmp_path / "r").code == 0
    blobs = [p.read_bytes() for p in (tmp_path / "r").rglob("*") if p.is_file()]
    for rid in ids[:50]:
        assert not any(rid.encode() in b for b in blobs)
    payload = json.loads((tmp_path / "r" / "results.json").read_text("utf-8"))
    assert payload["protection"]["free_text"] is False
    assert "Free-text answers are left out" in payload["methods"]
    wave = cipsurvey.read_survey(demo_files()).data
    comment = wave["comments"].dropna().iloc[0]
    assert comment not in (tmp_path / "r" / "report.html").read_text("utf-8")
    assert cli("report", "--demo", "--out", tmp_path / "f", "--include-free-text").code == 0
    html = (tmp_path / "f" / "report.html").read_text("utf-8")
    assert comment in html and not any(rid in html for rid in ids[:50])


def test_no_network_is_used(tmp_path, cli, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("cipsurvey tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert cli("report", "--demo", "--out", tmp_path / "r").code == 0
    assert cli("compare", "--demo", "--out", tmp_path / "c").code == 0
