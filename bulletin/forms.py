from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from common.text import lazy_interpolate, strip_control_characters
from organizations.models import Committee
from organizations.vocabulary import OrganizationKind

from .attachments import MAX_ATTACHMENTS
from .models import Audience, Category

MARKET_WIDE = "market"
# Searching outside these years finds nothing anyway; at the very edge (9999-12-31) the end of
# the day would not even be a date.
SEARCH_DATE_MIN = date(1900, 1, 1)
SEARCH_DATE_MAX = date(2999, 12, 31)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".pdf,.xlsx,.docx,.png,.jpg,.jpeg"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,、，]+", (text or "").upper()) if c]


class CircularForm(forms.Form):
    issuer = forms.ChoiceField(label=_("Issued by"))
    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_ja = forms.CharField(
        label=_("Body (Japanese)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown: # heading, - list, [link](https://…). HTML is filtered."),
    )
    body_en = forms.CharField(
        label=_("Body (English)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Category.choices, initial=Category.GENERAL
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=Audience.choices,
        widget=forms.RadioSelect,
        initial=Audience.MEMBERS,
    )
    organizations = forms.CharField(
        label=_("Organization codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For “Listed organizations”: codes separated by spaces or commas."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Organization kinds"),
        choices=OrganizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “Organizations of these kinds”."),
    )
    committees = forms.MultipleChoiceField(
        label=_("Committees"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “Member organizations of these committees”."),
    )
    requires_ack = forms.BooleanField(
        label=_("Ask each organization to acknowledge"),
        required=False,
        help_text=_("Recipients see it as a task; you can follow and remind them."),
    )
    ack_deadline = forms.DateTimeField(
        label=_("Acknowledge by (JST, optional)"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=lazy_interpolate(
            _("PDF, XLSX, DOCX, PNG or JPEG; up to 20 MB each, at most %(n)s files."),
            {"n": MAX_ATTACHMENTS},
        ),
    )

    def __init__(self, *args, issuers, market_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(MARKET_WIDE, _("Market-wide (BCP Forum secretariat)"))] if market_wide else []
        choices += [(org.code, org.name) for org in issuers]
        self.fields["issuer"].choices = choices
        self.issuers = {org.code: org for org in issuers}
        self.fields["committees"].choices = [(c.code, c.name) for c in Committee.objects.all()]
        if not self.fields["committees"].choices:
            del self.fields["committees"]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "issuer": self.issuers.get(data["issuer"]),
            "title_ja": data["title_ja"],
            "title_en": data["title_en"],
            "body_ja": data["body_ja"],
            "body_en": data["body_en"],
            "category": data["category"],
            "audience": data["audience"],
            "organizations": _codes(data["organizations"]),
            "kinds": data["kinds"],
            "committees": data.get("committees", []),
            "requires_ack": data["requires_ack"],
            "ack_deadline": data["ack_deadline"],
            "attachments": data["attachments"],
        }


class CircularReviseForm(forms.Form):
    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_ja = forms.CharField(label=_("Body (Japanese)"), widget=forms.Textarea(attrs={"rows": 10}))
    body_en = forms.CharField(
        label=_("Body (English)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    ack_deadline = forms.DateTimeField(
        label=_("Acknowledge by (JST, optional)"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(
        label=_("What changed and why"),
        max_length=300,
        required=False,
        help_text=_("Shown in the revision history."),
    )
    attachments = MultipleFileField(label=_("Add attachments"), required=False)

    def __init__(self, *args, circular, **kwargs):
        initial = {
            f: getattr(circular, f)
            for f in ("title_ja", "title_en", "body_ja", "body_en", "category", "ack_deadline")
        }
        super().__init__(*args, initial=initial, **kwargs)
        if not circular.requires_ack:
            del self.fields["ack_deadline"]

    def clean_note(self) -> str:
        return strip_control_characters(self.cleaned_data["note"]).strip()

    def changes(self) -> dict:
        return {f: v for f, v in self.cleaned_data.items() if f not in ("note", "attachments")}


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=300)

    def clean_reason(self) -> str:
        reason = strip_control_characters(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("This field is required."))
        return reason


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All"))] + Category.choices
    )
    issuer = forms.CharField(label=_("Issuer code"), required=False, max_length=32)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ack = forms.ChoiceField(
        label=_("Acknowledgement"),
        required=False,
        choices=[
            ("", _("All")),
            ("pending", _("Not acknowledged yet")),
            ("done", _("Acknowledged")),
        ],
    )

    def __init__(self, *args, issuer_choices, members: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"] = forms.ChoiceField(
            label=_("Issuer"), required=False, choices=[("", _("All"))] + issuer_choices
        )
        if not members:
            del self.fields["ack"]

    def clean(self):
        cleaned = super().clean()
        for field in ("date_from", "date_to"):
            value = cleaned.get(field)
            if value is not None and not SEARCH_DATE_MIN <= value <= SEARCH_DATE_MAX:
                self.add_error(
                    field,
                    _("Enter a date between %(min)s and %(max)s.")
                    % {"min": SEARCH_DATE_MIN, "max": SEARCH_DATE_MAX},
                )
        return cleaned

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
