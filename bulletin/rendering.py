"""Circular bodies to safe HTML: the portal's one Markdown sanitizer (common.markdown)."""

from common.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, render_markdown, sanitize

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_SCHEMES", "render_markdown", "sanitize"]
