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
