"""What the earthquake feed keeps: its rules, the quakes, every telegram read, what it asked.

A QuakeEvent is one earthquake (JMA EventID) linked to the incident it opened or joined (an
aftershock joins the open one). QuakeTelegram is the record of every telegram read, keyed for
dedupe. CriterionMark is a manual criterion marked met from a telegram, distinct from the HQ's
own ManualDeclaration until the HQ confirms or rejects it. ReportRequest asks one organization
to report; its alert is sent after commit, one round per rise in intensity.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from . import intensity
from .intensity import Intensity


class QuakeRule(models.Model):
    """When a telegram acts: at least this intensity in these areas (kept by jsda_admin)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    min_intensity = models.CharField(
        _("intensity at least"), max_length=2, choices=Intensity.choices
    )
    areas = models.JSONField(
        _("JMA areas"),
        default=list,
        blank=True,
        help_text=_('JMA seismic area codes, e.g. ["350"]; empty: every area.'),
    )
    member_sites_only = models.BooleanField(
        _("only where a member has a site"),
        default=True,
        help_text=_("Count an area only when an active organization has a site there."),
    )
    opens_incident = models.BooleanField(
        _("open or update the incident"),
        default=True,
        help_text=_("Open (or update) the earthquake incident and alert HQ and regulators."),
    )
    requests_reports = models.BooleanField(
        _("ask affected organizations to report"),
        default=True,
        help_text=_("Send a request to report to organizations with a site in the areas hit."),
    )
    criterion = models.ForeignKey(
        "emergency_hq.ActivationCriterion",
        verbose_name=_("manual criterion to mark met"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quake_rules",
        limit_choices_to={"kind": "manual"},
        help_text=_("Marked met from the telegram, awaiting the HQ's confirmation."),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("earthquake rule")
        verbose_name_plural = _("earthquake rules")

    def __str__(self) -> str:
        return f"{self.code} {self.label_ja}"

    def clean(self):
        from organizations.models import JmaArea

        errors = {}
        codes = self.areas if isinstance(self.areas, list) else None
        if codes is None or not all(isinstance(c, str) for c in codes):
            errors["areas"] = _('List the area codes as text, e.g. ["350", "351"].')
        else:
            known = set(JmaArea.objects.filter(code__in=codes).values_list("code", flat=True))
            unknown = sorted(set(codes) - known)
            if unknown:
                errors["areas"] = _("Unknown JMA area code: %(codes)s") % {
                    "codes": ", ".join(unknown)
                }
        if self.criterion_id and self.criterion.kind != "manual":
            errors["criterion"] = _("Only a manual criterion can be marked from a telegram.")
        if not (self.opens_incident or self.requests_reports or self.criterion_id):
            errors["opens_incident"] = _("A rule has to do something: choose at least one action.")
        if errors:
            raise ValidationError(errors)


class QuakeEvent(models.Model):
    """One earthquake as JMA names it (EventID), and the incident it belongs to."""

    event_id = models.CharField(_("JMA EventID"), max_length=40)
    is_drill = models.BooleanField(_("drill"), default=False)
    incident = models.ForeignKey(
        "emergency_hq.Incident", on_delete=models.PROTECT, related_name="quake_events"
    )
    # The incident was opened for this quake (so the feed may retitle it), not joined.
    opened_incident = models.BooleanField(default=False)
    main_event = models.ForeignKey(
        "self",
        verbose_name=_("aftershock of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aftershocks",
    )
    origin_at = models.DateTimeField(_("origin time"), db_index=True)
    max_int = models.CharField(_("maximum intensity"), max_length=2, blank=True)
    # The strongest intensity among the areas where a rule that opens incidents matched,
    # and those areas' codes (strongest first): what the incident's title is made of.
    acted_int = models.CharField(max_length=2, blank=True)
    acted_areas = models.JSONField(default=list, blank=True)
    areas = models.JSONField(default=list, blank=True)
    hypocentre = models.JSONField(default=dict, blank=True)
    headline = models.TextField(blank=True)
    # Which telegram the fields above come from: VXSE53 beats VXSE51, then the higher serial.
    authority_kind = models.CharField(max_length=8, blank=True)
    authority_serial = models.PositiveIntegerField(default=0)
    withdrawn_at = models.DateTimeField(_("withdrawn by JMA"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["origin_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "is_drill"], name="unique_quake_event")
        ]
        verbose_name = _("earthquake")
        verbose_name_plural = _("earthquakes")

    def __str__(self) -> str:
        return f"{self.event_id} {intensity.label(self.max_int)}"

    @property
    def max_label(self) -> str:
        return intensity.label_active(self.max_int)


class Outcome(models.TextChoices):
    OPENED = "opened", _("Opened the incident")
    ATTACHED = "attached", _("Joined the open incident (aftershock)")
    UPDATED = "updated", _("Updated the incident")
    ESCALATED = "escalated", _("Raised the incident's intensity")
    CORRECTED = "corrected", _("Corrected the incident (訂正)")
    WITHDRAWN = "withdrawn", _("Withdrawn by JMA (取消)")
    SUPERSEDED = "superseded", _("Older than what is known: kept for the record")
    BELOW_RULES = "below_rules", _("Below every rule: nothing to do")
    TEST = "test", _("Test telegram (試験): ignored")
    DRILL_IGNORED = "drill_ignored", _("Drill telegram (訓練) while no drill runs: ignored")
    CANCEL_UNKNOWN = "cancel_unknown", _("Cancels a quake never acted on: ignored")


class QuakeTelegram(models.Model):
    """Every seismic-intensity telegram read: its dedupe key, what it said, what was done."""

    event_id = models.CharField(_("JMA EventID"), max_length=40, db_index=True)
    kind = models.CharField(_("telegram"), max_length=8)
    serial = models.PositiveIntegerField(_("serial"))
    info_type = models.CharField(_("information type"), max_length=4)
    status = models.CharField(_("status"), max_length=4)
    reported_at = models.DateTimeField(pgettext_lazy("telegram", "issued at"))
    origin_at = models.DateTimeField(_("origin time"), null=True, blank=True)
    max_int = models.CharField(_("maximum intensity"), max_length=2, blank=True)
    areas = models.JSONField(default=list, blank=True)
    hypocentre = models.JSONField(default=dict, blank=True)
    headline = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    source = models.CharField(_("read from"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("read at"), auto_now_add=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    quake = models.ForeignKey(
        QuakeEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="telegrams"
    )
    hq_alert = models.ForeignKey(
        "alerts.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    users_mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "kind", "serial", "info_type", "status"],
                name="unique_quake_telegram",
            )
        ]
        verbose_name = _("JMA telegram")
        verbose_name_plural = _("JMA telegrams")

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id} #{self.serial} {self.info_type} ({self.status})"


class MarkState(models.TextChoices):
    PENDING = "pending", _("From JMA, awaiting HQ confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the HQ")
    REJECTED = "rejected", _("Rejected by the HQ")
    WITHDRAWN = "withdrawn", _("Withdrawn (JMA cancelled or corrected)")


class CriterionMark(models.Model):
    """A manual criterion marked met from a JMA telegram; the HQ confirms or rejects it."""

    incident = models.ForeignKey(
        "emergency_hq.Incident", on_delete=models.CASCADE, related_name="criterion_marks"
    )
    criterion = models.ForeignKey(
        "emergency_hq.ActivationCriterion", on_delete=models.PROTECT, related_name="+"
    )
    quake = models.ForeignKey(QuakeEvent, on_delete=models.PROTECT, related_name="marks")
    telegram = models.ForeignKey(QuakeTelegram, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(
        QuakeRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=MarkState.choices, default=MarkState.PENDING
    )
    evidence = models.CharField(_("observed"), max_length=300)
    marked_at = models.DateTimeField(_("marked at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declaration = models.ForeignKey(
        "emergency_hq.ManualDeclaration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["marked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "criterion"],
                condition=Q(state="pending"),
                name="one_pending_mark_per_criterion",
            )
        ]
        verbose_name = _("criterion marked from JMA")
        verbose_name_plural = _("criteria marked from JMA")

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.criterion_id} {self.state}"


class ReportRequest(models.Model):
    """One organization asked to report because a quake hit where it has a site."""

    incident = models.ForeignKey(
        "emergency_hq.Incident", on_delete=models.CASCADE, related_name="report_requests"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="report_requests"
    )
    quake = models.ForeignKey(QuakeEvent, on_delete=models.PROTECT, related_name="report_requests")
    is_drill = models.BooleanField(default=False)
    intensity = models.CharField(_("intensity"), max_length=2)
    area_codes = models.JSONField(default=list)
    requested_at = models.DateTimeField(_("requested at"), db_index=True)
    # Each rise in intensity is one more round; the sender brings sent_round up to round.
    round = models.PositiveSmallIntegerField(default=1)
    sent_round = models.PositiveSmallIntegerField(default=0)
    alert = models.ForeignKey(
        "alerts.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident_id", "organization__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "organization"], name="one_report_request_per_incident"
            )
        ]
        indexes = [models.Index(fields=["organization", "withdrawn_at"], name="quake_request_org")]
        verbose_name = _("request to report")
        verbose_name_plural = _("requests to report")

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.organization_id} {self.intensity}"

    @property
    def intensity_label(self) -> str:
        return intensity.label_active(self.intensity)


class QuakeFeedState(models.Model):
    """The conditional-request state of one polled feed (ETag, Last-Modified)."""

    url = models.CharField(max_length=500, unique=True)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.url


class QuakeFeedEntry(models.Model):
    """A telegram URL already fetched: JMA asks clients never to download one twice."""

    url = models.CharField(max_length=500, unique=True)
    fetched_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=300, blank=True)
    telegram = models.ForeignKey(
        QuakeTelegram, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return self.url
