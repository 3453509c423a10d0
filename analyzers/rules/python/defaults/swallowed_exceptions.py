"""PY-EXCEPT-001 check-fails-open: a failed authentication or validation step is caught and ignored.

**What it finds.** `try` blocks that call an authentication, authorisation,
signature, token or validation routine (`verify_*`, `validate*`,
`authenticate`, `check_password`, `has_perm`, `jwt.decode`,
`hmac.compare_digest`, `form.is_valid()`, `full_clean()`, ...) where a bare
`except:` or `except Exception:` / `except BaseException:` handler does
nothing but `pass`, `...` or log. The routine signals failure by
raising, the handler swallows it, and execution carries on as if the check
had passed: the code fails open.

**Not reported.** Handlers for specific exceptions (`except jwt.ExpiredSignatureError:`),
handlers that return, raise, abort, `continue` (skipping the item is failing
closed) or set a denial, broad handlers around
code that checks nothing (cleanup, optional features, telemetry) — Bandit's
B110 reports every `except: pass`, which is why it is usually switched off.

**Fix.** "Fail closed: re-raise" replaces the `pass` (or `...`) with
`raise`, or adds `raise` after the logging. When the check passes nothing changes; when it
fails, the error now stops the request instead of being ignored. Catch the
specific exception and refuse the request explicitly if a friendlier answer
is wanted.
"""

from __future__ import annotations

import re
from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.layout import insert_lines_after, line_indent
from ....python.names import calls
from ...base import Explanation, Rule, register

CHECK_CALLS = re.compile(
    r"(?i)(^|[._])(verify\w*|validate\w*|\w*_validate|authenticate\w*|authori[sz]e\w*|check_password|check_perm\w*|"
    r"has_perm\w*|has_role|require_\w+|ensure_(?:auth|admin|owner|perm|role|signed|valid)\w*|check_(?:auth|token|signature|csrf|access|owner|role|admin)\w*|"
    r"compare_digest|is_valid|full_clean|decode_token|validate_token|verify_token|unsign|loads_signed)$"
)
JWT_DECODERS = frozenset({"jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode"})
BROAD = frozenset({"Exception", "BaseException"})
LOGGERS = re.compile(r"^(log|logger|logging|_log|_logger|LOG|LOGGER|app\.logger|current_app\.logger|print|warnings\.warn)\b")
_TRIES = "(try_statement) @try"


def _is_broad(ctx: AnalysisContext, clause: Node) -> bool:
    value = clause.child_by_field_name("value")
    if value is None:
        # bare `except:`; tree-sitter may put the type in a plain child
        types = [c for c in clause.named_children if c.type not in ("block", "comment")]
        if not types:
            return True
        value = types[0]
    if value.type == "as_pattern" and value.named_children:
        value = value.named_children[0]
    if value.type == "tuple":
        return any(ctx.text(item).split(".")[-1] in BROAD for item in value.named_children)
    return ctx.text(value).split(".")[-1] in BROAD


def _swallowing_statement(ctx: AnalysisContext, clause: Node) -> Node | None:
    """The `pass`/`...` of a handler that does nothing else but log."""
    block = next((c for c in clause.named_children if c.type == "block"), None)
    if block is None:
        return None
    statements = [s for s in block.named_children if s.type != "comment"]
    swallow = None
    for statement in statements:
        if statement.type == "pass_statement":
            swallow = statement
        elif statement.type == "expression_statement" and ctx.text(statement) == "...":
            swallow = statement
        elif statement.type == "expression_statement" and LOGGERS.match(ctx.text(statement)):
            continue
        else:
            return None
    return swallow or (statements[-1] if statements else None)


def _check_in(ctx: AnalysisContext, body: Node) -> str | None:
    """A check called for its exception only (its result unused) in `body`.

    `user = jwt.decode(...)` inside the try is the optional-authentication
    pattern: on failure `user` keeps its anonymous default, which fails closed."""
    for call, name in calls(ctx, body):
        statement = call.parent.parent if call.parent is not None and call.parent.type == "await" else call.parent
        if statement is None or statement.type != "expression_statement":
            continue
        function = call.child_by_field_name("function")
        text = ctx.text(function)
        if name in JWT_DECODERS or CHECK_CALLS.search(text):
            return text
    return None


@register
class CheckFailsOpen(Rule):
    id = "PY-EXCEPT-001"
    name = "check-fails-open"
    triggers = ("except",)  # every finding is an except clause
    cwe = 636
    owasp = "A04:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    fix_title = "Fail closed: re-raise"
    summary = "Authentication or validation failure swallowed by a broad except (fails open)"
    explanation = Explanation(
        what="A security check reports failure by raising, and a broad `except` around it ignores the exception.",
        why=(
            "With valid tokens, signatures and forms nothing is raised, so every test passes. With an invalid one "
            "the exception is caught, nothing stops the request, and the code after the `try` runs exactly as if "
            "the check had succeeded: forged signatures, expired tokens and invalid input all get through."
        ),
        hostile_input="A webhook call with `X-Signature: 00` makes `verify_signature()` raise; `except Exception: pass` swallows it and the payload is processed.",
        fix="Let the failure stop the request: catch the specific exception and refuse (`abort(401)`, `raise PermissionDenied`), or re-raise.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for statement in ctx.captures(_TRIES).get("try", []):
            body = statement.child_by_field_name("body")
            checked = _check_in(ctx, body) if body is not None else None
            if checked is None:
                continue
            for clause in statement.children:
                if clause.type != "except_clause" or not _is_broad(ctx, clause):
                    continue
                swallow = _swallowing_statement(ctx, clause)
                if swallow is None:
                    continue
                if ctx.text(swallow) in ("pass", "..."):
                    edit = Edit(swallow.start_byte, swallow.end_byte, "raise")
                else:  # only logging: keep it and re-raise after it
                    edit = insert_lines_after(ctx, swallow, [line_indent(ctx, swallow) + "raise"])
                fixes = (Fix("Fail closed: re-raise", (edit,)),)
                message = f"`{ctx.text(clause).splitlines()[0].rstrip(':').strip()}` swallows a failure of {checked}(): the check fails open; re-raise or refuse the request"
                yield self.finding(ctx, clause, message, fixes=fixes)
