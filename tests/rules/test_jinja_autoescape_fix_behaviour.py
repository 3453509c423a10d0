"""PY-XSS-002's fix with real Flask and Jinja2: an HTML template renders benign
names exactly as before and hostile markup as text; a plain-text template
from the same environment is left unescaped."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import original_and_fixed

pytest.importorskip("flask")

APP = (
    "from flask import Flask, request\nfrom jinja2 import DictLoader, Environment\n\n"
    "app = Flask(__name__)\n"
    "env = Environment(loader=DictLoader({\n"
    "    'card.html': '<div class=\"card\">{{ name }}</div>',\n"
    "    'card.txt': 'Card for {{ name }}',\n"
    "}))\n\n\n"
    "@app.route('/card')\ndef card():\n"
    "    return env.get_template('card.html').render(name=request.args.get('name', ''))\n\n\n"
    "@app.route('/card.txt')\ndef card_text():\n"
    "    body = env.get_template('card.txt').render(name=request.args.get('name', ''))\n"
    "    return body, 200, {'Content-Type': 'text/plain'}\n"
)


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    before, after, fixed = original_and_fixed(APP, "PY-XSS-002", tmp_path_factory.mktemp("jinja"), attribute="app")
    assert "autoescape=select_autoescape()" in fixed and "from jinja2 import select_autoescape" in fixed
    return before.test_client(), after.test_client()


def test_benign_names_render_the_same(clients) -> None:
    before, after = clients
    for path in ("/card?name=Ada%20Lovelace", "/card.txt?name=Ada"):
        assert after.get(path).data == before.get(path).data


def test_markup_is_escaped_in_html_only(clients) -> None:
    before, after = clients
    hostile = "/card?name=%3Cscript%3Ealert(1)%3C/script%3E"
    assert b"<script>alert(1)</script>" in before.get(hostile).data, "the original renders the markup"
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in after.get(hostile).data
    text = "/card.txt?name=%3Cb%3E"
    assert after.get(text).data == before.get(text).data == b"Card for <b>"
