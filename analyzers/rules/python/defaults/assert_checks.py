"""PY-ASSERT-001 assert-used-as-check: an access-control or input check written as `assert`.

**What it finds.** `assert` statements in application functions whose
condition is an authorisation check (it mentions the current user, roles,
permissions, ownership, tokens or passwords) or validates request input
(`assert int(request.args["qty"]) > 0` in a route handler). Python removes
every `assert` when it runs with `-O` or `PYTHONOPTIMIZE` (common in
container images and some WSGI servers), and then the check is simply gone.

**Not reported.** Test code (test functions and classes, modules importing
pytest, unittest or hypothesis), module-level asserts, and type narrowing
(`assert isinstance(x, Foo)`, `assert user is not None`): a missing value
fails on the next line anyway, and type checkers rely on these.

**Fix.** "Replace assert with a real check" rewrites `assert cond, "msg"` as
`if not cond:` followed by the framework's refusal: `abort(403)` /
`abort(400)` in Flask, `raise PermissionDenied` / `SuspiciousOperation` in
Django, `raise HTTPException(...)` in FastAPI, `raise PermissionError(...)` /
`ValueError(...)` elsewhere (403 for authorisation, 400 for validation).
Requests that passed the assert behave exactly as before; the check now also
runs under `-O`.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.dataflow import enclosing_function
from ....python.frameworks import deny_statement
from ....python.inputs import numeric_input
from ....python.layout import indent_unit, line_indent
from ....python.names import imports_module
from ....python.strings import literal_value, unwrap_parens
from ...base import Explanation, Rule, register

AUTH_WORDS = re.compile(
    r"current_user|request\.user|\buser\b|\.user\b|is_authenticated|is_admin|is_staff|is_superuser|admin|has_perm|"
    r"has_role|\broles?\b|permission|authori[sz]|\bowner|owns|check_password|verify_password|password|api_key|token|"
    r"logged_in|session\[|csrf|signature",
    re.IGNORECASE,
)
TEST_MODULES = ("pytest", "unittest", "hypothesis", "nose", "nose2")
_ASSERTS = "(assert_statement) @assert"
_ATOMS = ("identifier", "attribute", "call", "subscript")


def _in_test_code(ctx: AnalysisContext, node: Node) -> bool:
    if imports_module(ctx, *TEST_MODULES):
        return True
    parent = node.parent
    while parent is not None:
        if parent.type in ("function_definition", "class_definition"):
            name = ctx.text(parent.child_by_field_name("name"))
            if name.startswith(("test", "Test")) or name.endswith(("Test", "Tests")):
                return True
        parent = parent.parent
    return False


def _mentions_input(ctx: AnalysisContext, node: Node | None) -> bool:
    node = unwrap_parens(node)
    if node is None:
        return False
    if node.type in ("comparison_operator", "boolean_operator", "not_operator"):
        return any(_mentions_input(ctx, child) for child in node.named_children)
    return numeric_input(ctx, node) is not None


def _is_type_narrowing(ctx: AnalysisContext, condition: Node) -> bool:
    condition = unwrap_parens(condition)
    if condition.type == "call" and ctx.text(condition.child_by_field_name("function")) in ("isinstance", "issubclass", "callable", "hasattr"):
        return True
    if condition.type == "comparison_operator":
        operators = [c.type for c in condition.children_by_field_name("operators")]
        return bool(operators) and all(op in ("is", "is not") for op in operators) and "None" in ctx.text(condition)
    return False


@register
class AssertUsedAsCheck(Rule):
    id = "PY-ASSERT-001"
    name = "assert-used-as-check"
    triggers = ("assert",)
    cwe = 703
    owasp = "A01:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Replace assert with a real check"
    summary = "Authorisation or input validation written as assert (removed by python -O)"
    explanation = Explanation(
        what="An `assert` statement is the only thing enforcing an access rule or an input constraint.",
        why=(
            "In development and tests the assert fires, so the check looks real. But Python strips assert "
            "statements when optimisations are on (`python -O`, `PYTHONOPTIMIZE=1`, which some Docker images and "
            "servers set), and then the check disappears without a trace: every user passes it."
        ),
        hostile_input="Any non-admin calling `DELETE /users/7` once the service runs with `PYTHONOPTIMIZE=1`: `assert current_user.is_admin` no longer exists.",
        fix="Use an explicit `if not condition:` that refuses the request (`abort(403)`, `raise PermissionDenied`, `raise HTTPException(403)`).",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for statement in ctx.captures(_ASSERTS).get("assert", []):
            if enclosing_function(statement) is None or _in_test_code(ctx, statement):
                continue
            condition = statement.named_children[0] if statement.named_children else None
            if condition is None:
                continue
            text = ctx.text(condition)
            if _is_type_narrowing(ctx, condition):
                continue
            if AUTH_WORDS.search(text):
                kind, status = "an authorisation check", 403
            elif _mentions_input(ctx, condition):
                kind, status = "input validation", 400
            else:
                continue
            message = f"assert used as {kind}: `python -O` removes it and the check disappears; raise an error instead"
            fix = self._fix(ctx, statement, condition, status)
            yield self.finding(ctx, statement, message, fixes=(fix,) if fix else ())

    def _fix(self, ctx: AnalysisContext, statement: Node, condition: Node, status: int) -> Fix | None:
        parts = [c for c in statement.named_children if c.type != "comment"]
        message = parts[1] if len(parts) > 1 else None
        detail = literal_value(ctx, message) if message is not None else None
        if message is not None and detail is None:
            return None  # a computed message would have to move into the refusal; left to the author
        detail = detail or ("forbidden" if status == 403 else "invalid input")
        deny, imports = deny_statement(ctx, status, detail.replace("\\", "\\\\").replace('"', '\\"'))
        condition = unwrap_parens(condition)
        if condition.type == "not_operator":
            test = ctx.text(condition.child_by_field_name("argument"))
        elif condition.type in _ATOMS:
            test = f"not {ctx.text(condition)}"
        else:
            test = f"not ({ctx.text(condition)})"
        if "\n" in test:
            return None
        indent = line_indent(ctx, statement) + indent_unit(ctx, statement)
        newline = "\r\n" if b"\r\n" in ctx.source[:4096] else "\n"
        replacement = f"if {test}:{newline}{indent}{deny}"
        return Fix("Replace assert with a real check", (Edit(statement.start_byte, statement.end_byte, replacement),), imports=imports)
