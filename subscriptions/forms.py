"""What a subscriber chooses: one form for the board's sign-up form, the API and the manage page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Organization
from organizations.vocabulary import Language as LanguageLabel

from .models import Language

# Public circular categories one may follow (DESIGN §6); drill circulars reach no subscriber.
CATEGORIES = [
    ("emergency", pgettext_lazy("circular category", "Emergency measures")),
    ("market_rule", pgettext_lazy("circular category", "Market rules and special measures")),
    ("general", pgettext_lazy("circular category", "General notice")),
]
CATEGORY_CODES = {code for code, _label in CATEGORIES}
MAX_CHOICES = 500


def public_organizations():
    return Organization.objects.filter(is_public=True, active=True).order_by("code")


class ChoicesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        # Named in the page's language (日本語/英語, Japanese/English), as everywhere else.
        choices=LanguageLabel.choices,
        required=False,
    )
    organizations = forms.MultipleChoiceField(
        label=_("Organizations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("%(value)s is not an organization on the public board."),
        },
    )
    banner = forms.BooleanField(
        label=_("Market-wide announcements (BCP activation, trading halts and resumptions)"),
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label=_("Public circulars by category"),
        required=False,
        choices=CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("%(value)s is not a circular category.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = {o.code: o for o in public_organizations()}
        self.fields["organizations"].choices = [(c, o.name) for c, o in self.public.items()]

    def clean_organizations(self):
        codes = self.cleaned_data["organizations"]
        if len(codes) > MAX_CHOICES:
            raise forms.ValidationError(_("Too many organizations chosen."))
        return [self.public[c] for c in codes]

    def clean_language(self):
        return self.cleaned_data.get("language") or Language.JA


class SubscribeForm(ChoicesForm):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    # The honeypot: hidden from people, filled in by bots. Anything in it and nothing is done.
    website = forms.CharField(label=_("Leave this empty"), required=False, max_length=200)

    field_order = ["email", "language", "organizations", "banner", "categories", "website"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
