"""`python -m draftguard.server` starts the language server on stdio."""

import sys

from .importpath import drop_working_directory

drop_working_directory()  # before anything else is imported: the workspace is not a module folder

from .launch import entry  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(entry(["serve", *sys.argv[1:]]))
