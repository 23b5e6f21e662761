"""Filters of the drill pages: recorded times and figures as people read them."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def moment(value):
    """An ISO time of the results (or a datetime) as a local datetime; None stays None."""
    if not value:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(parsed) if parsed else None


@register.filter
def duration(seconds):
    """Seconds as m:ss (h:mm:ss from an hour); "—" where nobody answered."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def percent(rate):
    """A fraction (0.6667) as a percentage (66.7%); "—" when there was nobody to count."""
    if rate is None or rate == "":
        return "—"
    return f"{float(rate) * 100:.1f}%"
