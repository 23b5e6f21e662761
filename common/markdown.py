"""Markdown bodies to safe HTML: python-markdown renders, nh3 keeps only what is allowed.

One sanitizer for every body a person writes and others read: circulars, alerts, drills."""

from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
# No event handlers, no style, no class, no id: only what a document needs.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# A bare address, not already the target or text of a Markdown link or an autolink.
_BARE_URL = re.compile(
    r"(?<![<(\[\]=\"'/\w`])(https?://[^\s<>()\[\]\"'`]+[^\s<>()\[\]\"'`.,;:!?、。])"
)


def render_markdown(text: str, *, autolink: bool = False) -> str:
    """Markdown to sanitized HTML; raw HTML in the source goes through the same filter.

    With ``autolink`` bare addresses become links (alert bodies carry them on their own)."""
    if not text:
        return ""
    if autolink:
        text = _BARE_URL.sub(r"<\1>", text)
    html = markdown.markdown(
        text, extensions=["extra", "sane_lists", "nl2br"], output_format="html"
    )
    return sanitize(html)


_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


def nest_headings(html: str, under: int) -> str:
    """Headings of a sanitized body moved below the page's heading of level ``under``.

    The body's top heading becomes level ``under + 1`` and none goes down more than one level
    from the one before (``## A`` then ``#### B`` read as h2, h3), so a screen reader's outline
    has no gap. The sanitizer leaves headings without attributes, hence the plain pattern."""
    levels = [int(level) for closing, level in _HEADING_TAG.findall(html) if not closing]
    if not levels:
        return html
    shift = under + 1 - min(levels)
    previous = under  # the level of the heading last opened (headings never nest)

    def repl(match: re.Match) -> str:
        nonlocal previous
        if match.group(1):
            return f"</h{previous}>"
        previous = min(int(match.group(2)) + shift, previous + 1, 6)
        return f"<h{previous}>"

    return _HEADING_TAG.sub(repl, html)
