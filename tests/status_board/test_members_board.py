import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from status_board.models import CurrentStatus
from tests import factories


@pytest.fixture
def board(report, org_a, org_b, public_org, reporter_a, reporter_b):
    report(reporter_a, org_a, "trading", "suspended", message='=HYPERLINK("x")')
    report(reporter_b, org_b, "trading", "degraded")
    report(reporter_b, org_b, "settlement", "normal")
    return org_a


def _statuses(html, status):
    return html.count(f'data-status="{status}"')


@pytest.mark.django_db
def test_only_members_open_the_members_board(client, login, board):
    assert client.get("/members/board/").status_code == 302
    outsider = factories.user("nobody")
    login(outsider)
    for url in ("/members/board/", "/members/board/export.csv", "/members/board/rows/"):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_members_see_every_organization_most_severe_first_with_counts(
    client, login, board, viewer_a
):
    login(viewer_a)
    response = client.get("/members/board/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("テスト証券A") < html.index("テスト証券B") < html.index("公開取引所")
    assert _statuses(html, "suspended") == 1 and _statuses(html, "degraded") == 1
    assert 'hx-trigger="every 5s"' in html and "htmx-2.0.11.min.js" in html


@pytest.mark.django_db
def test_filters_by_kind_status_and_not_reported_since(client, login, board, viewer_a):
    login(viewer_a)
    html = client.get("/members/board/", {"kind": "exchange"}).content.decode()
    assert "公開取引所" in html and "テスト証券A" not in html
    html = client.get("/members/board/", {"status": "degraded"}).content.decode()
    assert "テスト証券B" in html and "テスト証券A" not in html
    assert _statuses(html, "degraded") == 1 and _statuses(html, "normal") == 0
    later = timezone.localtime() + timedelta(minutes=1)
    html = client.get(
        "/members/board/", {"since": later.strftime("%Y-%m-%dT%H:%M")}
    ).content.decode()
    assert _statuses(html, "suspended") == 0 and _statuses(html, "not_reported") > 3
    earlier = timezone.localtime() - timedelta(hours=1)
    html = client.get(
        "/members/board/", {"since": earlier.strftime("%Y-%m-%dT%H:%M"), "kind": "securities_firm"}
    ).content.decode()
    assert "テスト証券A" in html and _statuses(html, "suspended") == 0  # reported: not listed


@pytest.mark.django_db
def test_filters_by_segment(client, login, board, viewer_a, org_b):
    from organizations.models import SegmentParticipation

    SegmentParticipation.objects.create(organization=org_b, segment="bond")
    login(viewer_a)
    html = client.get("/members/board/", {"segment": "bond"}).content.decode()
    assert "テスト証券B" in html and "テスト証券A" not in html


@pytest.mark.django_db
def test_a_bad_filter_is_explained_not_a_500(client, login, board, viewer_a):
    login(viewer_a)
    response = client.get("/members/board/", {"since": "yesterday", "status": "bogus"})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


@pytest.mark.django_db
def test_a_function_impaired_longer_than_its_rto_is_flagged(client, login, board, viewer_a):
    CurrentStatus.objects.filter(organization=board, function__code="trading").update(
        impaired_since=timezone.now() - timedelta(hours=5)  # trading RTO: 120 minutes
    )
    login(viewer_a)
    html = client.get("/members/board/").content.decode()
    assert html.count('<tr class="breach">') == 1
    assert "RTO超過" in html


@pytest.mark.django_db
def test_csv_and_xlsx_exports_follow_the_filters(client, login, board, viewer_a):
    from openpyxl import load_workbook

    login(viewer_a)
    response = client.get("/members/board/export.csv", {"kind": "securities_firm"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    firm_a = [r for r in rows[1:] if r[0] == "FIRM-A" and r[4] == "trading"][0]
    assert firm_a[6] == "suspended" and firm_a[7] == "停止中"
    assert firm_a[8].startswith("'=")  # no formula injection
    assert {r[0] for r in rows[1:]} == {"FIRM-A", "FIRM-B"}
    response = client.get("/members/board/export.xlsx", {"status": "degraded"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert len(values) == 2 and values[1][0] == "FIRM-B"


@pytest.mark.django_db
def test_the_rows_partial_refreshes_the_table(client, login, board, viewer_a, report, reporter_a):
    login(viewer_a)
    report(reporter_a, board, "settlement", "closed")
    html = client.get("/members/board/rows/").content.decode()
    assert "<html" not in html and _statuses(html, "closed") == 1


@pytest.mark.django_db
def test_the_members_board_query_count_does_not_grow_with_organizations(
    client, login, board, viewer_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(viewer_a)
    client.get("/members/board/")  # warm the session and permission caches alike
    with CaptureQueriesContext(connection) as few:
        client.get("/members/board/")
    for i in range(12):
        org = factories.organization(f"MANY-{i:02d}")
        factories.user(f"rep-many-{i}", role="reporter", organization=org)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/members/board/")
