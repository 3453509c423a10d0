"""The rule fixture convention.

A fixture is `tests/fixtures/<language>/<RULE-ID>.<ext>`. A comment
`ruleid: RULE-ID[, RULE-ID...]` marks the next code line as one the rule must
fire on; `ok: RULE-ID` marks one it must stay silent on. The optional
`<RULE-ID>.fixed.<ext>` is the expected text after applying every fix. A rule
may have more fixtures for other contexts, `<RULE-ID>.<variant>.<ext>` (for
example a Django settings module), each with its own
`<RULE-ID>.<variant>.fixed.<ext>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
_ANNOTATION = re.compile(r"(?:#|//|/\*|\{/\*)\s*(ruleid|ok):\s*([A-Z0-9\-, ]+)")


@dataclass
class Fixture:
    path: Path
    rule_id: str
    language_dir: str
    expected: dict[str, set[int]] = field(default_factory=dict)  # rule -> 1-based lines
    ok: dict[str, set[int]] = field(default_factory=dict)

    @property
    def fixed_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.fixed{self.path.suffix}")


def parse_fixture(path: Path) -> Fixture:
    rule_id = path.name.split(".")[0]
    fixture = Fixture(path, rule_id, path.parent.name)
    lines = path.read_text(encoding="utf-8").splitlines()
    pending: list[tuple[str, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        match = _ANNOTATION.search(line)
        stripped = line.strip()
        is_comment_only = stripped.startswith(("#", "//", "/*", "{/*"))
        if match and is_comment_only:
            kind, ids = match.groups()
            pending.append((kind, [i.strip() for i in ids.split(",") if i.strip()]))
            continue
        if not stripped or not pending:
            continue
        for kind, ids in pending:
            target = fixture.expected if kind == "ruleid" else fixture.ok
            for rid in ids:
                target.setdefault(rid, set()).add(number)
        pending = []
    return fixture


def all_fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*/*") if p.is_file() and ".fixed." not in p.name and p.name[0].isupper())
