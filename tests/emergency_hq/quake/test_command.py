"""``quake_ingest PATH|URL`` (DESIGN §6): 0 when read, non-zero with one line and no change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from alerts.models import Alert
from emergency_hq.models import Incident, QuakeEvent, QuakeTelegram
from emergency_hq.quake import demo
from tests.emergency_hq.quake.helpers import sample
from tests.emergency_hq.quake.http_server import Answer, FakeJma

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quake_market")]
ROOT = Path(__file__).resolve().parents[3]
FAST = override_settings(QUAKE_FEED_RETRIES=1, QUAKE_FEED_RETRY_SECONDS=0.01)


def _run(source) -> str:
    out = StringIO()
    call_command("quake_ingest", str(source), stdout=out)
    return out.getvalue()


def _fails(source, code: int) -> str:
    with pytest.raises(CommandError) as caught:
        _run(source)
    assert caught.value.returncode == code
    message = str(caught.value)
    assert "\n" not in message
    return message


def _write(tmp_path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _nothing_changed() -> bool:
    return not (
        Incident.objects.exists() or QuakeTelegram.objects.exists() or Alert.objects.exists()
    )


def test_a_strong_telegram_is_read_and_acted_on():
    out = _run(demo.SAMPLES / "vxse51_tokyo_6lower.xml")
    assert "Opened the incident" in out and "地震 震度６弱 東京都２３区ほか" in out
    assert Incident.objects.get().kind == "earthquake"


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("vxse51_test.xml", "Test telegram"),
        ("vxse51_tokyo_drill.xml", "no drill runs"),
        ("vxse53_kushiro_weak.xml", "Below every rule"),
        ("vxse53_tokyo_cancel.xml", "never acted on"),
    ],
)
def test_deliberately_ignored_telegrams_exit_0(name, said):
    assert said in _run(demo.SAMPLES / name)
    assert not Incident.objects.exists()


def test_a_repeat_exits_0_and_does_nothing():
    _run(demo.SAMPLES / "vxse51_tokyo_6lower.xml")
    alerts = Alert.objects.count()
    assert "already read, nothing done" in _run(demo.SAMPLES / "vxse51_tokyo_6lower.xml")
    assert Alert.objects.count() == alerts and QuakeTelegram.objects.count() == 1


def test_another_kind_of_jma_telegram_exits_0(tmp_path):
    data = sample("vxse53_tokyo_6lower").replace(
        "<Title>震源・震度に関する情報</Title>".encode(), "<Title>震源に関する情報</Title>".encode()
    )
    assert "ignored: not a seismic-intensity telegram" in _run(_write(tmp_path, "x.xml", data))
    assert _nothing_changed()


BAD = {
    "truncated": (lambda d: d[: len(d) // 3], "not well-formed XML (truncated?)"),
    "malformed": (lambda d: d.replace(b"</Control>", b"</Kontrol>"), "not well-formed"),
    "wrong namespace": (
        lambda d: d.replace(b"body/seismology1/", b"body/volcanology1/"),
        "seismology namespace",
    ),
    "unknown intensity": (
        lambda d: d.replace(b"<MaxInt>5+</MaxInt>", b"<MaxInt>8</MaxInt>"),
        "unknown intensity code '8'",
    ),
    "not JMA": (lambda d: b"<html><body>503 Service Unavailable</body></html>", "root element"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_telegram_exits_1_with_one_line_and_changes_nothing(tmp_path, case):
    spoil, said = BAD[case]
    path = _write(tmp_path, "bad.xml", spoil(sample("vxse51_tokyo_6lower")))
    message = _fails(path, 1)
    assert message.startswith("rejected: ") and said in message
    assert _nothing_changed()


@override_settings(QUAKE_MAX_BYTES=3000, QUAKE_FEED_MAX_BYTES=3000)
def test_an_oversize_telegram_exits_1():
    assert "larger than the limit of 3000 bytes" in _fails(
        demo.SAMPLES / "vxse53_tokyo_6lower.xml", 1
    )
    assert _nothing_changed()


def test_a_missing_file_exits_2(tmp_path):
    assert "unreachable" in _fails(tmp_path / "nowhere.xml", 2)


@FAST
def test_an_unreachable_or_failing_url_exits_2():
    assert "unreachable" in _fails("http://127.0.0.1:9/telegram.xml", 2)
    with FakeJma() as jma:
        jma.routes["/t.xml"] = [Answer(503)]
        message = _fails(f"{jma.url}/t.xml", 2)
        assert "HTTP 503 (after 2 attempts)" in message
    assert _nothing_changed()


def test_a_telegram_by_url_is_read():
    with FakeJma() as jma:
        jma.routes["/t.xml"] = [Answer(200, sample("vxse51_tokyo_6lower"))]
        assert "Opened the incident" in _run(f"{jma.url}/t.xml")


def test_a_saved_feed_reads_its_seismic_telegrams_once(tmp_path):
    for name in ("eqvol.xml", "vxse51_tokyo_6lower.xml", "vxse53_tokyo_6lower.xml"):
        shutil.copy(demo.SAMPLES / name, tmp_path / name)
    out = _run(tmp_path / "eqvol.xml")
    assert "Opened the incident" in out and "Updated the incident" in out
    assert QuakeTelegram.objects.count() == 2  # VXSE52 and the volcano entry are not ours
    assert "read before" in _run(tmp_path / "eqvol.xml")


def test_a_feed_with_a_bad_entry_reads_the_good_ones_and_exits_1(tmp_path):
    shutil.copy(demo.SAMPLES / "eqvol.xml", tmp_path / "eqvol.xml")
    shutil.copy(demo.SAMPLES / "vxse51_tokyo_6lower.xml", tmp_path / "vxse51_tokyo_6lower.xml")
    _write(tmp_path, "vxse53_tokyo_6lower.xml", sample("vxse53_tokyo_6lower")[:500])
    message = _fails(tmp_path / "eqvol.xml", 1)
    assert "vxse53_tokyo_6lower.xml: the telegram is not well-formed" in message
    assert Incident.objects.count() == 1


def test_the_shell_sees_one_line_and_no_traceback(tmp_path):
    """Run as an operator would: a fresh embedded install, no traceback on stderr."""
    bad = _write(tmp_path, "bad.xml", sample("vxse51_tokyo_6lower")[:700])
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL")
    }
    env["BCPWEB_VAR_DIR"] = str(tmp_path / "var")
    for source, code in ((bad, 1), (tmp_path / "missing.xml", 2)):
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "quake_ingest", str(source)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("CommandError: "), done.stderr


def test_quake_demo_replays_a_scenario_as_if_it_happened_now():
    from django.utils import timezone

    out = StringIO()
    call_command("quake_demo", "--scenario", "tokyo", stdout=out)
    assert out.getvalue().count("\n") == 2 and "Opened the incident" in out.getvalue()
    incident = Incident.objects.get()
    assert abs((timezone.now() - incident.started_at).total_seconds() - 120) < 60
    again = StringIO()
    call_command("quake_demo", "--scenario", "tokyo", stdout=again)
    # A fresh EventID each time; this soon after, it is an aftershock of the open incident.
    assert "Joined the open incident" in again.getvalue()
    assert Incident.objects.count() == 1 and QuakeEvent.objects.count() == 2
    with pytest.raises(CommandError, match="no such sample"):
        call_command("quake_demo", "../settings.py", stdout=StringIO())
