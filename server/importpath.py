"""Keep the workspace off every Python import path: its files are data, never modules.

Python puts a folder first on `sys.path` when it starts: the working
directory for `python -m` and `python -c`. draftguard usually runs *in* the
workspace it reads (`cd repo && draftguard check .`; editors start the server
in the workspace folder), so a repository holding `logging.py`,
`dataclasses.py` or `multiprocessing.py` would have those files imported, and
run, in place of the standard library:

- `python -m draftguard.server` (how editors other than VS Code start it)
  gets the working directory as `sys.path[0]`; `drop_working_directory()`
  removes it before anything else is imported (VS Code also passes `-P`);
- multiprocessing starts its forkserver and resource tracker as `python -c
  ...` in our working directory; `children_ignore_working_directory()` sets
  PYTHONSAFEPATH (Python 3.11+) so those interpreters leave it off too. It
  changes the environment of the whole process, so only the entry points
  (`launch.entry`: the `draftguard` executable and `__main__`) call it, never
  library code. Spawned workers get our own `sys.path`,
  already without it.
"""

from __future__ import annotations

import os
import sys


def drop_working_directory() -> None:
    """Remove the entry `python -m` added for the working directory."""
    if sys.path and sys.path[0] in ("", ".", os.getcwd()):
        del sys.path[0]


def children_ignore_working_directory() -> None:
    """Python processes we start (directly or through multiprocessing) do not
    put their working directory on `sys.path`."""
    os.environ["PYTHONSAFEPATH"] = "1"
