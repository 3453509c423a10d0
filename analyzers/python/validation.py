"""Validation that makes an input value safe for a sink, for taint tracking.

AI code that validates input does it with an early exit or a wrapping `if`:

    if sort not in ALLOWED_COLUMNS:        # allow-list, early exit
        abort(400)
    if not re.fullmatch(r"[a-z0-9_]+", name):   # tight regular expression
        return "bad name", 400
    if user_id.isdigit(): ...              # use only inside the branch
    if not full.startswith(os.path.realpath(BASE)):   # containment (paths only)
        abort(403)

`is_validated(ctx, use, sink, after_byte)` says whether such a check on the
same expression (same text) holds whenever `use` runs (the structured
`guards.guards_of()`: enclosing branches and early exits), appears after the
value's last definition (`after_byte`) and is strong enough for the sink.
Unlike `guards.checked_before()`, which silences rules on any related check,
this one is strict (it clears taint): the check must be on the value itself,
the allow-list must be trusted, a regular expression must be anchored and admit
only inert characters, and `assert` does not count (stripped under `-O`).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ..context import AnalysisContext
from .guards import guards_of
from .names import qualified_name
from .strings import literal_value, unwrap_parens
from .taint_specs import CODE, PATH, PATH_NORMALISERS

_PREDICATE_METHODS = frozenset({"isdigit", "isalnum", "isalpha", "isdecimal", "isnumeric", "isidentifier"})


def is_validated(ctx: AnalysisContext, use: Node, sink: str | None, after_byte: int = -1) -> bool:
    target = ctx.text(use)
    for guard in guards_of(ctx, use):
        condition = guard.condition
        if condition.start_byte <= after_byte or (condition.parent is not None and condition.parent.type == "assert_statement"):
            continue
        if _implies(ctx, condition, target, sink, when=guard.holds):
            return True
    parent, child = use.parent, use
    while parent is not None and parent.type not in ("function_definition", "lambda", "block", "module"):
        if parent.type == "conditional_expression":  # `x if x in ALLOWED else "id"`
            parts = parent.named_children
            if len(parts) == 3 and parts[0].id == child.id and parts[1].start_byte > after_byte and accepts(ctx, parts[1], target, sink):
                return True
        child, parent = parent, parent.parent
    return False


# -- conditions ------------------------------------------------------------------
def accepts(ctx: AnalysisContext, condition: Node, target: str, sink: str | None) -> bool:
    """True when `condition` being true implies `target` is validated."""
    return _implies(ctx, condition, target, sink, when=True)


def rejects(ctx: AnalysisContext, condition: Node, target: str, sink: str | None) -> bool:
    """True when `condition` being false implies `target` is validated."""
    return _implies(ctx, condition, target, sink, when=False)


def _implies(ctx: AnalysisContext, condition: Node | None, target: str, sink: str | None, when: bool) -> bool:
    """Whether `condition` evaluating to `when` implies `target` is validated."""
    node = unwrap_parens(condition)
    if node is None:
        return False
    if node.type == "not_operator":
        return _implies(ctx, node.child_by_field_name("argument"), target, sink, not when)
    if node.type == "boolean_operator":
        op = _operator(node)
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op == "or" and not when and sink in (None, CODE) and _is_quoted_literal_check(ctx, node, target):
            return True
        # (a and b) true: both hold, one validating suffices; (a or b) false: both false.
        if (op == "and") == when:
            return _implies(ctx, left, target, sink, when) or _implies(ctx, right, target, sink, when)
        return _implies(ctx, left, target, sink, when) and _implies(ctx, right, target, sink, when)
    if node.type == "comparison_operator":
        return _comparison(ctx, node, target, positive=when)
    if node.type == "call" and when:
        return _predicate_call(ctx, node, target, sink)
    return False


def rejects_character(ctx: AnalysisContext, use: Node, char: str) -> bool:
    """A guard such as `if "'" in name: return ...` holds at `use`: the value
    cannot contain `char` (enough for a value quoted with that character)."""
    target = ctx.text(use)
    for guard in guards_of(ctx, use):
        if guard.holds:
            continue
        for part in _disjuncts(guard.condition):
            if part.type == "comparison_operator" and len(part.named_children) == 2:
                left, right = part.named_children
                op = " ".join(ctx.text(c) for c in part.children if not c.is_named)
                if op == "in" and literal_value(ctx, left) == char and ctx.text(unwrap_parens(right)) == target:
                    return True
    return False


def _disjuncts(node: Node) -> list[Node]:
    node = unwrap_parens(node)
    if node is not None and node.type == "boolean_operator" and _operator(node) == "or":
        return _disjuncts(node.child_by_field_name("left")) + _disjuncts(node.child_by_field_name("right"))
    return [node] if node is not None else []


def _is_quoted_literal_check(ctx: AnalysisContext, node: Node, target: str) -> bool:
    """`not t.startswith(q) or not t.endswith(q) or q in t[1:-1]`: when all are
    false, `t` is a single quoted string literal, so `eval(t)` can only produce
    a string (escape sequences stay inside the literal); no code runs."""
    seen: set[str] = set()
    quote = None
    for part in _disjuncts(node):
        if part.type == "not_operator":
            call = unwrap_parens(part.child_by_field_name("argument"))
            function = call.child_by_field_name("function") if call is not None and call.type == "call" else None
            if function is None or function.type != "attribute" or ctx.text(function.child_by_field_name("object")) != target:
                continue
            method = ctx.text(function.child_by_field_name("attribute"))
            args = call.child_by_field_name("arguments").named_children
            value = literal_value(ctx, args[0]) if len(args) == 1 else None
            if method in ("startswith", "endswith") and value in ("'", '"') and quote in (None, value):
                quote = value
                seen.add(method)
        elif part.type == "comparison_operator" and len(part.named_children) == 2:
            left, right = part.named_children
            op = " ".join(ctx.text(c) for c in part.children if not c.is_named)
            if op == "in" and literal_value(ctx, left) in ("'", '"') and ctx.text(right).replace(" ", "") == f"{target}[1:-1]":
                if quote in (None, literal_value(ctx, left)):
                    quote = literal_value(ctx, left)
                    seen.add("inner")
    return seen == {"startswith", "endswith", "inner"}


def _operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def _comparison(ctx: AnalysisContext, node: Node, target: str, positive: bool) -> bool:
    """`target in ALLOWED`, `target == "asc"` (positive) / `not in`, `!=` (negative)."""
    operands = [c for c in node.named_children]
    operators = [ctx.text(c) for c in node.children if not c.is_named]
    if len(operands) != 2 or len(operators) != 1:
        return False
    op = " ".join(operators[0].split())
    left, right = operands
    if ctx.text(unwrap_parens(left)) != target:
        return False
    wanted_in, wanted_eq = ("in", "==") if positive else ("not in", "!=")
    if op == wanted_in:
        return _is_trusted_collection(ctx, right)
    if op == wanted_eq:
        return literal_value(ctx, right) is not None or unwrap_parens(right).type in ("integer", "float")
    return False


def _is_trusted_collection(ctx: AnalysisContext, node: Node) -> bool:
    """An allow-list: a literal collection, a module constant, an UPPER_CASE
    name or attribute, or a dict's keys. Never a request value."""
    from .taint import taint_of  # local import: taint uses guards

    node = unwrap_parens(node)
    if node is None:
        return False
    if node.type in ("list", "tuple", "set", "dictionary"):
        return all(c.type in ("string", "integer", "float", "pair", "concatenated_string") for c in node.named_children)
    if node.type == "string":
        return literal_value(ctx, node) is not None
    if node.type == "call" and node.child_by_field_name("function") is not None:
        function = node.child_by_field_name("function")
        if function.type == "attribute" and ctx.text(function.child_by_field_name("attribute")) in ("keys", "values"):
            node = function.child_by_field_name("object")
    text = ctx.text(node)
    last = text.rsplit(".", 1)[-1]
    if node.type in ("identifier", "attribute") and (last.isupper() or text in ctx.facts.get("constants", ())):
        return True
    if node.type in ("identifier", "attribute"):
        return taint_of(ctx, node, kinds=frozenset({"request", "local", "environment", "param"})) is None and not _is_parameter_like(ctx, node)
    return False


def _is_parameter_like(ctx: AnalysisContext, node: Node) -> bool:
    from .dataflow import reaching_definitions

    if node.type != "identifier":
        return False
    return any(d.kind == "param" for d in reaching_definitions(ctx, node))


def _predicate_call(ctx: AnalysisContext, call: Node, target: str, sink: str | None) -> bool:
    function = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    arg_nodes = [a for a in args.named_children if a.type not in ("comment", "keyword_argument")] if args is not None else []
    if function is None:
        return False
    if function.type == "attribute":
        method = ctx.text(function.child_by_field_name("attribute"))
        receiver = unwrap_parens(function.child_by_field_name("object"))
        if method in _PREDICATE_METHODS and ctx.text(receiver) == target:
            return True
        if method in ("fullmatch", "match") and arg_nodes and ctx.text(unwrap_parens(arg_nodes[0])) == target:
            pattern = ctx.facts.get("regex_constants", {}).get(ctx.text(receiver))
            return pattern is not None and tight_pattern(pattern, anchored_start=True, anchored_end=method == "fullmatch")
        if (sink is None or sink == PATH) and _contains_check(ctx, method, receiver, arg_nodes, target):
            return True
    name = qualified_name(ctx, function) or ""
    if name in ("re.fullmatch", "re.match", "re.search") and len(arg_nodes) >= 2 and ctx.text(unwrap_parens(arg_nodes[1])) == target:
        pattern = literal_value(ctx, arg_nodes[0])
        if pattern is None:
            pattern = ctx.facts.get("regex_constants", {}).get(ctx.text(arg_nodes[0]))
        return pattern is not None and tight_pattern(pattern, anchored_start=name != "re.search", anchored_end=name == "re.fullmatch")
    if name == "isinstance" and len(arg_nodes) == 2 and ctx.text(unwrap_parens(arg_nodes[0])) == target:
        return ctx.text(arg_nodes[1]) in ("int", "float", "bool", "uuid.UUID", "UUID", "(int, float)")
    return False


def _contains_check(ctx: AnalysisContext, method: str, receiver: Node, args: list[Node], target: str) -> bool:
    """`resolved.startswith(base)` / `resolved.is_relative_to(base)` on a
    normalised path (realpath/abspath/resolve/normpath)."""
    if method not in ("startswith", "is_relative_to") or ctx.text(receiver) != target or not args:
        return False
    return _normalised(ctx, receiver)


def _normalised(ctx: AnalysisContext, node: Node) -> bool:
    from .dataflow import reaching_definitions

    text = ctx.text(node)
    if any(n in text for n in PATH_NORMALISERS):
        return True
    if node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        return bool(defs) and all(d.value is not None and any(n in ctx.text(d.value) for n in PATH_NORMALISERS) for d in defs)
    return False


# -- regular expressions ------------------------------------------------------------
_DANGEROUS_IN_CLASS = set("/\\'\"<>;|&$`(){}*?!#%=,\n\r\t :")
_ESCAPE_CLASSES_SAFE = set("wdb")  # \w \d, \b boundary


def tight_pattern(pattern: str, *, anchored_start: bool, anchored_end: bool) -> bool:
    """Whether a whole-string match of `pattern` admits only characters that
    are inert in SQL, shell, HTML, paths and filters: letters, digits, `_`,
    `-`, `.`, `@`, `+`. Conservative: unknown constructs make it not tight."""
    body = pattern
    if body.startswith("^"):
        body, anchored_start = body[1:], True
    elif body.startswith("\\A"):
        body, anchored_start = body[2:], True
    if body.endswith("\\Z") or body.endswith("\\z"):
        body, anchored_end = body[:-2], True
    elif body.endswith("$") and not body.endswith("\\$"):
        body, anchored_end = body[:-1], True
    if not (anchored_start and anchored_end) or not body:
        return False
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            if i + 1 >= len(body):
                return False
            nxt = body[i + 1]
            if nxt not in _ESCAPE_CLASSES_SAFE and nxt not in "-._@+":
                return False
            i += 2
            continue
        if ch == "[":
            end = _class_end(body, i)
            if end < 0:
                return False
            content = body[i + 1 : end]
            if content.startswith("^") or not _class_is_safe(content):
                return False
            i = end + 1
            continue
        if ch == "{":
            end = body.find("}", i)
            if end < 0 or not re.fullmatch(r"\d+(,\d*)?", body[i + 1 : end]):
                return False
            i = end + 1
            continue
        if ch in "+*?()|":
            if ch == "|":
                return False  # alternation may escape the anchors (^a|b$)
            i += 1
            continue
        if ch == "." or ch in _DANGEROUS_IN_CLASS or ch in "^$":
            return False
        i += 1
    return True


def _class_end(body: str, start: int) -> int:
    i = start + 1
    if i < len(body) and body[i] == "]":
        i += 1
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] == "]":
            return i
        i += 1
    return -1


def _class_is_safe(content: str) -> bool:
    i = 0
    while i < len(content):
        ch = content[i]
        if ch == "\\":
            nxt = content[i + 1] if i + 1 < len(content) else ""
            if nxt not in "wd-._@+":
                return False
            i += 2
            continue
        if ch in _DANGEROUS_IN_CLASS:
            return False
        i += 1
    return True
