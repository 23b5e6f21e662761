"""Walk every URL pattern as outsiders and fail on any page they can open but should not.

Parameters are filled with objects of organization A; the outsiders are an anonymous visitor
and a reporter of organization B. A URL that an outsider may legitimately open has to be
listed below, which makes every new page a conscious decision.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories

# Open to anyone (investors, press): public pages, feeds, the login flow, API docs.
PUBLIC = {
    "home",
    "healthz",
    # restricted by address or bearer token, not by account; open to this machine in tests
    # (tests/bcpweb/test_metrics.py tests the refusals)
    "metrics",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "javascript-catalog",
    "api_schema",
    "api_docs",
    "api_organizations",
    # status board: public organizations only for anonymous visitors (tested in tests/status_board)
    "api_board",
    "api_status_reports",
    "feed_status",
    # the public board's fragment that its page polls (tests/status_board/test_board_refresh.py)
    "board_fragment",
    # bulletin: public circulars only for anonymous visitors (tested in tests/bulletin)
    "circular_list",
    "circular_feed",
    "api_circulars",
    # subscriptions: investors sign up and read the privacy notice (tested in tests/subscriptions)
    "subscribe",
    "subscription_privacy",
}
# Open to any member, whatever their organization (the members' area).
MEMBERS = {
    "my_organizations",
    "account",
    "password_change",
    "password_change_done",
    "otp_setup",
    "otp_verify",
    # status board: members read every organization's status
    "organization_board",
    "feed_organization",
    "members_board",
    "members_board_rows",
    "members_board_csv",
    "members_board_xlsx",
    # alerts: the inbox lists alerts to the member's own organizations only
    "alert_inbox",
    # the alert API lists only alerts sent to the member's own organizations (tests/alerts)
    "api_alerts",
    # emergency HQ: members read the list of incidents (DESIGN §6); HQ pages stay closed
    "api_incidents",
    # drills: the lists show a member only the drills its organization takes part in
    "drill_list",
    "api_drills",
}
SKIP_PREFIXES = ("admin:", "djdt")


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, prefix + str(p.pattern)


@pytest.fixture
def fixtures_of_a(org_a):
    head = factories.contact(org_a, "Head A")
    from organizations.models import WebhookEndpoint

    hook = WebhookEndpoint.objects.create(
        organization=org_a, url="https://hooks.example.test/a", secret="s3cret-value"
    )
    return {"code": org_a.code, "contact_id": head.pk, "webhook_id": hook.pk}


def _url_for(route: str, values: dict) -> str:
    import re

    def repl(match):
        name = match.group(2)
        return str(values.get(name, 1))

    path = re.sub(r"<(?:(\w+):)?(\w+)>", repl, route)
    path = path.lstrip("^").rstrip("$").replace("\\", "")
    return "/" + path


def _routes():
    for name, route in _walk(get_resolver().url_patterns):
        if name.startswith(SKIP_PREFIXES) or route.startswith("admin/"):
            continue
        yield name, route


@pytest.mark.django_db
def test_anonymous_visitors_open_only_public_pages(client, fixtures_of_a):
    opened = []
    for name, route in _routes():
        url = _url_for(route, fixtures_of_a)
        response = client.get(url)
        if response.status_code == 200 and name not in PUBLIC:
            opened.append(f"{name} {url}")
    assert opened == [], "anonymous visitors can open: " + ", ".join(opened)


@pytest.mark.django_db
def test_members_of_another_organization_open_only_shared_pages(
    client, login, reporter_b, fixtures_of_a
):
    login(reporter_b)
    opened = []
    for name, route in _routes():
        if name == "logout":
            continue
        url = _url_for(route, fixtures_of_a)
        response = client.get(url)
        if response.status_code == 200 and name not in PUBLIC | MEMBERS:
            opened.append(f"{name} {url}")
    assert opened == [], "a member of another organization can open: " + ", ".join(opened)


@pytest.mark.django_db
def test_every_page_of_the_walk_carries_the_csp_and_permissions_policy(
    client, login, reporter_b, fixtures_of_a
):
    from .csp_scan import header_problems

    found = []
    for who in ("anonymous", "reporter_b"):
        if who == "reporter_b":
            login(reporter_b)
        for name, route in _routes():
            if name == "logout":
                continue
            url = _url_for(route, fixtures_of_a)
            found += [f"{who} {url}: {p}" for p in header_problems(client.get(url))]
    assert found == [], "\n".join(found)


@pytest.mark.django_db
def test_the_walk_does_reach_the_protected_pages(client, login, reporter_a, fixtures_of_a):
    """The walker itself works: the owner can open its contacts and BCP profile pages."""
    login(reporter_a)
    for name in ("contact_list", "contact_edit", "bcp_profile_detail", "bcp_profile_edit"):
        route = dict(_routes())[name]
        assert client.get(_url_for(route, fixtures_of_a)).status_code == 200, name


@pytest.mark.django_db
def test_admin_is_for_jsda_administrators_only(client, login, reporter_a, hq_user, admin_user):
    for outsider in (reporter_a, hq_user):
        login(outsider)
        assert client.get("/admin/").status_code == 302
    login(admin_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/organizations/organization/").status_code == 200


# ---- The two language scans: every page of the walk, in Japanese and in English ----------


@pytest.fixture
def walked_market(db, hq_user):
    """A market in a crisis: an incident with the HQ convened and BCP activated, reports."""
    from emergency_hq.incidents import decisions, services
    from tests.emergency_hq.incident_fixtures import bilingual_incident, build_market, report

    market = build_market()
    report(market["BIG"], "degraded")
    incident = bilingual_incident(hq_user)
    services.hq_convene(
        actor=hq_user,
        incident=incident,
        location="協会本部",
        location_en="JSDA head office",
        participants=[market["TSE"], market["JSCC"]],
    )
    decision = decisions.decision_record(
        actor=hq_user,
        incident=incident,
        segment="exchange",
        action="halt_trading",
        rationale="売買停止",
        rationale_en="Trading halted",
        criteria=["tse-halt-order-routing"],
    )
    big = market["BIG"]
    target = decision.alert.targets.first()
    from organizations.models import WebhookEndpoint

    hook = WebhookEndpoint.objects.create(organization=big, url="https://hooks.example.test/b")
    return {
        "market": market,
        "values": {
            "code": big.code,
            "incident_id": incident.pk,
            "decision_id": decision.pk,
            "alert_id": decision.alert_id,
            "target_id": target.pk if target else 1,
            "number": decision.circular.number,
            "contact_id": big.contacts.first().pk,
            "webhook_id": hook.pk,
        },
    }


def _names() -> set[str]:
    """Names (organizations, committees, people) and the fixed Japanese drill mark 【訓練】."""
    from common.marks import DRILL_MARK
    from organizations.models import Committee, Contact, Organization

    names = {DRILL_MARK["ja"]}
    for model in (Organization, Committee):
        for ja, en in model.objects.values_list("name_ja", "name_en"):
            names |= {ja, en}
    names |= set(Contact.objects.values_list("name", flat=True))
    return {n for n in names if n}


def _scan(client, values, language):
    from tests.bcpweb import language_scan

    client.cookies["django_language"] = language
    codes = language_scan.design_codes()
    names = _names()
    english = language_scan.english_ui_strings()
    findings = []
    for name, route in _routes():
        if name in ("logout", "api_docs", "api_schema", "javascript-catalog", "set_language"):
            continue
        url = _url_for(route, values)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        nodes = language_scan.visible_text(response.content.decode(), language)
        for code in sorted(language_scan.code_findings(nodes, codes, language)):
            findings.append(f"{url} shows the code {code!r}")
        for text in sorted(language_scan.language_findings(nodes, language, names, english)):
            findings.append(f"{url} shows {text!r}")
    return findings


def _walker(who, hq_user, walked_market):
    """The HQ, or a reporter of the broker BIG (its contacts, BCP profile, report form)."""
    if who == "reporter":
        return factories.user(
            "reporter_big", role="reporter", organization=walked_market["market"]["BIG"]
        )
    return hq_user


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("who", ["hq_user", "reporter"])
def test_every_page_reads_in_its_language_without_codes(
    client, login, hq_user, walked_market, language, who
):
    login(_walker(who, hq_user, walked_market))
    findings = _scan(client, walked_market["values"], language)
    assert findings == [], f"{len(findings)} findings:\n" + "\n".join(findings)


# ---- The structure scan: ids, the references to them and heading order, every full page ----


@pytest.mark.parametrize("who", ["hq_user", "reporter"])
def test_every_page_has_unique_ids_existing_references_headings_in_order_and_badge_icons(
    client, login, hq_user, walked_market, who
):
    from .structure_scan import structure_problems

    login(_walker(who, hq_user, walked_market))
    found, scanned = [], 0
    for name, route in _routes():
        if name in ("logout", "set_language"):
            continue
        url = _url_for(route, walked_market["values"])
        response = client.get(url)
        page = response.content.decode(errors="replace")
        # Whole pages only: a fragment's references point into the page that embeds it.
        if response.status_code != 200 or "<html" not in page:
            continue
        scanned += 1
        found += [f"{url}: {problem}" for problem in structure_problems(page)]
    assert scanned > 20, "the walk reached too few pages"
    assert found == [], f"{len(found)} findings:\n" + "\n".join(found)


def test_the_structure_scan_sees_each_problem():
    from .structure_scan import structure_problems

    page = (
        '<h1>t</h1><h3>s</h3><label for="id_note">Note</label><input id="id_note">'
        '<input id="id_note" aria-describedby="id_note_helptext">'
    )
    assert structure_problems(page) == [
        'id="id_note" 2 times',
        '<input aria-describedby="id_note_helptext"> names a missing id',
        "h3 after h1",
    ]
    assert structure_problems('<span class="st st-normal">Confirmed</span>') == [
        'badge "st st-normal: Confirmed" without an icon'
    ]
    for badge in (
        '<b class="st x">✓ Confirmed</b>',
        '<b class="st x"><i aria-hidden="true">○</i> No</b>',
    ):
        assert structure_problems(badge) == []
    assert structure_problems('<h1>t</h1><h2 id="a">s</h2><p aria-labelledby="a"></p>') == []
