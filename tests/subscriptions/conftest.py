"""Investors, their confirmation links, and public changes to tell them about."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from subscriptions import digests
from subscriptions.models import Subscriber
from tests import factories

CONFIRM_LINK = re.compile(r"https?://[^\s]+/subscriptions/confirm/([^/\s]+)/")
MANAGE_LINK = re.compile(r"https?://[^\s]+/subscriptions/manage/([^/\s]+)/")


@pytest.fixture(autouse=True)
def _window(settings):
    settings.SUBSCRIPTION_DIGEST_WINDOW_SECONDS = 30
    settings.SITE_URL = "https://bcp.example.test"


@pytest.fixture
def exchange(public_org):
    return public_org  # PUB-EX, public: 公開取引所 / Public Exchange


@pytest.fixture
def clearing(db):
    return factories.organization(
        "PUB-CL", kind="clearing", is_public=True, name_ja="公開清算機関", name_en="Public Clearing"
    )


@pytest.fixture
def hidden(db):
    return factories.organization("SECRET-SEC", name_ja="非公開証券", name_en="Members Only")


@pytest.fixture
def api(api_client, django_capture_on_commit_callbacks):
    """POST /api/v1/subscriptions/, running what happens on commit (the confirmation mail)."""

    def _post(data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post("/api/v1/subscriptions/", data, format="json", **extra)

    return _post


def confirm_tokens(outbox=None) -> dict[str, str]:
    found = {}
    for m in outbox if outbox is not None else mail.outbox:
        match = CONFIRM_LINK.search(m.body)
        if match:
            found[m.to[0]] = match.group(1)
    return found


@pytest.fixture
def subscribed(api, client):
    """A confirmed subscriber, through the API and the confirm button."""

    def _subscribe(email="investor@example.test", **choices):
        response = api({"email": email, **choices})
        assert response.status_code == 202, response.content
        token = confirm_tokens()[email]
        assert client.post(f"/subscriptions/confirm/{token}/").status_code == 200
        mail.outbox.clear()
        return Subscriber.objects.get(email=email)

    return _subscribe


@pytest.fixture
def reporter_of(db):
    def _reporter(org):
        return factories.user(f"rep-{org.code.lower()}", role="reporter", organization=org)

    return _reporter


@pytest.fixture
def status(reporter_of, django_capture_on_commit_callbacks):
    from status_board import services

    def _status(org, state="degraded", function=None):
        function = function or org.organization_functions.first().function.code
        with django_capture_on_commit_callbacks(execute=True):
            return services.status_report_create(
                actor=reporter_of(org),
                organization=org,
                entry=services.ReportInput(function=function, status=state),
            )

    return _status


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """Close the window now (as if its 30 s had passed) and send what it writes."""

    def _build(after=31):
        with django_capture_on_commit_callbacks(execute=True):
            return digests.digest_build(now=timezone.now() + timedelta(seconds=after))

    return _build
