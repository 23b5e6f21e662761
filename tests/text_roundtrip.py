"""What a stored text must look like where people read it back: a page, the API, an Atom feed."""

from __future__ import annotations

from defusedxml import ElementTree as ET
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape

ATOM = "{http://www.w3.org/2005/Atom}"


def atom_entries(response) -> list[dict[str, str]]:
    """Each entry's title and summary as a feed reader reads them (the XML must parse)."""
    assert response.status_code == 200, response.status_code
    root = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title") or "",
            "summary": entry.findtext(f"{ATOM}summary") or "",
            "summary_type": (
                entry.find(f"{ATOM}summary").get("type")
                if entry.find(f"{ATOM}summary") is not None
                else ""
            ),
        }
        for entry in root.iter(f"{ATOM}entry")
    ]


def in_page(text: str, html: str, *, multiline: bool = False) -> bool:
    """The text, escaped once (and its lines as <br> where the page keeps them), is on the page."""
    shown = linebreaksbr(text, autoescape=True) if multiline else escape(text)
    return str(shown) in html
