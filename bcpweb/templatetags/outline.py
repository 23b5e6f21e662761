"""Bodies people wrote, placed in the page's outline of headings."""

from django import template
from django.utils.safestring import mark_safe

from common.markdown import nest_headings as _nest_headings

register = template.Library()


@register.filter
def nest_headings(html: str, under: int) -> str:
    """``{{ body_html|nest_headings:1 }}`` under the page's h1: the body's headings from h2."""
    return mark_safe(_nest_headings(str(html), int(under)))  # noqa: S308 — sanitized bodies only
