"""Answers read without colour: each badge begins with its own icon, and "need support" never
wears the ✓ of a confirmation (issue 11)."""

import re

import pytest

from alerts.models import AlertTarget
from alerts.services import alert_acknowledge
from organizations.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db


def _badge(html: str, code: str) -> str:
    row = re.search(rf"<tr[^>]*>\s*<td><a [^>]*>{code}</a>.*?</tr>", html, re.S).group(0)
    return re.search(
        r'<span class="st [^"]+"><span aria-hidden="true">(.)</span> ([^<]+)</span>', row
    ).groups()


def test_each_answer_has_its_icon_beside_its_text(
    client, login, hq_user, send, tree_a, tree_b, org_a, org_b
):
    org_c = factories.organization("FIRM-C")
    factories.contact(org_c, "Head C")
    org_d = factories.organization("FIRM-D")
    factories.contact(org_d, "Head D")
    alert = send([org_a, org_b, org_c, org_d], requires_ack=True)
    for code, answer in (
        ("FIRM-A", "confirmed"),
        ("FIRM-B", "working"),
        ("FIRM-C", "need_support"),
    ):
        member = factories.user(
            f"rep_{code}", role="reporter", organization=Organization.objects.get(code=code)
        )
        target = AlertTarget.objects.get(alert=alert, organization__code=code)
        alert_acknowledge(actor=member, target=target, answer=answer)
    login(hq_user)
    html = client.get(f"/hq/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _badge(html, "FIRM-A") == ("✓", "Confirmed")
    assert _badge(html, "FIRM-B") == ("…", "Working on it")
    assert _badge(html, "FIRM-C") == ("⚠", "Need support")
    assert _badge(html, "FIRM-D") == ("○", "No answer")
    answers = client.get(f"/hq/alerts/{alert.pk}/organizations/FIRM-C/").content.decode()
    assert '<span aria-hidden="true">⚠</span> 支援が必要' in answers
