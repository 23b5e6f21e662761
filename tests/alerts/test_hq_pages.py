"""HQ's alert pages: who may open them, the form, progress, the report and the CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.utils import timezone

from alerts.models import Alert, AlertTarget, Delivery
from tests import factories

from .conftest import ack_tokens

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alert(send, org_a, org_b, tree_a):
    return send([org_a, org_b])  # org_b has no contacts: unreachable


def _urls(alert):
    return [
        "/hq/alerts/",
        "/hq/alerts/new/",
        f"/hq/alerts/{alert.pk}/",
        f"/hq/alerts/{alert.pk}/deliveries.csv",
        f"/hq/alerts/{alert.pk}/organizations/FIRM-A/",
    ]


def test_only_hq_staff_open_the_alert_pages(
    client, login, alert, reporter_a, regulator_user, admin_user, hq_user
):
    for url in _urls(alert):
        assert client.get(url).status_code == 302, url  # anonymous: log in first
    for outsider in (reporter_a, regulator_user, admin_user):
        login(outsider)
        for url in _urls(alert):
            assert client.get(url).status_code == 403, (outsider, url)
    login(hq_user)
    for url in _urls(alert):
        assert client.get(url).status_code == 200, url


def test_only_hq_staff_can_resend_or_send(client, login, alert, reporter_a, regulator_user):
    before = Delivery.objects.count()
    for outsider in (reporter_a, regulator_user):
        login(outsider)
        assert client.post(f"/hq/alerts/{alert.pk}/resend/").status_code == 403
        response = client.post(
            "/hq/alerts/new/", {"subject_ja": "x", "body_ja": "y", "audience": "all"}
        )
        assert response.status_code == 403
    assert Delivery.objects.count() == before
    assert Alert.objects.count() == 1


def test_hq_sends_a_manual_alert_by_kind(client, login, hq_user, org_a, tree_a):
    exchange = factories.organization("EXCH", kind="exchange")
    factories.contact(exchange, "Ops Desk")
    login(hq_user)
    response = client.post(
        "/hq/alerts/new/",
        {
            "subject_ja": "取引所システム障害",
            "body_ja": "状況を報告してください。",
            "audience": "kinds",
            "kinds": ["exchange"],
            "requires_ack": "on",
            "deadline": "2030-01-01T09:30",
            "is_drill": "on",
        },
    )
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hq/alerts/{alert.pk}/"
    assert [t.organization.code for t in alert.targets.all()] == ["EXCH"]
    assert alert.is_drill
    assert timezone.localtime(alert.deadline).isoformat() == "2030-01-01T09:30:00+09:00"
    assert [m.subject for m in mail.outbox] == ["【訓練】取引所システム障害"]


def test_the_form_refuses_an_alert_without_targets(client, login, hq_user, org_a):
    login(hq_user)
    response = client.post(
        "/hq/alerts/new/",
        {"subject_ja": "件名", "body_ja": "本文", "audience": "segment", "segment": "bond"},
    )
    assert response.status_code == 200
    assert "送信先がありません" in response.content.decode()
    response = client.post(
        "/hq/alerts/new/", {"subject_ja": "件名", "body_ja": "本文", "audience": "kinds"}
    )
    assert "種別を1つ以上選んでください" in response.content.decode()
    assert not Alert.objects.exists()


def test_progress_shows_unreachable_and_non_responders_first(
    client, login, hq_user, send, org_a, org_b, tree_a, tree_b
):
    lonely = factories.organization("FIRM-0")  # no contacts; sorts first by code otherwise
    alert = send([org_a, org_b, lonely])
    token_b = ack_tokens()["head.b@example.test"]
    client.post(f"/ack/{token_b}/", {"answer": "confirmed"})
    login(hq_user)
    page = client.get(f"/hq/alerts/{alert.pk}/").content.decode()
    order = [page.index(code) for code in ("FIRM-0", "FIRM-A", "FIRM-B")]
    assert "連絡不能" in page
    assert page.index("FIRM-0") < page.index("FIRM-A") < page.index("FIRM-B"), order
    assert "受信確認：3機関中1機関" in page


def test_the_progress_page_uses_a_constant_number_of_queries(
    client, login, hq_user, send, django_assert_max_num_queries
):
    orgs = []
    for i in range(6):
        org = factories.organization(f"MANY-{i}")
        factories.contact(org, f"Person {i}")
        orgs.append(org)
    alert = send(orgs)
    login(hq_user)
    client.get(f"/hq/alerts/{alert.pk}/")
    with django_assert_max_num_queries(12):
        assert client.get(f"/hq/alerts/{alert.pk}/").status_code == 200


def test_the_csv_lists_every_delivery_and_the_unreachable(client, login, hq_user, alert):
    login(hq_user)
    response = client.get(f"/hq/alerts/{alert.pk}/deliveries.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == [
        "organization",
        "step",
        "round",
        "recipient",
        "channel",
        "address",
        "status",
    ]
    body = {(r[0], r[3], r[4], r[6]) for r in rows[1:]}
    assert ("FIRM-A", "Head A", "email", "sent") in body
    assert ("FIRM-A", "Deputy A", "email", "held") in body
    assert ("FIRM-B", "", "", "unreachable") in body


def test_the_organization_report_lists_each_contact(client, login, hq_user, alert):
    login(hq_user)
    page = client.get(f"/hq/alerts/{alert.pk}/organizations/FIRM-A/").content.decode()
    for name in ("Head A", "Deputy A", "Backup A"):
        assert name in page
    assert client.get(f"/hq/alerts/{alert.pk}/organizations/NOPE/").status_code == 404


def test_resend_goes_to_every_contact_of_non_responders_only(
    client, login, hq_user, send, org_a, org_b, tree_a, tree_b
):
    alert = send([org_a, org_b])
    client.post(f"/ack/{ack_tokens()['head.b@example.test']}/", {"answer": "confirmed"})
    mail.outbox.clear()
    login(hq_user)
    assert client.get(f"/hq/alerts/{alert.pk}/resend/").status_code == 405
    response = client.post(f"/hq/alerts/{alert.pk}/resend/")
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "backup.a@example.test",
        "deputy.a@example.test",
        "head.a@example.test",
    ]
    target_a = AlertTarget.objects.get(alert=alert, organization=org_a)
    assert not target_a.deliveries.filter(status="held").exists()


def test_drills_are_listed_apart(client, login, hq_user, send, org_a, tree_a):
    send([org_a], subject_ja="本番の連絡")
    send([org_a], subject_ja="訓練の連絡", is_drill=True)
    login(hq_user)
    page = client.get("/hq/alerts/").content.decode()
    drills = page.index("<h2>訓練</h2>")
    assert page.index("本番の連絡") < drills < page.index("【訓練】訓練の連絡")


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "1e5", "\x00"])
def test_an_impossible_organization_id_is_a_form_error_not_a_500(
    client, login, hq_user, org_a, value
):
    """Issue 10, defect 7: an id past bigint (or not a number at all) was a database error."""
    login(hq_user)
    response = client.post(
        "/hq/alerts/new/",
        {
            "subject_ja": "件名",
            "body_ja": "本文",
            "audience": "organizations",
            "organizations": value,
        },
    )
    assert response.status_code in (200, 400)
    assert "errorlist" in response.content.decode() or response.status_code == 400
    assert not Alert.objects.exists()
