"""PY-REDOS-001 regex-from-input: a regular expression compiled from client input.

**What it finds.** `re`/`regex` `compile`, `search`, `match`, `fullmatch`,
`findall`, `finditer`, `sub`, `subn` and `split` whose *pattern* comes from a
request, whole or spliced into a larger pattern (`f"^{prefix}.*"`); pandas
`Series.str.contains/match/extract/findall/count/replace` with a pattern from
a request (unless `regex=False`); Django lookups `field__regex=` /
`field__iregex=` with a value from a request.

**Not reported.** Patterns passed through `re.escape()`, constant patterns
applied to input (the input is the *subject*, which is safe for linear-time
patterns), and patterns from the command line or the environment.

**Fix.** "Escape input with re.escape" wraps the client's part of the pattern
in `re.escape(...)` (only the spliced-in holes when the pattern is built, so
the author's own regex syntax keeps working) and adds `import re`. Input
without regex metacharacters matches exactly as before; metacharacters now
match themselves, which is what a search box or a name filter means. Where
users are meant to write regular expressions, use a linear-time engine
(`google-re2`) with a length limit instead of this fix.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....common.names import last_parts
from ....context import AnalysisContext
from ....model import Confidence, Edit, Finding, Fix, Severity
from ....python.arguments import argument_value, keyword_argument
from ....python.inputs import remote_taint
from ....python.names import calls_named
from ....python.strings import built_string, unwrap_parens
from ...base import Explanation, Rule, register

REGEX_FUNCTIONS = frozenset(
    f"{module}.{function}"
    for module in ("re", "regex")
    for function in ("compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split")
)
PANDAS_STR_METHODS = frozenset({"contains", "match", "fullmatch", "extract", "extractall", "findall", "count", "replace", "split"})
_KEYWORDS = "(keyword_argument name: (identifier) @name value: (_) @value) @keyword"


_LAST_NAMES = last_parts(REGEX_FUNCTIONS) | PANDAS_STR_METHODS
"""The last part of the name of every call the rule looks at (a pandas `.str` method is matched by its attribute)."""


@register
class RegexFromInput(Rule):
    id = "PY-REDOS-001"
    name = "regex-from-input"
    cwe = 1333
    owasp = "A03:2021"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    languages = ("python",)
    fix_title = "Escape input with re.escape"
    # a re/regex function's last name, a pandas `.str` method, a Django `__regex`/`__iregex` keyword
    triggers = tuple(sorted(last_parts(REGEX_FUNCTIONS) | PANDAS_STR_METHODS | {"__regex", "__iregex"}))
    summary = "Regular expression built from client input (ReDoS, regex injection)"
    explanation = Explanation(
        what="Text from the client is used as (part of) a regular-expression pattern.",
        why=(
            "Searching for `alice` or `report-2024` works, so it looks like a plain text filter. But the client "
            "writes regex syntax: a pattern with nested quantifiers makes Python's backtracking engine take "
            "exponential time on a short subject, pinning a CPU per request (ReDoS), and metacharacters change what "
            "matches (`.*` matches every record)."
        ),
        hostile_input="`?q=(a+)+$` against a 30-character subject `aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!` runs for minutes.",
        fix="Escape the input (`re.escape(q)`) when a literal match is meant; if users must write patterns, use `re2` with a length limit.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls_named(ctx, _LAST_NAMES):
            pattern = None
            if name in REGEX_FUNCTIONS:
                pattern = argument_value(ctx, call, "pattern", 0)
            elif self._is_pandas_str_call(ctx, call):
                pattern = argument_value(ctx, call, "pat", 0)
            if pattern is not None:
                finding = self._report(ctx, pattern, call)
                if finding is not None:
                    yield finding
        for match in ctx.matches(_KEYWORDS):
            if ctx.text(match["name"][0]).endswith(("__regex", "__iregex")):
                finding = self._report(ctx, match["value"][0], match["keyword"][0])
                if finding is not None:
                    yield finding

    def _is_pandas_str_call(self, ctx: AnalysisContext, call: Node) -> bool:
        function = call.child_by_field_name("function")
        if function.type != "attribute" or ctx.text(function.child_by_field_name("attribute")) not in PANDAS_STR_METHODS:
            return False
        receiver = function.child_by_field_name("object")
        if receiver.type != "attribute" or ctx.text(receiver.child_by_field_name("attribute")) != "str":
            return False
        regex = keyword_argument(ctx, call, "regex")
        return regex is None or unwrap_parens(regex.child_by_field_name("value")).type != "false"

    def _report(self, ctx: AnalysisContext, pattern: Node, anchor: Node) -> Finding | None:
        taint = remote_taint(ctx, pattern)
        if taint is None:
            return None
        message = f"Regular expression built from {taint.source} (line {taint.line}): catastrophic backtracking (ReDoS) and regex injection; escape it with re.escape"
        fix = self._fix(ctx, pattern)
        return self.finding(ctx, anchor, message, fixes=(fix,) if fix else ())

    def _fix(self, ctx: AnalysisContext, pattern: Node) -> Fix | None:
        pattern = unwrap_parens(pattern)
        built = built_string(ctx, pattern)
        if built is None:
            targets = [pattern]
        elif built.segments is None or built.method not in ("fstring", "concat"):
            return None
        else:
            targets = [hole for hole in built.holes if remote_taint(ctx, hole) is not None]
        if not targets:
            return None
        edits = []
        for target in targets:
            text = ctx.text(target)
            if built is not None and built.method == "fstring" and ("\\" in text or "\n" in text):
                return None
            edits.append(Edit(target.start_byte, target.end_byte, f"re.escape({text})"))
        return Fix("Escape input with re.escape", tuple(edits), imports=("import re",))
