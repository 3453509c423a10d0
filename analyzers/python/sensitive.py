"""Which names and values look like credentials, and where a literal sits.

Secret detectors live or die by their false positives: a rule that flags
`token_type = "bearer"` or `PASSWORD_FIELD = "password"` gets switched off.
So evidence is combined instead of matched on one signal:

- the *name* the value is bound to, split into words (`db_password`,
  `apiKey`, `"X-Api-Key"`): a *strong* name (password, secret, api key, ...)
  is enough; a *weak* name (token, key, auth) needs a random-looking value;
  a name whose last word says it is not the secret itself (`token_type`,
  `password_field`, `secret_name`, `api_key_header`) is never a credential;
- the *value*: placeholders (`changeme`, `your-api-key-here`, `<token>`),
  labels (`"password"`, `"x-api-key"`), environment variable names, paths,
  URLs, templates and messages are not credentials; randomness is measured
  with Shannon entropy plus character classes;
- *known formats* (AWS, GitHub, Slack, Stripe, Google, OpenAI, private key
  blocks, ...) are credentials whatever they are bound to.

`literal_binding()` answers "what is this string literal bound to?" for the
shapes AI code uses: assignments (names, attributes, subscripts), keyword
arguments, dict entries, parameter defaults and comparisons.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from tree_sitter import Node

from ..context import AnalysisContext
from ..facts import register_unit_facts
from ..model import Edit, Fix
from .dataflow import reaching_definitions
from .names import dotted_name
from .strings import simple_literal, string_prefix, unwrap_parens

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

FRAMEWORK_KEY_NAMES = frozenset({"SECRET_KEY", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY", "SECRET_KEY_BASE", "secret_key"})
"""Names a web framework signs sessions with (PY-SECRET-002 reports these)."""

SIGNING_KEY_NAME = re.compile(
    r"(?:^|_|(?<=[a-z0-9]))(?:secret|secret_?key|signing_?key|encryption_?key|hmac_?key|fernet_?key|jwt_?key|private_?key)$",
    re.IGNORECASE,
)
"""Names of keys an application signs or encrypts with (`JWT_SECRET`,
`SESSION_SECRET`, `sessionSecret`, `TOKEN_SIGNING_KEY`): a literal fallback
for them is reported whatever the value (PY-SECRET-002, JS-SECRET-001),
since the code really signs with it when the variable is unset."""

STRONG_WORDS = frozenset(
    {"password", "passwd", "passwrd", "pwd", "passphrase", "secret", "apikey", "privatekey", "secretkey", "clientsecret"}
)
WEAK_WORDS = frozenset({"token", "key", "auth", "authorization", "credential", "credentials", "pass", "pw", "creds"})
KEY_QUALIFIERS = frozenset(
    {"api", "secret", "private", "access", "signing", "encryption", "master", "app", "client", "auth", "hmac", "jwt",
     "aes", "crypto", "license", "stripe", "openai", "webhook", "consumer", "service", "account", "subscription"}
)
NOT_THE_SECRET = frozenset(
    {
        "type", "types", "name", "names", "field", "fields", "url", "uri", "urls", "endpoint", "path", "file", "filename",
        "dir", "directory", "header", "headers", "prefix", "suffix", "length", "len", "size", "count", "id", "ids",
        "label", "placeholder", "hint", "pattern", "regex", "re", "format", "fmt", "template", "policy", "min", "max",
        "expiry", "expires", "expiration", "ttl", "timeout", "lifetime", "age", "algorithm", "algorithms", "alg",
        "param", "parameter", "var", "env", "attr", "attribute", "column", "col", "message", "msg", "error", "errors",
        "prompt", "text", "help", "description", "title", "input", "button", "mode", "version", "hash", "hashed",
        "digest", "location", "source", "provider", "backend", "class", "scheme", "kind", "style", "changed",
        "required", "validator", "validators", "strength", "rules", "rule", "enabled", "check", "checker", "hasher",
        "hashers", "widget", "form", "model", "serializer", "view", "route", "method", "methods", "manager",
        "store", "storage", "cache", "index", "position", "pos", "delimiter", "separator", "sep", "display", "mask",
        "masked", "regexp", "selector", "xpath", "locator", "arn", "ref", "reference", "key", "keys", "lookup",
        "option", "options", "setting", "settings", "config", "configuration", "flag", "status", "state", "usage",
        "limit", "limits", "rotation", "sent", "used", "length", "reset", "link", "page", "template", "scope",
        "scopes", "audience", "issuer", "claim", "claims", "cookie", "policy", "encoding", "charset", "tag", "tags",
    }
)
LABEL_WORDS = STRONG_WORDS | WEAK_WORDS | frozenset(
    {"api", "access", "refresh", "client", "csrf", "xsrf", "x", "id", "user", "username", "new", "old", "confirm",
     "current", "bearer", "basic", "session", "private", "public", "secret", "value", "input", "field", "hash",
     "reset", "one", "time", "otp", "app", "oauth", "jwt", "form", "data", "login", "account"}
)
AUTH_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "jwt", "oauth", "oauth2", "hmac", "apikey", "negotiate", "ntlm"})
TRANSFORMED = frozenset({"hashed", "hash", "encrypted", "salted", "bcrypt", "argon2", "pbkdf2", "scrypt", "masked", "obfuscated"})
_KEY_IS_SECRET_WHEN_ALONE = frozenset({"key", "apikey", "secretkey", "privatekey"})

PLACEHOLDER_WORDS = (
    "changeme", "change_me", "change-me", "changethis", "change_this", "replace", "replaceme", "your", "yours",
    "example", "sample", "placeholder", "dummy", "fake", "todo", "fixme", "xxx", "redacted", "insert", "enter",
    "undefined", "null", "none", "notset", "not-set", "not_set", "default", "mock", "here", "goes", "tbd",
)
_PLACEHOLDER_RE = re.compile(
    r"^(<[^<>]+>|\[[^\[\]]+\]|\*+|x+|\.+|-+|#+|_+|0+|1234(5678?)?|abc(123)?|test|testing|secret|password|passwd|token|key)$",
    re.IGNORECASE,
)
_ENV_NAME_RE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
_LABEL_RE = re.compile(r"^[a-z][a-z0-9]*([_.\-:][a-z0-9]+)*$", re.IGNORECASE)
_DOTTED_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_PATH_RE = re.compile(r"^(/|\./|\.\./|~/|[A-Za-z]:\\)|^[\w.\-]+([/\\][\w.\-]+)+\.\w{1,5}$")
_URN_RE = re.compile(r"^[a-z][a-z0-9+.\-]{2,}:[a-z0-9]", re.IGNORECASE)  # tag:yaml.org,2002:map, urn:ietf:...
_URL_RE = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_TEMPLATE_RE = re.compile(r"\{[^{}]*\}|%\(?\w*\)?[sdr]|\$\{?\w+")
_AUTH_SCHEME_RE = re.compile(r"^(bearer|basic|token|digest|apikey|api-key)\s+(\S+)$", re.IGNORECASE)
_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")

# Digests of the empty string and of well-known test vectors: constants, not secrets.
KNOWN_DIGESTS = frozenset(
    {
        "d41d8cd98f00b204e9800998ecf8427e",  # md5("")
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # sha1("")
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # sha256("")
        "098f6bcd4621d373cade4e832627b4f6",  # md5("test")
        "5f4dcc3b5aa765d61d8327deb882cf99",  # md5("password")
    }
)


@dataclass(frozen=True)
class KnownFormat:
    name: str
    pattern: re.Pattern
    prefixes: tuple[str, ...]
    """Literal strings (without dots) at least one of which every match
    contains: PY-SECRET-003's prefilter triggers. Keep them in step with
    `pattern` (tests/unit/test_known_format_prefixes.py checks samples)."""


KNOWN_FORMATS: tuple[KnownFormat, ...] = (
    KnownFormat("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"), ("AKIA", "ASIA", "ABIA", "ACCA")),
    KnownFormat("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"), ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    KnownFormat("GitHub fine-grained token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"), ("github_pat_",)),
    KnownFormat("Slack token", re.compile(r"\bxox[baprse]-(?:[0-9]{6,}-){1,3}[A-Za-z0-9\-]{10,}"), ("xox",)),
    KnownFormat("Slack webhook URL", re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}"), ("hooks",)),
    KnownFormat("Stripe live key", re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{20,}\b"), ("_live_",)),
    KnownFormat("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"), ("AIza",)),
    KnownFormat("OpenAI API key", re.compile(r"\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})"), ("sk-",)),
    KnownFormat("Anthropic API key", re.compile(r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,}"), ("sk-ant-",)),
    KnownFormat("SendGrid API key", re.compile(r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b"), ("SG",)),
    KnownFormat("Twilio API key", re.compile(r"\bSK[0-9a-f]{32}\b"), ("SK",)),
    KnownFormat("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), ("npm_",)),
    KnownFormat("PyPI token", re.compile(r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}"), ("pypi-",)),
    KnownFormat("Hugging Face token", re.compile(r"\bhf_[A-Za-z]{34}\b"), ("hf_",)),
    KnownFormat(
        "private key",
        re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----\s*(?:[A-Za-z0-9+/=:\-,\s]{40,})"),
        ("PRIVATE KEY",),
    ),
)
_ANY_KNOWN_FORMAT = re.compile("|".join(f"(?:{fmt.pattern.pattern})" for fmt in KNOWN_FORMATS))
"""Every format in one pattern: most strings match none, and one search says so."""


def identifier_words(name: str) -> list[str]:
    """`dbPassword` / `DB_PASSWORD` / `"x-api-key"` -> ["db", "password"] ..."""
    words: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        words.extend(w.lower() for w in _CAMEL.findall(chunk))
    # join the pairs that are written as one word elsewhere: api_key -> apikey too
    return words


SETTING_VERBS = frozenset(
    {"update", "change", "expire", "require", "requires", "check", "validate", "show", "hide", "use", "store",
     "save", "send", "allow", "enable", "disable", "force", "ask", "rotate", "sync", "manage"}
)
"""First words that make a secret's name the name of a setting or an action
about it (`update_password = "always"` is a policy, ansible's user module)."""


def secret_name_strength(name: str | None) -> str | None:
    """'strong', 'weak' or None for a variable, attribute, keyword or dict key name."""
    if not name:
        return None
    words = identifier_words(name)
    if not words:
        return None
    if len(words) > 1 and words[0] in SETTING_VERBS:
        return None
    last = words[-1]
    joined = "".join(words)
    if last in NOT_THE_SECRET and not (last == "key" and (len(words) == 1 or words[-2] in KEY_QUALIFIERS)):
        return None
    if set(words) & TRANSFORMED:
        return None  # `hashed_password`, `encrypted_secret`: not the secret itself
    if any(w in STRONG_WORDS for w in words) or "password" in joined or "passwd" in joined:
        return "strong"
    if last == "key" and len(words) >= 2 and words[-2] in KEY_QUALIFIERS:
        return "strong"
    if any(w in WEAK_WORDS for w in words) or joined in _KEY_IS_SECRET_WHEN_ALONE:
        return "weak"
    return None


SECRET_NAME_FRAGMENTS = STRONG_WORDS | WEAK_WORDS | _KEY_IS_SECRET_WHEN_ALONE | {"password", "passwd"}
"""Every name `secret_name_strength()` rates contains one of these,
case-insensitively: its words are pieces of the name, and its joined words
contain `password`/`passwd` without the name containing `pass` only when a
separator cuts the word before its fourth letter (`p_assword`, not covered).
The prefilter triggers of PY-SECRET-001."""


# -- names of generated or compared security values (PY-RAND, PY-TIMING) -----------------------
SECRET_WORDS = frozenset(
    {"token", "password", "passwd", "pwd", "passphrase", "passcode", "otp", "totp", "hotp", "secret", "salt", "nonce",
     "csrf", "xsrf", "apikey", "sid", "pin", "mfa", "2fa", "secretkey", "sessionid", "pepper", "iv", "signature", "sig", "hmac", "mac", "remember", "rememberme"}
)
CODE_QUALIFIERS = frozenset(
    {"reset", "verify", "verification", "confirm", "confirmation", "activation", "auth", "sms", "email", "login", "otp",
     "invite", "invitation", "access", "recovery", "backup", "security", "magic", "one", "2fa", "mfa", "authorization"}
)
CODE_WORDS = frozenset({"code", "codes", "link", "url", "hash", "key", "id", "digits"})
NOT_SECRET_LAST = frozenset(
    {"length", "len", "size", "count", "delay", "timeout", "ttl", "expiry", "expires", "index", "idx", "type", "name",
     "retries", "attempts", "seconds", "minutes", "interval", "jitter", "alphabet", "charset",
     "pool", "format", "rounds", "iterations", "policy", "strength", "prompt", "message", "field", "column",
     "min", "max", "minimum", "maximum", "warn", "warning", "days", "age", "date", "at"}
)


def is_secret_name(name: str | None) -> bool | None:
    """True for security values, False for names that describe one (`password_length`), None when unknown."""
    if not name:
        return None
    words = identifier_words(name)
    if not words:
        return None
    if words[-1] in NOT_SECRET_LAST or set(words) & TRANSFORMED:
        return False
    joined = "".join(words)
    if any(w in SECRET_WORDS for w in words) or "password" in joined or "token" in joined:
        return True
    if "session" in words and words[-1] in ("id", "key", "token", "sid", "secret"):
        return True
    if words[-1] == "key" and len(words) > 1 and words[-2] in KEY_QUALIFIERS:
        return True
    if set(words) & CODE_WORDS and set(words) & CODE_QUALIFIERS:
        return True
    return None


PASSWORD_WORDS = frozenset({"password", "passwd", "passwrd", "pwd", "passphrase", "pass", "pw", "passcode", "pword"})


def is_password_name(name: str | None) -> bool:
    """`password`, `new_pwd`, `user.passwd`, `"password"` but not `password_hash`, `password_length`."""
    if not name:
        return False
    words = identifier_words(name)
    if not words or words[-1] in NOT_THE_SECRET:
        return False
    return any(w in PASSWORD_WORDS for w in words) or "password" in "".join(words)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def is_placeholder(value: str) -> bool:
    stripped = value.strip().strip("'\"")
    if _PLACEHOLDER_RE.match(stripped) or re.fullmatch(r"[\W_]*[*xX]{3,}[\W_]*|[\W_]+", stripped):
        return True  # "****", ":****", "xxx-xxx": redactions and masks
    lowered = stripped.lower()
    words = set(identifier_words(lowered)) | {lowered}
    return any(p in lowered for p in PLACEHOLDER_WORDS if len(p) > 4) or bool(words & set(PLACEHOLDER_WORDS))


def looks_templated(value: str) -> bool:
    """`{password}`, `%(pw)s`, `${DB_PASS}`: filled in at run time, not a value."""
    return bool(_TEMPLATE_RE.search(value))


def looks_random(value: str) -> bool:
    """A token-like value: long, high entropy, mixed character classes, no words."""
    if len(value) < 16 or any(ch.isspace() for ch in value):
        return False
    if _DOTTED_RE.match(value) or _URL_RE.match(value) or _PATH_RE.match(value) or _URN_RE.match(value):
        return False
    if _HEX_RE.match(value):
        return len(value) >= 32 and value.lower() not in KNOWN_DIGESTS and entropy(value) >= 3.0
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if classes < 2 or not re.search(r"\d", value) and classes < 3:
        return False
    if _LABEL_RE.match(value) and all(not w.isdigit() and len(w) > 2 for w in re.split(r"[_.\-:]", value)) and not re.search(r"\d", value):
        return False
    return entropy(value) >= 3.2


def is_non_credential_text(value: str) -> bool:
    """Values that are something else: labels, env names, paths, URLs, templates, prose."""
    stripped = value.strip()
    if len(stripped) < 4 or any(ch.isspace() for ch in stripped):
        return True
    if is_placeholder(stripped) or _ENV_NAME_RE.match(stripped) or stripped.lower() in AUTH_SCHEMES:
        return True
    if _URL_RE.match(stripped) or _PATH_RE.match(stripped) or _DOTTED_RE.match(stripped):
        return True
    if _TEMPLATE_RE.search(stripped):
        return True
    if stripped.lower() in KNOWN_DIGESTS:
        return True
    if _LABEL_RE.match(stripped):
        words = identifier_words(stripped)
        if words and set(words) <= LABEL_WORDS and set(words) & (STRONG_WORDS | WEAK_WORDS):
            return True  # "password", "api_key", "X-API-Key", "access_token", "new_password"
    return False


def credential_value(value: str, strength: str) -> bool:
    """Does `value`, bound to a name of `strength`, look like a real credential?"""
    scheme = _AUTH_SCHEME_RE.match(value.strip())
    if scheme is not None:
        return looks_random(scheme.group(2)) and not is_placeholder(scheme.group(2))
    if is_non_credential_text(value):
        return False
    if strength == "strong":
        return True
    return looks_random(value)


def known_format(value: str) -> KnownFormat | None:
    if "EXAMPLE" in value.upper() and "PRIVATE KEY" not in value:
        return None  # AWS documentation keys (AKIAIOSFODNN7EXAMPLE) and friends
    if _ANY_KNOWN_FORMAT.search(value) is None:
        return None
    for fmt in KNOWN_FORMATS:  # the first format in the list wins, wherever in the value it matches
        if fmt.pattern.search(value):
            return fmt
    return None


def string_literal_value(ctx: AnalysisContext, node: Node | None) -> str | None:
    """Value of a plain (non-f) str or bytes literal, bytes decoded as latin-1
    (remembered per node for the unit: the secret rules all ask)."""
    node = unwrap_parens(node)
    if node is None:
        return None
    key = ("string-value", node.id)
    memo = ctx._memo
    if key not in memo:
        memo[key] = _string_literal_value(ctx, node)
    return memo[key]


def _string_literal_value(ctx: AnalysisContext, node: Node) -> str | None:
    import ast

    if node.type == "concatenated_string":
        parts = [string_literal_value(ctx, c) for c in node.named_children]
        return None if any(p is None for p in parts) else "".join(parts)  # type: ignore[arg-type]
    if node.type != "string" or any(c.type == "interpolation" for c in node.children):
        return None
    prefix = string_prefix(ctx, node)
    if "f" in prefix:
        return None
    text = ctx.text(node)
    simple = simple_literal(text, prefix)
    if simple is not None:
        return None if simple is False else simple
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Binding:
    """What a literal is bound to.

    kind: assign | keyword | dict | default | compare
    name: the name it is bound to (`db_password`, `"api_key"`, `password=`)
    env_name: an environment variable name a fix could read instead
    replace: the node a fix would replace (the literal itself)
    """

    kind: str
    name: str
    env_name: str
    replace: Node
    other: Node | None = None  # for compare: the compared expression


def name_label(ctx: AnalysisContext, node: Node | None, depth: int = 0) -> str | None:
    """Text that names a key or cookie: a literal, the literal parts of an
    f-string (`f"rememberMe{n}"` -> "rememberMe"), or a local variable bound to one."""
    node = unwrap_parens(node)
    if node is None or depth > 3:
        return None
    value = string_literal_value(ctx, node)
    if value is not None:
        return value
    if node.type == "string":
        return "".join(ctx.text(c) for c in node.children if c.type == "string_content") or None
    if node.type == "identifier":
        for definition in reaching_definitions(ctx, node):
            found = name_label(ctx, definition.value, depth + 1) if definition.kind == "assign" else None
            if found:
                return found
    return None


_BARE_PASSWORD = frozenset({"password", "passwd", "pwd", "pass", "pw", "passphrase"})


def _keyword_env_name(ctx: AnalysisContext, keyword: Node, name: str) -> str:
    """`MySQLdb.connect(passwd="...")` reads DB_PASSWORD, not PASSWD: a bare
    password keyword of a database (or SMTP) connection is named for it."""
    call = keyword.parent.parent if keyword.parent is not None else None
    function = call.child_by_field_name("function") if call is not None and call.type == "call" else None
    if name.lower() not in _BARE_PASSWORD or function is None:
        return env_name_for(name)
    callee = dotted_name(ctx, function) or ""
    words = set(identifier_words(callee.replace(".", "_")))
    if words & {"smtp", "smtplib"}:
        return "SMTP_PASSWORD"
    if words & {"connect", "mysql", "mysqldb", "pymysql", "psycopg", "psycopg2", "postgres", "engine", "db", "database", "mongo", "pymongo", "redis"}:
        return "DB_PASSWORD"
    return env_name_for(name)


def env_name_for(name: str) -> str:
    words = identifier_words(name)
    return "_".join(w.upper() for w in words) if words else "SECRET"


def _target_name(ctx: AnalysisContext, target: Node) -> str | None:
    target = unwrap_parens(target)
    if target is None:
        return None
    if target.type == "identifier":
        return ctx.text(target)
    if target.type == "attribute":
        dotted = dotted_name(ctx, target)
        if dotted is None:
            return ctx.text(target.child_by_field_name("attribute"))
        head, _, rest = dotted.partition(".")
        return rest if head in ("self", "cls", "settings", "config", "app") else dotted
    if target.type == "subscript":
        key = string_literal_value(ctx, target.child_by_field_name("subscript"))
        return key
    return None


def literal_binding(ctx: AnalysisContext, literal: Node) -> Binding | None:
    """The name a string literal is bound to, for the shapes credentials take."""
    node = literal
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "assignment" and parent.child_by_field_name("right") is not None and parent.child_by_field_name("right").id == node.id:
        left = parent.child_by_field_name("left")
        name = _target_name(ctx, left)
        return Binding("assign", name.rsplit(".", 1)[-1], env_name_for(name), literal) if name else None
    if parent.type == "keyword_argument" and parent.child_by_field_name("value") is not None and parent.child_by_field_name("value").id == node.id:
        name = ctx.text(parent.child_by_field_name("name"))
        return Binding("keyword", name, _keyword_env_name(ctx, parent, name), literal)
    if parent.type == "pair" and parent.child_by_field_name("value") is not None and parent.child_by_field_name("value").id == node.id:
        name = string_literal_value(ctx, parent.child_by_field_name("key"))
        return Binding("dict", name, env_name_for(name), literal) if name else None
    if parent.type in ("default_parameter", "typed_default_parameter") and parent.child_by_field_name("value") is not None and parent.child_by_field_name("value").id == node.id:
        name_node = parent.child_by_field_name("name")
        name = ctx.text(name_node) if name_node is not None else ""
        return Binding("default", name, env_name_for(name), literal) if name else None
    if parent.type == "comparison_operator" and len(parent.named_children) == 2:
        operators = [c.type for c in parent.children if not c.is_named]
        if operators not in (["=="], ["!="]):
            return None
        other = parent.named_children[0] if parent.named_children[1].id == node.id else parent.named_children[1]
        other = unwrap_parens(other)
        name = None
        if other is not None and other.type in ("identifier", "attribute", "subscript"):
            name = _target_name(ctx, other)
            name = name.rsplit(".", 1)[-1] if name else name
        elif other is not None and other.type == "call":
            # request.form.get("password") == "..."
            args = other.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            name = string_literal_value(ctx, first)
        return Binding("compare", name, env_name_for(name), literal, other) if name else None
    return None


_TEST_FUNCTION = re.compile(r"^(test_|test$)|_test$")
_TEST_CLASS = re.compile(r"^Test|Tests?$|TestCase$")


def in_test_code(ctx: AnalysisContext, node: Node) -> bool:
    """Inside a test function/class, or in a module that imports a test framework."""
    if ctx.facts.get("is_test_module"):
        return True
    parent = node.parent
    while parent is not None:
        if parent.type in ("function_definition", "class_definition"):
            name_node = parent.child_by_field_name("name")
            name = ctx.text(name_node)
            pattern = _TEST_FUNCTION if parent.type == "function_definition" else _TEST_CLASS
            if pattern.search(name):
                return True
        parent = parent.parent
    return False


_TEST_IMPORT = re.compile(rb"^\s*(?:import|from)\s+(?:pytest|unittest|nose2?|hypothesis|django\.test|faker)\b", re.MULTILINE)
_CONFIG_OVERRIDE = re.compile(rb"\.(?:from_pyfile|from_envvar|from_prefixed_env)\s*\(")


def _secret_part(source: bytes, unit: Node, _facts) -> tuple[bool, bool] | None:
    text = source[unit.start_byte : unit.end_byte]
    # the searches only where their literal words occur (a regular expression scans every position)
    test_import = _TEST_IMPORT.search(text) if b"import" in text or b"from" in text else None
    if test_import is not None and test_import.start() == 0 and source[source.rfind(b"\n", 0, unit.start_byte) + 1 : unit.start_byte].strip():
        test_import = _TEST_IMPORT.search(text, 1)  # the statement does not start its line
    override = b"from_" in text and _CONFIG_OVERRIDE.search(text) is not None
    return (test_import is not None, override) if test_import is not None or override else None


def _combine_secret_parts(parts: list[tuple[bool, bool]]) -> dict:
    """Module-wide context the secret rules need from outside one statement."""
    return {
        "is_test_module": any(test for test, _ in parts),
        "config_overridden_from_file": any(override for _, override in parts),
    }


register_unit_facts("python", combine=_combine_secret_parts)(_secret_part)


def receiver_name(ctx: AnalysisContext, node: Node | None) -> str | None:
    return dotted_name(ctx, unwrap_parens(node))


def environment_fix(ctx: AnalysisContext, node: Node, env_name: str, title: str | None = None) -> Fix:
    """Replace a literal credential with a read of environment variable `env_name`.

    `os.environ[...]` (not `.get` with a default) so a missing variable fails
    loudly at start-up instead of silently running with no or a public secret.
    A bytes literal becomes `os.environ[...].encode()` so its type is kept.
    """
    is_bytes = node.type == "string" and "b" in string_prefix(ctx, node)
    read = f'os.environ["{env_name}"]' + (".encode()" if is_bytes else "")
    return Fix(
        title or f"Read the value from environment variable {env_name} (set {env_name} before starting)",
        (Edit(node.start_byte, node.end_byte, read),),
        imports=("import os",),
    )


_DESCRIPTIVE_FIRST = frozenset({"is", "has", "use", "verify", "check", "validate", "require", "requires", "should", "can", "allow", "enable", "enabled"})
_NOT_THE_VALUE = frozenset({"nonce", "salt", "iv", "hash", "hashed", "digest", "url", "uri", "type", "name", "length", "len", "count", "expiry", "expires", "ttl", "id", "field", "header", "prefix", "hint", "policy"})


_FRAGMENT_BYTES = tuple(fragment.encode() for fragment in sorted(SECRET_NAME_FRAGMENTS))


def may_name_a_secret(text: bytes) -> bool:
    """Whether any name in `text` could hold a credential: a cheap test of a
    unit's source before looking at its calls (`logged_secret_name` rates
    only names holding one of these fragments)."""
    lowered = text.lower()
    return any(fragment in lowered for fragment in _FRAGMENT_BYTES)


def logged_secret_name(name: str | None) -> bool:
    """Does a value so named hold a credential worth keeping out of logs?
    `password`, `api_key`, `refreshToken`, `authorization`: yes; names that
    describe one (`password_length`, `token_type`, `is_token`,
    `reset_url`), public values (`salt`, `nonce`) and hashes: no."""
    if not name:
        return False
    if not may_name_a_secret(name.encode()) or secret_name_strength(name) is None:
        return False
    words = identifier_words(name)
    return bool(words) and words[0] not in _DESCRIPTIVE_FIRST and not set(words) & _NOT_THE_VALUE


_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass", "pw"})
_NOT_PLAIN_PASSWORD = frozenset({
    "hash", "hashed", "digest", "salt", "encrypted", "reset", "confirm", "confirmation", "length", "policy", "min", "max",
    "expires", "expiry", "changed", "updated", "at", "date", "token", "url",
})


def plain_password_field(name: str | None) -> bool:
    """`password`, `user_password`, `passwd`: a field or key that holds the
    password itself, not its hash, its rules or its reset link
    (PY-HASH-003, JS-HASH-002)."""
    words = identifier_words(name or "")
    return bool(words) and bool(_PASSWORD_WORDS & set(words)) and not _NOT_PLAIN_PASSWORD & set(words)


_SQL_WRITE_COLUMNS = re.compile(r"^\s*(?:INSERT\s+INTO\s+\w+\s*\(([^)]*)\)|UPDATE\s+\w+\s+SET\s+(.*?)(?:\bWHERE\b|$))", re.IGNORECASE | re.DOTALL)


def sql_writes_password(sql: str | None) -> bool:
    """`INSERT INTO users (name, password) ...` or `UPDATE users SET password = ?`:
    the statement writes a plain password column (`plain_password_field`)."""
    match = _SQL_WRITE_COLUMNS.match(sql or "")
    if match is None:
        return False
    columns = match.group(1) if match.group(1) is not None else match.group(2)
    return any(plain_password_field(part.strip().split("=")[0].strip(" `\"[]")) for part in columns.split(","))
