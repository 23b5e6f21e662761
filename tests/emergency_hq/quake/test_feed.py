"""Polling JMA's Atom feed against a local server: conditional GETs, 304, retries, once only."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.test import override_settings

from emergency_hq.models import Incident, QuakeFeedState, QuakeTelegram
from emergency_hq.quake import feed
from emergency_hq.quake.tasks import quake_feed_poll
from tests.emergency_hq.quake.helpers import sample
from tests.emergency_hq.quake.http_server import Answer, FakeJma, http_date

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("quake_market"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]
FAST = override_settings(
    QUAKE_FEED_RETRIES=2, QUAKE_FEED_RETRY_SECONDS=0.01, QUAKE_FEED_TIMEOUT_SECONDS=0.5
)
FEED = "/developer/xml/feed/eqvol.xml"
QUICK = "/developer/xml/data/20261120003705_0_VXSE51_010000.xml"
FULL = "/developer/xml/data/20261120004120_0_VXSE53_010000.xml"
HYPO = "/developer/xml/data/20261120003930_0_VXSE52_010000.xml"
AFTER = "/developer/xml/data/20261120024730_0_VXSE53_010000.xml"


def atom(base: str, *entries: tuple[str, str, str]) -> bytes:
    rows = "".join(
        f"<entry><title>{title}</title><id>{base}{path}</id><updated>{updated}</updated>"
        f'<author><name>気象庁</name></author><link type="application/xml" href="{base}{path}"/>'
        f'<content type="text">{title}</content></entry>'
        for title, path, updated in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'lang="ja"><title>高頻度（地震火山）</title><id>{base}{FEED}</id>'
        f"<updated>2026-11-20T10:00:00+09:00</updated>{rows}</feed>"
    ).encode()


TOKYO = [
    ("震度速報", QUICK, "2026-11-20T00:37:05Z"),
    ("震源に関する情報", HYPO, "2026-11-20T00:39:30Z"),
    ("震源・震度に関する情報", FULL, "2026-11-20T00:41:20Z"),
]


@pytest.fixture
def jma():
    with FakeJma() as server:
        server.routes[QUICK] = [Answer(200, sample("vxse51_tokyo_6lower"))]
        server.routes[FULL] = [Answer(200, sample("vxse53_tokyo_6lower"))]
        server.routes[AFTER] = [Answer(200, sample("vxse53_tokyo_aftershock"))]
        yield server


@FAST
def test_each_telegram_is_fetched_once_and_if_modified_since_is_honoured(jma):
    jma.routes[FEED] = (atom(jma.url, *TOKYO), '"v1"', http_date(1795650000))
    report = feed.poll(jma.url + FEED)
    assert [r.outcome for _url, r in report.read] == ["opened", "updated"]
    assert Incident.objects.count() == 1
    assert jma.served(HYPO) == []  # not a seismic-intensity telegram: never fetched

    again = feed.poll(jma.url + FEED)
    assert again.not_modified and again.read == []
    conditional = jma.served(FEED)[-1]
    assert conditional["If-None-Match"] == '"v1"'
    assert conditional["If-Modified-Since"] == http_date(1795650000)
    assert (len(jma.served(QUICK)), len(jma.served(FULL))) == (1, 1)

    # A new version of the feed: only the new entry is fetched.
    jma.routes[FEED] = (
        atom(jma.url, *TOKYO, ("震源・震度に関する情報", AFTER, "2026-11-20T02:47:30Z")),
        '"v2"',
        http_date(1795657000),
    )
    third = feed.poll(jma.url + FEED)
    assert [r.outcome for _url, r in third.read] == ["attached"]
    assert (len(jma.served(QUICK)), len(jma.served(FULL)), len(jma.served(AFTER))) == (1, 1, 1)
    assert QuakeFeedState.objects.get().etag == '"v2"'


@FAST
def test_a_304_changes_nothing(jma):
    jma.routes[FEED] = [Answer(304)]
    report = feed.poll(jma.url + FEED)
    assert report.not_modified
    assert not QuakeTelegram.objects.exists()


@FAST
def test_5xx_answers_are_retried_with_a_logged_warning(jma, caplog):
    jma.routes[FEED] = [Answer(503), Answer(502), Answer(200, atom(jma.url, *TOKYO))]
    with caplog.at_level(logging.WARNING, logger="emergency_hq.quake"):
        report = feed.poll(jma.url + FEED)
    assert len(report.read) == 2
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert [r.levelno for r in retries] == [logging.WARNING, logging.WARNING]
    assert "HTTP 503" in retries[0].getMessage()


@FAST
def test_a_feed_that_keeps_failing_is_unavailable_and_nothing_changes(jma):
    jma.routes[FEED] = [Answer(500)]
    with pytest.raises(feed.SourceUnavailable, match="HTTP 500 .after 3 attempts"):
        feed.poll(jma.url + FEED)
    assert len(jma.served(FEED)) == 3
    assert not Incident.objects.exists() and not QuakeTelegram.objects.exists()
    state = QuakeFeedState.objects.get()
    assert state.etag == "" and "HTTP 500" in state.last_error


@FAST
def test_a_timeout_is_retried_then_reported(jma, caplog):
    jma.routes[FEED] = [Answer(200, atom(jma.url, *TOKYO), delay=1.5)]
    with caplog.at_level(logging.WARNING), pytest.raises(feed.SourceUnavailable, match="timed out"):
        feed.poll(jma.url + FEED)
    assert "timed out; retrying" in caplog.text
    assert not Incident.objects.exists()


@FAST
def test_an_unreachable_feed_is_reported():
    with pytest.raises(feed.SourceUnavailable, match="unreachable"):
        feed.poll("http://127.0.0.1:9/eqvol.xml")


@FAST
def test_a_telegram_missed_now_is_fetched_at_the_next_poll(jma):
    jma.routes[FEED] = (atom(jma.url, *TOKYO), '"v1"', http_date(1795650000))
    jma.routes[QUICK] = [
        Answer(500),
        Answer(500),
        Answer(500),
        Answer(200, sample("vxse51_tokyo_6lower")),
    ]
    first = feed.poll(jma.url + FEED)
    assert [url for url, _reason in first.unavailable] == [jma.url + QUICK]
    # The feed's validators were not kept, so the next poll is no 304 and gets the entry.
    assert QuakeFeedState.objects.get().etag == ""
    second = feed.poll(jma.url + FEED)
    assert [r.telegram.kind for _url, r in second.read] == ["VXSE51"]
    assert len(jma.served(FULL)) == 1


@FAST
def test_a_malformed_telegram_is_rejected_once_and_never_fetched_again(jma, caplog):
    jma.routes[FEED] = (atom(jma.url, *TOKYO), '"v1"', http_date(1795650000))
    truncated = sample("vxse51_tokyo_6lower")[:900]
    jma.routes[QUICK] = [Answer(200, truncated)]
    with caplog.at_level(logging.WARNING, logger="emergency_hq.quake"):
        report = feed.poll(jma.url + FEED)
    assert [url for url, _r in report.rejected] == [jma.url + QUICK]
    assert "not well-formed" in caplog.text
    jma.routes[FEED] = (atom(jma.url, *TOKYO), '"v2"', http_date(1795650100))
    feed.poll(jma.url + FEED)
    assert len(jma.served(QUICK)) == 1


@FAST
def test_a_telegram_larger_than_the_limit_is_rejected(jma):
    jma.routes[FEED] = [Answer(200, atom(jma.url, TOKYO[0]))]
    with override_settings(QUAKE_MAX_BYTES=1000):
        report = feed.poll(jma.url + FEED)
    assert report.unavailable and "larger than the limit" in report.unavailable[0][1]
    assert not QuakeTelegram.objects.exists()


def test_the_beat_task_is_off_without_a_feed_url():
    assert settings.QUAKE_FEED_URL == ""
    assert "emergency_hq-quake-feed" not in settings.CELERY_BEAT_SCHEDULE
    assert quake_feed_poll() == "off"


@FAST
def test_the_beat_task_polls_the_configured_feed(jma):
    jma.routes[FEED] = (atom(jma.url, *TOKYO), '"v1"', http_date(1795650000))
    with override_settings(QUAKE_FEED_URL=jma.url + FEED):
        assert quake_feed_poll() == "2 read"
        assert quake_feed_poll() == "not modified"
    jma.routes[FEED] = [Answer(503)]
    with override_settings(QUAKE_FEED_URL=jma.url + FEED):
        assert quake_feed_poll() == "unavailable"


def test_the_schedule_entry_is_there_when_a_feed_is_configured():
    import subprocess
    import sys

    code = (
        "import os; os.environ['QUAKE_FEED_URL']='https://www.data.jma.go.jp/developer/xml/feed/"
        "eqvol.xml'; os.environ.setdefault('DJANGO_SETTINGS_MODULE','bcpweb.settings.base');"
        "from django.conf import settings;"
        "e=settings.CELERY_BEAT_SCHEDULE['emergency_hq-quake-feed'];"
        "print(e['task'], e['schedule'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.split() == ["emergency_hq.quake_feed_poll", "60.0"]
