"""Helpers behind the unsafe-defaults and input-validation rules: argument
edits, client-number evidence, HTTP client recognition and allow-list guards."""

from __future__ import annotations

import pytest

from draftguard.analyzers import apply_edits, parse
from draftguard.analyzers.context import AnalysisContext
from draftguard.analyzers.facts import compute_facts
from draftguard.analyzers.python.arguments import add_keyword, keyword_argument, remove_argument
from draftguard.analyzers.python.guards import allow_list_checked, bounds_checked
from draftguard.analyzers.python.http_clients import http_call
from draftguard.analyzers.python.inputs import numeric_input, remote_taint
from draftguard.analyzers.python.names import calls


def _context(source: str) -> AnalysisContext:
    data = source.encode()
    tree = parse(data, "python")
    facts = compute_facts("python", data, tree.root_node)
    unit = [n for n in tree.root_node.children if n.type not in ("import_statement", "import_from_statement")][-1]
    return AnalysisContext(data, tree, "python", facts, unit)


def _call(ctx: AnalysisContext, prefix: str):
    return next(call for call, _ in calls(ctx) if ctx.text(call).startswith(prefix))


@pytest.mark.parametrize(
    "source, expected",
    [
        ("get()\n", "get(timeout=10)\n"),
        ("get(url)\n", "get(url, timeout=10)\n"),
        ("get(url,)\n", "get(url, timeout=10)\n"),
        ("get(\n    url,\n    headers=h,\n)\n", "get(\n    url,\n    headers=h,\n    timeout=10,\n)\n"),
        ("get(\n    url\n)\n", "get(\n    url, timeout=10\n)\n"),
    ],
)
def test_add_keyword_keeps_layout(source, expected) -> None:
    ctx = _context(source)
    edit = add_keyword(ctx, _call(ctx, "get"), "timeout=10")
    fixed = apply_edits(ctx.source, [edit]).decode()
    assert fixed == expected
    assert not parse(fixed.encode(), "python").root_node.has_error


@pytest.mark.parametrize(
    "source, expected",
    [
        ("load(s, Loader=L)\n", "load(s)\n"),
        ("load(Loader=L, stream=s)\n", "load(stream=s)\n"),
        ("load(Loader=L,)\n", "load()\n"),
        ("load(\n    s,\n    Loader=L,\n)\n", "load(\n    s,\n)\n"),
    ],
)
def test_remove_argument(source, expected) -> None:
    ctx = _context(source)
    call = _call(ctx, "load")
    edit = remove_argument(ctx, call, keyword_argument(ctx, call, "Loader"))
    assert apply_edits(ctx.source, [edit]).decode() == expected


FLASK = "from flask import Flask, request\napp = Flask(__name__)\n"


@pytest.mark.parametrize(
    "body, is_input",
    [
        ("    n = int(request.args['n'])\n    use(n)\n", True),
        ("    n = request.args.get('n', 10, type=int)\n    use(n)\n", True),
        ("    n = int(request.args['n']) * 1024\n    use(n)\n", True),
        ("    n = len(request.args['q'])\n    use(n)\n", False),
        ("    n = 10\n    use(n)\n", False),
    ],
)
def test_numeric_input_sees_through_conversions(body, is_input) -> None:
    ctx = _context(FLASK + "@app.route('/x')\ndef view():\n" + body)
    argument = _call(ctx, "use").child_by_field_name("arguments").named_children[0]
    assert (numeric_input(ctx, argument) is not None) == is_input
    assert remote_taint(ctx, argument) is None or is_input  # int() still sanitises for injection


def test_route_converter_and_annotation_are_client_numbers() -> None:
    ctx = _context(FLASK + "@app.route('/f/<int:offset>')\ndef view(offset):\n    use(offset)\n")
    argument = _call(ctx, "use").child_by_field_name("arguments").named_children[0]
    assert numeric_input(ctx, argument).source == "route parameter offset"


@pytest.mark.parametrize(
    "source, library, method",
    [
        ("import requests\ndef f(u):\n    s = requests.Session()\n    s.get(u)\n", "requests", "get"),
        ("import httpx\ndef f(u):\n    with httpx.Client() as c:\n        c.post(u)\n", "httpx", "post"),
        ("import aiohttp\nasync def f(u):\n    async with aiohttp.ClientSession() as s:\n        await s.get(u)\n", "aiohttp", "get"),
        ("import urllib3\ndef f(u):\n    http = urllib3.PoolManager()\n    http.request('GET', u)\n", "urllib3", "request"),
    ],
)
def test_http_clients_are_recognised(source, library, method) -> None:
    ctx = _context(source)
    found = [http_call(ctx, call) for call, _ in calls(ctx)]
    found = [h for h in found if h is not None and h.method == method]
    assert found and found[0].library == library and ctx.text(found[0].url) == "u"


def test_cache_get_is_not_an_http_request() -> None:
    ctx = _context("def f(cache, key):\n    return cache.get(key)\n")
    assert all(http_call(ctx, call) is None for call, _ in calls(ctx))


@pytest.mark.parametrize(
    "check, allowed",
    [
        ("    if urlparse(url).hostname not in ALLOWED_HOSTS:\n        abort(400)\n", True),
        ("    if not url.startswith('https://cdn.example.com/'):\n        abort(400)\n", True),
        ("    if not url.startswith(('http://', 'https://')):\n        abort(400)\n", False),
        ("    if url in cache:\n        pass\n", False),
    ],
)
def test_allow_list_checks(check, allowed) -> None:
    source = FLASK + "ALLOWED_HOSTS = {'a'}\n@app.route('/x')\ndef view():\n    url = request.args['u']\n" + check + "    fetch(url)\n"
    ctx = _context(source)
    argument = _call(ctx, "fetch").child_by_field_name("arguments").named_children[0]
    assert allow_list_checked(ctx, argument) is allowed


def test_bounds_check_needs_an_ordering_comparison() -> None:
    source = FLASK + "@app.route('/x')\ndef view():\n    n = int(request.args['n'])\n    if n:\n        pass\n    use(n)\n    if n > 100:\n        abort(400)\n    use(n)\n"
    ctx = _context(source)
    first, second = [c for c, _ in calls(ctx) if ctx.text(c).startswith("use")]
    assert not bounds_checked(ctx, first.child_by_field_name("arguments").named_children[0])
    assert bounds_checked(ctx, second.child_by_field_name("arguments").named_children[0])
