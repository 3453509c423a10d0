"""PY-COOKIE-001/002 fixes in a real Flask app: the same cookies with the same
values, now marked Secure, HttpOnly and SameSite."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

SET_COOKIE_APP = '''
from flask import Flask, make_response, request

app = Flask(__name__)


@app.route("/login", methods=["POST"])
def login():
    resp = make_response("ok")
    resp.set_cookie("session_token", request.form["token"], max_age=3600)
    resp.set_cookie("csrf_token", "c5rf", secure=False)
    resp.set_cookie("theme", "dark")
    return resp
'''

SESSION_APP = '''
from flask import Flask, session

app = Flask(__name__)
app.config["SECRET_KEY"] = bytes(range(32))
app.config.update(SESSION_COOKIE_SECURE=False, SESSION_COOKIE_HTTPONLY=False, SESSION_COOKIE_SAMESITE=None)


@app.route("/login", methods=["POST"])
def login():
    session["user_id"] = 7
    return "ok"
'''


def _cookies(app) -> dict[str, str]:
    response = app.test_client().post("/login", data={"token": "t0k-123"}, base_url="https://localhost")
    assert response.status_code == 200
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def _value(header: str) -> str:
    return header.split(";", 1)[0]


@pytest.mark.parametrize("rule_id, source", [("PY-COOKIE-001", SET_COOKIE_APP), ("PY-COOKIE-002", SESSION_APP)])
def test_fixed_cookies_keep_their_values_and_gain_the_flags(rule_id, source, tmp_path) -> None:
    assert findings_of(source, rule_id)
    fixed = fix_once(source, rule_id)
    assert not findings_of(fixed, rule_id)
    before = _cookies(load_module(source, tmp_path).app)
    after = _cookies(load_module(fixed, tmp_path).app)
    assert before.keys() == after.keys()
    for name in before:
        assert _value(after[name]) == _value(before[name]) or name == "session"  # session cookies are signed with a timestamp
    auth_cookie = "session_token" if rule_id == "PY-COOKIE-001" else "session"
    for flag in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert flag not in before[auth_cookie]
        assert flag in after[auth_cookie]
    if rule_id == "PY-COOKIE-001":
        assert "Secure" in after["csrf_token"] and "HttpOnly" not in after["csrf_token"], "CSRF cookies stay readable by scripts"
        assert after["theme"] == before["theme"], "non-auth cookies are left alone"
