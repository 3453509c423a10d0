"""A real virtual environment with a tiny local distribution, for the
dependency tests: `acme-widgets-toolkit` 1.2.3, whose module is
`acme_widgets` (an import name that differs from the distribution's, like
PyYAML's `yaml`). The wheel is written by hand and installed with pip from
the file: no index, no network."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

DIST, VERSION, MODULE = "acme-widgets-toolkit", "1.2.3", "acme_widgets"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(directory: Path, dist: str = DIST, version: str = VERSION, modules: dict[str, str] | None = None) -> Path:
    """A pure-Python wheel for `dist` holding `modules` (package name -> __init__ source)."""
    modules = modules if modules is not None else {MODULE: "def widget():\n    return 'widget'\n"}
    stem = f"{dist.replace('-', '_')}-{version}"
    info = f"{stem}.dist-info"
    files: dict[str, bytes] = {f"{name}/__init__.py": text.encode() for name, text in modules.items()}
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: draftguard-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/top_level.txt"] = "".join(f"{name}\n" for name in modules).encode()
    record = [_record_line(name, data) for name, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = directory / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def make_environment(directory: Path) -> Path:
    """A virtual environment (without pip) with the dummy distribution installed; returns its python."""
    venv.EnvBuilder(with_pip=False).create(directory / "env")
    python = directory / "env" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    wheel = build_wheel(directory)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return python
