import json

import pytest


@pytest.mark.django_db
def test_it_reports_every_service_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"db": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
@pytest.mark.allow_error_log
def test_it_answers_503_when_the_database_fails(client, monkeypatch):
    from bcpweb import health

    monkeypatch.setattr(health, "_check_db", lambda: "error: OperationalError")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["db"] == "error: OperationalError"
