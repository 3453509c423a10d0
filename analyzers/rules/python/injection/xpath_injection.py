"""PY-XPATH-001 xpath-injection-query-from-input: XPath expression built from values.

**What it finds.** An XPath expression passed to lxml (`tree.xpath(...)`,
`etree.XPath(...)`), to `elementpath.select(...)`, or to ElementTree's `find`/`findall`/`findtext`/`iterfind`
that is built with an f-string, `%`, `+` or `.format()` from a value that is
not constant, inline or in a variable first. Request data in the expression
makes it high-confidence; a value of unknown origin medium.

**Not reported.** Constant expressions, lxml calls that pass values as XPath
variables (`tree.xpath("//user[@name=$name]", name=name)`), numbers,
allow-listed values, and values inside `'...'` that were checked not to
contain `'` (`if "'" in name: abort(400)`).

**Fix.** For lxml's `.xpath()`, "Use XPath variables" replaces each quoted
value (`'{name}'` or `"{name}"`) by a variable `$name` and passes the value as
a keyword argument. XPath compares a string variable exactly as it compared
the quoted literal, so benign queries return the same nodes; a quote in the
input can no longer close the literal. Values outside quotes (numeric
positions) and ElementTree paths (which have no variables) get no automatic
fix: validate them (`int()`, an allow-list).
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import add_keyword, argument_value
from ....python.dataflow import built_string_of
from ....python.names import calls, imports_module_here, method_name
from ....python.pystr import render
from ....python.strings import Hole, Literal, unwrap_parens
from ....python.taint import input_holes, sink_taint
from ....python.taint_specs import LOCAL, REQUEST, XPATH
from ....python.validation import rejects_character
from ....python.wrapping import suggest_name
from ...base import Explanation, Rule, register
from ._whole_query import WholeQueryMixin

LXML_FUNCTIONS = frozenset({"lxml.etree.XPath", "lxml.etree.ETXPath"})
ELEMENTPATH_FUNCTIONS = {"elementpath.select": 1, "elementpath.iter_select": 1, "elementpath.Selector": 0}
ETREE_METHODS = frozenset({"find", "findall", "findtext", "iterfind"})
_INPUT = frozenset({REQUEST, LOCAL})
_RESERVED = frozenset({"_path", "namespaces", "extensions", "smart_strings"})


@register
class XpathInjection(WholeQueryMixin, Rule):
    id = "PY-XPATH-001"
    name = "xpath-injection-query-from-input"
    cwe = 643
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    family_label = "XPath injection"
    fix_title = "Use XPath variables"
    # `.xpath(...)`, the last part of an lxml/elementpath function, an ElementTree method
    triggers = tuple(
        sorted({"xpath"} | last_parts(LXML_FUNCTIONS, ELEMENTPATH_FUNCTIONS) | ETREE_METHODS)
    )
    summary = "XPath expression built from non-constant values"
    explanation = Explanation(
        what="An XPath query is assembled from values at run time, so the values are parsed as XPath.",
        why=(
            "Looking a user up with `//user[@name='{name}']` works for every real name. A quote in the value "
            "closes the string literal and the rest becomes part of the query: `or '1'='1'` selects every node, "
            "which bypasses a password check done in XPath or leaks the whole document."
        ),
        hostile_input="`' or '1'='1` as the name makes `//user[@name='...' and @password='...']` match the first user, whoever it is.",
        fix="Pass values as XPath variables with lxml: `root.xpath(\"//user[@name=$name]\", name=name)`; validate values that cannot be variables.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        lxml = imports_module_here(ctx, "lxml", "elementpath")
        etree = imports_module_here(ctx, "xml")
        if not (lxml or etree):
            return
        for call, name in calls(ctx):
            method = method_name(ctx, call)
            if method == "xpath" or name in LXML_FUNCTIONS:
                finding = self._check(ctx, call, argument_value(ctx, call, "_path", position=0), fixable=method == "xpath")
            elif name in ELEMENTPATH_FUNCTIONS:
                finding = self._check(ctx, call, argument_value(ctx, call, "path", position=ELEMENTPATH_FUNCTIONS[name]), fixable=False)
            elif method in ETREE_METHODS and etree:
                finding = self._check(ctx, call, argument_value(ctx, call, "path", position=0), fixable=False, etree_path=True)
            else:
                continue
            if finding is not None:
                yield finding

    def _check(self, ctx: AnalysisContext, call: Node, query: Node | None, *, fixable: bool, etree_path: bool = False) -> Finding | None:
        query = unwrap_parens(query)
        if query is None:
            return None
        built, _definition = built_string_of(ctx, query)
        if built is None:
            return self._whole_query(ctx, call, query, "XPath query", XPATH)
        text = "".join(s.value for s in built.segments or [] if isinstance(s, Literal)) or ctx.text(built.node)
        if etree_path and "[" not in text or not re.search(r"[/\[@]", text):
            return None
        holes = [h for h in input_holes(ctx, built, XPATH, kinds=_INPUT) if not _quote_refused(ctx, built, h)]
        if not holes:
            return None
        taint = sink_taint(ctx, holes, XPATH, kinds=_INPUT)
        origin = f"input from {taint.source} (line {taint.line})" if taint else "non-constant values"
        fix = self._fix(ctx, call, query, built) if fixable and built.node.id == query.id else None
        return self.finding(
            ctx, call, f"XPath injection: query built from {origin}; pass values as XPath variables",
            fixes=(fix,) if fix else (), confidence=Confidence.HIGH if taint else None,
        )

    def _fix(self, ctx: AnalysisContext, call: Node, query: Node, built) -> Fix | None:
        segments = built.segments
        if not segments:
            return None
        parts: list[tuple[str, str]] = []
        variables: dict[str, str] = {}
        index = 0
        while index < len(segments):
            segment = segments[index]
            if isinstance(segment, Literal):
                parts.append(("lit", segment.value))
                index += 1
                continue
            assert isinstance(segment, Hole)
            before = parts[-1][1] if parts and parts[-1][0] == "lit" else ""
            after = segments[index + 1] if index + 1 < len(segments) else None
            quote = before[-1:] if before[-1:] in ("'", '"') else ""
            if not quote or not isinstance(after, Literal) or not after.value.startswith(quote) or segment.conversion not in ("", "s", "!s") or segment.spec:
                return None
            expression = ctx.text(segment.node)
            name = variables.get(expression) or suggest_name(ctx, segment.node, set(variables.values()), _RESERVED)
            variables[expression] = name
            parts[-1] = ("lit", before[:-1] + "$" + name)
            segments = segments[: index + 1] + [Literal(after.value[1:])] + segments[index + 2 :]
            index += 1
        literal = render(parts)
        if literal is None or not variables:
            return None
        keywords = add_keyword(ctx, call, ", ".join(f"{n}={e}" for e, n in variables.items()))
        if keywords is None:
            return None
        return Fix("Use XPath variables", (Edit(query.start_byte, query.end_byte, literal), keywords))


def _quote_refused(ctx: AnalysisContext, built, hole: Node) -> bool:
    """A value inside `'...'` (or `"..."`) that was checked not to contain
    that quote cannot leave the XPath string literal."""
    segments = built.segments or []
    for index, segment in enumerate(segments):
        if isinstance(segment, Hole) and segment.node.id == hole.id:
            before = segments[index - 1] if index > 0 else None
            after = segments[index + 1] if index + 1 < len(segments) else None
            if isinstance(before, Literal) and isinstance(after, Literal):
                quote = before.value[-1:]
                if quote in ("'", '"') and after.value.startswith(quote):
                    return rejects_character(ctx, hole, quote)
    return False
