"""PY-CMDI-001's fix: the same program output for benign input, and a hostile
value stays one inert argument instead of starting a second command."""

from __future__ import annotations

import shutil

import pytest

from tests.rules.fixrun import original_and_fixed

pytestmark = pytest.mark.skipif(shutil.which("sh") is None or shutil.which("echo") is None, reason="needs a POSIX shell")

CASES = {
    "os_system_fstring": (
        "import os\n\ndef run(value):\n    os.system(f\"echo hello {value}\")\n",
        "alice",
        "x; echo INJECTED",
    ),
    "check_output_concat": (
        "import subprocess\n\ndef run(value):\n    return subprocess.check_output(\"echo \" + value, shell=True, text=True)\n",
        "bob",
        "x && echo INJECTED",
    ),
    "popen_percent_quoted": (
        "import os\n\ndef run(value):\n    return os.popen(\"echo '%s' done\" % value).read()\n",
        "carol",
        "'; echo INJECTED; '",
    ),
    "variable_with_shell_true": (
        "import subprocess\n\ndef run(value):\n    cmd = f\"echo --name={value} end\"\n"
        "    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout\n",
        "dave",
        "$(echo INJECTED)",
    ),
    "status_tested": (
        "import os\n\ndef run(value):\n    if os.system(f\"test -n {value}\") != 0:\n        return 'empty'\n    return 'set'\n",
        "x",
        "x -o 1 -eq 1; echo INJECTED",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_keeps_benign_output_and_blocks_injection(name, tmp_path, capfd) -> None:
    source, benign, hostile = CASES[name]
    before, after, fixed = original_and_fixed(source, "PY-CMDI-001", tmp_path)
    assert "shell=True" not in fixed and "os.system" not in fixed and "os.popen" not in fixed

    result_before = before(benign)
    out_before = capfd.readouterr().out
    result_after = after(benign)
    out_after = capfd.readouterr().out
    assert (result_after, out_after) == (result_before, out_before)

    hostile_before = (before(hostile), capfd.readouterr().out)
    hostile_after = (after(hostile), capfd.readouterr().out)
    assert any("INJECTED" in str(part).replace("echo INJECTED", "") for part in hostile_before), "the original is injectable"
    assert not any("INJECTED" in str(part).replace("echo INJECTED", "") for part in hostile_after), "the fix keeps the value inert"
