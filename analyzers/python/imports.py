"""Module facts for Python: what each imported name refers to, and which
module-level names are constants; plus adding imports that a fix needs."""

from __future__ import annotations

import functools
import re
from typing import Any

from tree_sitter import Node, Tree

from ..common.edits import insert_lines
from ..facts import register_unit_facts
from ..model import Edit
from ..prefilter import merge_trigger_aliases, rules_importing_from, rules_triggered_by

_IMPORT_ERRORS = (b"ImportError", b"ModuleNotFoundError", b"Exception")
_LITERAL_TYPES = {"string", "integer", "float", "true", "false", "none", "concatenated_string"}


def _text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _record_import(source: bytes, stmt: Node, imports: dict[str, str]) -> None:
    if stmt.type == "import_statement":
        for name in stmt.children_by_field_name("name"):
            if name.type == "aliased_import":
                target = _text(source, name.child_by_field_name("name"))
                alias = _text(source, name.child_by_field_name("alias"))
                imports[alias] = target
            else:
                dotted = _text(source, name)
                imports[dotted.split(".")[0]] = dotted.split(".")[0]
                imports[dotted] = dotted
    elif stmt.type == "import_from_statement":
        module_node = stmt.child_by_field_name("module_name")
        module = _text(source, module_node) if module_node is not None else ""
        for name in stmt.children_by_field_name("name"):
            if name.type == "aliased_import":
                target = _text(source, name.child_by_field_name("name"))
                alias = _text(source, name.child_by_field_name("alias"))
                imports[alias] = f"{module}.{target}"
            else:
                target = _text(source, name)
                imports[target] = f"{module}.{target}"
        if any(child.type == "wildcard_import" for child in stmt.children):
            imports.setdefault("*", module)


def _walk_top_level(root: Node):
    """Top-level statements, looking inside module-level try/if blocks where
    optional imports and configuration usually live."""
    for unit in root.children:
        yield from _walk_unit(unit)


def _walk_unit(unit: Node):
    """A top-level statement and, for try/if blocks, the statements inside."""
    stack = [unit]
    while stack:
        node = stack.pop()
        yield node
        if node.type in ("try_statement", "if_statement", "else_clause", "except_clause", "finally_clause", "block", "elif_clause"):
            stack.extend(reversed(node.children))


def _module_part(source: bytes, unit: Node, _facts) -> tuple | None:
    """What one top-level statement binds: imports, classes, module assignments."""
    imports: dict[str, str] = {}
    assigned: list[tuple[str, bool]] = []
    class_bases: dict[str, list[str]] = {}
    for stmt in _walk_unit(unit):
        if stmt.type in ("import_statement", "import_from_statement"):
            _record_import(source, stmt, imports)
        elif stmt.type in ("class_definition", "decorated_definition"):
            _record_class(source, stmt, class_bases)
        elif stmt.type == "expression_statement" and stmt.named_child_count == 1:
            assignment = stmt.named_children[0]
            if assignment.type != "assignment":
                continue
            left = assignment.child_by_field_name("left")
            right = assignment.child_by_field_name("right")
            if left is None or left.type != "identifier":
                continue
            assigned.append((_text(source, left), right is not None and _is_literal(right)))
    optional = _optional_modules(source, unit)
    if not (imports or assigned or class_bases or optional):
        return None
    return imports, assigned, class_bases, optional


def _combine_module_parts(parts: list[tuple]) -> dict[str, Any]:
    imports: dict[str, str] = {}
    assigned: dict[str, int] = {}
    literal: set[str] = set()
    class_bases: dict[str, list[str]] = {}
    optional: set[str] = set()
    for unit_imports, unit_assigned, unit_classes, unit_optional in parts:
        optional.update(unit_optional)
        for alias, target in unit_imports.items():
            if alias == "*":
                imports.setdefault(alias, target)
            else:
                imports[alias] = target
        for name, is_literal in unit_assigned:
            assigned[name] = assigned.get(name, 0) + 1
            if is_literal:
                literal.add(name)
        class_bases.update(unit_classes)
    constants = sorted(name for name in literal if assigned.get(name) == 1)
    return {
        "optional_modules": sorted(optional),
        "imports": imports,
        "imported_modules": sorted({target.split(".")[0] for target in imports.values()}),
        "constants": constants,
        "assigned_names": sorted(assigned),
        "class_bases": class_bases,
    }


def _optional_modules(source: bytes, unit: Node) -> list[str]:
    """Top-level modules imported in the body of a module-level `try` that
    catches ImportError: optional dependencies, wherever else the file imports
    them (`if has_simplejson: from simplejson import ...`)."""
    found: set[str] = set()
    if unit.type != "try_statement":
        return []
    headers = [source[c.start_byte : c.end_byte].split(b":", 1)[0] for c in unit.children if c.type == "except_clause"]
    if not any(h.strip() == b"except" or any(name in h for name in _IMPORT_ERRORS) for h in headers):
        return []
    body = unit.child_by_field_name("body")
    for child in body.children if body is not None else ():
        imports: dict[str, str] = {}
        if child.type in ("import_statement", "import_from_statement"):
            _record_import(source, child, imports)
            found.update(target.split(".")[0] for target in imports.values() if target and not target.startswith("."))
    return sorted(found)


register_unit_facts("python", combine=_combine_module_parts)(_module_part)


def _record_class(source: bytes, stmt: Node, class_bases: dict[str, list[str]]) -> None:
    """Module-level classes and the (unresolved) text of their base classes."""
    if stmt.type == "decorated_definition":
        stmt = stmt.child_by_field_name("definition")
        if stmt is None or stmt.type != "class_definition":
            return
    name = stmt.child_by_field_name("name")
    superclasses = stmt.child_by_field_name("superclasses")
    bases = []
    if superclasses is not None:
        bases = [_text(source, b) for b in superclasses.named_children if b.type in ("identifier", "attribute")]
    if name is not None:
        class_bases[_text(source, name)] = bases


def _is_literal(node: Node) -> bool:
    if node.type == "string":
        return not any(child.type == "interpolation" for child in node.children)
    if node.type in ("tuple", "list", "set"):
        return all(_is_literal(child) for child in node.named_children)
    return node.type in _LITERAL_TYPES


_IMPORT_RE = re.compile(r"^\s*import\s+([\w.]+)\s*$")
_FROM_RE = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+(\w+)\s*$")


def _already_imported(statement: str, imports: dict[str, str]) -> bool:
    if m := _IMPORT_RE.match(statement):
        module = m.group(1)
        return imports.get(module) == module
    if m := _FROM_RE.match(statement):
        module, name = m.groups()
        return imports.get(name) == f"{module}.{name}"
    return False


def _insertion_offset(source: bytes, root: Node) -> int:
    last_import: Node | None = None
    for stmt in root.children:
        if stmt.type in ("import_statement", "import_from_statement", "future_import_statement"):
            last_import = stmt
        elif stmt.type not in ("comment",) and not _is_docstring(stmt) and last_import is not None:
            break
    if last_import is not None:
        end = source.find(b"\n", last_import.end_byte)
        return len(source) if end < 0 else end + 1
    for stmt in root.children:
        if _is_docstring(stmt):
            end = source.find(b"\n", stmt.end_byte)
            return len(source) if end < 0 else end + 1
        if stmt.type != "comment":
            return stmt.start_byte
    return len(source)


def _is_docstring(stmt: Node) -> bool:
    return stmt.type == "expression_statement" and stmt.named_child_count == 1 and stmt.named_children[0].type == "string"


def materialize_imports(source: bytes, tree: Tree, statements: tuple[str, ...]) -> tuple[Edit, ...]:
    root = tree.root_node
    imports: dict[str, str] = {}
    for stmt in _walk_top_level(root):
        if stmt.type in ("import_statement", "import_from_statement"):
            _record_import(source, stmt, imports)
    missing = [s for s in dict.fromkeys(statements) if not _already_imported(s, imports)]
    return insert_lines(source, _insertion_offset(source, root), missing)


def _trigger_alias_part(source: bytes, unit: Node, _facts) -> dict[str, list[str]] | None:
    """The imports of one unit that rename a name some rule's triggers
    contain (`from hashlib import md5 as h`, `import yaml as y`): the rule
    prefilter runs those rules on units that use the new name (see
    analyzers/prefilter.py). Imports that keep the name (`from os import
    system`) need nothing: the name is in the text of every unit using it;
    except for rules that trigger on the module (`trigger_modules`): `from
    requests import get` lists `get` for them."""
    if not unit.type.startswith("import") and unit.type not in ("try_statement", "if_statement"):
        return None
    bindings: dict[str, str] = {}
    for stmt in _walk_unit(unit):
        if stmt.type in ("import_statement", "import_from_statement"):
            _record_import(source, stmt, bindings)
    found: dict[str, list[str]] = {}
    for alias, target in bindings.items():
        if alias == "*" or "." in alias:
            continue
        triggered = _rules_for_import(target, target.rsplit(".", 1)[-1] != alias)
        if triggered:
            found[alias] = list(triggered)
    return found or None


@functools.lru_cache(maxsize=4096)
def _rules_for_import(target: str, renamed: bool) -> tuple[str, ...]:
    """The rules a name imported from `target` must run where it is used (remembered: the same imports recur in every file)."""
    rules = _python_rules()
    triggered = set(rules_importing_from(target, rules))
    if renamed:
        triggered.update(rules_triggered_by(target, rules))
    return tuple(sorted(triggered))


def _python_rules() -> list:
    from ..rules import rules_for

    return rules_for("python")


register_unit_facts("python", combine=merge_trigger_aliases)(_trigger_alias_part)
