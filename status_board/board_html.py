"""The public board's HTML, built in Python: the fragment, its cells, banner and stale notice.

Every status change rebuilds the cached board with every public organization and function in
both languages; as Django template includes (one per cell) that took about 2 s at 500
organizations (issue 16). A ``BoardHTML`` looks up the translations, badges and links of one
language once and renders each organization's section once; a ``Times`` formats each moment
once per build for both languages and the JSON. The markup is the one the templates rendered
(``tests/status_board/test_bundle_outcome*.py`` pin it byte for byte); the organization page
and the report form show a cell with the same code (the ``board_cell`` and ``cell_confirmed``
tags).
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext

from . import providers
from .vocabulary import ALL_CODES, ICONS, NOT_REPORTED, Status, label

MESSAGE_CHARS = 160  # what a board cell shows of a message
# Codes (organizations.models.code_validator) that a URL carries as they are.
_PLAIN_CODE = re.compile(r"^[A-Za-z0-9_-]+$")
_IMPAIRED = frozenset(ALL_CODES) - {Status.NORMAL, NOT_REPORTED}


def badge(code: str) -> str:
    """The status as icon and text; the colour of .st-<code> is only an aid."""
    return (
        f'<span class="st st-{escape(code)}"><span aria-hidden="true">'
        f"{escape(ICONS.get(code, '?'))}</span>{escape(label(code))}</span>"
    )


class Times:
    """Each moment shown, formatted once in Japan time: one per build, for every language."""

    def __init__(self):
        self._tz = timezone.get_current_timezone()
        self._seen: dict[datetime, tuple[str, str]] = {}

    def __call__(self, value: datetime) -> tuple[str, str]:
        """(ISO 8601 as the templates' |date:'c', short as |date:'n/j H:i')."""
        known = self._seen.get(value)
        if known is None:
            local = value.astimezone(self._tz)
            known = (
                local.isoformat(),
                f"{local.month}/{local.day} {local.hour:02d}:{local.minute:02d}",
            )
            self._seen[value] = known
        return known

    def iso(self, value: datetime | None) -> str | None:
        return self(value)[0] if value else None

    def minutes(self, value: datetime) -> str:
        """As |date:"Y-m-d H:i"."""
        return value.astimezone(self._tz).strftime("%Y-%m-%d %H:%M")


class BoardHTML:
    """Renders in the language active when it is made (one instance per language)."""

    def __init__(self, times: Times | None = None):
        self.times = times or Times()
        self.english = (get_language() or "ja").startswith("en")
        self.badges = {code: badge(code) for code in ALL_CODES}
        self._expected_recovery = gettext("Expected recovery")
        self._confirmed_at = gettext("confirmed at")
        self._function_names: dict[int, str] = {}
        self._plain_cells: dict[tuple[int, str], str] = {}
        marker = "ORGCODE0"
        self._url = reverse("organization_board", args=[marker]).split(marker)

    def name(self, thing) -> str:
        """An organization's or a function's name in this language (Japanese if none)."""
        return escape(thing.name_en if self.english and thing.name_en else thing.name_ja)

    def link(self, code: str) -> str:
        if _PLAIN_CODE.match(code) and len(self._url) == 2:
            return escape(self._url[0] + code + self._url[1])
        return escape(reverse("organization_board", args=[code]))

    def function_name(self, function) -> str:
        name = self._function_names.get(function.pk)
        if name is None:
            name = self._function_names[function.pk] = self.name(function)
        return name

    def confirmed(self, cell) -> str:
        """When a reporter last said the status still holds, if they did."""
        if not cell.confirmed_at:
            return ""
        iso, short = self.times(cell.confirmed_at)
        return (
            f' <span class="confirmed small">{self._confirmed_at} '
            f'<time datetime="{iso}">{short}</time></span>'
        )

    def cell(self, cell) -> str:
        """One function's status: name, badge, times, expected recovery and message."""
        if not (
            cell.reported_at
            or cell.confirmed_at
            or cell.expected_recovery_at
            or cell.message
            or cell.message_en
        ):
            # Never reported (many at the start of an incident): the same for every row.
            key = (cell.function.pk, cell.status)
            known = self._plain_cells.get(key)
            if known is None:
                known = self._plain_cells[key] = self._cell(cell)
            return known
        return self._cell(cell)

    def _cell(self, cell) -> str:
        parts = ['<span class="fn">', self.function_name(cell.function), "</span> "]
        parts.append(self.badges[cell.status])
        if cell.reported_at:
            iso, short = self.times(cell.reported_at)
            parts.append(f' <time datetime="{iso}">{short}</time>')
        if cell.confirmed_at:
            parts.append(self.confirmed(cell))
        if cell.expected_recovery_at and cell.status != Status.NORMAL:
            iso, short = self.times(cell.expected_recovery_at)
            parts.append(
                f' <span class="eta">{self._expected_recovery} '
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
        cells = "".join([f"<li>{self.cell(cell)}</li>" for cell in row.cells])
        return (
            f'<section class="org" id="org-{escape(org.code)}"><h3>'
            f'<a href="{self.link(org.code)}">{self.name(org)}</a></h3>'
            f'<ul class="cells">{cells}</ul></section>\n'
        )

    def activation(self, activation) -> str:
        """A BCP activation in force, with a link to its circular if there is one."""
        circular = ""
        if activation.circular_url:
            text = gettext("Circular %(number)s") % {"number": escape(activation.circular_number)}
            circular = f' — <a href="{escape(activation.circular_url)}">{text}</a>'
        return (
            f'<div class="banner bad" role="alert"><strong>{gettext("BCP activated")}:</strong> '
            f"{escape(str(activation))}{circular}</div>"
        )

    def banner(self, rows, counts: dict[str, int], activations) -> str:
        """The BCP activations, what is not operating normally, and the counts by status."""
        parts = [self.activation(a) for a in activations]
        impaired = sum(counts[code] for code in _IMPAIRED)
        parts.append("\n\n")
        if impaired:
            text = ngettext(
                "%(n)s function is not operating normally.",
                "%(n)s functions are not operating normally.",
                impaired,
            ) % {"n": localize(impaired)}
            parts.append(
                f'<div class="banner warn" role="status"><strong>▲ {text}</strong>\n'
                f'<ul class="impaired">{self.impaired(rows)}</ul></div>\n'
            )
        elif counts[Status.NORMAL]:
            text = gettext("All reported market functions are operating normally.")
            parts.append(f'<div class="banner ok" role="status"><strong>● {text}</strong></div>\n')
        else:
            text = gettext("No status has been reported yet.")
            parts.append(f'<div class="banner" role="status">{text}</div>')
        shown = "".join(
            f"<span>{self.badges[code]} {localize(n)}</span> " for code, n in counts.items() if n
        )
        parts.append(f'\n<p class="counts small">{shown}</p>\n\n')
        return "".join(parts)

    def impaired(self, rows) -> str:
        """The banner's list: every function reported as not operating normally."""
        items = []
        for row in rows:
            name = None
            for cell in row.cells:
                if cell.status in _IMPAIRED:
                    if name is None:
                        name = self.name(row.organization)
                    items.append(
                        f'<li><a href="#org-{escape(row.organization.code)}">{name}</a> '
                        f"{self.function_name(cell.function)}: {self.badges[cell.status]}</li>"
                    )
        return "".join(items)

    def fragment(self, rows, counts, generated_at: datetime, activations, stale_mark: str) -> str:
        """The public board's content: what the page embeds and its script polls."""
        iso, _short = self.times(generated_at)
        head = (
            f"<h1>{gettext('Market status board')}</h1>\n"
            f'<p class="asof">{gettext("Last updated")} <time datetime="{iso}">'
            f"{self.times.minutes(generated_at)}</time> JST · "
            f'<a href="{escape(reverse("feed_status"))}">{gettext("Atom feed")}</a></p>\n'
            f"{stale_mark}\n"
        )
        parts = [head, self.banner(rows, counts, activations), "\n"]
        if rows:
            infrastructure, others = [], []
            for row in rows:
                (infrastructure if row.is_infrastructure else others).append(row)
            parts.append(f"\n<h2>{gettext('Market infrastructures')}</h2>\n")
            parts.extend([self.organization(row) for row in infrastructure])
            parts.append(f"\n<h2>{gettext('Securities firms and banks')}</h2>\n")
            parts.extend([self.organization(row) for row in others])
            parts.append("\n")
        else:
            parts.append(f"<p>{gettext('No organization is on the public board yet.')}</p>")
        parts.append(f"\n{providers.page_extras()}\n")
        return "".join(parts)

    def stale_notice(self, generated_at: datetime) -> str:
        """Shown in place of the stale mark while the board cannot follow changes."""
        known = gettext("This is the board as last known at %(time)s JST.") % {
            "time": self.times.minutes(generated_at)
        }
        return (
            f'<p class="banner warn" role="status"><strong>'
            f"{gettext('Live updates are temporarily unavailable.')}</strong> {known}</p>\n"
        )
