"""Builders for the import/export tests: files in memory and a snapshot of what is stored."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.transfer.columns import column_names

# The file layouts are the importer's own (the export writes them, the import reads them back).
ORG_HEADER = column_names("organizations")
CONTACT_HEADER = column_names("contacts")
MEMBER_HEADER = column_names("members")


def csv_bytes(rows, *, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def org_row(code, name_ja=None, kind="securities_firm", **extra) -> list[str]:
    values = {
        "code": code,
        "name_ja": f"{code} 証券" if name_ja is None else name_ja,
        "name_en": f"{code} Securities",
        "kind": kind,
        "is_public": "false",
        "active": "true",
        "website": "",
        "address_ja": "",
        "address_en": "",
        "functions": "",
        "segments": "",
    }
    values.update(extra)
    return [values[c] for c in ORG_HEADER]


def contact_row(organization, name, **extra) -> list[str]:
    values = {
        "organization": organization,
        "name": name,
        "title": "",
        "email": f"{abs(hash(name)) % 10**8}@example.test",
        "phone": "",
        "sms_number": "",
        "language": "ja",
        "order": "1",
        "parent": "",
        "active": "true",
        "notes": "",
    }
    values.update(extra)
    return [values[c] for c in CONTACT_HEADER]


def table(header, rows):
    """Rows as the reader hands them to the importers, numbered from row 2 like a sheet."""
    from organizations.transfer.readers import Table

    return Table(header=list(header), rows=[(n, list(r)) for n, r in enumerate(rows, start=2)])


def snapshot() -> dict[str, int]:
    """How many rows every table an import may touch holds, history included."""
    from django.contrib.auth.models import User
    from guardian.models import UserObjectPermission

    from organizations.models import (
        Contact,
        Organization,
        OrganizationFunction,
        SegmentParticipation,
    )

    return {
        "organizations": Organization.objects.count(),
        "organization history": Organization.history.count(),
        "functions": OrganizationFunction.objects.count(),
        "segments": SegmentParticipation.objects.count(),
        "contacts": Contact.objects.count(),
        "contact history": Contact.history.count(),
        "users": User.objects.count(),
        "group memberships": User.groups.through.objects.count(),
        "object roles": UserObjectPermission.objects.count(),
    }
