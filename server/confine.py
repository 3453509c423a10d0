"""Where draftguard reads and writes: inside the workspace, never through a link out of it.

The workspace is untrusted input. A repository can ship `.draftguard` as a
symbolic link to `~/.ssh`, `reviews.json` as a link to `/etc/passwd`, an
Agent Trace file that is a link to a secret, or records whose paths climb out
with `../`. Following them would let a cloned repository make the editor read
or overwrite files elsewhere on the developer's machine. So every path that
comes from a URI, an Agent Trace record, configuration or a state file is
resolved (symbolic links included) and must stay under the workspace root;
state files are written only inside `<root>/.draftguard/`.
"""

from __future__ import annotations

import errno
import os


class OutsideWorkspace(OSError):
    """A path that resolves outside the workspace it belongs to."""

    def __init__(self, message: str):
        super().__init__(errno.EACCES, message)


def is_within(root: str | os.PathLike, path: str | os.PathLike) -> bool:
    """Whether `path`, with every symbolic link resolved, is `root` or below it."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def check_within(root: str | os.PathLike, path: str | os.PathLike, what: str) -> None:
    if not is_within(root, path):
        raise OutsideWorkspace(f"{what} {path} leads outside the workspace {root} (through a symbolic link or '..'); draftguard does not follow it")
