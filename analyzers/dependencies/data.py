"""The bundled lists (analyzers/data/): popular PyPI and npm names, import
names that differ from their distribution, and the standard libraries.

These are the package's own data files, loaded once per process on first use;
nothing here reads the workspace. Refresh the lists with
scripts/refresh_package_lists.py.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .names import normalise


@dataclass(frozen=True)
class PopularNames:
    """Names of one registry, most popular first."""

    names: tuple[str, ...]
    rank: dict[str, int]
    header: tuple[str, ...]
    """The file's comment lines: source, snapshot date, count."""

    def __contains__(self, name: str) -> bool:
        return name in self.rank


def _lines(filename: str) -> tuple[list[str], list[str]]:
    text = resources.files("draftguard.analyzers.data").joinpath(filename).read_text(encoding="utf-8")
    header, body = [], []
    for line in text.splitlines():
        if line.startswith("#"):
            header.append(line[1:].strip())
        elif line.strip():
            body.append(line.strip())
    return header, body


@lru_cache(maxsize=None)
def popular(ecosystem: str) -> PopularNames:
    """`pypi` (PEP 503 normalised) or `npm`."""
    header, names = _lines(f"{ecosystem}-popular.txt")
    rank: dict[str, int] = {}
    for index, name in enumerate(names):
        rank.setdefault(name, index)
    return PopularNames(tuple(names), rank, tuple(header))


@lru_cache(maxsize=None)
def import_names() -> dict[str, tuple[str, ...]]:
    """Import name -> normalised distributions, for names that differ."""
    _header, rows = _lines("python-import-names.txt")
    mapping: dict[str, tuple[str, ...]] = {}
    for row in rows:
        module, *dists = row.split()
        mapping[module] = tuple(dists)
    return mapping


@lru_cache(maxsize=None)
def distribution_modules() -> dict[str, str]:
    """Normalised distribution -> its import name, where they differ
    (`python-dateutil` -> dateutil); the first mapping row wins."""
    reverse: dict[str, str] = {}
    for module, dists in import_names().items():
        for dist in dists:
            reverse.setdefault(dist, module)
    return reverse


# Modules removed from the standard library (PEP 594, distutils, imp) and
# Python 2 names: code written for older interpreters still imports them, and
# none is a registry package the author meant.
_REMOVED_STDLIB = frozenset(
    "aifc asynchat asyncore audioop cgi cgitb chunk crypt distutils imghdr imp lib2to3 mailcap msilib nis nntplib "
    "ossaudiodev pipes smtpd sndhdr spwd sunau telnetlib uu xdrlib".split()
)
_PYTHON2_STDLIB = frozenset(
    "__builtin__ BaseHTTPServer CGIHTTPServer ConfigParser Cookie HTMLParser Queue SimpleHTTPServer SocketServer StringIO "
    "Tkinter UserDict UserList UserString anydbm commands cPickle cStringIO copy_reg dbhash dummy_thread exceptions "
    "htmlentitydefs httplib md5 mimetools new repr rfc822 robotparser sets sha thread tkMessageBox urllib2 urlparse "
    "xmlrpclib _winreg".split()
)
_ALWAYS = frozenset({"__future__", "__main__", "builtins", "_typeshed"})


def python_stdlib(reported: frozenset[str] | None = None) -> frozenset[str]:
    """The standard library's top-level names: those the selected interpreter
    reports (`sys.stdlib_module_names`), else this interpreter's, plus removed
    and Python 2 modules."""
    base = reported if reported else frozenset(sys.stdlib_module_names)
    return base | _REMOVED_STDLIB | _PYTHON2_STDLIB | _ALWAYS


# `require("module").builtinModules` of Node 22, without the `node:`-only ones
# (a `node:` specifier is always built in).
NODE_BUILTINS = frozenset(
    "_http_agent _http_client _http_common _http_incoming _http_outgoing _http_server _stream_duplex "
    "_stream_passthrough _stream_readable _stream_transform _stream_wrap _stream_writable _tls_common _tls_wrap "
    "assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns domain "
    "events fs http http2 https inspector module net os path perf_hooks process punycode querystring readline repl "
    "stream string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads zlib".split()
)


def is_node_builtin(specifier: str) -> bool:
    if specifier.startswith("node:"):
        return True
    return specifier.split("/", 1)[0] in NODE_BUILTINS


def is_popular_python(distribution: str) -> bool:
    return normalise(distribution) in popular("pypi")
