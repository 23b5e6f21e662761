"""Write each dataset as CSV or XLSX in exactly the form the importer reads back.

Contacts are personal data of the emergency network: only JSDA administrators export them,
so every export asks permissions first, whoever the caller is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from common.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_bytes, xlsx_bytes

from .. import permissions
from ..models import Contact, Organization
from . import columns as cols

__all__ = ["CSV_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "export", "export_rows"]


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _segment(participation) -> str:
    weight = _number(participation.weight)
    retail = _number(participation.retail_weight)
    if retail:
        return f"{participation.segment}:{weight}:{retail}"
    if weight:
        return f"{participation.segment}:{weight}"
    return participation.segment


def organization_rows() -> Iterator[list]:
    organizations = Organization.objects.order_by("code").prefetch_related(
        "organization_functions__function", "segments"
    )
    for org in organizations:
        functions = ";".join(
            f"{of.function.code}:{of.rto_minutes}"
            if of.rto_minutes is not None
            else of.function.code
            for of in sorted(
                org.organization_functions.all(),
                key=lambda of: (of.function.display_order, of.function.code),
            )
        )
        segments = ";".join(
            _segment(s) for s in sorted(org.segments.all(), key=lambda s: s.segment)
        )
        yield [
            org.code,
            org.name_ja,
            org.name_en,
            org.kind,
            org.is_public,
            org.active,
            org.website,
            org.address_ja,
            org.address_en,
            functions,
            segments,
        ]


def contact_rows() -> Iterator[list]:
    contacts = Contact.objects.select_related("organization", "parent").order_by(
        "organization__code", "order", "name", "pk"
    )
    for c in contacts:
        yield [
            c.organization.code,
            c.name,
            c.title,
            c.email,
            c.phone,
            c.sms_number,
            c.language,
            c.order,
            c.parent.name if c.parent else "",
            c.active,
            c.notes,
        ]


def member_rows() -> Iterator[list]:
    from django.contrib.auth import get_user_model
    from guardian.models import UserObjectPermission

    User = get_user_model()
    rows: list[tuple] = []
    for username, email, role in (
        User.objects.filter(groups__name__in=permissions.MARKET_ROLES)
        .values_list("username", "email", "groups__name")
        .distinct()
    ):
        rows.append((username, email, role, ""))
    codes = dict(Organization.objects.values_list("pk", "code"))
    held: dict[tuple[str, str, str], set[str]] = {}
    for username, email, object_pk, codename in UserObjectPermission.objects.filter(
        content_type__app_label=Organization._meta.app_label,
        content_type__model=Organization._meta.model_name,
        permission__codename__in=permissions.ORGANIZATION_ROLES,
    ).values_list("user__username", "user__email", "object_pk", "permission__codename"):
        code = codes.get(int(object_pk))
        if code:
            held.setdefault((username, email, code), set()).add(codename)
    for (username, email, code), roles in held.items():
        # A reporter holds the viewer right too; the reporter row gives both back.
        role = permissions.REPORTER if permissions.REPORTER in roles else permissions.VIEWER
        rows.append((username, email, role, code))
    order = {role: i for i, role in enumerate(permissions.ALL_ROLES)}
    rows.sort(key=lambda r: (r[0], order.get(r[2], 99), r[3]))
    for row in rows:
        yield list(row)


ROWS = {
    cols.ORGANIZATIONS: organization_rows,
    cols.CONTACTS: contact_rows,
    cols.MEMBERS: member_rows,
}


def export_rows(dataset: str, *, user) -> tuple[list[str], Iterable[list]]:
    permissions.require(user, permissions.Action.ADMINISTER)
    return cols.column_names(dataset), ROWS[dataset]()


def _as_text(row: list) -> list[str]:
    """Every cell as the text the importer reads back (booleans as true/false)."""
    return [("true" if v else "false") if isinstance(v, bool) else str(v) for v in row]


def export(dataset: str, fmt: str, *, user) -> bytes:
    header, rows = export_rows(dataset, user=user)
    if fmt == "xlsx":
        return xlsx_bytes(header, rows, title=dataset)
    return csv_bytes(header, (_as_text(row) for row in rows))
