"""The deployed stack, started as `make stack` starts it, walked through nginx over HTTP.

nginx + gunicorn + Celery worker + beat under honcho, production settings, their own
PostgreSQL database and a private Redis, e-mail to a local SMTP sink. A reporter posts, the
public board shows it, HQ (with its second factor) records a decision, the alert reaches the
contact, who answers through the link; then a fan-out survives its worker and beat being
killed with SIGKILL: every message arrives exactly once.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.alerts.harness import wait_for

from .stack_harness import Deployment, WebClient

pytestmark = pytest.mark.slow

PASSWORD = "Stack-journey-2026!"
FAN_ORGS, FAN_CONTACTS = 4, 10
ORG_HEADER = "code,name_ja,name_en,kind,is_public,active,website,address_ja,address_en,"
ORG_HEADER += "functions,segments"
CONTACT_HEADER = "organization,name,title,email,phone,sms_number,language,order,parent,active"


@pytest.fixture
def deployment():
    name = os.environ.get("TEST_DATABASE_NAME", "test_bcpweb") + "_stack"
    deployment = Deployment(name)
    try:
        deployment.redis.start()
        deployment.sink.start()
        yield deployment
    finally:
        deployment.close()


def _members_and_contacts(deployment: Deployment) -> str:
    """Organizations, contacts and accounts through the operator's commands; HQ's TOTP key."""
    organizations = [ORG_HEADER, "JRN-A,旅程証券,Journey Securities,securities_firm,true,true,,,,"]
    organizations[-1] += "trading;settlement,exchange:10"
    contacts = [CONTACT_HEADER, "JRN-A,Journey Contact,,contact@jrn-a.example,,,en,1,,true"]
    for i in range(FAN_ORGS):
        organizations.append(f"FAN-{i:02d},扇{i}証券,Fan {i} Securities,securities_firm,,,,,,,")
        contacts += [
            f"FAN-{i:02d},Fan {i}-{j},,fan-{i}-{j}@fan.example,,,ja,1,,true"
            for j in range(FAN_CONTACTS)
        ]
    for dataset, rows in (("organizations", organizations), ("contacts", contacts)):
        path = deployment.dir / f"{dataset}.csv"
        path.write_text("\n".join(rows) + "\n")
        deployment.manage("import_data", dataset, str(path), "--apply")

    deployment.manage(
        "add_member", "reporter1", "--role", "reporter", "--org", "JRN-A",
        "--password", PASSWORD, "--email", "reporter1@jrn-a.example",
    )  # fmt: skip
    deployment.manage(
        "add_member", "hq1", "--role", "hq_staff", "--password", PASSWORD,
        "--email", "hq1@hq.example",
    )  # fmt: skip
    key = secrets.token_hex(20)
    deployment.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "TOTPDevice.objects.create(user=get_user_model().objects.get(username='hq1'), "
        f"name='phone', key='{key}', confirmed=True)",
    )
    return key


def _totp(key: str) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key)):06d}"


def _hq_session(deployment: Deployment, key: str) -> WebClient:
    hq = WebClient(deployment.base_url)
    page = hq.post(
        "/accounts/login/",
        {"username": "hq1", "password": PASSWORD, "next": "/hq/incidents/"},
    )
    # The password alone does not open HQ pages under production settings.
    assert "/accounts/otp/verify/" in page.url, page.url
    assert hq.get("/hq/incidents/").url.startswith(deployment.base_url + "/accounts/otp/verify/")
    page = hq.post(page.url, {"token": _totp(key)}, csrf_from=page)
    assert page.status == 200 and urlsplit(page.url).path == "/hq/incidents/", page.url
    return hq


def _alert_id(hq: WebClient, subject: str) -> int:
    listing = hq.get("/hq/alerts/").body
    match = re.search(r'href="/hq/alerts/(\d+)/"[^>]*>\s*' + re.escape(subject[:20]), listing)
    assert match, f"no alert {subject!r} on /hq/alerts/"
    return int(match.group(1))


def _journey(deployment: Deployment, key: str) -> WebClient:
    site = deployment.base_url

    # A reporter posts through the API with its token, the way a member's system would.
    token = deployment.manage("drf_create_token", "reporter1").split()[2]
    report = {"organization": "JRN-A", "function": "trading", "status": "suspended"}
    report["message"] = "Stack journey: trading halted at the primary site"
    posted = WebClient(site).post_json("/api/v1/status-reports/", json.dumps(report), token=token)
    assert posted.status == 201, posted.body

    # The public board, through nginx, shows it to an anonymous visitor.
    visitor = WebClient(site)
    wait_for(
        lambda: report["message"] in visitor.get("/").body,
        30,
        interval=0.5,
        message="the public board never showed the report",
    )
    board = visitor.get("/")
    assert "Journey Securities" in board.body and "Suspended" in board.body
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', board.body).group(1)
    served = visitor.get(stylesheet)
    on_disk = Path(deployment.config.var_dir, "static", stylesheet.removeprefix("/static/"))
    assert served.status == 200 and served.body == on_disk.read_text()

    # HQ, with its second factor, opens an incident and activates BCP for the exchange segment.
    hq = _hq_session(deployment, key)
    incident = hq.post(
        "/hq/incidents/new/",
        {"title": "Stack journey earthquake", "kind": "earthquake", "severity": "3"},
    )
    assert re.search(r"/hq/incidents/\d+/$", incident.url), incident.url
    decided = hq.post(
        incident.url.removeprefix(site) + "decisions/new/",
        {"segment": "exchange", "action": "activate", "rationale": "Trading is suspended."},
    )
    assert "Decision recorded" in decided.body, decided.body[-2000:]

    # The alert reaches the contact; the link points at the site nginx serves.
    wait_for(
        lambda: deployment.sink.to("contact@jrn-a.example"),
        60,
        interval=0.3,
        message=f"no alert e-mail reached the sink\n{deployment.logs()}",
    )
    (message,) = deployment.sink.to("contact@jrn-a.example")
    link = re.search(r"https?://\S+/ack/[^/\s]+/", message.get_body(("plain",)).get_content())
    assert link and link.group(0).startswith(site + "/ack/"), message.get_content()
    alert_id = _alert_id(hq, str(message["Subject"]).split("（")[0])
    progress = f"/hq/alerts/{alert_id}/"

    contact = WebClient(site)
    shown = contact.get(link.group(0))
    assert shown.status == 200 and "Journey Securities" in shown.body
    # Mail scanners open links: a GET answers nothing.
    assert "Acknowledged: 0 of" in hq.get(progress).body
    answered = contact.post(link.group(0), {"answer": "confirmed"}, csrf_from=shown)
    assert "Your answer has been recorded" in answered.body, answered.body[-2000:]

    page = hq.get(progress).body
    assert "Acknowledged: 1 of" in page
    row = re.search(r"<tr[^>]*>\s*<td><a [^>]*>JRN-A</a>.*?</tr>", page, re.S).group(0)
    assert '<span aria-hidden="true">✓</span> Confirmed' in row
    return hq


def _fan_out_survives_kills(deployment: Deployment, hq: WebClient, processes) -> None:
    form = hq.get("/hq/alerts/new/")
    fan = re.findall(r'<option value="(FAN-\d+)"', form.body)
    assert len(fan) == FAN_ORGS, "the FAN organizations are not on the alert form"
    expected = {f"fan-{i}-{j}@fan.example" for i in range(FAN_ORGS) for j in range(FAN_CONTACTS)}
    subject = "STACK-FANOUT drill of the contact trees"
    sink = deployment.sink
    # The 8th recipient of this fan-out hangs: its worker is certainly mid-batch then.
    sink.hold_seconds = 10
    sink.hold_at = sink.rcpts + 8
    sent = hq.post(
        "/hq/alerts/new/",
        [
            ("subject_ja", subject),
            ("subject_en", subject),
            ("body_ja", "連絡網の確認です。"),
            ("body_en", "Checking the contact trees."),
            ("audience", "organizations"),
            *[("organizations", pk) for pk in fan],
        ],
        csrf_from=form,
    )
    assert re.search(r"/hq/alerts/\d+/$", sent.url), sent.body[-2000:]
    assert sink.holding.wait(60), f"the fan-out did not start\n{deployment.logs()}"

    processes.kill("worker", "beat")
    arrived_before = len(sink.with_subject("STACK-FANOUT"))
    assert arrived_before < len(expected), "killed too late to test anything"
    processes.process.wait(30)  # honcho ends when its processes are gone

    restarted = deployment.start("worker", "beat")
    restarted.wait_for_output(r"worker\.1\s+\|.* ready\.")
    wait_for(
        lambda: {r for rcpts, _ in sink.with_subject("STACK-FANOUT") for r in rcpts} >= expected,
        120,
        interval=0.5,
        message=f"messages were lost\n{deployment.logs()}",
    )
    time.sleep(2)  # a late duplicate would arrive now
    fanned = sink.with_subject("STACK-FANOUT")
    recipients = sorted(r for rcpts, _ in fanned for r in rcpts)
    assert recipients == sorted(expected), "each contact gets exactly one message"
    assert sink.duplicates == 0 and len(set(sink.received)) == len(sink.received)

    # HQ sees the same: every delivery sent once, no failure.
    alert_page = hq.get(sent.url.removeprefix(deployment.base_url)).body
    assert f"Messages sent: {len(expected)} of {len(expected)}" in alert_page
    deliveries = hq.get(sent.url.removeprefix(deployment.base_url) + "deliveries.csv").body
    rows = list(csv.DictReader(io.StringIO(deliveries.lstrip("\ufeff"))))
    assert len(rows) == len(expected) and {r["status"] for r in rows} == {"sent"}
    # The message in flight when its worker died was claimed again and sent by the new one.
    assert any(int(r["attempts"]) > 1 for r in rows), "the kill interrupted nothing"
    print(f"fan-out: {arrived_before}/{len(expected)} arrived before the kill, all after restart")


def test_the_deployed_stack_carries_a_whole_journey_and_survives_killed_workers(deployment):
    web = deployment.start("web", "nginx")
    # One preparation at a time: the first creates and migrates the database, which takes
    # ~15 s on a quiet machine and several times that on a shared one.
    web.wait_for_output(r"web\.1\s+\|.*Booting worker", timeout=360)
    processes = deployment.start("worker", "beat")
    processes.wait_for_output(r"worker\.1\s+\|.* ready\.")
    wait_for(
        lambda: WebClient(deployment.base_url).get("/healthz").status == 200,
        30,
        interval=0.3,
        message=f"nginx never proxied /healthz\n{deployment.logs()}",
    )
    key = _members_and_contacts(deployment)

    hq = _journey(deployment, key)
    _fan_out_survives_kills(deployment, hq, processes)
