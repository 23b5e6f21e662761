import pytest
from django.db import OperationalError


@pytest.mark.django_db
@pytest.mark.allow_error_log
def test_a_database_failure_is_a_clean_503_page(client, login, reporter_a, monkeypatch):
    login(reporter_a)
    from organizations import views

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views.selectors, "organizations_of_user", broken)
    response = client.get("/my/")
    assert response.status_code == 503
    body = response.content.decode()
    assert "一時的に利用できません" in body and "Traceback" not in body
    assert response["Retry-After"]


@pytest.mark.django_db
@pytest.mark.allow_error_log
def test_a_database_failure_in_the_api_is_json(api_client, monkeypatch):
    from organizations import api

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(api.selectors, "organizations_with_functions", broken)
    response = api_client.get("/api/v1/organizations/")
    assert response.status_code == 503
    assert response.json()["message"]
