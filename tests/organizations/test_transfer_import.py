"""The import page: dry run, row-level errors, all-or-nothing apply, permissions."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from organizations import permissions
from organizations.models import Contact, Organization
from tests import factories
from tests.organizations.transfer_helpers import (
    CONTACT_HEADER,
    MEMBER_HEADER,
    ORG_HEADER,
    contact_row,
    csv_bytes,
    org_row,
    snapshot,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
URL = "/manage/import/"
APPLY_URL = "/manage/import/apply/"


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def admin_client(client, admin_user):
    """An administrator reading the pages in English, so tests can match the messages."""
    factories.login(client, admin_user)
    client.cookies["django_language"] = "en"
    return client


def dry_run(client, dataset, content, name="data.csv"):
    return client.post(URL, {"dataset": dataset, "file": upload(content, name)})


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "the dry run offers no apply step"
    return match.group(1)


def errors_of(response) -> list[tuple[str, str, str]]:
    """The error table as (row, column, message) texts."""
    html = response.content.decode()
    table = re.search(r'<table id="import-errors">(.*?)</table>', html, re.S)
    if not table:
        return []
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table.group(1))
    return [(r, re.sub(r"<[^>]+>", "", c), m) for r, c, m in rows]


def bad_rows_of(response) -> set[int]:
    return {int(r) for r, _c, _m in errors_of(response) if r.isdigit()}


# -- who may ---------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(APPLY_URL, {"token": "x" * 43})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["reporter_a", "viewer_a", "hq_user", "regulator_user"])
def test_other_roles_are_refused(request, client, org_b, who):
    user = request.getfixturevalue(who)
    factories.login(client, user)
    before = snapshot()
    assert client.get(URL).status_code == 403
    content = csv_bytes([ORG_HEADER, org_row("NEW-ORG")])
    assert dry_run(client, "organizations", content).status_code == 403
    assert client.post(APPLY_URL, {"token": "x" * 43}).status_code == 403
    assert snapshot() == before


def test_the_page_documents_every_column_in_japanese_and_english(client, admin_user):
    factories.login(client, admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ORG_HEADER + CONTACT_HEADER + MEMBER_HEADER:
        assert f"<code>{name}</code>" in html
    assert "ドライラン" in html
    assert "市場区分" in html  # the segments column is explained in Japanese
    client.cookies["django_language"] = "en"
    english = client.get(URL).content.decode()
    assert "dry run" in english and "Market segments" in english


# -- the happy path --------------------------------------------------------------------------
def test_a_good_file_is_checked_then_applied(admin_client, admin_user, org_a):
    content = csv_bytes(
        [
            ORG_HEADER,
            org_row(
                "NEW-ORG",
                name_ja="新設証券",
                functions="trading;settlement:300",
                segments="exchange:12.5;bond:3:40",
                website="https://new.example.jp",
                is_public="true",
            ),
            org_row(org_a.code, name_ja="改名証券"),
        ]
    )
    before = snapshot()
    response = dry_run(admin_client, "organizations", content)
    assert response.status_code == 200
    assert errors_of(response) == []
    assert "NEW-ORG" in response.content.decode()
    assert snapshot() == before, "the dry run changed something"

    response = admin_client.post(APPLY_URL, {"token": token_of(response)}, follow=True)
    assert response.status_code == 200
    assert "data.csv applied: 1 added, 1 updated, 0 unchanged." in response.content.decode()
    new = Organization.objects.get(code="NEW-ORG")
    assert new.name_ja == "新設証券" and new.is_public and new.website == "https://new.example.jp"
    functions = {of.function.code: of.rto_minutes for of in new.organization_functions.all()}
    assert functions == {"trading": None, "settlement": 300}
    segments = {s.segment: (s.weight, s.retail_weight) for s in new.segments.all()}
    assert segments == {"exchange": (Decimal("12.5"), None), "bond": (Decimal(3), Decimal(40))}
    org_a.refresh_from_db()
    assert org_a.name_ja == "改名証券"
    # Attributed to the administrator who applied it.
    assert new.history.latest().history_user == admin_user
    assert org_a.history.latest().history_user == admin_user


def test_a_new_organization_without_functions_gets_the_defaults_of_its_kind(admin_client):
    content = csv_bytes([["code", "name_ja", "kind"], ["CLR-X", "清算X", "clearing"]])
    response = dry_run(admin_client, "organizations", content)
    admin_client.post(APPLY_URL, {"token": token_of(response)})
    org = Organization.objects.get(code="CLR-X")
    assert set(org.functions.values_list("code", flat=True)) == {"clearing", "settlement"}


def test_lower_case_codes_and_excel_true_false_are_accepted(admin_client):
    content = xlsx_bytes(
        [["code", "name_ja", "kind", "is_public"], ["firm-z", "Z証券", "bank", True]]
    )
    response = dry_run(admin_client, "organizations", content, "orgs.xlsx")
    admin_client.post(APPLY_URL, {"token": token_of(response)})
    assert Organization.objects.get(code="FIRM-Z").is_public is True


def test_a_missing_optional_column_leaves_the_field_alone(admin_client, org_a):
    org_a.website = "https://keep.example.jp"
    org_a.save()
    content = csv_bytes([["code", "name_ja", "kind"], [org_a.code, "新名称", "securities_firm"]])
    response = dry_run(admin_client, "organizations", content)
    admin_client.post(APPLY_URL, {"token": token_of(response)})
    org_a.refresh_from_db()
    assert org_a.name_ja == "新名称" and org_a.website == "https://keep.example.jp"
    assert org_a.organization_functions.count() > 0


def test_an_unchanged_file_offers_nothing_to_apply(admin_client, org_a):
    content = csv_bytes([["code", "name_ja", "kind"], [org_a.code, org_a.name_ja, org_a.kind]])
    response = dry_run(admin_client, "organizations", content)
    assert errors_of(response) == []
    assert 'name="token"' not in response.content.decode()


def test_contacts_are_imported_with_their_tree_in_any_order(admin_client, admin_user, org_a):
    boss = factories.contact(org_a, "Boss")
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact_row(org_a.code, "Deputy", parent="Chief", order="2"),
            contact_row(org_a.code, "Chief", parent="Boss", phone="+81-3-1111-2222"),
        ]
    )
    response = dry_run(admin_client, "contacts", content)
    assert errors_of(response) == []
    admin_client.post(APPLY_URL, {"token": token_of(response)})
    chief = Contact.objects.get(organization=org_a, name="Chief")
    deputy = Contact.objects.get(organization=org_a, name="Deputy")
    assert chief.parent == boss and deputy.parent == chief and deputy.order == 2
    assert chief.phone == "+81-3-1111-2222"
    assert deputy.history.latest().history_user == admin_user


def test_contacts_can_be_rearranged_without_a_loop_on_the_way(admin_client, org_a):
    top = factories.contact(org_a, "Top")
    middle = factories.contact(org_a, "Middle", parent=top)
    factories.contact(org_a, "Low", parent=middle)
    # Turn the chain upside down: Low on top, then Middle, then Top.
    content = csv_bytes(
        [
            ["organization", "name", "parent"],
            [org_a.code, "Top", "Middle"],
            [org_a.code, "Middle", "Low"],
            [org_a.code, "Low", ""],
        ]
    )
    response = dry_run(admin_client, "contacts", content)
    assert errors_of(response) == []
    admin_client.post(APPLY_URL, {"token": token_of(response)})
    parents = dict(Contact.objects.filter(organization=org_a).values_list("name", "parent__name"))
    assert parents == {"Low": None, "Middle": "Low", "Top": "Middle"}


def test_members_are_created_and_given_their_roles(admin_client, org_a):
    content = csv_bytes(
        [
            MEMBER_HEADER,
            ["yamada", "yamada@example.jp", "reporter", org_a.code],
            ["suzuki", "", "viewer", org_a.code.lower()],
            ["tanaka", "tanaka@example.jp", "hq_staff", ""],
        ]
    )
    response = dry_run(admin_client, "members", content)
    assert errors_of(response) == []
    admin_client.post(APPLY_URL, {"token": token_of(response)})
    from django.contrib.auth.models import User

    yamada = User.objects.get(username="yamada")
    assert yamada.email == "yamada@example.jp" and not yamada.has_usable_password()
    assert permissions.can(yamada, permissions.Action.REPORT_STATUS, org_a)
    suzuki = User.objects.get(username="suzuki")
    assert permissions.has_role(suzuki, org_a, "viewer")
    assert not permissions.can(suzuki, permissions.Action.REPORT_STATUS, org_a)
    assert permissions.can(User.objects.get(username="tanaka"), permissions.Action.RUN_HQ)


# -- bad rows: each reported on its row, nothing changes -----------------------------------
BAD_ORGANIZATION_ROWS = [
    (org_row("bad code!"), "code", "upper-case"),
    (org_row("NO-KIND", kind="casino"), "kind", "casino"),
    (org_row("NO-FN", functions="trading;teleport"), "functions", "teleport"),
    (org_row("NO-SEG", segments="exchange:10;crypto:5"), "segments", "crypto"),
    (org_row("BAD-NUM", segments="exchange:lots"), "segments", "lots"),
    (org_row("BIG-NUM", segments="bond:101"), "segments", "101"),
    (org_row("BAD-RTO", functions="trading:soon"), "functions", "soon"),
    (org_row("BAD-BOOL", is_public="maybe"), "is_public", "maybe"),
    (org_row("BAD-URL", website="not a url"), "website", ""),
    (org_row("NO-NAME", name_ja=""), "name_ja", ""),
]


@pytest.mark.parametrize("row, column, word", BAD_ORGANIZATION_ROWS)
def test_a_bad_organization_row_is_reported_and_nothing_changes(
    admin_client, org_a, row, column, word
):
    content = csv_bytes([ORG_HEADER, org_row("GOOD-ONE"), row, org_row(org_a.code, "改名")])
    before = snapshot()
    response = dry_run(admin_client, "organizations", content)
    assert response.status_code == 200
    errors = errors_of(response)
    assert [(r, c) for r, c, _m in errors] == [("3", column)], errors
    assert word in errors[0][2]
    assert 'name="token"' not in response.content.decode()
    assert snapshot() == before
    org_a.refresh_from_db()
    assert org_a.name_ja != "改名"


def test_every_problem_of_a_row_is_reported_not_just_the_first(admin_client):
    row = org_row("bad code", name_ja="長" * 201, kind="casino", website="nope", functions="warp")
    response = dry_run(admin_client, "organizations", csv_bytes([ORG_HEADER, row]))
    columns = {c for r, c, _m in errors_of(response) if r == "2"}
    assert columns == {"code", "name_ja", "kind", "website", "functions"}


def test_overlong_values_are_row_errors_not_crashes(admin_client, org_a):
    long_email = "a" * 250 + "@example.jp"
    contacts = csv_bytes(
        [CONTACT_HEADER, contact_row(org_a.code, "Long", title="T" * 121, email=long_email)]
    )
    response = dry_run(admin_client, "contacts", contacts)
    assert {c for _r, c, _m in errors_of(response)} == {"title", "email"}
    members = csv_bytes([MEMBER_HEADER, ["longmail", long_email, "viewer", org_a.code]])
    response = dry_run(admin_client, "members", members)
    assert [(r, c) for r, c, _m in errors_of(response)] == [("2", "email")]


def test_problems_are_explained_in_japanese_by_default(client, admin_user, org_a):
    factories.login(client, admin_user)
    content = csv_bytes(
        [ORG_HEADER, org_row("JA-ERR", kind="casino", functions="warp", segments="moon:1")]
    )
    html = dry_run(client, "organizations", content).content.decode()
    assert "不明な種別「casino」です" in html
    assert "不明な業務機能「warp」です" in html
    assert "不明な市場区分「moon」です" in html
    assert "1 行に問題があります。" in html


def test_a_duplicate_code_in_the_file_is_reported_on_the_second_row(admin_client):
    content = csv_bytes([ORG_HEADER, org_row("TWICE"), org_row("OTHER"), org_row("twice")])
    response = dry_run(admin_client, "organizations", content)
    errors = errors_of(response)
    assert [(r, c) for r, c, _m in errors] == [("4", "code")]
    assert "2" in errors[0][2]
    assert not Organization.objects.filter(code="TWICE").exists()


BAD_CONTACT_ROWS = [
    (dict(organization="NOWHERE"), "organization", "NOWHERE"),
    (dict(email="not-an-email"), "email", ""),
    (dict(parent="Ghost"), "parent", "Ghost"),
    (dict(order="first"), "order", "first"),
    (dict(language="fr"), "language", "fr"),
    (dict(email="", phone="", sms_number=""), "email", ""),
]


@pytest.mark.parametrize("change, column, word", BAD_CONTACT_ROWS)
def test_a_bad_contact_row_is_reported_and_nothing_changes(
    admin_client, org_a, change, column, word
):
    values = {"organization": org_a.code, **change}
    organization = values.pop("organization")
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact_row(org_a.code, "Good Person"),
            contact_row(organization, "Bad Person", **values),
        ]
    )
    before = snapshot()
    response = dry_run(admin_client, "contacts", content)
    errors = errors_of(response)
    assert [(r, c) for r, c, _m in errors] == [("3", column)], errors
    assert word in errors[0][2]
    assert snapshot() == before


def test_a_parent_loop_and_a_duplicate_contact_are_reported(admin_client, org_a):
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact_row(org_a.code, "A", parent="B"),
            contact_row(org_a.code, "B", parent="A"),
            contact_row(org_a.code, "C"),
            contact_row(org_a.code, "C"),
            contact_row(org_a.code, "D", parent="D"),
        ]
    )
    before = snapshot()
    response = dry_run(admin_client, "contacts", content)
    errors = {(r, c) for r, c, _m in errors_of(response)}
    assert errors == {("2", "parent"), ("3", "parent"), ("5", "name"), ("6", "parent")}
    assert snapshot() == before


def test_a_parent_in_another_organization_is_unknown(admin_client, org_a, org_b):
    factories.contact(org_b, "Elsewhere")
    content = csv_bytes([CONTACT_HEADER, contact_row(org_a.code, "Me", parent="Elsewhere")])
    response = dry_run(admin_client, "contacts", content)
    assert [(r, c) for r, c, _m in errors_of(response)] == [("2", "parent")]


BAD_MEMBER_ROWS = [
    (["bad user!", "", "viewer", "FIRM-A"], "username"),
    (["someone", "", "king", ""], "role"),
    (["someone", "", "reporter", ""], "organization"),
    (["someone", "", "reporter", "NOWHERE"], "organization"),
    (["someone", "", "hq_staff", "FIRM-A"], "organization"),
    (["someone", "not-an-email", "viewer", "FIRM-A"], "email"),
    (["system", "", "jsda_admin", ""], "username"),
]


@pytest.mark.parametrize("row, column", BAD_MEMBER_ROWS)
def test_a_bad_member_row_is_reported_and_nothing_changes(admin_client, org_a, row, column):
    content = csv_bytes([MEMBER_HEADER, ["fine", "", "viewer", org_a.code], row])
    before = snapshot()
    response = dry_run(admin_client, "members", content)
    assert [(r, c) for r, c, _m in errors_of(response)] == [("3", column)]
    assert snapshot() == before


def test_a_duplicate_member_row_and_a_conflicting_email_are_reported(admin_client, org_a):
    content = csv_bytes(
        [
            MEMBER_HEADER,
            ["kato", "kato@example.jp", "viewer", org_a.code],
            ["kato", "", "viewer", org_a.code],
            ["kato", "other@example.jp", "regulator", ""],
        ]
    )
    response = dry_run(admin_client, "members", content)
    assert [(r, c) for r, c, _m in errors_of(response)] == [("3", "username"), ("4", "email")]


# -- wrong files -----------------------------------------------------------------------------
def test_unknown_and_missing_columns_are_reported_on_the_heading_row(admin_client):
    content = csv_bytes([["code", "name", "kind", "colour"], ["X1", "名前", "bank", "red"]])
    before = snapshot()
    response = dry_run(admin_client, "organizations", content)
    errors = errors_of(response)
    assert {(r, c) for r, c, _m in errors} == {
        ("1", "name"),
        ("1", "colour"),
        ("1", "name_ja"),
    }
    assert any("name_ja" in m and "colour" not in m for r, c, m in errors if c == "name_ja")
    assert snapshot() == before


def test_a_file_for_another_dataset_is_refused(admin_client, org_a):
    content = csv_bytes([CONTACT_HEADER, contact_row(org_a.code, "Someone")])
    response = dry_run(admin_client, "members", content)
    assert ("1", "organization") not in {(r, c) for r, c, _m in errors_of(response)}
    assert ("1", "role") in {(r, c) for r, c, _m in errors_of(response)}


@pytest.mark.parametrize(
    "content, name, word",
    [
        (b"", "empty.csv", "empty"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "old.xls", ".xls"),
        (b"\x89PNG\r\n", "picture.png", ".csv"),
        (b"code,name_ja\n\xff\xfe\xfa\xfb\xfc,x\n", "garbage.csv", "UTF-8"),
    ],
)
def test_an_unreadable_file_gets_a_clear_form_error(admin_client, content, name, word):
    response = dry_run(admin_client, "organizations", content, name)
    assert response.status_code == 400
    assert word in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 1000
    content = csv_bytes([ORG_HEADER] + [org_row(f"F{i:04d}") for i in range(50)])
    response = dry_run(admin_client, "organizations", content)
    assert response.status_code == 400
    assert "larger than 1000" in response.content.decode()
    assert not Organization.objects.filter(code="F0001").exists()


def test_a_file_over_the_row_limit_is_refused(admin_client, settings):
    settings.IMPORT_MAX_ROWS = 10
    content = csv_bytes([ORG_HEADER] + [org_row(f"F{i:04d}") for i in range(11)])
    response = dry_run(admin_client, "organizations", content)
    assert response.status_code == 400
    assert "more than 10 rows" in response.content.decode()


# -- formats ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, name",
    [
        (lambda rows: csv_bytes(rows, encoding="utf-8"), "plain.csv"),
        (lambda rows: csv_bytes(rows, encoding="utf-8-sig"), "bom.csv"),
        (lambda rows: csv_bytes(rows, encoding="cp932"), "excel-ja.csv"),
        (xlsx_bytes, "book.xlsx"),
    ],
)
def test_csv_in_each_encoding_and_xlsx_all_work(admin_client, make, name):
    rows = [
        ORG_HEADER,
        org_row("JA-ONE", name_ja="日本語証券株式会社", address_ja="東京都中央区日本橋兜町１－１"),
    ]
    response = dry_run(admin_client, "organizations", make(rows), name)
    assert response.status_code == 200
    assert errors_of(response) == []
    admin_client.post(APPLY_URL, {"token": token_of(response)})
    org = Organization.objects.get(code="JA-ONE")
    assert org.name_ja == "日本語証券株式会社"
    assert org.address_ja == "東京都中央区日本橋兜町１－１"


def test_xlsx_numbers_and_blank_rows_are_read_like_text(admin_client, org_a):
    content = xlsx_bytes(
        [
            ["organization", "name", "phone", "order", "active"],
            [org_a.code, "Numeric", 312345678, 2.0, False],
            [None, None, None, None, None],
            [org_a.code, "Bad", "03-0000-0000", "x", True],
        ]
    )
    response = dry_run(admin_client, "contacts", content, "contacts.xlsx")
    # The blank row 3 is skipped; row numbers still match the sheet.
    assert {(r, c) for r, c, _m in errors_of(response)} == {("4", "order")}


# -- scale -----------------------------------------------------------------------------------
def test_ten_thousand_rows_with_a_few_bad_ones_report_exactly_those(admin_client, org_a):
    rows = [ORG_HEADER] + [
        org_row(f"BULK-{i:05d}", functions="trading;settlement", segments="exchange:0.01")
        for i in range(10_000)
    ]
    bad = {2 + 17: "kind", 2 + 4_321: "functions", 2 + 9_998: "code", 2 + 6_000: "segments"}
    rows[17 + 1][ORG_HEADER.index("kind")] = "casino"
    rows[4_321 + 1][ORG_HEADER.index("functions")] = "trading;nope"
    rows[9_998 + 1][0] = "BULK-00005"  # a duplicate of row 7
    rows[6_000 + 1][ORG_HEADER.index("segments")] = "exchange:abc"
    before = snapshot()
    started = time.perf_counter()
    response = dry_run(admin_client, "organizations", csv_bytes(rows))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    errors = errors_of(response)
    assert {int(r): c for r, c, _m in errors} == bad
    assert len(errors) == len(bad)
    assert snapshot() == before
    assert elapsed < 30, f"validating 10,000 rows took {elapsed:.1f}s"


# -- the apply step --------------------------------------------------------------------------
def test_the_apply_step_refuses_a_token_of_another_user(client, admin_user, org_a):
    factories.login(client, admin_user)
    response = dry_run(client, "organizations", csv_bytes([ORG_HEADER, org_row("MINE")]))
    token = token_of(response)
    other_admin = factories.user("jsda2", role="jsda_admin")
    factories.login(client, other_admin)
    before = snapshot()
    assert client.post(APPLY_URL, {"token": token}).status_code == 404
    assert snapshot() == before
    # The owner still can.
    factories.login(client, admin_user)
    assert client.post(APPLY_URL, {"token": token}).status_code == 302
    assert Organization.objects.filter(code="MINE").exists()


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "x" * 43, "short"])
def test_the_apply_step_refuses_unknown_tokens(admin_client, token):
    assert admin_client.post(APPLY_URL, {"token": token}).status_code == 404


def test_a_token_applies_once(admin_client):
    response = dry_run(admin_client, "organizations", csv_bytes([ORG_HEADER, org_row("ONCE")]))
    token = token_of(response)
    assert admin_client.post(APPLY_URL, {"token": token}).status_code == 302
    assert admin_client.post(APPLY_URL, {"token": token}).status_code == 404
    assert Organization.objects.get(code="ONCE").history.count() == 1


def test_the_apply_step_rechecks_and_writes_nothing_when_the_data_changed(admin_client, org_a):
    content = csv_bytes(
        [CONTACT_HEADER, contact_row(org_a.code, "One"), contact_row(org_a.code, "Two")]
    )
    response = dry_run(admin_client, "contacts", content)
    token = token_of(response)
    # Meanwhile someone registers a second contact named "One": the key is now ambiguous.
    factories.contact(org_a, "One")
    factories.contact(org_a, "One")
    before = snapshot()
    response = admin_client.post(APPLY_URL, {"token": token})
    assert response.status_code == 400
    assert bad_rows_of(response) == {2}
    assert snapshot() == before


def test_the_apply_step_does_not_trust_anything_but_the_token(admin_client):
    response = dry_run(admin_client, "organizations", csv_bytes([ORG_HEADER, org_row("REAL")]))
    token = token_of(response)
    admin_client.post(APPLY_URL, {"token": token, "dataset": "members", "rows": "FAKE,偽,bank"})
    assert Organization.objects.filter(code="REAL").exists()
    assert not Organization.objects.filter(code="FAKE").exists()


def test_apply_rejects_get(admin_client):
    assert admin_client.get(APPLY_URL).status_code == 405


# -- large uploads go through a worker ---------------------------------------------------------
def test_a_large_upload_is_applied_by_a_worker_and_followed_on_a_status_page(
    admin_client, admin_user, settings
):
    settings.IMPORT_INLINE_ROWS = 2  # Celery runs eagerly in tests: the worker is this process
    content = csv_bytes([ORG_HEADER] + [org_row(f"BIG-{i}") for i in range(3)])
    token = token_of(dry_run(admin_client, "organizations", content))
    response = admin_client.post(APPLY_URL, {"token": token})
    assert response.status_code == 302
    status_url = response["Location"]
    assert status_url == f"/manage/import/status/{token}/"
    page = admin_client.get(status_url)
    assert "data.csv applied: 3 added, 0 updated, 0 unchanged." in page.content.decode()
    assert Organization.objects.filter(code__startswith="BIG-").count() == 3
    assert Organization.objects.get(code="BIG-0").history.latest().history_user == admin_user
    # Nobody else reads the outcome, and the token cannot be applied twice.
    other = factories.user("jsda2", role="jsda_admin")
    factories.login(admin_client, other)
    assert admin_client.get(status_url).status_code == 404
    factories.login(admin_client, admin_user)
    assert admin_client.post(APPLY_URL, {"token": token}).status_code == 404


def test_a_large_upload_refused_by_the_worker_shows_its_errors(admin_client, org_a, settings):
    settings.IMPORT_INLINE_ROWS = 1
    content = csv_bytes(
        [CONTACT_HEADER, contact_row(org_a.code, "One"), contact_row(org_a.code, "Two")]
    )
    token = token_of(dry_run(admin_client, "contacts", content))
    factories.contact(org_a, "Two")
    factories.contact(org_a, "Two")
    before = snapshot()
    response = admin_client.post(APPLY_URL, {"token": token}, follow=True)
    assert bad_rows_of(response) == {3}
    assert snapshot() == before


def test_a_running_import_refreshes_its_status_page(admin_client, admin_user):
    from organizations.transfer import storage

    token = "t" * 43
    storage.result_save(
        token, user_id=admin_user.pk, state="running", dataset="members", filename="m.csv"
    )
    html = admin_client.get(f"/manage/import/status/{token}/").content.decode()
    assert '<meta http-equiv="refresh"' in html
    assert "being written" in html


def test_a_large_upload_is_applied_in_the_request_when_the_broker_is_down(
    admin_client, settings, monkeypatch
):
    from organizations.transfer import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.transfer_apply, "delay", broker_down)
    settings.IMPORT_INLINE_ROWS = 1
    content = csv_bytes([ORG_HEADER, org_row("DOWN-1"), org_row("DOWN-2")])
    token = token_of(dry_run(admin_client, "organizations", content))
    response = admin_client.post(APPLY_URL, {"token": token}, follow=True)
    assert "2 added" in response.content.decode()
    assert Organization.objects.filter(code__startswith="DOWN-").count() == 2
