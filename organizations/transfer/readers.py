"""Turn an uploaded CSV or XLSX file into a header and rows of plain strings.

Nothing here knows about datasets: it checks size and type, finds the text encoding
(UTF-8 with or without BOM, or the Shift_JIS/CP932 that Japanese Excel writes), and keeps the
spreadsheet row number of every row so errors can point at it.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from common.spreadsheets import FORMULA_PREFIXES

# Defaults an operator may override in settings.
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# A spreadsheet is a zip file; refuse one that expands to far more than an honest sheet would.
MAX_XLSX_EXPANDED_BYTES = 200 * 1024 * 1024

_ESCAPE = "'"


class ReadError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class Table:
    header: list[str]
    # (spreadsheet row number, cells); the header is row 1.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", MAX_ROWS))


def cell_text(value) -> str:
    """One cell as the text a person would type, undoing the exporter's formula guard."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, datetime.datetime | datetime.date | datetime.time):
        text = value.isoformat()
    elif isinstance(value, int | Decimal):
        text = str(value)
    else:
        text = str(value)
    text = text.strip()
    if len(text) > 1 and text[0] == _ESCAPE and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def read_upload(upload) -> Table:
    """Read a Django UploadedFile (or any binary file object with a ``name``)."""
    limit = max_bytes()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ReadError(
            _("The file is larger than %(size)s. Split it into smaller files.")
            % {"size": filesizeformat(limit)}
        )
    if not data.strip():
        raise ReadError(_("The file is empty."))
    name = (getattr(upload, "name", "") or "").lower()
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ReadError(
            _("The old Excel format (.xls) is not supported. Save the sheet as .xlsx or CSV.")
        )
    if name.endswith(".xlsx"):
        raise ReadError(_("This is not a valid .xlsx file."))
    if name.endswith((".csv", ".txt", ".tsv")) or not name:
        return read_csv(data)
    raise ReadError(_("Upload a .csv or .xlsx file."))


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp932"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(
        _("The text encoding of the file is not UTF-8 or Shift_JIS. Save it as “CSV UTF-8”.")
    )


def read_csv(data: bytes) -> Table:
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(reader)
    except csv.Error as error:
        raise ReadError(
            _("The CSV file cannot be read near line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error


def read_xlsx(data: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ReadError(_("This is not a valid .xlsx file.")) from error
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise ReadError(_("The spreadsheet is too large once unpacked."))
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ReadError(_("This is not a valid .xlsx file.")) from error
    try:
        sheet = workbook.worksheets[0]
        # Files written by some tools carry a wrong size; read what is really there.
        sheet.reset_dimensions()
        return _table(sheet.iter_rows(values_only=True))
    except ReadError:
        raise
    except Exception as error:
        raise ReadError(_("This is not a valid .xlsx file.")) from error
    finally:
        workbook.close()


def _table(rows) -> Table:
    limit = max_rows()
    table: Table | None = None
    for number, raw in enumerate(rows, start=1):
        cells = [cell_text(value) for value in raw]
        while cells and not cells[-1]:
            cells.pop()
        if table is None:
            if not cells:
                raise ReadError(_("The first row must hold the column names."))
            table = Table(header=[c.lower().lstrip("\ufeff").strip() for c in cells])
            continue
        if not cells:
            continue
        table.rows.append((number, cells))
        if len(table.rows) > limit:
            raise ReadError(
                _("The file has more than %(limit)d rows. Split it into smaller files.")
                % {"limit": limit}
            )
    if table is None:
        raise ReadError(_("The file is empty."))
    return table
