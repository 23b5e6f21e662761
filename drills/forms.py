"""Forms of the drill pages; they check shapes, the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.text import lazy_interpolate
from emergency_hq.models import IncidentKind
from organizations.models import Committee, Organization
from organizations.vocabulary import PARTICIPATION_SEGMENTS, OrganizationKind
from status_board.forms import DATETIME_LOCAL_FORMATS, DateTimeLocalInput

from .models import ANSWER_MINUTES_MAX, DrillAudience, InjectKind

START_NOW = "now"
START_LATER = "later"
START_SCHEDULED = "scheduled"
INJECT_ROWS = 3


class DrillForm(forms.Form):
    title_ja = forms.CharField(label=_("title (Japanese)"), max_length=200)
    title_en = forms.CharField(label=_("title (English)"), max_length=200, required=False)
    scenario_ja = forms.CharField(
        label=_("scenario (Japanese, Markdown)"), widget=forms.Textarea(attrs={"rows": 6})
    )
    scenario_en = forms.CharField(
        label=_("scenario (English, Markdown)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    audience = forms.ChoiceField(
        label=pgettext_lazy("drill", "Participants"),
        choices=DrillAudience.choices,
        initial=DrillAudience.ORGANIZATIONS,
        widget=forms.RadioSelect,
    )
    kinds = forms.MultipleChoiceField(
        label=_("kinds"),
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    segments = forms.MultipleChoiceField(
        label=_("segments"),
        choices=PARTICIPATION_SEGMENTS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("organizations"),
        queryset=Organization.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    committees = forms.ModelMultipleChoiceField(
        label=_("committees"),
        queryset=Committee.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    announced = forms.TypedChoiceField(
        label=_("Participants learn of the drill"),
        choices=[
            ("1", _("Announced: when it is planned")),
            ("0", _("Unannounced: only when it starts")),
        ],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    start = forms.ChoiceField(
        label=_("Start"),
        choices=[
            (START_NOW, _("Start now")),
            (START_SCHEDULED, _("At the scheduled time (started automatically)")),
            (START_LATER, _("Later, by the HQ")),
        ],
        initial=START_LATER,
        widget=forms.RadioSelect,
    )
    starts_at = forms.DateTimeField(
        label=_("Scheduled start (JST)"),
        required=False,
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput(),
    )
    answer_minutes = forms.IntegerField(
        label=_("Answer window (minutes)"),
        initial=30,
        help_text=lazy_interpolate(
            _("Answers after this are counted as late; at most %(max)s minutes (7 days)."),
            {"max": ANSWER_MINUTES_MAX},
        ),
    )
    incident_kind = forms.ChoiceField(
        label=_("Scenario kind"), choices=IncidentKind.choices, initial=IncidentKind.EARTHQUAKE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = Organization.objects.filter(active=True).order_by(
            "kind", "code"
        )
        self.fields["committees"].queryset = Committee.objects.order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("start") == START_SCHEDULED and not data.get("starts_at"):
            self.add_error("starts_at", _("Give the scheduled start."))
        if data.get("start") != START_SCHEDULED:
            data["starts_at"] = None
        return data


class InjectForm(forms.Form):
    offset_minutes = forms.IntegerField(label=_("Minutes after the start"), min_value=0)
    kind = forms.ChoiceField(
        label=_("Sent as"), choices=InjectKind.choices, initial=InjectKind.ALERT
    )
    title_ja = forms.CharField(label=_("title (Japanese)"), max_length=200)
    body_ja = forms.CharField(label=_("text (Japanese)"), widget=forms.Textarea(attrs={"rows": 2}))

    def has_changed(self):
        # A row counts once something was typed in it: "sent as" alone is a default, and an
        # untouched row is left out of the plan.
        return any(name in self.changed_data for name in ("offset_minutes", "title_ja", "body_ja"))


InjectFormSet = forms.formset_factory(InjectForm, extra=INJECT_ROWS, max_num=20)


class TestContactForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120, required=False)
    email = forms.CharField(label=_("e-mail"), max_length=254, required=False)
    sms = forms.CharField(label=_("SMS number"), max_length=32, required=False)
    language = forms.ChoiceField(
        label=_("language"), choices=[("ja", "日本語"), ("en", "English")], initial="ja"
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes from the HQ (problems, lessons, next steps)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
