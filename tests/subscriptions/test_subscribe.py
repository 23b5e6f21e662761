"""Sign up (API and the form without JavaScript), double opt-in, bad input, limits, purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts.models import Delivery
from subscriptions import services
from subscriptions.models import Subscriber

from .conftest import MANAGE_LINK, confirm_tokens

pytestmark = pytest.mark.django_db


def test_the_same_202_answer_for_a_new_a_pending_and_a_confirmed_address(api, client):
    first = api({"email": "Investor@Example.test", "language": "en"})
    assert first.status_code == 202
    assert Subscriber.objects.get().email == "investor@example.test"
    second = api({"email": "investor@example.test"})  # pending
    token = confirm_tokens()["investor@example.test"]
    client.post(f"/subscriptions/confirm/{token}/")
    third = api({"email": "investor@example.test"})  # confirmed
    assert second.status_code == third.status_code == 202
    assert first.json() == second.json() == third.json()
    assert set(first.json()) == {"message"}


def test_the_confirmation_link_opens_a_button_and_only_the_post_confirms(api, client):
    api({"email": "investor@example.test", "language": "en"})
    [message] = mail.outbox
    assert "confirm" in message.subject.lower()
    token = confirm_tokens()["investor@example.test"]
    page = client.get(f"/subscriptions/confirm/{token}/")  # a mail scanner opens the link
    assert page.status_code == 200
    assert 'id="confirm-button"' in page.content.decode()
    assert Subscriber.objects.get().confirmed_at is None
    done = client.post(f"/subscriptions/confirm/{token}/")
    assert done.status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None
    assert MANAGE_LINK.search(done.content.decode())


def test_a_reused_or_tampered_confirmation_link_is_a_clear_400(api, client):
    api({"email": "investor@example.test"})
    token = confirm_tokens()["investor@example.test"]
    assert client.post(f"/subscriptions/confirm/{token}/").status_code == 200
    reused = client.post(f"/subscriptions/confirm/{token}/")
    assert reused.status_code == 400
    assert "このリンクは無効です" in reused.content.decode()
    tampered = client.get(f"/subscriptions/confirm/{token[:-2]}xx/")
    assert tampered.status_code == 400


def test_tokens_are_bound_to_one_subscription(api, client):
    api({"email": "a@example.test"})
    api({"email": "b@example.test"})
    tokens = confirm_tokens()
    a = Subscriber.objects.get(email="a@example.test")
    b = Subscriber.objects.get(email="b@example.test")
    # a's key with b's id: not b's link
    forged = f"{b.pk}-{tokens['a@example.test'].split('-', 1)[1]}"
    assert client.post(f"/subscriptions/confirm/{forged}/").status_code == 400
    assert client.post(f"/subscriptions/unsubscribe/{b.pk}-{a.manage_key}/").status_code == 400
    assert client.get(f"/subscriptions/manage/{b.pk}-{a.manage_key}/").status_code == 400
    assert Subscriber.objects.count() == 2
    assert not Subscriber.objects.filter(confirmed_at__isnull=False).exists()


def test_a_new_sign_up_never_changes_a_confirmed_subscription(api, subscribed, exchange):
    subscriber = subscribed(organizations=[exchange.code])
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=2))
    api({"email": subscriber.email, "categories": ["general"], "language": "en"})
    subscriber.refresh_from_db()
    assert list(subscriber.organizations.values_list("code", flat=True)) == [exchange.code]
    assert subscriber.categories == [] and subscriber.language == "ja"
    # its owner is told, with the personal link, instead
    [message] = mail.outbox
    assert MANAGE_LINK.search(message.body)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "x@example.test", "organizations": ["NOPE"]}, "organizations"),
        ({"email": "x@example.test", "categories": ["drill"]}, "categories"),
        ({"email": "x@example.test", "categories": ["gossip"]}, "categories"),
        ({"email": "x@example.test", "language": "fr"}, "language"),
        ({"email": ["x@example.test"]}, "email"),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_stored(api, payload, field):
    response = api(payload)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert response.json()["message"]
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_a_members_only_organization_cannot_be_followed(api, hidden):
    response = api({"email": "x@example.test", "organizations": [hidden.code]})
    assert response.status_code == 400
    assert "SECRET-SEC" in response.json()["message"]
    assert not Subscriber.objects.exists()


def test_an_oversize_payload_is_a_400(api):
    response = api({"email": "x@example.test", "organizations": ["X" * 20] * 2000})
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_errors_are_in_the_users_language(api):
    en = api({"email": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    ja = api({"email": "nope"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "valid email" in en.json()["message"]
    assert "メールアドレス" in ja.json()["message"] or "有効" in ja.json()["message"]


def test_the_honeypot_gets_the_same_answer_and_stores_nothing(api):
    response = api({"email": "bot@example.test", "website": "http://spam.example"})
    assert response.status_code == 202
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_the_sign_up_form_is_on_the_board_and_the_organization_page(client, exchange):
    home = client.get("/").content.decode()
    assert 'action="/subscriptions/"' in home and 'name="website"' in home
    page = client.get(f"/board/{exchange.code}/").content.decode()
    assert 'action="/subscriptions/"' in page
    assert f'name="organizations" value="{exchange.code}"' in page


def test_the_form_works_without_javascript(client, exchange, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/subscriptions/",
            {"email": "investor@example.test", "language": "en", "organizations": exchange.code},
        )
    assert response.status_code == 202
    assert 'id="subscribe-accepted"' in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "en"
    assert list(subscriber.organizations.all()) == [exchange]
    assert "investor@example.test" in confirm_tokens()


def test_the_form_shows_bad_input_in_the_users_language(client):
    response = client.post("/subscriptions/", {"email": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_subscribe_page_explains_privacy_and_links_the_feeds(client):
    ja = client.get("/subscriptions/").content.decode()
    assert "個人情報" in ja and "/feeds/banner/exchange.atom" in ja
    assert "/feeds/circulars/market_rule.atom" in ja
    en = client.get("/subscriptions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "used for this subscription only" in en


def test_sign_ups_per_address_are_limited_with_the_time_to_wait(api, settings):
    settings.SUBSCRIPTION_SIGNUPS_PER_ADDRESS_PER_HOUR = 2
    for _ in range(2):
        assert api({"email": "x@example.test"}).status_code == 202
    limited = api({"email": "x@example.test"}, HTTP_ACCEPT_LANGUAGE="en")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "minutes" in limited.json()["message"]
    ja = api({"email": "x@example.test"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "分後" in ja.json()["message"]
    assert api({"email": "other@example.test"}).status_code == 202


def test_sign_ups_per_client_address_are_limited(client, settings):
    settings.SUBSCRIPTION_SIGNUPS_PER_IP_PER_HOUR = 3
    for i in range(3):
        assert client.post("/subscriptions/", {"email": f"u{i}@example.test"}).status_code == 202
    limited = client.post("/subscriptions/", {"email": "u9@example.test"})
    assert limited.status_code == 429
    assert "分後" in limited.content.decode()
    assert Subscriber.objects.count() == 3


def test_the_confirmation_is_mailed_at_most_once_an_hour(api):
    for _ in range(3):
        api({"email": "x@example.test"})
    assert len(mail.outbox) == 1
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=1, seconds=1))
    api({"email": "x@example.test"})
    assert len(mail.outbox) == 2


def test_unconfirmed_sign_ups_are_deleted_after_seven_days(api, subscribed):
    subscribed("kept@example.test")
    api({"email": "old@example.test"})
    api({"email": "new@example.test"})
    Subscriber.objects.filter(email__in=["old@example.test", "kept@example.test"]).update(
        created_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    assert services.unconfirmed_purge() == 1
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "kept@example.test",
        "new@example.test",
    }
    assert not Delivery.objects.filter(address="old@example.test").exists()


def test_nothing_is_sent_before_confirmation(api, build, status, exchange):
    api({"email": "pending@example.test"})
    mail.outbox.clear()
    status(exchange)
    build()
    assert mail.outbox == []
