"""The data behind taint tracking: sources, sanitisers and propagation.

Kept as tables so that supporting another framework or sanitiser is a
one-line change reviewed on its own, and so rules and tests can read the same
lists the engine uses.

Sink categories: a sanitiser only neutralises input for some kinds of sink
(`shlex.quote` makes a value safe for a shell, not for SQL or HTML). Rules ask
`taint_of(ctx, node, sink=SQL)`; a sanitiser stops taint there only when its
category set contains the sink (or is `ALL`).
"""

from __future__ import annotations

# -- sink categories ----------------------------------------------------------
SQL = "sql"
SHELL = "shell"
HTML = "html"
PATH = "path"
CODE = "code"
TEMPLATE = "template"
LDAP = "ldap"
XPATH = "xpath"
HEADER = "header"
LOG = "log"
NOSQL = "nosql"
URL = "url"
REGEX = "regex"
SESSION = "session"  # stored server-side and trusted later (trust boundary): only validation and numbers help
UNSANITISED = "unsanitised"  # pseudo-sink: ignore every sanitiser and guard
SINKS = frozenset({SQL, SHELL, HTML, PATH, CODE, TEMPLATE, LDAP, XPATH, HEADER, LOG, NOSQL, URL, REGEX, SESSION})
ALL = SINKS

# -- kinds of untrusted input, strongest first --------------------------------
REQUEST = "request"  # a remote client: request data, route parameters
LOCAL = "local"  # the user running the program: argv, stdin, input()
ENVIRONMENT = "environment"  # deployment configuration: os.environ
PARAM = "param"  # a function parameter, only while summarising helpers
KIND_RANK = {PARAM: 4, REQUEST: 3, LOCAL: 2, ENVIRONMENT: 1}
DEFAULT_KINDS = frozenset({REQUEST, LOCAL})

# -- sources ------------------------------------------------------------------
REQUEST_ATTRIBUTES = frozenset(
    {
        # Flask / Werkzeug / Quart
        "args", "form", "values", "json", "files", "cookies", "headers", "data", "get_json", "get_data",
        "stream", "view_args", "path", "full_path", "url", "base_url", "url_root", "query_string", "host",
        "host_url", "referrer", "user_agent", "environ", "authorization", "mimetype", "content_type",
        # Django (+ REST framework's request.data / query_params)
        "GET", "POST", "FILES", "COOKIES", "META", "body", "read", "readline", "readlines", "content_params",
        "get_full_path", "build_absolute_uri", "get_host",
        # Starlette / FastAPI
        "query_params", "path_params", "form_data", "form", "body",
    }
)
# `self.<attr>` in http.server / socketserver request handlers.
HANDLER_ATTRIBUTES = frozenset({"path", "headers", "rfile", "requestline", "raw_requestline"})
REQUEST_OBJECT_NAMES = frozenset({"request", "req", "http_request"})
REQUEST_IMPORTS = frozenset({"flask.request", "quart.request", "bottle.request", "werkzeug.local.request", "sanic.request"})
REQUEST_TYPES = frozenset({"Request", "HttpRequest", "WSGIRequest", "ASGIRequest", "HTTPConnection", "Request[Any]"})

SOURCE_FUNCTIONS: dict[str, str] = {
    "input": LOCAL,
    "raw_input": LOCAL,
    "sys.stdin.read": LOCAL,
    "sys.stdin.readline": LOCAL,
    "sys.stdin.readlines": LOCAL,
    "fileinput.input": LOCAL,
    "os.getenv": ENVIRONMENT,
    "os.environ.get": ENVIRONMENT,
    "os.getenvb": ENVIRONMENT,
}
SOURCE_VALUES: dict[str, str] = {"sys.argv": LOCAL, "sys.stdin": LOCAL, "os.environ": ENVIRONMENT, "os.environb": ENVIRONMENT}
SOURCE_METHODS: dict[str, str] = {"parse_args": LOCAL, "parse_known_args": LOCAL}

# Route decorators (`@app.route`, `@bp.get`, `@router.post`, ...) and the
# annotations that mark framework-injected, non-string handler parameters.
ROUTE_DECORATOR_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete", "api_route", "websocket", "head", "options"})
SAFE_URL_CONVERTERS = frozenset({"int", "float", "uuid"})
INJECTED_ANNOTATIONS = frozenset(
    {
        "Session", "AsyncSession", "BackgroundTasks", "Response", "WebSocket", "SecurityScopes", "Connection",
        "AsyncConnection", "Engine", "User", "CurrentUser", "HTTPAuthorizationCredentials", "OAuth2PasswordRequestForm",
    }
)
INJECTED_ALIAS_SUFFIXES = ("Dep", "Deps", "Dependency")
"""Annotated dependency aliases named the way FastAPI's documentation names
them (`SessionDep`, `TokenDep`, `CommonsDep`), usually defined in another module."""
WEB_FRAMEWORKS_WITH_QUERY_PARAMS = frozenset({"fastapi", "starlette", "ninja", "litestar"})
# Frameworks that pass a handler only its URL segments (others come from decorators).
PATH_ONLY_FRAMEWORKS = frozenset({"flask", "quart", "sanic", "bottle", "flask_restful", "flask_login"})

# -- sanitisers: call -> sink categories it neutralises -----------------------
_NUMBER = ALL
SANITISERS: dict[str, frozenset[str]] = {
    "int": _NUMBER, "float": _NUMBER, "bool": _NUMBER, "len": _NUMBER, "abs": _NUMBER, "round": _NUMBER,
    "complex": _NUMBER, "ord": _NUMBER, "hash": _NUMBER, "id": _NUMBER, "isinstance": _NUMBER,
    "callable": _NUMBER, "type": _NUMBER, "uuid.UUID": _NUMBER, "decimal.Decimal": _NUMBER,
    "datetime.date.fromisoformat": _NUMBER, "datetime.datetime.fromisoformat": _NUMBER,
    "datetime.datetime.strptime": _NUMBER, "ipaddress.ip_address": _NUMBER, "ipaddress.ip_network": _NUMBER,
    "hashlib.sha256": _NUMBER, "hashlib.sha1": _NUMBER, "hashlib.md5": _NUMBER, "hashlib.sha512": _NUMBER,
    "hmac.new": _NUMBER, "bcrypt.hashpw": _NUMBER, "secrets.compare_digest": _NUMBER, "hmac.compare_digest": _NUMBER,
    "werkzeug.security.generate_password_hash": _NUMBER, "werkzeug.security.check_password_hash": _NUMBER,
    # output is [A-Za-z0-9_.-] only
    "werkzeug.utils.secure_filename": ALL, "werkzeug.secure_filename": ALL, "django.utils.text.get_valid_filename": ALL,
    "django.utils.text.slugify": ALL, "slugify.slugify": ALL,
    # shell quoting
    "shlex.quote": frozenset({SHELL}), "pipes.quote": frozenset({SHELL}),
    "shlex.join": frozenset({SHELL}),
    # HTML escaping (quotes included, so attribute contexts are covered too)
    "html.escape": frozenset({HTML, TEMPLATE, XPATH}), "markupsafe.escape": frozenset({HTML, TEMPLATE}),
    "flask.escape": frozenset({HTML, TEMPLATE}), "jinja2.escape": frozenset({HTML, TEMPLATE}),
    "django.utils.html.escape": frozenset({HTML, TEMPLATE}), "django.utils.html.format_html": frozenset({HTML}),
    "bleach.clean": frozenset({HTML}), "cgi.escape": frozenset({HTML}), "xml.sax.saxutils.escape": frozenset({HTML}),
    "markupsafe.Markup.escape": frozenset({HTML, TEMPLATE}),
    # percent-encoding leaves no quote, separator or control character
    "urllib.parse.quote": frozenset({HTML, HEADER, LOG, SHELL, SQL, LDAP, XPATH, NOSQL, CODE, TEMPLATE}),
    "urllib.parse.quote_plus": frozenset({HTML, HEADER, LOG, SHELL, SQL, LDAP, XPATH, NOSQL, CODE, TEMPLATE}),
    "urllib.parse.urlencode": frozenset({HTML, HEADER, LOG, SHELL, SQL, LDAP, XPATH, NOSQL, CODE, TEMPLATE}),
    # file names without directories
    "os.path.basename": frozenset({PATH}), "posixpath.basename": frozenset({PATH}), "ntpath.basename": frozenset({PATH}),
    # LDAP
    "ldap3.utils.conv.escape_filter_chars": frozenset({LDAP}), "ldap.filter.escape_filter_chars": frozenset({LDAP}),
    "ldap.dn.escape_dn_chars": frozenset({LDAP}), "ldap3.utils.dn.escape_rdn": frozenset({LDAP}),
    # regular expressions
    "re.escape": frozenset({REGEX}),
    # code: literal_eval is the safe evaluator
    "ast.literal_eval": frozenset({CODE}),
    # JSON text keeps no raw CR/LF
    "json.dumps": frozenset({HEADER, LOG}),
    "repr": frozenset({LOG, HEADER}),
}
# Unqualified names that are unambiguous even when not imported visibly (star
# imports, re-exports): matched on the last dotted part.
SANITISER_SUFFIXES: dict[str, frozenset[str]] = {
    "secure_filename": ALL,
    "escape_filter_chars": frozenset({LDAP}),
    "escape_dn_chars": frozenset({LDAP}),
}

# Project helpers from other files, recognised by what their name promises
# (`escape_html`, `html_escape`, `sanitize_html`); helpers in the same file are
# judged by their summary instead.
SANITISER_NAME_PATTERNS: tuple[tuple[str, frozenset[str]], ...] = (
    (r"(?i)^(escape_?(for_?)?html|html_?escape|sani[tz]i[sz]e_?html|clean_?html)$", frozenset({HTML, TEMPLATE})),
    (r"(?i)^(escape_?(for_?)?ldap|ldap_?escape)$", frozenset({LDAP})),
    (r"(?i)^(escape_?(for_?)?xpath|xpath_?escape)$", frozenset({XPATH})),
)

# Methods whose result is a bool or a number, never the receiver's text.
NON_STRING_METHODS = frozenset(
    {
        "startswith", "endswith", "isdigit", "isalnum", "isalpha", "isdecimal", "isnumeric", "isidentifier",
        "isspace", "islower", "isupper", "istitle", "isascii", "isprintable", "count", "find", "rfind", "index",
        "rindex", "__len__", "__contains__", "exists", "is_file", "is_dir", "is_absolute", "is_relative_to",
        "has_key", "keys_count", "content_length", "tell", "seek", "close", "save", "flush", "write",
    }
)
# Methods of an untainted receiver pass their arguments' taint on (a service
# call, a formatter, `thing.process(x)`), except database/ORM reads: rows
# loaded with bound parameters are stored data, not the attacker's string
# (`cur.execute(q, (x,)).fetchone()`, `User.query.filter_by(name=n).first()`,
# `COLUMNS.get(name)`). The query text itself is checked by the SQL rule.
DATABASE_METHODS = frozenset(
    {
        "execute", "executemany", "fetchone", "fetchall", "fetchmany", "fetchval", "fetchrow", "fetch", "scalar",
        "scalars", "scalar_one", "scalar_one_or_none", "first", "one", "one_or_none", "all", "get", "filter",
        "filter_by", "where", "query", "get_or_404", "first_or_404", "one_or_404", "order_by", "limit", "offset",
        "exclude", "values_list", "find", "find_one", "aggregate", "count_documents", "select_related",
        "prefetch_related", "annotate", "get_or_create", "update_or_create", "paginate", "search", "xpath",
        "findall", "findtext", "iterfind", "load", "verify", "check",
    }
)
DATABASE_FUNCTIONS = frozenset(
    {
        "django.shortcuts.get_object_or_404", "django.shortcuts.get_list_or_404", "flask_sqlalchemy.get_or_404",
        "sqlalchemy.select", "sqlmodel.select",
    }
)
# Calls whose result never carries their arguments' text.
NON_PROPAGATING_FUNCTIONS = frozenset(
    {
        "open", "io.open", "print", "os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.getsize",
        "os.path.islink", "os.stat", "os.remove", "os.unlink", "os.makedirs", "os.mkdir", "any", "all", "sorted_count",
        "requests.get", "requests.post", "requests.put", "requests.delete", "requests.request", "httpx.get", "httpx.post",
        "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.Popen", "os.system",
        "flask.abort", "flask.jsonify", "flask.redirect", "flask.url_for", "flask.render_template",
        "django.shortcuts.redirect", "django.shortcuts.render", "time.time", "logging.info", "logging.warning",
        "logging.error", "logging.debug", "enumerate_count", "min_len",
    }
)
# Attributes of a tainted object that are numbers or framework-computed.
SAFE_ATTRIBUTES = frozenset({"content_length", "size", "id", "pk", "status_code", "method", "is_secure", "scheme", "user", "session"})
# Containment checks that keep a resolved path inside a base directory.
PATH_NORMALISERS = ("realpath", "abspath", "resolve", "normpath", "commonpath", "safe_join", "absolute")
