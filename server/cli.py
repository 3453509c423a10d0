"""`draftguard` command line: `serve` runs the language server, `check` scans.

Exit codes of `check`: 0 no findings at or above the threshold, 1 findings,
2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import sys

from draftguard.analyzers import Severity

from .reports import FORMATS
from .settings import SCOPES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep the message clear
        self.print_usage(sys.stderr)
        print(f"draftguard: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="draftguard", description="Find the security flaws hiding in AI-generated code that works.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    serve.add_argument("--log-file", metavar="FILE", help="write server logs to FILE")
    serve.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    check = sub.add_parser(
        "check",
        help="scan files and folders",
        description="Scan files and folders for security flaws. Exit code: 0 no findings at or above --fail-on, 1 findings, 2 usage or configuration error.",
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to scan (default: the current folder)")
    check.add_argument("-f", "--format", default="text", choices=FORMATS, help="report format (default: text)")
    check.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    check.add_argument("--fail-on", default="low", choices=[s.label for s in Severity], help="lowest severity that makes the exit code 1 (default: low)")
    check.add_argument("--rules", metavar="IDS", help="run only these rules (comma-separated ids)")
    check.add_argument("--exclude-rules", metavar="IDS", help="do not run these rules (comma-separated ids)")
    check.add_argument("--exclude", metavar="PATTERN", action="append", help="leave out paths matching this gitignore-style pattern (repeatable)")
    check.add_argument("--since", metavar="REV", help="report only findings on lines changed since the git revision REV")
    check.add_argument("--ai-only", action="store_true", help="report only findings inside AI-written regions")
    check.add_argument("--scope", choices=list(SCOPES), help="which findings to report (default: the configuration's scope, else all)")
    check.add_argument("--config", metavar="FILE", help="use this .draftguard.toml or pyproject.toml instead of searching for one")
    check.add_argument("--python", metavar="INTERPRETER", help="Python whose installed packages the dependency rules see (default: the one running draftguard)")
    check.add_argument("--include-minified", action="store_true", help="also analyse minified JavaScript/TypeScript (skipped by default: built or vendored bundles)")
    check.add_argument("-j", "--jobs", type=int, metavar="N", help="worker processes (default: number of CPUs)")
    check.add_argument("--no-progress", action="store_true", help="never draw the progress bar (it is off anyway when stderr is not a terminal)")
    check.add_argument("-q", "--quiet", action="store_true", help="do not print the summary line on stderr")
    return parser


def _serve(args: argparse.Namespace) -> int:
    from .app import create_server

    if args.log_file:
        logging.basicConfig(filename=args.log_file, level=args.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    else:
        logging.basicConfig(stream=sys.stderr, level=args.log_level)
    server = create_server()
    if args.tcp:
        host, sep, port = args.tcp.rpartition(":")
        if not sep or not port.isdigit():
            print(f"draftguard: error: --tcp expects HOST:PORT, got {args.tcp!r}", file=sys.stderr)
            return EXIT_USAGE
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return EXIT_CLEAN


def _check(args: argparse.Namespace) -> int:
    from .check import run_check

    return run_check(args)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _check(args)


if __name__ == "__main__":  # `python -m draftguard.server.cli`: the same program as `draftguard`
    from draftguard.server.launch import entry

    raise SystemExit(entry())
