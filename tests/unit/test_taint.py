"""The taint helper on its own: sources, propagation, sanitisers, guards and
helper summaries. Each snippet passes values to `sink(...)`; the test asks
what taint the argument carries."""

from __future__ import annotations

import textwrap

import pytest

import draftguard.analyzers.python  # noqa: F401  (registers Python facts)
from draftguard.analyzers import parse
from draftguard.analyzers.context import AnalysisContext
from draftguard.analyzers.facts import compute_facts
from draftguard.analyzers.python.taint import is_route_handler, taint_of
from draftguard.analyzers.python.taint_specs import ENVIRONMENT, LOCAL, REQUEST

FLASK = "from flask import Flask, request, abort\nimport os, re, sys, shlex, html, subprocess\napp = Flask(__name__)\n"


def taints(code: str, *, sink: str | None = None, kinds=None, header: str = FLASK):
    """Taint of the first argument of every `sink(...)` call, in order."""
    source = (header + textwrap.dedent(code)).encode()
    tree = parse(source, "python")
    facts = compute_facts("python", source, tree.root_node)
    out = []
    for unit in tree.root_node.children:
        ctx = AnalysisContext(source, tree, "python", facts, unit)
        for match in ctx.matches("(call function: (identifier) @f (#eq? @f \"sink\") arguments: (argument_list . (_) @arg)) @call"):
            kwargs = {"sink": sink}
            if kinds is not None:
                kwargs["kinds"] = kinds
            out.append((match["arg"][0].start_byte, taint_of(ctx, match["arg"][0], **kwargs)))
    return [t for _pos, t in sorted(out, key=lambda item: item[0])]


def flags(code: str, **kwargs) -> list[bool]:
    return [t is not None for t in taints(code, **kwargs)]


# -- sources ------------------------------------------------------------------------
def test_flask_request_attributes_are_sources() -> None:
    code = """
    @app.route("/a")
    def a():
        sink(request.args["q"])
        sink(request.args.get("q", ""))
        sink(request.form.get("name"))
        sink(request.get_json()["x"])
        sink(request.json.get("x"))
        sink(request.headers.get("X-Token"))
        sink(request.cookies["sid"])
        sink(request.files["f"].filename)
        sink(request.method)
    """
    assert flags(code) == [True] * 8 + [False]


def test_source_is_described() -> None:
    [found] = taints("""
    def a():
        q = request.args.get("q")
        sink(q)
    """)
    assert found.source == "request.args" and found.kind == REQUEST and found.line == 6


def test_django_request_and_url_kwargs() -> None:
    header = "from django.http import HttpResponse\n"
    code = """
    def detail(request, slug):
        sink(request.GET.get("q"))
        sink(request.POST["name"])
        sink(request.body)
        sink(slug)
        sink(request.user.username)
    """
    assert flags(code, header=header) == [True, True, True, True, False]


def test_fastapi_parameters_and_request() -> None:
    header = "from fastapi import FastAPI, Depends, Request\nfrom pydantic import BaseModel\napp = FastAPI()\n"
    code = """
    class Item(BaseModel):
        name: str
        quantity: int

    @app.get("/items/{item_id}")
    async def read(item_id: str, q: str | None = None, limit: int = 10, db: Session = Depends(get_db)):
        sink(item_id)
        sink(q)
        sink(limit)
        sink(db)

    @app.post("/items")
    async def create(item: Item, request: Request):
        sink(item.name)
        sink(item.quantity)
        sink(await request.json())
        sink(request.query_params["x"])
    """
    assert flags(code, header=header) == [True, True, False, False, True, False, True, True]


def test_fastapi_dependency_aliases_are_not_input() -> None:
    """`SessionDep = Annotated[Session, Depends(get_db)]` lives in deps.py; by
    FastAPI's naming convention a `...Dep` annotation is injected, not sent."""
    header = "from fastapi import FastAPI\nfrom app.api.deps import SessionDep, TokenDep\napp = FastAPI()\n"
    code = """
    @app.post("/recover/{email}")
    def recover(email: str, session: SessionDep, token: TokenDep, deputy: str):
        sink(session)
        sink(token)
        sink(email)
        sink(deputy)
    """
    assert flags(code, header=header) == [False, False, True, True]


def test_flask_route_parameters_follow_converters() -> None:
    code = """
    @app.route("/u/<name>/<int:uid>/<path:rest>")
    def u(name, uid, rest, current_user=None):
        sink(name)
        sink(uid)
        sink(rest)
        sink(current_user)
    """
    assert flags(code) == [True, False, True, False]


def test_request_named_variable_that_is_not_a_web_request() -> None:
    code = """
    def fetch(url):
        request = urllib_request_build(url)
        sink(request.data)

    def client():
        from urllib import request as r
        sink(r.urlopen("https://example.org").read())
    """
    assert flags(code) == [False, False]


def test_local_and_environment_sources() -> None:
    code = """
    def main():
        sink(sys.argv[1])
        sink(input("name? "))
        sink(os.environ["HOME"])
        sink(os.getenv("TOKEN"))
        args = parser.parse_args()
        sink(args.host)
    """
    kinds = [t.kind if t else None for t in taints(code, kinds=frozenset({REQUEST, LOCAL, ENVIRONMENT}))]
    assert kinds == [LOCAL, LOCAL, ENVIRONMENT, ENVIRONMENT, LOCAL]
    assert flags(code) == [True, True, False, False, True], "the environment is opt-in"


# -- propagation ------------------------------------------------------------------------
def test_string_building_and_containers_propagate() -> None:
    code = """
    def a():
        name = request.args["n"]
        sink(f"hello {name}")
        sink("hello %s" % name)
        sink("hello " + name)
        sink("hello {}".format(name))
        sink(", ".join([name, "x"]))
        sink({"k": name})
        sink((1, name))
        sink(name.strip().lower())
        sink(name.split(",")[0])
        sink([n.upper() for n in name.split(",")])
        msg = "hi "
        msg += name
        sink(msg)
        first, second = name.split(":", 1)
        sink(second)
        if (m := name):
            sink(m)
    """
    assert flags(code) == [True] * 13


def test_mutation_of_containers_propagates() -> None:
    code = """
    def a():
        cmd = ["ls", "-l"]
        cmd.append(request.args["dir"])
        sink(cmd)
        opts = {}
        opts["path"] = request.args["p"]
        sink(opts)
        clean = ["a"]
        clean.append("b")
        sink(clean)
    """
    assert flags(code) == [True, True, False]


def test_dict_with_literal_keys_is_tracked_per_key() -> None:
    code = """
    def a():
        settings = {"mode": "fast", "user": request.args["u"]}
        settings["label"] = "x"
        sink(settings["mode"])
        sink(settings["user"])
        settings["mode"] = request.args["m"]
        sink(settings["mode"])
        sink(settings["missing"])
        sink(settings)

    def b(key):
        d = {"a": 1}
        d[key] = request.args["v"]
        sink(d["a"])
    """
    assert flags(code) == [False, True, True, False, True, True]


def test_reassignment_from_itself_keeps_taint() -> None:
    code = """
    def a():
        import urllib.parse
        param = request.query_string.decode()
        param = urllib.parse.unquote_plus(param)
        param = param.strip()
        sink(param)
        for part in part_list(param):
            sink(part)
    """
    assert flags(code) == [True, True]


def test_branch_assignments_all_reach_the_use() -> None:
    code = """
    def a(flag):
        bar = "safe"
        if flag:
            bar = request.args["x"]
        sink(bar)
        match flag:
            case "a":
                other = request.args["y"]
            case _:
                other = "constant"
        sink(other)
        bar = "reset"
        sink(bar)
    """
    assert flags(code) == [True, True, False]


def test_values_that_do_not_carry_input() -> None:
    code = """
    COLUMNS = {"name": "name", "date": "created_at"}
    def a():
        name = request.args["n"]
        sink(len(name))
        sink(name.isdigit())
        sink(name == "x")
        sink(COLUMNS[name])
        sink(COLUMNS.get(name, "id"))
        row = db.execute("SELECT * FROM t WHERE n = ?", (name,)).fetchone()
        sink(row)
        user = User.query.filter_by(name=name).first()
        sink(user.email)
        sink(get_object_or_404(Post, slug=name))
        a, b = 1, name
        sink(a)
        sink([int(x) for x in name.split(",")])
    """
    assert flags(code) == [False] * 10


# -- sanitisers ------------------------------------------------------------------------------
def test_universal_and_sink_specific_sanitisers() -> None:
    code = """
    def a():
        v = request.args["v"]
        sink(int(v))
        sink(shlex.quote(v))
        sink(html.escape(v))
        sink(secure_filename(v))
        sink(os.path.basename(v))
        sink(request.args.get("n", type=int))
    """
    assert flags(code, sink="shell") == [False, False, True, False, True, False]
    assert flags(code, sink="html") == [False, True, False, False, True, False]
    assert flags(code, sink="path") == [False, True, True, False, False, False]
    assert flags(code) == [False] * 6, "without a sink every sanitiser counts"


def test_crlf_removal_sanitises_headers_and_logs_only() -> None:
    code = """
    def a():
        v = request.args["v"]
        sink(v.replace("\\r", "").replace("\\n", ""))
        sink(v.replace("\\n", ""))
    """
    assert flags(code, sink="header") == [False, True]
    assert flags(code, sink="sql") == [True, True]


# -- guards -----------------------------------------------------------------------------------
def test_allow_list_and_validation_guards() -> None:
    code = """
    ALLOWED = {"name", "date"}
    SLUG = re.compile(r"^[a-z0-9-]+$")
    def a():
        col = request.args["sort"]
        if col not in ALLOWED:
            abort(400)
        sink(col)

    def b():
        name = request.args["n"]
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            return "bad", 400
        sink(name)

    def c():
        uid = request.args["id"]
        if uid.isdigit():
            sink(uid)
        sink(uid)

    def d():
        slug = request.args["s"]
        if not SLUG.match(slug):
            raise ValueError(slug)
        sink(slug)

    def e():
        order = request.args.get("o")
        order = order if order in ("asc", "desc") else "asc"
        sink(order)

    def f():
        x = request.args["x"]
        if x not in request.args:
            abort(400)
        sink(x)

    def g():
        x = request.args["x"]
        if not re.match(r"^.*$", x):
            abort(400)
        sink(x)

    def h():
        x = request.args["x"]
        if x not in ALLOWED:
            print("unexpected")
        sink(x)
    """
    assert flags(code) == [False, False, False, True, False, False, True, True, True]


def test_guard_before_reassignment_does_not_count() -> None:
    code = """
    ALLOWED = {"a"}
    def a():
        x = request.args["x"]
        if x not in ALLOWED:
            abort(400)
        x = request.args["y"]
        sink(x)
    """
    assert flags(code) == [True]


def test_path_containment_guard() -> None:
    code = """
    BASE = "/srv/files"
    def a():
        full = os.path.realpath(os.path.join(BASE, request.args["f"]))
        if not full.startswith(BASE + os.sep):
            abort(403)
        sink(full)

    def b():
        full = os.path.join(BASE, request.args["f"])
        if not full.startswith(BASE):
            abort(403)
        sink(full)
    """
    assert flags(code, sink="path") == [False, True]
    assert flags(code, sink="shell") == [True, True]


# -- helper summaries ----------------------------------------------------------------------------
def test_helpers_are_summarised() -> None:
    code = """
    def build_filter(name):
        return f"(uid={name})"

    def clean(value):
        return int(value)

    def quoted(value):
        return shlex.quote(value)

    def current_query():
        return request.args.get("q", "")

    def describe(prefix, value):
        return prefix + "!"

    class View:
        def get_name(self, raw):
            return raw.strip()

        def get(self):
            sink(self.get_name(request.args["n"]))

    @app.route("/x")
    def x():
        v = request.args["v"]
        sink(build_filter(v))
        sink(clean(v))
        sink(quoted(v))
        sink(current_query())
        sink(describe("a", v))
        sink(describe(v, "a"))
        sink(build_filter(name=v))
    """
    assert flags(code, sink="sql") == [True, True, False, True, True, False, True, True]
    assert flags(code, sink="shell") == [True, True, False, False, True, False, True, True]


def test_summary_facts_change_only_when_a_helper_changes() -> None:
    def facts(code: str):  # as the engine keeps them (a whole-file analysis summarises on demand)
        source = (FLASK + textwrap.dedent(code)).encode()
        return compute_facts("python", source, parse(source, "python").root_node, lazy=False)

    caller = "\ndef caller(v):\n    return h(v)\n"
    base = facts("def h(x):\n    return x\n\ndef other():\n    return 1\n" + caller)
    moved = facts("\n\ndef h(x):\n    return x\n\ndef other():\n    return 2\n" + caller)
    changed = facts("def h(x):\n    return int(x)\n\ndef other():\n    return 1\n" + caller)
    assert base.get("taint_summaries") == moved.get("taint_summaries")
    assert base.get("taint_summaries") != changed.get("taint_summaries")
    assert base.fingerprint != changed.fingerprint
    assert set(base.get("taint_summaries")) == {"h"}  # only helpers some call can use are summarised


def test_route_handler_detection() -> None:
    source = (FLASK + "@app.post('/x')\ndef x():\n    return 'ok'\n\ndef helper():\n    pass\n").encode()
    tree = parse(source, "python")
    facts = compute_facts("python", source, tree.root_node)
    functions = [n for n in tree.root_node.children if n.type in ("function_definition", "decorated_definition")]
    results = []
    for node in functions:
        function = node.child_by_field_name("definition") if node.type == "decorated_definition" else node
        results.append(is_route_handler(AnalysisContext(source, tree, "python", facts, node), function))
    assert results == [True, False]


@pytest.mark.parametrize(
    "pattern, tight",
    [
        (r"^[a-z0-9_-]+$", True),
        (r"^\w+$", True),
        (r"^[A-Za-z0-9.@+_-]{1,64}$", True),
        (r"^.*$", False),
        (r"^[^;]+$", False),
        (r"[a-z]+", False),
        (r"^[a-z ]+$", False),
        (r"^a|b$", False),
        (r"^\S+$", False),
    ],
)
def test_tight_patterns(pattern: str, tight: bool) -> None:
    from draftguard.analyzers.python.validation import tight_pattern

    assert tight_pattern(pattern, anchored_start=False, anchored_end=False) is tight
