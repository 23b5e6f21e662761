"""HQ pages: who may open them, the forms, the dashboard, the report; no page edits a decision."""

from __future__ import annotations

import pytest

from emergency_hq.incidents import decisions
from emergency_hq.models import ActivationDecision, Incident
from tests.emergency_hq.incident_fixtures import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(hq_user, incident):
    return decisions.decision_record(
        actor=hq_user,
        incident=incident,
        segment="exchange",
        action="activate",
        rationale="発注不能な参加者のシェアが基準以上",
        criteria=["tse-halt-order-routing"],
    )


def _read_urls(incident, decision):
    base = f"/hq/incidents/{incident.pk}/"
    return [
        "/hq/incidents/",
        base,
        f"{base}situation/",
        f"{base}report/",
        f"{base}decisions/{decision.pk}/",
    ]


def _write_urls(incident):
    base = f"/hq/incidents/{incident.pk}/"
    return ["/hq/incidents/new/", f"{base}convene/", f"{base}decisions/new/"]


def test_outsiders_cannot_open_the_hq_pages(
    client, login, incident, decision, reporter_a, admin_user
):
    for url in _read_urls(incident, decision) + _write_urls(incident):
        assert client.get(url).status_code == 302, url  # anonymous: log in first
    for outsider in (reporter_a, admin_user):
        login(outsider)
        for url in _read_urls(incident, decision) + _write_urls(incident):
            assert client.get(url).status_code == 403, (outsider, url)


def test_regulators_read_but_do_not_act(client, login, incident, decision, regulator_user):
    login(regulator_user)
    for url in _read_urls(incident, decision):
        assert client.get(url).status_code == 200, url
    for url in _write_urls(incident):
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/hq/incidents/{incident.pk}/decisions/new/",
        {"segment": "bond", "action": "activate", "rationale": "x"},
    )
    assert response.status_code == 403
    assert (
        client.post(f"/hq/incidents/{incident.pk}/state/", {"state": "recovering"}).status_code
        == 403
    )
    assert ActivationDecision.objects.count() == 1


def test_hq_opens_convenes_and_decides_through_the_pages(client, login, hq_user, market):
    login(hq_user)
    bad = client.post("/hq/incidents/new/", {"title": "", "kind": "earthquake", "severity": "4"})
    assert bad.status_code == 400
    response = client.post(
        "/hq/incidents/new/",
        {"title": "東京湾北部地震", "kind": "earthquake", "severity": "4", "region": "東京23区"},
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hq/incidents/{incident.pk}/"
    response = client.post(
        f"/hq/incidents/{incident.pk}/convene/",
        {
            "location": "日本証券業協会 本部",
            "alternate_location": "大阪",
            "participants": [market["TSE"].pk, market["JSCC"].pk],
            "member_0_role": "chief",
            "member_0_name": "本部長 山田",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == "hq_convened"
    assert incident.convenings.get().members.get().name == "本部長 山田"
    report(market["BIG"], "suspended")
    report(market["MID"], "suspended")
    page = client.get(f"/hq/incidents/{incident.pk}/").content.decode()
    assert 'hx-trigger="every' in page
    assert 'data-code="tse-halt-order-routing"' in page
    empty = client.post(
        f"/hq/incidents/{incident.pk}/decisions/new/",
        {"segment": "exchange", "action": "activate", "rationale": ""},
    )
    assert empty.status_code == 400
    response = client.post(
        f"/hq/incidents/{incident.pk}/decisions/new/",
        {
            "segment": "exchange",
            "action": "activate",
            "rationale": "売買代金シェア70%の参加者が発注不能",
            "criteria": ["tse-halt-order-routing"],
        },
    )
    assert response.status_code == 302
    decision = ActivationDecision.objects.get()
    incident.refresh_from_db()
    assert incident.state == "bcp_active"
    dashboard = client.get(f"/hq/incidents/{incident.pk}/").content.decode()
    assert decision.circular.number in dashboard
    report_page = client.get(f"/hq/incidents/{incident.pk}/report/").content.decode()
    assert "売買代金シェア70%の参加者が発注不能" in report_page
    # The timeline is newest first: the decision comes before the convening.
    part = client.get(f"/hq/incidents/{incident.pk}/situation/").content.decode()
    assert part.index("tl-decision") < part.index("tl-convening")


def test_invalid_state_changes_are_refused_on_the_page(client, login, hq_user, incident):
    login(hq_user)
    response = client.post(
        f"/hq/incidents/{incident.pk}/state/", {"state": "recovering"}, follow=True
    )
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.state == "monitoring"
    assert "msg-error" in response.content.decode()


def test_admin_shows_decisions_but_never_changes_them(client, login, admin_user, decision):
    login(admin_user)
    base = "/admin/emergency_hq/activationdecision/"
    assert client.get(base).status_code == 200
    change = client.get(f"{base}{decision.pk}/change/")
    assert change.status_code == 200
    assert 'name="rationale"' not in change.content.decode()
    assert client.post(f"{base}{decision.pk}/change/", {"rationale": "x"}).status_code == 403
    assert client.get(f"{base}{decision.pk}/delete/").status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    decision.refresh_from_db()
    assert decision.rationale == "発注不能な参加者のシェアが基準以上"


def test_jsda_admin_keeps_the_criteria_catalogue(client, login, admin_user, market):
    from emergency_hq.models import ActivationCriterion

    login(admin_user)
    criterion = ActivationCriterion.objects.get(code="tse-halt-order-routing")
    page = client.get(f"/admin/emergency_hq/activationcriterion/{criterion.pk}/change/")
    assert page.status_code == 200
    assert 'name="threshold"' in page.content.decode()
