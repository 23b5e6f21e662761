"""The README's promise: with no environment at all the portal boots, migrates and serves."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables that would take the portal off its embedded default.
_CONFIG_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_BACKEND",
    "SECRET_KEY",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_the_embedded_default_boots_migrates_and_serves(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
    env["BCPWEB_VAR_DIR"] = str(tmp_path)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True, timeout=300
    )
    assert (tmp_path / "db.sqlite3").exists()
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "the embedded server never answered"
        assert '<html lang="ja">' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


_SEND_ALERT = """
from alerts.services import alert_send
from alerts.models import Delivery
from organizations import services
from organizations.models import Contact, Organization
org = Organization.objects.create(code="EMB", name_ja="組込", kind="securities_firm")
Contact.objects.create(organization=org, name="Head", email="head@example.test", order=1)
Contact.objects.create(organization=org, name="Deputy", email="deputy@example.test", order=2)
hq, _ = services.member_add(actor=services.system_actor(), username="emb-hq", role="hq_staff")
alert = alert_send(actor=hq, subject_ja="組込確認", body_ja="本文", organizations=[org])
print(sorted(Delivery.objects.filter(alert=alert).values_list("address", "status")))
"""


@pytest.mark.slow
def test_the_embedded_default_sends_an_alert_at_once(tmp_path):
    """SQLite and in-process tasks: the first step goes out as the alert is sent, no worker."""
    env = {k: v for k, v in os.environ.items() if k not in _CONFIG_VARS}
    env["BCPWEB_VAR_DIR"] = str(tmp_path)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True, timeout=300
    )
    result = subprocess.run(
        [*manage, "shell", "-v0", "-c", _SEND_ALERT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "[('deputy@example.test', 'held'), ('head@example.test', 'sent')]" in result.stdout
