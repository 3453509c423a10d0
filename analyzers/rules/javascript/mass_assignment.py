"""JS-MASS-001 mass-assignment: the whole request body written onto a record.

**What it finds.** The request body itself (`req.body`, `request.body`,
`ctx.request.body`, a variable holding it, or an object spreading it:
`{ ...req.body, owner: req.user.id }`) given as the values of a write:
`User.create(req.body)`, `new User(req.body)`, `User.build(...)`,
`Model.update(req.body, { where })`, `findByIdAndUpdate(id, req.body)`,
`findOneAndUpdate`/`updateOne`/`updateMany(filter, req.body)`,
`record.set(req.body)`, `record.update(req.body)`,
`prisma.user.create/update/upsert({ data: req.body })`, and
`Object.assign(record, req.body)` on a record loaded from the database.

**Not reported.** Picked or validated data (`const { name, email } =
req.body`, `_.pick(req.body, [...])`, `schema.parse(req.body)`: anything that
went through a call or destructuring), `Object.assign({}, req.body)` (a
copy, not a record), and test code.

No automatic fix: only the author knows which fields a client may set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...common.names import calls_in, method_name
from ...context import AnalysisContext
from ...javascript.flow import SYN, reaching_definitions
from ...javascript.queries import object_fields
from ...javascript.testcode import in_test_code
from ...model import Confidence, Finding, Severity
from ..base import Explanation, Rule, register

_BODY = re.compile(r"^(?:req|request|ctx\.request|ctx)\.body$")
VALUES_FIRST = frozenset({"create", "build", "insertMany", "upsert", "set"})
"""Writes whose first argument holds the values."""
VALUES_SECOND = frozenset({"findByIdAndUpdate", "findOneAndUpdate", "updateOne", "updateMany", "replaceOne"})
"""Writes whose second argument holds the values (the first selects)."""
_GLOBALS = frozenset({"Object", "Array", "JSON", "Math", "Promise", "Reflect", "Map", "Set", "Date", "Number", "String", "Buffer", "URL"})
"""Capitalised receivers that are built-ins, not models (`Object.create(proto)`)."""
_LOADED = re.compile(r"\.(findById|findOne|findByPk|findUnique|findUniqueOrThrow|findFirst|findOneBy|findOrFail|get)\s*\(|^new\s+[A-Z]")


def _whole_body(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """`req.body`, a name bound to it (not destructured), or `{ ...req.body }`."""
    node = SYN.unwrap(node)
    if node is None or depth > 3:
        return False
    if node.type == "member_expression":
        return bool(_BODY.match(ctx.text(node)))
    if node.type in ("identifier", "shorthand_property_identifier"):
        definitions = reaching_definitions(ctx, node)
        return bool(definitions) and all(d.kind == "assign" and not d.path and _whole_body(ctx, d.value, depth + 1) for d in definitions)
    if node.type == "object":
        return any(child.type == "spread_element" and child.named_children and _whole_body(ctx, child.named_children[0], depth + 1) for child in node.named_children)
    return False


def _loaded_record(ctx: AnalysisContext, node: Node | None) -> bool:
    """A name holding a record read from the database (`await User.findById(id)`) or a new model."""
    node = SYN.unwrap(node)
    if node is None or node.type != "identifier":
        return False
    definitions = reaching_definitions(ctx, node)
    return bool(definitions) and all(d.kind == "assign" and d.value is not None and _LOADED.search(ctx.text(SYN.unwrap(d.value)).removeprefix("await ")) for d in definitions)


@register
class JsMassAssignment(Rule):
    id = "JS-MASS-001"
    name = "mass-assignment"
    # every finding writes the request body: `req.body`, `request.body` or `ctx.request.body`, or a name bound to it
    triggers = ("body",)
    cwe = 915
    owasp = "A08:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    summary = "Whole request body written onto a database record without an allow-list of fields"
    explanation = Explanation(
        what="Every key of the request body becomes a field of a database record, with no list of which ones a client may set.",
        why=(
            "The form only sends `name` and `email`, so in tests only those change. But the client can add any field "
            "the model has: `role`, `isAdmin`, `ownerId`, `balance`, `emailVerified`. The ORM writes them as faithfully "
            "as the legitimate ones."
        ),
        hostile_input='`PATCH /api/profile` with `{"name": "x", "role": "admin"}` makes the caller an administrator.',
        fix=(
            "Pick the allowed fields (`const { name, email } = req.body; await User.create({ name, email })`, "
            "`_.pick(req.body, [\"name\", \"email\"])`) or validate with a schema that strips unknown keys (zod, Joi, class-validator whitelist)."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            values = self._written_values(ctx, call)
            if values is not None and _whole_body(ctx, values) and not in_test_code(ctx, call):
                yield self.finding(ctx, values, "Mass assignment: every field of the request body is written to the record (`role`, `isAdmin`, ...); pick the fields a client may set")

    @staticmethod
    def _written_values(ctx: AnalysisContext, call: Node) -> Node | None:
        args = SYN.arguments(call)
        if call.type == "new_expression":
            constructor = call.child_by_field_name("constructor")
            return args[0] if args and constructor is not None and ctx.text(constructor)[:1].isupper() else None
        if call.type != "call_expression" or not args:
            return None
        function = call.child_by_field_name("function")
        method = method_name(ctx, call)
        receiver = ctx.text(function.child_by_field_name("object")) if function is not None and function.type == "member_expression" else ""
        if receiver == "Object" and method == "assign":
            return args[1] if len(args) > 1 and _loaded_record(ctx, args[0]) else None
        if receiver.startswith(("prisma.", "this.prisma.")) and method in ("create", "update", "upsert", "createMany", "updateMany"):
            fields = object_fields(ctx, args[0])
            return fields.get("data") or fields.get("create") or fields.get("update")
        head = receiver.rsplit(".", 1)[-1]
        model = head[:1].isupper() and head not in _GLOBALS
        if method in VALUES_FIRST and (model or _loaded_record(ctx, function.child_by_field_name("object"))):
            return args[0]
        if method == "update" and (model or _loaded_record(ctx, function.child_by_field_name("object"))):
            return args[0]  # Sequelize: Model.update(values, { where }), record.update(values)
        if method in VALUES_SECOND and model and len(args) > 1:
            return args[1]
        return None
