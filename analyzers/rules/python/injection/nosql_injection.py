"""PY-NOSQL-001 nosql-injection-query-from-json: MongoDB queries shaped by request JSON.

**What it finds.** Calls of PyMongo/Motor collection methods (`find`,
`find_one`, `update_*`, `delete_*`, `count_documents`, `aggregate`, ...) whose
filter

* is request JSON as a whole (`users.find(request.get_json())`), so the
  client chooses the operators;
* holds a value taken from request JSON (`{"password": data["password"]}`
  with `data = request.get_json()`): JSON can carry an object where a string
  was expected, and `{"$ne": null}` matches every document;
* uses `$where` with a JavaScript string built from request data.

**Not reported.** Values from query strings, forms and URL segments (always
strings, so never operators), values converted with `str()`/`int()` or
validated, constant filters.

**Fix.** For a JSON value under a key that names a text field (user name,
e-mail, password, token, code, slug, ...) "Accept only a string" wraps the
value in `str()`: a string stays the same string, an operator object becomes
its harmless text and matches nothing. No fix for whole-document filters or
`$where`, which need a reviewed rewrite (build the filter from known fields;
replace `$where` by query operators).
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Fix, Severity
from ....python.arguments import argument_value
from ....python.dataflow import reaching_definitions
from ....python.names import calls, imports_module_here, method_name, qualified_name
from ....python.strings import literal_value, unwrap_parens
from ....python.taint import is_request_object, taint_of
from ....python.taint_specs import NOSQL, REQUEST
from ....python.wrapping import wrap
from ...base import Explanation, Rule, register

COLLECTION_METHODS = {
    "find": 0, "find_one": 0, "find_one_and_update": 0, "find_one_and_delete": 0, "find_one_and_replace": 0,
    "update_one": 0, "update_many": 0, "delete_one": 0, "delete_many": 0, "count_documents": 0, "replace_one": 0,
    "aggregate": 0, "distinct": 1, "find_raw_batches": 0,
}
MONGO_MODULES = ("pymongo", "motor", "flask_pymongo", "mongomock", "mongoengine")
_JSON_ATTRIBUTES = frozenset({"json", "get_json", "data"})
_TEXT_KEY = re.compile(r"(?i)(name|user|login|mail|pass|pwd|token|code|slug|title|key|email|phone|secret|otp)")
_REQUEST_ONLY = frozenset({REQUEST})


@register
class NoSqlInjection(Rule):
    id = "PY-NOSQL-001"
    name = "nosql-injection-query-from-json"
    cwe = 943
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Accept only a string"
    # the collection method is named in the unit; the import that enables the rule may be elsewhere
    triggers = tuple(sorted(COLLECTION_METHODS))
    summary = "MongoDB filter taken from, or filled with values of, request JSON; $where built from input"
    explanation = Explanation(
        what="The MongoDB filter contains structure chosen by the client: a whole JSON document, or JSON values that may be objects.",
        why=(
            "With the JSON the front end sends (`{\"user\": \"ann\", \"password\": \"...\"}`) the login works. But JSON "
            "values can be objects, and MongoDB reads objects as operators: the client decides how the query matches."
        ),
        hostile_input='`{"user": "admin", "password": {"$ne": null}}` logs in as admin without the password.',
        fix=(
            "Build the filter from known fields and force their types: `{\"user\": str(data[\"user\"]), \"password_hash\": ...}`; "
            "never pass request JSON as a filter, never build `$where` from input."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        if not imports_module_here(ctx, *MONGO_MODULES):
            return
        for call, _name in calls(ctx):
            method = method_name(ctx, call)
            if method not in COLLECTION_METHODS:
                continue
            query = argument_value(ctx, call, "filter", position=COLLECTION_METHODS[method])
            if method == "aggregate":
                query = argument_value(ctx, call, "pipeline", position=0)
            finding = self._check(ctx, call, unwrap_parens(query))
            if finding is not None:
                yield finding

    def _check(self, ctx: AnalysisContext, call: Node, query: Node | None) -> Finding | None:
        if query is None:
            return None
        if query.type == "identifier":
            defs = reaching_definitions(ctx, query)
            if len(defs) == 1 and defs[0].kind == "assign" and unwrap_parens(defs[0].value).type in ("dictionary", "list"):
                query = unwrap_parens(defs[0].value)
        if query.type not in ("dictionary", "list"):
            if _from_json(ctx, query):
                taint = taint_of(ctx, query, sink=NOSQL, kinds=_REQUEST_ONLY)
                if taint is not None:
                    return self.finding(ctx, call, f"NoSQL injection: the whole filter is request JSON from {taint.source} (line {taint.line}); the client chooses its operators")
            return None
        risky: list[tuple[Node, str]] = []
        for pair in _pairs(query):
            key, value = literal_value(ctx, pair.child_by_field_name("key")), unwrap_parens(pair.child_by_field_name("value"))
            if value is None:
                continue
            if key == "$where":
                taint = taint_of(ctx, value, sink=NOSQL, kinds=_REQUEST_ONLY)
                if taint is not None:
                    return self.finding(ctx, call, f"NoSQL injection: $where JavaScript built from {taint.source} (line {taint.line})", severity=Severity.CRITICAL)
                continue
            if value.type not in ("dictionary", "list") and _from_json(ctx, value) and taint_of(ctx, value, sink=NOSQL, kinds=_REQUEST_ONLY):
                risky.append((value, key or ""))
        if not risky:
            return None
        edits = []
        for value, key in risky:
            if not _TEXT_KEY.search(key):
                edits = None
                break
            edits.extend(wrap(value, "str"))
        fix = Fix("Accept only a string", tuple(edits)) if edits else None
        keys = ", ".join(repr(k) for _v, k in risky)
        taint = taint_of(ctx, risky[0][0], sink=NOSQL, kinds=_REQUEST_ONLY)
        message = f"NoSQL injection: filter values for {keys} come from request JSON ({taint.source}, line {taint.line}) and may be operator objects"
        return self.finding(ctx, call, message, fixes=(fix,) if fix else ())


def _pairs(node: Node) -> list[Node]:
    """Key/value pairs of a filter dict, including `$and`/`$or` lists and `$match` stages."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        for child in current.named_children:
            if child.type == "pair":
                out.append(child)
                value = unwrap_parens(child.child_by_field_name("value"))
                if value is not None and value.type in ("dictionary", "list"):
                    stack.append(value)
            elif child.type in ("dictionary", "list"):
                stack.append(child)
    return out


def _from_json(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """Whether `node` is (part of) a JSON document from the request: values of
    `request.get_json()`, `request.json`, `json.loads(request...)`, DRF's
    `request.data`, a FastAPI body typed `dict`."""
    node = unwrap_parens(node)
    if node is None or depth > 8:
        return False
    if node.type == "await":
        return _from_json(ctx, node.named_children[0] if node.named_children else None, depth + 1)
    if node.type == "subscript":
        return _from_json(ctx, node.child_by_field_name("value"), depth + 1)
    if node.type == "attribute":
        obj = node.child_by_field_name("object")
        if is_request_object(ctx, obj):
            return ctx.text(node.child_by_field_name("attribute")) in _JSON_ATTRIBUTES
        return _from_json(ctx, obj, depth + 1)
    if node.type == "call":
        function = node.child_by_field_name("function")
        if qualified_name(ctx, function) in ("json.loads", "orjson.loads", "ujson.loads"):
            return True
        if function is not None and function.type == "attribute":
            attribute = ctx.text(function.child_by_field_name("attribute"))
            obj = function.child_by_field_name("object")
            if is_request_object(ctx, obj):
                return attribute in ("get_json", "json")
            if attribute in ("get", "pop"):
                return _from_json(ctx, obj, depth + 1)
        return False
    if node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        for d in defs:
            if d.kind == "param" and d.annotation.split("[")[0].strip() in ("dict", "Dict", "Any", "typing.Any"):
                return True
            if d.kind in ("assign", "with") and _from_json(ctx, d.value, depth + 1):
                return True
        return False
    return False
