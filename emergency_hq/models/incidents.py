"""Incidents, HQ convening, activation criteria and the immutable activation decisions.

A decision is never edited or deleted: a correction is a new decision that supersedes the old
one. Each decision keeps a snapshot of every criterion's live value at the moment it was taken,
so the record shows what the HQ saw, whatever the board says later.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organizations.vocabulary import Segment

from .english import ConveningTexts, DecisionTexts, IncidentTexts


def _english() -> bool:
    return (get_language() or "ja").startswith("en")


class IncidentKind(models.TextChoices):
    EARTHQUAKE = "earthquake", _("Earthquake")
    SYSTEM_FAILURE = "system_failure", _("System failure")
    PANDEMIC = "pandemic", _("Pandemic")
    TERRORISM = "terrorism", _("Terrorism")
    POWER_OUTAGE = "power_outage", _("Power outage")
    OTHER = "other", _("Other")


class IncidentState(models.TextChoices):
    MONITORING = "monitoring", _("Monitoring")
    HQ_CONVENED = "hq_convened", _("HQ convened")
    BCP_ACTIVE = "bcp_active", _("BCP active")
    RECOVERING = "recovering", _("Recovering")
    CLOSED = "closed", pgettext_lazy("incident state", "Closed")


# The transitions the HQ may make; anything else is refused.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    IncidentState.MONITORING: (IncidentState.HQ_CONVENED, IncidentState.CLOSED),
    IncidentState.HQ_CONVENED: (IncidentState.BCP_ACTIVE, IncidentState.CLOSED),
    IncidentState.BCP_ACTIVE: (IncidentState.RECOVERING,),
    IncidentState.RECOVERING: (IncidentState.BCP_ACTIVE, IncidentState.CLOSED),
    IncidentState.CLOSED: (),
}

SEVERITY_LABELS = {
    1: _("1 — minor"),
    2: _("2 — moderate"),
    3: _("3 — severe"),
    4: _("4 — critical"),
}


class DecisionAction(models.TextChoices):
    ACTIVATE = "activate", _("BCP activation")
    DEACTIVATE = "deactivate", _("BCP deactivation")
    HALT_TRADING = "halt_trading", _("Trading halt")
    RESUME_TRADING = "resume_trading", _("Trading resumption")
    POSTPONE_SETTLEMENT = "postpone_settlement", _("Settlement postponement")
    OTHER_MEASURE = "other_measure", _("Other special measure")


class CriterionKind(models.TextChoices):
    PARTICIPANTS_IMPAIRED = "participants_impaired", _("Share of participants impaired")
    PARTICIPANTS_ABLE = "participants_able", _("Share of participants able to operate")
    NOT_REPORTED = "not_reported", _("Share of participants not reported")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure function in given statuses")
    MANUAL = "manual", _("Declared by the HQ")


class WeightBasis(models.TextChoices):
    TRADING_VALUE = "weight", _("Share of trading value")
    RETAIL = "retail_weight", _("Share of retail trading")
    COUNT = "count", _("Number of participants")


class HQRole(models.TextChoices):
    CHIEF = "chief", _("Head of HQ")
    DEPUTY = "deputy", _("Deputy head")
    SECRETARIAT = "secretariat", _("Secretariat")
    LIAISON = "liaison", _("Liaison officer")
    PRESS = "press", _("Press officer")
    MEMBER = "member", _("Member")


class Incident(IncidentTexts, models.Model):
    title = models.CharField(pgettext_lazy("incident", "title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    severity = models.PositiveSmallIntegerField(
        _("severity"),
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1 (minor) to 4 (critical)."),
    )
    region = models.CharField(_("region"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_drill = models.BooleanField(_("drill"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=IncidentState.choices, default=IncidentState.MONITORING
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return self.display_title

    @property
    def is_open(self) -> bool:
        return self.state != IncidentState.CLOSED

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS.get(self.severity, self.severity))


class IncidentTransition(models.Model):
    """Every change of an incident's state: who, when, from what to what and why."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=16, choices=IncidentState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=IncidentState.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("state change")
        verbose_name_plural = _("state changes")

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.from_state or '-'} -> {self.to_state}"


class HQConvening(ConveningTexts, models.Model):
    """The disaster emergency headquarters (災害時緊急対策本部) set up for an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="convenings")
    convened_at = models.DateTimeField(_("convened at"))
    location = models.CharField(_("location"), max_length=200)
    location_en = models.CharField(_("location (English)"), max_length=200, blank=True)
    alternate_location = models.CharField(_("alternate location"), max_length=200, blank=True)
    conference_bridge = models.CharField(_("conference bridge"), max_length=300, blank=True)
    participants = models.ManyToManyField(
        "organizations.Organization",
        verbose_name=_("participating institutions"),
        related_name="hq_convenings",
        blank=True,
    )
    alert = models.ForeignKey(
        "alerts.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        ordering = ["-convened_at", "-id"]
        verbose_name = _("HQ convening")
        verbose_name_plural = _("HQ convenings")

    def __str__(self) -> str:
        return f"{self.incident_id} @ {self.location}"


class HQMember(models.Model):
    convening = models.ForeignKey(HQConvening, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=16, choices=HQRole.choices)
    name = models.CharField(_("name"), max_length=120)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["convening_id", "role", "name"]
        verbose_name = _("HQ member")
        verbose_name_plural = _("HQ members")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class ActivationCriterion(models.Model):
    """One rule of the activation criteria catalogue (発動基準), evaluated live from the board.

    ``threshold`` is a percentage for the share kinds, a number of functions for
    ``infrastructure`` and 1 (declared) for ``manual``.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=CriterionKind.choices)
    segment = models.CharField(
        _("segment"), max_length=16, choices=Segment.choices, default=Segment.ALL
    )
    suggests = models.CharField(
        _("candidate decision"), max_length=24, choices=DecisionAction.choices, blank=True
    )
    functions = models.JSONField(
        _("functions"),
        default=list,
        blank=True,
        help_text=_("Function codes; a participant counts when any of them is in the statuses."),
    )
    statuses = models.JSONField(
        _("statuses"),
        default=list,
        blank=True,
        help_text=_('Status codes that count, e.g. ["suspended", "closed"].'),
    )
    infrastructure = models.JSONField(
        _("infrastructure functions"),
        default=list,
        blank=True,
        help_text=_(
            'For the infrastructure kind: [{"organization": "JSCC", "function": "clearing"}].'
        ),
    )
    weight_basis = models.CharField(
        _("weighted by"),
        max_length=16,
        choices=WeightBasis.choices,
        default=WeightBasis.TRADING_VALUE,
    )
    threshold = models.DecimalField(
        _("threshold"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    retail_threshold = models.DecimalField(
        _("or retail share at least (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    retail_min_count = models.PositiveIntegerField(
        _("or retail brokers at least"), null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]
        verbose_name = _("activation criterion")
        verbose_name_plural = _("activation criteria")

    def __str__(self) -> str:
        return f"{self.code} {self.label_ja}"

    @property
    def label(self) -> str:
        return self.label_en if _english() and self.label_en else self.label_ja

    def clean(self):
        from status_board.vocabulary import ALL_CODES

        errors = {}
        unknown = [s for s in self.statuses or [] if s not in ALL_CODES]
        if unknown:
            errors["statuses"] = _("Unknown status: %(codes)s") % {"codes": ", ".join(unknown)}
        if self.kind == CriterionKind.INFRASTRUCTURE:
            pairs = self.infrastructure or []
            if not pairs or not all(
                isinstance(p, dict) and p.get("organization") and p.get("function") for p in pairs
            ):
                errors["infrastructure"] = _(
                    "List the infrastructure functions as organization and function codes."
                )
        elif (
            self.kind in (CriterionKind.PARTICIPANTS_IMPAIRED, CriterionKind.PARTICIPANTS_ABLE)
            and not self.functions
        ):
            errors["functions"] = _("List at least one function code.")
        if errors:
            raise ValidationError(errors)


class ManualDeclaration(models.Model):
    """The HQ declares a manual criterion met (or no longer met) for one incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="declarations")
    criterion = models.ForeignKey(
        ActivationCriterion, on_delete=models.PROTECT, related_name="declarations"
    )
    met = models.BooleanField(_("met"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("declared at"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["declared_at", "id"]
        verbose_name = _("manual declaration")
        verbose_name_plural = _("manual declarations")

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.criterion_id} {self.met}"


class DecisionImmutable(Exception):
    pass


class ActivationDecision(DecisionTexts, models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="decisions")
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    action = models.CharField(_("decision"), max_length=24, choices=DecisionAction.choices)
    rationale = models.TextField(_("rationale"))
    rationale_en = models.TextField(_("rationale (English)"), blank=True)
    criteria = models.JSONField(_("criteria cited"), default=list, blank=True)
    # Every active criterion as evaluated at the moment of the decision.
    criteria_snapshot = models.JSONField(_("criteria at the time"), default=list, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    is_drill = models.BooleanField(_("drill"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), db_index=True)
    circular = models.ForeignKey(
        "bulletin.Circular", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    alert = models.ForeignKey(
        "alerts.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("activation decision")
        verbose_name_plural = _("activation decisions")

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.get_segment_display()}"

    def save(self, *args, **kwargs):
        # A decision is a record: written once, in full, by the decide service.
        if not self._state.adding:
            raise DecisionImmutable("activation decisions are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DecisionImmutable("activation decisions are never deleted")
