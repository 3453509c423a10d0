"""PY-BOUNDS-001 unbounded-size-from-input: a client's number used as a size, count or offset without limits.

**What it finds.** A number from a request (`int(request.args["n"])`,
`request.args.get("n", type=int)`, a JSON number, a route parameter
`<int:n>` or `n: int`) that reaches, without an upper bound:
`range()`, sequence repetition (`"x" * n`, `[0] * n`), allocation
(`bytearray(n)`, `bytes(n)`, `numpy.zeros/ones/empty/full(n)`,
`itertools.repeat(x, n)`, `os.urandom(n)`, `secrets.token_*(n)`), stream
reads and offsets (`.read(n)`, `.readline(n)`, `.recv(n)`, `.seek(n)`,
`.truncate(n)`), sleeps (`time.sleep(n)`, `asyncio.sleep(n)`), and page
sizes sent to the database (`.limit(n)`, `.fetchmany(n)`,
`.paginate(per_page=n)`, Django queryset slices `Model.objects...[:n]`).

**Not reported.** Values compared with a bound before the use in the same
function (`if n > MAX_ITEMS: abort(400)`, `0 < n <= 100`, `n in range(...)`),
values passed through `min()`/`max()`/`clamp()`, FastAPI/pydantic parameters
declared with `le=`/`lt=` (`Query(10, le=100)`, `conint(le=100)`), and
numbers that do not come from the client. Plain indexing and slicing of
in-memory lists is not reported: it cannot allocate more than the list holds.

No automatic fix: the right limit depends on the endpoint.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext, share_unit_queries
from ....model import Confidence, Finding, Severity
from ....python.arguments import argument_value
from ....python.dataflow import reaching_definitions
from ....python.guards import bounds_checked
from ....python.inputs import numeric_input
from ....python.names import calls_named, method_name, qualified_name
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

# qualified function -> (keyword, position) of its size argument
SIZE_FUNCTIONS: dict[str, tuple[str, int]] = {
    "bytearray": ("source", 0),
    "bytes": ("source", 0),
    "numpy.zeros": ("shape", 0),
    "numpy.ones": ("shape", 0),
    "numpy.empty": ("shape", 0),
    "numpy.full": ("shape", 0),
    "numpy.arange": ("stop", 0),
    "itertools.repeat": ("times", 1),
    "os.urandom": ("size", 0),
    "secrets.token_bytes": ("nbytes", 0),
    "secrets.token_hex": ("nbytes", 0),
    "secrets.token_urlsafe": ("nbytes", 0),
    "time.sleep": ("secs", 0),
    "asyncio.sleep": ("delay", 0),
}
SIZE_METHODS: dict[str, tuple[str, int]] = {
    "read": ("size", 0),
    "readline": ("size", 0),
    "readlines": ("hint", 0),
    "recv": ("bufsize", 0),
    "seek": ("offset", 0),
    "truncate": ("size", 0),
    "limit": ("limit", 0),
    "fetchmany": ("size", 0),
}
BOUND_CALLS = frozenset({"min", "max", "clamp", "numpy.clip"})
BOUND_KEYWORDS = ("le=", "lt=", "max_value=", "maximum=")
_SIZE_NAMES = last_parts(SIZE_FUNCTIONS) | SIZE_METHODS.keys() | {"range", "paginate"}
"""The last part of the name of every call `_call_sizes` looks at."""
_REPETITIONS = "(binary_operator left: (_) @left operator: \"*\" right: (_) @right) @product"
share_unit_queries("python", _REPETITIONS)
_SLICES = "(subscript value: (_) @value subscript: (slice) @slice) @subscript"
_SEQUENCE_LITERALS = ("string", "list", "tuple", "concatenated_string", "list_comprehension")


def _clamped(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> bool:
    """`min(n, MAX)`, or a name whose every definition is clamped or declared with `le=`."""
    node = unwrap_parens(node)
    if node is None or depth > 6:
        return False
    if node.type == "call":
        return qualified_name(ctx, node.child_by_field_name("function")) in BOUND_CALLS
    if node.type == "identifier":
        definitions = reaching_definitions(ctx, node)
        if not definitions:
            return False
        for definition in definitions:
            if definition.kind == "param":
                declared = ctx.text(definition.statement)
                if not any(keyword in declared for keyword in BOUND_KEYWORDS):
                    return False
            elif not _clamped(ctx, definition.value, depth + 1):
                return False
        return True
    return False


@register
class UnboundedSizeFromInput(Rule):
    id = "PY-BOUNDS-001"
    name = "unbounded-size-from-input"
    cwe = 770
    owasp = "A04:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    languages = ("python",)
    # every sink: `range`, a SIZE_FUNCTIONS/SIZE_METHODS name or `paginate`, a repetition (`*`), or a slice
    # of a receiver whose text holds `.objects` or `query` in any case (hence case-insensitive triggers)
    triggers = (
        "range", *sorted(last_parts(SIZE_FUNCTIONS)), *sorted(SIZE_METHODS), "paginate",
        "*", "objects", "query",
    )
    triggers_ignore_case = True
    summary = "Number from the request used as a size, count, offset or page size without an upper bound"
    explanation = Explanation(
        what="A number the client chose decides how much the server allocates, loops, reads, sleeps or fetches.",
        why=(
            "With the values the UI sends (10, 50) everything is fast, so it passes tests. But nothing stops a client "
            "from sending 10**9: one request then allocates gigabytes, loops for minutes, dumps a whole table or "
            "holds a worker asleep, and a handful of such requests take the service down."
        ),
        hostile_input="`GET /report?rows=1000000000` makes `range(rows)` spin for minutes; `?per_page=10000000` returns the entire table.",
        fix="Validate the number against explicit limits before using it (`if not 1 <= n <= 100: abort(400)`), clamp it (`n = min(n, 100)`), or declare it (`Query(10, ge=1, le=100)`).",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls_named(ctx, _SIZE_NAMES):
            for value, use in self._call_sizes(ctx, call, name or ""):
                # bytes(request.data) converts data; only bytes(<number>) allocates
                finding = self._report(ctx, value, use, converted_only=name in ("bytes", "bytearray"))
                if finding is not None:
                    yield finding
        unit_text = ctx.source[ctx.unit.start_byte : ctx.unit.end_byte]
        repetitions = ctx.matches(_REPETITIONS) if b"*" in unit_text else ()
        # a slice counts only on a receiver whose text holds `.objects` or `query`
        lowered = unit_text.lower()
        slices = ctx.matches(_SLICES) if b"objects" in lowered or b"query" in lowered else ()
        for match in repetitions:
            left, right = unwrap_parens(match["left"][0]), unwrap_parens(match["right"][0])
            for sequence, count in ((left, right), (right, left)):
                if sequence.type in _SEQUENCE_LITERALS:
                    finding = self._report(ctx, count, "repetition (`*`)")
                    if finding is not None:
                        yield finding
        for match in slices:
            receiver = ctx.text(match["value"][0])
            if ".objects" in receiver or "query" in receiver.lower():
                for bound in match["slice"][0].named_children:
                    finding = self._report(ctx, bound, "a database query slice (LIMIT)")
                    if finding is not None:
                        yield finding

    def _call_sizes(self, ctx: AnalysisContext, call: Node, name: str) -> Iterator[tuple[Node, str]]:
        if name == "range":
            args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
            if args:
                yield (args[0] if len(args) == 1 else args[1]), "range()"
            return
        if name in SIZE_FUNCTIONS:
            keyword, position = SIZE_FUNCTIONS[name]
            value = argument_value(ctx, call, keyword, position)
            if value is not None:
                yield value, f"{name}()"
            return
        method = method_name(ctx, call)
        if method in SIZE_METHODS:
            keyword, position = SIZE_METHODS[method]
            value = argument_value(ctx, call, keyword, position)
            if value is not None:
                yield value, f".{method}()"
        elif method == "paginate":
            value = argument_value(ctx, call, "per_page", 1)
            if value is not None:
                yield value, ".paginate(per_page=)"

    def _report(self, ctx: AnalysisContext, value: Node, use: str, converted_only: bool = False) -> Finding | None:
        value = unwrap_parens(value)
        if value is None:
            return None
        taint = numeric_input(ctx, value, converted_only=converted_only)
        if taint is None or _clamped(ctx, value) or bounds_checked(ctx, value):
            return None
        message = f"Number from {taint.source} (line {taint.line}) used in {use} without an upper bound: one request can exhaust memory, CPU or the database"
        return self.finding(ctx, value, message)
