"""JS-PROTO-001 prototype-pollution-unchecked-merge: request objects merged deeply, or keys from input used as nested property names.

**What it finds.** Deep merges and path setters given request data:
`_.merge`/`mergeWith`/`defaultsDeep`, `lodash.merge`, `deepmerge`,
`merge-deep`, `$.extend(true, ...)`, `_.set`/`setWith`/`dot-prop`/
`object-path` `set` with a path from input; nested computed assignments
`obj[key][sub] = value` where `key` comes from input; and hand-written
recursive merge functions that copy every key (`for (key in src)`) into the
target without refusing `__proto__`, `constructor` and `prototype`.

**Not reported.** Shallow copies (`Object.assign`, spread), merges of
constant or picked data (`_.pick(req.body, [...])`), and merge helpers that
check for `__proto__`/`constructor`.

**Fix.** No automatic fix: pick the expected fields, validate with a schema,
refuse `__proto__`/`constructor`/`prototype` keys, or build targets with
`Object.create(null)`.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ...common.names import call_matches, calls_in, unit_nodes
from ...common.syntax import descendants
from ...context import AnalysisContext
from ...javascript.flow import SYN
from ...javascript.queries import evidence
from ...javascript.sources import OBJECT
from ...javascript.triggers import first_parts, last_parts
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register

DEEPMERGE_ALL = ("deepmerge.all",)
DEEP_MERGES = (
    "lodash.merge", "lodash.mergeWith", "lodash.defaultsDeep", "lodash.merge.default", "_.merge", "_.mergeWith", "_.defaultsDeep",
    "lodash/merge", "lodash.merge", "deepmerge", "merge-deep", "mixin-deep", "defaults-deep", "merge",
    "deepMerge", "hoek.merge", "@hapi/hoek.merge", "extend", "node-extend",
) + DEEPMERGE_ALL
JQUERY_EXTEND = ("$.extend", "jQuery.extend")
PATH_SETTERS = ("lodash.set", "lodash.setWith", "_.set", "_.setWith", "dot-prop.setProperty", "dot-prop.set", "object-path.set", "objectPath.set", "dottie.set", "set-value")
_KEY_CHECK = re.compile(r"__proto__|['\"]constructor['\"]|['\"]prototype['\"]|Object\.create\(\s*null|isSafeKey|hasOwn|isPrototypePolluted|FORBIDDEN|BLOCKED", re.IGNORECASE)


@register
class JsPrototypePollution(Rule):
    id = "JS-PROTO-001"
    name = "prototype-pollution-unchecked-merge"
    cwe = 1321
    owasp = "A08:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    # the merge or setter (`deepmerge` for `deepmerge.all`: `all` is an everyday word), and `[`: a nested
    # computed assignment `o[k][s] = v` and a recursive merge's `target[key] = ...` both index
    triggers = last_parts(set(DEEP_MERGES) - set(DEEPMERGE_ALL), JQUERY_EXTEND, PATH_SETTERS) + first_parts(DEEPMERGE_ALL) + ("[",)
    summary = "Request data merged deeply or used as nested property names without refusing __proto__/constructor"
    explanation = Explanation(
        what="Keys chosen by the client are written as nested properties, so a `__proto__` key writes to `Object.prototype`.",
        why=(
            "Merging settings or a PATCH body works for normal keys. JSON bodies may contain `__proto__`; a deep merge "
            "then adds properties to every object in the process, which flips checks such as `if (user.isAdmin)`, "
            "crashes the server, or reaches code execution through template engines and `child_process` options."
        ),
        hostile_input='`{"__proto__": {"isAdmin": true}}` as a settings body makes `({}).isAdmin === true` everywhere.',
        fix="Pick the allowed fields (`const { theme, lang } = req.body`), validate with a schema, refuse `__proto__`/`constructor`/`prototype` keys, or use `Object.create(null)` targets.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call.type != "call_expression":
                continue
            args = SYN.arguments(call)
            if call_matches(ctx, call, DEEP_MERGES) or self._jquery_deep_extend(ctx, call, args):
                for arg in args[1:] if len(args) > 1 else args:
                    found = evidence(ctx, arg, OBJECT)
                    if found.taint is not None:
                        yield self.finding(ctx, call, f"Prototype pollution: object{found.origin} merged deeply; a __proto__ key reaches Object.prototype")
                        break
            elif call_matches(ctx, call, PATH_SETTERS) and len(args) >= 2:
                found = evidence(ctx, args[1], OBJECT)
                if found.taint is not None:
                    yield self.finding(ctx, call, f"Prototype pollution: property path{found.origin} set without refusing __proto__/constructor")
        yield from self._nested_assignments(ctx)
        yield from self._recursive_merges(ctx)

    @staticmethod
    def _jquery_deep_extend(ctx: AnalysisContext, call: Node, args: list[Node]) -> bool:
        return call_matches(ctx, call, JQUERY_EXTEND) and bool(args) and ctx.text(args[0]) == "true"

    def _nested_assignments(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for assignment in unit_nodes(ctx, ("assignment_expression",)):
            left = SYN.unwrap(assignment.child_by_field_name("left"))
            if left is None or left.type != "subscript_expression":
                continue
            inner = SYN.unwrap(left.child_by_field_name("object"))
            if inner is None or inner.type != "subscript_expression":
                continue
            key = inner.child_by_field_name("index")
            found = evidence(ctx, key, OBJECT)
            if found.taint is None or _guarded(ctx, assignment):
                continue
            yield self.finding(ctx, assignment, f"Prototype pollution: key{found.origin} used as a nested property name; `__proto__` writes to Object.prototype")

    def _recursive_merges(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for function in unit_nodes(ctx, SYN.functions):
            name = _function_name(ctx, function)
            if not name or _KEY_CHECK.search(ctx.text(function)):
                continue
            for loop in descendants(function, ("for_in_statement",)):
                key = loop.child_by_field_name("left")
                if key is None:
                    continue
                key_name = ctx.text(key)
                body = ctx.text(loop.child_by_field_name("body"))
                recursive = re.search(rf"\b{re.escape(name)}\s*\(", body)
                assigns = re.search(rf"\w+\s*\[\s*{re.escape(key_name)}\s*\]\s*=(?!=)", body)
                if recursive and assigns:
                    yield self.finding(ctx, loop, f"Prototype pollution: recursive merge `{name}` copies every key, including `__proto__` and `constructor`", confidence=Confidence.HIGH)
                    break


def _function_name(ctx: AnalysisContext, function: Node) -> str:
    name = function.child_by_field_name("name")
    if name is None and function.parent is not None and function.parent.type in ("variable_declarator", "pair"):
        name = function.parent.child_by_field_name("name") or function.parent.child_by_field_name("key")
    return ctx.text(name) if name is not None else ""


def _guarded(ctx: AnalysisContext, node: Node) -> bool:
    function = SYN.enclosing_function(node)
    return bool(_KEY_CHECK.search(ctx.text(function if function is not None else ctx.unit)))
