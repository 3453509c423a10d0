"""JS-SQLI-001's fix, run under Node with better-sqlite3: the same rows for
benign input, no injection for hostile input."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import findings_of, fix_once
from tests.rules.noderun import run_cases

PRELUDE = """const Database = require("better-sqlite3");
const db = new Database(":memory:");
db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, active INTEGER); " +
  "INSERT INTO users (name, email, active) VALUES ('alice', 'a@x.org', 1), ('bob', 'b@x.org', 1), ('o''hara', 'o@x.org', 0), ('100% real', 'p@x.org', 1);");
"""

CASES = {
    "template_quoted": (
        "function run(value) {\n  return db.prepare(`SELECT id FROM users WHERE name = '${value}'`).all();\n}\n",
        "bob",
        "x' OR '1'='1",
    ),
    "template_number": (
        "function run(value) {\n  return db.prepare(`SELECT name FROM users WHERE id = ${value}`).all();\n}\n",
        "2",
        "2 OR 1=1",
    ),
    "like_concat_variable": (
        "function run(value) {\n  const sql = \"SELECT name FROM users WHERE name LIKE '%\" + value + \"%' ORDER BY id\";\n"
        "  return db.prepare(sql).all();\n}\n",
        "o",
        "%' OR '1'='1' --",
    ),
    "literal_percent_kept": (
        "function run(value) {\n  return db.prepare(`SELECT name FROM users WHERE name LIKE '100%' AND active = ${value}`).all();\n}\n",
        "1",
        "1 OR 1=1",
    ),
    "two_values_multiline": (
        "function run(value) {\n  const rows = db.prepare(`\n    SELECT id FROM users\n    WHERE email = '${value}@x.org'\n      AND active = ${value.length > 0 ? 1 : 0}\n  `).all();\n  return rows;\n}\n",
        "a",
        "' UNION SELECT email FROM users --",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_keeps_benign_rows_and_blocks_injection(name, tmp_path) -> None:
    body, benign, hostile = CASES[name]
    source = PRELUDE + body + "module.exports = { run };\n"
    assert findings_of(source, "JS-SQLI-001", "javascript"), "the vulnerable snippet must be flagged"
    fixed = fix_once(source, "JS-SQLI-001", "javascript")
    assert fixed != source, "a fix must be offered"
    assert not findings_of(fixed, "JS-SQLI-001", "javascript"), "the fix must clear the finding"

    before = run_cases(source, [[benign], [hostile]], tmp_path, "original")
    after = run_cases(fixed, [[benign], [hostile]], tmp_path, "fixed")
    assert "ok" in before[0] and after[0] == before[0], f"benign input changed the result: {before[0]} -> {after[0]}"
    assert before[1] != after[1], "the hostile input must behave differently after the fix"
    assert "ok" in after[1] and len(after[1]["ok"]) < 4, "hostile input must not widen the query after the fix"
