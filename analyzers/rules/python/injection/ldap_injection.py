"""PY-LDAP-001 ldap-injection-filter-from-input: LDAP search filter built from values without escaping.

**What it finds.** The filter of an ldap3 `Connection.search(base, filter,
...)` or a python-ldap `search`/`search_s`/`search_ext(_s)`/`search_st(base,
scope, filterstr)` built with an f-string, `%`, `+` or `.format()` from a
value that is not constant and not escaped, inline or in a variable first.
Request data in the filter makes it high-confidence; a value of unknown
origin (a helper's parameter) medium.

python-ldap also accepts a filter without parentheses (`f"uid={name}"`), so
there a built string with `=` counts as a filter.

**Not reported.** Constant filters, values passed through
`escape_filter_chars()` (ldap3's `ldap3.utils.conv` or python-ldap's
`ldap.filter`), numbers, allow-listed values.

**Fix.** "Escape filter values" wraps each value in `escape_filter_chars()`
(imported from the library the file uses). Letters, digits and ordinary
punctuation are unchanged, so benign searches return the same entries;
`*`, `(`, `)`, `\\` and NUL in the input are escaped and match literally.
"""

from __future__ import annotations

from typing import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Fix, Severity
from ....python.arguments import argument_value
from ....python.dataflow import built_string_of
from ....python.names import calls, imports_module_here, method_name
from ....python.strings import unwrap_parens
from ....python.taint import input_holes, sink_taint
from ....python.taint_specs import LDAP, LOCAL, REQUEST
from ....python.wrapping import wrap_holes
from ...base import Explanation, Rule, register
from ._whole_query import WholeQueryMixin

LDAP3_METHODS = {"search": ("search_filter", 1), "extend_search": ("search_filter", 1)}
PYTHON_LDAP_METHODS = {
    "search": ("filterstr", 2), "search_s": ("filterstr", 2), "search_st": ("filterstr", 2),
    "search_ext": ("filterstr", 2), "search_ext_s": ("filterstr", 2),
}
_INPUT = frozenset({REQUEST, LOCAL})


@register
class LdapInjection(WholeQueryMixin, Rule):
    id = "PY-LDAP-001"
    name = "ldap-injection-filter-from-input"
    cwe = 90
    owasp = "A03:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    family_label = "LDAP injection"
    fix_title = "Escape filter values"
    # the search method is named in the unit; the import that enables the rule may be elsewhere
    triggers = tuple(sorted({*LDAP3_METHODS, *PYTHON_LDAP_METHODS}))
    summary = "LDAP search filter built from unescaped values"
    explanation = Explanation(
        what="An LDAP search filter is assembled from values at run time without escaping LDAP filter syntax.",
        why=(
            "A login or directory lookup by user name works for every real name. But `*`, `(`, `)` and `|` in the "
            "value change the filter's logic: a wildcard matches every entry, an injected `)(` clause bypasses the "
            "password or group condition."
        ),
        hostile_input="`*)(uid=*))(|(uid=*` as the user name turns `(&(uid={user})(userPassword={pw}))` into a filter that matches any account.",
        fix="Escape every value with `escape_filter_chars()` (`ldap3.utils.conv` or `ldap.filter`) before putting it into the filter.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        ldap3 = imports_module_here(ctx, "ldap3")
        python_ldap = imports_module_here(ctx, "ldap")
        if not (ldap3 or python_ldap):
            return
        for call, _name in calls(ctx):
            method = method_name(ctx, call)
            table = LDAP3_METHODS if ldap3 else PYTHON_LDAP_METHODS
            if method not in table:
                continue
            keyword, position = table[method]
            query = argument_value(ctx, call, keyword, position=position)
            finding = self._check(ctx, call, query, ldap3)
            if finding is not None:
                yield finding

    def _check(self, ctx: AnalysisContext, call: Node, query: Node | None, ldap3: bool) -> Finding | None:
        query = unwrap_parens(query)
        if query is None:
            return None
        built, _definition = built_string_of(ctx, query)
        if built is None:
            return self._whole_query(ctx, call, query, "search filter", LDAP)
        text = ctx.text(built.node)
        if "(" not in text and (ldap3 or "=" not in text):
            return None  # python-ldap (OpenLDAP) also takes a bare `uid=...` filter; ldap3 rejects it
        holes = input_holes(ctx, built, LDAP, kinds=_INPUT)
        if not holes:
            return None
        taint = sink_taint(ctx, holes, LDAP, kinds=_INPUT)
        origin = f"input from {taint.source} (line {taint.line})" if taint else "unescaped values"
        module = "ldap3.utils.conv" if ldap3 else "ldap.filter"
        edits = wrap_holes(built, holes, "escape_filter_chars")
        fix = Fix("Escape filter values", tuple(edits), (f"from {module} import escape_filter_chars",)) if edits else None
        return self.finding(
            ctx, call, f"LDAP injection: search filter built from {origin}; escape it with escape_filter_chars()",
            fixes=(fix,) if fix else (), confidence=Confidence.HIGH if taint else None,
        )
