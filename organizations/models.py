import base64
import binascii

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.netguard import UnresolvableHost, UnsafeURL, check_webhook_url

from .bilingual import BilingualName
from .vocabulary import (
    PARTICIPATION_SEGMENTS,
    BackupFrequency,
    BackupSiteKind,
    Language,
    OrganizationKind,
)

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]{1,31}$",
    _("Use 2–32 upper-case letters, digits, '-' or '_'."),
)
function_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{1,47}$", _("Use lower-case letters, digits and '_'.")
)


class Organization(BilingualName, models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    is_public = models.BooleanField(
        _("shown on the public board"),
        default=False,
        help_text=_("Public organizations appear to investors on the public status board."),
    )
    active = models.BooleanField(_("active"), default=True)
    website = models.URLField(_("website"), blank=True)
    address_ja = models.CharField(_("head office address (Japanese)"), max_length=300, blank=True)
    address_en = models.CharField(_("head office address (English)"), max_length=300, blank=True)
    functions = models.ManyToManyField(
        "BusinessFunction", through="OrganizationFunction", related_name="organizations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        permissions = [
            ("reporter", _("Report status and keep contacts and BCP profile")),
            ("viewer", _("Read the members' area")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_ja}"

    def save(self, *args, **kwargs):
        self.code = (self.code or "").strip().upper()
        super().save(*args, **kwargs)


class SegmentParticipation(models.Model):
    """An organization's part in a market segment; weights feed the activation criteria."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="segments"
    )
    segment = models.CharField(_("segment"), max_length=16, choices=PARTICIPATION_SEGMENTS)
    weight = models.DecimalField(
        _("share of trading value (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    retail_weight = models.DecimalField(
        _("share of retail trading (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__code", "segment"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "segment"], name="unique_segment_per_organization"
            )
        ]
        verbose_name = _("segment participation")
        verbose_name_plural = _("segment participations")

    def __str__(self) -> str:
        return f"{self.organization.code}:{self.segment}"


class BusinessFunction(BilingualName, models.Model):
    code = models.CharField(
        _("code"), max_length=48, unique=True, validators=[function_code_validator]
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    default_kinds = models.JSONField(
        _("default for kinds"),
        default=list,
        blank=True,
        help_text=_("Organization kinds that report this function by default."),
    )
    default_rto_minutes = models.PositiveIntegerField(
        _("default RTO (minutes)"), null=True, blank=True
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("business function")
        verbose_name_plural = _("business functions")

    def __str__(self) -> str:
        return f"{self.code} {self.name_ja}"


class OrganizationFunction(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="organization_functions"
    )
    function = models.ForeignKey(
        BusinessFunction, on_delete=models.PROTECT, related_name="organization_functions"
    )
    rto_minutes = models.PositiveIntegerField(
        _("RTO (minutes)"),
        null=True,
        blank=True,
        help_text=_("Recovery time objective for this function."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__code", "function__display_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "function"], name="unique_function_per_organization"
            )
        ]
        verbose_name = _("reported function")
        verbose_name_plural = _("reported functions")

    def __str__(self) -> str:
        return f"{self.organization.code}:{self.function.code}"

    @property
    def effective_rto_minutes(self) -> int | None:
        return (
            self.rto_minutes if self.rto_minutes is not None else self.function.default_rto_minutes
        )


class Contact(models.Model):
    """One person in an organization's emergency contact tree (緊急時連絡網)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    sms_number = models.CharField(_("SMS number"), max_length=32, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.JA
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=1, help_text=_("1 is called first; higher numbers are escalation.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__code", "order", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.organization.code}: {self.name}"


class WebhookEndpoint(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        help_text=_("Used to sign each request with HMAC-SHA256."),
    )
    active = models.BooleanField(_("active"), default=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["organization__code", "url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return f"{self.organization.code}: {self.url}"

    def clean(self):
        errors = {}
        try:
            check_webhook_url(self.url)
        except UnresolvableHost:
            pass  # checked again at every send, once the name resolves
        except UnsafeURL as error:
            errors["url"] = str(error)
        if self.secret.startswith("whsec_"):
            try:
                base64.b64decode(self.secret[len("whsec_") :] + "==", validate=True)
            except binascii.Error:
                errors["secret"] = _("A whsec_ secret is base64 after its prefix.")
        if errors:
            raise ValidationError(errors)


class BcpProfile(models.Model):
    """The peacetime BCP profile: the items of the JSDA guideline."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="bcp_profile"
    )
    plan_version = models.CharField(_("BCP plan version"), max_length=40, blank=True)
    plan_reviewed_on = models.DateField(_("last review of the plan"), null=True, blank=True)
    hq_location = models.CharField(_("BCP headquarters location"), max_length=200, blank=True)
    hq_alternate_location = models.CharField(
        _("alternate headquarters location"), max_length=200, blank=True
    )
    backup_site_kind = models.CharField(
        _("backup site"),
        max_length=16,
        choices=BackupSiteKind.choices,
        default=BackupSiteKind.NONE,
    )
    backup_site_location = models.CharField(_("backup site location"), max_length=200, blank=True)
    backup_site_distance_km = models.PositiveIntegerField(
        _("distance from head office (km)"), null=True, blank=True
    )
    data_backup_frequency = models.CharField(
        _("critical-data backup frequency"),
        max_length=16,
        choices=BackupFrequency.choices,
        blank=True,
    )
    data_backup_offsite = models.BooleanField(_("backups kept off-site"), default=False)
    last_restore_test_on = models.DateField(_("last restore test"), null=True, blank=True)
    last_internal_drill_on = models.DateField(_("last internal drill"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("BCP profile")
        verbose_name_plural = _("BCP profiles")

    def __str__(self) -> str:
        return f"BCP {self.organization.code}"


class Committee(BilingualName, models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    segment = models.CharField(
        _("segment"), max_length=16, choices=PARTICIPATION_SEGMENTS, blank=True
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subcommittees"
    )
    members = models.ManyToManyField(Organization, related_name="committees", blank=True)
    display_order = models.PositiveSmallIntegerField(default=100)
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name_ja


def _register_role_history() -> None:
    """Keep who-granted-what for users and their per-organization roles as well."""
    from django.contrib.auth.models import User
    from guardian.models import UserObjectPermission
    from simple_history import register

    register(User, app="organizations", m2m_fields=["groups"], excluded_fields=["last_login"])
    register(UserObjectPermission, app="organizations")


_register_role_history()


class TwoFactorEnrolment(models.Model):
    """A one-time link that lets one HQ or admin account enrol its first second factor.

    Only a digest of the link's secret is kept; the link itself is shown once, to whoever
    issued it (an administrator in Django admin, or ``add_member`` on the shell).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_enrolments"
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_from = models.GenericIPAddressField(_("used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("two-factor enrolment link")
        verbose_name_plural = _("two-factor enrolment links")

    def __str__(self) -> str:
        return f"{self.user} {self.issued_at:%Y-%m-%d %H:%M}"


class ApiTokenExemption(models.Model):
    """An administrator's recorded choice: this API token of an account that needs a second
    factor may be used without one (a machine client of HQ). Bound to the token's digest, so
    a regenerated token needs a new exemption."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token_exemptions"
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("API token exemption from two-factor")
        verbose_name_plural = _("API token exemptions from two-factor")

    def __str__(self) -> str:
        return f"{self.user}: {self.reason}"


# The JMA seismic areas and the organizations' sites in them (the earthquake feed), kept in
# their own module; imported here so that Django registers them with this app's models.
from .site_models import JmaArea, OrganizationSite  # noqa: E402, F401
