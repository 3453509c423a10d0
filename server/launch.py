"""The draftguard program: the `draftguard` executable and `python -m draftguard.server.launch`.

Process-wide settings are made here, before the rest of draftguard is
imported (tests call `cli.main` in-process and must not get them): Python
processes we start keep their working directory off `sys.path`
(`importpath`), and a command's start-up imports run without the cyclic
collector and are frozen afterwards (`gcpolicy.loading`; not the language
server's).
"""

from __future__ import annotations

import sys

from . import gcpolicy
from .importpath import children_ignore_working_directory, drop_working_directory


def entry(argv: list[str] | None = None) -> int:
    children_ignore_working_directory()
    if (sys.argv[1:] if argv is None else argv)[:1] == ["serve"]:
        # The language server lives as long as the editor: the cyclic garbage
        # its imports make (pygls and lsprotocol make a lot) must be collected,
        # not paused over and frozen (measured: +9 MB of idle RSS).
        from .cli import main
    else:
        gcpolicy.start_program()
        with gcpolicy.loading():
            from .cli import main
    return main(argv)


if __name__ == "__main__":
    drop_working_directory()
    raise SystemExit(entry(sys.argv[1:]))
