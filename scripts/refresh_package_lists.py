"""Rebuild the bundled lists behind the dependency rules (PY-DEP-*, JS-DEP-*).

The language server never calls a registry: it compares imports with three
files under analyzers/data/ that this script writes from public datasets you
have checked out locally (the script itself makes no network request):

    analyzers/data/pypi-popular.txt   most-downloaded PyPI distributions
    analyzers/data/npm-popular.txt    npm's high-impact packages
    analyzers/data/python-import-names.txt
                                      import names that differ from their
                                      distribution's name (yaml -> PyYAML)

Sources:
  --pypi    top-pypi-packages-30-days.min.json from
            https://github.com/hugovk/top-pypi-packages (MIT; a monthly dump of
            the 15,000 most-downloaded PyPI projects over 30 days)
  --npm     lib/top.js from https://github.com/wooorm/npm-high-impact (MIT;
            packages npm calls high-impact: >= 1M weekly downloads or >= 500
            dependents, most downloaded first)
  --mapping pipreqs/mapping from https://github.com/bndr/pipreqs (Apache-2.0;
            import name -> PyPI name). Only rows whose distribution is in the
            PyPI list are kept, plus the curated rows below.

Usage:
    git clone --depth 1 https://github.com/hugovk/top-pypi-packages /tmp/top-pypi
    git clone --depth 1 https://github.com/wooorm/npm-high-impact /tmp/npm-hi
    git clone --depth 1 https://github.com/bndr/pipreqs /tmp/pipreqs
    python scripts/refresh_package_lists.py \\
        --pypi /tmp/top-pypi/top-pypi-packages-30-days.min.json \\
        --npm /tmp/npm-hi/lib/top.js --mapping /tmp/pipreqs/pipreqs/mapping

Writes are atomic; the header of each file records source, date and count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

from draftguard.server.atomic import atomic_write

DATA = Path(__file__).resolve().parent.parent / "analyzers" / "data"
DEFAULT_LIMIT = 10_000

# Import names of popular distributions that pipreqs' table lacks or gets
# wrong (checked against each project's documentation).
CURATED: dict[str, tuple[str, ...]] = {
    "yaml": ("pyyaml",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "PIL": ("pillow",),
    "bs4": ("beautifulsoup4",),
    "dateutil": ("python-dateutil",),
    "jwt": ("pyjwt",),
    "jose": ("python-jose",),
    "dotenv": ("python-dotenv",),
    "magic": ("python-magic",),
    "multipart": ("python-multipart",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "slugify": ("python-slugify",),
    "Levenshtein": ("levenshtein", "python-levenshtein"),
    "serial": ("pyserial",),
    "usb": ("pyusb",),
    "zmq": ("pyzmq",),
    "git": ("gitpython",),
    "github": ("pygithub",),
    "gitlab": ("python-gitlab",),
    "telegram": ("python-telegram-bot",),
    "discord": ("discord-py",),
    "Crypto": ("pycryptodome",),
    "Cryptodome": ("pycryptodomex",),
    "OpenSSL": ("pyopenssl",),
    "nacl": ("pynacl",),
    "MySQLdb": ("mysqlclient",),
    "psycopg2": ("psycopg2-binary", "psycopg2"),
    "fitz": ("pymupdf",),
    "attr": ("attrs",),
    "google": ("protobuf", "google-api-core", "google-auth", "google-cloud-core", "googleapis-common-protos", "google-api-python-client"),
    "googleapiclient": ("google-api-python-client",),
    "websocket": ("websocket-client",),
    "socketio": ("python-socketio",),
    "engineio": ("python-engineio",),
    "jenkins": ("python-jenkins",),
    "ldap": ("python-ldap",),
    "snappy": ("python-snappy",),
    "Xlib": ("python-xlib",),
    "win32api": ("pywin32",),
    "win32con": ("pywin32",),
    "win32com": ("pywin32",),
    "pythoncom": ("pywin32",),
    "pywintypes": ("pywin32",),
    "dns": ("dnspython",),
    "kafka": ("kafka-python",),
    "confluent_kafka": ("confluent-kafka",),
    "editor": ("python-editor",),
    "lxml": ("lxml",),
    "markdown": ("markdown",),
    "pkg_resources": ("setuptools",),
    "_pytest": ("pytest",),
    "pytest_asyncio": ("pytest-asyncio",),
    "typing_extensions": ("typing-extensions",),
    "mpl_toolkits": ("matplotlib",),
    "pylab": ("matplotlib",),
    "IPython": ("ipython",),
    "ruamel": ("ruamel-yaml",),
    "OpenGL": ("pyopengl",),
    "wx": ("wxpython",),
    "gi": ("pygobject",),
    "cairo": ("pycairo",),
    "Bio": ("biopython",),
    "tensorflow_hub": ("tensorflow-hub",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "sentence_transformers": ("sentence-transformers",),
    "huggingface_hub": ("huggingface-hub",),
    "speech_recognition": ("speechrecognition",),
    "mysql": ("mysql-connector-python",),
    "pymysql": ("pymysql",),
    "grpc": ("grpcio",),
    "azure": ("azure-core", "azure-identity", "azure-storage-blob"),
    "email_validator": ("email-validator",),
    "jinja2": ("jinja2",),
    "markupsafe": ("markupsafe",),
    "sqlalchemy": ("sqlalchemy",),
    "pydantic_settings": ("pydantic-settings",),
    "playwright": ("playwright",),
    "docker": ("docker",),
    "boto": ("boto",),
    "botocore": ("botocore",),
    "igraph": ("igraph", "python-igraph"),
    "Image": ("pillow",),
}


def normalise(name: str) -> str:
    """PEP 503: lower case, runs of `-`, `_`, `.` become one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pypi(path: Path, limit: int) -> tuple[list[str], str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = sorted(data["rows"], key=lambda r: -int(r["download_count"]))
    names = list(dict.fromkeys(normalise(r["project"]) for r in rows))
    return names[:limit], str(data.get("last_update", "unknown"))


def read_npm(path: Path, limit: int) -> list[str]:
    text = path.read_text(encoding="utf-8")
    body = text[text.index("[") + 1 : text.rindex("]")]
    names = [m.group(2) for m in re.finditer(r"(['\"])(.*?)\1", body)]
    return list(dict.fromkeys(n for n in names if isinstance(n, str)))[:limit]


def read_mapping(path: Path, popular: set[str]) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        module, sep, dist = line.strip().partition(":")
        if not sep or not module.isidentifier():
            continue
        dist_n = normalise(dist)
        if dist_n in popular and normalise(module) != dist_n:
            mapping.setdefault(module, []).append(dist_n)
    for module, dists in CURATED.items():
        mapping[module] = list(dict.fromkeys([normalise(d) for d in dists] + mapping.get(module, [])))
    return {m: d for m, d in mapping.items() if any(x != normalise(m) for x in d)}


def _header(lines: list[str]) -> str:
    return "".join(f"# {line}\n" for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pypi", type=Path, required=True, help="top-pypi-packages-30-days.min.json")
    parser.add_argument("--npm", type=Path, required=True, help="npm-high-impact lib/top.js")
    parser.add_argument("--mapping", type=Path, required=True, help="pipreqs/mapping")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help=f"names per registry (default {DEFAULT_LIMIT})")
    parser.add_argument("--npm-date", help="date of the npm snapshot (default: today)")
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    today = dt.date.today().isoformat()

    pypi, pypi_date = read_pypi(args.pypi, args.limit)
    npm = read_npm(args.npm, args.limit)
    mapping = read_mapping(args.mapping, set(pypi))
    refresh = "refresh: python scripts/refresh_package_lists.py (see its docstring)"
    atomic_write(
        args.out / "pypi-popular.txt",
        _header(
            [
                "Most-downloaded PyPI distributions over 30 days, most downloaded first; PEP 503 normalised names.",
                "source: https://github.com/hugovk/top-pypi-packages top-pypi-packages-30-days.min.json (MIT)",
                f"snapshot: {pypi_date}; generated: {today}; names: {len(pypi)}",
                refresh,
            ]
        )
        + "".join(f"{n}\n" for n in pypi),
    )
    atomic_write(
        args.out / "npm-popular.txt",
        _header(
            [
                "npm high-impact packages (>= 1M weekly downloads or >= 500 dependents), most downloaded first.",
                "source: https://github.com/wooorm/npm-high-impact lib/top.js (MIT)",
                f"snapshot: {args.npm_date or today}; generated: {today}; names: {len(npm)}",
                refresh,
            ]
        )
        + "".join(f"{n}\n" for n in npm),
    )
    atomic_write(
        args.out / "python-import-names.txt",
        _header(
            [
                "Import names whose PyPI distribution has another name: `<import name> <distribution> [<distribution> ...]`.",
                "source: https://github.com/bndr/pipreqs pipreqs/mapping (Apache-2.0), rows whose distribution is in",
                "pypi-popular.txt, plus the curated rows in scripts/refresh_package_lists.py.",
                f"generated: {today}; import names: {len(mapping)}",
                refresh,
            ]
        )
        + "".join(f"{m} {' '.join(d)}\n" for m, d in sorted(mapping.items(), key=lambda kv: kv[0].lower())),
    )
    print(f"pypi {len(pypi)} (snapshot {pypi_date}), npm {len(npm)}, import names {len(mapping)} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
