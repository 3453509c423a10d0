"""PY-TIMEOUT-001's fix: same response from a healthy server, and the request
now carries a finite timeout down to the transport (a stalled peer can no
longer hold the worker). Served on loopback only."""

from __future__ import annotations

import urllib.request

import pytest

from tests.rules.fixrun import load_module, original_and_fixed
from tests.rules.localhttp import PAYLOAD, serve

requests = pytest.importorskip("requests")

CASES = {
    "requests_get": "import requests\n\ndef run(base):\n    return requests.get(base + '/items').json()\n",
    "requests_request_multiline": (
        "import requests\n\ndef run(base):\n    return requests.request(\n        'GET',\n        base + '/items',\n        headers={'Accept': 'application/json'},\n    ).json()\n"
    ),
    "session_attribute": (
        "import requests\n\nclass Client:\n    def __init__(self, base):\n        self.base = base\n        self.session = requests.Session()\n\n"
        "    def items(self):\n        return self.session.get(self.base + '/items').json()\n\n"
        "def run(base):\n    return Client(base).items()\n"
    ),
    "urlopen": (
        "import json\nimport urllib.request\n\ndef run(base):\n    with urllib.request.urlopen(base + '/items') as r:\n        return json.loads(r.read())\n"
    ),
}


@pytest.fixture
def seen_timeouts(monkeypatch):
    """Record the timeout each transport receives, then send for real."""
    seen: list = []
    adapter_send = requests.adapters.HTTPAdapter.send

    def spy_send(self, request, *args, **kwargs):
        seen.append(kwargs.get("timeout"))
        return adapter_send(self, request, *args, **kwargs)

    http_open = urllib.request.HTTPHandler.http_open

    def spy_open(self, req):
        seen.append(getattr(req, "timeout", None))
        return http_open(self, req)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", spy_send)
    monkeypatch.setattr(urllib.request.HTTPHandler, "http_open", spy_open)
    return seen


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_keeps_response_and_bounds_the_wait(name, tmp_path, seen_timeouts) -> None:
    before, after, _fixed = original_and_fixed(CASES[name], "PY-TIMEOUT-001", tmp_path)
    with serve() as base:
        original = before(base)
        del seen_timeouts[:]
        result = after(base)
    assert result == original == {**PAYLOAD, "path": "/items"}
    assert seen_timeouts and all(t == 10 for t in seen_timeouts), seen_timeouts


def test_original_sends_without_timeout(tmp_path, seen_timeouts) -> None:
    run = load_module(CASES["requests_get"], tmp_path).run
    with serve() as base:
        run(base)
    assert seen_timeouts == [None], "requests really has no default timeout: the finding is not hypothetical"
