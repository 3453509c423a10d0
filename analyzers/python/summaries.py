"""Module facts that taint tracking needs from outside a unit.

Rules run one top-level statement at a time, but AI code routinely moves
request data through small helpers of the same file:

    def build_filter(name):            # unit 1
        return f"(uid={name})"
    @app.get("/u")                       # unit 2
    def find(): conn.search(BASE, build_filter(request.args["u"]))

So every helper function (top-level functions and methods of top-level
classes) that a call in the file names (`called_helpers`: `helper(...)`,
`self.method(...)`) gets a **summary**: which parameters reach its return value, per
sink category when a category-specific sanitiser sits in between
(`return shlex.quote(x)` is clean for the shell, not for SQL), and whether it
returns untrusted input by itself (`def get_name(): return request.args["n"]`).
Summaries are plain data in the module facts, one entry per helper: editing a
helper re-analyses the units that call it (the engine records which summary
each unit looked up), while editing anything else keeps them (and the
per-unit cache) intact. They are computed one level deep:
a helper calling another helper sees the default propagation (tainted
arguments give a tainted result).

Also here: `module_names` (names bound by `import x [as y]`),
`regex_constants` (`NAME = re.compile("...")`, for validation guards) and
`model_fields` (annotated class attributes such as Pydantic fields, so that
`item.quantity: int` is not a string from the request).
"""

from __future__ import annotations

from typing import Any

from tree_sitter import Node, QueryCursor

from ..budget import deeper_than
from ..context import AnalysisContext
from ..facts import ModuleFacts, register_unit_facts
from ..languages import query
from .taint_specs import ALL, CODE, HEADER, KIND_RANK, LOG, PARAM, PATH, SANITISER_SUFFIXES, SANITISERS, SINKS

_RAW = "raw"  # pseudo-sink: only sanitisers that work for every sink apply


def _text(source: bytes, node: Node | None) -> str:
    return "" if node is None else source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _definition(node: Node) -> Node:
    if node.type == "decorated_definition":
        inner = node.child_by_field_name("definition")
        return inner if inner is not None else node
    return node


def _module_names(source: bytes, unit: Node) -> list[str]:
    names: set[str] = set()
    if unit.type == "import_statement":
        for name in unit.children_by_field_name("name"):
            if name.type == "aliased_import":
                names.add(_text(source, name.child_by_field_name("alias")))
            else:
                names.add(_text(source, name).split(".")[0])
    return sorted(names)


def _assignments(statements: list[Node]):
    """The `assignment` nodes among simple statements."""
    for stmt in statements:
        if stmt.type == "expression_statement" and stmt.named_children and stmt.named_children[0].type == "assignment":
            yield stmt.named_children[0]


def _module_calls(source: bytes, unit: Node, imports):
    """(name, qualified function, call) for a module-level `name = f(...)`."""
    for assignment in _assignments([unit]):
        left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
        if left is None or left.type != "identifier" or right is None or right.type != "call":
            continue
        function = _text(source, right.child_by_field_name("function"))
        head, _, rest = function.partition(".")
        qualified = f"{imports.get(head, head)}.{rest}" if rest else imports.get(head, head)
        yield _text(source, left), qualified, right


def _regex_constants(source: bytes, unit: Node, imports) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, qualified, call in _module_calls(source, unit, imports):
        if qualified != "re.compile":
            continue
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if first is not None and first.type == "string" and not any(c.type == "interpolation" for c in first.children):
            value = _literal(source, first)
            if value is not None:
                out[name] = value
    return out


def _literal(source: bytes, node: Node) -> str | None:
    import ast

    try:
        value = ast.literal_eval(_text(source, node))
    except (SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None


_LOGGERS = ("logging.getLogger", "structlog.get_logger", "structlog.getLogger")


def _logger_names(source: bytes, unit: Node, imports) -> list[str]:
    """Module-level names bound to `logging.getLogger(...)` (or structlog's)."""
    return [name for name, qualified, _call in _module_calls(source, unit, imports) if qualified in _LOGGERS]


def _model_fields(source: bytes, unit: Node) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    cls = _definition(unit)
    if cls.type != "class_definition":
        return out
    body = cls.child_by_field_name("body")
    fields: dict[str, str] = {}
    for assignment in _assignments(body.named_children if body is not None else []):
        left, annotation = assignment.child_by_field_name("left"), assignment.child_by_field_name("type")
        if left is not None and left.type == "identifier" and annotation is not None:
            fields[_text(source, left)] = _text(source, annotation)
    if fields:
        out[_text(source, cls.child_by_field_name("name"))] = fields
    return out


def _functions(source: bytes, unit: Node):
    """(summary key, function node, is a method) for a top-level function or the methods of a top-level class."""
    node = _definition(unit)
    if node.type == "function_definition":
        yield _text(source, node.child_by_field_name("name")), node, False
    elif node.type == "class_definition":
        cls = _text(source, node.child_by_field_name("name"))
        body = node.child_by_field_name("body")
        for item in body.named_children if body is not None else []:
            method = _definition(item)
            if method.type == "function_definition":
                yield f"{cls}.{_text(source, method.child_by_field_name('name'))}", method, True


def _names_part(source: bytes, unit: Node, facts) -> tuple | None:
    """Module names, regex constants, model fields and loggers one statement defines."""
    if unit.type not in ("import_statement", "expression_statement", "class_definition", "decorated_definition"):
        return None
    imports = facts.get("imports", {})
    part = (_module_names(source, unit), _regex_constants(source, unit, imports), _model_fields(source, unit), _logger_names(source, unit, imports))
    return part if any(part) else None


def _combine_names(parts: list[tuple]) -> dict[str, Any]:
    names: set[str] = set()
    regexes: dict[str, str] = {}
    models: dict[str, dict[str, str]] = {}
    loggers: list[str] = []
    for unit_names, unit_regexes, unit_models, unit_loggers in parts:
        names.update(unit_names)
        regexes.update(unit_regexes)
        models.update(unit_models)
        loggers.extend(unit_loggers)
    return {"module_names": sorted(names), "regex_constants": regexes, "model_fields": models, "logger_names": sorted(loggers)}


_CALLEES = "(call function: [(identifier) (attribute object: (identifier) attribute: (identifier))] @callee)"


def _callees_part(source: bytes, unit: Node, facts) -> frozenset[str] | None:
    """The summary keys one statement's calls could look up: `helper(...)`,
    and `self.method(...)` / `cls.method(...)` as `Class.method` (what
    taint._summary_for_call asks for)."""
    if deeper_than(unit):
        return None  # not queried (analyzers/budget.py); its rules report that
    found: set[str] = set()
    for callee in QueryCursor(query("python", _CALLEES)).captures(unit).get("callee", []):
        if callee.type == "identifier":
            found.add(_text(source, callee))
            continue
        if _text(source, callee.child_by_field_name("object")) not in ("self", "cls"):
            continue
        parent = callee.parent
        while parent is not None and parent.type != "class_definition":
            parent = parent.parent
        if parent is not None:
            found.add(f"{_text(source, parent.child_by_field_name('name'))}.{_text(source, callee.child_by_field_name('attribute'))}")
    return frozenset(found) or None


def _combine_callees(parts: list[frozenset[str]]) -> dict[str, Any]:
    return {"called_helpers": sorted(set().union(*parts))}


def _summaries_part(source: bytes, unit: Node, facts) -> dict[str, dict] | None:
    """Taint summaries of the functions one statement defines that some call
    of the file could use (see the module docstring): summarising is the
    costliest fact of a file, and most route handlers are never called. A
    first call of a helper changes `called_helpers`, which recomputes this
    part (the engine records the membership read)."""
    summaries: dict[str, dict] = {}
    for key, function, is_method in _called_functions(source, unit, facts):
        summary = summarise(source, function, facts, is_method)
        if summary is not None:
            summaries[key] = summary
    return summaries or None


register_unit_facts("python", combine=_combine_names, stage=1)(_names_part)
register_unit_facts("python", combine=_combine_callees, stage=1, eager_only=True)(_callees_part)


def _called_functions(source: bytes, unit: Node, facts):
    """(summary key, function, is a method) of the unit's helpers that some
    call of the file names. Without `called_helpers` (a lazy whole-file
    analysis, which summarises a helper only when a rule looks up a call of
    it, so only called ones) every helper of the unit."""
    called = facts.get("called_helpers")
    functions = _functions(source, unit)
    if called is None:
        return functions
    return ((key, function, is_method) for key, function, is_method in functions if key in called)


def _summary_keys(source: bytes, unit: Node, facts) -> list[str]:
    """The summaries `_summaries_part` may give for the unit (LazyKeyedFact)."""
    return [key for key, _function, _is_method in _called_functions(source, unit, facts)]


register_unit_facts("python", keyed="taint_summaries", stage=2, keys=_summary_keys)(_summaries_part)


def _returns(function: Node) -> list[Node] | None:
    """Returned expressions; None for generators (their items are not summarised)."""
    out: list[Node] = []
    stack = list(function.child_by_field_name("body").named_children) if function.child_by_field_name("body") else []
    while stack:
        node = stack.pop()
        if node.type in ("function_definition", "class_definition", "lambda"):
            continue
        if node.type == "yield":
            return None
        if node.type == "return_statement":
            if node.named_children:
                out.append(node.named_children[0])
            continue
        stack.extend(node.named_children)
    return out


def summarise(source: bytes, function: Node, facts: ModuleFacts, is_method: bool) -> dict | None:
    """The summary of one function, or None when it returns nothing."""
    from .taint import _best, _eval, _param_names

    returns = _returns(function)
    if returns is None:
        return None
    ctx = AnalysisContext(source, None, "python", facts, function)  # type: ignore[arg-type]
    params = _param_names(ctx, function)
    if is_method and params and params[0] in ("self", "cls"):
        params = params[1:]

    def evaluate(sink: str | None, symbolic) -> Any:
        ctx._memo[("taint-symbolic",)] = symbolic
        found = None
        for value in returns:
            found = _best(found, _eval(ctx, value, sink, 0))
        return found

    def flows_and_source(sink: str | None) -> tuple[list[int], list[str] | None]:
        symbolic = evaluate(sink, function.id)
        reaching = set(symbolic.source.split(",")) if _is_param(symbolic) else set()
        flows = [i for i, p in enumerate(params) if p and p in reaching]
        real = evaluate(sink, None)
        return flows, ([real.source, real.kind] if real is not None and real.kind != PARAM else None)

    any_flows, any_source = flows_and_source(None)
    raw_flows, raw_source = flows_and_source(_RAW)
    if not any_flows and not raw_flows and any_source is None and raw_source is None:
        return {"params": params, "flows": {"any": [], "raw": []}, "sources": {}}
    summary: dict[str, Any] = {
        "params": params,
        "flows": {"any": any_flows, "raw": raw_flows},
        "sources": {k: v for k, v in (("any", any_source), ("raw", raw_source)) if v is not None},
    }
    if (any_flows, any_source) != (raw_flows, raw_source):
        by_sink = {}
        text = source[function.start_byte : function.end_byte].decode("utf-8", "replace")
        for group in _SINK_GROUPS:
            if any(token in text for token in _GROUP_TOKENS[group]):
                flows, src = flows_and_source(group[0])
            else:  # nothing in the body can sanitise for these sinks
                flows, src = raw_flows, raw_source
            entry: dict[str, Any] = {"flows": flows}
            if src is not None:
                entry["source"] = src
            for sink in group:
                by_sink[sink] = entry
        summary["by_sink"] = by_sink
    return summary


def _sink_groups() -> list[tuple[str, ...]]:
    """Sinks that every sanitiser treats alike need one evaluation per group."""
    groups: dict[tuple, list[str]] = {}
    for sink in sorted(SINKS):
        signature = (
            tuple(sorted(n for n, cats in {**SANITISERS, **SANITISER_SUFFIXES}.items() if sink in cats and cats != ALL)),
            sink in (HEADER, LOG),
            sink == PATH,
        )
        groups.setdefault(signature, []).append(sink)
    return [tuple(g) for g in groups.values()]


def _is_param(taint) -> bool:
    return taint is not None and taint.rank == KIND_RANK[PARAM]




_SINK_GROUPS = _sink_groups()
# Text that must occur in a function for a category-specific sanitiser or
# check to apply: sanitiser names, CR/LF removal, containment and quote checks.
_EXTRA_TOKENS = {HEADER: ("replace", "sub"), LOG: ("replace", "sub"), PATH: ("startswith", "is_relative_to", ".name", ".stem"), CODE: ("startswith",)}
_GROUP_TOKENS = {
    group: tuple(
        {n.rsplit(".", 1)[-1] for sink in group for n, cats in {**SANITISERS, **SANITISER_SUFFIXES}.items() if sink in cats and cats != ALL}
        | {t for sink in group for t in _EXTRA_TOKENS.get(sink, ())}
        | {"escape", "html", "quote", "clean", "sanitize", "sanitise"}
    )
    for group in _SINK_GROUPS
}
