"""Intra-procedural taint: does an expression carry untrusted input?

**Sources** (tables in `taint_specs`): request data of Flask/Quart, Django (and
REST framework) and Starlette/FastAPI (`request.args`, `request.GET`,
`await request.json()`, ... on a `request` imported from the framework, a
handler parameter named `request` or annotated `Request`/`HttpRequest`, or
`self.request`); route-handler parameters bound to URL segments (`<name>`,
`{name}`; not `<int:name>` or parameters annotated `int`/`UUID`), FastAPI
query/body parameters and Pydantic models (fields typed `int` etc. are not
tainted); `input()`, `sys.argv`, `sys.stdin`, `parse_args()` (kind "local");
`os.environ`/`os.getenv` (kind "environment", only reported when a rule asks
for it: deployment configuration is rarely attacker-controlled).

**Propagation**: assignments (including tuple unpacking and walrus),
augmented assignments, container mutation (`parts.append(x)`, `d["k"] = x`),
f-strings, `%`, `+`, `.format()`, `.join()`, containers, comprehensions,
subscripts and attributes of tainted values, string methods, and calls to
helper functions of the same file through their summaries (module facts,
see `summaries.py`). Calls of unknown functions with tainted arguments are
tainted; results of database reads (`cur.fetchone()`, `Model.query.get(id)`,
`get_object_or_404`), methods returning bools or numbers, and indexing a
trusted mapping with a tainted key (`COLUMNS[request.args["sort"]]`) are not.

**Sanitisers** (per sink category, see `taint_specs.SANITISERS`): numeric
conversions and `uuid.UUID` for every sink, `secure_filename`, `shlex.quote`
(shell), `html.escape`/`markupsafe.escape` (HTML), `os.path.basename`
(paths), LDAP escaping, CR/LF removal (headers, logs), `request.args.get(k,
type=int)`, and validation guards that dominate the use (`validation.py`:
allow-list membership, tight regular expressions, `isdigit()`, containment
checks for paths). Branches are not otherwise modelled: one tainted
definition taints the name.

API used by rules:
    taint_of(ctx, node, *, sink=None, kinds=DEFAULT_KINDS) -> Taint | None
    is_tainted(ctx, node, *, sink=None) -> bool
    is_route_handler(ctx, function) -> bool
    is_request_object(ctx, node) -> bool
`sink` is one of `taint_specs.SINKS`; without it any sanitiser stops taint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ..context import AnalysisContext
from .dataflow import SAFE_ANNOTATIONS, definitions_before, is_safe_value, Definition, _same_scope, enclosing_function, reaching_definitions, scope_of
from .constfold import branch_taken, constant, in_dead_branch
from .validation import is_validated
from .names import dotted_name, qualified_name
from .strings import literal_value, unwrap_parens
from .taint_specs import (
    ALL,
    DATABASE_METHODS,
    DATABASE_FUNCTIONS,
    DEFAULT_KINDS,
    HEADER,
    INJECTED_ALIAS_SUFFIXES,
    INJECTED_ANNOTATIONS,
    KIND_RANK,
    LOG,
    NON_PROPAGATING_FUNCTIONS,
    NON_STRING_METHODS,
    PARAM,
    PATH,
    REQUEST,
    HANDLER_ATTRIBUTES,
    REQUEST_ATTRIBUTES,
    REQUEST_IMPORTS,
    REQUEST_OBJECT_NAMES,
    REQUEST_TYPES,
    ROUTE_DECORATOR_METHODS,
    SAFE_ATTRIBUTES,
    SAFE_URL_CONVERTERS,
    SANITISER_NAME_PATTERNS,
    SANITISER_SUFFIXES,
    SANITISERS,
    SOURCE_FUNCTIONS,
    SOURCE_METHODS,
    SOURCE_VALUES,
    UNSANITISED,
    PATH_ONLY_FRAMEWORKS,
    WEB_FRAMEWORKS_WITH_QUERY_PARAMS,
)

__all__ = ["Taint", "taint_of", "is_tainted", "is_sanitised", "is_neutralised", "unsafe_holes", "depends_on_parameter", "input_holes", "sink_taint", "is_route_handler", "is_request_object", "route_decorators"]

_MAX_DEPTH = 40
_COMPREHENSIONS = ("list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression")
_PROPAGATING_OPERATORS = frozenset({"+", "%", "*", "|", "/"})  # "/": pathlib joins
_ALL_KINDS = frozenset(KIND_RANK)


@dataclass(frozen=True)
class Taint:
    """Evidence that a value comes from untrusted input."""

    source: str  # e.g. "request.args", "route parameter user_id", "input()"
    line: int  # 1-based line of the source
    kind: str = REQUEST  # request | local | environment (| param while summarising)

    @property
    def rank(self) -> int:
        return KIND_RANK.get(self.kind, 0)


def _best(a: Taint | None, b: Taint | None) -> Taint | None:
    """The stronger evidence; parameters seen while summarising accumulate."""
    if a is None:
        return b
    if b is None:
        return a
    if a.kind == PARAM and b.kind == PARAM and a.source != b.source:
        names = sorted(set(a.source.split(",")) | set(b.source.split(",")))
        return Taint(",".join(names), min(a.line, b.line), PARAM)
    return b if b.rank > a.rank else a


# -- public API ------------------------------------------------------------------
def taint_of(
    ctx: AnalysisContext,
    node: Node | None,
    depth: int = 0,
    *,
    sink: str | None = None,
    kinds: frozenset[str] = DEFAULT_KINDS,
) -> Taint | None:
    """The strongest evidence that `node` carries untrusted input, or None.

    `sink` selects which sanitisers count (None: all of them); `kinds` which
    sources count (default: request data and local input, not the
    environment)."""
    found = _eval(ctx, node, sink, depth)
    if found is None:
        return None
    if found.kind in kinds or found.kind == PARAM:
        return found
    return None


def is_tainted(ctx: AnalysisContext, node: Node | None, *, sink: str | None = None) -> bool:
    return taint_of(ctx, node, sink=sink) is not None


def is_sanitised(ctx: AnalysisContext, node: Node | None, sink: str, *, kinds: frozenset[str] = DEFAULT_KINDS) -> bool:
    """True when `node` does carry untrusted input, but every path to here
    passes a sanitiser or validation guard that works for `sink`. Rules use it
    to stay quiet on validated values they would otherwise report for their
    shape alone (an allow-listed column name in an f-string query)."""
    return taint_of(ctx, node, sink=UNSANITISED, kinds=kinds) is not None and taint_of(ctx, node, sink=sink, kinds=kinds) is None


def is_neutralised(ctx: AnalysisContext, node: Node | None, sink: str, depth: int = 0) -> bool:
    """True when `node` cannot carry a payload for `sink`: a constant or
    number, the result of a sanitiser for `sink` (`shlex.quote(x)` for a
    shell) even when `x` has no known source, a name every definition of which
    is such a value, or request data validated for the sink."""
    node = unwrap_parens(node)
    if node is None or depth > 8:
        return False
    if is_safe_value(ctx, node):
        return True
    if node.type == "call":
        categories = _sanitiser_categories(qualified_name(ctx, node.child_by_field_name("function")))
        if categories is not None and (sink in categories or categories == ALL):
            return True
    if node.type == "identifier":
        defs = reaching_definitions(ctx, node)
        if defs and all(d.kind == "assign" and is_neutralised(ctx, d.value, sink, depth + 1) for d in defs):
            return True
        if defs and all(d.kind == "param" and _is_typed_route_parameter(ctx, d) for d in defs):
            return True
    return is_sanitised(ctx, node, sink)


def _is_typed_route_parameter(ctx: AnalysisContext, definition: Definition) -> bool:
    """A handler parameter the framework converts (`<int:id>`) or injects."""
    function = enclosing_function(definition.node)
    if function is None or function.type != "function_definition" or not is_route_handler(ctx, function):
        return False
    return definition.name not in ("self", "cls") and _route_param_taint(ctx, definition) is None


def depends_on_parameter(ctx: AnalysisContext, node: Node | None) -> bool:
    """Whether `node`'s value is computed from a parameter of its enclosing
    function: the caller decides it, so for a helper like
    `def find(conn, name): conn.search(BASE, f"(uid={name})")` it is input of
    unknown origin. Values computed locally from calls we know nothing about
    are not."""
    node = unwrap_parens(node)
    function = enclosing_function(node) if node is not None else None
    if function is None or function.type != "function_definition":
        return False
    key = ("taint-symbolic",)
    saved = ctx._memo.get(key)
    ctx._memo[key] = function.id
    try:
        found = _eval(ctx, node, UNSANITISED, 0)
    finally:
        ctx._memo[key] = saved
    return found is not None and found.kind == PARAM


def unsafe_holes(ctx: AnalysisContext, built, sink: str) -> list[Node]:
    """The dynamic parts of a built string (`strings.built_string`) that may
    carry a payload for `sink`."""
    return [hole for hole in built.holes if not is_neutralised(ctx, hole, sink)]


def input_holes(ctx: AnalysisContext, built, sink: str, *, kinds: frozenset[str] = DEFAULT_KINDS) -> list[Node]:
    """`unsafe_holes` that carry input: tainted, or computed from a parameter
    of the enclosing function (a caller's value of unknown origin)."""
    return [
        hole for hole in unsafe_holes(ctx, built, sink)
        if taint_of(ctx, hole, sink=sink, kinds=kinds) is not None or depends_on_parameter(ctx, hole)
    ]


def sink_taint(ctx: AnalysisContext, nodes, sink: str, *, kinds: frozenset[str] = DEFAULT_KINDS) -> Taint | None:
    """The strongest taint among `nodes` for `sink`."""
    found = None
    for node in nodes:
        found = _best(found, taint_of(ctx, node, sink=sink, kinds=kinds))
    return found


def _mode(ctx: AnalysisContext):
    return ctx._memo.get(("taint-symbolic",))


def _eval(ctx: AnalysisContext, node: Node | None, sink: str | None, depth: int) -> Taint | None:
    node = unwrap_parens(node)
    if node is None or depth > _MAX_DEPTH:
        return None
    key = ("taint", _mode(ctx), node.id, sink)
    memo = ctx._memo
    if key in memo:
        return memo[key]
    memo[key] = None  # break cycles
    result = _taint(ctx, node, sink, depth)
    memo[key] = result
    return result


def _line(node: Node) -> int:
    return node.start_point.row + 1


# -- request objects and route handlers --------------------------------------------
def route_decorators(ctx: AnalysisContext, function: Node) -> list[Node]:
    """The `@app.route(...)`-style decorator calls of a function."""
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    out = []
    for decorator in parent.children:
        if decorator.type != "decorator":
            continue
        expr = decorator.named_children[0] if decorator.named_children else None
        if expr is not None and expr.type == "call":
            function_node = expr.child_by_field_name("function")
            if function_node is not None and function_node.type == "attribute":
                method = ctx.text(function_node.child_by_field_name("attribute"))
                if method in ROUTE_DECORATOR_METHODS:
                    out.append(expr)
    return out


_route_decorators = route_decorators  # kept for callers of the first version


def is_route_handler(ctx: AnalysisContext, function: Node) -> bool:
    return bool(route_decorators(ctx, function)) or _is_django_view(ctx, function)


def _param_names(ctx: AnalysisContext, function: Node) -> list[str]:
    params = function.child_by_field_name("parameters")
    names = []
    for param in params.named_children if params is not None else []:
        node = param if param.type == "identifier" else param.child_by_field_name("name")
        if node is None and param.named_children:
            node = param.named_children[0]
        names.append(ctx.text(node) if node is not None and node.type == "identifier" else "")
    return names


def _is_django_view(ctx: AnalysisContext, function: Node) -> bool:
    names = _param_names(ctx, function)
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    imported = ctx.facts.get("imported_modules", ())
    return bool(names) and names[0] == "request" and ("django" in imported or "rest_framework" in imported)


def is_request_object(ctx: AnalysisContext, node: Node | None) -> bool:
    """`request` of Flask/Django/Starlette (imported, a handler parameter, or
    `self.request`), not an HTTP client request or an unrelated variable."""
    node = unwrap_parens(node)
    if node is None:
        return False
    return ctx.memo(("request-object", node.id), lambda: _is_request_object(ctx, node))


def _is_request_object(ctx: AnalysisContext, node: Node) -> bool:
    if node.type == "attribute":
        return dotted_name(ctx, node) == "self.request" or qualified_name(ctx, node) in REQUEST_IMPORTS
    if node.type != "identifier":
        return False
    name = ctx.text(node)
    defs = reaching_definitions(ctx, node)
    if not defs:
        imported = ctx.facts.get("imports", {}).get(name)
        if imported is not None:
            return imported in REQUEST_IMPORTS
        return name == "request"
    for d in defs:
        if d.kind != "param":
            return False
        annotation = d.annotation.strip().rsplit(".", 1)[-1]
        if annotation:
            return annotation in REQUEST_TYPES
        return d.name in REQUEST_OBJECT_NAMES
    return False


def _route_path(ctx: AnalysisContext, decorator: Node) -> str:
    args = decorator.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument":
            if ctx.text(arg.child_by_field_name("name")) in ("rule", "path"):
                return literal_value(ctx, arg.child_by_field_name("value")) or ""
            continue
        return literal_value(ctx, arg) or ""
    return ""


def _route_param_taint(ctx: AnalysisContext, definition: Definition) -> Taint | None:
    """Handler parameters carry URL segments, query or body values unless
    typed or converted to numbers, or injected by the framework."""
    function = enclosing_function(definition.node)
    if function is None or function.type != "function_definition":
        return None
    symbolic = _mode(ctx)
    if symbolic is not None:
        if symbolic == function.id:
            return Taint(definition.name, _line(definition.node), PARAM)
        return None
    if definition.name in ("self", "cls"):
        return None
    decorators = route_decorators(ctx, function)
    is_django = not decorators and _is_django_view(ctx, function)
    if not decorators and not is_django:
        return None
    annotation = definition.annotation.strip()
    base_annotation = annotation.split("[")[0].rsplit(".", 1)[-1]
    if annotation in SAFE_ANNOTATIONS or base_annotation in SAFE_ANNOTATIONS:
        return None
    if base_annotation in INJECTED_ANNOTATIONS or base_annotation in REQUEST_TYPES or "Depends(" in annotation or "Security(" in annotation:
        return None
    if base_annotation.endswith(INJECTED_ALIAS_SUFFIXES):
        return None  # FastAPI's convention for `SessionDep = Annotated[Session, Depends(get_db)]` aliases
    if definition.name in REQUEST_OBJECT_NAMES and not annotation:
        return None
    if definition.value is not None and ctx.text(definition.value).startswith(("Depends(", "Security(")):
        return None
    if is_django:
        names = [n for n in _param_names(ctx, function) if n not in ("self", "cls")]
        if names and names[0] == definition.name:
            return None
        return Taint(f"URL parameter {definition.name}", _line(definition.node))
    in_path = False
    for decorator in decorators:
        path = _route_path(ctx, decorator)
        for match in re.finditer(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", path):
            if match.group(2) == definition.name:
                if (match.group(1) or "") in SAFE_URL_CONVERTERS:
                    return None
                in_path = True
        if re.search(r"\{" + re.escape(definition.name) + r"(?::\w+)?\}", path):
            in_path = True
    if in_path:
        return Taint(f"route parameter {definition.name}", _line(definition.node))
    imported = ctx.facts.get("imported_modules", ())
    if any(m in imported for m in WEB_FRAMEWORKS_WITH_QUERY_PARAMS) or not any(m in imported for m in PATH_ONLY_FRAMEWORKS):
        # FastAPI-style (or unknown) frameworks fill other parameters from the query or body
        return Taint(f"request parameter {definition.name}", _line(definition.node))
    return None  # Flask passes only URL segments; others come from decorators


# -- the evaluator ---------------------------------------------------------------------
def _taint(ctx: AnalysisContext, node: Node, sink: str | None, depth: int) -> Taint | None:
    kind = node.type
    if kind in ("integer", "float", "true", "false", "none", "comment", "ellipsis"):
        return None
    if kind == "identifier":
        return _identifier_taint(ctx, node, sink, depth)
    if kind == "attribute":
        found = _attribute_taint(ctx, node, sink, depth)
        return _unless_guarded(ctx, node, sink, found)
    if kind == "call":
        return _call_taint(ctx, node, sink, depth)
    if kind == "subscript":
        keyed = _keyed_value(ctx, node)
        if keyed is not False:
            return _eval(ctx, keyed, sink, depth + 1) if keyed is not None else None
        found = _eval(ctx, node.child_by_field_name("value"), sink, depth + 1)
        return _unless_guarded(ctx, node, sink, found)
    if kind in ("lambda", "function_definition", "class_definition", "comparison_operator", "not_operator", "unary_operator"):
        return None
    if kind == "binary_operator":
        op = node.child_by_field_name("operator")
        if op is None or op.type not in _PROPAGATING_OPERATORS:
            return None
        return _best(_eval(ctx, node.child_by_field_name("left"), sink, depth + 1), _eval(ctx, node.child_by_field_name("right"), sink, depth + 1))
    if kind == "conditional_expression":
        children = node.named_children
        if len(children) < 3:
            return None
        known, truth = constant(ctx, children[1])
        if known:  # `"safe" if 7 * 18 + num > 200 else param`: only one side can be the value
            return _eval(ctx, children[0] if truth else children[2], sink, depth + 1)
        return _best(_eval(ctx, children[0], sink, depth + 1), _eval(ctx, children[2], sink, depth + 1))
    if kind in ("keyword_argument", "pair"):
        value = node.child_by_field_name("value")
        found = _eval(ctx, value, sink, depth + 1)
        if kind == "pair":
            found = _best(found, _eval(ctx, node.child_by_field_name("key"), sink, depth + 1))
        return found
    if kind == "named_expression":
        return _eval(ctx, node.child_by_field_name("value"), sink, depth + 1)
    if kind in _COMPREHENSIONS:
        return _eval(ctx, node.child_by_field_name("body"), sink, depth + 1)
    if kind == "string":
        found = None
        for child in node.children:
            if child.type == "interpolation":
                found = _best(found, _eval(ctx, child.child_by_field_name("expression"), sink, depth + 1))
        return found
    found = None
    for child in node.named_children:
        found = _best(found, _eval(ctx, child, sink, depth + 1))
        if found is not None and found.kind == REQUEST and _mode(ctx) is None:
            break
    return found


def _unless_guarded(ctx: AnalysisContext, node: Node, sink: str | None, found: Taint | None, after_byte: int = -1) -> Taint | None:
    if found is None or sink == UNSANITISED:
        return found
    if is_validated(ctx, node, sink, after_byte):
        return None
    return found


def _identifier_taint(ctx: AnalysisContext, node: Node, sink: str | None, depth: int) -> Taint | None:
    if is_request_object(ctx, node):
        return None
    binding = _comprehension_binding(ctx, node)
    if binding is not None:
        return _eval(ctx, binding, sink, depth + 1)
    defs = _branch_reaching_definitions(ctx, node)
    found: Taint | None = None
    last_tainted = -1  # a validation counts when it follows the last definition that carries taint
    for definition in defs:
        if definition.kind == "param":
            this = _route_param_taint(ctx, definition)
        elif definition.kind in ("assign", "augment", "with"):
            this = _eval(ctx, definition.value, sink, depth + 1)
        elif definition.kind == "loop":
            this = _eval(ctx, definition.statement.child_by_field_name("right"), sink, depth + 1)
        else:
            this = _eval(ctx, _unpacked_value(ctx, definition), sink, depth + 1)
        if this is not None:
            last_tainted = max(last_tainted, definition.statement.start_byte)
        found = _best(found, this)
    mutation = _mutation_taint(ctx, node, sink, depth)
    if mutation is not None:
        last_tainted = max((d.statement.start_byte for d in defs), default=-1)
    found = _best(found, mutation)
    if found is None:
        return None
    return _unless_guarded(ctx, node, sink, found, last_tainted)


def _branch_reaching_definitions(ctx: AnalysisContext, node: Node) -> list[Definition]:
    """Definitions that may reach `node`: every earlier one, unless a later
    plain definition sits in a block that also holds the use (and so runs on
    every path to it). Unlike `reaching_definitions`, a value assigned in one
    branch (`if ...: bar = param` / `case 'A': bar = param`) is not hidden by
    an assignment in another branch."""
    before = definitions_before(ctx, node)
    scope = scope_of(ctx, node)
    live = [d for d in before if not in_dead_branch(ctx, d.node, scope)]  # `if 7 * 42 - num > 200: ... else: bar = param`
    out: list[Definition] = []
    for index, definition in enumerate(live):
        killed = any(
            later.kind in ("assign", "param", "with", "other") and _block_holds(ctx, later.statement, node)
            for later in live[index + 1 :]
        )
        if not killed:
            out.append(definition)
    return out


def _block_holds(ctx: AnalysisContext, statement: Node, use: Node) -> bool:
    """Whether the block that holds `statement` also holds `use` (possibly nested);
    a branch that always runs (`if 7 * 42 - num > 200:`) counts as its enclosing block."""
    block = statement.parent
    while block is not None:
        while block is not None and block.type not in ("block", "module"):
            block = block.parent
        if block is None:
            return False
        if block.start_byte <= use.start_byte < block.end_byte:
            return True
        if block.type == "block" and (branch_taken(ctx, block) is True or (block.parent is not None and block.parent.type == "match_statement")):
            block = block.parent
            continue
        return False
    return False


def _keyed_value(ctx: AnalysisContext, node: Node):
    """For `d["k"]` on a local dict whose keys are all literals (a dict
    literal, then `d["x"] = ...` stores), the value last stored under "k"
    before the read (None when "k" was never stored); False when the dict is
    not tracked that precisely, and the whole dict's taint applies."""
    base = unwrap_parens(node.child_by_field_name("value"))
    key = literal_value(ctx, node.child_by_field_name("subscript"))
    if base is None or base.type != "identifier" or key is None:
        return False
    defs = reaching_definitions(ctx, base)
    if len(defs) != 1 or defs[0].kind != "assign" or unwrap_parens(defs[0].value).type != "dictionary":
        return False
    literal = unwrap_parens(defs[0].value)
    value: Node | None = None
    for pair in literal.named_children:
        if pair.type != "pair":
            return False  # **splat
        pair_key = literal_value(ctx, pair.child_by_field_name("key"))
        if pair_key is None:
            return False
        if pair_key == key:
            value = pair.child_by_field_name("value")
    scope = scope_of(ctx, node)
    mutations = ctx.memo(("taint-mutations", scope.id), lambda: _mutations(ctx, scope))
    for _name, start, stored in sorted(mutations.get(ctx.text(base), ()), key=lambda m: m[1]):
        if start < defs[0].statement.start_byte or start >= node.start_byte:
            continue
        store = stored.parent
        target = store.child_by_field_name("left") if store is not None and store.type == "assignment" else None
        if target is None or target.type != "subscript":
            return False  # a method call or attribute store: not tracked per key
        stored_key = literal_value(ctx, target.child_by_field_name("subscript"))
        if stored_key is None:
            return False
        if stored_key == key:
            value = stored
    return value


def _unpacked_value(ctx: AnalysisContext, definition: Definition) -> Node | None:
    """`a, b = x, y`: the element of the right side bound to the name."""
    statement = definition.statement
    if statement.type != "assignment":
        return None
    left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
    if left is None or right is None:
        return None
    if left.type in ("pattern_list", "tuple_pattern", "list_pattern") and right.type in ("expression_list", "tuple", "list"):
        targets, values = left.named_children, right.named_children
        if len(targets) == len(values):
            for target, value in zip(targets, values):
                if target.id == definition.node.id:
                    return value
    return right


def _comprehension_binding(ctx: AnalysisContext, node: Node) -> Node | None:
    """The iterable bound to `node` by an enclosing comprehension's `for`."""
    name = ctx.text(node)
    parent = node.parent
    while parent is not None and parent.type not in ("function_definition", "lambda", "module", "block"):
        if parent.type in _COMPREHENSIONS:
            for clause in parent.named_children:
                if clause.type != "for_in_clause":
                    continue
                left = clause.child_by_field_name("left")
                right = clause.child_by_field_name("right")
                if left is None or right is None or right.start_byte <= node.start_byte < right.end_byte:
                    continue
                if name in _names_in(ctx, left):
                    return right
        parent = parent.parent
    return None


def _names_in(ctx: AnalysisContext, target: Node) -> set[str]:
    if target.type == "identifier":
        return {ctx.text(target)}
    out: set[str] = set()
    for child in target.named_children:
        out |= _names_in(ctx, child)
    return out


_MUTATORS = frozenset({"append", "extend", "insert", "update", "add", "setdefault", "appendleft", "write"})
_MUTATION_QUERY = """
[
  (call function: (attribute object: (identifier) @base attribute: (identifier) @method) arguments: (argument_list) @args) @mutation
  (assignment left: (subscript value: (identifier) @base) right: (_) @value) @store
  (assignment left: (attribute object: (identifier) @base) right: (_) @value) @store
]
"""


def container_mutations(ctx: AnalysisContext, scope: Node) -> dict[str, list[tuple[str, int, Node]]]:
    """Per name, the values put into a container or object of `scope` after
    it was created, as (name, start byte, value node): the argument list of
    `name.append(...)`/`.extend(...)`/`.insert(...)`/..., or the right side of
    `name[k] = v` / `name.attr = v`. Memoised per scope."""
    return ctx.memo(("taint-mutations", scope.id), lambda: _mutations(ctx, scope))


def _mutation_taint(ctx: AnalysisContext, node: Node, sink: str | None, depth: int) -> Taint | None:
    """Taint put into a container or object after it was created."""
    mutations = container_mutations(ctx, scope_of(ctx, node))
    name = ctx.text(node)
    found = None
    for base_name, start, value in mutations.get(name, ()):
        if start < node.start_byte and not (value.start_byte <= node.start_byte < value.end_byte):
            found = _best(found, _eval(ctx, value, sink, depth + 1))
    return found


def _mutations(ctx: AnalysisContext, scope: Node) -> dict[str, list[tuple[str, int, Node]]]:
    out: dict[str, list[tuple[str, int, Node]]] = {}
    for match in ctx.matches(_MUTATION_QUERY, scope):
        base = match["base"][0]
        if not _same_scope(base, scope):
            continue
        if "mutation" in match:
            if ctx.text(match["method"][0]) not in _MUTATORS:
                continue
            value = match["args"][0]
            start = match["mutation"][0].start_byte
        else:
            value = match["value"][0]
            start = match["store"][0].start_byte
        name = ctx.text(base)
        out.setdefault(name, []).append((name, start, value))
    return out


def _attribute_taint(ctx: AnalysisContext, node: Node, sink: str | None, depth: int) -> Taint | None:
    obj = unwrap_parens(node.child_by_field_name("object"))
    attr_node = node.child_by_field_name("attribute")
    attr = ctx.text(attr_node)
    dotted = dotted_name(ctx, node)
    if dotted is not None:
        qualified = qualified_name(ctx, node) or dotted
        for candidate in (qualified, dotted):
            if candidate in SOURCE_VALUES:
                return Taint(dotted, _line(node), SOURCE_VALUES[candidate])
    if obj is not None and obj.type == "identifier" and ctx.text(obj) == "self" and attr in HANDLER_ATTRIBUTES and _in_request_handler_class(ctx, node):
        return Taint(f"self.{attr}", _line(node))
    if is_request_object(ctx, obj):
        if attr in REQUEST_ATTRIBUTES and not (attr == "path" and _static_route(ctx, node)):
            return Taint(f"{ctx.text(obj)}.{attr}", _line(node))
        return None
    if attr in SAFE_ATTRIBUTES:
        return None
    if sink in (None, PATH) and attr in ("name", "stem") and _is_path_constructor(ctx, obj):
        return None
    if _is_safe_model_field(ctx, obj, attr):
        return None
    return _eval(ctx, obj, sink, depth + 1)


def _static_route(ctx: AnalysisContext, node: Node) -> bool:
    """In a handler whose routes have no variable parts, `request.path` is the
    route itself (the router matched it literally), not a client's choice."""
    function = enclosing_function(node)
    decorators = route_decorators(ctx, function) if function is not None and function.type == "function_definition" else []
    paths = [_route_path(ctx, d) for d in decorators]
    return bool(paths) and all(p and "<" not in p and "{" not in p for p in paths)


def _in_request_handler_class(ctx: AnalysisContext, node: Node) -> bool:
    """Inside a subclass of http.server's / socketserver's request handlers."""
    parent = node.parent
    while parent is not None and parent.type != "class_definition":
        parent = parent.parent
    if parent is None:
        return False
    bases = parent.child_by_field_name("superclasses")
    return bases is not None and "RequestHandler" in ctx.text(bases)


def _is_path_constructor(ctx: AnalysisContext, node: Node | None) -> bool:
    if node is None or node.type != "call":
        return False
    return (qualified_name(ctx, node.child_by_field_name("function")) or "") in ("pathlib.Path", "pathlib.PurePath", "pathlib.PurePosixPath")


def _is_safe_model_field(ctx: AnalysisContext, obj: Node | None, attr: str) -> bool:
    """`item.quantity` where `item: Item` and `Item.quantity: int`."""
    if obj is None or obj.type != "identifier":
        return False
    models = ctx.facts.get("model_fields", {})
    if not models:
        return False
    for d in reaching_definitions(ctx, obj):
        if d.kind == "param":
            fields = models.get(d.annotation.strip().rsplit(".", 1)[-1])
            if fields is not None:
                annotation = fields.get(attr, "")
                return annotation.split("[")[0].rsplit(".", 1)[-1] in SAFE_ANNOTATIONS or annotation in SAFE_ANNOTATIONS
    return False


def _sanitiser_categories(name: str | None) -> frozenset[str] | None:
    if not name:
        return None
    found = SANITISERS.get(name)
    if found is not None:
        return found
    last = name.rsplit(".", 1)[-1]
    found = SANITISER_SUFFIXES.get(last)
    if found is not None:
        return found
    for pattern, categories in _NAME_PATTERNS:
        if pattern.match(last):
            return categories
    return None


_NAME_PATTERNS = tuple((re.compile(pattern), categories) for pattern, categories in SANITISER_NAME_PATTERNS)


def _call_taint(ctx: AnalysisContext, node: Node, sink: str | None, depth: int) -> Taint | None:
    function = unwrap_parens(node.child_by_field_name("function"))
    name = qualified_name(ctx, function)
    categories = _sanitiser_categories(name)
    if categories is not None and sink != UNSANITISED and (sink is None or sink in categories or categories == ALL):
        return None
    if name in SOURCE_FUNCTIONS:
        return Taint(f"{name}()", _line(node), SOURCE_FUNCTIONS[name])
    summary_result = _summary_taint(ctx, node, function, sink, depth)
    if summary_result is not False:
        return summary_result  # type: ignore[return-value]
    if function is not None and function.type == "attribute":
        method = ctx.text(function.child_by_field_name("attribute"))
        receiver_node = unwrap_parens(function.child_by_field_name("object"))
        if method in SOURCE_METHODS:
            return Taint(f"{method}()", _line(node), SOURCE_METHODS[method])
        if method in NON_STRING_METHODS:
            return None
        if sink != UNSANITISED and _converted_by_keyword(ctx, node, method):
            return None
        if sink in (HEADER, LOG) and _strips_crlf(ctx, node):
            return None
        if is_request_object(ctx, receiver_node):
            if method in REQUEST_ATTRIBUTES:
                return Taint(f"{ctx.text(receiver_node)}.{method}()", _line(node))
            return None
        if _is_module_function(ctx, function):
            return _function_call_taint(ctx, node, name, sink, depth)
        receiver = _eval(ctx, receiver_node, sink, depth + 1)
        if receiver is not None:
            return receiver
        if method in DATABASE_METHODS:
            return None  # rows read with bound parameters are stored data
        return _arguments_taint(ctx, node, sink, depth)
    return _function_call_taint(ctx, node, name, sink, depth)


def _is_module_function(ctx: AnalysisContext, function: Node) -> bool:
    """`os.path.join(...)`: an attribute chain rooted at an imported module."""
    dotted = dotted_name(ctx, function)
    if dotted is None:
        return False
    return dotted.split(".", 1)[0] in ctx.facts.get("module_names", ())


def _function_call_taint(ctx: AnalysisContext, node: Node, name: str | None, sink: str | None, depth: int) -> Taint | None:
    if name in NON_PROPAGATING_FUNCTIONS or name in DATABASE_FUNCTIONS:
        return None
    if name and name.rsplit(".", 1)[-1] in ("get_object_or_404", "get_list_or_404", "jsonify", "abort", "redirect", "url_for"):
        return None
    return _arguments_taint(ctx, node, sink, depth)


def _arguments_taint(ctx: AnalysisContext, node: Node, sink: str | None, depth: int) -> Taint | None:
    args = node.child_by_field_name("arguments")
    found = None
    for arg in args.named_children if args is not None else []:
        found = _best(found, _eval(ctx, arg, sink, depth + 1))
    return found


def _converted_by_keyword(ctx: AnalysisContext, call: Node, method: str) -> bool:
    """`request.args.get("n", type=int)` converts (and drops bad input)."""
    if method not in ("get", "getlist"):
        return False
    args = call.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument" and ctx.text(arg.child_by_field_name("name")) == "type":
            categories = _sanitiser_categories(qualified_name(ctx, arg.child_by_field_name("value")))
            return categories == ALL
    return False


def _strips_crlf(ctx: AnalysisContext, call: Node) -> bool:
    """`x.replace("\\r", "").replace("\\n", "")` or `re.sub(r"[\\r\\n]", "", x)`."""
    removed: set[str] = set()
    node = call
    while node is not None and node.type == "call":
        function = node.child_by_field_name("function")
        if function is None or function.type != "attribute":
            break
        method = ctx.text(function.child_by_field_name("attribute"))
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if method == "replace" and first is not None:
            value = literal_value(ctx, first)
            if value in ("\r", "\n"):
                removed.add(value)
        elif method == "sub" and first is not None and qualified_name(ctx, function) == "re.sub":
            value = literal_value(ctx, first) or ""
            if "\\r" in value or "\r" in value:
                removed.add("\r")
            if "\\n" in value or "\n" in value or "\\s" in value:
                removed.add("\n")
        elif method in ("splitlines",):
            return False
        node = unwrap_parens(function.child_by_field_name("object"))
    return removed == {"\r", "\n"}


# -- helper summaries --------------------------------------------------------------
def _summary_for_call(ctx: AnalysisContext, function: Node | None) -> dict | None:
    summaries = ctx.facts.get("taint_summaries")
    if not summaries or function is None:
        return None
    if function.type == "identifier":
        name = ctx.text(function)
        if name not in summaries or reaching_definitions(ctx, function):
            return None
        return summaries[name]
    if function.type == "attribute":
        obj = function.child_by_field_name("object")
        if obj is None or obj.type != "identifier" or ctx.text(obj) not in ("self", "cls"):
            return None
        cls = _enclosing_class_name(ctx, function)
        if cls is None:
            return None
        return summaries.get(f"{cls}.{ctx.text(function.child_by_field_name('attribute'))}")
    return None


def _enclosing_class_name(ctx: AnalysisContext, node: Node) -> str | None:
    parent = node.parent
    while parent is not None:
        if parent.type == "class_definition":
            return ctx.text(parent.child_by_field_name("name"))
        parent = parent.parent
    return None


def _summary_taint(ctx: AnalysisContext, call: Node, function: Node | None, sink: str | None, depth: int):
    """Taint of a call to a helper of this file, or False when there is no summary."""
    summary = _summary_for_call(ctx, function)
    if summary is None:
        return False
    by_sink = summary.get("by_sink")
    if sink is None:
        flows = summary["flows"]["any"]
        source = summary["sources"].get("any")
    elif by_sink:
        flows = by_sink.get(sink, {}).get("flows", summary["flows"]["raw"])
        source = by_sink.get(sink, {}).get("source", summary["sources"].get("raw"))
    else:
        flows = summary["flows"]["raw"]
        source = summary["sources"].get("raw")
    found: Taint | None = None
    if source:
        found = Taint(f"{source[0]} (via {ctx.text(function)}())", _line(call), source[1])
    if not flows:
        return found
    params: list[str] = summary["params"]
    args = call.child_by_field_name("arguments")
    position = 0
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument":
            name = ctx.text(arg.child_by_field_name("name"))
            index = params.index(name) if name in params else -1
            value = arg.child_by_field_name("value")
        elif arg.type in ("list_splat", "dictionary_splat"):
            index, value = flows[0], arg
        elif arg.type == "comment":
            continue
        else:
            index, value = position, arg
            position += 1
        if index in flows:
            found = _best(found, _eval(ctx, value, sink, depth + 1))
    return found
