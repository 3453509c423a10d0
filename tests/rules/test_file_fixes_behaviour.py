"""PY-TEMP-001 and PY-CHMOD-001 fixes, run for real on the file system."""

from __future__ import annotations

import os
import stat

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

TEMP = '''
import tempfile


def reserve(directory):
    path = tempfile.mktemp(suffix=".txt", dir=directory)
    return path


def write_report(directory, text):
    with open(tempfile.mktemp(".csv", "report-", directory), "w") as handle:
        handle.write(text)
        return handle.name
'''

CHMOD = '''
import os
import stat
from pathlib import Path


def publish(path):
    os.chmod(path, 0o777)


def share(path):
    Path(path).chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP | stat.S_IROTH | stat.S_IWOTH)
'''


def _fixed(source: str, rule: str) -> str:
    assert findings_of(source, rule)
    fixed = fix_once(source, rule)
    assert not findings_of(fixed, rule)
    return fixed


def test_mkstemp_creates_the_file_before_anyone_else_can(tmp_path) -> None:
    original = load_module(TEMP, tmp_path)
    fixed = load_module(_fixed(TEMP, "PY-TEMP-001"), tmp_path)
    raced = original.reserve(str(tmp_path))
    assert not os.path.exists(raced), "mktemp leaves a window in which another process can create the file"
    reserved = fixed.reserve(str(tmp_path))
    assert reserved.endswith(".txt") and os.path.dirname(reserved) == str(tmp_path)
    assert os.path.isfile(reserved) and stat.S_IMODE(os.stat(reserved).st_mode) == 0o600


def test_inline_use_keeps_names_and_content(tmp_path) -> None:
    original = load_module(TEMP, tmp_path)
    fixed = load_module(_fixed(TEMP, "PY-TEMP-001"), tmp_path)
    for module in (original, fixed):
        name = module.write_report(str(tmp_path), "a,b\n")
        assert os.path.basename(name).startswith("report-") and name.endswith(".csv")
        with open(name) as handle:
            assert handle.read() == "a,b\n"


@pytest.mark.parametrize("function, expected", [("publish", 0o755), ("share", 0o644)])
def test_owner_keeps_its_rights_and_others_lose_write(tmp_path, function, expected) -> None:
    original = load_module(CHMOD, tmp_path)
    fixed = load_module(_fixed(CHMOD, "PY-CHMOD-001"), tmp_path)
    before, after = tmp_path / "before", tmp_path / "after"
    before.write_text("x")
    after.write_text("x")
    getattr(original, function)(str(before))
    getattr(fixed, function)(str(after))
    old, new = stat.S_IMODE(before.stat().st_mode), stat.S_IMODE(after.stat().st_mode)
    assert old & stat.S_IWOTH and not new & (stat.S_IWOTH | stat.S_IWGRP)
    assert new & stat.S_IRWXU == old & stat.S_IRWXU
    assert new == expected
