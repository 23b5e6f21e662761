"""Every CSV and XLSX file the portal writes goes through here, with the formula guard.

Spreadsheet programs run a cell that starts like a formula (``=HYPERLINK(...)``, ``+``, ``-``,
``@``, a tab or carriage return): text typed by members (a contact's name, a status message)
must never become one, so each such text cell gets a leading apostrophe. CSV files carry a
byte-order mark so that spreadsheet programs read the Japanese correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def guard(value):
    """A text cell that would start a formula, made plain text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([guard(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], *, title: str) -> bytes:
    def cell(value):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return guard(value)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    return download(csv_bytes(header, rows), filename=filename, content_type=CSV_CONTENT_TYPE)


def xlsx_download(
    filename: str, header: list[str], rows: Iterable[Iterable], *, title: str
) -> HttpResponse:
    return download(
        xlsx_bytes(header, rows, title=title), filename=filename, content_type=XLSX_CONTENT_TYPE
    )
