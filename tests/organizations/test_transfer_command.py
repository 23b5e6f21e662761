"""`manage.py import_data`: the operators' way in, through the same checks as the page."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from organizations.models import Contact, Organization
from tests.organizations.transfer_helpers import (
    CONTACT_HEADER,
    ORG_HEADER,
    contact_row,
    csv_bytes,
    org_row,
    snapshot,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _system_account(db):
    # The command acts as this account; it exists before any snapshot is taken.
    from organizations import services

    services.system_actor()


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_default_is_a_dry_run(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes([ORG_HEADER, org_row("CMD-ONE")]))
    before = snapshot()
    out, _err = run("organizations", path)
    assert "1 to add" in out and "--apply" in out
    assert snapshot() == before


def test_apply_writes_every_row_as_the_system_account(tmp_path, org_a):
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                CONTACT_HEADER,
                contact_row(org_a.code, "Chief"),
                contact_row(org_a.code, "Deputy", parent="Chief"),
            ]
        )
    )
    out, _err = run("contacts", path, "--apply")
    assert "2 added" in out
    deputy = Contact.objects.get(organization=org_a, name="Deputy")
    assert deputy.parent.name == "Chief"
    assert deputy.history.latest().history_user.username == "system"


def test_bad_rows_are_listed_and_nothing_is_written(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes([ORG_HEADER, org_row("CMD-OK"), org_row("CMD-BAD", kind="casino")]))
    before = snapshot()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 rows"):
        call_command("import_data", "organizations", str(path), "--apply", stderr=err)
    assert "row 3 [kind]" in err.getvalue()
    assert snapshot() == before
    assert not Organization.objects.filter(code="CMD-OK").exists()


def test_a_missing_or_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="nothing.csv"):
        run("organizations", tmp_path / "nothing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        run("organizations", empty)
