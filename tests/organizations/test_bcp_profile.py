import datetime

import pytest
from django.utils import timezone

from organizations.models import BcpProfile

pytestmark = pytest.mark.django_db


def _form(org, **extra):
    data = {
        "plan_version": "v3.2",
        "plan_reviewed_on": "2026-04-01",
        "hq_location": "本社 5階 危機管理室",
        "hq_alternate_location": "大阪バックアップセンター",
        "backup_site_kind": "warm",
        "backup_site_location": "大阪府大阪市",
        "backup_site_distance_km": "400",
        "data_backup_frequency": "daily",
        "data_backup_offsite": "on",
        "last_restore_test_on": "2026-05-10",
        "last_internal_drill_on": "2026-09-01",
        "notes": "",
    }
    for of in org.organization_functions.all():
        data[f"rto_{of.pk}"] = "90"
    data.update(extra)
    return data


def test_a_reporter_keeps_its_bcp_profile_and_rtos(client, login, reporter_a, org_a):
    login(reporter_a)
    response = client.post(f"/organizations/{org_a.code}/bcp-profile/edit/", _form(org_a))
    assert response.status_code == 302
    profile = BcpProfile.objects.get(organization=org_a)
    assert profile.hq_alternate_location == "大阪バックアップセンター"
    assert profile.history.latest().history_user == reporter_a
    assert {of.rto_minutes for of in org_a.organization_functions.all()} == {90}
    page = client.get(f"/organizations/{org_a.code}/bcp-profile/").content.decode()
    assert "大阪バックアップセンター" in page


def test_bad_values_are_form_errors(client, login, reporter_a, org_a):
    login(reporter_a)
    response = client.post(
        f"/organizations/{org_a.code}/bcp-profile/edit/",
        _form(org_a, plan_reviewed_on="2026-13-45", backup_site_distance_km="-3"),
    )
    assert response.status_code == 200
    assert response.content.decode().count('class="errorlist') >= 2
    assert not BcpProfile.objects.filter(organization=org_a).exists()


def test_viewers_read_but_do_not_edit(client, login, viewer_a, org_a):
    login(viewer_a)
    assert client.get(f"/organizations/{org_a.code}/bcp-profile/").status_code == 200
    assert client.get(f"/organizations/{org_a.code}/bcp-profile/edit/").status_code == 403
    assert (
        client.post(f"/organizations/{org_a.code}/bcp-profile/edit/", _form(org_a)).status_code
        == 403
    )


def test_other_organizations_cannot_read_the_profile(client, login, reporter_b, org_a):
    login(reporter_b)
    assert client.get(f"/organizations/{org_a.code}/bcp-profile/").status_code == 403


def test_the_admin_overview_highlights_overdue_reviews(client, login, admin_user, org_a, org_b):
    today = timezone.localdate()
    BcpProfile.objects.create(
        organization=org_a, plan_reviewed_on=today - datetime.timedelta(days=400)
    )
    BcpProfile.objects.create(
        organization=org_b, plan_reviewed_on=today - datetime.timedelta(days=30)
    )
    login(admin_user)
    page = client.get("/manage/bcp-profiles/").content.decode()
    row_a = page.split(org_a.code, 1)[1].split("</tr>", 1)[0]
    row_b = page.split(org_b.code, 1)[1].split("</tr>", 1)[0]
    assert "⚠" in row_a
    assert "⚠" not in row_b


def test_the_overview_is_for_jsda_admins_only(client, login, reporter_a, hq_user):
    for user in (reporter_a, hq_user):
        login(user)
        assert client.get("/manage/bcp-profiles/").status_code == 403
