"""Operational status codes of DESIGN §3: stable codes, labels, icons and severity."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The statuses a reporter may post, least severe first."""

    NORMAL = "normal", _("Operating normally")
    BACKUP_SITE = "backup_site", _("Operating from backup site")
    DEGRADED = "degraded", _("Impaired / partial")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


# Derived, never posted: no report since the incident began (or ever).
NOT_REPORTED = "not_reported"
NOT_REPORTED_LABEL = _("Not reported")

# Every code shown on a board, in display order (most severe last, not_reported at the end).
ALL_CODES = [s.value for s in Status] + [NOT_REPORTED]

# Higher is worse; not_reported ranks just above normal (we do not know, so it is no comfort).
SEVERITY = {
    Status.NORMAL: 0,
    NOT_REPORTED: 1,
    Status.BACKUP_SITE: 2,
    Status.DEGRADED: 3,
    Status.SUSPENDED: 4,
    Status.CLOSED: 5,
}

# Shapes, so that no status is told apart by colour alone.
ICONS = {
    Status.NORMAL: "●",
    Status.BACKUP_SITE: "◆",
    Status.DEGRADED: "▲",
    Status.SUSPENDED: "■",
    Status.CLOSED: "✕",
    NOT_REPORTED: "?",
}


def label(code: str) -> str:
    if code == NOT_REPORTED:
        return str(NOT_REPORTED_LABEL)
    return str(Status(code).label)


def is_impaired(code: str) -> bool:
    """Anything reported that is not normal operation."""
    return code not in (Status.NORMAL, NOT_REPORTED)


class Source(models.TextChoices):
    WEB = "web", _("Browser")
    API = "api", _("API")
