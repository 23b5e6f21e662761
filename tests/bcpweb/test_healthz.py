import json

import pytest

from alerts.models import DeliveryStatus

from . import outbox


@pytest.mark.django_db
def test_it_reports_every_service_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "db": "ok",
        "cache": "ok",
        "broker": "ok",
        "outbox": "ok",
        "outbox_lag_seconds": 0.0,
    }


@pytest.mark.django_db
@pytest.mark.allow_error_log
def test_it_answers_503_when_the_database_fails(client, monkeypatch):
    from bcpweb import health

    monkeypatch.setattr(health, "_check_db", lambda: "error: OperationalError")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["db"] == "error: OperationalError"


@pytest.fixture
def waiting_delivery(org_a, hq_user):
    """One e-mail delivery of an alert, due but not sent (no worker took it)."""
    delivery = outbox.one_delivery(org_a, hq_user)
    return lambda seconds, status=DeliveryStatus.QUEUED: outbox.waited(delivery, seconds, status)


@pytest.mark.django_db
def test_it_reports_how_long_the_oldest_due_delivery_has_waited(client, settings, waiting_delivery):
    settings.HEALTHZ_OUTBOX_LAG_SECONDS = 600
    waiting_delivery(120)
    body = client.get("/healthz").json()
    assert body["outbox"] == "ok"
    assert 119 <= body["outbox_lag_seconds"] < 130
    # A delivery a worker claimed but never confirmed still counts as waiting.
    waiting_delivery(300, status=DeliveryStatus.SENDING)
    assert 299 <= client.get("/healthz").json()["outbox_lag_seconds"] < 310


@pytest.mark.django_db
@pytest.mark.allow_error_log  # Django logs every 503 as an error
def test_it_answers_503_once_the_outbox_lags_past_the_threshold(client, settings, waiting_delivery):
    settings.HEALTHZ_OUTBOX_LAG_SECONDS = 600
    waiting_delivery(900)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["outbox"] == "lagging" and body["outbox_lag_seconds"] >= 900
    assert body["db"] == "ok"  # the contract's keys are still there
    # Sent, failed or not yet due rows are not lag.
    waiting_delivery(900, status=DeliveryStatus.SENT)
    assert client.get("/healthz").status_code == 200
    waiting_delivery(-900)
    assert client.get("/healthz").json()["outbox_lag_seconds"] == 0.0


@pytest.mark.django_db
def test_a_threshold_of_zero_never_turns_it_503(client, settings, waiting_delivery):
    settings.HEALTHZ_OUTBOX_LAG_SECONDS = 0
    waiting_delivery(86400)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["outbox_lag_seconds"] >= 86400
