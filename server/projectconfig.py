"""Project configuration files: `.draftguard.toml` and `[tool.draftguard]`.

The CLI and the language server both read them through this module and parse
the table with settings.parse_settings, so a key means the same everywhere.
The nearest directory (walking up from where the scan starts, never past the
repository root) holding `.draftguard.toml`, or a pyproject.toml with a
`[tool.draftguard]` table, is the project root; exclude patterns are relative
to it. In one directory `.draftguard.toml` wins over pyproject.toml.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .confine import open_confined
from .settings import Settings, SettingIssue, parse_settings

DEDICATED = ".draftguard.toml"
MAX_CONFIG_BYTES = 1024 * 1024
PYPROJECT = "pyproject.toml"


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names file and key."""


@dataclass
class ProjectConfig:
    root: Path
    """Directory the configuration's relative patterns are anchored at."""
    path: Path | None = None
    settings: Settings = field(default_factory=Settings)
    issues: list[SettingIssue] = field(default_factory=list)
    raw: Any = None
    """The table as read, for layering it over other defaults (settings.overlay)."""
    origin: str = ""

    @property
    def errors(self) -> list[SettingIssue]:
        return [i for i in self.issues if not i.unknown]

    @property
    def warnings(self) -> list[SettingIssue]:
        return [i for i in self.issues if i.unknown]

    def raise_for_errors(self) -> None:
        if self.errors:
            raise ConfigError("\n".join(str(e) for e in self.errors))


def _read_toml(path: Path, boundary: Path | None) -> dict[str, Any]:
    """TOML is data: parsed, never evaluated. A file found in the repository
    must not lead out of its folder (a link to a file elsewhere is refused),
    nor be a FIFO, a device or larger than MAX_CONFIG_BYTES."""
    try:
        with open_confined(path, MAX_CONFIG_BYTES, boundary) as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{path}: cannot read: {reason}") from None


def _table(path: Path, boundary: Path | None = None) -> tuple[Any, str] | None:
    """The draftguard table in `path` and the key prefix naming it, or None."""
    data = _read_toml(path, boundary)
    if path.name == PYPROJECT:
        tool = data.get("tool")
        if not isinstance(tool, dict) or "draftguard" not in tool:
            return None
        return tool["draftguard"], "tool.draftguard"
    return data, ""


def find_config(start: Path) -> Path | None:
    """The configuration file that governs `start` (a file or directory)."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        dedicated = directory / DEDICATED
        if dedicated.is_file():
            return dedicated
        pyproject = directory / PYPROJECT
        if pyproject.is_file():
            try:
                if _table(pyproject, directory) is not None:
                    return pyproject
            except ConfigError:
                return pyproject  # broken file: load_config reports it
        if (directory / ".git").exists():
            break
    return None


def load_config(path: Path, boundary: Path | None = None) -> ProjectConfig:
    """Parse one configuration file; raises ConfigError when it is unreadable
    or leads outside `boundary` (the folder it was found in)."""
    found = _table(path, boundary)
    path = path.resolve()
    config = ProjectConfig(root=path.parent, path=path)
    if found is None:
        return config
    table, prefix = found
    settings, issues = parse_settings(table, origin=prefix, trusted=False)
    config.settings, config.raw, config.origin = settings, table, prefix
    config.issues = [SettingIssue(f"{path}: {i.key}", i.message, i.unknown) for i in issues]
    return config


def load_project_config(start: Path, explicit: Path | None = None) -> ProjectConfig:
    """The configuration for a scan starting at `start`; defaults when none.

    Raises ConfigError for unreadable or syntactically broken files; invalid
    values come back as issues so the caller decides how strict to be.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: no such configuration file")
        config = load_config(explicit)
        if config.path is not None and explicit.name == PYPROJECT and _table(explicit) is None:
            config.issues.append(SettingIssue(f"{explicit}", "has no [tool.draftguard] table", unknown=True))
        return config
    path = find_config(start)
    if path is None:
        root = start.resolve()
        return ProjectConfig(root=root if root.is_dir() else root.parent)
    return load_config(path, path.parent)
