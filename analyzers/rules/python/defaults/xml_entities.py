"""PY-XXE-001 xml-external-entities and PY-XXE-002 xml-untrusted-stdlib-parser: XML from clients parsed unsafely.

**PY-XXE-001 finds** request data parsed by a parser that resolves external
entities: a SAX parser after `setFeature(feature_external_ges, True)` (or
`feature_external_pes`) used through `xml.dom.minidom.parse[String]`,
`xml.dom.pulldom` or `parser.parse()`, and lxml with
`XMLParser(resolve_entities=True)`. That is classic XXE: the document names a
local file or an internal URL and the parser reads it into the result.

**PY-XXE-002 finds** request data parsed with the standard library's
`xml.etree`, `xml.dom.minidom`, `xml.dom.pulldom` or `xml.sax` at their
defaults. Those do not read external entities, but they expand internal ones
and accept any DTD; with an Expat older than 2.4.1 (system Pythons built
against an old libexpat) "billion laughs" exhausts memory. **Off by default**:
current CPython ships a patched Expat, so on most installations the finding is
defence in depth rather than a live flaw; enable it for services that run on
old or vendor Pythons, or when policy requires defusedxml.

**Not reported.** Parsers with external entities off (the default for every
library here, and lxml 5's `resolve_entities="internal"`), documents that do
not come from a request (files shipped with the application, constants), and
`defusedxml` calls.

**Fixes.** PY-XXE-001: "Disable external entities" turns the `True` that
enabled them into `False` (`setFeature(..., False)`, `resolve_entities=False`);
documents without external entities parse exactly as before, and hostile ones
no longer pull in files. PY-XXE-002: "Use defusedxml" calls the drop-in
`defusedxml` equivalent (`defusedxml.ElementTree.fromstring`, ...,
`import defusedxml.ElementTree` added), which returns the same tree for
ordinary documents and raises `EntitiesForbidden`/`DTDForbidden` for
documents that declare entities.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value, keyword_argument
from ....python.dataflow import reaching_definitions
from ....python.inputs import remote_taint
from ....python.names import calls, qualified_name
from ....python.strings import literal_value, unwrap_parens
from ...base import Explanation, Rule, register

# standard-library parse functions -> their defusedxml drop-in module
STDLIB_PARSERS: dict[str, str] = {
    "xml.etree.ElementTree.fromstring": "defusedxml.ElementTree",
    "xml.etree.ElementTree.XML": "defusedxml.ElementTree",
    "xml.etree.ElementTree.parse": "defusedxml.ElementTree",
    "xml.etree.ElementTree.iterparse": "defusedxml.ElementTree",
    "xml.etree.cElementTree.fromstring": "defusedxml.ElementTree",
    "xml.etree.cElementTree.XML": "defusedxml.ElementTree",
    "xml.etree.cElementTree.parse": "defusedxml.ElementTree",
    "xml.dom.minidom.parseString": "defusedxml.minidom",
    "xml.dom.minidom.parse": "defusedxml.minidom",
    "xml.dom.pulldom.parseString": "defusedxml.pulldom",
    "xml.dom.pulldom.parse": "defusedxml.pulldom",
    "xml.sax.parseString": "defusedxml.sax",
    "xml.sax.parse": "defusedxml.sax",
    "xml.dom.expatbuilder.parseString": "defusedxml.expatbuilder",
}
LXML_PARSE = frozenset({"lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.parse", "lxml.etree.iterparse"})
EXTERNAL_FEATURES = frozenset(
    {
        "xml.sax.handler.feature_external_ges",
        "xml.sax.handler.feature_external_pes",
        "http://xml.org/sax/features/external-general-entities",
        "http://xml.org/sax/features/external-parameter-entities",
    }
)
_SAX_FACTORIES = frozenset({"xml.sax.make_parser", "xml.sax.expatreader.create_parser"})


def _is_true(ctx: AnalysisContext, node: Node | None) -> bool:
    node = unwrap_parens(node)
    return node is not None and (node.type == "true" or (node.type == "integer" and ctx.text(node) == "1"))


def _document(ctx: AnalysisContext, call: Node) -> Node | None:
    for name in ("source", "string", "text", "file", "xml_input"):
        value = argument_value(ctx, call, name)
        if value is not None:
            return value
    return argument_value(ctx, call, "source", 0)


def _enabling_switches(ctx: AnalysisContext, parser: Node, before: Node) -> list[Node]:
    """The `True` values that turned external entities on for the parser `parser` names."""
    parser = unwrap_parens(parser)
    if parser is None or parser.type != "identifier":
        return []
    definitions = reaching_definitions(ctx, parser)
    if not definitions or definitions[-1].value is None or definitions[-1].value.type != "call":
        return []
    factory = definitions[-1].value
    name = qualified_name(ctx, factory.child_by_field_name("function")) or ""
    if name == "lxml.etree.XMLParser":
        keyword = keyword_argument(ctx, factory, "resolve_entities")
        value = keyword.child_by_field_name("value") if keyword is not None else None
        return [value] if _is_true(ctx, value) else []
    if name not in _SAX_FACTORIES:
        return []
    switches: list[Node] = []
    variable = ctx.text(parser)
    for call, _name in calls(ctx):
        if not (factory.end_byte <= call.start_byte < before.start_byte):
            continue
        function = call.child_by_field_name("function")
        if function.type != "attribute" or ctx.text(function.child_by_field_name("object")) != variable:
            continue
        if ctx.text(function.child_by_field_name("attribute")) != "setFeature":
            continue
        feature = argument_value(ctx, call, "name", 0)
        state = argument_value(ctx, call, "state", 1)
        feature_name = qualified_name(ctx, feature) if feature is not None and feature.type in ("attribute", "identifier") else literal_value(ctx, feature)
        if feature_name in EXTERNAL_FEATURES or (feature_name or "").split(".")[-1] in ("feature_external_ges", "feature_external_pes"):
            if _is_true(ctx, state):
                switches.append(state)
            else:
                switches = []  # switched off again later
    return switches


@register
class XmlExternalEntities(Rule):
    id = "PY-XXE-001"
    name = "xml-external-entities"
    # the parse call that takes the parser: minidom/pulldom and lxml functions, or `parser.parse/feed(...)`
    triggers = tuple(sorted(last_parts(STDLIB_PARSERS.keys() | LXML_PARSE) | {"parse", "feed"}))
    cwe = 611
    owasp = "A05:2021"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Disable external entities"
    summary = "XML from a request parsed with external entity resolution switched on (XXE)"
    explanation = Explanation(
        what="A client's XML document is parsed by a parser that fetches external entities the document declares.",
        why=(
            "Ordinary documents parse the same either way, so the setting looks harmless. But the document decides "
            "what an entity points to: a local file, which then appears in the parsed result (and often in the "
            "response or an error), or an internal URL the server can reach and the attacker cannot (SSRF)."
        ),
        hostile_input='`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>` returns the password file inside the parsed text.',
        fix="Leave external entities off (`setFeature(feature_external_ges, False)`, `XMLParser(resolve_entities=False, no_network=True)`), or parse with `defusedxml`.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            parser = self._parser_argument(ctx, call, name or "")
            if parser is None:
                continue
            switches = _enabling_switches(ctx, parser, call)
            if not switches:
                continue
            taint = remote_taint(ctx, _document(ctx, call))
            if taint is None:
                continue
            fix = Fix("Disable external entities", tuple(Edit(s.start_byte, s.end_byte, "False") for s in switches))
            message = f"XXE: XML from {taint.source} (line {taint.line}) parsed with external entities enabled; files and internal URLs can be read"
            yield self.finding(ctx, call, message, fixes=(fix,))

    @staticmethod
    def _parser_argument(ctx: AnalysisContext, call: Node, name: str) -> Node | None:
        if name in STDLIB_PARSERS and name.startswith(("xml.dom.minidom", "xml.dom.pulldom")):
            return argument_value(ctx, call, "parser", 1)
        if name in LXML_PARSE:
            return argument_value(ctx, call, "parser", 1)
        function = call.child_by_field_name("function")
        if function.type == "attribute" and ctx.text(function.child_by_field_name("attribute")) in ("parse", "feed"):
            return function.child_by_field_name("object")
        return None


@register
class XmlUntrustedStdlibParser(Rule):
    id = "PY-XXE-002"
    name = "xml-untrusted-stdlib-parser"
    triggers = tuple(sorted(last_parts(STDLIB_PARSERS)))
    cwe = 776
    owasp = "A05:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.LOW
    languages = ("python",)
    default_enabled = False
    fix_title = "Use defusedxml"
    summary = "XML from a request parsed with a standard-library parser that expands entities (use defusedxml)"
    explanation = Explanation(
        what="A client's XML document is parsed with `xml.etree`/`minidom`/`pulldom`/`sax`, which expand the entities a document declares.",
        why=(
            "Normal documents parse fine. A document that nests entity definitions expands exponentially "
            "(\"billion laughs\") and, with an Expat older than 2.4.1, takes the process's memory and CPU with it; "
            "the standard library documents these parsers as not safe for untrusted data."
        ),
        hostile_input='`<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ... <!ENTITY j "&i;...">]><r>&j;</r>` (a few hundred bytes, gigabytes expanded).',
        fix="Parse untrusted XML with `defusedxml` (`defusedxml.ElementTree.fromstring(data)`), a drop-in replacement that forbids entity declarations.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            target = STDLIB_PARSERS.get(name or "")
            if target is None:
                continue
            taint = remote_taint(ctx, _document(ctx, call))
            if taint is None:
                continue
            module = target
            function = call.child_by_field_name("function")
            replacement = f"{module}.{name.split('.')[-1]}"
            fix = Fix(f"Use {replacement}", (Edit(function.start_byte, function.end_byte, replacement),), imports=(f"import {module}",))
            message = f"XML from {taint.source} (line {taint.line}) parsed with {name.rsplit('.', 1)[0]}, which expands entities; use {replacement}"
            yield self.finding(ctx, call, message, fixes=(fix,))
