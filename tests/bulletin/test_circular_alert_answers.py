"""One acknowledgement answers both the circular and the alert it sent, either way (issue 11)."""

import re

import pytest
from django.core import mail

from alerts.models import Acknowledgement, AlertTarget, DeliveryStatus
from alerts.selectors import alerts_of_source
from bulletin.models import CircularRecipient
from tests import factories
from tests.bulletin.conftest import publish

pytestmark = pytest.mark.django_db

ACK_LINK = re.compile(r"/ack/([A-Za-z0-9_:\-\.]+)/")


@pytest.fixture
def circular(hq_user, org_a, org_b, django_capture_on_commit_callbacks):
    """A members' circular requiring acknowledgement; FIRM-A's tree has three steps."""
    head = factories.contact(org_a, "Head A", order=1, email="head.a@example.test")
    factories.contact(org_a, "Deputy A", order=2, parent=head, email="deputy.a@example.test")
    factories.contact(org_a, "Backup A", order=3, email="backup.a@example.test")
    factories.contact(org_b, "Head B", order=1, email="head.b@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        return publish(hq_user, audience="members", requires_ack=True, title_ja="訓練通達")


def _target(circular, org):
    alert = alerts_of_source(kind="circular", ids=[circular.pk]).get()
    return AlertTarget.objects.get(alert=alert, organization=org)


def _held(target):
    return target.deliveries.filter(step__gt=1).values_list("status", flat=True)


def test_acknowledging_in_the_portal_answers_the_alert(
    client, login, circular, reporter_a, hq_user, org_a, org_b
):
    target = _target(circular, org_a)
    assert set(_held(target)) == {DeliveryStatus.HELD}  # steps 2 and 3 wait for an answer
    login(reporter_a)
    response = client.post(f"/circulars/{circular.number}/acknowledge/")
    assert response.status_code == 302

    target.refresh_from_db()
    assert target.acknowledged_at is not None and target.escalate_at is None
    assert set(_held(target)) == {DeliveryStatus.CANCELLED}
    answer = Acknowledgement.objects.get(target=target)
    assert (answer.user, answer.answer, answer.via) == (reporter_a, "confirmed", "portal")
    # FIRM-B has not acknowledged: its alert keeps escalating.
    assert _target(circular, org_b).acknowledged_at is None

    login(hq_user)
    page = client.get(f"/hq/alerts/{target.alert_id}/organizations/FIRM-A/").content.decode()
    assert "reporter_a" in page and "まだ回答がありません" not in page
    assert "No answer yet." not in page

    # Acknowledging again records nothing more.
    login(reporter_a)
    client.post(f"/circulars/{circular.number}/acknowledge/")
    assert Acknowledgement.objects.filter(target=target).count() == 1


def test_answering_the_alert_link_acknowledges_the_circular(
    client, login, circular, hq_user, org_a, reporter_a
):
    token = next(
        ACK_LINK.search(m.body).group(1) for m in mail.outbox if m.to == ["head.a@example.test"]
    )
    response = client.post(f"/ack/{token}/", {"answer": "confirmed"})
    assert response.status_code == 302

    receipt = CircularRecipient.objects.get(circular=circular, organization=org_a)
    target = _target(circular, org_a)
    assert receipt.acknowledged_at == target.acknowledged_at  # one answer, one time
    assert receipt.acknowledger == "Head A"
    assert not CircularRecipient.objects.filter(
        circular=circular, acknowledged_at__isnull=False
    ).exclude(organization=org_a)

    login(hq_user)
    assert "Head A" in client.get(f"/circulars/{circular.number}/progress/").content.decode()

    # The reporter then sees it acknowledged; acknowledging again changes neither record.
    login(reporter_a)
    assert "Head A" in client.get(f"/circulars/{circular.number}/").content.decode()
    client.post(f"/circulars/{circular.number}/acknowledge/")
    receipt.refresh_from_db()
    assert receipt.acknowledger == "Head A"
    assert Acknowledgement.objects.filter(target=target).count() == 1


def test_answering_in_the_portal_inbox_acknowledges_the_circular(
    client, login, circular, reporter_a, org_a
):
    target = _target(circular, org_a)
    login(reporter_a)
    response = client.post(f"/ack/targets/{target.pk}/", {"answer": "working"})
    assert response.status_code == 302
    receipt = CircularRecipient.objects.get(circular=circular, organization=org_a)
    assert receipt.acknowledged_by == reporter_a and receipt.acknowledged_at is not None


def test_outsiders_cannot_answer_anothers_alert_through_the_circular(
    client, login, circular, reporter_b, org_a
):
    target = _target(circular, org_a)
    login(reporter_b)
    client.post(f"/circulars/{circular.number}/acknowledge/")  # for FIRM-B only
    target.refresh_from_db()
    assert target.acknowledged_at is None
    assert (
        CircularRecipient.objects.get(circular=circular, organization=org_a).acknowledged_at is None
    )
