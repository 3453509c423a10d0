"""PY-HASH-003 plaintext-password-storage: a password stored as the user typed it.

**What it finds.** A password from the request or a `password` parameter,
unchanged, written to storage:

* a model created with it (`User(username=..., password=data["password"])`,
  `User.objects.create(password=...)`), where the class is a model of the
  file (SQLAlchemy, Flask-SQLAlchemy, Django, SQLModel, peewee, MongoEngine
  bases), is imported from a `models` module, or is named like a user
  (`User`, `Account`, `Member`);
* the password attribute of a user's record set to it (`user.password =
  form.password.data`, `current_user.password = ...`);
* a raw SQL `INSERT`/`UPDATE` of a password column bound to it
  (`cur.execute("INSERT INTO users (name, password) VALUES (?, ?)", (name, password))`);
* a login that compares a user record's password with the typed one
  (`if user.password == data["password"]`): the stored password is plain
  text (PY-TIMING-001 leaves this comparison to this rule: constant-time
  comparison of plain text is not the fix).

**Not reported.** Values passed through any call first
(`generate_password_hash(pw)`, `bcrypt.hashpw(...)`, `make_password(...)`,
`pwd_context.hash(...)`: PY-HASH-001 judges the hash), hash fields
(`password_hash`, `hashed_password`), Django's `create_user` (it hashes),
schema classes that hold the input on its way in (`UserCreate(password=...)`,
pydantic models), and test code.

No automatic fix: adding a hash changes what is stored and how logins are
checked (`werkzeug.security.generate_password_hash` on write,
`check_password_hash` on login; or `argon2-cffi`, `bcrypt`, Django's
`set_password`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ....context import AnalysisContext
from ....model import Confidence, Finding, Severity
from ....python.dataflow import reaching_definitions
from ....python.names import call_arguments, calls, method_name, qualified_name
from ....python.sensitive import in_test_code, plain_password_field, sql_writes_password, string_literal_value
from ....python.strings import unwrap_parens
from ...base import Explanation, Rule, register

USER_CLASSES = re.compile(r"^(User|Users|UserModel|AppUser|CustomUser|Account|Member|Customer|Admin|Employee|Student|Patient|Profile)$")
USER_RECORD = re.compile(r"^(?:\w+_)?(?:user|account|member|customer|profile|admin|employee|student|patient)$", re.IGNORECASE)
"""Receivers of `x.password = ...` that are a user's record (`user`,
`current_user`, `new_account`), not a connection or context object."""
SCHEMA_CLASSES = re.compile(r"(Schema|Create|Update|In|Input|Form|Serializer|Params|Query|Request|Payload|DTO|Body|Data|Credentials|Login|Register\w*)$")
_KEEPS_TEXT = frozenset({"get", "strip", "str", "lower", "upper", "getlist", "pop", "decode"})
"""Calls that hand the same text on (`data.get("password")`, `pw.strip()`)."""


def _plain_password(ctx: AnalysisContext, value: Node | None, depth: int = 0) -> bool:
    """The value is a password as typed: request data, a form field or a
    `password` parameter, through no call but ones that keep the text."""
    value = unwrap_parens(value)
    if value is None or depth > 3:
        return False
    if value.type == "identifier":
        definitions = reaching_definitions(ctx, value)
        if not definitions:
            return False
        for definition in definitions:
            if definition.kind == "param":
                if not plain_password_field(definition.name):
                    return False
            elif definition.kind != "assign" or not _plain_password(ctx, definition.value, depth + 1):
                return False
        return True
    if value.type == "call":
        function = value.child_by_field_name("function")
        last = ctx.text(function).rsplit(".", 1)[-1] if function is not None else ""
        if last not in _KEEPS_TEXT:
            return False
        receiver = function.child_by_field_name("object") if function is not None and function.type == "attribute" else None
        positional, _keywords = call_arguments(ctx, value)
        if last in ("get", "getlist", "pop"):
            return bool(positional) and plain_password_field(string_literal_value(ctx, positional[0]))
        return _plain_password(ctx, receiver if receiver is not None else (positional[0] if positional else None), depth + 1)
    if value.type == "subscript":
        return plain_password_field(string_literal_value(ctx, value.child_by_field_name("subscript")))
    if value.type == "attribute":
        attribute = ctx.text(value.child_by_field_name("attribute"))
        if attribute == "data":  # WTForms: form.password.data
            inner = unwrap_parens(value.child_by_field_name("object"))
            return inner is not None and inner.type == "attribute" and plain_password_field(ctx.text(inner.child_by_field_name("attribute")))
        return plain_password_field(attribute) and ctx.text(value.child_by_field_name("object")) in ("form", "data", "body", "payload", "request.form", "request.json")
    return False


def plaintext_check(ctx: AnalysisContext, left: Node, right: Node) -> Node | None:
    """`user.password == data["password"]`: a login that compares the stored
    password with the typed one, so the stored one is plain text. The stored
    side, or None."""
    for stored, typed in ((left, right), (right, left)):
        stored = unwrap_parens(stored)
        if stored is None or stored.type != "attribute" or not plain_password_field(ctx.text(stored.child_by_field_name("attribute"))):
            continue
        if USER_RECORD.match(ctx.text(stored.child_by_field_name("object")).rsplit(".", 1)[-1]) and _plain_password(ctx, typed):
            return stored
    return None


def _is_model(ctx: AnalysisContext, function: Node) -> bool:
    name = ctx.text(function).rsplit(".", 1)[-1]
    if not name[:1].isupper() or SCHEMA_CLASSES.search(name):
        return False
    model = ctx.facts.get("models", {}).get(name)
    if model is not None and model.get("defined"):
        return True
    imported = (qualified_name(ctx, function) or "").lower()
    return ".models." in f".{imported}" or imported.startswith("models.") or bool(USER_CLASSES.match(name))


@register
class PlaintextPasswordStorage(Rule):
    id = "PY-HASH-003"
    name = "plaintext-password-storage"
    # every finding stores a value into a field, keyword or SQL column named like a password
    triggers = ("pass", "pwd", "pw")
    triggers_ignore_case = True
    cwe = 256
    owasp = "A02:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("python",)
    summary = "Password stored as typed (no password hash)"
    explanation = Explanation(
        what="The user's password is written to the database exactly as they typed it.",
        why=(
            "Sign-up and login work, since the login compares the stored text with the typed one. But every copy of "
            "the database (a backup, a replica, a SQL injection, a curious admin) now shows every user's password, "
            "and most people use the same password elsewhere: one leak opens their mail and bank accounts too."
        ),
        hostile_input="A single `UNION SELECT username, password FROM users` (or a leaked backup) hands the attacker every password in clear.",
        fix=(
            "Store a slow salted hash and verify it at login: `user.password_hash = generate_password_hash(password)` and "
            "`check_password_hash(user.password_hash, password)` (Werkzeug), `make_password`/`set_password` (Django), "
            "`argon2.PasswordHasher().hash(...)`; migrate existing rows by hashing at the next login or resetting."
        ),
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call, name in calls(ctx):
            yield from self._check_call(ctx, call, name or "")
        for assignment in ctx.captures("(assignment left: (attribute) @target right: (_) @value) @a").get("a", []):
            target = assignment.child_by_field_name("left")
            receiver = ctx.text(target.child_by_field_name("object"))
            if not USER_RECORD.match(receiver.rsplit(".", 1)[-1]) or not plain_password_field(ctx.text(target.child_by_field_name("attribute"))):
                continue
            if _plain_password(ctx, assignment.child_by_field_name("right")) and not in_test_code(ctx, assignment):
                yield self.finding(ctx, assignment, f"`{ctx.text(target)}` is set to the password as typed: a leak of the database shows every password; store a salted password hash")

        for comparison in ctx.captures("(comparison_operator) @c").get("c", []):
            operators = [c.type for c in comparison.children if not c.is_named]
            operands = comparison.named_children
            if operators not in (["=="], ["!="]) or len(operands) != 2:
                continue
            stored = plaintext_check(ctx, operands[0], operands[1])
            if stored is not None and not in_test_code(ctx, comparison):
                yield self.finding(ctx, comparison, f"`{ctx.text(stored)}` is compared with the typed password, so passwords are stored as typed: store a salted password hash and verify it (check_password_hash)")

    def _check_call(self, ctx: AnalysisContext, call: Node, name: str) -> Iterator[Finding]:
        function = call.child_by_field_name("function")
        if function is None:
            return
        method = method_name(ctx, call)
        positional, keywords = call_arguments(ctx, call)
        if method in ("execute", "executemany") and positional:
            finding = self._check_sql(ctx, call, positional)
            if finding is not None:
                yield finding
            return
        if method == "create_user" or name.endswith("create_user"):
            return  # Django's and most user managers' create_user hash the password
        constructor = function.type == "identifier" or (function.type == "attribute" and (method or "")[:1].isupper())
        model_call = constructor and _is_model(ctx, function)
        orm_create = method in ("create", "get_or_create", "update_or_create") and ".objects" in ctx.text(function)
        if not (model_call or orm_create):
            return
        for keyword, value in keywords.items():
            if plain_password_field(keyword) and _plain_password(ctx, value) and not in_test_code(ctx, call):
                yield self.finding(ctx, value, f"`{keyword}=` stores the password as typed: a leak of the database shows every password; store a salted password hash")
                return

    def _check_sql(self, ctx: AnalysisContext, call: Node, positional: list[Node]) -> Finding | None:
        sql = string_literal_value(ctx, unwrap_parens(positional[0]))
        if not sql_writes_password(sql) or len(positional) < 2:
            return None
        params = unwrap_parens(positional[1])
        values = params.named_children if params is not None and params.type in ("tuple", "list") else [params]
        plain = next((v for v in values if v is not None and _plain_password(ctx, v)), None)
        if plain is None or in_test_code(ctx, call):
            return None
        return self.finding(ctx, plain, "the password is written to the database as typed: a leak of the table shows every password; store a salted password hash")
