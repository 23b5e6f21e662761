"""The quake on the HQ's pages, the HQ confirming JMA's mark, the reporters' notice, admin."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from emergency_hq.models import CriterionMark, Incident, ManualDeclaration, QuakeRule
from emergency_hq.quake.selectors import quake_situation
from tests import factories
from tests.emergency_hq.incident_fixtures import report
from tests.emergency_hq.quake.helpers import ingest, with_sites

pytestmark = pytest.mark.django_db
PENDING = "気象庁の電文による・本部の確認待ち"


@pytest.fixture
def incident(quake_market):
    ingest("vxse51_tokyo_6lower")
    ingest("vxse53_tokyo_6lower")
    return Incident.objects.get()


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_dashboard_shows_the_quake_and_who_has_reported_since(
    client, login, hq_user, incident, quake_market
):
    login(hq_user)
    page = _page(client, f"/hq/incidents/{incident.pk}/")
    assert 'id="quake"' in page
    assert '<dd id="quake-max"><strong>震度６弱</strong></dd>' in page
    assert "千葉県北西部 M6.4" in page
    assert (
        '<tr data-area="350"><td>東京都２３区</td><td><strong>震度６弱</strong></td><td>0 / 4</td>'
        in page
    )
    assert 'data-area="520"' not in page  # Osaka felt nothing
    report(quake_market["TOKYO-A"], "normal")
    partial = _page(client, f"/hq/incidents/{incident.pk}/situation/")
    assert "<td>1 / 4</td>" in partial
    # The state reads without colour: an icon for the eye, words for a screen reader.
    assert (
        'data-org="TOKYO-A" title="TOKYO-A 株式会社 — 本社"><span aria-hidden="true">✓</span>'
        ' TOKYO-A<span class="visually-hidden"> 報告済み</span></span>'
    ) in partial
    assert 'st-not_reported" data-org="TOKYO-B"' in partial
    assert (
        '<span aria-hidden="true">○</span> TOKYO-B<span class="visually-hidden"> 未報告</span>'
        in partial
    )
    assert "依頼 4機関 · 報告済み 1 · 受領確認 0" in partial


def test_the_printable_report_shows_the_quake(client, login, regulator_user, incident):
    login(regulator_user)
    page = _page(client, f"/hq/incidents/{incident.pk}/report/")
    assert "地震（気象庁）" in page and "東京都２３区" in page and "震度６弱" in page


def test_the_criterion_shows_as_from_jma_until_the_hq_confirms(client, login, hq_user, incident):
    login(hq_user)
    page = _page(client, f"/hq/incidents/{incident.pk}/")
    assert PENDING in page
    mark = CriterionMark.objects.get()
    assert f'action="/hq/incidents/{incident.pk}/jma-marks/{mark.pk}/confirm/"' in page
    response = client.post(f"/hq/incidents/{incident.pk}/jma-marks/{mark.pk}/confirm/")
    assert response.status_code == 302
    declaration = ManualDeclaration.objects.get()
    assert (declaration.met, declaration.declared_by, declaration.criterion.code) == (
        True,
        hq_user,
        "seismic-tokyo-6-lower",
    )
    mark.refresh_from_db()
    assert (mark.state, mark.declaration, mark.decided_by) == ("confirmed", declaration, hq_user)
    page = _page(client, f"/hq/incidents/{incident.pk}/")
    assert PENDING not in page.split('id="criteria"')[1].split("</table>")[0]
    assert 'class="met" data-code="seismic-tokyo-6-lower"' in page
    # Deciding twice is refused; nothing more is recorded.
    client.post(f"/hq/incidents/{incident.pk}/jma-marks/{mark.pk}/reject/")
    assert ManualDeclaration.objects.count() == 1


def test_the_hq_may_reject_jmas_mark(client, login, hq_user, incident):
    login(hq_user)
    mark = CriterionMark.objects.get()
    client.post(f"/hq/incidents/{incident.pk}/jma-marks/{mark.pk}/reject/", {"note": "誤報"})
    assert ManualDeclaration.objects.get().met is False
    assert ManualDeclaration.objects.get().note == "誤報"
    page = _page(client, f"/hq/incidents/{incident.pk}/")
    assert 'class="" data-code="seismic-tokyo-6-lower"' in page


def test_only_hq_staff_confirm_or_reject(
    client, login, regulator_user, reporter_tokyo, admin_user, incident
):
    mark = CriterionMark.objects.get()
    url = f"/hq/incidents/{incident.pk}/jma-marks/{mark.pk}/confirm/"
    assert client.post(url).status_code == 302 and "/accounts/login/" in client.post(url).url
    for outsider in (regulator_user, reporter_tokyo, admin_user):
        login(outsider)
        assert client.post(url).status_code == 403, outsider
        assert client.get(url).status_code == 405
    assert not ManualDeclaration.objects.exists()
    assert CriterionMark.objects.get().state == "pending"


def test_the_incident_list_shows_the_quake_incident_and_refreshes_itself(
    client, login, hq_user, incident
):
    login(hq_user)
    page = _page(client, "/hq/incidents/")
    assert "地震 震度６弱 東京都２３区ほか" in page
    assert 'hx-get="/hq/incidents/" hx-trigger="every 5s" hx-select="#incident-tables"' in page


def test_the_reporters_of_the_organizations_hit_see_the_request(
    client, login, incident, reporter_tokyo, reporter_osaka, quake_market
):
    login(reporter_tokyo)
    for url in ("/my/", "/ack/", "/board/TOKYO-A/"):
        page = _page(client, url)
        assert 'id="report-requests"' in page, url
        assert 'href="/board/TOKYO-A/report/"' in page
        assert "TOKYO-A 株式会社の拠点がある地域で震度６弱を観測しました" in page
    login(reporter_osaka)
    assert 'id="report-requests"' not in _page(client, "/my/")
    # Once the organization has reported, the request is answered.
    report(quake_market["TOKYO-A"], "normal")
    login(reporter_tokyo)
    assert 'id="report-requests"' not in _page(client, "/my/")


def test_viewers_and_anonymous_visitors_see_no_request(client, login, incident, quake_market):
    viewer = factories.user("viewer_tokyo", role="viewer", organization=quake_market["TOKYO-A"])
    login(viewer)
    assert 'id="report-requests"' not in _page(client, "/my/")
    client.logout()
    assert 'id="report-requests"' not in _page(client, "/circulars/")


def test_the_quake_panel_costs_the_same_queries_for_more_organizations(
    hq_user, incident, quake_market
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            quake_situation(user=hq_user, incident=incident)
        return len(queries)

    count()  # the user's roles are read once and kept for the request
    few = count()
    for i in range(12):
        with_sites(f"MORE-{i}", [("head_office", "350", ""), ("backup_site", "341", "")])
    ingest("vxse53_tokyo_6upper_serial2")
    assert count() == few


def test_only_jsda_admin_edits_the_rules(client, login, hq_user, admin_user, quake_market):
    rule = QuakeRule.objects.get(code="member-sites-5-lower")
    url = f"/admin/emergency_hq/quakerule/{rule.pk}/change/"
    login(hq_user)
    assert client.get(url).status_code == 302
    assert client.post(url, {"min_intensity": "4"}).status_code == 302
    rule.refresh_from_db()
    assert rule.min_intensity == "5-"
    login(admin_user)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "code": rule.code,
            "label_ja": rule.label_ja,
            "label_en": rule.label_en,
            "min_intensity": "5+",
            "areas": "[]",
            "member_sites_only": "on",
            "opens_incident": "on",
            "requests_reports": "on",
            "criterion": "",
            "description": "",
            "active": "on",
            "display_order": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.min_intensity == "5+"
    assert rule.history.first().history_user == admin_user
    # The record of telegrams is read-only, even for jsda_admin.
    assert client.get("/admin/emergency_hq/quaketelegram/").status_code == 200
    assert client.get("/admin/emergency_hq/quaketelegram/add/").status_code == 403
