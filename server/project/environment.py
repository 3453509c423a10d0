"""What the selected Python environment has installed, asked of its interpreter.

The dependency rules need the import-name -> distribution mapping of the
environment the project runs in (`import yaml` is PyYAML), which only that
interpreter's metadata knows. We run it once (and again when asked) with an
argument list, a timeout, `-E` (no PYTHONPATH) and an empty temporary working
directory, so neither the command line nor the import path can reach the
workspace: the probe reads distribution metadata and lists the directories on
`sys.path` (pkgutil, which never imports what it lists), and never imports
project code.

Which interpreter: the one the server or CLI runs in, unless the editor
setting `dependencies.pythonInterpreter` or `draftguard check --python` names
another. A project configuration file cannot choose it: that would let a
cloned repository pick a program for us to run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

from draftguard.analyzers.dependencies.names import normalise

PROBE_TIMEOUT = 20.0

# Runs in the target interpreter (Python 3.8+): stdlib only, no project code.
_PROBE = r"""
import json, os, sys, pkgutil
try:
    from importlib import metadata
except ImportError:
    metadata = None
out = {"executable": sys.executable, "version": list(sys.version_info[:3]),
       "stdlib": sorted(getattr(sys, "stdlib_module_names", ())) + sorted(sys.builtin_module_names),
       "modules": {}, "distributions": {}, "importable": []}
if metadata is not None:
    for dist in metadata.distributions():
        try:
            fields = dist.metadata  # parsed on every access: read once (Distribution.version reads it again)
            name = fields["Name"]
        except Exception:
            name = None
        if not name:
            continue
        out["distributions"][name] = fields["Version"]
        try:
            listed = dist.read_text("top_level.txt")
        except Exception:
            listed = None
        tops = set(line.strip() for line in (listed or "").splitlines() if line.strip())
        if not tops:
            for f in dist.files or ():
                parts = f.parts
                if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith((".dist-info", ".egg-info", ".data")):
                    continue
                top = parts[0]
                if len(parts) == 1:
                    if top.endswith(".py"):
                        top = top[:-3]
                    elif top.endswith((".so", ".pyd")):
                        top = top.split(".")[0]
                    else:
                        continue
                tops.add(top)
        for top in tops:
            out["modules"].setdefault(top, []).append(name)
here = os.getcwd()
path = [p for p in sys.path if p and os.path.isdir(p) and os.path.abspath(p) != here]
out["importable"] = sorted(set(m.name for m in pkgutil.iter_modules(path)))
sys.stdout.write(json.dumps(out))
"""


@dataclass(frozen=True)
class PythonEnvironment:
    interpreter: tuple[str, ...]
    executable: str = ""
    version: tuple[int, ...] = ()
    stdlib: frozenset[str] = frozenset()
    modules: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Top-level import name -> normalised distributions providing it."""
    importable: frozenset[str] = frozenset()
    distributions: dict[str, str] = field(default_factory=dict)
    """Normalised distribution -> installed version."""
    error: str | None = None

    @property
    def label(self) -> str:
        return self.executable or " ".join(self.interpreter)


def default_interpreter() -> tuple[str, ...]:
    return (sys.executable,)


def probe_python(interpreter: tuple[str, ...] | list[str] | None = None, timeout: float = PROBE_TIMEOUT) -> PythonEnvironment:
    """Ask `interpreter` what it has installed; never raises (see `error`)."""
    command = tuple(interpreter or default_interpreter())
    try:
        with tempfile.TemporaryDirectory(prefix="draftguard-probe-") as empty:
            completed = subprocess.run(  # noqa: S603 - the interpreter the user chose (editor or command line, never a project file); a fixed script
                [*command, "-E", "-c", _PROBE],
                cwd=empty,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
    except FileNotFoundError:
        return PythonEnvironment(command, error=f"interpreter not found: {command[0]}")
    except subprocess.TimeoutExpired:
        return PythonEnvironment(command, error=f"{command[0]} did not answer within {timeout:g} s")
    except OSError as exc:
        return PythonEnvironment(command, error=f"cannot run {command[0]}: {exc.strerror or exc}")
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        return PythonEnvironment(command, error=f"{command[0]} exited with {completed.returncode}: {detail[0]}")
    try:
        data = json.loads(completed.stdout.decode("utf-8", "replace"))
        return PythonEnvironment(
            interpreter=command,
            executable=str(data.get("executable", "")),
            version=tuple(int(v) for v in data.get("version", ())),
            stdlib=frozenset(str(n) for n in data.get("stdlib", ())),
            modules={str(k): tuple(dict.fromkeys(normalise(d) for d in v)) for k, v in data.get("modules", {}).items()},
            importable=frozenset(str(n) for n in data.get("importable", ())),
            distributions={normalise(k): str(v) for k, v in data.get("distributions", {}).items()},
        )
    except (ValueError, TypeError, AttributeError) as exc:
        return PythonEnvironment(command, error=f"{command[0]} answered something unexpected: {exc}")
