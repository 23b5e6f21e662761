"""Leaving: RFC 8058 one-click POST, a GET that only shows a button, the manage page."""

from __future__ import annotations

import pytest
from django.core import mail

from alerts.models import Delivery
from subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db


def _digest_for(subscribed, status, build, exchange, **choices):
    subscriber = subscribed(**choices)
    status(exchange)
    build()
    [message] = mail.outbox
    return subscriber, message


def test_every_digest_carries_the_one_click_headers(subscribed, status, build, exchange):
    subscriber, message = _digest_for(subscribed, status, build, exchange)
    url = f"https://bcp.example.test/subscriptions/unsubscribe/{subscriber.manage_token()}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_one_click_post_unsubscribes_at_once_and_deletes_the_address(
    client, subscribed, status, build, exchange
):
    subscriber, message = _digest_for(subscribed, status, build, exchange)
    path = (
        message.extra_headers["List-Unsubscribe"]
        .strip("<>")
        .removeprefix("https://bcp.example.test")
    )
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists()
    assert not Delivery.objects.filter(address=subscriber.email).exists()
    mail.outbox.clear()
    status(exchange, "suspended")
    build()
    assert mail.outbox == []  # removed subscribers are not mailed (Cachet #2317)


def test_a_get_of_the_unsubscribe_link_changes_nothing(client, subscribed):
    subscriber = subscribed()
    page = client.get(f"/subscriptions/unsubscribe/{subscriber.manage_token()}/")
    assert page.status_code == 200
    assert 'id="unsubscribe-button"' in page.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_a_post_without_the_one_click_body_changes_nothing(client, subscribed):
    subscriber = subscribed()
    response = client.post(f"/subscriptions/unsubscribe/{subscriber.manage_token()}/", {})
    assert response.status_code == 400
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_a_reused_or_tampered_unsubscribe_link_is_a_400(client, subscribed):
    subscriber = subscribed()
    url = f"/subscriptions/unsubscribe/{subscriber.manage_token()}/"
    body = {"List-Unsubscribe": "One-Click"}
    assert client.post(url, body).status_code == 200
    assert client.post(url, body).status_code == 400
    assert client.post("/subscriptions/unsubscribe/12-nonsense/", body).status_code == 400


def test_the_manage_page_changes_choices_and_leaves(client, subscribed, exchange, clearing):
    subscriber = subscribed()
    url = f"/subscriptions/manage/{subscriber.manage_token()}/"
    page = client.get(url)
    assert page.status_code == 200 and subscriber.email in page.content.decode()
    saved = client.post(
        url, {"action": "save", "language": "en", "organizations": [clearing.code], "banner": "on"}
    )
    assert saved.status_code == 200 and 'id="choices-saved"' in saved.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.language == "en" and subscriber.banner
    assert list(subscriber.organizations.all()) == [clearing]
    bad = client.post(url, {"action": "save", "categories": ["drill"]})
    assert bad.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.banner and subscriber.categories == []
    left = client.post(url, {"action": "leave"})
    assert left.status_code == 200 and not Subscriber.objects.exists()
    assert client.get(url).status_code == 400


def test_the_manage_page_needs_the_csrf_token_from_the_page(subscribed):
    from django.test import Client

    subscriber = subscribed()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        f"/subscriptions/manage/{subscriber.manage_token()}/", {"action": "leave"}
    )
    assert response.status_code == 403
    assert Subscriber.objects.exists()
