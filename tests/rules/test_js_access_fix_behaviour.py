"""Fixes of JS-PATH-001 and JS-AUTHZ-001, run under Node with fake request
and response objects: benign requests get the same response as before, the
hostile ones are refused with 403 after the fix."""

from __future__ import annotations

from tests.rules.fixrun import findings_of, fix_once
from tests.rules.noderun import run_cases

RESPONSE = """
function fakeResponse() {
  const out = { status: 200 };
  const res = {
    status(code) { out.status = code; return res; },
    send(body) { out.body = body; return res; },
    json(body) { out.body = body; return res; },
    sendStatus(code) { out.status = code; return res; },
  };
  return { res, out };
}
"""

PATH_HANDLER = """const fs = require("fs");
const path = require("path");
let root = "";
const routes = {};
const router = { get(p, handler) { routes[p] = handler; } };
router.get("/files/:name", (req, res) => {
  const data = fs.readFileSync(path.join(root, req.params.name), "utf8");
  return res.send(data);
});
""" + RESPONSE + """
function run(base, name) {
  root = base;
  const { res, out } = fakeResponse();
  routes["/files/:name"]({ params: { name } }, res);
  return out;
}
module.exports = { run };
"""

AUTHZ_HANDLER = """const invoices = { 1: { id: 1, userId: 7, total: 10 }, 2: { id: 2, userId: 8, total: 99 } };
const Invoice = { async findById(id) { return invoices[id] || null; } };
const routes = {};
const router = { get(p, ...handlers) { routes[p] = handlers[handlers.length - 1]; } };
const requireAuth = (req, res, next) => next();
router.get("/invoices/:id", requireAuth, async (req, res) => {
  const invoice = await Invoice.findById(req.params.id);
  if (!invoice) {
    return res.status(404).json({ error: "Not found" });
  }
  res.json(invoice);
});
""" + RESPONSE + """
async function run(userId, id) {
  const { res, out } = fakeResponse();
  await routes["/invoices/:id"]({ params: { id }, user: { id: userId } }, res);
  return out;
}
module.exports = { run };
"""


def _fixed(source: str, rule_id: str) -> str:
    assert findings_of(source, rule_id, "javascript"), f"{rule_id} must flag the handler"
    fixed = fix_once(source, rule_id, "javascript")
    assert fixed != source and not findings_of(fixed, rule_id, "javascript")
    return fixed


def test_path_fix_serves_files_inside_and_refuses_traversal(tmp_path) -> None:
    base = tmp_path / "uploads"
    base.mkdir()
    (base / "a.txt").write_text("hello")
    (tmp_path / "secret.txt").write_text("TOPSECRET")
    fixed = _fixed(PATH_HANDLER, "JS-PATH-001")
    cases = [[str(base), "a.txt"], [str(base), "../secret.txt"]]
    before = run_cases(PATH_HANDLER, cases, tmp_path, "original")
    after = run_cases(fixed, cases, tmp_path, "fixed")
    assert before[0] == after[0] == {"ok": {"status": 200, "body": "hello"}}
    assert before[1] == {"ok": {"status": 200, "body": "TOPSECRET"}}, "the original must leak the file"
    assert after[1] == {"ok": {"status": 403, "body": "Forbidden"}}


def test_authz_fix_keeps_owner_and_missing_responses_and_refuses_others(tmp_path) -> None:
    fixed = _fixed(AUTHZ_HANDLER, "JS-AUTHZ-001")
    cases = [[7, "1"], [7, "3"], [7, "2"]]
    before = run_cases(AUTHZ_HANDLER, cases, tmp_path, "original")
    after = run_cases(fixed, cases, tmp_path, "fixed")
    assert after[0] == before[0] == {"ok": {"status": 200, "body": {"id": 1, "userId": 7, "total": 10}}}
    assert after[1] == before[1] == {"ok": {"status": 404, "body": {"error": "Not found"}}}
    assert before[2]["ok"]["body"]["userId"] == 8, "the original must leak another user's invoice"
    assert after[2] == {"ok": {"status": 403, "body": {"error": "Forbidden"}}}
