"""Export: administrators only, safe to open in Excel, and read back by the importer as is."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from organizations import services
from organizations.models import Contact, Organization, SegmentParticipation
from tests import factories
from tests.organizations.transfer_helpers import upload

pytestmark = pytest.mark.django_db
DATASETS = ["organizations", "contacts", "members"]


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def admin_client(client, admin_user):
    factories.login(client, admin_user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def market(org_a, org_b, reporter_a, viewer_a, hq_user):
    """Organizations with functions, RTOs and segments; a contact tree; members of each role."""
    services.organization_functions_set(
        actor=services.system_actor(),
        organization=org_a,
        functions={"trading": 90, "settlement": None, "custody": 1440},
    )
    SegmentParticipation.objects.create(organization=org_a, segment="exchange", weight="12.5")
    SegmentParticipation.objects.create(
        organization=org_a, segment="bond", weight="3", retail_weight="40.25"
    )
    SegmentParticipation.objects.create(organization=org_b, segment="otc")
    org_b.name_ja = '=HYPERLINK("http://evil.example","click")'
    org_b.address_en = "1-1 Nihonbashi, Tokyo"
    org_b.save()
    boss = factories.contact(
        org_a, "山田 太郎", title="本部長", phone="+81-3-1234-5678", email="yamada@example.jp"
    )
    deputy = factories.contact(
        org_a, "鈴木 花子", parent=boss, order=2, language="en", email="suzuki@example.jp"
    )
    factories.contact(
        org_a,
        "佐藤 次郎",
        parent=deputy,
        order=3,
        notes="@夜間\n携帯優先",
        email="",
        phone="090-0000-0000",
    )
    factories.contact(org_b, "Smith", sms_number="-1", active=False)
    return org_a, org_b


def export(client, dataset, fmt):
    response = client.get(f"/manage/export/{dataset}.{fmt}")
    assert response.status_code == 200, response.status_code
    return response


def reimport(client, dataset, content, name):
    response = client.post("/manage/import/", {"dataset": dataset, "file": upload(content, name)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-errors"' not in html, html[html.find("import-errors") :][:2000]
    return response


def token_of(response) -> str | None:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    return match.group(1) if match else None


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# -- who may ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dataset", DATASETS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, dataset):
    response = client.get(f"/manage/export/{dataset}.csv")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["reporter_a", "viewer_a", "hq_user", "regulator_user"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_no_one_but_an_administrator_exports(request, client, market, who, dataset):
    factories.login(client, request.getfixturevalue(who))
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/manage/export/{dataset}.{fmt}")
        assert response.status_code == 403
        assert "山田".encode() not in response.content


def test_the_exporter_itself_refuses_non_administrators(reporter_a):
    from django.core.exceptions import PermissionDenied

    from organizations.transfer import exporters

    with pytest.raises(PermissionDenied):
        exporters.export("contacts", "csv", user=reporter_a)


@pytest.mark.parametrize("path", ["contacts.pdf", "secrets.csv", "contacts.csv.xlsx"])
def test_unknown_datasets_and_formats_are_not_found(admin_client, path):
    assert admin_client.get(f"/manage/export/{path}").status_code == 404


# -- the files -------------------------------------------------------------------------------
def test_csv_has_a_bom_and_is_a_private_download(admin_client, market):
    response = export(admin_client, "contacts", "csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="bcpweb-contacts-' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(response.content)
    assert rows[0][:3] == ["organization", "name", "title"]
    assert rows[2][:2] == ["FIRM-A", "鈴木 花子"]
    assert rows[2][8] == "山田 太郎"  # the parent, by name


def test_cells_that_look_like_formulas_are_neutralised(admin_client, market):
    rows = csv_rows(export(admin_client, "organizations", "csv").content)
    firm_b = next(r for r in rows if r[0] == "FIRM-B")
    assert firm_b[1].startswith("'=HYPERLINK")
    contacts = csv_rows(export(admin_client, "contacts", "csv").content)
    assert any(r[4] == "'+81-3-1234-5678" for r in contacts)
    assert any(r[10].startswith("'@") for r in contacts)

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export(admin_client, "organizations", "xlsx").content))
    sheet = book.active
    cells = [c for c in sheet["B"] if str(c.value).startswith(("'=", "="))]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)


def test_functions_and_segments_are_written_as_the_importer_reads_them(admin_client, market):
    rows = csv_rows(export(admin_client, "organizations", "csv").content)
    firm_a = dict(zip(rows[0], next(r for r in rows if r[0] == "FIRM-A"), strict=True))
    assert firm_a["functions"] == "trading:90;settlement;custody:1440"
    assert firm_a["segments"] == "bond:3:40.25;exchange:12.5"
    assert firm_a["is_public"] == "false" and firm_a["active"] == "true"


def test_members_list_each_role_once(admin_client, market, admin_user):
    rows = csv_rows(export(admin_client, "members", "csv").content)
    assert rows[0] == ["username", "email", "role", "organization"]
    body = {tuple(r) for r in rows[1:]}
    assert ("reporter_a", "reporter_a@example.test", "reporter", "FIRM-A") in body
    assert ("viewer_a", "viewer_a@example.test", "viewer", "FIRM-A") in body
    assert ("hq", "hq@example.test", "hq_staff", "") in body
    assert ("jsda", "jsda@example.test", "jsda_admin", "") in body
    # A reporter also holds the viewer right; that is not a second row.
    assert ("reporter_a", "reporter_a@example.test", "viewer", "FIRM-A") not in body


# -- round trips -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_an_exported_file_imports_back_unchanged(admin_client, market, dataset, fmt):
    content = export(admin_client, dataset, fmt).content
    response = reimport(admin_client, dataset, content, f"{dataset}.{fmt}")
    assert token_of(response) is None, "the export would change something on import"
    assert "Nothing to change." in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_organizations_restore_from_their_export(admin_client, market, fmt):
    org_a, org_b = market
    original = export(admin_client, "organizations", "csv").content
    content = export(admin_client, "organizations", fmt).content
    org_a.name_en = "Changed"
    org_a.is_public = True
    org_a.save()
    org_a.segments.all().delete()
    org_a.organization_functions.filter(function__code="custody").delete()
    response = reimport(admin_client, "organizations", content, f"o.{fmt}")
    admin_client.post("/manage/import/apply/", {"token": token_of(response)})
    assert export(admin_client, "organizations", "csv").content == original


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contacts_restore_from_their_export(admin_client, market, fmt):
    original = export(admin_client, "contacts", "csv").content
    content = export(admin_client, "contacts", fmt).content
    Contact.objects.all().delete()
    response = reimport(admin_client, "contacts", content, f"c.{fmt}")
    admin_client.post("/manage/import/apply/", {"token": token_of(response)})
    assert export(admin_client, "contacts", "csv").content == original
    assert Contact.objects.get(name="佐藤 次郎").parent.parent.name == "山田 太郎"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_members_restore_from_their_export(admin_client, market, fmt, hq_user, reporter_a):
    original = export(admin_client, "members", "csv").content
    content = export(admin_client, "members", fmt).content
    services.role_revoke(actor=services.system_actor(), user=hq_user, role="hq_staff")
    org_a = market[0]
    services.role_revoke(
        actor=services.system_actor(), user=reporter_a, role="reporter", organization=org_a
    )
    response = reimport(admin_client, "members", content, f"m.{fmt}")
    admin_client.post("/manage/import/apply/", {"token": token_of(response)})
    assert export(admin_client, "members", "csv").content == original


def test_an_export_of_an_empty_installation_is_a_valid_template(admin_client):
    Organization.objects.all().delete()
    for dataset in ("organizations", "contacts"):
        rows = csv_rows(export(admin_client, dataset, "csv").content)
        assert len(rows) == 1
        response = reimport(
            admin_client, dataset, export(admin_client, dataset, "xlsx").content, "empty.xlsx"
        )
        assert token_of(response) is None
