"""JS-HASH-002 plaintext-password-storage: a password stored as the user typed it.

**What it finds.** A password from the request body or a `password`
parameter, through no call, written to storage: an ORM/ODM create or update
(`User.create({ email, password })`, `new User({ password: req.body.password })`,
`prisma.user.create({ data: { email, password } })`, `User.build(...)`,
`users.insertOne({ ... })`, `User.update({ password }, ...)`), or a raw SQL
`INSERT`/`UPDATE` of a password column bound to it
(`db.query("INSERT INTO users (email, password) VALUES (?, ?)", [email, password])`).

**Not reported.** Values that went through a call first (`await
bcrypt.hash(password, 12)`, `argon2.hash(...)`: JS-HASH-001 judges the
hash), hash fields (`passwordHash`, `hashedPassword`), Mongoose/Sequelize
models defined in another file (their schema usually hashes in a
`pre("save")` hook or a setter, which this file cannot show) or in this file
with such a hook, and test code.

No automatic fix: hashing changes what is stored and how logins are checked
(`bcrypt.hash` on write, `bcrypt.compare` on login).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...common.names import calls_in, method_name
from ...context import AnalysisContext
from ...javascript.flow import SYN, reaching_definitions
from ...javascript.queries import object_fields
from ...javascript.strings import literal_value
from ...javascript.testcode import in_test_code
from ...model import Confidence, Finding, Severity
from ...python.sensitive import plain_password_field, sql_writes_password
from ..base import Explanation, Rule, register

WRITE_METHODS = frozenset({"create", "insertOne", "insertMany", "insert", "build", "update", "updateOne", "findOneAndUpdate", "findByIdAndUpdate", "upsert", "save"})
SQL_METHODS = frozenset({"query", "execute", "run", "none", "one", "oneOrNone", "any", "many"})
_REQUEST_BODY = re.compile(r"^(req|request|ctx\.request|ctx)\.(body|query|params)$")
_MODEL_DEFINITION = re.compile(r"new\s+(?:mongoose\.)?Schema\s*\(|mongoose\.model\s*\(|\.define\s*\(\s*['\"]|\bModel\.init\s*\(|extends\s+Model\b")
_HASHING_HOOK = re.compile(r"(\.pre\s*\(|\bset\s*\(|\bset\s*:|beforeCreate|beforeSave|beforeUpdate|@BeforeInsert)[\s\S]{0,600}\b(bcrypt|argon2|scrypt|pbkdf2)", re.IGNORECASE)


def _plain_password(ctx: AnalysisContext, value: Node | None, depth: int = 0) -> bool:
    """A password as typed: `req.body.password`, a name destructured from the
    request body or a `password` parameter, through no call."""
    value = SYN.unwrap(value)
    if value is None or depth > 3:
        return False
    if value.type in ("identifier", "shorthand_property_identifier"):
        definitions = reaching_definitions(ctx, value)
        if not definitions:
            return False
        for definition in definitions:
            if definition.kind == "param":
                if not plain_password_field(definition.name):
                    return False
            elif definition.kind != "assign":
                return False
            elif definition.path:
                source = SYN.unwrap(definition.value)
                if source is None or not _REQUEST_BODY.match(ctx.text(source)) or not plain_password_field(definition.path[-1]):
                    return False
            elif not _plain_password(ctx, definition.value, depth + 1):
                return False
        return True
    if value.type == "member_expression":
        return plain_password_field(ctx.text(value.child_by_field_name("property"))) and bool(_REQUEST_BODY.match(ctx.text(value.child_by_field_name("object"))))
    return False


def _password_values(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> Iterator[Node]:
    """The values an object literal (or its `data`/`$set` member) stores under a password key."""
    fields = object_fields(ctx, node)
    for key, value in fields.items():
        if plain_password_field(key):
            yield value
        elif key in ("data", "$set", "values") and depth < 2:
            yield from _password_values(ctx, value, depth + 1)


@register
class JsPlaintextPasswordStorage(Rule):
    id = "JS-HASH-002"
    name = "plaintext-password-storage"
    # every finding stores a value under a key or SQL column named like a password
    triggers = ("pass", "pwd", "pw")
    triggers_ignore_case = True
    cwe = 256
    owasp = "A02:2021"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    languages = ("javascript",)
    summary = "Password stored as typed (no password hash)"
    explanation = Explanation(
        what="The user's password is written to the database exactly as they typed it.",
        why=(
            "Sign-up and login work, since the login compares the stored text with the typed one. But every copy of "
            "the database (a backup, a dump, an injection, a curious admin) shows every user's password, and most "
            "people reuse passwords: one leak opens their other accounts too."
        ),
        hostile_input="A NoSQL or SQL injection that dumps the users collection (or a leaked backup) hands over every password in clear.",
        fix="Store `await bcrypt.hash(password, 12)` (or argon2) and check logins with `await bcrypt.compare(password, user.passwordHash)`; hash existing rows at the next login or reset them.",
    )

    def check(self, ctx: AnalysisContext) -> Iterator[Finding]:
        for call in calls_in(ctx):
            if call.type not in ("call_expression", "new_expression"):
                continue
            method = method_name(ctx, call) if call.type == "call_expression" else None
            args = SYN.arguments(call)
            if method in SQL_METHODS and len(args) >= 2:
                found = self._sql_value(ctx, args)
            elif (call.type == "new_expression" or method in WRITE_METHODS) and self._stores_without_hook(ctx, call):
                found = next((v for arg in args[:2] for v in _password_values(ctx, arg) if _plain_password(ctx, v)), None)
            else:
                continue
            if found is not None and not in_test_code(ctx, call):
                yield self.finding(ctx, found, "the password is stored as typed: a leak of the database shows every password; store a bcrypt/argon2 hash")

    @staticmethod
    def _stores_without_hook(ctx: AnalysisContext, call: Node) -> bool:
        """The write stores what it is given: Prisma and the MongoDB driver
        always do; a Mongoose/Sequelize model only when its schema is in this
        file without a hashing hook (a `pre("save")` hook or a setter in its
        own file is the usual way to hash, and we cannot see other files)."""
        target = call.child_by_field_name("constructor") if call.type == "new_expression" else call.child_by_field_name("function")
        receiver = target.child_by_field_name("object") if target is not None and target.type == "member_expression" else target
        text = ctx.text(receiver) if receiver is not None else ""
        if text.startswith(("prisma.", "this.prisma.", "db.prisma.")) or "collection(" in text:
            return True
        head = text.rsplit(".", 1)[-1]
        if not head[:1].isupper():
            return head in ("users", "accounts", "members", "customers", "usersCollection")
        source = ctx.source.decode("utf-8", "replace")
        return bool(_MODEL_DEFINITION.search(source)) and not _HASHING_HOOK.search(source)

    @staticmethod
    def _sql_value(ctx: AnalysisContext, args: list[Node]) -> Node | None:
        sql = literal_value(ctx, SYN.unwrap(args[0]))
        if not sql_writes_password(sql):
            return None
        params = SYN.unwrap(args[1])
        values = params.named_children if params is not None and params.type == "array" else [params]
        return next((v for v in values if v is not None and _plain_password(ctx, v)), None)
