"""Forms of the HQ pages; they check shapes, the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Organization
from organizations.vocabulary import Segment

from ..models import ActivationCriterion, CriterionKind, DecisionAction, HQRole, IncidentKind


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=pgettext_lazy("incident kind", "Kind"), choices=IncidentKind.choices
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        coerce=int,
        choices=[
            (1, _("1 — minor")),
            (2, _("2 — moderate")),
            (3, _("3 — severe")),
            (4, _("4 — critical")),
        ],
        initial=3,
    )
    region = forms.CharField(label=_("Region"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_drill = forms.BooleanField(label=_("This is a drill"), required=False)


MEMBER_ROWS = 4


class ConveneForm(forms.Form):
    location = forms.CharField(label=_("Location"), max_length=200)
    location_en = forms.CharField(label=_("Location (English)"), max_length=200, required=False)
    alternate_location = forms.CharField(
        label=_("Alternate location"), max_length=200, required=False
    )
    conference_bridge = forms.CharField(
        label=_("Conference bridge"), max_length=300, required=False
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating institutions"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The HQ brings together the market institutions, not every member firm.
        self.fields["participants"].queryset = (
            Organization.objects.filter(active=True)
            .exclude(kind__in=["securities_firm", "bank"])
            .order_by("kind", "code")
        )
        for i in range(MEMBER_ROWS):
            self.fields[f"member_{i}_role"] = forms.ChoiceField(
                label=_("Role"), choices=[("", "—"), *HQRole.choices], required=False
            )
            self.fields[f"member_{i}_name"] = forms.CharField(
                label=_("Name"), max_length=120, required=False
            )

    def member_rows(self):
        return [(self[f"member_{i}_role"], self[f"member_{i}_name"]) for i in range(MEMBER_ROWS)]

    def members(self) -> list[tuple[str, str, None]]:
        out = []
        for i in range(MEMBER_ROWS):
            role = self.cleaned_data.get(f"member_{i}_role")
            name = (self.cleaned_data.get(f"member_{i}_name") or "").strip()
            if role and name:
                out.append((role, name, None))
        return out


class TransitionForm(forms.Form):
    state = forms.CharField(max_length=32)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DecisionForm(forms.Form):
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices)
    action = forms.ChoiceField(label=_("Decision"), choices=DecisionAction.choices)
    rationale = forms.CharField(
        label=_("Rationale"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    rationale_en = forms.CharField(
        label=_("Rationale (English)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    criteria = forms.MultipleChoiceField(
        label=_("Criteria relied on"), required=False, widget=forms.CheckboxSelectMultiple
    )
    supersedes = forms.TypedChoiceField(
        label=_("Corrects (supersedes) decision"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [
            (c.code, c.label) for c in ActivationCriterion.objects.filter(active=True)
        ]
        self.fields["supersedes"].choices = [("", "—")] + [
            (d.pk, f"#{d.pk} {d}") for d in decisions
        ]


class DeclarationForm(forms.Form):
    criterion = forms.ModelChoiceField(
        queryset=ActivationCriterion.objects.filter(active=True, kind=CriterionKind.MANUAL),
        label=_("Criterion"),
        to_field_name="code",
    )
    met = forms.TypedChoiceField(
        label=_("Declared"),
        coerce=lambda v: v == "1",
        choices=[("1", _("met")), ("0", _("not met"))],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The criterion by its label in the page's language, not by its code.
        self.fields["criterion"].label_from_instance = lambda c: c.label
