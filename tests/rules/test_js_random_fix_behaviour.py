"""JS-RAND-001's fix, run under Node: tokens stay strings and codes stay
integers in the same range, now drawn from the crypto module."""

from __future__ import annotations

import re

from tests.rules.fixrun import findings_of, fix_once
from tests.rules.noderun import run_cases

SOURCE = """function generateResetToken() {
  return Math.random().toString(36).substring(2);
}
function run(kind) {
  if (kind === "token") return generateResetToken();
  const otpCode = Math.floor(Math.random() * 1000000);
  return otpCode;
}
module.exports = { run };
"""


def test_fixed_tokens_and_codes_keep_their_type_and_range(tmp_path) -> None:
    assert len(findings_of(SOURCE, "JS-RAND-001", "javascript")) == 2
    fixed = fix_once(SOURCE, "JS-RAND-001", "javascript")
    assert "Math.random" not in fixed and not findings_of(fixed, "JS-RAND-001", "javascript")
    assert fixed.startswith('const crypto = require("crypto");\n')
    cases = [["token"]] * 20 + [["otp"]] * 50
    before = run_cases(SOURCE, cases, tmp_path, "original")
    after = run_cases(fixed, cases, tmp_path, "fixed")
    for old, new in zip(before[:20], after[:20]):
        assert isinstance(old["ok"], str) and re.fullmatch(r"[0-9a-f]{32}", new["ok"])
    for old, new in zip(before[20:], after[20:]):
        assert isinstance(new["ok"], int) and 0 <= new["ok"] < 1_000_000 and 0 <= old["ok"] < 1_000_000
    assert len({r["ok"] for r in after[:20]}) == 20
