"""When limits meet: a rate-limited client sending an oversize body; the beat's purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from bcpweb.celery import app
from subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db

OVERSIZE = {"email": "x@example.test", "organizations": ["X" * 20] * 2000}  # > 16 KiB
ERROR_KEYS = {"message", "detail", "errors"}  # common.schema.ErrorSerializer


@pytest.fixture
def limited(api, settings):
    """This client and address have used their one sign-up of the hour."""
    settings.SUBSCRIPTION_SIGNUPS_PER_IP_PER_HOUR = 1
    settings.SUBSCRIPTION_SIGNUPS_PER_ADDRESS_PER_HOUR = 1
    assert api({"email": "x@example.test"}).status_code == 202
    over = api({"email": "x@example.test"})
    assert over.status_code == 429
    return over


def test_rate_limited_and_oversize_is_one_clear_400_in_the_users_language(api, limited):
    en = api(OVERSIZE, HTTP_ACCEPT_LANGUAGE="en")
    ja = api(OVERSIZE, HTTP_ACCEPT_LANGUAGE="ja")
    # The size is refused first, before anything is read or counted: a 400, not a 429 or 500.
    assert en.status_code == ja.status_code == 400
    assert en["Content-Type"].startswith("application/json")
    assert set(en.json()) <= ERROR_KEYS and "message" in en.json()
    assert en.json()["message"] == "The request is too large."
    assert ja.json()["message"] == "リクエストが大きすぎます。"
    assert "Retry-After" not in en
    assert Subscriber.objects.count() == 1


def test_the_429_body_is_the_error_body_with_the_seconds_to_wait(limited):
    body = limited.json()
    assert "message" in body and set(body) - ERROR_KEYS == {"retry_after"}
    assert body["retry_after"] == int(limited["Retry-After"]) > 0


def test_oversize_requests_do_not_use_up_the_sign_ups_of_the_hour(api, settings):
    settings.SUBSCRIPTION_SIGNUPS_PER_IP_PER_HOUR = 1
    for _ in range(3):
        assert api(OVERSIZE).status_code == 400
    assert api({"email": "x@example.test"}).status_code == 202
    assert api({"email": "y@example.test"}).status_code == 429


def test_the_form_over_the_limit_with_an_oversize_body_is_a_400_page(client, settings):
    settings.SUBSCRIPTION_SIGNUPS_PER_IP_PER_HOUR = 1
    assert client.post("/subscriptions/", {"email": "u1@example.test"}).status_code == 202
    assert client.post("/subscriptions/", {"email": "u2@example.test"}).status_code == 429
    response = client.post(
        "/subscriptions/", {"email": "u3@example.test", "organizations": ["X" * 20] * 2000}
    )
    assert response.status_code == 400
    assert "リクエストが大きすぎます" in response.content.decode()
    assert Subscriber.objects.count() == 1


def _purge_entry() -> dict:
    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "subscriptions.unconfirmed_purge"
    ]
    return entry


def test_the_beat_schedule_runs_the_purge_at_least_every_hour():
    entry = _purge_entry()
    assert float(entry["schedule"]) <= 3600
    assert entry in app.conf.beat_schedule.values()  # what `celery beat` reads


def test_the_beat_task_deletes_only_unconfirmed_sign_ups_older_than_seven_days():
    now = timezone.now()
    old = now - timedelta(days=7, minutes=1)
    recent = now - timedelta(days=6, hours=23)
    Subscriber.objects.bulk_create(
        [
            Subscriber(email="old-pending@example.test"),
            Subscriber(email="recent-pending@example.test"),
            Subscriber(email="old-confirmed@example.test", confirmed_at=old),
        ]
    )
    Subscriber.objects.filter(email__startswith="old-").update(created_at=old)
    Subscriber.objects.filter(email__startswith="recent-").update(created_at=recent)
    app.loader.import_default_modules()  # the tasks as a worker finds them
    task = app.tasks[_purge_entry()["task"]]  # the one the beat names, by that name
    result = task.apply()  # read, not .get(): see test_read_only's eager-task test
    assert result.successful() and result.result == 1
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "recent-pending@example.test",
        "old-confirmed@example.test",
    }
