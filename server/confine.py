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
import stat
from typing import BinaryIO


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


def inside(boundary: str | os.PathLike | None, path: str | os.PathLike) -> bool:
    """`is_within`, where no boundary (no workspace) allows everything."""
    return boundary is None or is_within(boundary, path)


def open_confined(path: str | os.PathLike, limit: int, boundary: str | os.PathLike | None = None) -> BinaryIO:
    """`path` opened for reading, when it is a regular file of at most `limit`
    bytes inside `boundary` (symbolic links and `..` resolved); OSError
    (OutsideWorkspace for a path leading out) otherwise.

    A FIFO would block a reader and a device never end: the type and size are
    checked on the opened descriptor, opened without blocking, so a file
    swapped for a FIFO after the check cannot block us either."""
    if not os.path.lexists(path):
        # one lstat instead of resolving both paths: project discovery probes
        # dozens of configuration names per folder that mostly do not exist
        raise FileNotFoundError(errno.ENOENT, f"{path} does not exist")
    if not inside(boundary, path):
        raise OutsideWorkspace(f"{path} leads outside {boundary}; draftguard does not follow it")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    handle = os.fdopen(fd, "rb")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"{path} is not a regular file")
        if st.st_size > limit:
            raise OSError(errno.EFBIG, f"{path} is {st.st_size} bytes, over the {limit}-byte limit")
    except BaseException:
        handle.close()
        raise
    return handle


def read_confined(path: str | os.PathLike, limit: int, boundary: str | os.PathLike | None = None) -> bytes | None:
    """The bytes of `open_confined(...)`; None when it refuses or fails."""
    try:
        with open_confined(path, limit, boundary) as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    return data if len(data) <= limit else None


def read_text_confined(path: str | os.PathLike, limit: int, boundary: str | os.PathLike | None = None) -> str | None:
    """`read_confined` decoded as UTF-8 (a byte order mark dropped); None when not UTF-8."""
    data = read_confined(path, limit, boundary)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
