"""Scanning a page's visible text for codes and for text of the other language.

Visible text: the text nodes of the page without scripts, styles and form values, and without
what is marked as the other language (``lang="ja"`` on an English page, ``lang="en"`` on a
Japanese one: the language switcher, bilingual notices). Names (organizations, people, places)
and what users wrote are passed in and taken out before the scan.
"""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps

SKIPPED = {"script", "style", "textarea", "template", "noscript"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]+")


class _Text(HTMLParser):
    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.nodes: list[str] = []

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").split("-")[0]
        hidden = (
            self._hidden()
            or tag in SKIPPED
            or (lang and lang != self.language)
            or "hidden" in attrs
        )
        self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.nodes.append(" ".join(data.split()))


def visible_text(html: str, language: str) -> list[str]:
    parser = _Text(language)
    parser.feed(html)
    return parser.nodes


def design_codes() -> set[str]:
    """The vocabulary codes of DESIGN §3 (and the other codes a page must not show as text)."""
    from emergency_hq.models import ActivationCriterion, DecisionAction
    from organizations.models import BusinessFunction
    from organizations.permissions import ALL_ROLES
    from organizations.vocabulary import OrganizationKind, Segment
    from status_board.vocabulary import Status

    codes = set(OrganizationKind.values) | set(Segment.values) | set(Status.values)
    codes |= {"not_reported"} | set(DecisionAction.values) | set(ALL_ROLES)
    codes |= set(BusinessFunction.objects.values_list("code", flat=True))
    codes |= set(ActivationCriterion.objects.values_list("code", flat=True))
    return codes


def code_findings(nodes: list[str], codes: set[str], language: str) -> set[str]:
    """Codes in the text. On English pages only those no English sentence contains (with _ or
    -, and the lowercase abbreviations); on Japanese pages every code is out of place."""
    if language == "en":
        codes = {c for c in codes if "_" in c or "-" in c or c in ("jsda", "pts")}
    found = set()
    text = "\n".join(nodes)
    for code in codes:
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            found.add(code)
    return found


def english_ui_strings() -> set[str]:
    """The English msgids of our catalogues that Japanese pages show translated."""
    out = set()
    for app in ("organizations", "status_board", "alerts", "bulletin", "emergency_hq", "drills"):
        mo = Path(apps.get_app_config(app).path) / "locale" / "ja" / "LC_MESSAGES" / "django.mo"
        with mo.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog
        for key, value in catalogue.items():
            if not isinstance(key, str) or not key or isinstance(value, tuple):
                continue
            msgid = key.split("\x04")[-1]
            if value != msgid and re.fullmatch(r"[A-Za-z][A-Za-z ,.'()/-]{3,}", msgid):
                out.add(msgid)
    return out


def language_findings(nodes: list[str], language: str, names: set[str], english: set[str]):
    """Text of the other language: Japanese on English pages (outside names), English UI
    strings left untranslated on Japanese pages."""
    found = set()
    for node in nodes:
        if language == "en":
            for name in sorted(names, key=len, reverse=True):
                node = node.replace(name, " ")
            found |= set(JAPANESE.findall(node))
        else:
            stripped = node.strip(" :·—()[]|")
            if stripped in english:
                found.add(stripped)
    return found
