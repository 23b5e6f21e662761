"""Absolute links for messages that leave the portal (e-mail, SMS, webhooks, feeds)."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """``path`` on the portal's public address (SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def absolute_reverse(name: str, *args) -> str:
    return absolute_url(reverse(name, args=args))
