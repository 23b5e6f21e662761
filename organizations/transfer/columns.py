"""The columns of each dataset: what the importer reads and the exporter writes.

The same list documents the file format on the import page, so the page, the importer and
the exporter cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ORGANIZATIONS = "organizations"
CONTACTS = "contacts"
MEMBERS = "members"
DATASETS = (ORGANIZATIONS, CONTACTS, MEMBERS)

DATASET_LABELS = {
    ORGANIZATIONS: _("Organizations"),
    CONTACTS: _("Emergency contacts"),
    MEMBERS: _("Members and roles"),
}

DATASET_KEYS = {
    ORGANIZATIONS: _("A row updates the organization with the same code, or adds it."),
    CONTACTS: _(
        "A row updates the contact with the same name in the same organization, or adds it."
    ),
    MEMBERS: _(
        "A row gives the user the role (for reporter and viewer: in that organization); "
        "a new user name creates an account without a password, to be set in the "
        "administration. Roles are only added, never removed."
    ),
}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: Promise | str
    example: str = ""


COLUMNS: dict[str, tuple[Column, ...]] = {
    ORGANIZATIONS: (
        Column(
            "code",
            True,
            _("2–32 upper-case letters, digits, '-' or '_'; the key of the row."),
            "FIRM-X",
        ),
        Column("name_ja", True, _("Name in Japanese."), "テスト証券株式会社"),
        Column("name_en", False, _("Name in English."), "Test Securities Co., Ltd."),
        Column(
            "kind",
            True,
            _(
                "One of: jsda, exchange, pts, clearing, depository, securities_firm, bank, "
                "central_bank, regulator."
            ),
            "securities_firm",
        ),
        Column(
            "is_public",
            False,
            _("true or false: shown on the public board (blank: false for a new row)."),
            "false",
        ),
        Column("active", False, _("true or false (blank: true for a new row)."), "true"),
        Column("website", False, _("Web address starting with https://."), ""),
        Column("address_ja", False, _("Head office address in Japanese."), ""),
        Column("address_en", False, _("Head office address in English."), ""),
        Column(
            "functions",
            False,
            _(
                "Business function codes separated by ';', each optionally with its RTO in "
                "minutes after ':'. The organization then reports exactly these functions. "
                "Blank: a new organization gets the defaults of its kind, an existing one keeps "
                "its functions."
            ),
            "trading;settlement:240",
        ),
        Column(
            "segments",
            False,
            _(
                "Market segments (exchange, bond, otc) separated by ';', each optionally with "
                "its share of trading value in % after ':' and its retail share after a second "
                "':'. Blank: takes part in no segment."
            ),
            "exchange:12.5;bond:3",
        ),
    ),
    CONTACTS: (
        Column("organization", True, _("Code of an existing organization."), "FIRM-X"),
        Column(
            "name",
            True,
            _("Name of the person; with the organization, the key of the row."),
            "山田 太郎",
        ),
        Column("title", False, _("Title or department."), "BCP対策本部長"),
        Column("email", False, _("E-mail address."), "yamada@example.com"),
        Column("phone", False, _("Phone number."), "03-1234-5678"),
        Column(
            "sms_number",
            False,
            _("Mobile number for SMS. Give at least one of e-mail, phone and SMS."),
            "",
        ),
        Column("language", False, _("ja or en (blank: ja)."), "ja"),
        Column(
            "order",
            False,
            _("1 is called first; higher numbers are escalation (blank: 1)."),
            "1",
        ),
        Column(
            "parent",
            False,
            _(
                "Name of the contact this person reports to, in the same organization "
                "(in the file or already registered). Blank: top of the tree."
            ),
            "",
        ),
        Column("active", False, _("true or false (blank: true for a new row)."), "true"),
        Column("notes", False, _("Free text."), ""),
    ),
    MEMBERS: (
        Column("username", True, _("Login name: letters, digits and @ . + - _."), "yamada"),
        Column("email", False, _("E-mail address (blank: unchanged)."), "yamada@example.com"),
        Column(
            "role",
            True,
            _("One of: reporter, viewer, hq_staff, regulator, jsda_admin."),
            "reporter",
        ),
        Column(
            "organization",
            False,
            _("Organization code; required for reporter and viewer, blank for the others."),
            "FIRM-X",
        ),
    ),
}


def column_names(dataset: str) -> list[str]:
    return [c.name for c in COLUMNS[dataset]]


def required_columns(dataset: str) -> list[str]:
    return [c.name for c in COLUMNS[dataset] if c.required]
