"""What a screen reader trips over in a page's markup, found by parsing it.

- an ``id`` given twice (a label or a description then points at the wrong element);
- an ``aria-describedby``, ``aria-labelledby`` or ``<label for>`` naming an id the page lacks;
- a heading that skips a level on the way down (h1 → h3).
"""

from __future__ import annotations

import re
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

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[attributes["id"]] += 1
        for name in _REFERENCES:
            for target in (attributes.get(name) or "").split():
                self.references.append((tag, name, target))
        if tag == "label" and attributes.get("for"):
            self.references.append((tag, "for", attributes["for"]))
        if match := _HEADING.match(tag):
            self.headings.append(int(match.group(1)))


def structure_problems(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    problems = [f'id="{i}" {n} times' for i, n in scanner.ids.items() if n > 1]
    problems += [
        f'<{tag} {name}="{target}"> names a missing id'
        for tag, name, target in scanner.references
        if target not in scanner.ids
    ]
    previous = 0
    for level in scanner.headings:
        if level > previous + 1:
            problems.append(f"h{level} after h{previous}" if previous else f"h{level} first")
        previous = level
    return problems
