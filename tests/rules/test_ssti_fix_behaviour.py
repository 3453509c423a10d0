"""PY-SSTI-001's fix with real Flask and Jinja: benign names render the same,
template syntax in the input is printed instead of evaluated."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import original_and_fixed

pytest.importorskip("flask")

APP = (
    "import jinja2\nfrom flask import Flask, render_template_string, request\n\n"
    "app = Flask(__name__)\n\n\n"
    "@app.route('/hello')\ndef hello():\n    name = request.args.get('name', 'guest')\n"
    "    return render_template_string(f'<h1>Hello {name}</h1><p>{request.args.get(\"city\", \"\")}</p>')\n\n\n"
    "@app.route('/preview')\ndef preview():\n    subject = request.args['name']\n"
    "    return jinja2.Template('<h2>' + subject + '</h2><p>{{ body }}</p>').render(body='text')\n"
)


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    before, after, fixed = original_and_fixed(APP, "PY-SSTI-001", tmp_path_factory.mktemp("ssti"), attribute="app")
    assert "{{ name }}" in fixed and "{{ city }}" in fixed and "{{ subject }}" in fixed
    return before.test_client(), after.test_client()


@pytest.mark.parametrize("path", ["/hello?name={}&city=Paris", "/preview?name={}"])
def test_benign_unchanged_and_template_syntax_inert(clients, path) -> None:
    before, after = clients
    assert after.get(path.format("Ada")).data == before.get(path.format("Ada")).data
    assert b"49" in before.get(path.format("{{7*7}}")).data, "the original evaluates the input"
    hostile = after.get(path.format("{{7*7}}")).data
    assert b"49" not in hostile and b"{{7*7}}" in hostile
