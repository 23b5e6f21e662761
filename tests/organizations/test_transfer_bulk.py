"""The bulk apply: control characters refused up front, the board follows, queries stay flat."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Contact, Organization
from organizations.transfer import importers
from tests import factories
from tests.organizations.test_transfer_import import (  # noqa: F401 (fixtures)
    APPLY_URL,
    _var_dir,
    admin_client,
    dry_run,
    errors_of,
)
from tests.organizations.transfer_helpers import (
    CONTACT_HEADER,
    ORG_HEADER,
    contact_row,
    csv_bytes,
    org_row,
    snapshot,
    table,
)

pytestmark = pytest.mark.django_db


# -- control characters (PostgreSQL refuses NUL in text) ---------------------------------------
def test_a_nul_or_escape_in_a_contact_is_reported_on_its_row_and_column(admin_client, org_a):  # noqa: F811
    content = csv_bytes(
        [
            CONTACT_HEADER,
            contact_row(org_a.code, "Fine", notes="two lines\nand a\ttab"),
            contact_row(org_a.code, "Ya\x00mada"),
            contact_row(org_a.code, "Suzuki", title="Chief\x1b[31m", notes="\x07"),
        ]
    )
    before = snapshot()
    response = dry_run(admin_client, "contacts", content)
    assert response.status_code == 200
    errors = errors_of(response)
    assert [(r, c) for r, c, _m in errors] == [("3", "name"), ("4", "title"), ("4", "notes")]
    assert "control character (U+0000)" in errors[0][2]
    assert "U+001B" in errors[1][2] and "U+0007" in errors[2][2]
    assert 'name="token"' not in response.content.decode()
    assert snapshot() == before


def test_the_control_character_message_is_in_japanese_by_default(client, admin_user, org_a):
    factories.login(client, admin_user)
    content = csv_bytes([ORG_HEADER, org_row("NUL-JA", name_ja="証券\x00")])
    html = dry_run(client, "organizations", content).content.decode()
    assert "制御文字（U+0000）が含まれているため保存できません。" in html


def test_tab_and_line_breaks_are_kept(admin_client, org_a):  # noqa: F811
    notes = "夜間は\r\n携帯へ\tまで"
    content = csv_bytes([CONTACT_HEADER, contact_row(org_a.code, "Night", notes=notes)])
    response = dry_run(admin_client, "contacts", content)
    assert errors_of(response) == []
    token = response.content.decode().split('name="token" value="')[1].split('"')[0]
    admin_client.post(APPLY_URL, {"token": token})
    assert Contact.objects.get(organization=org_a, name="Night").notes == notes


@pytest.mark.parametrize(
    "dataset, header, row, column",
    [
        ("contacts", CONTACT_HEADER, contact_row("FIRM-A", "Nul\x00Name"), "name"),
        ("contacts", CONTACT_HEADER, contact_row("FIRM-A", "Ok", notes="a\x00b"), "notes"),
        ("organizations", ORG_HEADER, org_row("NUL-ORG", name_ja="証\x00券"), "name_ja"),
        ("organizations", ORG_HEADER, org_row("NUL-ADR", address_en="1\x00 Chome"), "address_en"),
    ],
)
def test_apply_refuses_a_nul_instead_of_failing_in_postgresql(
    org_a, admin_user, dataset, header, row, column
):
    assert connection.vendor == "postgresql"
    before = snapshot()
    with pytest.raises(importers.ApplyRefused) as refused:
        importers.apply(dataset, table(header, [row]), actor=admin_user)
    assert [(e.row, e.column) for e in refused.value.plan.errors] == [(2, column)]
    assert refused.value.plan.items == []
    assert snapshot() == before


def test_the_command_lists_a_nul_and_writes_nothing(tmp_path, org_a):
    path = tmp_path / "contacts.csv"
    path.write_bytes(csv_bytes([CONTACT_HEADER, contact_row(org_a.code, "Nul\x00")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 rows"):
        call_command("import_data", "contacts", str(path), "--apply", stderr=err)
    assert "row 2 [name]: This value contains a control character (U+0000)" in err.getvalue()
    assert not Contact.objects.filter(name__startswith="Nul").exists()


# -- what bulk writes must not lose ------------------------------------------------------------
def test_an_applied_import_shows_on_the_public_board(
    client, admin_user, public_org, django_capture_on_commit_callbacks
):
    from status_board import snapshots

    assert "新設取引所" not in client.get("/").content.decode()  # the board is built and held
    rows = [org_row("NEW-EX", name_ja="新設取引所", kind="exchange", is_public="true")]
    with django_capture_on_commit_callbacks(execute=True):
        importers.apply("organizations", table(ORG_HEADER, rows), actor=admin_user)
    snapshots._local.checked = 0.0  # this process's copy is past its time to live
    assert "新設取引所" in client.get("/").content.decode()


def _apply_queries(dataset, header, rows, actor) -> int:
    with CaptureQueriesContext(connection) as queries:
        importers.apply(dataset, table(header, rows), actor=actor)
    return len(queries.captured_queries)


def test_the_queries_of_an_apply_do_not_grow_with_its_rows(admin_user, org_a, org_b):
    def organizations(prefix, n):
        return [
            org_row(
                f"{prefix}-{i}",
                functions="" if i % 2 else "trading;settlement:60",
                segments="exchange:1;bond:2:3",
            )
            for i in range(n)
        ]

    # The first apply also fills the actor's cached roles; compare the next two.
    _apply_queries("organizations", ORG_HEADER, organizations("W", 1), admin_user)
    small = _apply_queries("organizations", ORG_HEADER, organizations("S", 3), admin_user)
    large = _apply_queries("organizations", ORG_HEADER, organizations("L", 60), admin_user)
    assert large == small
    assert Organization.objects.filter(code__startswith="L-").count() == 60

    def contacts(prefix, n):
        # Three levels in each organization, children listed first.
        return [
            contact_row(
                code,
                f"{prefix}{i}",
                parent="" if i == 0 else f"{prefix}{(i - 1) // 3}",
            )
            for code in (org_a.code, org_b.code)
            for i in reversed(range(n))
        ]

    _apply_queries("contacts", CONTACT_HEADER, contacts("w", 1), admin_user)
    small = _apply_queries("contacts", CONTACT_HEADER, contacts("s", 5), admin_user)
    large = _apply_queries("contacts", CONTACT_HEADER, contacts("l", 13), admin_user)
    assert large == small
    assert Contact.objects.filter(name__startswith="l").count() == 26
