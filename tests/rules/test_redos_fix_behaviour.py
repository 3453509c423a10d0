"""PY-REDOS-001's fix: literal search terms match as before; regex syntax from
the client is matched literally instead of being interpreted."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import STAND_IN_APP, original_and_fixed

NAMES = '["alice", "alicia", "bob", "a.b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!"]'
CASES = {
    "whole_pattern": f"import re\n\nNAMES = {NAMES}\n\n" + STAND_IN_APP
    + '@app.post("/s")\ndef run(term):\n    return [n for n in NAMES if re.search(term, n)]\n',
    "spliced_pattern": f"import re\n\nNAMES = {NAMES}\n\n" + STAND_IN_APP
    + '@app.post("/s")\ndef run(term):\n    pattern = re.compile(f"^{term}", re.IGNORECASE)\n    return [n for n in NAMES if pattern.match(n)]\n',
    "from_import_without_re": f"from re import findall\n\nNAMES = {NAMES}\n\n" + STAND_IN_APP
    + '@app.post("/s")\ndef run(term):\n    return [n for n in NAMES if findall(term + "+", n)]\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_escape_fix(name, tmp_path) -> None:
    before, after, fixed = original_and_fixed(CASES[name], "PY-REDOS-001", tmp_path)
    assert "re.escape(" in fixed
    for benign in ("ali", "bob", "alic"):
        assert after(benign) == before(benign)
    assert before("a.") != after("a."), "the original interprets the client's metacharacters"
    assert after("a.") == ["a.b"]
    assert after("(a+)+$") == [], "an evil pattern is now a harmless literal"
