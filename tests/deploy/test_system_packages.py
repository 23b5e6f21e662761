"""scripts/system-packages.sh installs what a purpose needs and the machine lacks, only that.

The machine is simulated by a PATH of stand-ins: the commands it "has", and an apt-get that
writes down what it was asked to do.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-packages.sh"
EVERYTHING = ("msgfmt", "chromium", "nginx", "pg_isready", "redis-cli")


def _nginx_in_sbin() -> bool:
    return any(Path(d, "nginx").exists() for d in ("/usr/sbin", "/sbin"))


@pytest.fixture
def machine(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    for tool in ("grep", "sort"):
        (bin_dir / tool).symlink_to(shutil.which(tool))

    def stand_in(name: str, body: str) -> None:
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)

    stand_in("apt-get", f'echo "$*" >> {log}')

    def run(*purposes: str, has=(), uid: int = 0):
        stand_in("id", f"echo {uid}")
        for name in has:
            stand_in(name, "echo 'Noto Sans CJK JP:style=Regular'" if name == "fc-list" else "")
        result = subprocess.run(
            ["/bin/bash", str(SCRIPT), *purposes],
            env={"PATH": str(bin_dir)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        calls = log.read_text().splitlines() if log.exists() else []
        return result, calls

    return run


def test_a_fresh_machine_gets_everything_the_tests_need(machine):
    result, calls = machine("test")
    assert result.returncode == 0, result.stderr
    wanted = ["chromium", "fonts-noto-cjk", "gettext", "postgresql-client", "redis-tools"]
    if not _nginx_in_sbin():
        wanted.append("nginx")
    assert calls == ["update -qq", "install -y -qq " + " ".join(sorted(wanted))]


def test_make_run_needs_only_gettext(machine):
    result, calls = machine("run", has=("chromium",))
    assert result.returncode == 0, result.stderr
    assert calls == ["update -qq", "install -y -qq gettext"]


def test_nothing_is_installed_when_nothing_is_missing(machine):
    result, calls = machine("test", "stack", has=(*EVERYTHING, "fc-list"))
    assert result.returncode == 0, result.stderr
    assert calls == []


def test_without_root_it_says_what_to_install(machine):
    result, calls = machine("run", uid=1000)
    assert result.returncode == 1
    assert "sudo apt-get install gettext" in result.stderr
    assert calls == []


def test_an_unknown_purpose_is_refused(machine):
    result, calls = machine("tset")
    assert result.returncode == 2 and "unknown purpose 'tset'" in result.stderr
    assert calls == []


def test_make_and_ci_use_the_same_script():
    assert "scripts/system-packages.sh test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/system-packages.sh test" in makefile
    assert "apt-get" not in makefile and "apt-get" not in (ROOT / ".ci" / "run").read_text()
    assert os.access(SCRIPT, os.X_OK)
