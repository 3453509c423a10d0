"""`python -m draftguard.server` starts the language server on stdio."""

import sys

from .importpath import children_ignore_working_directory, drop_working_directory

drop_working_directory()  # before anything else is imported: the workspace is not a module folder

from .cli import main  # noqa: E402

if __name__ == "__main__":
    children_ignore_working_directory()
    raise SystemExit(main(["serve", *sys.argv[1:]]))
