"""PY-ERR-001 exception-details-in-response: a route sends the caught exception (or a traceback) to the client.

**What it finds.** In a Flask, Django or FastAPI route handler, an `except`
block whose response carries the exception: `return jsonify(error=str(e)),
500`, `return {"detail": repr(e)}`, `return f"failed: {e}"`,
`raise HTTPException(status_code=500, detail=str(exc))`, `abort(500, str(e))`,
`HttpResponse(traceback.format_exc())`, when the handler catches everything
(`except Exception`, `except BaseException`, a bare `except:`) or answers
with a 5xx status.

**Not reported.** Narrow handlers answering 4xx (`except ValueError as e:
raise HTTPException(400, detail=str(e))`: a validation message the client
needs), the exception's class name only (`type(e).__name__`), responses that
do not mention the exception, logging calls, and test code.

No automatic fix: log the exception (`logger.exception(...)`) and return a
generic message, with an id to find the log entry if support needs it.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ....common.syntax import descendants
from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.dataflow import enclosing_function
from ....python.names import qualified_name
from ....python.sensitive import in_test_code
from ....python.strings import unwrap_parens
from ....python.taint import is_route_handler
from ...base import Explanation, Rule, register

BROAD = frozenset({"Exception", "BaseException"})
TRACEBACK_CALLS = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.format_stack"})
ERROR_RESPONSES = frozenset({"HTTPException", "abort"})
_TEXT_ATTRIBUTES = frozenset({"args", "message", "msg", "detail", "details", "orig", "strerror", "filename", "reason", "text", "output", "stderr"})
_EXCEPT = "(except_clause) @except"
_SKIP = frozenset({"function_definition", "lambda", "class_definition"})


def _caught(ctx: AnalysisContext, clause: Node) -> tuple[bool, str | None]:
    """(catches everything, the name the exception is bound to)."""
    pattern = next((c for c in clause.named_children if c.type != "block"), None)
    if pattern is None:
        return True, None  # bare `except:`
    name = None
    if pattern.type == "as_pattern":
        target = next((c for c in pattern.named_children if c.type == "as_pattern_target"), None)
        name = ctx.text(target) if target is not None and target.named_children else None
        pattern = pattern.named_children[0]
    types = pattern.named_children if pattern.type == "tuple" else [pattern]
    return any(ctx.text(t).rsplit(".", 1)[-1] in BROAD for t in types), name


def _leak(ctx: AnalysisContext, node: Node, name: str | None) -> Node | None:
    """The part of a response expression that carries the exception's text."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in _SKIP:
            continue
        if current.type == "call":
            function = current.child_by_field_name("function")
            called = qualified_name(ctx, function) or ""
            if called in TRACEBACK_CALLS:
                return current
            if called == "type":
                continue  # `type(e).__name__`: the class name only
            if name is not None and called in ("str", "repr") and _mentions(ctx, current.child_by_field_name("arguments"), name):
                return current
        elif current.type == "identifier" and name is not None and ctx.text(current) == name:
            parent = current.parent
            # `e` interpolated, formatted, concatenated, or put in a container of the response
            if parent is not None and parent.type in ("interpolation", "argument_list", "pair", "list", "tuple", "binary_operator", "keyword_argument"):
                return current
            if parent is not None and parent.type == "attribute" and ctx.text(parent.child_by_field_name("attribute")) in _TEXT_ATTRIBUTES:
                return parent  # `e.args`, `e.orig`, `e.strerror`: the message itself (not `e.__class__.__name__`)
        stack.extend(reversed(current.named_children))
    return None


def _mentions(ctx: AnalysisContext, node: Node | None, name: str) -> bool:
    return node is not None and any(ctx.text(c) == name for c in descendants(node, ("identifier",)))


def _server_error(ctx: AnalysisContext, response: Node) -> bool:
    """The response says 5xx: `..., 500`, `status_code=500`, `abort(500, ...)`."""
    return any(len(ctx.text(n)) == 3 and ctx.text(n).startswith("5") for n in descendants(response, ("integer",)))


@register
class ExceptionDetailsInResponse(Rule):
    id = "PY-ERR-001"
    name = "exception-details-in-response"
    # every finding is inside an `except` clause
    triggers = ("except",)
    cwe = 209
    owasp = "A04:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("python",)
    summary = "Caught exception or traceback sent to the client"
    explanation = Explanation(
        what="The handler puts the text of an unexpected exception (or the whole traceback) into the HTTP response.",
        why=(
            "It makes failures easy to debug and every request that works is unaffected, so it stays. But the text "
            "of an arbitrary exception is whatever the failing library wrote: SQL statements with table and column "
            "names, file paths, hostnames and ports, library versions, sometimes a connection string with its "
            "password. Attackers trigger errors on purpose to read it and plan the next step."
        ),
        hostile_input="`POST /orders` with `{\"qty\": \"1' OR\"}` returns `{\"error\": \"(psycopg2.errors.SyntaxError) ... SELECT ... FROM orders WHERE ...\"}`.",
        fix="Log the exception (`logger.exception(\"order failed\")`) and return a generic message (`{\"error\": \"internal error\"}`, 500), optionally with an id that finds the log entry.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for clause in ctx.captures(_EXCEPT).get("except", []):
            function = enclosing_function(clause)
            if function is None or function.type != "function_definition" or not is_route_handler(ctx, function):
                continue
            broad, name = _caught(ctx, clause)
            body = next((c for c in clause.named_children if c.type == "block"), None)
            for response in self._responses(ctx, body):
                leak = _leak(ctx, response, name)
                if leak is not None and (broad or _server_error(ctx, response)) and not in_test_code(ctx, clause):
                    yield self.finding(ctx, leak, "The caught exception is sent to the client: its text can hold SQL, paths, hosts or secrets; log it and return a generic message")
                    break

    @staticmethod
    def _responses(ctx: AnalysisContext, body: Node | None) -> Iterator[Node]:
        """Return values and raised/aborted error responses of the except block (not nested functions)."""
        if body is None:
            return
        stack = [body]
        while stack:
            current = stack.pop()
            if current.type in _SKIP:
                continue
            if current.type == "return_statement" and current.named_children:
                yield current.named_children[0]
            elif current.type == "raise_statement" and current.named_children:
                raised = unwrap_parens(current.named_children[0])
                if raised is not None and raised.type == "call" and (qualified_name(ctx, raised.child_by_field_name("function")) or "").rsplit(".", 1)[-1] in ERROR_RESPONSES:
                    yield raised
            elif current.type == "call" and (qualified_name(ctx, current.child_by_field_name("function")) or "").rsplit(".", 1)[-1] == "abort":
                yield current
                continue
            stack.extend(reversed(current.named_children))

