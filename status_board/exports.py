"""CSV and XLSX exports of the members' board (what the filters show)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from common.spreadsheets import csv_bytes, xlsx_bytes

from .vocabulary import label


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
    return csv_bytes(_header(), _lines(rows))


def board_xlsx(rows) -> bytes:
    return xlsx_bytes(_header(), _lines(rows), title=_("Status board"))
