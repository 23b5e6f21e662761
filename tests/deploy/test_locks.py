"""The lock files pin everything pyproject.toml asks for; `make deps-check` says what it
could not check instead of passing in silence."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import locks

ROOT = Path(__file__).resolve().parents[2]


def test_the_locks_pin_every_dependency_of_pyproject():
    problems = locks.lock_problems()
    assert problems == [], "run `make lock`: " + "; ".join(problems)


def test_a_dependency_added_to_pyproject_but_not_locked_is_reported(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    text = locks.PYPROJECT.read_text()
    text = text.replace(
        '    "gunicorn>=22",\n', '    "gunicorn>=22",\n    "brand-new-dependency>=1",\n'
    )
    text = text.replace('"pytest>=8",', '"pytest>=8",\n    "another-new-tool",')
    pyproject.write_text(text.replace('"Django>=5.2,<5.3"', '"Django>=6.0"'))
    problems = locks.lock_problems(pyproject)
    assert "requirements.lock lacks brand-new-dependency" in problems
    assert "requirements-dev.lock lacks brand-new-dependency" in problems
    assert "requirements-dev.lock lacks another-new-tool" in problems
    assert "requirements.lock lacks another-new-tool" not in problems
    assert any(p.startswith("requirements.lock pins Django==5.2") for p in problems), problems


def test_the_runtime_lock_agrees_with_the_dev_lock():
    dev, runtime = locks.pins(locks.DEV_LOCK), locks.pins(locks.RUNTIME_LOCK)
    assert runtime, "requirements.lock pins nothing"
    assert {name: dev.get(name) for name in runtime} == runtime
    assert "pytest" in dev and "pytest" not in runtime


def test_every_pin_carries_hashes():
    for lock in (locks.DEV_LOCK, locks.RUNTIME_LOCK):
        text = lock.read_text()
        assert text.count("==") <= text.count("--hash=sha256:"), lock.name


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_deps_check_says_clearly_when_it_cannot_reach_the_index_or_the_database():
    proxy = f"http://127.0.0.1:{_closed_port()}"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(Path.home()),
        # Every request goes to a port where nothing listens, as on a machine offline.
        "HTTPS_PROXY": proxy,
        "HTTP_PROXY": proxy,
        "ALL_PROXY": proxy,
        "UV_NO_CACHE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "deploy.locks", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout + result.stderr
    assert result.returncode == locks.NOT_CHECKED, out
    assert "NOT CHECKED: the package index is unreachable" in out
    assert "NOT CHECKED: the vulnerability database is unreachable" in out
    assert "Traceback" not in out
