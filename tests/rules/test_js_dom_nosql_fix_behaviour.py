"""Fixes of JS-XSS-001 (textContent, checked in a DOM from linkedom) and
JS-NOSQLI-001 (String(), checked with mingo's MongoDB query semantics), run
under Node: benign input behaves the same, hostile input stops working."""

from __future__ import annotations

from tests.rules.fixrun import findings_of, fix_once
from tests.rules.noderun import run_cases

DOM = """const { parseHTML } = require("linkedom");
function showGreeting(el, name) {
  el.innerHTML = "Hello, " + name + "!";
}
function run(name) {
  const { document } = parseHTML('<html><body><div id="greeting"></div></body></html>');
  const el = document.getElementById("greeting");
  showGreeting(el, name);
  return { text: el.textContent, elements: el.querySelectorAll("*").length };
}
module.exports = { run };
"""

LOGIN = """const mingo = require("mingo");
const users = [
  { username: "admin", password: "s3cret", role: "admin" },
  { username: "bob", password: "hunter2", role: "user" },
];
const User = { async findOne(filter) { return new mingo.Query(filter).find(users).next() || null; } };
const routes = {};
const app = { post(path, handler) { routes[path] = handler; } };
app.post("/login", async (req, res) => {
  const { username, password } = req.body;
  const user = await User.findOne({ username, password: password });
  res.json({ ok: Boolean(user), role: user ? user.role : null });
});
async function run(body) {
  let out = null;
  await routes["/login"]({ body }, { json(value) { out = value; } });
  return out;
}
module.exports = { run };
"""


def _fixed(source: str, rule_id: str) -> str:
    assert findings_of(source, rule_id, "javascript")
    fixed = fix_once(source, rule_id, "javascript")
    assert fixed != source and not findings_of(fixed, rule_id, "javascript")
    return fixed


def test_textcontent_fix_shows_the_same_text_and_creates_no_elements(tmp_path) -> None:
    fixed = _fixed(DOM, "JS-XSS-001")
    assert "el.textContent = " in fixed
    hostile = '<img src=x onerror="alert(1)">'
    before = run_cases(DOM, [["Bob"], [hostile]], tmp_path, "original")
    after = run_cases(fixed, [["Bob"], [hostile]], tmp_path, "fixed")
    assert before[0] == after[0] == {"ok": {"text": "Hello, Bob!", "elements": 0}}
    assert before[1]["ok"]["elements"] == 1, "the original must turn the value into an element"
    assert after[1] == {"ok": {"text": f"Hello, {hostile}!", "elements": 0}}


def test_string_cast_fix_keeps_logins_and_blocks_operator_injection(tmp_path) -> None:
    fixed = _fixed(LOGIN, "JS-NOSQLI-001")
    cases = [
        [{"username": "admin", "password": "s3cret"}],
        [{"username": "bob", "password": "wrong"}],
        [{"username": "admin", "password": {"$ne": None}}],
        [{"username": {"$gt": ""}, "password": {"$gt": ""}}],
    ]
    before = run_cases(LOGIN, cases, tmp_path, "original")
    after = run_cases(fixed, cases, tmp_path, "fixed")
    assert before[:2] == after[:2] == [{"ok": {"ok": True, "role": "admin"}}, {"ok": {"ok": False, "role": None}}]
    assert before[2]["ok"]["ok"] is True and before[3]["ok"]["ok"] is True, "the original must let operators through"
    assert after[2] == after[3] == {"ok": {"ok": False, "role": None}}
