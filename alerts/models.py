"""Alerts: the outbox of deliveries fanned out along each organization's contact tree.

An alert freezes, in one transaction, a snapshot of every target organization's contact tree
(AlertTarget.snapshot, read through ``alerts.snapshot.ContactTreeSnapshot``) and one Delivery
row per contact x channel x escalation step. Workers only ever read the snapshot, so edits to
the contact tree during an incident never change a running alert.

The tables keep the names they had when alerts lived in the emergency HQ app (``db_table``),
so moving the code moved no data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.markdown import render_markdown
from common.marks import drill_marked

from .snapshot import ContactTreeSnapshot


def _language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


@dataclass(frozen=True)
class AlertSource:
    """What an alert was sent for, as the sender names it: alerts knows nothing more of it.

    ``kind`` is the sender's word (``circular``, ``decision``, ``convening``, ``drill``...),
    ``id`` its key, ``label`` what HQ staff read on the alert's page.
    """

    kind: str
    id: str | int
    label: str = ""


class EscalationPolicy(models.Model):
    """How long each step of the contact tree gets before the next step is alerted."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    step_minutes = models.JSONField(
        _("minutes per step"),
        default=list,
        help_text=_(
            "Minutes to wait for an acknowledgement at each step before alerting the next "
            "order of contacts, e.g. [10, 15, 30]; the last value repeats."
        ),
    )
    max_steps = models.PositiveSmallIntegerField(
        _("maximum steps"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    history = HistoricalRecords(table_name="emergency_hq_historicalescalationpolicy")

    class Meta:
        db_table = "emergency_hq_escalationpolicy"
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name

    def minutes_for(self, step: int) -> int:
        values = [int(v) for v in (self.step_minutes or []) if int(v) > 0] or [15]
        return values[min(step, len(values)) - 1]


class Alert(models.Model):
    subject_ja = models.CharField(_("subject (Japanese)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_ja = models.TextField(_("message (Japanese)"))
    body_en = models.TextField(_("message (English)"), blank=True)
    source_kind = models.CharField(_("sent for"), max_length=32, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    source_label = models.CharField(_("sent for"), max_length=200, blank=True)
    requires_ack = models.BooleanField(_("requires acknowledgement"), default=True)
    deadline = models.DateTimeField(_("answer by"), null=True, blank=True)
    policy = models.ForeignKey(
        EscalationPolicy,
        verbose_name=_("escalation policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
    )
    is_drill = models.BooleanField(_("drill"), default=False)
    targeting = models.JSONField(_("targets"), default=dict, blank=True)
    # Sent to individual addresses with messages of their own (``alert_send_messages``), not
    # to organizations: no HQ page or alert API lists it (the addresses are private).
    to_addresses = models.BooleanField(default=False, editable=False)
    resend_round = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    history = HistoricalRecords(table_name="emergency_hq_historicalalert")

    class Meta:
        db_table = "emergency_hq_alert"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source_kind", "source_id"], name="alert_source")]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return self.subject_for("ja")

    @property
    def source(self) -> AlertSource | None:
        if not self.source_kind:
            return None
        return AlertSource(self.source_kind, self.source_id, self.source_label)

    def subject_for(self, language: str) -> str:
        """The subject in that language (Japanese when there is no English), drill-marked here
        and only here."""
        language = "en" if language == "en" and self.subject_en else "ja"
        subject = self.subject_en if language == "en" else self.subject_ja
        return drill_marked(subject, language=language, is_drill=self.is_drill)

    def body_for(self, language: str) -> str:
        return self.body_en if language == "en" and self.body_en else self.body_ja

    @property
    def subject(self) -> str:
        return self.subject_for(_language())

    @property
    def body(self) -> str:
        return self.body_for(_language())

    @property
    def body_html(self) -> str:
        """The body as circulars render theirs (Markdown, one sanitizer), links clickable."""
        return mark_safe(render_markdown(self.body, autolink=True))  # noqa: S308 — sanitized


class AckAnswer(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WORKING = "working", _("Working on it")
    NEED_SUPPORT = "need_support", _("Need support")


class AlertTarget(models.Model):
    """One organization an alert goes to, with its frozen contact tree and its answer."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="targets")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="alert_targets"
    )
    # The contact tree as it was when the alert was sent: ContactTreeSnapshot.to_json().
    snapshot = models.JSONField(default=dict)
    last_step = models.PositiveSmallIntegerField(default=1)
    current_step = models.PositiveSmallIntegerField(default=1)
    escalate_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("first acknowledged"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=16, choices=AckAnswer.choices, blank=True)
    answered_at = models.DateTimeField(_("last answered"), null=True, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=200, blank=True)
    late = models.BooleanField(_("late"), default=False)
    # Nobody to send to: no active contact with e-mail or SMS and no webhook. Shown to HQ.
    unreachable = models.BooleanField(_("unreachable"), default=False)

    class Meta:
        db_table = "emergency_hq_alerttarget"
        ordering = ["organization__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "organization"], name="unique_alert_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}:{self.organization_id}"

    @cached_property
    def tree(self) -> ContactTreeSnapshot:
        return ContactTreeSnapshot.from_json(self.snapshot)


class Channel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("channel", "E-mail")
    WEBHOOK = "webhook", _("Webhook")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    HELD = "held", _("Waiting for escalation")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Not needed")


class Delivery(models.Model):
    """One message to one address: the outbox row a worker claims, sends and marks."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    # None for a message to an individual address (``Alert.to_addresses``).
    target = models.ForeignKey(
        AlertTarget, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    step = models.PositiveSmallIntegerField(default=1)
    resend_round = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # Contact / WebhookEndpoint id in the snapshot; 0 when the delivery is not of that kind.
    contact_key = models.BigIntegerField(default=0)
    webhook_key = models.BigIntegerField(default=0)
    recipient = models.CharField(_("recipient"), max_length=200)
    address = models.CharField(_("address"), max_length=500)
    language = models.CharField(max_length=2, default="ja")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    due_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("reason"), max_length=500, blank=True)
    # A message of its own ({"subject", "body", "headers"}), sent as is instead of the alert's
    # text: set only on the rows of an ``Alert.to_addresses`` alert.
    message = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "emergency_hq_delivery"
        ordering = ["target_id", "step", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="delivery_status_due"),
            models.Index(fields=["status", "claimed_at"], name="delivery_status_claimed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "channel", "contact_key", "webhook_key", "step", "resend_round"],
                name="unique_delivery_per_round",
            ),
            # A message to an address is written once per alert: contact_key is the sender's
            # key of the addressee (a subscriber).
            models.UniqueConstraint(
                fields=["alert", "contact_key"],
                condition=models.Q(target__isnull=True),
                name="unique_message_per_alert",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address} ({self.status})"

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiver can drop a copy of a message it already has."""
        return f"<alert{self.alert_id}.delivery{self.pk}@bcpweb>"


class Acknowledgement(models.Model):
    """Every answer given, by link or in the portal; AlertTarget keeps the summary."""

    target = models.ForeignKey(AlertTarget, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(_("answer"), max_length=16, choices=AckAnswer.choices)
    contact_key = models.BigIntegerField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.CharField(max_length=200)
    via = models.CharField(max_length=16)  # "link", "portal" or "api"
    note = models.CharField(_("note"), max_length=500, blank=True)
    late = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "emergency_hq_acknowledgement"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.answer} ({self.answered_by})"
