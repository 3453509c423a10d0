"""JS-CMDI-001's fix, run under Node: the same output for benign input, and a
hostile value stays one argument instead of running a second command."""

from __future__ import annotations

import pytest

from tests.rules.fixrun import findings_of, fix_once
from tests.rules.noderun import run_cases

CASES = {
    "execSync_template": (
        'const { execSync } = require("child_process");\n'
        "function run(name) {\n  return execSync(`echo hello ${name}`, { encoding: \"utf8\" });\n}\n",
        "x; echo INJECTED",
    ),
    "member_exec_callback": (
        'const cp = require("node:child_process");\n'
        "function run(name) {\n  return new Promise((resolve, reject) => {\n"
        "    cp.exec(\"printf %s '\" + name + \"'\", (err, stdout) => (err ? reject(err) : resolve(stdout)));\n  });\n}\n",
        "x'; echo INJECTED; echo '",
    ),
    "variable_quoted": (
        'const { execSync } = require("child_process");\n'
        "function run(name) {\n  const cmd = `echo \"${name}\" done`;\n  return execSync(cmd).toString();\n}\n",
        'x"; echo INJECTED; echo "',
    ),
}
BENIGN = "bob"


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_keeps_output_and_blocks_second_command(name, tmp_path) -> None:
    body, hostile = CASES[name]
    source = body + "module.exports = { run };\n"
    assert findings_of(source, "JS-CMDI-001", "javascript")
    fixed = fix_once(source, "JS-CMDI-001", "javascript")
    assert fixed != source and not findings_of(fixed, "JS-CMDI-001", "javascript")

    before = run_cases(source, [[BENIGN], [hostile]], tmp_path, "original")
    after = run_cases(fixed, [[BENIGN], [hostile]], tmp_path, "fixed")
    assert "ok" in before[0] and after[0] == before[0]
    assert "INJECTED" in before[1]["ok"] and hostile not in before[1]["ok"], "the original must run the injected command"
    assert "ok" in after[1] and hostile in after[1]["ok"], "the hostile value must stay one literal argument"
