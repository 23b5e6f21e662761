"""Joint market-wide drills (共同演習): the plan, its participants, timed injects and the
drill board's status reports.

Drill reports live in their own table, never in the status board's: the real board, its cache,
its published copy, feeds and subscriptions cannot show what they never read. The figures of
a closed drill are frozen in ``Drill.results`` at close, so answers that come in later are kept
(as late) without changing the after-action report.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.marks import drill_marked

# The longest answer window a drill may have: 7 days.
ANSWER_MINUTES_MAX = 7 * 24 * 60
TITLE_MAX = 200
SCENARIO_MAX = 20_000


def _english() -> bool:
    return (get_language() or "ja").startswith("en")


class DrillState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    CLOSED = "closed", pgettext_lazy("drill state", "Closed")


class DrillAudience(models.TextChoices):
    MEMBERS = "members", _("Every active member")
    KINDS = "kinds", _("Organizations of these kinds")
    SEGMENTS = "segments", _("Participants of these segments")
    ORGANIZATIONS = "organizations", _("These organizations")
    COMMITTEES = "committees", _("Members of these committees")


class InjectKind(models.TextChoices):
    ALERT = "alert", _("Drill alert")
    CIRCULAR = "circular", _("Drill circular")


class Drill(models.Model):
    title_ja = models.CharField(_("title (Japanese)"), max_length=TITLE_MAX)
    title_en = models.CharField(_("title (English)"), max_length=TITLE_MAX, blank=True)
    scenario_ja = models.TextField(_("scenario (Japanese)"))
    scenario_en = models.TextField(_("scenario (English)"), blank=True)
    scenario_html_ja = models.TextField(editable=False, blank=True)
    scenario_html_en = models.TextField(editable=False, blank=True)
    audience = models.CharField(_("participants"), max_length=16, choices=DrillAudience.choices)
    # What was chosen to reach the participants (kinds, segments, committee codes).
    targeting = models.JSONField(_("chosen by"), default=dict, blank=True)
    announced = models.BooleanField(_("announced"), default=True)
    starts_at = models.DateTimeField(_("scheduled start"), null=True, blank=True, db_index=True)
    answer_minutes = models.PositiveIntegerField(
        _("answer window (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(ANSWER_MINUTES_MAX)],
    )
    incident_kind = models.CharField(_("incident kind"), max_length=16, default="earthquake")
    severity = models.PositiveSmallIntegerField(_("severity"), default=3)
    state = models.CharField(
        _("state"), max_length=16, choices=DrillState.choices, default=DrillState.PLANNED
    )
    incident = models.ForeignKey(
        "emergency_hq.Incident",
        verbose_name=_("drill incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    alert = models.ForeignKey(
        "alerts.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    planned_at = models.DateTimeField(_("planned at"), auto_now_add=True)
    started_at = models.DateTimeField(pgettext_lazy("drill", "started at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes from the HQ"), blank=True)
    # The figures as they stood at close (drills.results.Results.as_dict()): the record.
    results = models.JSONField(_("final figures"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["results", "scenario_html_ja", "scenario_html_en"])

    class Meta:
        ordering = ["-planned_at", "-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")

    def __str__(self) -> str:
        return self.display_title

    @property
    def title(self) -> str:
        return self.title_en if _english() and self.title_en else self.title_ja

    @property
    def display_title(self) -> str:
        return drill_marked(self.title, language="en" if _english() else "ja", is_drill=True)

    @property
    def scenario_html(self) -> str:
        return self.scenario_html_en if _english() and self.scenario_en else self.scenario_html_ja

    @property
    def is_running(self) -> bool:
        return self.state == DrillState.RUNNING

    @property
    def is_closed(self) -> bool:
        return self.state == DrillState.CLOSED

    @property
    def window_ends_at(self):
        from datetime import timedelta

        if self.started_at is None:
            return None
        return self.started_at + timedelta(minutes=self.answer_minutes)


class DrillParticipant(models.Model):
    """One organization taking part, with the test-day contact it named (SIFMA-style)."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="participants")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="drill_participations"
    )
    test_contact_name = models.CharField(_("test-day contact"), max_length=120, blank=True)
    test_contact_email = models.EmailField(_("test-day e-mail"), blank=True)
    test_contact_sms = models.CharField(_("test-day SMS number"), max_length=32, blank=True)
    test_contact_language = models.CharField(
        _("language"), max_length=2, choices=[("ja", "日本語"), ("en", "English")], default="ja"
    )
    # Kept by drills.board with each drill report, so the results read one row a participant.
    first_report_at = models.DateTimeField(_("first report (第1報)"), null=True, blank=True)
    functions_reported = models.PositiveSmallIntegerField(default=0)
    functions_total = models.PositiveSmallIntegerField(default=0)
    all_functions_at = models.DateTimeField(_("every function reported"), null=True, blank=True)
    history = HistoricalRecords(
        excluded_fields=[
            "first_report_at",
            "functions_reported",
            "functions_total",
            "all_functions_at",
        ]
    )

    class Meta:
        ordering = ["drill_id", "organization__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["drill", "organization"], name="drills_one_participation_per_drill"
            )
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.drill_id}:{self.organization_id}"

    @property
    def has_test_contact(self) -> bool:
        return bool(self.test_contact_email or self.test_contact_sms)


class DrillInject(models.Model):
    """A scenario update sent to every participant at an offset from the start."""

    drill = models.ForeignKey(Drill, on_delete=models.CASCADE, related_name="injects")
    offset_minutes = models.PositiveIntegerField(
        _("minutes after the start"), validators=[MaxValueValidator(ANSWER_MINUTES_MAX)]
    )
    kind = models.CharField(_("sent as"), max_length=16, choices=InjectKind.choices)
    title_ja = models.CharField(_("title (Japanese)"), max_length=TITLE_MAX)
    title_en = models.CharField(_("title (English)"), max_length=TITLE_MAX, blank=True)
    body_ja = models.TextField(_("text (Japanese)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    requires_ack = models.BooleanField(_("asks for an acknowledgement"), default=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    alert = models.ForeignKey(
        "alerts.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    circular = models.ForeignKey(
        "bulletin.Circular", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["drill_id", "offset_minutes", "id"]
        verbose_name = _("inject")
        verbose_name_plural = _("injects")

    def __str__(self) -> str:
        return f"{self.drill_id}+{self.offset_minutes}: {self.title_ja}"

    @property
    def title(self) -> str:
        return self.title_en if _english() and self.title_en else self.title_ja


class DrillStatusReport(models.Model):
    """A status posted for a drill: shown on that drill's board only. Append-only."""

    drill = models.ForeignKey(Drill, on_delete=models.PROTECT, related_name="reports")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="drill_reports"
    )
    function = models.ForeignKey(
        "organizations.BusinessFunction", on_delete=models.PROTECT, related_name="drill_reports"
    )
    status = models.CharField(_("status"), max_length=16)
    message = models.TextField(_("message"), blank=True)
    message_en = models.TextField(_("message (English)"), blank=True)
    expected_recovery_at = models.DateTimeField(_("expected recovery"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drill_reports"
    )
    source = models.CharField(_("source"), max_length=8)
    # After the answer window (the drill still running): counted, and shown as late.
    late = models.BooleanField(_("late"), default=False)

    is_drill = True

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["drill", "organization", "reported_at"], name="drill_report_org")
        ]
        verbose_name = _("drill status report")
        verbose_name_plural = _("drill status reports")

    def __str__(self) -> str:
        return f"{self.drill_id}/{self.organization_id}:{self.function_id} {self.status}"

    @property
    def localized_message(self) -> str:
        if _english() and self.message_en:
            return self.message_en
        return self.message
