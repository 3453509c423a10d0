"""File discovery: nested .gitignore files, negation, excludes, links, tool folders."""

from __future__ import annotations

import os
from pathlib import Path

from draftguard.server.discover import IgnoreRules, discover


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _names(root: Path, rules: IgnoreRules | None = None, paths=None) -> list[str]:
    found = discover(paths or [root], rules or IgnoreRules())
    return sorted(p.resolve().relative_to(root.resolve()).as_posix() for p in found)


def test_nested_gitignores_and_negation(tmp_path) -> None:
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("secret_local.py\n")
    _tree(
        tmp_path,
        {
            ".gitignore": "*.gen.py\nlogs/\n",
            "app.py": "", "model.gen.py": "", "secret_local.py": "", "logs/a.py": "",
            "pkg/.gitignore": "!keep.gen.py\n/local_only.py\n",
            "pkg/keep.gen.py": "", "pkg/other.gen.py": "", "pkg/local_only.py": "", "pkg/sub/local_only.py": "",
            "README.md": "", "web/app.ts": "", "web/view.tsx": "", "web/x.mjs": "",
        },
    )
    assert _names(tmp_path) == ["app.py", "pkg/keep.gen.py", "pkg/sub/local_only.py", "web/app.ts", "web/view.tsx", "web/x.mjs"]


def test_gitignore_above_the_scanned_folder_applies(tmp_path) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {".gitignore": "src/generated/\n", "src/a.py": "", "src/generated/b.py": ""})
    assert _names(tmp_path, paths=[tmp_path / "src"]) == ["src/a.py"]


def test_configured_excludes_and_tool_folders(tmp_path) -> None:
    _tree(tmp_path, {"a.py": "", "tests/fixtures/x.py": "", "node_modules/lib/i.js": "", ".venv/lib/site.py": "", "vendor/v.py": "", "src/vendor/keep.py": ""})
    rules = IgnoreRules([(["tests/fixtures/", "/vendor"], tmp_path)])
    assert _names(tmp_path, rules) == ["a.py", "src/vendor/keep.py"]


def test_links_are_not_followed_and_duplicates_are_dropped(tmp_path) -> None:
    _tree(tmp_path, {"real/a.py": ""})
    os.symlink(tmp_path / "real", tmp_path / "linked")
    os.symlink(tmp_path / "real" / "a.py", tmp_path / "b.py")
    assert _names(tmp_path, paths=[tmp_path, tmp_path / "real", tmp_path / "real" / "a.py"]) == ["real/a.py"]


def test_gitignore_is_off_on_request(tmp_path) -> None:
    _tree(tmp_path, {".gitignore": "*.py\n", "a.py": ""})
    assert _names(tmp_path) == []
    assert _names(tmp_path, IgnoreRules(respect_gitignore=False)) == ["a.py"]
