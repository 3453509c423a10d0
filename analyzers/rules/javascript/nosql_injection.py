"""JS-NOSQLI-001 nosql-injection-request-object-in-query: request data used as a MongoDB query or operator.

**What it finds.** MongoDB driver and Mongoose queries (`find`, `findOne`,
`updateOne`, `deleteMany`, `findOneAndUpdate`, `countDocuments`, ...) given
(a) a whole request object (`User.find(req.query)`), (b) a filter field
whose value comes straight from `req.body`/`req.query`/cookies, which
Express parses into objects (`?password[$ne]=x` becomes `{ $ne: "x" }`), or
(c) a `$where` clause built from a non-constant value (server-side
JavaScript).

**Not reported.** Values converted to strings or numbers (`String(x)`,
`` `${x}` ``, `parseInt`), ObjectIds, `req.params` (always strings), values
checked with `typeof x === "string"` first, and sanitised input
(`mongo-sanitize`).

**Fix.** "Cast to string" wraps the field value in `String(...)`: the same
query for every string input, and an operator object becomes the harmless
string `"[object Object]"`. Whole request objects need the fields picked
explicitly (`{ name: String(req.query.name) }`).
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.guards import checked_before
from ...common.names import calls_in, method_name, receiver
from ...common.taint import Taint, taint_of
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import is_safe
from ...javascript.sources import NOSQL
from ...model import Confidence, Edit, Finding, Fix, Severity
from ..base import Explanation, Rule, register

QUERY_METHODS = frozenset(
    {
        "find", "findOne", "findOneAndUpdate", "findOneAndDelete", "findOneAndRemove", "findOneAndReplace", "updateOne",
        "updateMany", "deleteOne", "deleteMany", "countDocuments", "count", "exists", "replaceOne", "remove", "where",
        "distinct", "update",
    }
)
OBJECT_SOURCES = ("req.body", "req.query", "req.cookies", "req.signedCookies", "request.body", "request.query", "ctx.request.body", "ctx.query")
_TYPE_CHECK = re.compile(r"typeof\s")


def _object_taint(taint: Taint | None) -> bool:
    return taint is not None and any(taint.source.startswith(s) for s in OBJECT_SOURCES)


@register
class JsNoSqlInjection(Rule):
    id = "JS-NOSQLI-001"
    name = "nosql-injection-request-object-in-query"
    cwe = 943
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    triggers = tuple(sorted(QUERY_METHODS))  # every finding is in the filter of such a method call
    fix_title = "Cast to string"
    summary = "Request data used unconverted in a MongoDB/Mongoose filter, or a $where clause built from values"
    explanation = Explanation(
        what="A MongoDB filter takes its value (or the whole filter) from the request body or query string without converting it.",
        why=(
            "With normal form input the value is a string and the login works. But Express parses `password[$ne]=x` "
            "and JSON bodies into objects, so the attacker sends a query operator instead of a value and the filter "
            "matches any document."
        ),
        hostile_input='`{"username": "admin", "password": {"$ne": null}}` logs in as admin without the password.',
        fix=(
            "Convert each value to the type you expect (`String(req.body.password)`, `Number(...)`), pick fields "
            "explicitly instead of passing `req.query`, validate with a schema, and never build `$where` from input."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call.type != "call_expression" or method_name(ctx, call) not in QUERY_METHODS:
                continue
            if not self._looks_like_mongo(ctx, call):
                continue
            args = SYN.arguments(call)
            if not args:
                continue
            query = SYN.unwrap(args[0])
            if query.type == "object":
                yield from self._check_fields(ctx, query)
            elif query.type in ("identifier", "member_expression"):
                taint = taint_of(ctx, query, NOSQL)
                if _object_taint(taint) and not self._type_checked(ctx, query):
                    yield self.finding(ctx, query, f"NoSQL injection: {taint.source} (line {taint.line}) used as the whole query filter; pick and convert the fields")

    def _check_fields(self, ctx: AnalysisContext, obj: Node) -> Iterator[Finding]:
        for pair in obj.named_children:
            if pair.type == "shorthand_property_identifier":
                value, key = pair, ctx.text(pair)
            elif pair.type == "pair":
                value, key = pair.child_by_field_name("value"), ctx.text(pair.child_by_field_name("key")).strip("'\"")
            else:
                continue
            value = SYN.unwrap(value)
            if value is None:
                continue
            if key == "$where":
                if not is_safe(ctx, value) and value.type not in ("function_expression", "arrow_function"):
                    yield self.finding(ctx, pair, "NoSQL injection: `$where` runs JavaScript built from non-constant values on the database", severity=Severity.CRITICAL)
                continue
            if value.type == "object":
                yield from self._check_fields(ctx, value)
                continue
            if value.type not in ("identifier", "member_expression", "subscript_expression", "shorthand_property_identifier"):
                continue
            taint = taint_of(ctx, value, NOSQL)
            if not _object_taint(taint) or self._type_checked(ctx, value):
                continue
            fixes = ()
            if pair.type == "pair":
                fixes = (Fix("Cast to string: String(...)", (Edit(value.start_byte, value.start_byte, "String("), Edit(value.end_byte, value.end_byte, ")"))),)
            else:
                fixes = (Fix("Cast to string: String(...)", (Edit(value.start_byte, value.end_byte, f"{key}: String({key})"),)),)
            yield self.finding(
                ctx, value, f"NoSQL injection: `{key}` comes from {taint.source} (line {taint.line}) unconverted and may be a query operator object",
                fixes=fixes, confidence=Confidence.HIGH,
            )

    @staticmethod
    def _looks_like_mongo(ctx: AnalysisContext, call: Node) -> bool:
        modules = set(ctx.facts.get("imported_modules", ()))
        if modules & {"mongoose", "mongodb"}:
            return True
        target = SYN.unwrap(receiver(ctx, call))
        text = ctx.text(target) if target is not None else ""
        return bool(re.search(r"(collection|Model|\bdb\.)", text)) or (text[:1].isupper() and text.isidentifier())

    @staticmethod
    def _type_checked(ctx: AnalysisContext, value: Node) -> bool:
        names = {ctx.text(value)}
        base = value
        while base.type in ("member_expression", "subscript_expression"):
            base = SYN.unwrap(base.child_by_field_name("object"))
        names.add(ctx.text(base))
        return checked_before(ctx, value, names, _TYPE_CHECK)
