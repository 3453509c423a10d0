"""PY-XSS-001's fix, run in Flask's test client: the same page for benign
input, markup in hostile input arrives escaped."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import original_and_fixed

pytest.importorskip("flask")

APP = (
    "from flask import Flask, make_response, render_template_string, request\n"
    "from markupsafe import Markup\n\n"
    "app = Flask(__name__)\n\n\n"
    "@app.route('/hello')\ndef hello():\n    name = request.args.get('name', 'world')\n    return f'<h1>Hello {name}!</h1>'\n\n\n"
    "@app.route('/search')\ndef search():\n    q = request.args.get('q', '')\n    body = '<p>No results for ' + q + '</p>'\n    return body, 404\n\n\n"
    "@app.route('/echo')\ndef echo():\n    return request.args.get('name', '')\n\n\n"
    "@app.route('/user/<name>')\ndef user(name):\n    return make_response('<title>%s</title>' % name)\n\n\n"
    "@app.route('/bio')\ndef bio():\n    return render_template_string('{{ b }}', b=Markup(f\"<p>{request.args['name']}</p>\"))\n\n\n"
    "@app.route('/comment')\ndef comment():\n    return render_template_string('<div>{{ body|safe }}</div>', body=request.args['name'])\n\n\n"
    "CARD = '<section class=\"card\"><p>{{name}}</p></section>'\n\n\n"
    "@app.route('/card')\ndef card():\n    page = CARD\n    page = page.replace('{{name}}', request.args.get('name', ''))\n"
    "    return make_response(page)\n"
)
PATHS = ["/hello?name={}", "/search?q={}", "/echo?name={}", "/user/{}", "/bio?name={}", "/comment?name={}", "/card?name={}"]
BENIGN = "Ada Lovelace"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    directory = tmp_path_factory.mktemp("xss")
    before, after, _fixed = original_and_fixed(APP, "PY-XSS-001", directory, attribute="app")
    return before.test_client(), after.test_client()


def test_a_page_filled_with_input_keeps_its_own_markup(clients) -> None:
    _before, after = clients
    assert b'<section class="card"><p>Ada</p></section>' in after.get("/card?name=Ada").data


@pytest.mark.parametrize("path", PATHS)
def test_benign_pages_are_unchanged(clients, path) -> None:
    before, after = clients
    old, new = before.get(path.format(BENIGN)), after.get(path.format(BENIGN))
    assert (new.status_code, new.data) == (old.status_code, old.data)


@pytest.mark.parametrize("path", PATHS)
def test_hostile_markup_is_escaped(clients, path) -> None:
    before, after = clients
    assert HOSTILE.encode() in before.get(path.format(HOSTILE)).data, "the original reflects the markup"
    fixed = after.get(path.format(HOSTILE)).data
    assert HOSTILE.encode() not in fixed and b"&lt;img src=x onerror=alert(1)&gt;" in fixed
