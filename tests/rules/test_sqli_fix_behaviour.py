"""PY-SQLI-001's fix: same rows for benign input, no injection for hostile input."""

from __future__ import annotations

import sqlite3

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, active INTEGER);
INSERT INTO users (name, email, active) VALUES ('alice', 'a@x.org', 1), ('bob', 'b@x.org', 1),
    ('o''hara', 'o@x.org', 0), ('100% real', 'p@x.org', 1);
"""

CASES = {
    "fstring_value": (
        "def run(conn, value):\n    return conn.execute(f\"SELECT name FROM users WHERE id = {value}\").fetchall()\n",
        "2",
        "2 OR 1=1",
    ),
    "quoted_percent": (
        "def run(conn, value):\n    cur = conn.cursor()\n    cur.execute(\"SELECT id FROM users WHERE name = '%s'\" % value)\n    return cur.fetchall()\n",
        "bob",
        "x' OR '1'='1",
    ),
    "like_concat": (
        "def run(conn, value):\n    return conn.execute(\"SELECT name FROM users WHERE name LIKE '%\" + value + \"%' ORDER BY id\").fetchall()\n",
        "o",
        "%' OR '1'='1' --",
    ),
    "literal_percent_kept": (
        "def run(conn, value):\n    return conn.execute(f\"SELECT name FROM users WHERE name LIKE '100%' AND active = {value}\").fetchall()\n",
        "1",
        "1 OR 1=1",
    ),
    "variable_format": (
        "def run(conn, value):\n    q = \"SELECT id FROM users WHERE email = '{}' AND active = 1\".format(value)\n    return conn.execute(q).fetchall()\n",
        "a@x.org",
        "' OR 1=1 --",
    ),
    "multiline_fstring": (
        "def run(conn, value):\n    sql = f\"\"\"\n        SELECT id\n        FROM users\n        WHERE name = '{value}'\n    \"\"\"\n    return conn.execute(sql).fetchall()\n",
        "alice",
        "' UNION SELECT email FROM users --",
    ),
}


@pytest.fixture
def conn():
    connection = sqlite3.connect(":memory:")
    connection.executescript(SCHEMA)
    yield connection
    connection.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_keeps_benign_results_and_blocks_injection(name, conn, tmp_path) -> None:
    original, benign, hostile = CASES[name]
    source = "import sqlite3\n\n" + original
    assert findings_of(source, "PY-SQLI-001"), "the vulnerable snippet must be flagged"
    fixed = fix_once(source, "PY-SQLI-001")
    assert fixed != source, "a fix must be offered"
    assert not findings_of(fixed, "PY-SQLI-001"), "the fix must clear the finding"

    before = load_module(source, tmp_path).run
    after = load_module(fixed, tmp_path).run
    assert after(conn, benign) == before(conn, benign)

    try:
        hostile_before = before(conn, hostile)
    except sqlite3.Error:
        hostile_before = None
    hostile_after = after(conn, hostile)
    assert hostile_after != hostile_before or hostile_before == []
    all_rows = conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    assert len(hostile_after) < all_rows, "hostile input must not widen the query after the fix"


def test_paramstyle_follows_driver() -> None:
    source = "import psycopg2\n\ndef run(cur, v):\n    cur.execute(f\"SELECT * FROM t WHERE a = {v} AND b LIKE 'x%'\")\n"
    fixed = fix_once(source, "PY-SQLI-001")
    assert "cur.execute(\"SELECT * FROM t WHERE a = %s AND b LIKE 'x%%'\", (v,))" in fixed


def test_sqlalchemy_text_uses_named_parameters() -> None:
    source = (
        "from sqlalchemy import text\n\n"
        "def run(session, name):\n"
        "    return session.execute(text(f\"SELECT * FROM users WHERE name = '{name}'\")).all()\n"
    )
    fixed = fix_once(source, "PY-SQLI-001")
    assert 'session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})' in fixed


def test_sqlalchemy_text_outside_execute_uses_bindparams() -> None:
    source = (
        "import sqlalchemy as sa\n\n"
        "def build(user_id):\n"
        "    return sa.text(f\"DELETE FROM sessions WHERE user_id = {user_id}\")\n"
    )
    fixed = fix_once(source, "PY-SQLI-001")
    assert 'sa.text("DELETE FROM sessions WHERE user_id = :user_id").bindparams(user_id=user_id)' in fixed


def test_django_raw_uses_list_params() -> None:
    source = (
        "from django.db import models\n\n"
        "def run(name):\n"
        "    return User.objects.raw(f\"SELECT * FROM app_user WHERE username = '{name}'\")\n"
    )
    fixed = fix_once(source, "PY-SQLI-001")
    assert 'User.objects.raw("SELECT * FROM app_user WHERE username = %s", [name])' in fixed


def test_identifier_hole_is_flagged_without_fix() -> None:
    source = "import sqlite3\n\ndef run(conn, table):\n    return conn.execute(f\"SELECT * FROM {table}\").fetchall()\n"
    findings = findings_of(source, "PY-SQLI-001")
    assert len(findings) == 1 and not findings[0].fixes


def test_reassigned_value_between_build_and_execute_gets_no_unsafe_fix() -> None:
    source = (
        "import sqlite3\n\n"
        "def run(conn, name):\n"
        "    q = f\"SELECT * FROM users WHERE name = '{name}'\"\n"
        "    name = 'other'\n"
        "    return conn.execute(q).fetchall()\n"
    )
    findings = findings_of(source, "PY-SQLI-001")
    assert len(findings) == 1 and not findings[0].fixes


def test_asyncpg_uses_dollar_placeholders() -> None:
    source = "import asyncpg\n\nasync def run(conn, uid):\n    return await conn.fetch(f\"SELECT * FROM users WHERE id = {uid}\")\n"
    fixed = fix_once(source, "PY-SQLI-001")
    assert 'await conn.fetch("SELECT * FROM users WHERE id = $1", uid)' in fixed
