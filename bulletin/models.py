"""Circulars (通達): numbered per fiscal year, bilingual, with audiences and receipts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .storage import attachment_path, protected_storage


class Category(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency measures")
    MARKET_RULE = "market_rule", _("Market rules and special measures")
    DRILL = "drill", _("Joint drill")
    GENERAL = "general", _("General notice")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone (public)")
    MEMBERS = "members", _("All members")
    ORGANIZATIONS = "organizations", _("Listed organizations")
    KINDS = "kinds", _("Organizations of these kinds")
    COMMITTEES = "committees", _("Member organizations of these committees")


# Audiences whose recipients are resolved (and frozen) when the circular is published.
TARGETED_AUDIENCES = (Audience.ORGANIZATIONS, Audience.KINDS, Audience.COMMITTEES)


class CircularCounter(models.Model):
    """The last number given in one fiscal year; locked while the next one is taken."""

    fiscal_year = models.PositiveSmallIntegerField(primary_key=True)
    last_sequence = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.last_sequence}"


class Circular(models.Model):
    number = models.CharField(_("number"), max_length=16, unique=True, editable=False)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_ja = models.TextField(_("body (Japanese, Markdown)"))
    body_en = models.TextField(_("body (English, Markdown)"), blank=True)
    # Rendered and sanitized once, when the body is written.
    body_html_ja = models.TextField(editable=False, blank=True)
    body_html_en = models.TextField(editable=False, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    kinds = models.JSONField(_("organization kinds"), default=list, blank=True)
    committees = models.ManyToManyField(
        "organizations.Committee", blank=True, related_name="circulars"
    )
    recipients = models.ManyToManyField(
        "organizations.Organization",
        through="CircularRecipient",
        related_name="circulars_received",
        blank=True,
    )
    issuer_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("issuing organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circulars_issued",
        help_text=_("Empty for market-wide circulars of the BCP Forum secretariat."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), db_index=True)
    requires_ack = models.BooleanField(_("requires acknowledgement"), default=False)
    ack_deadline = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    revision_note = models.CharField(_("what changed"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    history = HistoricalRecords(excluded_fields=["body_html_ja", "body_html_en", "updated_at"])

    class Meta:
        ordering = ["-published_at", "-sequence"]
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "sequence"], name="unique_circular_sequence_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title_ja}"

    def _english(self) -> bool:
        return (get_language() or "ja").startswith("en")

    @property
    def title(self) -> str:
        return self.title_en if self._english() and self.title_en else self.title_ja

    @property
    def body_html(self) -> str:
        return self.body_html_en if self._english() and self.body_en else self.body_html_ja

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_targeted(self) -> bool:
        return self.audience in TARGETED_AUDIENCES


class CircularRecipient(models.Model):
    """One organization a circular went to: its read receipt (既読) and acknowledgement."""

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="receipts")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="circular_receipts"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who answered when it was not a portal user: the contact who followed the alert's link.
    acknowledged_by_name = models.CharField(_("acknowledged by"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organization__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["circular", "organization"], name="unique_receipt_per_organization"
            )
        ]
        indexes = [models.Index(fields=["organization", "acknowledged_at"])]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"{self.circular.number}:{self.organization.code}"

    @property
    def acknowledger(self) -> str:
        """Who acknowledged: the account, or the contact who answered the alert's link."""
        if self.acknowledged_by is not None:
            return self.acknowledged_by.get_username()
        return self.acknowledged_by_name

    @property
    def state(self) -> str:
        if self.acknowledged_at:
            return "acknowledged"
        if self.read_at:
            return "read"
        return "pending"


class CircularAttachment(models.Model):
    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=protected_storage, upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
