"""The public board's organizations and cells as HTML, built in Python for the cached bundle.

The cached board renders every public organization and function on each status change; as
Django template includes that took about 2 s at 500 organizations (issue 16). This renders
the very same markup as ``_cell.html`` (one function's status, also used by the organization
page) and the organization sections it sits in, straight from the rows, with the translations,
badges and links looked up once per language and each time formatted once per build.
``tests/status_board/test_bundle_outcome.py`` pins the output byte for byte.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext

from .templatetags.status_board import status_badge
from .vocabulary import ALL_CODES, NOT_REPORTED, Status

MESSAGE_CHARS = 160  # |truncatechars:160 of _cell.html
# Codes (organizations.models.code_validator) that a URL carries as they are.
_PLAIN_CODE = re.compile(r"^[A-Za-z0-9_-]+$")


class Times:
    """Each datetime shown once per build in the board's two forms, in Japan time."""

    def __init__(self):
        self._seen: dict[datetime, tuple[str, str]] = {}

    def __call__(self, value: datetime) -> tuple[str, str]:
        """(ISO 8601 as |date:'c', short as |date:'n/j H:i')."""
        known = self._seen.get(value)
        if known is None:
            local = timezone.localtime(value)
            known = (
                local.isoformat(),
                f"{local.month}/{local.day} {local.hour:02d}:{local.minute:02d}",
            )
            self._seen[value] = known
        return known

    def iso(self, value: datetime | None) -> str | None:
        return self(value)[0] if value else None


class PublicBoardHTML:
    """Renders in the active language (one instance per language of a build)."""

    def __init__(self, times: Times):
        self.times = times
        self.english = (get_language() or "ja").startswith("en")
        self.badges = {code: str(status_badge(code)) for code in ALL_CODES}
        self.expected_recovery = escape(gettext("Expected recovery"))
        self._function_names: dict[int, str] = {}
        marker = "ORGCODE0"
        self._url = reverse("organization_board", args=[marker]).split(marker)

    def _name(self, thing) -> str:
        return escape(thing.name_en if self.english and thing.name_en else thing.name_ja)

    def _link(self, code: str) -> str:
        if _PLAIN_CODE.match(code) and len(self._url) == 2:
            return escape(self._url[0] + code + self._url[1])
        return escape(reverse("organization_board", args=[code]))

    def function_name(self, function) -> str:
        name = self._function_names.get(function.pk)
        if name is None:
            name = self._function_names[function.pk] = self._name(function)
        return name

    def cell(self, cell) -> str:
        """Exactly what ``status_board/_cell.html`` renders for the cell."""
        parts = [
            '<span class="fn">',
            self.function_name(cell.function),
            "</span> ",
            self.badges[cell.status],
        ]
        if cell.reported_at:
            iso, short = self.times(cell.reported_at)
            parts.append(f' <time datetime="{iso}">{short}</time>')
        if cell.expected_recovery_at and cell.status != Status.NORMAL:
            iso, short = self.times(cell.expected_recovery_at)
            parts.append(
                f' <span class="eta">{self.expected_recovery} '
                f'<time datetime="{iso}">{short}</time></span>'
            )
        message = cell.message_en if self.english and cell.message_en else cell.message
        if message:
            if len(message) > MESSAGE_CHARS:
                message = Truncator(message).chars(MESSAGE_CHARS)
            parts.append(f'<span class="msg">{escape(message)}</span>')
        parts.append("\n")
        return "".join(parts)

    def organization(self, row) -> str:
        """One organization's section of the public board, with its cells."""
        org = row.organization
        code = escape(org.code)
        cells = "".join(f"<li>{self.cell(cell)}</li>" for cell in row.cells)
        return (
            f'<section class="org" id="org-{code}"><h3><a href="{self._link(org.code)}">'
            f'{self._name(org)}</a></h3><ul class="cells">{cells}</ul></section>\n'
        )

    def impaired(self, rows) -> str:
        """The banner's list items: every function reported as not operating normally."""
        items = []
        for row in rows:
            name = None
            for cell in row.cells:
                if cell.status != Status.NORMAL and cell.status != NOT_REPORTED:
                    if name is None:
                        name = self._name(row.organization)
                    items.append(
                        f'<li><a href="#org-{escape(row.organization.code)}">{name}</a> '
                        f"{self.function_name(cell.function)}: {self.badges[cell.status]}</li>"
                    )
        return "".join(items)

    def content(self, rows) -> dict[str, str]:
        """The context the board's templates take instead of looping over the rows."""
        infrastructure, others = [], []
        for row in rows:
            (infrastructure if row.is_infrastructure else others).append(self.organization(row))
        return {
            "infrastructure_html": "".join(infrastructure),
            "others_html": "".join(others),
            "impaired_html": self.impaired(rows),
        }
