"""JMA's seismic areas (地震情報／細分区域): the shipped table and the loader of JMA's own.

The shipped table (data/jma_areas.csv) covers every area of every prefecture with Japanese and
English names. ``manage.py load_jma_areas PATH`` reads a CSV in the same layout, or JMA's own
code table saved as CSV (UTF-8 or Shift_JIS, Japanese headers such as コード / 名称); columns it
lacks (English names, prefecture) are kept from the rows already known.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "data" / "jma_areas.csv"
MAX_BYTES = 2 * 1024 * 1024
CODE = re.compile(r"^[0-9]{3}$")

# Accepted spellings of each column, lower-cased and without spaces.
HEADERS = {
    "code": ("code", "コード", "区域コード", "細分区域コード"),
    "name_ja": ("name_ja", "name", "名称", "区域名", "細分区域名", "地域名称"),
    "name_en": ("name_en", "english", "英語名", "英語名称", "名称（英語）", "名称(英語)"),
    "prefecture_code": ("prefecture_code", "都道府県コード"),
    "prefecture_ja": ("prefecture_ja", "prefecture", "都道府県", "都道府県名"),
    "prefecture_en": ("prefecture_en",),
}


class AreaTableError(ValueError):
    """The file is not a table of JMA areas; the message says why, in one line."""


@dataclass(frozen=True)
class AreaRow:
    code: str
    name_ja: str
    name_en: str = ""
    prefecture_code: str = ""
    prefecture_ja: str = ""
    prefecture_en: str = ""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AreaTableError("the file is neither UTF-8 nor Shift_JIS text")


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = re.sub(r"\s+", "", raw or "").lower()
        for field, spellings in HEADERS.items():
            if field not in found and name in spellings:
                found[field] = index
    missing = [f for f in ("code", "name_ja") if f not in found]
    if missing:
        raise AreaTableError(
            "no column for " + " and ".join(missing) + f" in the header {header[:6]!r}"
        )
    return found


def parse_table(data: bytes, *, known: dict[str, AreaRow] | None = None) -> list[AreaRow]:
    """Rows of a CSV table of areas; unknown columns are ignored, missing ones filled in."""
    if len(data) > MAX_BYTES:
        raise AreaTableError(f"the file is larger than {MAX_BYTES} bytes")
    reader = csv.reader(io.StringIO(_decode(data)))
    header = next(reader, None)
    if not header:
        raise AreaTableError("the file is empty")
    columns = _columns(header)
    known = known if known is not None else {r.code: r for r in shipped_rows()}
    prefectures = {r.code[:2]: r for r in known.values()}
    rows: dict[str, AreaRow] = {}
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(field, cells=cells):
            index = columns.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        code, name_ja = cell("code"), cell("name_ja")
        if not CODE.match(code):
            raise AreaTableError(f"line {line_no}: {code!r} is not a three-digit JMA area code")
        if not name_ja:
            raise AreaTableError(f"line {line_no}: the area {code} has no name")
        before = known.get(code) or prefectures.get(code[:2])
        same = known.get(code)
        rows[code] = AreaRow(
            code=code,
            name_ja=name_ja,
            name_en=cell("name_en") or (same.name_en if same else ""),
            prefecture_code=cell("prefecture_code") or (before.prefecture_code if before else ""),
            prefecture_ja=cell("prefecture_ja") or (before.prefecture_ja if before else ""),
            prefecture_en=cell("prefecture_en") or (before.prefecture_en if before else ""),
        )
    if not rows:
        raise AreaTableError("the file has a header but no area")
    return sorted(rows.values(), key=lambda r: r.code)


def shipped_rows() -> list[AreaRow]:
    return parse_table(SHIPPED.read_bytes(), known={})


def load_areas(
    JmaArea, rows: list[AreaRow], *, deactivate_missing: bool = False, actor=None
) -> dict:
    """Create or update the areas; returns counts. Works on the real and the migration model.

    ``actor`` is recorded in the history of each row changed (the migration has no history).
    """
    current = {a.code: a for a in JmaArea.objects.all()}
    created = updated = deactivated = 0
    for row in rows:
        values = {
            "name_ja": row.name_ja,
            "name_en": row.name_en,
            "prefecture_code": row.prefecture_code,
            "prefecture_ja": row.prefecture_ja,
            "prefecture_en": row.prefecture_en,
            "active": True,
        }
        area = current.get(row.code)
        if area is None:
            area, changed = JmaArea(code=row.code), True
            created += 1
        else:
            changed = any(getattr(area, k) != v for k, v in values.items())
            updated += changed
        if changed:
            for k, v in values.items():
                setattr(area, k, v)
            if actor is not None:
                area._history_user = actor
            area.save()
    if deactivate_missing:
        listed = {r.code for r in rows}
        for code, area in current.items():
            if code not in listed and area.active:
                area.active = False
                if actor is not None:
                    area._history_user = actor
                area.save(update_fields=["active"])
                deactivated += 1
    return {"created": created, "updated": updated, "deactivated": deactivated}
