"""A form sent back with errors still describes each field with ids that exist: the help text
and the error list that aria-describedby names (issue 11: BCP profile and alert forms)."""

import pytest

from .structure_scan import structure_problems

pytestmark = pytest.mark.django_db


def _references(html: str) -> list[str]:
    return [p for p in structure_problems(html) if "missing id" in p or "times" in p]


def test_the_bcp_profile_form_with_errors_describes_its_fields(client, login, reporter_a, org_a):
    login(reporter_a)
    data = {"plan_reviewed_on": "2026-13-45", "backup_site_distance_km": "-3"}
    data.update({f"rto_{of.pk}": "-1" for of in org_a.organization_functions.all()})
    response = client.post(f"/organizations/{org_a.code}/bcp-profile/edit/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "_error" in html and "_helptext" in html
    assert _references(html) == []


def test_the_alert_form_with_errors_describes_its_fields(client, login, hq_user):
    login(hq_user)
    response = client.post("/hq/alerts/new/", {"deadline": "not a time", "audience": "kinds"})
    html = response.content.decode()
    assert response.status_code == 200 and "_error" in html and "_helptext" in html
    assert _references(html) == []
