"""Generate realistic Python web modules of a given size for benchmarks.

The text mixes Flask handlers, queries, helpers and classes, with a few real
flaws sprinkled in (string-built SQL), deterministic for a given seed.
"""

from __future__ import annotations

import random

HEADER = '''"""Generated service module for draftguard benchmarks."""
import json
import logging
import os
import sqlite3

from flask import Flask, abort, jsonify, request

app = Flask(__name__)
log = logging.getLogger(__name__)
PAGE_SIZE = 50


def get_db():
    return sqlite3.connect(os.environ.get("DB_PATH", "app.db"))

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

NAMES = ["orders", "invoices", "users", "notes", "projects", "tickets", "comments", "payments"]


def generate(lines: int, seed: int = 7, flaw_rate: float = 0.05) -> str:
    rng = random.Random(seed)
    parts = [HEADER]
    count = HEADER.count("\n")
    n = 0
    while count < lines:
        n += 1
        name = rng.choice(NAMES)
        roll = rng.random()
        if roll < flaw_rate:
            block = FLAWED_HANDLER.format(name=name, n=n)
        elif roll < 0.45:
            block = SAFE_HANDLER.format(name=name, n=n)
        elif roll < 0.8:
            block = HELPER.format(name=name, n=n)
        else:
            block = CLASS.format(name=name, n=n, cname=name.capitalize() + str(n))
        parts.append(block)
        count += block.count("\n")
    return "".join(parts)
