"""Atom feeds of the banner per segment and of public circulars per category; the admin."""

from __future__ import annotations

import pytest

from subscriptions.models import Subscriber
from tests import factories
from tests.bulletin.conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def halted(hq_user, django_capture_on_commit_callbacks):
    from emergency_hq.incidents import decisions, services

    halt = {"action": "halt_trading", "rationale": "売買停止"}
    real = services.incident_open(actor=hq_user, title="障害", kind="system_failure", severity=3)
    drill = services.incident_open(
        actor=hq_user, title="訓練", kind="earthquake", severity=4, is_drill=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        decisions.decision_record(actor=hq_user, incident=real, segment="bond", **halt)
        decisions.decision_record(actor=hq_user, incident=drill, segment="exchange", **halt)


def test_the_banner_feed_of_a_segment_lists_its_announcements_never_a_drill(client, halted):
    bond = client.get("/feeds/banner/bond.atom")
    assert bond.status_code == 200 and bond["Content-Type"].startswith("application/atom+xml")
    body = bond.content.decode()
    assert body.count("<entry>") == 1 and "売買停止" in body
    assert client.get("/feeds/banner/exchange.atom").content.decode().count("<entry>") == 0
    assert client.get("/feeds/banner/all.atom").content.decode().count("<entry>") == 1
    assert client.get("/feeds/banner/moon.atom").status_code == 404


def test_the_circulars_feed_of_a_category_lists_public_ones_only(
    client, hq_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(hq_user, category="general", title_ja="公開のお知らせ")
        publish(hq_user, category="general", audience="members", title_ja="会員向けのお知らせ")
        publish(hq_user, category="drill", title_ja="演習の通達")
    body = client.get("/feeds/circulars/general.atom").content.decode()
    assert "公開のお知らせ" in body and "会員向け" not in body
    assert client.get("/feeds/circulars/drill.atom").status_code == 404
    assert client.get("/feeds/circulars/nope.atom").status_code == 404


@pytest.fixture
def some_subscribers(db):
    Subscriber.objects.create(email="one@example.test")
    Subscriber.objects.create(email="two@example.test")


def test_jsda_admin_counts_and_searches_subscribers_without_bulk_export(
    client, login, admin_user, some_subscribers
):
    login(admin_user)
    page = client.get("/admin/subscriptions/subscriber/?q=two")
    assert page.status_code == 200
    text = page.content.decode()
    assert "two@example.test" in text and "one@example.test" not in text
    assert 'name="action"' not in text  # no bulk actions, no export
    assert client.get("/admin/subscriptions/subscriber/add/").status_code == 403


@pytest.mark.parametrize("role", ["hq_staff", "regulator"])
def test_nobody_else_sees_the_addresses(client, login, some_subscribers, role):
    login(factories.user(f"u-{role}", role=role))
    response = client.get("/admin/subscriptions/subscriber/")
    assert response.status_code in (302, 403)
    assert "one@example.test" not in response.content.decode()
