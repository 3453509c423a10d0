"""PY-HDR-001 and PY-LOG-001 fixes: header values and log records are the
same for benign input; line breaks in hostile input can no longer start a new
header or a new log line."""

from __future__ import annotations

import logging

import pytest

from tests.rules.fixrun import STAND_IN_APP as APP
from tests.rules.fixrun import original_and_fixed

HEADER_SOURCE = APP + (
    "@app.post('/x')\ndef run(resp, name, campaign):\n"
    "    resp.headers['Content-Disposition'] = f'attachment; filename={name}'\n"
    "    resp.headers['X-Campaign'] = campaign\n"
    "    return resp.headers\n"
)


class Response:
    """Stand-in for a framework response: a `headers` mapping the rule recognises."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


def test_header_fix(tmp_path) -> None:
    before, after, _fixed = original_and_fixed(HEADER_SOURCE, "PY-HDR-001", tmp_path)
    assert after(Response(), "report.pdf", "spring") == before(Response(), "report.pdf", "spring")
    hostile = after(Response(), "a.pdf\r\nSet-Cookie: session=evil", "x\nLocation: https://evil.example")
    assert all("\r" not in v and "\n" not in v for v in hostile.values())


LOG_SOURCE = (
    "import logging\n\nlog = logging.getLogger('draftguard.test')\n\n" + APP
    + "@app.post('/x')\ndef run(user, term):\n"
    "    log.info(f'login for {user}: 100% ok')\n"
    "    log.warning('search %s', term)\n"
)


def test_log_fix(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    before, after, _fixed = original_and_fixed(LOG_SOURCE, "PY-LOG-001", tmp_path)
    caplog.set_level(logging.INFO, logger="draftguard.test")
    before("ann", "shoes")
    old = [r.getMessage() for r in caplog.records]
    caplog.clear()
    after("ann", "shoes")
    assert [r.getMessage() for r in caplog.records] == old == ["login for ann: 100% ok", "search shoes"]
    caplog.clear()
    after("ann\nINFO login for admin: 100% ok", "x\r\nforged")
    assert all("\n" not in r.getMessage() and "\r" not in r.getMessage() for r in caplog.records)
