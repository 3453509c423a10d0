"""Generate realistic Python web modules and edit scripts for benchmarks.

The text mixes Flask handlers, queries (sqlite and psycopg), helpers, classes,
exports through subprocess, file downloads, outgoing webhooks and settings
loaders, most of them written safely and a few with the real flaws AI code
ships (string-built SQL, `shell=True`, client-chosen paths, `verify=False`,
`yaml.load`, MD5 passwords), deterministic for a given seed.

`edit_script()` plans the edits a keystroke benchmark sends: single characters
typed and deleted again at varied places (anywhere in a line's code, never
inside its indentation, where nobody types), inside and outside the AI regions
that `bulk_inserts()` create, and one-character edits that turn a
parameterised psycopg query into a %-formatted one (creating a SQL injection)
and back (removing it). Every edit pair restores the text, so any number of
pairs can run against the same document.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

HEADER = '''"""Generated service module for draftguard benchmarks."""
import hashlib
import json
import logging
import os
import sqlite3
import subprocess

import psycopg2
import requests
import yaml
from flask import Flask, abort, jsonify, request, send_from_directory

app = Flask(__name__)
log = logging.getLogger(__name__)
PAGE_SIZE = 50
EXPORT_DIR = os.environ.get("EXPORT_DIR", "/srv/exports")
WEBHOOK_URL = os.environ.get("WEBHOOK_URL", "https://hooks.example.com/notify")


def get_db():
    return sqlite3.connect(os.environ.get("DB_PATH", "app.db"))


def get_pg():
    return psycopg2.connect(os.environ["PG_DSN"])

'''

SAFE_HANDLER = '''
@app.route("/{name}/<int:item_id>")
def get_{name}_{n}(item_id):
    db = get_db()
    row = db.execute("SELECT * FROM {name} WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        abort(404)
    log.info("loaded %s %s", "{name}", item_id)
    return jsonify(dict(row))

'''

FLAWED_HANDLER = '''
@app.route("/{name}/search")
def search_{name}_{n}():
    term = request.args.get("q", "")
    db = get_db()
    rows = db.execute(f"SELECT * FROM {name} WHERE title LIKE '%{{term}}%'").fetchall()
    return jsonify([dict(r) for r in rows])

'''

PG_HANDLER = '''
@app.route("/{name}/by-title")
def {name}_by_title_{n}():
    title = request.args.get("title", "")
    with get_pg() as conn, conn.cursor() as cur:
        cur.execute("SELECT id, title FROM {name} WHERE title = %s", (title,))
        return jsonify(cur.fetchall())

'''
PG_TOGGLE = '= %s", (title,))'
"""The toggle site of PG_HANDLER: its `,` becomes `%` (string-built SQL) and back."""

HELPER = '''
def summarise_{name}_{n}(records, limit=PAGE_SIZE):
    """Summarise records for the dashboard."""
    totals = {{}}
    for record in records[:limit]:
        key = record.get("category", "other")
        totals[key] = totals.get(key, 0) + record.get("amount", 0)
    ordered = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    return json.dumps(ordered)

'''

CLASS = '''
class {cname}Repository:
    """Data access for {name}."""

    def __init__(self, conn):
        self.conn = conn

    def by_owner(self, owner_id):
        return self.conn.execute("SELECT * FROM {name} WHERE owner_id = ?", (owner_id,)).fetchall()

    def count(self):
        return self.conn.execute("SELECT COUNT(*) FROM {name}").fetchone()[0]

'''

SAFE_EXPORT = '''
def export_{name}_{n}(report_id: int) -> str:
    target = os.path.join(EXPORT_DIR, f"{name}-{{report_id}}.csv")
    subprocess.run(["pg-export", "--table", "{name}", "--out", target], check=True, timeout=120)
    return target

'''

FLAWED_EXPORT = '''
@app.post("/{name}/export")
def export_{name}_{n}():
    fmt = request.form.get("format", "csv")
    subprocess.run(f"pg-export --table {name} --format {{fmt}}", shell=True, check=True)
    return jsonify({{"status": "started"}})

'''

SAFE_DOWNLOAD = '''
@app.get("/{name}/files/<path:filename>")
def download_{name}_{n}(filename):
    return send_from_directory(EXPORT_DIR, filename)

'''

FLAWED_DOWNLOAD = '''
@app.get("/{name}/raw")
def raw_{name}_{n}():
    name = request.args["file"]
    with open(os.path.join(EXPORT_DIR, name), "rb") as fh:
        return fh.read()

'''

SAFE_WEBHOOK = '''
def notify_{name}_{n}(event: dict) -> bool:
    response = requests.post(WEBHOOK_URL, json=event, timeout=10)
    return response.ok

'''

FLAWED_WEBHOOK = '''
def notify_{name}_{n}(event: dict) -> bool:
    response = requests.post(WEBHOOK_URL, json=event, verify=False)
    return response.ok

'''

SAFE_SETTINGS = '''
def load_{name}_settings_{n}(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {{}}

'''

FLAWED_SETTINGS = '''
def load_{name}_settings_{n}(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=yaml.Loader)

'''

SAFE_PASSWORD = '''
def hash_{name}_password_{n}(password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000).hex()

'''

FLAWED_PASSWORD = '''
def hash_{name}_password_{n}(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()

'''

NAMES = ["orders", "invoices", "users", "notes", "projects", "tickets", "comments", "payments"]

# (weight, safe template, flawed template or None); a flawed variant is chosen
# with probability flaw_rate.
BLOCKS = [
    (30, SAFE_HANDLER, FLAWED_HANDLER),
    (25, HELPER, None),
    (15, CLASS, None),
    (8, PG_HANDLER, None),
    (6, SAFE_EXPORT, FLAWED_EXPORT),
    (5, SAFE_DOWNLOAD, FLAWED_DOWNLOAD),
    (4, SAFE_WEBHOOK, FLAWED_WEBHOOK),
    (4, SAFE_SETTINGS, FLAWED_SETTINGS),
    (3, SAFE_PASSWORD, FLAWED_PASSWORD),
]
_FLAWED = [b for b in BLOCKS if b[2] is not None]


def _block(rng: random.Random, n: int, flaw_rate: float) -> str:
    name = rng.choice(NAMES)
    if rng.random() < flaw_rate:
        template = rng.choices([b[2] for b in _FLAWED], weights=[b[0] for b in _FLAWED])[0]
    else:
        template = rng.choices([b[1] for b in BLOCKS], weights=[b[0] for b in BLOCKS])[0]
    return template.format(name=name, n=n, cname=name.capitalize() + str(n))


def generate(lines: int, seed: int = 7, flaw_rate: float = 0.05) -> str:
    """A module of at least `lines` lines (whole blocks, so a few more)."""
    rng = random.Random(seed)
    parts = [HEADER]
    count = HEADER.count("\n")
    n = 0
    while count < lines:
        n += 1
        block = _block(rng, n, flaw_rate)
        parts.append(block)
        count += block.count("\n")
    return "".join(parts)


def ai_block(n: int) -> str:
    """What an assistant pastes in one go: two handlers, one of them flawed."""
    rng = random.Random(n)
    name = rng.choice(NAMES)
    return FLAWED_HANDLER.format(name=name, n=90000 + n) + SAFE_HANDLER.format(name=name, n=91000 + n)


# -- edit scripts ---------------------------------------------------------------

@dataclass(frozen=True)
class PlannedEdit:
    """One didChange content change on the document's current text: replace
    [line:start, line:end) with `text` (single-line ranges; ASCII text)."""

    kind: str
    """`outside` / `inside` (typing outside / inside an AI region), `flaw+` /
    `flaw-` (creating / removing a SQL injection), `bulk` (an AI insert)."""
    line: int
    start: int
    end: int
    text: str

    def change(self) -> dict:
        return {
            "range": {"start": {"line": self.line, "character": self.start}, "end": {"line": self.line, "character": self.end}},
            "text": self.text,
        }

    def apply(self, rows: list[str]) -> None:
        """Apply to `rows` (the text split at `\\n`), as the server does."""
        row = rows[self.line]
        new = row[: self.start] + self.text + row[self.end :]
        rows[self.line : self.line + 1] = new.split("\n")


def bulk_inserts(text: str, count: int, seed: int = 3) -> list[PlannedEdit]:
    """`count` AI blocks pasted at the start of top-level statements spread
    over the file, each as one change (so each opens an AI region); apply
    them in order. The edits are planned bottom-up so their lines stay valid."""
    rows = text.split("\n")
    rng = random.Random(seed)
    starts = [i for i, row in enumerate(rows) if row.startswith(("def ", "@app", "class "))]
    chosen = sorted(rng.sample(starts, min(count, len(starts))), reverse=True)
    return [PlannedEdit("bulk", line, 0, 0, ai_block(i)) for i, line in enumerate(chosen)]


def region_lines(text: str) -> list[int]:
    """Lines of the blocks `ai_block()` wrote (their function names say so)."""
    rows = text.split("\n")
    inside: list[int] = []
    current = False
    for i, row in enumerate(rows):
        if row and not row[0].isspace():
            current = "_9" in row and ("def search_" in row or "def get_" in row) or (row.startswith("@app") and i + 1 < len(rows) and "_9" in rows[i + 1])
        if current and row.strip():
            inside.append(i)
    return inside


def edit_script(text: str, count: int, seed: int = 1, flaw_share: float = 0.2) -> list[PlannedEdit]:
    """`count` edits (rounded down to pairs) on `text`: typing pairs outside
    and inside AI regions (half each when the text has regions) and flaw
    pairs (`flaw_share` of the pairs) at the PG_HANDLER toggle sites."""
    rows = text.split("\n")
    rng = random.Random(seed)
    inside = region_lines(text)
    inside_set = set(inside)
    outside = [i for i, row in enumerate(rows) if row.strip() and i not in inside_set]
    toggles = [(i, row.index(PG_TOGGLE) + len('= %s"')) for i, row in enumerate(rows) if PG_TOGGLE in row]
    pairs = count // 2
    flaw_pairs = int(pairs * flaw_share) if toggles else 0
    kinds = ["flaw"] * flaw_pairs
    typing = pairs - flaw_pairs
    kinds += ["inside"] * (typing // 2 if inside else 0)
    kinds += ["outside"] * (pairs - len(kinds))
    rng.shuffle(kinds)
    plan: list[PlannedEdit] = []
    for kind in kinds:
        if kind == "flaw":
            line, col = rng.choice(toggles)
            plan.append(PlannedEdit("flaw+", line, col, col + 1, "%"))
            plan.append(PlannedEdit("flaw-", line, col, col + 1, ","))
            continue
        line = rng.choice(inside if kind == "inside" else outside)
        row = rows[line]
        col = rng.randint(len(row) - len(row.lstrip()), len(row))  # in the code, not inside its indentation
        plan.append(PlannedEdit(kind, line, col, col, "x"))
        plan.append(PlannedEdit(kind, line, col, col + 1, ""))
    return plan
