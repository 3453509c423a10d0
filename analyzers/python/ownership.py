"""Module facts about record ownership: which models and tables belong to a user.

The missing-ownership-check rule must tell a user's private record (a note,
an order, an invoice) from a shared one (a product, a country), and its fix
must name the owner attribute. The evidence is in the file more often than
not, because AI assistants write single-file apps and, even when the model
lives elsewhere, the sibling "list" and "create" routes show ownership:

- a model class with an owner field: `user_id = db.Column(db.ForeignKey("user.id"))`,
  `owner = models.ForeignKey(settings.AUTH_USER_MODEL, ...)`,
  `owner_id: int = Field(foreign_key="user.id")`;
- a model class without one (a shared resource: the rule stays quiet);
- uses that set or filter an owner field: `Note(user_id=current_user.id)`,
  `Note.query.filter_by(user_id=...)`, `Note.objects.filter(owner=request.user)`,
  `Note.user_id == current_user.id`;
- SQL in strings: `CREATE TABLE notes (... user_id INTEGER ...)`,
  `INSERT INTO notes (user_id, ...)`, `SELECT ... FROM notes WHERE user_id = ?`.

Facts are plain data: `models` maps a class name to `{"owner": attr, "user": bool,
"table": name, "defined": True}` and `tables` maps a table name to its owner column
("" when the table is known and has none).
"""

from __future__ import annotations

import re
from typing import Any

from tree_sitter import Node

from ..facts import register_unit_facts

OWNER_FIELD = re.compile(
    r"^(user|owner|author|creator|created_by|uploaded_by|submitted_by|posted_by|account|customer|tenant|"
    r"organization|organisation|org|patient|member|profile|client)(_id|_pk)?$"
)
_MODEL_BASES = re.compile(r"\b(Model|Base|SQLModel|DeclarativeBase|Document|DynamicDocument|Entity|TimestampedModel|\w+Model)\b")
_USER_BASES = re.compile(r"\b(UserMixin|AbstractUser|AbstractBaseUser|SQLAlchemyBaseUserTable\w*|BaseUser|User)\b")
_USER_CLASS = re.compile(r"^(User|Users|UserModel|AppUser|CustomUser|Account|Member)$")
_FOREIGN_USER = re.compile(
    r"ForeignKey\w*\s*\(\s*(['\"]?(auth\.)?users?(\.id|s\.id)?['\"]?|User\b|settings\.AUTH_USER_MODEL|get_user_model\(\)|['\"]User['\"])"
    r"|foreign_key\s*=\s*['\"]users?\.id['\"]|ReferenceField\s*\(\s*User\b|ForeignKeyField\s*\(\s*User\b",
    re.IGNORECASE,
)
_FIELD = re.compile(r"^\s*(\w+)\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)
_TABLENAME = re.compile(r"__tablename__\s*=\s*['\"](\w+)['\"]")
_OWNER_NAMES = (
    r"(?:user|owner|author|creator|created_by|uploaded_by|submitted_by|posted_by|account|customer|tenant|organization|"
    r"organisation|org|patient|member|profile|client)(?:_id|_pk)?"
)
# the owner keyword is found first (cheap), then the model name in a short window before it
_OWNER_KEYWORD = re.compile(rf"\b({_OWNER_NAMES})(?:__\w+)?\s*(?:==|!=|=)")
_WINDOW = 300
_USE_EVIDENCE = (
    re.compile(r"\b([A-Z]\w*)\s*\([^()]*$"),
    re.compile(r"\b([A-Z]\w*)\.(?:query|objects)\.\w+\([^()]*$"),
    re.compile(r"\b([A-Z]\w*)\.$"),
)
_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"\[]?(\w+)[`\"\]]?\s*\(([^;]{0,4000}?)\)\s*(?:;|['\"]|$)", re.IGNORECASE)
_INSERT = re.compile(r"INSERT\s+INTO\s+[`\"\[]?(\w+)[`\"\]]?\s*\(([^)]{0,1000})\)", re.IGNORECASE)
_SELECT_OWNER = re.compile(rf"\bFROM\s+[`\"\[]?(\w+)[`\"\]]?\s+WHERE\b[^'\"]{{0,300}}?\b({_OWNER_NAMES})\s*=", re.IGNORECASE)
_OWNER_WORDS = (
    "user", "owner", "author", "creator", "created_by", "uploaded_by", "submitted_by", "posted_by", "account", "customer",
    "tenant", "organization", "organisation", "org", "patient", "member", "profile", "client",
)


def _find_all(haystack: str, words: tuple[str, ...], pattern: re.Pattern, text: str | None = None):
    """Matches of `pattern` that start where one of `words` occurs: `str.find` is far
    faster than a regular expression scanning every position of a large file."""
    text = haystack if text is None else text
    starts = set()
    for word in words:
        index = haystack.find(word)
        while index >= 0:
            if index == 0 or not (haystack[index - 1].isalnum() or haystack[index - 1] == "_"):
                starts.add(index)
            index = haystack.find(word, index + 1)
    for start in sorted(starts):
        match = pattern.match(text, start)
        if match is not None:
            yield match


def _text(source: bytes, node: Node) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _owner_of_body(body: str) -> str:
    """The owner field of a model body: a foreign key to the user model first, then a well-known name."""
    named = ""
    for match in _FIELD.finditer(body):
        name, value = match.group(1), match.group(2)
        if name.startswith("__"):
            continue
        if _FOREIGN_USER.search(value):
            return name
        if not named and OWNER_FIELD.match(name) and re.search(r"Column|Field|field|ForeignKey|Integer|relationship|mapped_column|Mapped|int\b|str\b|UUID", match.group(0)):
            named = name
    return named


def _classes(unit: Node):
    target = unit
    if unit.type == "decorated_definition":
        target = unit.child_by_field_name("definition") or unit
    if target.type == "class_definition":
        yield target


def _ownership_part(source: bytes, unit: Node, _facts) -> tuple | None:
    """Models one statement defines and the ownership evidence in its text."""
    models: list[tuple[str, dict[str, Any]]] = []
    for cls in _classes(unit):
        name_node = cls.child_by_field_name("name")
        bases_node = cls.child_by_field_name("superclasses")
        body_node = cls.child_by_field_name("body")
        if name_node is None or bases_node is None or body_node is None:
            continue
        bases = _text(source, bases_node)
        if not _MODEL_BASES.search(bases) or re.search(r"\b(BaseModel|TypedDict|Enum|Exception|Schema)\b", bases):
            continue
        name = _text(source, name_node)
        body = _text(source, body_node)
        table = _TABLENAME.search(body)
        models.append((name, {
            "owner": _owner_of_body(body),
            "user": bool(_USER_CLASS.match(name) or _USER_BASES.search(bases)),
            "table": table.group(1) if table else "",
            "defined": True,
        }))
    text = _text(source, unit)
    evidence = []
    for keyword in _find_all(text, _OWNER_WORDS, _OWNER_KEYWORD):
        before = text[max(0, keyword.start() - _WINDOW) : keyword.start()]
        for pattern in _USE_EVIDENCE:
            match = pattern.search(before)
            if match is not None:
                evidence.append((match.group(1), keyword.group(1)))
                break
    creates, inserts, selects = [], [], []
    lowered = text.lower()
    if "where" in lowered or "create" in lowered or "insert" in lowered:
        for match in _find_all(lowered, ("create",), _CREATE_TABLE, text):
            columns = [c.strip().split()[0].strip('`"[]') for c in match.group(2).split(",") if c.strip()]
            creates.append((match.group(1).lower(), next((c for c in columns if OWNER_FIELD.match(c.lower())), "")))
        for match in _find_all(lowered, ("insert",), _INSERT, text):
            columns = [c.strip().strip('`"[]') for c in match.group(2).split(",")]
            owner = next((c for c in columns if OWNER_FIELD.match(c.lower())), "")
            if owner:
                inserts.append((match.group(1).lower(), owner))
        selects = [(m.group(1).lower(), m.group(2)) for m in _find_all(lowered, ("from",), _SELECT_OWNER, text)]
    if not (models or evidence or creates or inserts or selects):
        return None
    return models, evidence, creates, inserts, selects


def _combine_ownership_parts(parts: list[tuple]) -> dict[str, Any]:
    """Class definitions first, then the evidence of uses, in document order."""
    models: dict[str, dict[str, Any]] = {}
    for unit_models, *_ in parts:
        for name, model in unit_models:
            models[name] = dict(model)
    for _, evidence, *_ in parts:
        for model, field in evidence:
            entry = models.setdefault(model, {"owner": "", "user": bool(_USER_CLASS.match(model)), "table": "", "defined": False})
            if not entry["owner"] and not entry["user"]:
                entry["owner"] = field
    tables: dict[str, str] = {}
    for part in parts:
        for table, owner in part[2]:
            tables[table] = owner
    for part in parts:
        for table, owner in part[3]:
            tables[table] = tables.get(table) or owner
    for part in parts:
        for table, owner in part[4]:
            tables[table] = tables.get(table) or owner
    return {"models": models, "tables": tables}


register_unit_facts("python", combine=_combine_ownership_parts)(_ownership_part)
