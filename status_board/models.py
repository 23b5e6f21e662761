"""Append-only status reports and the current status per (organization, function).

A ``StatusReport`` is never edited or deleted by the portal: it *is* the attributed history.
``CurrentStatus`` is a denormalised pointer to the latest report of each pair, written in the
same transaction under a row lock so that concurrent posts cannot lose the latest one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .vocabulary import Source, Status

MESSAGE_MAX_LENGTH = 2000


class LocalizedMessage:
    @property
    def localized_message(self) -> str:
        if (get_language() or "ja").startswith("en") and self.message_en:
            return self.message_en
        return self.message


class StatusReport(LocalizedMessage, models.Model):
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="status_reports",
        verbose_name=_("organization"),
    )
    function = models.ForeignKey(
        "organizations.BusinessFunction",
        on_delete=models.PROTECT,
        related_name="status_reports",
        verbose_name=_("business function"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    message_en = models.TextField(_("message (English)"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    expected_recovery_at = models.DateTimeField(_("expected recovery"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="status_reports",
        verbose_name=_("reported by"),
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "function", "-reported_at"], name="sb_report_org_fn_time"
            ),
        ]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.function_id} {self.status} @ {self.reported_at}"


class CurrentStatus(LocalizedMessage, models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="current_statuses"
    )
    function = models.ForeignKey(
        "organizations.BusinessFunction", on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(StatusReport, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    message = models.TextField(_("message"), blank=True)
    message_en = models.TextField(_("message (English)"), blank=True)
    expected_recovery_at = models.DateTimeField(_("expected recovery"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"))
    # When the function last left normal operation; None while it is normal.
    impaired_since = models.DateTimeField(_("impaired since"), null=True, blank=True)
    # When a reporter last said again that this status still holds (the report form sent it
    # unchanged): no new report, so timelines and feeds show changes only. None until then,
    # and again after each change.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "function"], name="sb_one_current_per_function"
            )
        ]
        verbose_name = _("current status")
        verbose_name_plural = _("current statuses")

    def __str__(self) -> str:
        return f"{self.organization_id}:{self.function_id} {self.status}"
