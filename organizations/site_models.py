"""JMA's seismic areas (地震情報／細分区域) and the organizations' sites in them: what the
earthquake feed (emergency_hq/quake) matches telegrams against."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .bilingual import BilingualName
from .vocabulary import SiteKind


class JmaArea(BilingualName, models.Model):
    """One area of JMA's seismic information (地震情報／細分区域), e.g. 350 東京都２３区.

    Reference data: the shipped table (organizations/data/jma_areas.csv) is loaded by a data
    migration and refreshed from JMA's own table with ``manage.py load_jma_areas PATH``.
    """

    code = models.CharField(
        _("code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{3}$", _("A JMA area code has three digits."))],
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    prefecture_code = models.CharField(_("prefecture code"), max_length=2, blank=True)
    prefecture_ja = models.CharField(_("prefecture (Japanese)"), max_length=10, blank=True)
    prefecture_en = models.CharField(_("prefecture (English)"), max_length=20, blank=True)
    # JMA retires codes now and then; sites keep pointing at the old row.
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("JMA seismic area")
        verbose_name_plural = _("JMA seismic areas")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ja}"


class OrganizationSite(models.Model):
    """Where an organization works (head office, data centre, backup site), as a JMA area."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="sites"
    )
    kind = models.CharField(_("site"), max_length=16, choices=SiteKind.choices)
    # Keyed by the JMA code itself: telegrams name areas by code, so no join is needed.
    area = models.ForeignKey(
        JmaArea,
        verbose_name=_("JMA seismic area"),
        to_field="code",
        on_delete=models.PROTECT,
        related_name="sites",
    )
    label = models.CharField(
        _("label"), max_length=200, blank=True, help_text=_("e.g. Osaka backup centre")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__code", "kind", "area__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "area"], name="unique_site_per_organization"
            )
        ]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.organization.code}:{self.kind}@{self.area_id}"
