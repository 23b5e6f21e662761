"""CSV and XLSX exports of the members' board (what the filters show)."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from .vocabulary import label

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """Spreadsheets must not run what a reporter typed (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _time(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _header():
    return [
        _("Organization code"),
        _("Organization (Japanese)"),
        _("Organization (English)"),
        _("Kind"),
        _("Function code"),
        _("Function"),
        _("Status code"),
        _("Status"),
        _("Message"),
        _("Message (English)"),
        _("Reported at (JST)"),
        _("Expected recovery (JST)"),
        _("Impaired since (JST)"),
        _("RTO (minutes)"),
        _("RTO exceeded"),
    ]


def _lines(rows):
    for row in rows:
        org = row.organization
        for cell in row.cells:
            yield [
                org.code,
                org.name_ja,
                org.name_en,
                org.get_kind_display(),
                cell.function.code,
                cell.function.name,
                cell.status,
                label(cell.status),
                cell.message,
                cell.message_en,
                _time(cell.reported_at),
                _time(cell.expected_recovery_at),
                _time(cell.impaired_since),
                cell.rto_minutes if cell.rto_minutes is not None else "",
                _("yes") if cell.rto_breached else "",
            ]


def board_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header())
    for line in _lines(rows):
        writer.writerow([_safe(v) for v in line])
    # A byte-order mark so that spreadsheet programs read the Japanese correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def board_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Status board")[:31])
    sheet.append(_header())
    for line in _lines(rows):
        sheet.append([_safe(v) for v in line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
