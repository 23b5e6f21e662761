"""The lock files: every Python package pinned with its hashes, so each install is the same.

    python -m deploy.locks compile   # make lock: re-pin after a change to pyproject.toml
    python -m deploy.locks upgrade   # make lock UPGRADE=1: the newest release of everything
    python -m deploy.locks check     # make deps-check: outdated and vulnerable pins

``requirements-dev.lock`` pins the project with its ``dev`` extra (what ``make install``
installs); ``requirements.lock`` pins the runtime dependencies only (what the Docker image
installs), resolved within the dev lock so that both always agree on a shared package.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
DEV_LOCK = ROOT / "requirements-dev.lock"
RUNTIME_LOCK = ROOT / "requirements.lock"
# The oldest Python the project supports; markers keep the lock valid on newer ones.
_COMPILE_OPTIONS = [
    "--universal",
    "--python-version",
    "3.11",
    "--generate-hashes",
    "--custom-compile-command",
    "make lock",
    "--quiet",
]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)

# Exit codes of `check`: 2 says the answer is unknown, which a weekly job must not read as 0.
CLEAN, VULNERABLE, NOT_CHECKED = 0, 1, 2


class Unreachable(Exception):
    """A package index or vulnerability database did not answer."""


def _uv(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "uv", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        **kwargs,
    )


def compile_locks(
    *, dev_lock: Path = DEV_LOCK, runtime_lock: Path = RUNTIME_LOCK, upgrade: bool = False
) -> None:
    """Resolve pyproject.toml into both lock files (keeping current pins unless ``upgrade``)."""
    extra = ["--upgrade", "--refresh"] if upgrade else []
    steps = (
        ["pip", "compile", PYPROJECT, "--extra", "dev", "-o", dev_lock],
        ["pip", "compile", PYPROJECT, "-c", dev_lock, "-o", runtime_lock],
    )
    for step in steps:
        result = _uv(*step, *_COMPILE_OPTIONS, *extra)
        if result.returncode != 0:
            raise Unreachable(_last_line(result.stderr) or "uv pip compile failed")


def pins(lock: Path) -> dict[str, str]:
    """{canonical name: pinned version} of a lock file."""
    return {canonicalize_name(name): version for name, version in _PIN.findall(lock.read_text())}


def declared(pyproject: Path = PYPROJECT) -> dict[str, list[Requirement]]:
    project = tomllib.loads(pyproject.read_text())["project"]
    runtime = [Requirement(r) for r in project.get("dependencies", [])]
    dev = [Requirement(r) for r in project.get("optional-dependencies", {}).get("dev", [])]
    return {"runtime": runtime, "dev": runtime + dev}


def lock_problems(
    pyproject: Path = PYPROJECT, *, dev_lock: Path = DEV_LOCK, runtime_lock: Path = RUNTIME_LOCK
) -> list[str]:
    """What pyproject.toml asks for that a lock file lacks or pins outside the range."""
    problems = []
    requirements = declared(pyproject)
    for lock, wanted in ((runtime_lock, requirements["runtime"]), (dev_lock, requirements["dev"])):
        if not lock.exists():
            problems.append(f"{lock.name} is missing")
            continue
        pinned = pins(lock)
        for requirement in wanted:
            version = pinned.get(canonicalize_name(requirement.name))
            if version is None:
                problems.append(f"{lock.name} lacks {requirement.name}")
            elif not requirement.specifier.contains(version, prereleases=True):
                problems.append(
                    f"{lock.name} pins {requirement.name}=={version}, "
                    f"outside {requirement.specifier}"
                )
    return problems


def outdated() -> list[tuple[str, str, str]]:
    """(name, pinned, newest allowed by pyproject.toml) for every pin `make lock` could raise."""
    with tempfile.TemporaryDirectory() as tmp:
        dev, runtime = Path(tmp, "dev.lock"), Path(tmp, "runtime.lock")
        dev.write_text(DEV_LOCK.read_text())
        runtime.write_text(RUNTIME_LOCK.read_text())
        compile_locks(dev_lock=dev, runtime_lock=runtime, upgrade=True)
        newer = pins(dev)
    current = pins(DEV_LOCK)
    return [
        (name, version, newer[name])
        for name, version in sorted(current.items())
        if name in newer and newer[name] != version
    ]


@dataclass
class Audit:
    vulnerable: list[tuple[str, str, str, str]]  # name, version, advisory id, fixed in
    unchecked: list[str]
    audited: int


# pip-audit's databases, tried in turn: PyPI's advisories, then OSV.
AUDIT_SERVICES = ("pypi", "osv")


def audit(lock: Path = DEV_LOCK, *, timeout: int = 15) -> Audit:
    """Known vulnerabilities of the pins, from the first database that answers."""
    errors = []
    for service in AUDIT_SERVICES:
        try:
            return _audit(lock, service=service, timeout=timeout)
        except Unreachable as error:
            errors.append(f"{service}: {error}")
    raise Unreachable("; ".join(errors))


def _audit(lock: Path, *, service: str, timeout: int) -> Audit:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(lock),
            "--disable-pip",
            "--no-deps",
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--timeout",
            str(timeout),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise Unreachable(_last_line(result.stderr) or "pip-audit gave no report") from None
    vulnerable, unchecked, reasons = [], [], []
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            unchecked.append(dependency["name"])
            reasons.append(dependency["skip_reason"])
        for vulnerability in dependency.get("vulns", []):
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            vulnerable.append(
                (dependency["name"], dependency.get("version", "?"), vulnerability["id"], fixed)
            )
    audited = len(report.get("dependencies", [])) - len(unchecked)
    if not audited and unchecked:
        raise Unreachable(
            f"it answered for none of the {len(unchecked)} pinned packages, e.g. {reasons[0]}"
        )
    return Audit(vulnerable=vulnerable, unchecked=unchecked, audited=audited)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def check(out=print) -> int:
    status = CLEAN
    problems = lock_problems()
    if problems:
        out("The lock files do not match pyproject.toml (run `make lock`):")
        for problem in problems:
            out(f"  {problem}")
    runtime = pins(RUNTIME_LOCK)

    out("== outdated pins (what `make lock` with upgrades would change)")
    try:
        rows = outdated()
    except Unreachable as error:
        out(f"NOT CHECKED: the package index is unreachable ({error})")
        status = NOT_CHECKED
    else:
        for name, pinned, newest in rows:
            where = "runtime" if name in runtime else "dev"
            out(f"  {name} {pinned} -> {newest} ({where})")
        out(f"  {len(rows)} outdated" if rows else "  every pin is the newest allowed")

    out("== known vulnerabilities (pip-audit)")
    try:
        result = audit()
    except Unreachable as error:
        out(f"NOT CHECKED: the vulnerability database is unreachable ({error})")
        return NOT_CHECKED
    for name, version, advisory, fixed in result.vulnerable:
        where = "runtime" if canonicalize_name(name) in runtime else "dev"
        out(f"  {name} {version}: {advisory} (fixed in {fixed}; {where})")
    if result.unchecked:
        out(f"NOT CHECKED: {', '.join(result.unchecked)} (not in the database)")
        status = max(status, NOT_CHECKED)
    if result.vulnerable:
        out(f"  {len(result.vulnerable)} known vulnerabilities")
        return VULNERABLE
    out(f"  none known in {result.audited} audited pins")
    return status


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command in ("compile", "upgrade"):
        try:
            compile_locks(upgrade=command == "upgrade")
        except Unreachable as error:
            print(f"make lock failed: {error}", file=sys.stderr)
            return 1
        print(f"wrote {DEV_LOCK.name} and {RUNTIME_LOCK.name}")
        return 0
    if command == "check":
        return check()
    print("usage: python -m deploy.locks compile|upgrade|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
