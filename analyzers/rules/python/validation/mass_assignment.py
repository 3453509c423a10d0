"""PY-MASS-001 mass-assignment: every field the client sends is written onto a model.

**What it finds.** Request data spread into a model or an update as a whole:
`User(**request.json)`, `Model.objects.create(**request.POST.dict())`,
`Model.objects.filter(...).update(**data)`, `update_or_create(defaults=data)`,
`db.session.query(User).filter_by(id=uid).update(request.json)`,
`obj.__dict__.update(request.form)`, `vars(obj).update(data)`, and
`setattr(obj, key, value)` loops over the keys of request data.

**Not reported.** Data that passed through a schema that lists the allowed
fields (a FastAPI/pydantic parameter such as `user: UserCreate`, then
`User(**user.dict())`; DRF `serializer.validated_data`; Django
`form.cleaned_data`; calls to classes named `...Schema`, `...Create`,
`...Update`, `...In`, `...Form`, `...Serializer`), dictionaries filtered
against an allow-list (`{k: v for k, v in data.items() if k in ALLOWED}`),
`setattr` loops guarded by such a membership test, plain dictionaries
updated from input (`params.update(request.args)`), and classes that store
nothing (`...Response`, `...Exception`, `...Error`).

No automatic fix: only the author knows which fields a client may set.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.arguments import argument_value
from ....python.dataflow import reaching_definitions
from ....python.guards import allow_list_checked
from ....python.inputs import remote_taint
from ....python.names import calls, class_ancestors, method_name, qualified_name
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

SCHEMA_NAMES = re.compile(r"(Schema|Create|Update|In|Input|Form|Serializer|Params|Query|Request|Payload|DTO|Model[A-Z]\w*|Filter)$")
SCHEMA_BASES = re.compile(r"(pydantic\.BaseModel|BaseModel|Schema|Serializer|Form|TypedDict|NamedTuple)$")
NOT_MODELS = re.compile(r"(Response|Exception|Error)$")
"""Capitalised calls that build no stored object: an HTTP response
(`StreamingResponse(content, **response_args)`) or an error."""
VALIDATED = re.compile(r"model_dump|\.dict\(|\.to_dict\(")
BUILTIN_CALLS = frozenset({"dict", "print", "format", "str", "jsonify", "json.dumps", "render_template", "make_response", "redirect", "url_for", "logging.info"})
MODEL_WRITES = frozenset({"create", "update", "update_or_create", "get_or_create", "bulk_create"})
_SPLATS = "(argument_list (dictionary_splat) @splat)"
_SETATTR_LOOP = "(for_statement left: (_) @target right: (_) @iterable body: (_) @body) @loop"


def _is_filtered(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """A dict comprehension with an `if` clause, directly or through a local name."""
    node = unwrap_parens(node)
    if node is None or depth > 4:
        return False
    if node.type == "dictionary_comprehension":
        return any(child.type == "if_clause" for child in node.named_children)
    if node.type == "identifier":
        definitions = reaching_definitions(ctx, node)
        return bool(definitions) and all(_is_filtered(ctx, d.value, depth + 1) for d in definitions)
    return False


def _schema_validated(ctx: AnalysisContext, node: Node) -> bool:
    """Data that came out of a schema object listing its fields: DRF/Django
    `validated_data`/`cleaned_data`, or `.dict()`/`.model_dump()` of a handler
    parameter annotated with a schema class (`user: UserCreate`)."""
    text = ctx.text(node)
    if "validated_data" in text or "cleaned_data" in text:
        return True
    if not VALIDATED.search(text):
        return False
    root = node
    while root is not None and root.type in ("call", "attribute", "subscript"):
        root = root.child_by_field_name("function") or root.child_by_field_name("object") or root.child_by_field_name("value")
    if root is None or root.type != "identifier":
        return False
    for definition in reaching_definitions(ctx, root):
        annotation = definition.annotation.strip()
        if definition.kind == "param" and annotation[:1].isupper() and annotation not in ("Request", "Dict", "Any"):
            return True
    return False


def _is_schema_class(ctx: AnalysisContext, function: Node) -> bool:
    name = ctx.text(function).split(".")[-1]
    if SCHEMA_NAMES.search(name):
        return True
    return any(SCHEMA_BASES.search(base) for base in class_ancestors(ctx, ctx.text(function)))


@register
class MassAssignment(Rule):
    id = "PY-MASS-001"
    name = "mass-assignment"
    cwe = 915
    owasp = "A08:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    # a `**data` splat, `.update(...)` (and `update_or_create`), `get_or_create`, or `setattr`
    triggers = ("**", "update", "get_or_create", "setattr")
    summary = "Request data spread into a model or update without an allow-list of fields"
    explanation = Explanation(
        what="All keys of the request body become fields of a database object, with no list of which ones a client may set.",
        why=(
            "The form only sends `name` and `email`, so in tests only those change. But the client can add any "
            "key the model has: `is_admin`, `role`, `owner_id`, `balance`, `email_verified`. The ORM writes them "
            "as faithfully as the legitimate ones."
        ),
        hostile_input='`PATCH /profile` with `{"name": "x", "is_admin": true}` makes the caller an administrator.',
        fix=(
            "Copy only allowed fields (`ALLOWED = {\"name\", \"email\"}; data = {k: v for k, v in payload.items() if k in ALLOWED}`) "
            "or validate through a schema that lists them (pydantic model, DRF serializer with `fields`, Django ModelForm with `fields`)."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for splat in ctx.captures(_SPLATS).get("splat", []):
            call = splat.parent.parent
            value = splat.named_children[0] if splat.named_children else None
            if call is None or call.type != "call" or value is None:
                continue
            function = call.child_by_field_name("function")
            if not self._writes_model(ctx, call, function):
                continue
            finding = self._report(ctx, value, call, f"`{ctx.text(function)}(**...)`")
            if finding is not None:
                yield finding
        for call, name in calls(ctx):
            yield from self._check_call(ctx, call, name or "")

    def _writes_model(self, ctx: AnalysisContext, call: Node, function: Node) -> bool:
        name = qualified_name(ctx, function) or ""
        if name in BUILTIN_CALLS or name.startswith(("logging.", "log.", "logger.")):
            return False
        last = name.split(".")[-1]
        if function.type == "attribute":
            text = ctx.text(function)
            receiver = function.child_by_field_name("object")
            if receiver.type == "identifier":  # qs = Model.objects.filter(...); qs.update(**data)
                text += " " + " ".join(ctx.text(d.value) for d in reaching_definitions(ctx, receiver) if d.value is not None)
            return (last in MODEL_WRITES and ".objects" in text) or (last in ("create", "update") and "query" in text.lower())
        return bool(last) and last[0].isupper() and not NOT_MODELS.search(last) and not _is_schema_class(ctx, function)

    def _check_call(self, ctx: AnalysisContext, call: Node, name: str) -> Iterator[Finding]:
        function = call.child_by_field_name("function")
        method = method_name(ctx, call)
        receiver = function.child_by_field_name("object") if function.type == "attribute" else None
        if method == "update" and receiver is not None:
            receiver_text = ctx.text(receiver)
            data = argument_value(ctx, call, "", 0)
            if data is None:
                return
            if receiver_text.endswith("__dict__") or (receiver.type == "call" and ctx.text(receiver.child_by_field_name("function")) == "vars"):
                finding = self._report(ctx, data, call, f"`{receiver_text}.update()`")
            elif "query" in receiver_text.lower() or "filter" in receiver_text:
                finding = self._report(ctx, data, call, "a query `.update()`")
            else:
                finding = None
            if finding is not None:
                yield finding
        elif method == "update_or_create" or method == "get_or_create":
            defaults = argument_value(ctx, call, "defaults")
            if defaults is not None:
                finding = self._report(ctx, defaults, call, f"`{method}(defaults=...)`")
                if finding is not None:
                    yield finding
        elif name == "setattr":
            key = argument_value(ctx, call, "name", 1)
            if key is not None and key.type == "identifier" and self._loop_over_input(ctx, call, ctx.text(key)):
                finding = self._report(ctx, key, call, "`setattr()` over request keys")
                if finding is not None:
                    yield finding

    def _loop_over_input(self, ctx: AnalysisContext, call: Node, key: str) -> bool:
        loop = call.parent
        while loop is not None and loop.type != "for_statement":
            if loop.type in ("function_definition", "class_definition"):
                return False
            loop = loop.parent
        if loop is None:
            return False
        target = loop.child_by_field_name("left")
        names = {ctx.text(n) for n in ([target] if target.type == "identifier" else target.named_children)}
        return key in names

    def _report(self, ctx: AnalysisContext, data: Node, anchor: Node, how: str) -> Finding | None:
        data = unwrap_parens(data)
        taint = remote_taint(ctx, data)
        if taint is None or _is_filtered(ctx, data) or _schema_validated(ctx, data) or allow_list_checked(ctx, data):
            return None
        message = f"Mass assignment: {how} writes every field sent in {taint.source} (line {taint.line}); allow-list the fields a client may set"
        return self.finding(ctx, anchor, message)
