"""Module facts for JavaScript/TypeScript and adding the imports a fix needs.

Facts: `imports` maps each local name to what it refers to (`exec` ->
`child_process.exec` after `const { exec } = require("child_process")` or
`import { exec } from "node:child_process"`; `cp` -> `child_process`);
`imported_modules` (`local_requires()` adds the `require` calls inside the
current unit); `constants` (top-level `const NAME = <literal>`) and `string_constants`
(their text, for rules that judge the value, such as hard-coded keys); and
`module_style` (`esm` when the file uses `import`/`export`, else `cjs`) so a
fix adds `import * as crypto from "crypto"` or `const crypto =
require("crypto")` to match the file.

Fix imports are written as `"name from module"` (namespace or default
binding) or `"{ name } from module"` (named binding).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from tree_sitter import Node, Tree

from ..common.edits import insert_lines
from ..facts import register_facts, register_unit_facts
from ..model import Edit
from ..prefilter import merge_trigger_aliases, rules_triggered_by

_CONSTANT_TYPES = {"number", "true", "false", "null"}


def _text(source: bytes, node: Node | None) -> str:
    return "" if node is None else source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def module_name(source: bytes, node: Node | None) -> str | None:
    """The module of a string literal `"node:fs"` -> `fs`."""
    if node is None or node.type != "string":
        return None
    text = _text(source, node)[1:-1]
    return text[5:] if text.startswith("node:") else text


def _require_target(source: bytes, value: Node | None, imports: dict[str, str]) -> str | None:
    """`require("m")` -> m, `require("m").a.b` -> m.a.b, `promisify(x)` -> x's target."""
    if value is None:
        return None
    if value.type == "await_expression" and value.named_children:
        value = value.named_children[0]
    if value.type == "call_expression":
        function = value.child_by_field_name("function")
        args = value.child_by_field_name("arguments")
        arg_nodes = [a for a in (args.named_children if args is not None else []) if a.type != "comment"]
        name = _text(source, function)
        if name in ("require", "import") and len(arg_nodes) == 1:
            return module_name(source, arg_nodes[0])
        if name in ("promisify", "util.promisify") and len(arg_nodes) == 1:
            inner = _require_target(source, arg_nodes[0], imports)
            return inner if inner is not None else _resolve(_text(source, arg_nodes[0]), imports)
        return None
    if value.type == "member_expression":
        inner = _require_target(source, value.child_by_field_name("object"), imports)
        if inner is not None:
            return f"{inner}.{_text(source, value.child_by_field_name('property'))}"
    return None


def _resolve(dotted: str, imports: dict[str, str]) -> str | None:
    head, _, rest = dotted.partition(".")
    target = imports.get(head)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target


def _bind_pattern(source: bytes, pattern: Node, target: str, imports: dict[str, str]) -> None:
    if pattern.type == "identifier":
        imports[_text(source, pattern)] = target
    elif pattern.type == "object_pattern":
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                name = _text(source, child)
                imports[name] = f"{target}.{name}"
            elif child.type == "pair_pattern":
                key = _text(source, child.child_by_field_name("key")).strip("'\"")
                value = child.child_by_field_name("value")
                if value is not None:
                    _bind_pattern(source, value, f"{target}.{key}", imports)
            elif child.type == "object_assignment_pattern":
                left = child.child_by_field_name("left")
                if left is not None:
                    name = _text(source, left)
                    imports[name] = f"{target}.{name}"


def _record_import(source: bytes, stmt: Node, imports: dict[str, str]) -> None:
    module = module_name(source, stmt.child_by_field_name("source"))
    if module is None:
        return
    for clause in stmt.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                imports[_text(source, part)] = module
            elif part.type == "namespace_import":
                for ident in part.named_children:
                    imports[_text(source, ident)] = module
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    name = _text(source, spec.child_by_field_name("name")).strip("'\"")
                    alias = spec.child_by_field_name("alias")
                    imports[_text(source, alias) if alias is not None else name] = f"{module}.{name}"


def local_requires(ctx) -> dict[str, str]:
    """Names bound by `require(...)` inside the current unit (`const { exec } =
    require("child_process")` in a function body): completions written into a
    function often import there. Computed once per unit from its declarators;
    they count for the whole unit, which may over-reach a sibling scope that
    reuses the name for something else."""
    from ..common.names import unit_nodes  # names imports this module lazily

    def build() -> dict[str, str]:
        found: dict[str, str] = {}
        if ctx.unit.type in ("lexical_declaration", "variable_declaration", "import_statement"):
            return found  # top-level bindings are already in the module facts
        for declarator in unit_nodes(ctx, ("variable_declarator",)):
            name = declarator.child_by_field_name("name")
            target = _require_target(ctx.source, declarator.child_by_field_name("value"), found)
            if target is not None and name is not None:
                _bind_pattern(ctx.source, name, target, found)
        return found

    return ctx.memo(("js-local-requires", ctx.unit.id), build)


def _declarators(root: Node) -> Iterator[Node]:
    for stmt in root.children:
        yield from _declarators_of(stmt)


def _declarators_of(stmt: Node) -> Iterator[Node]:
    if stmt.type == "export_statement":
        stmt = stmt.child_by_field_name("declaration") or stmt
    if stmt.type in ("lexical_declaration", "variable_declaration"):
        yield from (d for d in stmt.named_children if d.type == "variable_declarator")


def is_constant_literal(source: bytes, node: Node | None) -> bool:
    if node is None:
        return False
    if node.type == "string":
        return True
    if node.type == "template_string":
        return not any(c.type == "template_substitution" for c in node.children)
    if node.type in ("as_expression", "satisfies_expression") and node.named_children:
        return is_constant_literal(source, node.named_children[0])
    if node.type == "unary_expression":
        return is_constant_literal(source, node.child_by_field_name("argument"))
    return node.type in _CONSTANT_TYPES


@register_facts("javascript")
def javascript_module_facts(source: bytes, root: Node) -> dict[str, Any]:
    imports: dict[str, str] = {}
    constants: list[str] = []
    strings: dict[str, str] = {}
    esm = False
    for stmt in root.children:
        if stmt.type == "import_statement":
            esm = True
            _record_import(source, stmt, imports)
        elif stmt.type == "export_statement":
            esm = True
    for declarator in _declarators(root):
        name = declarator.child_by_field_name("name")
        value = declarator.child_by_field_name("value")
        target = _require_target(source, value, imports)
        if target is not None and name is not None:
            _bind_pattern(source, name, target, imports)
        elif name is not None and name.type == "identifier" and is_constant_literal(source, value):
            if declarator.parent is not None and declarator.parent.child(0) is not None and _text(source, declarator.parent.child(0)) == "const":
                constants.append(_text(source, name))
                if value is not None and value.type == "string":
                    strings[_text(source, name)] = _text(source, value)[1:-1]
    return {
        "imports": imports,
        "imported_modules": sorted({target.split(".")[0] for target in imports.values()}),
        "constants": sorted(set(constants)),
        "string_constants": strings,
        "module_style": "esm" if esm else "cjs",
    }


# -- materializer ------------------------------------------------------------

_SPEC = re.compile(r"^\s*(?:\{\s*(?P<named>[\w$]+)\s*\}|(?P<binding>[\w$]+))\s+from\s+(?P<module>[\w$./@:-]+)\s*$")


def _statement(spec: str, esm: bool) -> tuple[str, str, str] | None:
    match = _SPEC.match(spec)
    if match is None:
        return None
    module = match.group("module")
    quoted = json.dumps(module)
    if match.group("named"):
        name = match.group("named")
        text = f"import {{ {name} }} from {quoted};" if esm else f"const {{ {name} }} = require({quoted});"
        return name, f"{module}.{name}", text
    name = match.group("binding")
    text = f"import * as {name} from {quoted};" if esm else f"const {name} = require({quoted});"
    return name, module, text


def _insertion_offset(source: bytes, root: Node) -> int:
    last: Node | None = None
    for stmt in _top_level(root):
        if stmt.type == "import_statement" or (
            stmt.type in ("lexical_declaration", "variable_declaration") and b"require(" in source[stmt.start_byte : stmt.end_byte]
        ):
            last = stmt
        elif stmt.type == "comment" or _is_directive(source, stmt) or stmt.type == "hash_bang_line":
            continue
        elif last is not None:
            break
        else:
            break
    if last is not None:
        end = source.find(b"\n", last.end_byte)
        return len(source) if end < 0 else end + 1
    for stmt in _top_level(root):
        if stmt.type in ("comment", "hash_bang_line") or _is_directive(source, stmt):
            continue
        return stmt.start_byte
    return len(source)


def _top_level(root: Node) -> Iterator[Node]:
    """Top-level statements one by one (`root.children` builds them all)."""
    for index in range(root.child_count):
        yield root.child(index)


def _is_directive(source: bytes, stmt: Node) -> bool:
    return stmt.type == "expression_statement" and stmt.named_child_count == 1 and stmt.named_children[0].type == "string"


_last_facts: tuple[bytes, dict[str, Any]] | None = None


def _facts_once(source: bytes, root: Node) -> dict[str, Any]:
    """The engine materializes imports finding by finding for the same text:
    compute the file's facts once per text, not once per finding."""
    global _last_facts
    if _last_facts is None or _last_facts[0] is not source:
        _last_facts = (source, javascript_module_facts(source, root))
    return _last_facts[1]


def materialize_imports(source: bytes, tree: Tree, statements: tuple[str, ...]) -> tuple[Edit, ...]:
    root = tree.root_node
    facts = _facts_once(source, root)
    imports: dict[str, str] = facts["imports"]
    esm = facts["module_style"] == "esm"
    lines: list[str] = []
    for spec in dict.fromkeys(statements):
        parsed = _statement(spec, esm)
        if parsed is None:
            continue
        name, target, text = parsed
        if imports.get(name) == target:
            continue
        lines.append(text)
    if not lines:
        return ()
    return insert_lines(source, _insertion_offset(source, root), lines)


# -- prefilter: names that imports rename ---------------------------------------


def _bound_names(source: bytes, unit: Node) -> set[str]:
    """Every name a top-level import or declaration binds (a superset of the
    ones `javascript_module_facts` may bind to an import)."""
    names: dict[str, str] = {}
    if unit.type == "import_statement":
        _record_import(source, unit, names)
    elif unit.type in ("lexical_declaration", "variable_declaration", "export_statement"):
        for declarator in _declarators_of(unit):
            name = declarator.child_by_field_name("name")
            if name is not None:
                _bind_pattern(source, name, "", names)
    return set(names)


def _trigger_alias_part(source: bytes, unit: Node, facts) -> dict[str, list[str]] | None:
    """The top-level imports of one unit whose local name does not show what
    they refer to (`import { exec as run } from "child_process"`, `const cp =
    require("child_process")`, `import sanitize from "sanitize-html"`, `const
    run = promisify(exec)`), with the rules their target (`child_process.exec`)
    triggers and the name itself does not: the rule prefilter runs those rules
    on the units that use the name (see analyzers/prefilter.py). A name whose
    own text triggers the same rules (`import { exec } from "child_process"`)
    needs nothing. The targets come from the `imports` fact, so a binding
    that resolves through another unit (`promisify(exec)`) counts too.
    `require()` inside a function binds names for that unit only
    (`local_requires`): its module and member names are in the unit's text."""
    names = _bound_names(source, unit)
    if not names:
        return None
    imports = facts.get("imports") or {}
    rules = _javascript_rules()
    found: dict[str, list[str]] = {}
    for name in sorted(names):
        target = imports.get(name)
        if not target:
            continue
        enabled = set(rules_triggered_by(target, rules)) - set(rules_triggered_by(name, rules))
        if enabled:
            found[name] = sorted(enabled)
    return found or None


def _javascript_rules() -> list:
    from ..rules import rules_for

    return rules_for("javascript")


register_unit_facts("javascript", combine=merge_trigger_aliases, stage=1)(_trigger_alias_part)
