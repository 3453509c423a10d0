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
    return start_probe(interpreter, timeout).result()


def start_probe(interpreter: tuple[str, ...] | list[str] | None = None, timeout: float = PROBE_TIMEOUT) -> "PendingProbe":
    """`probe_python` started in the background: the caller does other work
    (the CLI loads its rules and lists the files) while the interpreter
    answers, then asks `result()`; `close()` ends a probe nobody needs."""
    return PendingProbe(tuple(interpreter or default_interpreter()), timeout)


class PendingProbe:
    def __init__(self, command: tuple[str, ...], timeout: float):
        self.command = command
        self.timeout = timeout
        self._answer: PythonEnvironment | None = None
        self._process: subprocess.Popen | None = None
        self._empty = tempfile.TemporaryDirectory(prefix="draftguard-probe-")
        try:
            self._process = subprocess.Popen(  # noqa: S603 - the interpreter the user chose (editor or command line, never a project file); a fixed script
                [*command, "-E", "-c", _PROBE],
                cwd=self._empty.name,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError:
            self._settle(PythonEnvironment(command, error=f"interpreter not found: {command[0]}"))
        except OSError as exc:
            self._settle(PythonEnvironment(command, error=f"cannot run {command[0]}: {exc.strerror or exc}"))

    def result(self) -> PythonEnvironment:
        """The answer, waiting for it (at most `timeout` seconds in all)."""
        process = self._process
        if self._answer is None and process is not None:
            try:
                stdout, stderr = process.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self.close()
                return self._settle(PythonEnvironment(self.command, error=f"{self.command[0]} did not answer within {self.timeout:g} s"))
            except BaseException:
                self.close()
                raise
            self._settle(_environment(self.command, process.returncode, stdout, stderr))
        return self._answer  # type: ignore[return-value]

    def close(self) -> None:
        """End the probe if it still runs, and remove its working folder."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        self._empty.cleanup()

    def _settle(self, answer: PythonEnvironment) -> PythonEnvironment:
        self._answer = answer
        self._empty.cleanup()
        return answer


def _environment(command: tuple[str, ...], returncode: int, stdout: bytes, stderr: bytes) -> PythonEnvironment:
    """What the probe's output says (or why it says nothing usable)."""
    if returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        return PythonEnvironment(command, error=f"{command[0]} exited with {returncode}: {detail[0]}")
    try:
        data = json.loads(stdout.decode("utf-8", "replace"))
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
