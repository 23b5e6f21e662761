"""Stable codes of DESIGN §3, with labels in Japanese first and English second."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    JSDA = "jsda", _("Japan Securities Dealers Association")
    EXCHANGE = "exchange", _("Stock exchange")
    PTS = "pts", _("Proprietary trading system")
    CLEARING = "clearing", _("Clearing organization")
    DEPOSITORY = "depository", _("Central securities depository")
    SECURITIES_FIRM = "securities_firm", _("Securities firm")
    BANK = "bank", _("Bank")
    CENTRAL_BANK = "central_bank", _("Bank of Japan")
    REGULATOR = "regulator", _("Financial Services Agency")


# Market infrastructures come first on every board; they also may issue notices.
INFRASTRUCTURE_KINDS = (
    OrganizationKind.EXCHANGE,
    OrganizationKind.PTS,
    OrganizationKind.CLEARING,
    OrganizationKind.DEPOSITORY,
    OrganizationKind.CENTRAL_BANK,
)
ISSUER_KINDS = (
    OrganizationKind.EXCHANGE,
    OrganizationKind.PTS,
    OrganizationKind.CLEARING,
    OrganizationKind.DEPOSITORY,
)


class Segment(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange trading")
    BOND = "bond", _("Bond trading")
    OTC = "otc", _("Off-exchange trading (incl. PTS)")
    ALL = "all", _("All segments")


# The segments an organization can take part in; "all" is only a decision scope.
PARTICIPATION_SEGMENTS = [(s.value, s.label) for s in Segment if s != Segment.ALL]


class Language(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")


class BackupSiteKind(models.TextChoices):
    NONE = "none", _("No backup site")
    HOT = "hot", _("Hot site (runs in parallel)")
    WARM = "warm", _("Warm site (switch-over in hours)")
    COLD = "cold", _("Cold site (set up on demand)")
    CLOUD = "cloud", _("Cloud region")


class BackupFrequency(models.TextChoices):
    REALTIME = "realtime", _("Real-time replication")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class SiteKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    DATA_CENTRE = "data_centre", _("Data centre")
    BACKUP_SITE = "backup_site", _("Backup site")
