"""The report form in a crisis (issue 11): no past recovery times, "all normal" asks before it
replaces an impaired status and can be undone, and an unchanged re-submission confirms."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from status_board.models import CurrentStatus, StatusReport

pytestmark = pytest.mark.django_db


@contextmanager
def freeze_time(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


# --- expected recovery in the past -------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_form_refuses_a_recovery_time_in_the_past(client, login, reporter_a, language):
    login(reporter_a)
    client.cookies["django_language"] = language
    response = client.post(
        "/board/FIRM-A/report/",
        {
            "trading-status": "suspended",
            "trading-expected_recovery_at": _local(timezone.now() - timedelta(hours=2)),
        },
    )
    assert response.status_code == 400
    assert not StatusReport.objects.exists()
    expected = {
        "ja": "過去の時刻です",
        "en": "This time is in the past; give a time to come or leave it empty.",
    }[language]
    assert expected in response.content.decode()


def test_the_form_takes_a_time_within_the_tolerance(client, login, reporter_a, settings):
    settings.STATUS_RECOVERY_PAST_TOLERANCE_MINUTES = 5
    login(reporter_a)
    response = client.post(
        "/board/FIRM-A/report/",
        {
            "trading-status": "suspended",
            "trading-expected_recovery_at": _local(timezone.now() - timedelta(minutes=2)),
        },
    )
    assert response.status_code == 302
    assert StatusReport.objects.get().expected_recovery_at is not None


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "過去の時刻です"), ("en", "is in the past")],
)
def test_the_api_refuses_a_recovery_time_in_the_past(client, login, reporter_a, language, expected):
    login(reporter_a)
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = client.post(
        "/api/v1/status-reports/",
        {
            "organization": "FIRM-A",
            "function": "trading",
            "status": "suspended",
            "expected_recovery_at": past,
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert expected in body["errors"]["expected_recovery_at"][0]
    assert not StatusReport.objects.exists()


def test_a_recovery_time_that_passed_since_it_was_reported_may_be_sent_again(
    client, login, reporter_a
):
    """The form shows the time already on the board; sending it back is not refused."""
    login(reporter_a)
    soon = timezone.now() + timedelta(minutes=30)
    client.post(
        "/board/FIRM-A/report/",
        {"trading-status": "suspended", "trading-expected_recovery_at": _local(soon)},
    )
    with freeze_time(timezone.now() + timedelta(hours=2)):
        page = client.get("/board/FIRM-A/report/").content.decode()
        assert f'value="{_local(soon)}"' in page
        response = client.post(
            "/board/FIRM-A/report/",
            {
                "trading-status": "suspended",
                "trading-message": "復旧作業中",
                "trading-expected_recovery_at": _local(soon),
            },
        )
    assert response.status_code == 302
    assert StatusReport.objects.count() == 2


# --- "all normal": confirm, then undo -----------------------------------------------------


def _impair(client):
    client.post(
        "/board/FIRM-A/report/",
        {
            "trading-status": "suspended",
            "trading-message": "本社停電",
            "settlement-status": "normal",
        },
    )


@pytest.mark.parametrize(
    ("language", "question"),
    [("ja", "すべての業務が平常どおりですか"), ("en", "All functions operating normally?")],
)
def test_all_normal_asks_first_when_a_function_is_impaired(
    client, login, reporter_a, language, question
):
    login(reporter_a)
    _impair(client)
    client.cookies["django_language"] = language
    before = StatusReport.objects.count()
    response = client.post("/board/FIRM-A/report/all-normal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert question in html and "本社停電" in html
    assert 'name="confirm" value="yes"' in html  # a plain form: no JavaScript needed
    assert StatusReport.objects.count() == before
    assert CurrentStatus.objects.get(function__code="trading").status == "suspended"

    response = client.post("/board/FIRM-A/report/all-normal/", {"confirm": "yes"})
    assert response.status_code == 302
    assert CurrentStatus.objects.get(function__code="trading").status == "normal"


def test_all_normal_needs_no_question_when_nothing_is_impaired(client, login, reporter_a):
    login(reporter_a)
    response = client.post("/board/FIRM-A/report/all-normal/")
    assert response.status_code == 302
    assert set(CurrentStatus.objects.values_list("status", flat=True)) == {"normal"}


def test_undo_puts_the_previous_statuses_back_into_the_history(client, login, reporter_a):
    login(reporter_a)
    _impair(client)
    impaired_since = CurrentStatus.objects.get(function__code="trading").impaired_since
    client.post("/board/FIRM-A/report/all-normal/", {"confirm": "yes"})
    page = client.get("/board/FIRM-A/report/").content.decode()
    assert 'id="undo-all-normal"' in page

    response = client.post("/board/FIRM-A/report/all-normal/undo/")
    assert response.status_code == 302
    trading = CurrentStatus.objects.get(function__code="trading")
    assert (trading.status, trading.message) == ("suspended", "本社停電")
    assert trading.impaired_since == impaired_since  # its RTO still counts from the outage
    statuses = list(
        StatusReport.objects.filter(function__code="trading")
        .order_by("reported_at")
        .values_list("status", flat=True)
    )
    assert statuses == ["suspended", "normal", "suspended"]  # every step in the history
    assert 'id="undo-all-normal"' not in client.get("/board/FIRM-A/report/").content.decode()
    # Undo is once: a second post changes nothing.
    client.post("/board/FIRM-A/report/all-normal/undo/")
    assert StatusReport.objects.filter(function__code="trading").count() == 3


def test_undo_is_offered_for_a_minute_only(client, login, reporter_a, settings):
    settings.STATUS_UNDO_SECONDS = 60
    login(reporter_a)
    _impair(client)
    client.post("/board/FIRM-A/report/all-normal/", {"confirm": "yes"})
    with freeze_time(timezone.now() + timedelta(seconds=61)):
        assert 'id="undo-all-normal"' not in client.get("/board/FIRM-A/report/").content.decode()
        client.post("/board/FIRM-A/report/all-normal/undo/")
    assert CurrentStatus.objects.get(function__code="trading").status == "normal"


def test_undo_is_refused_to_outsiders(client, login, reporter_a, reporter_b):
    login(reporter_a)
    _impair(client)
    client.post("/board/FIRM-A/report/all-normal/", {"confirm": "yes"})
    login(reporter_b)
    assert client.post("/board/FIRM-A/report/all-normal/undo/").status_code == 403
    assert CurrentStatus.objects.get(function__code="trading").status == "normal"


# --- unchanged functions are confirmed, not re-recorded -----------------------------------


def test_an_unchanged_function_is_confirmed_without_a_timeline_entry(client, login, reporter_a):
    login(reporter_a)
    _impair(client)
    assert StatusReport.objects.count() == 2
    later = timezone.now() + timedelta(minutes=20)
    with freeze_time(later):
        # The form comes back filled with the board's statuses; only settlement changes.
        response = client.post(
            "/board/FIRM-A/report/",
            {
                "trading-status": "suspended",
                "trading-message": "本社停電",
                "settlement-status": "degraded",
            },
        )
    assert response.status_code == 302
    assert StatusReport.objects.count() == 3  # settlement's change only
    trading = CurrentStatus.objects.get(function__code="trading")
    assert trading.confirmed_at == later
    assert CurrentStatus.objects.get(function__code="settlement").confirmed_at is None
    timeline = client.get("/board/FIRM-A/").content.decode()
    assert timeline.count("本社停電") == 2  # the current status and one timeline entry
    feed = client.get("/board/FIRM-A/feed.atom").content.decode()
    assert feed.count("<entry>") == 3
    for url in ("/board/FIRM-A/report/", "/board/FIRM-A/"):
        html = client.get(url).content.decode()
        assert 'class="confirmed' in html and "確認" in html, url
        assert timezone.localtime(later).strftime("%-m/%-d %H:%M") in html, url
