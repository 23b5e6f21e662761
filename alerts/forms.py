from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization
from organizations.selectors import organizations_for_audience
from organizations.vocabulary import OrganizationKind, Segment

from .models import AckAnswer, EscalationPolicy

AUDIENCES = [
    ("all", _("All member organizations")),
    ("kinds", _("Organizations of these kinds")),
    ("segment", _("Participants of a market segment")),
    ("organizations", _("These organizations")),
]


# The form's choice → the shared audience resolver's name for it.
_AUDIENCE_OF_CHOICE = {
    "all": "members",
    "kinds": "kinds",
    "segment": "segments",
    "organizations": "organizations",
}


class AlertForm(forms.Form):
    subject_ja = forms.CharField(label=_("subject (Japanese)"), max_length=200)
    subject_en = forms.CharField(label=_("subject (English)"), max_length=200, required=False)
    body_ja = forms.CharField(
        label=_("message (Japanese)"), widget=forms.Textarea(attrs={"rows": 6})
    )
    body_en = forms.CharField(
        label=_("message (English)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    audience = forms.ChoiceField(
        label=_("Send to"), choices=AUDIENCES, initial="all", widget=forms.RadioSelect
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds"),
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    segment = forms.ChoiceField(
        label=_("segment"), choices=[("", "—"), *Segment.choices], required=False
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("organizations"),
        queryset=Organization.objects.filter(active=True).order_by("code"),
        # By code: a stable value, and no database lookup of a number too large to store.
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    requires_ack = forms.BooleanField(
        label=_("Ask each organization to acknowledge"), required=False, initial=True
    )
    deadline = forms.DateTimeField(
        label=_("answer by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Japan Standard Time. Answers after this are marked late."),
    )
    policy = forms.ModelChoiceField(
        label=_("escalation policy"),
        queryset=EscalationPolicy.objects.all(),
        required=False,
        empty_label=_("Default: next order of contacts every 15 minutes"),
    )
    is_drill = forms.BooleanField(
        label=_("This is a drill (【訓練】/[DRILL] in every subject)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels start with a capital like every other form's (the msgids are model-style).
        for field in self.fields.values():
            field.label = capfirst(field.label)

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        if audience == "kinds" and not data.get("kinds"):
            self.add_error("kinds", _("Choose at least one kind."))
        elif audience == "segment" and not data.get("segment"):
            self.add_error("segment", _("Choose a segment."))
        elif audience == "organizations" and not data.get("organizations"):
            self.add_error("organizations", _("Choose at least one organization."))
        if audience and not self.errors:
            try:
                targets = organizations_for_audience(
                    audience=_AUDIENCE_OF_CHOICE[audience],
                    kinds=data.get("kinds") or (),
                    segments=[data["segment"]] if data.get("segment") else (),
                    organizations=data.get("organizations") or (),
                ).organizations
            except ValidationError as error:
                raise forms.ValidationError(
                    _("This alert has no target: no active organization matches your choice.")
                ) from error
            data["targets"] = targets
            data["targeting"] = {
                "audience": audience,
                "kinds": data.get("kinds") or [],
                "segment": data.get("segment") or "",
                "organizations": [o.code for o in targets] if audience == "organizations" else [],
            }
        return data


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=AckAnswer.choices)
