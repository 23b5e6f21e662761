"""What a screen reader trips over in a page's markup, found by parsing it.

- an ``id`` given twice (a label or a description then points at the wrong element);
- an ``aria-describedby``, ``aria-labelledby`` or ``<label for>`` naming an id the page lacks;
- a heading that skips a level on the way down (h1 → h3);
- a status, answer or acknowledgement badge (``class="st …"``) that does not begin with an
  icon (a symbol, or an ``aria-hidden`` span), so that it reads without its colour.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser

_REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls")
_HEADING = re.compile(r"^h([1-6])$")


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.references: list[tuple[str, str, str]] = []
        self.headings: list[int] = []
        self.badges_without_icon: list[str] = []
        self._badge: str | None = None  # a badge opened, its first content not seen yet

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._badge is not None:
            if attributes.get("aria-hidden") != "true":
                self.badges_without_icon.append(self._badge)
            self._badge = None
        if "st" in (attributes.get("class") or "").split():
            self._badge = attributes["class"]
        if attributes.get("id"):
            self.ids[attributes["id"]] += 1
        for name in _REFERENCES:
            for target in (attributes.get(name) or "").split():
                self.references.append((tag, name, target))
        if tag == "label" and attributes.get("for"):
            self.references.append((tag, "for", attributes["for"]))
        if match := _HEADING.match(tag):
            self.headings.append(int(match.group(1)))

    def handle_endtag(self, tag):
        if self._badge is not None:  # an empty badge
            self.badges_without_icon.append(self._badge)
            self._badge = None

    def handle_data(self, data):
        text = data.strip()
        if self._badge is not None and text:
            if not unicodedata.category(text[0]).startswith("S"):
                self.badges_without_icon.append(f"{self._badge}: {text[:30]}")
            self._badge = None


def structure_problems(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    problems = [f'id="{i}" {n} times' for i, n in scanner.ids.items() if n > 1]
    problems += [
        f'<{tag} {name}="{target}"> names a missing id'
        for tag, name, target in scanner.references
        if target not in scanner.ids
    ]
    problems += [f'badge "{b}" without an icon' for b in scanner.badges_without_icon]
    previous = 0
    for level in scanner.headings:
        if level > previous + 1:
            problems.append(f"h{level} after h{previous}" if previous else f"h{level} first")
        previous = level
    return problems
