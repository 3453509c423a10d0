"""Shell command strings to argument lists: what the shell would split, and
refusal whenever the shell would do more than split words and drop quotes."""

from __future__ import annotations

import pytest

from draftguard.analyzers import parse
from draftguard.analyzers.context import AnalysisContext
from draftguard.analyzers.facts import compute_facts
from draftguard.analyzers.python.argv import argv_sources
from draftguard.analyzers.python.strings import built_string


def argv(expression: str) -> list[str] | None:
    source = f"x = {expression}\n".encode()
    tree = parse(source, "python")
    unit = tree.root_node.children[0]
    ctx = AnalysisContext(source, tree, "python", compute_facts("python", source, tree.root_node), unit)
    value = unit.named_children[0].child_by_field_name("right")
    built = built_string(ctx, value)
    return argv_sources(ctx, built.segments, lambda hole: ctx.text(hole.node))


@pytest.mark.parametrize(
    "expression, expected",
    [
        ('f"ping -c 1 {host}"', ['"ping"', '"-c"', '"1"', "host"]),
        ('f"grep \'{pattern}\' {path}"', ['"grep"', "pattern", "path"]),
        ('f"convert {src} {src}.png"', ['"convert"', "src", 'f"{src}.png"']),
        ('"ls  -l " + d', ['"ls"', '"-l"', "d"]),
        ('"tar czf \\"%s\\" /srv" % name', ['"tar"', '"czf"', "name", '"/srv"']),
        ('f"echo {a}-{b}"', ['"echo"', 'f"{a}-{b}"']),
    ],
)
def test_split_like_the_shell(expression: str, expected: list[str]) -> None:
    assert argv(expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        'f"cat {f} | grep x"',
        'f"cd {d} && make"',
        'f"echo {x} > out.txt"',
        'f"echo $HOME/{x}"',
        'f"rm {d}/*.tmp"',
        'f"ls ~/{d}"',
        'f"FOO=1 run {x}"',
        'f"echo `id` {x}"',
        'f"echo {x!r}"',
        'f"echo \'{x}"',
    ],
)
def test_refuse_shell_features(expression: str) -> None:
    assert argv(expression) is None
