"""Investors' e-mail subscriptions to public changes, and the changes waiting for a digest.

A ``Subscriber`` is one address (unique) with its language and choices; it is mailed nothing
but its confirmation until the confirm button is pressed (``confirmed_at``). Its personal links
carry ``<id>-<key>`` tokens: the key is random, kept only here, and dies with the row, so a
token is bound to one subscription. Unsubscribing deletes the row (and its outbox rows).

A ``PublicChange`` is what a digest lists: written on commit of a real, public change
(never a drill, never a members-only organization), then gathered by a ``Digest`` once the
coalescing window has passed.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_key() -> str:
    return secrets.token_urlsafe(24)


class Language(models.TextChoices):
    JA = "ja", "日本語"
    EN = "en", "English"


class Subscriber(models.Model):
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.JA
    )
    organizations = models.ManyToManyField(
        "organizations.Organization",
        verbose_name=_("organizations followed"),
        blank=True,
        related_name="+",
    )
    banner = models.BooleanField(_("market-wide banner"), default=False)
    # Circular categories followed (bulletin.Category codes, never "drill").
    categories = models.JSONField(_("circular categories"), default=list, blank=True)
    manage_key = models.CharField(max_length=64, default=new_key, editable=False)
    # Cleared once confirmed: a confirmation link works once.
    confirm_key = models.CharField(max_length=64, default=new_key, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return f"subscriber {self.pk}"

    @property
    def follows_everything(self) -> bool:
        return not self.banner and not self.categories and not self._organization_ids()

    def _organization_ids(self) -> set[int]:
        cached = getattr(self, "_prefetched_objects_cache", {}).get("organizations")
        if cached is not None:
            return {o.pk for o in cached}
        return set(self.organizations.values_list("pk", flat=True)) if self.pk else set()

    def manage_token(self) -> str:
        return f"{self.pk}-{self.manage_key}"

    def confirm_token(self) -> str:
        return f"{self.pk}-{self.confirm_key}"


class ChangeKind(models.TextChoices):
    STATUS = "status", _("Status change")
    CIRCULAR = "circular", _("Circular")
    BANNER = "banner", _("Market-wide announcement")


class PublicChange(models.Model):
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(max_length=16, blank=True)
    segment = models.CharField(max_length=16, blank=True)
    title_ja = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["digest", "created_at"], name="subs_change_pending")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title_ja}"

    def title_for(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_ja


class Digest(models.Model):
    """One coalescing window's changes; its alert holds one outbox row per subscriber."""

    created_at = models.DateTimeField(auto_now_add=True)
    alert_id = models.BigIntegerField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"digest {self.pk}"
