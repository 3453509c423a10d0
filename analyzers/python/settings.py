"""Framework settings written in code: where Flask/Django configuration keys get their values.

Flask and Django configuration appears in a handful of shapes, and rules about
settings (secret keys, cookie flags, debug mode) need all of them:

    SECRET_KEY = "..."                       # Django settings module, config class attribute
    app.config["SESSION_COOKIE_SECURE"] = False
    app.secret_key = "..."                   # Flask attribute shortcuts
    app.config.update(SECRET_KEY="...")      # also from_mapping(...)
    app.config.update({"SECRET_KEY": "..."}) # also dict(...)

`config_assignments()` yields each (key, value node) of the unit. Keys are
reported only when they look like settings (UPPER_CASE names, or the attribute
shortcuts in ATTRIBUTE_KEYS), so ordinary variables never match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from tree_sitter import Node

from ..context import AnalysisContext
from .names import call_arguments, method_name, qualified_name
from .sensitive import string_literal_value
from .strings import unwrap_parens

ATTRIBUTE_KEYS = {"secret_key": "SECRET_KEY", "debug": "DEBUG", "permanent_session_lifetime": "PERMANENT_SESSION_LIFETIME"}
CONFIG_METHODS = frozenset({"update", "from_mapping", "setdefault"})
_SETTING = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ASSIGN_QUERY = "(assignment left: (_) @left right: (_) @right)"
_CALL_QUERY = "(call function: (attribute) @function) @call"
_DEV_CLASS = re.compile(r"(Dev|Debug|Local|Test)", re.IGNORECASE)


@dataclass(frozen=True)
class Setting:
    key: str
    value: Node
    target: Node  # the assignment target, keyword or dict pair that names the key


def _assigned_key(ctx: AnalysisContext, left: Node) -> str | None:
    if left.type == "identifier":
        name = ctx.text(left)
        return name if _SETTING.match(name) else None
    if left.type == "attribute":
        attr = ctx.text(left.child_by_field_name("attribute"))
        if attr in ATTRIBUTE_KEYS:
            return ATTRIBUTE_KEYS[attr]
        return attr if _SETTING.match(attr) else None  # settings.SESSION_COOKIE_SECURE = ...
    if left.type == "subscript":
        container = ctx.text(left.child_by_field_name("value"))
        key = string_literal_value(ctx, left.child_by_field_name("subscript"))
        if key and _SETTING.match(key) and (container.endswith("config") or container.endswith("settings")):
            return key
    return None


def _dict_entries(ctx: AnalysisContext, node: Node | None) -> Iterator[Setting]:
    node = unwrap_parens(node)
    if node is None:
        return
    if node.type == "dictionary":
        for pair in node.named_children:
            if pair.type == "pair":
                key = string_literal_value(ctx, pair.child_by_field_name("key"))
                if key and _SETTING.match(key):
                    yield Setting(key, pair.child_by_field_name("value"), pair)
    elif node.type == "call" and qualified_name(ctx, node.child_by_field_name("function")) == "dict":
        yield from _keyword_entries(ctx, node)


def _keyword_entries(ctx: AnalysisContext, call: Node) -> Iterator[Setting]:
    args = call.child_by_field_name("arguments")
    for child in args.named_children if args is not None else ():
        if child.type == "keyword_argument":
            key = ctx.text(child.child_by_field_name("name"))
            if _SETTING.match(key):
                yield Setting(key, child.child_by_field_name("value"), child)


def config_assignments(ctx: AnalysisContext) -> Iterator[Setting]:
    """Every configuration key set in the unit, with the node of its value."""
    for match in ctx.matches(_ASSIGN_QUERY):
        left = unwrap_parens(match["left"][0])
        key = _assigned_key(ctx, left) if left is not None else None
        if key is not None:
            yield Setting(key, unwrap_parens(match["right"][0]), left)
    for match in ctx.matches(_CALL_QUERY):
        call = match["call"][0]
        if method_name(ctx, call) not in CONFIG_METHODS:
            continue
        receiver = ctx.text(match["function"][0].child_by_field_name("object"))
        if not receiver.endswith("config"):
            continue
        yield from _keyword_entries(ctx, call)
        for arg in call_arguments(ctx, call)[0]:
            yield from _dict_entries(ctx, arg)


def in_development_settings(ctx: AnalysisContext, node: Node) -> bool:
    """Inside a `DevelopmentConfig`/`TestConfig`-style class or an `if DEBUG:` block."""
    parent = node.parent
    while parent is not None:
        if parent.type == "class_definition" and _DEV_CLASS.search(ctx.text(parent.child_by_field_name("name"))):
            return True
        if parent.type in ("if_statement", "elif_clause"):
            condition = ctx.text(parent.child_by_field_name("condition"))
            if re.search(r"\bDEBUG\b|\bdebug\b|development|testing", condition) and "not " not in condition:
                return True
        parent = parent.parent
    return False
