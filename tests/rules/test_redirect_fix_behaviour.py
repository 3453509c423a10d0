"""PY-REDIRECT-001's fix, run for real in Flask: local and same-host targets
redirect exactly as before; other hosts, `//host` and `/\\host` go to `/`."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

pytest.importorskip("flask")

FLASK_APP = '''
from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return "home"


@app.route("/login", methods=["POST"])
def login():
    next_page = request.args.get("next")
    return redirect(next_page or url_for("index"))


@app.route("/back")
def back():
    return redirect(request.referrer)
'''

DJANGO = '''
from django.shortcuts import redirect


def continue_to(request):
    return redirect(request.GET.get("next", "/"))
'''

BENIGN = ["/dashboard?tab=2", "/notes/7#comments", None]
HOSTILE = ["https://evil.example/login", "//evil.example", "/\\evil.example", "http://localhost@evil.example/", "javascript:alert(1)"]


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    fixed = fix_once(FLASK_APP, "PY-REDIRECT-001")
    assert len(findings_of(FLASK_APP, "PY-REDIRECT-001")) == 2 and not findings_of(fixed, "PY-REDIRECT-001")
    directory = tmp_path_factory.mktemp("redirect")
    return load_module(FLASK_APP, directory).app.test_client(), load_module(fixed, directory).app.test_client()


def _location(client, path, **kwargs):
    response = client.open(path, **kwargs)
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize("target", BENIGN)
def test_local_targets_are_kept(apps, target) -> None:
    before, after = apps
    query = {"next": target} if target is not None else {}
    assert _location(after, "/login", method="POST", query_string=query) == _location(before, "/login", method="POST", query_string=query)


@pytest.mark.parametrize("target", HOSTILE)
def test_other_hosts_are_refused(apps, target) -> None:
    before, after = apps
    assert _location(before, "/login", method="POST", query_string={"next": target}) != "/"
    assert _location(after, "/login", method="POST", query_string={"next": target}) == "/"


def test_same_host_referrer_still_goes_back(apps) -> None:
    before, after = apps
    referrer = "http://localhost/notes/3?page=2"
    assert _location(after, "/back", headers={"Referer": referrer}) == _location(before, "/back", headers={"Referer": referrer}) == referrer
    assert _location(after, "/back", headers={"Referer": "https://evil.example/"}) == "/"


def test_outside_flask_only_local_paths_are_allowed() -> None:
    fixed = fix_once(DJANGO, "PY-REDIRECT-001")
    assert findings_of(DJANGO, "PY-REDIRECT-001") and not findings_of(fixed, "PY-REDIRECT-001")
    assert (
        '    next_url = request.GET.get("next", "/")\n'
        '    if not next_url or not next_url.startswith("/") or urlparse(next_url.replace("\\\\", "/")).netloc:\n'
        '        next_url = "/"\n'
        "    return redirect(next_url)\n"
    ) in fixed
    assert fixed.startswith("\nfrom django.shortcuts import redirect\nfrom urllib.parse import urlparse\n")
