"""`make run PORT=…`: links in e-mails point at the port actually served (issue 11)."""

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.alerts.harness import free_port, wait_for
from tests.bcpweb.test_embedded_default import _CONFIG_VARS

from .stack_harness import WebClient

ROOT = Path(__file__).resolve().parents[2]
# Those of the embedded default's own test, and those that would configure make itself.
_NOT_INHERITED = (*_CONFIG_VARS, "SITE_URL", "PORT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")


@pytest.mark.slow
def test_make_run_on_another_port_sends_links_to_that_port(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env["BCPWEB_VAR_DIR"] = str(tmp_path)
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        site = WebClient(f"http://127.0.0.1:{port}")
        wait_for(
            lambda: server.poll() is not None or site.get("/healthz").status == 200,
            240,
            interval=0.5,
            message=f"make run never served:\n{log.read_text()[-3000:]}",
        )
        assert server.poll() is None, log.read_text()[-3000:]
        # The public board's static copy is there for a newcomer to look at.
        for rel in ("ja/index.html", "en/index.html", "api/v1/board/index.json"):
            assert (tmp_path / "published" / rel).is_file(), rel
        assert "SAKURA" in (tmp_path / "published" / "api/v1/board/index.json").read_text()

        # The demo HQ account alerts Sakura Securities; e-mail goes to the console.
        site.post("/accounts/login/", {"username": "demo-hq", "password": "bcpweb-demo-2026"})
        form = site.get("/hq/alerts/new/")
        sakura = re.search(r'<option value="(SAKURA)"', form.body).group(1)
        sent = site.post(
            "/hq/alerts/new/",
            [
                ("subject_ja", "ポート確認"),
                ("body_ja", "リンクの確認です。"),
                ("audience", "organizations"),
                ("organizations", sakura),
                ("requires_ack", "on"),
            ],
            csrf_from=form,
        )
        assert re.search(r"/hq/alerts/\d+/$", sent.url), sent.body[-2000:]
        links = wait_for(
            lambda: re.findall(r"https?://[^\s/]+/ack/", log.read_text()),
            30,
            message=f"no ack link was printed:\n{log.read_text()[-3000:]}",
        )
        assert set(links) == {f"http://127.0.0.1:{port}/ack/"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)


def test_a_site_url_given_to_make_run_is_kept():
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "PORT=8123", "SITE_URL=https://bcp.example"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "SITE_URL=https://bcp.example " in result.stdout
    assert "runserver 127.0.0.1:8123" in result.stdout
