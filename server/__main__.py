"""`python -m draftguard.server` starts the language server on stdio."""

import sys

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
