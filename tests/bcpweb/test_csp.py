"""Every page the portal renders runs under its Content-Security-Policy: no inline code.

The demo market (``seed_demo``: organizations, a closed drill with its after-action report,
alerts, an incident, circulars) is walked through every URL pattern as an anonymous visitor, a
reporter, the HQ and a JSDA administrator; each HTML page must carry no inline script, style,
style attribute or event handler, and every response both security headers.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests import factories

from .csp_scan import header_problems, inline_code
from .test_url_walk import _routes, _url_for

pytestmark = pytest.mark.django_db

USERS = (None, "demo-reporter", "demo-hq", "demo-admin")


@pytest.fixture
def demo_values():
    from alerts.models import Alert, AlertTarget
    from bulletin.models import Circular
    from drills.models import Drill
    from emergency_hq.models import Incident
    from organizations.models import Contact, Organization, WebhookEndpoint

    call_command("seed_demo", stdout=StringIO())
    sakura = Organization.objects.get(code="SAKURA")
    hook = WebhookEndpoint.objects.create(
        organization=sakura, url="https://hooks.example.test/sakura", secret="s3cret-value"
    )
    values = {
        "code": sakura.code,
        "contact_id": Contact.objects.filter(organization=sakura).first().pk,
        "webhook_id": hook.pk,
        "dataset": "organizations",
        "fmt": "csv",
    }
    for key, model in (("alert_id", Alert), ("incident_id", Incident), ("drill_id", Drill)):
        row = model.objects.order_by("-pk").first()
        if row is not None:
            values[key] = row.pk
    target = AlertTarget.objects.filter(organization=sakura).first()
    if target is not None:
        values["target_id"] = target.pk
    circular = Circular.objects.order_by("-pk").first()
    if circular is not None:
        values["number"] = circular.number
    return values


def _client(username):
    client = Client()
    if username:
        factories.login(client, get_user_model().objects.get(username=username))
    return client


def _walk(username, values):
    client = _client(username)
    for name, route in _routes():
        if name == "logout":
            continue
        url = _url_for(route, values)
        yield url, client.get(url)


def test_no_page_of_the_walk_has_inline_code_and_every_response_the_headers(demo_values):
    inline, headers, pages = [], [], 0
    for username in USERS:
        for url, response in _walk(username, demo_values):
            who = f"{username or 'anonymous'} {url} [{response.status_code}]"
            headers += [f"{who}: {p}" for p in header_problems(response)]
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            pages += 1
            inline += [f"{who}: {finding}" for finding in inline_code(response.content.decode())]
    assert pages > 100  # the walk reached the pages (not only redirects)
    assert inline == [], "inline code the CSP would block:\n" + "\n".join(inline)
    assert headers == [], "\n".join(headers)


def test_the_drill_report_draws_its_charts_without_inline_style(client, login, demo_values):
    from drills.models import Drill

    drill = Drill.objects.exclude(started_at=None).order_by("-pk").first()
    login(get_user_model().objects.get(username="demo-hq"))
    page = client.get(f"/drills/{drill.pk}/report/").content.decode()
    charts = page.split('id="charts"')[1].split("</section>")[0]
    assert charts.count('src="data:image/svg+xml;base64,') == 2
    assert inline_code(page) == []
    pdf = client.get(f"/drills/{drill.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
