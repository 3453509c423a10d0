"""Audit requirements.lock for known vulnerabilities; fail on any, and on any package left unaudited.

    python scripts/audit_dependencies.py [requirements.lock]

pip-audit does the work: it asks PyPI's vulnerability data about each pinned
version. pip-audit *skips* a package it cannot look up and still prints "No
known vulnerabilities found" with exit code 0; a security check that passes
without checking is worse than none, so every skipped package gets a second
look and the audit fails unless each package was really checked:

- for a skipped package, PyPI's project data (`/pypi/<name>/json`) lists the
  vulnerabilities of the project's *latest* release; when the pinned version
  is that release, that list is the answer (some PyPI mirrors serve only
  project pages, not the per-version pages pip-audit asks for);
- otherwise the package counts as unaudited and the audit fails, saying so:
  refresh the lock (`python scripts/lock_dependencies.py`), or run where PyPI
  answers per-version queries;
- except a package pinned below its latest release on purpose and listed in
  PINNED_BELOW_LATEST with the reason: where only project pages are served it
  cannot be audited, and the audit says so on every run instead of failing.

No network, no audit: an unreachable PyPI fails the check too.
Exit codes: 0 every package audited and none vulnerable, 1 otherwise.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"
TIMEOUT = 30
AUDIT_TIMEOUT = 900
PINNED_BELOW_LATEST = {
    "tree-sitter": (
        "0.25.2 on purpose: 0.26 removed Parser.timeout_micros, and its only other way to stop a parse "
        "(the read-callback parse) keeps every chunk it reads, a leak of the file's size per keystroke "
        "(server/documents.py)"
    ),
}
"""Packages deliberately older than their latest release, with the reason."""
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def canonical(name: str) -> str:
    """PEP 503 name: `boolean.py` and `boolean-py` are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> dict[str, str]:
    found = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line.strip())
        if match:
            found[canonical(match.group(1))] = match.group(2)
    return found


def pip_audit(lock: Path) -> list[dict]:
    """pip-audit's per-dependency results (`vulns` or `skip_reason`)."""
    command = [sys.executable, "-m", "pip_audit", "--requirement", str(lock), "--no-deps", "--disable-pip", "--progress-spinner", "off", "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=AUDIT_TIMEOUT, check=False)
    try:
        return json.loads(done.stdout)["dependencies"]
    except (ValueError, KeyError):
        raise SystemExit(f"audit: pip-audit failed (exit code {done.returncode}):\n{done.stderr.strip()[-2000:]}") from None


def project_vulnerabilities(name: str, version: str) -> list[str] | str:
    """Vulnerability ids of `name` at `version` from PyPI's project data, or why not known."""
    url = PYPI_PROJECT.format(name=name)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 - a fixed https URL
            data = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        return f"PyPI did not answer for {name} ({exc})"
    latest = data.get("info", {}).get("version")
    if latest != version:
        return f"pinned {version}, PyPI's data is for the latest release {latest}"
    return [str(v.get("id")) for v in data.get("vulnerabilities") or []]


def main(argv: list[str]) -> int:
    lock = Path(argv[0]) if argv else ROOT / "requirements.lock"
    pinned = pins(lock)
    vulnerable: dict[str, list[str]] = {}
    unaudited: dict[str, str] = {}
    declared: dict[str, str] = {}
    audited = 0
    for dependency in pip_audit(lock):
        name = canonical(dependency["name"])
        if "skip_reason" not in dependency:
            audited += 1
            ids = [v["id"] for v in dependency.get("vulns", [])]
        else:
            answer = project_vulnerabilities(name, pinned.get(name, dependency.get("version", "")))
            if isinstance(answer, str) and name in PINNED_BELOW_LATEST and "PyPI's data is for the latest release" in answer:
                declared[name] = f"{answer}; {PINNED_BELOW_LATEST[name]}"
                continue
            if isinstance(answer, str):
                unaudited[name] = f"{dependency['skip_reason']}; {answer}"
                continue
            audited += 1
            ids = answer
        if ids:
            vulnerable[f"{name}=={pinned.get(name, '?')}"] = ids
    for package, ids in sorted(vulnerable.items()):
        print(f"audit: {package} has known vulnerabilities: {', '.join(ids)}")
    for name, reason in sorted(unaudited.items()):
        print(f"audit: {name} was NOT audited: {reason}")
    for name, reason in sorted(declared.items()):
        print(f"audit: {name} could not be audited here, pinned below its latest release by decision: {reason}")
    print(
        f"audit: {audited} of {len(pinned)} locked packages audited, {len(vulnerable)} vulnerable, {len(unaudited)} not audited"
        + (f", {len(declared)} pinned below latest by decision" if declared else "")
    )
    if unaudited:
        print("audit: failing: refresh the lock with `python scripts/lock_dependencies.py` or run where PyPI answers per-version queries")
    return 1 if vulnerable or unaudited or audited + len(declared) < len(pinned) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
