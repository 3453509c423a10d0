"""Bounded analysis: hostile shapes of code end in a warning, never a hang or a crash.

The inputs below took minutes each (tree-sitter queries are quadratic in
nesting depth, some helpers too) or crashed analysis with RecursionError
before the limits of `analyzers/budget.py`. Each must now finish, other
statements of the same file must still be analysed, and what was skipped
must be reported.
"""

from __future__ import annotations

import threading
import time

import pytest

from draftguard.analyzers import analyze_detailed, parse
from draftguard.analyzers.budget import MAX_TREE_DEPTH, NESTED_TOO_DEEPLY, BudgetExceeded, can_enforce, deeper_than, time_limit
from draftguard.server.scan import ScanOptions, scan_file

FLAW = "import os\nos.system('ls ' + input())\n"
DEEP = {
    "parentheses": ("python", "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n"),
    "sum": ("python", "x = " + "+".join(["1"] * 300_000) + "\n"),
    "attributes": ("python", "x = a" + ".b" * 10_000 + "\n"),
    "calls": ("python", "x = " + "f(" * 10_000 + ")" * 10_000 + "\n"),
    "ifs": ("python", "".join("    " * i + "if x:\n" for i in range(1_500)) + "    " * 1_500 + "pass\n"),
    "concatenation": ("python", "q = 'SELECT ' + " + " + ".join(["request.args['a']"] * 3_000) + "\n"),
    "js-parentheses": ("javascript", "const x = " + "(" * 10_000 + "1" + ")" * 10_000 + ";\n"),
    "js-sum": ("javascript", "const x = " + " + ".join(["a"] * 100_000) + ";\n"),
}


def true_depth(node) -> int:
    best, stack = 0, [(node, 0)]
    while stack:
        current, depth = stack.pop()
        best = max(best, depth)
        stack.extend((child, depth + 1) for child in current.children)
    return best


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deeply_nested_statements_are_skipped_and_the_rest_analysed(name: str) -> None:
    language, deep = DEEP[name]
    flaw = FLAW if language == "python" else "const { exec } = require('child_process');\nexec('ls ' + req.query.dir);\n"
    source = (flaw + deep + flaw).encode()
    tree = parse(source, language)
    result = analyze_detailed(source, tree, language)
    assert len({f.start_byte for f in result.findings}) == 2, "the shallow statements around the deep one were not analysed"
    if any(error.endswith(NESTED_TOO_DEEPLY) for error in result.rule_errors):
        assert any(deeper_than(u) for u in tree.root_node.children), "a statement of normal depth was skipped"
    assert [e for e in result.rule_errors if not e.endswith(NESTED_TOO_DEEPLY)] == []


def test_deeply_nested_literals_in_module_facts_do_not_escape_as_recursion_errors_from_the_server_or_cli(tmp_path) -> None:
    path = tmp_path / "lists.py"
    path.write_text("x = " + "[" * 10_000 + "]" * 10_000 + "\n" + FLAW)
    result = scan_file(path, ScanOptions())
    assert result.skipped and "nested too deeply" in result.error


@pytest.mark.parametrize("text", ["x = (((1)))\n", "def f():\n    return [a for a in b if (c or d)]\n", "x = " + "(" * 60 + "1" + ")" * 60 + "\n"])
def test_depth_check_agrees_with_a_full_walk(text: str) -> None:
    root = parse(text.encode(), "python").root_node
    for node in [root, *root.children]:
        depth = true_depth(node)
        for limit in sorted({0, 1, 2, depth - 1, depth, depth + 1, MAX_TREE_DEPTH} - {-1}):
            assert deeper_than(node, limit) == (depth > limit), (text, limit, depth)


@pytest.mark.skipif(not can_enforce(), reason="interval timers only on the main thread of POSIX systems")
def test_time_limit_interrupts_a_busy_rule_and_disarms_afterwards() -> None:
    with pytest.raises(BudgetExceeded):
        with time_limit(0.2):
            while True:
                pass
    with time_limit(5) as limit:
        pass
    assert limit is not None and limit.enforced and not limit.armed
    time.sleep(0.3)  # no stray alarm after the block


def test_time_limit_is_not_enforced_off_the_main_thread() -> None:
    seen = []
    worker = threading.Thread(target=lambda: seen.append(time_limit(0.1).__enter__()))
    worker.start()
    worker.join()
    assert seen and seen[0] is not None and not seen[0].enforced


def test_a_file_over_its_time_budget_is_skipped_by_the_cli_with_a_reason(tmp_path) -> None:
    path = tmp_path / "nested.js"
    # `merge` names: JS-PROTO-001's prefilter runs it here, and it looks into every nested function
    path.write_text("".join(f"function merge{i}(a) {{\n" for i in range(3_000)) + "}" * 3_000 + "\n")
    result = scan_file(path, ScanOptions(analysis_timeout=1))
    if can_enforce():
        assert result.skipped and "analysis stopped after 1 s" in result.error, result.error


def test_files_over_the_size_limit_are_not_parsed(tmp_path) -> None:
    path = tmp_path / "huge.py"
    path.write_bytes(b"x = 1\n" * 400_000)
    result = scan_file(path, ScanOptions())
    assert result.skipped and "over the" in result.error
