"""`draftguard` command line: `serve` runs the language server, `check` scans.

Exit codes of `check`: 0 no findings at or above the threshold, 1 findings,
2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from draftguard.analyzers import Severity

from .settings import Settings

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
    check = sub.add_parser("check", help="scan files and folders")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--fail-on", default="low", choices=[s.label for s in Severity], help="lowest severity that makes the exit code 1")
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
    from .scan import iter_files, scan_file

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"draftguard: error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    threshold = Severity.parse(args.fail_on)
    config = Settings().analysis_config()
    total = failing = files = 0
    for path in iter_files(args.paths):
        result = scan_file(path, config)
        files += 1
        if result.error:
            print(f"{path}: {result.error}", file=sys.stderr)
        for f in result.findings:
            total += 1
            failing += f.severity >= threshold
            line, col = f.start_point[0] + 1, f.start_point[1] + 1
            fix = f"  (fix: {f.fixes[0].title})" if f.fixes else ""
            print(f"{path}:{line}:{col}: {f.rule_id} [{f.severity.label}] {f.message} (CWE-{f.cwe}){fix}")
    noun = "finding" if total == 1 else "findings"
    print(f"draftguard: {total} {noun} in {files} file{'s' if files != 1 else ''}", file=sys.stderr)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _check(args)


if __name__ == "__main__":
    raise SystemExit(main())
