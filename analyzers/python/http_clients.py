"""Recognise outgoing HTTP requests: which library, which URL, which client.

Rules about TLS verification, timeouts and SSRF all need to know that
`s.get(url)` is a `requests.Session` request, that `client.post(...)` belongs
to an `httpx.Client`, or that `urlopen(req)` sends a `Request` built two lines
earlier. Clients are resolved through local definitions (`s = requests.Session()`,
`with httpx.Client() as c`, `async with aiohttp.ClientSession() as session`)
and through `self.<attr> = ...` assignments in the enclosing class, which is
how AI-written API wrappers hold their session.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ..common.names import last_parts
from ..context import AnalysisContext
from .arguments import argument_value
from .dataflow import reaching_definitions
from .names import dotted_name, qualified_name
from .strings import unwrap_parens

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})

# library -> constructors of client objects whose methods send requests
CLIENT_CONSTRUCTORS = {
    "requests.Session": "requests",
    "requests.session": "requests",
    "requests.sessions.Session": "requests",
    "httpx.Client": "httpx",
    "httpx.AsyncClient": "httpx",
    "aiohttp.ClientSession": "aiohttp",
    "urllib3.PoolManager": "urllib3",
    "urllib3.ProxyManager": "urllib3",
    "urllib3.HTTPConnectionPool": "urllib3",
    "urllib3.HTTPSConnectionPool": "urllib3",
    "urllib3.connection_from_url": "urllib3",
}
_MODULE_LIBRARIES = ("requests", "httpx")
MODULE_FUNCTIONS = HTTP_METHODS | {"request", "stream"}
"""Functions of the `requests`/`httpx` modules that send a request."""
CLIENT_METHODS = HTTP_METHODS | {"request", "stream", "urlopen", "send"}
"""Methods of client objects that send a request."""
URLLIB_OPENERS = frozenset({"urllib.request.urlopen", "urllib.request.Request", "urllib2.urlopen", "six.moves.urllib.request.urlopen"})
REQUEST_MODULES = tuple(sorted({*_MODULE_LIBRARIES, *CLIENT_CONSTRUCTORS.values()}))
"""Every request `http_call` recognises goes through one of these modules (a
module function, a method of a client one of their constructors built in the
same unit or class, `urllib3.request`) or is urllib's `urlopen`/`Request`
(URLLIB_NAMES): rules built on `http_call` trigger on them (`triggers` and
`trigger_modules`, which also covers `from requests import get`), where
the method names (`get`, `post`) would match every `request.args.get`."""
URLLIB_NAMES = tuple(sorted(last_parts(URLLIB_OPENERS)))


@dataclass(frozen=True)
class HttpCall:
    """One outgoing request (or the construction of a client)."""

    call: Node
    library: str  # requests | httpx | aiohttp | urllib | urllib3
    method: str  # get, post, ..., request, urlopen, Request
    url: Node | None
    via_client: bool  # a method of a Session/Client object rather than a module function


_ASSIGN_QUERY = "(assignment left: (attribute) @target right: (_) @value)"


def client_library(ctx: AnalysisContext, receiver: Node | None) -> str | None:
    """The library of the client object `receiver` refers to, if known."""
    receiver = unwrap_parens(receiver)
    if receiver is None:
        return None
    if receiver.type == "call":
        return CLIENT_CONSTRUCTORS.get(qualified_name(ctx, receiver.child_by_field_name("function")) or "")
    if receiver.type == "identifier":
        for definition in reaching_definitions(ctx, receiver):
            value = unwrap_parens(definition.value)
            if value is not None and value.type == "await":
                value = value.named_children[0] if value.named_children else None
            library = client_library(ctx, value) if value is not None and value.type == "call" else None
            if library is not None:
                return library
        return None
    dotted = dotted_name(ctx, receiver)
    if dotted is not None and dotted.startswith("self.") and dotted.count(".") == 1:
        return _self_attribute_library(ctx, receiver, dotted)
    return None


def _self_attribute_library(ctx: AnalysisContext, receiver: Node, dotted: str) -> str | None:
    klass = receiver.parent
    while klass is not None and klass.type != "class_definition":
        klass = klass.parent
    if klass is None:
        return None
    for match in ctx.matches(_ASSIGN_QUERY, klass):
        if ctx.text(match["target"][0]) == dotted:
            value = match["value"][0]
            if value.type == "call":
                library = CLIENT_CONSTRUCTORS.get(qualified_name(ctx, value.child_by_field_name("function")) or "")
                if library is not None:
                    return library
    return None


def http_call(ctx: AnalysisContext, call: Node) -> HttpCall | None:
    """Describe `call` if it sends an HTTP request, else None (remembered per
    call for the unit: several rules ask, and `d.get(...)` looks like a
    client's `get` until the receiver's definitions are followed)."""
    return ctx.memo(("http_call", call.id), lambda: _http_call(ctx, call))


def _http_call(ctx: AnalysisContext, call: Node) -> HttpCall | None:
    function = call.child_by_field_name("function")
    if function is None:
        return None
    name = qualified_name(ctx, function) or ""
    module, _, method = name.rpartition(".")
    if module in _MODULE_LIBRARIES and method in MODULE_FUNCTIONS:
        return HttpCall(call, module, method, _url_argument(ctx, call, method), via_client=False)
    if name in URLLIB_OPENERS:
        return HttpCall(call, "urllib", method, argument_value(ctx, call, "url", 0), via_client=False)
    if name == "urllib3.request":
        return HttpCall(call, "urllib3", "request", argument_value(ctx, call, "url", 1), via_client=False)
    if function.type != "attribute":
        return None
    method = ctx.text(function.child_by_field_name("attribute"))
    if method not in CLIENT_METHODS:
        return None
    library = client_library(ctx, function.child_by_field_name("object"))
    if library is None:
        return None
    if method == "send":
        return HttpCall(call, library, method, None, via_client=True)
    return HttpCall(call, library, method, _url_argument(ctx, call, method), via_client=True)


def _url_argument(ctx: AnalysisContext, call: Node, method: str) -> Node | None:
    if method in ("request", "stream", "urlopen"):
        return argument_value(ctx, call, "url", 1)
    return argument_value(ctx, call, "url", 0)


def is_client_constructor(ctx: AnalysisContext, call: Node) -> str | None:
    """The library when `call` builds a client object (`requests.Session()`, ...)."""
    return CLIENT_CONSTRUCTORS.get(qualified_name(ctx, call.child_by_field_name("function")) or "")
