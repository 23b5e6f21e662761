"""A circular that requires acknowledgement also goes along the targets' contact trees."""

import pytest
from django.core import mail

from alerts.selectors import alerts_of_source
from tests import factories
from tests.bulletin.conftest import publish

pytestmark = pytest.mark.django_db


def _alerts_for(circular):
    return alerts_of_source(kind="circular", ids=[circular.pk])


def test_publishing_with_acknowledgement_alerts_every_targeted_tree(
    hq_user, org_a, org_b, django_capture_on_commit_callbacks
):
    factories.contact(org_a, "Head A", email="head.a@example.test")
    factories.contact(org_b, "Head B", email="head.b@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        circular = publish(
            hq_user, audience="organizations", organizations=[org_a.code], requires_ack=True
        )
    alert = _alerts_for(circular).get()
    assert {t.organization.code for t in alert.targets.all()} == {org_a.code}
    assert circular.number in alert.subject_ja
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {"head.a@example.test"}


def test_a_circular_without_acknowledgement_sends_no_alert(hq_user, org_a):
    factories.contact(org_a, "Head A")
    circular = publish(hq_user, audience="organizations", organizations=[org_a.code])
    assert not _alerts_for(circular).exists()


def test_a_drill_circular_sends_a_drill_alert(hq_user, org_a):
    factories.contact(org_a, "Head A")
    circular = publish(
        hq_user,
        audience="organizations",
        organizations=[org_a.code],
        category="drill",
        requires_ack=True,
    )
    alert = _alerts_for(circular).get()
    assert alert.is_drill


def test_an_infrastructure_notice_reaches_the_trees_too(exchange, exchange_reporter, org_a):
    factories.contact(org_a, "Head A")
    circular = publish(
        exchange_reporter,
        audience="organizations",
        organizations=[org_a.code],
        requires_ack=True,
        issuer=exchange,
    )
    assert _alerts_for(circular).get().targets.count() == 1
