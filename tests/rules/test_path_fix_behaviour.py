"""PY-PATH-001's fix, run for real: files inside the folder (sub-folders too)
are served as before; `../` and absolute paths no longer escape it."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

pytest.importorskip("flask")

APP = '''
import os
from pathlib import Path

from flask import Flask, request, send_file

app = Flask(__name__)
BASE = os.environ["FIXTURE_BASE"]
BASE_PATH = Path(BASE)


@app.route("/send/<path:name>")
def send(name):
    return send_file(os.path.join(BASE, name))


@app.route("/read")
def read():
    name = request.args.get("name", "")
    path = os.path.join(BASE, name)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@app.route("/text/<path:name>")
def text(name):
    return (BASE_PATH / name).read_text()


@app.route("/log")
def log():
    name = request.args["name"]
    with open(f"{BASE}/{name}", encoding="utf-8") as handle:
        return handle.read()
'''

ROUTES = ["/send/{}", "/read?name={}", "/text/{}", "/log?name={}"]


@pytest.fixture
def apps(tmp_path, monkeypatch):
    base = tmp_path / "files"
    (base / "sub").mkdir(parents=True)
    (base / "a.txt").write_text("public a")
    (base / "sub" / "b.txt").write_text("public b")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    monkeypatch.setenv("FIXTURE_BASE", str(base))
    assert len(findings_of(APP, "PY-PATH-001")) == 4
    fixed = fix_once(APP, "PY-PATH-001")
    assert not findings_of(fixed, "PY-PATH-001")
    before = load_module(APP, tmp_path).app.test_client()
    after = load_module(fixed, tmp_path).app.test_client()
    return before, after, tmp_path


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", ["a.txt", "sub/b.txt"])
def test_files_inside_the_folder_are_served_as_before(apps, route, name) -> None:
    before, after, _tmp = apps
    expected = before.get(route.format(name))
    got = after.get(route.format(name))
    assert (got.status_code, got.get_data()) == (expected.status_code, expected.get_data()) == (200, expected.get_data())
    assert b"public" in got.get_data()


@pytest.mark.parametrize("route", ["/read?name={}", "/log?name={}"])
def test_traversal_is_refused(apps, route) -> None:
    before, after, tmp = apps
    for hostile in ("../secret.txt", str(tmp / "secret.txt")):
        leaked = before.get(route.format(hostile))
        if route.startswith("/read"):
            assert leaked.get_data() == b"TOP SECRET", "the original reads outside its folder"
        refused = after.get(route.format(hostile))
        # 404 from the check; `f"{BASE}/{name}"` with an absolute name stays inside BASE, where no such file exists (500)
        assert refused.status_code in (404, 500) and b"SECRET" not in refused.get_data()


def test_pathlib_traversal_is_refused(apps) -> None:
    _before, after, _tmp = apps
    # Flask normalises `..` in URL paths, so use an encoded absolute path segment instead
    assert after.get("/text/%2e%2e/secret.txt").status_code == 404
