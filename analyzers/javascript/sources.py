"""Where untrusted input enters JavaScript code, and what neutralises it, per
rule family, as data for the shared taint core (`common/taint.py`).

Sources: request objects of Express, Koa, Fastify, Next.js and NestJS
(`req.query`, `req.body`, `req.params`, headers, cookies, uploaded files,
`request.json()`, `request.nextUrl.searchParams.get()`), AWS Lambda events,
the browser's URL, `document.cookie`, `document.referrer`, `window.name`, and
`process.argv`. Route parameters that carry input by position (Next.js
`{ params }`, NestJS `@Body()`) come from `flow.parameter_taint`.
"""

from __future__ import annotations

from ..common.taint import SafeValues, TaintSpec

REQUEST_OBJECTS = ("req", "request", "ctx.request", "ctx", "context.req", "event")
REQUEST_PARTS = (
    "query", "body", "params", "headers", "cookies", "signedCookies", "files", "file", "originalUrl", "url",
    "path", "hostname", "rawBody", "search", "searchParams", "nextUrl", "raw",
)
LAMBDA_PARTS = ("queryStringParameters", "pathParameters", "multiValueQueryStringParameters", "body", "headers")
BROWSER_SOURCES = (
    "location.search", "location.hash", "location.href", "location.pathname", "document.URL", "document.documentURI",
    "document.baseURI", "document.referrer", "document.cookie", "window.name",
)


def _request_sources() -> frozenset[str]:
    names = {f"{obj}.{part}" for obj in REQUEST_OBJECTS if obj != "event" for part in REQUEST_PARTS}
    names |= {f"event.{part}" for part in LAMBDA_PARTS}
    names |= {f"*.{src}" for src in BROWSER_SOURCES} | set(BROWSER_SOURCES)
    names.add("process.argv")
    return frozenset(names)


SAFE = SafeValues(
    calls=frozenset(
        {
            "parseInt", "parseFloat", "Number", "Boolean", "BigInt", "Number.parseInt", "Number.parseFloat", "Math.round",
            "Math.floor", "Math.ceil", "Math.abs", "Math.min", "Math.max", "Math.trunc", "Date.now", "Date.parse",
            "isNaN", "Number.isInteger", "Array.isArray", "crypto.randomUUID", "randomUUID", "uuid.v4", "uuidv4", "v4",
        }
    ),
    members=frozenset({"length", "size", "byteLength"}),
    methods=frozenset(
        {"includes", "startsWith", "endsWith", "indexOf", "lastIndexOf", "test", "has", "some", "every", "getTime",
         "toFixed", "valueOf", "localeCompare", "findIndex", "isValid"}
    ),
)

BASE = TaintSpec(
    name="js-input",
    source_names=_request_sources(),
    source_calls=frozenset(
        {
            "req.get", "req.header", "req.param", "request.get", "request.header", "request.json", "request.text",
            "request.formData", "request.arrayBuffer", "req.json", "*.searchParams.get", "*.searchParams.getAll",
            "ctx.get", "ctx.cookies.get", "prompt", "next/headers.headers", "next/headers.cookies", "req.cookies.get",
        }
    ),
    sanitisers=SAFE.calls | frozenset({"*.digest", "bcrypt.hash", "bcrypt.hashSync", "argon2.hash", "*.randomBytes", "validator.isInt", "validator.isUUID"}),
    safe_members=SAFE.members,
    safe_methods=SAFE.methods,
    sanitiser_words=("sanitiz", "sanitis", "escape", "validat"),
    opaque_calls=frozenset(
        {
            "fs.readFile", "fs.readFileSync", "fs.promises.readFile", "fs/promises.readFile", "*.readFile", "*.readFileSync",
            "fs.existsSync", "fs.statSync", "fs.readdirSync", "*.query", "*.execute", "*.findOne", "*.findById", "*.findByPk",
            "*.findUnique", "*.findFirst", "*.findMany", "*.findAll", "*.find", "*.count", "*.countDocuments", "*.prepare",
            "*.all", "*.run", "fetch", "axios.get", "axios.post", "axios", "*.compare", "*.verify", "*.exists",
        }
    ),
)

SQL = BASE.extend("js-sql", sanitisers={"*.escape", "SqlString.escape", "*.escapeId", "*.escapeLiteral", "*.escapeIdentifier", "pgFormat", "format.literal"})
COMMAND = BASE.extend(
    "js-command",
    sanitisers={"shellescape", "shellEscape", "escapeShellArg", "shellQuote", "quote", "shell-quote.quote", "*.quote", "shq", "encodeURIComponent"},
)
HTML = BASE.extend(
    "js-html",
    sanitisers={
        "escape", "escapeHtml", "escape-html", "htmlEscape", "encodeHTML", "*.escape", "*.escapeHtml", "he.encode", "he.escape",
        "DOMPurify.sanitize", "*.sanitize", "sanitizeHtml", "sanitize-html", "xss", "filterXSS", "encodeURIComponent",
        "validator.escape", "lodash.escape", "_.escape", "encode", "*.encode", "String.prototype.escape", "xss.filterXSS",
    },
)
PATH = BASE.extend(
    "js-path",
    sanitisers={"path.basename", "basename", "*.basename", "sanitize", "sanitizeFilename", "sanitize-filename", "encodeURIComponent", "uuid"},
)
NOSQL = BASE.extend(
    "js-nosql",
    sanitisers={"String", "*.toString", "mongoSanitize", "mongo-sanitize", "sanitize", "*.sanitize", "ObjectId", "*.ObjectId", "escapeRegExp", "escapeRegex", "_.escapeRegExp"},
)
URL = BASE.extend("js-url", sanitisers={"encodeURIComponent"})
CODE = BASE.extend("js-code", sanitisers={"JSON.stringify"})
OBJECT = BASE.extend("js-object", sanitisers={"_.pick", "lodash.pick", "pick", "structuredClone"})


def safe_for(spec: TaintSpec) -> SafeValues:
    """Values that cannot carry a payload for `spec`'s sinks: numbers,
    constants, and the results of its sanitisers."""
    return SafeValues(calls=SAFE.calls | spec.sanitisers, members=SAFE.members, methods=SAFE.methods)
