from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BcpProfile, Contact, WebhookEndpoint
from .vocabulary import SiteKind


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "title",
            "email",
            "phone",
            "sms_number",
            "language",
            "order",
            "parent",
            "active",
            "notes",
        ]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "sms_number": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        parents = organization.contacts.all()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("(top of the tree)")


class WebhookForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["url", "secret", "description", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization


class BcpProfileForm(forms.ModelForm):
    class Meta:
        model = BcpProfile
        fields = [
            "plan_version",
            "plan_reviewed_on",
            "hq_location",
            "hq_alternate_location",
            "backup_site_kind",
            "backup_site_location",
            "backup_site_distance_km",
            "data_backup_frequency",
            "data_backup_offsite",
            "last_restore_test_on",
            "last_internal_drill_on",
            "notes",
        ]
        widgets = {
            "plan_reviewed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_restore_test_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_internal_drill_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, functions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.function_fields = []
        for of in functions:
            name = f"rto_{of.pk}"
            self.fields[name] = forms.IntegerField(
                label=of.function.name,
                required=False,
                min_value=0,
                max_value=60 * 24 * 30,
                initial=of.rto_minutes,
                help_text=_("minutes (blank: default %(default)s)")
                % {"default": of.function.default_rto_minutes or "—"},
            )
            self.function_fields.append((of, name))

    def function_rtos(self) -> dict[int, int | None]:
        return {of.pk: self.cleaned_data.get(name) for of, name in self.function_fields}

    def profile_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


def _area_choices() -> list:
    """JMA areas grouped by prefecture, as the select shows them."""
    from .selectors import areas_active

    groups: dict[str, list[tuple[str, str]]] = {}
    for area in areas_active():
        prefecture = (area.prefecture_en if _english() else area.prefecture_ja) or "—"
        groups.setdefault(prefecture, []).append((area.code, f"{area.code} {area.name}"))
    return [("", "---------"), *groups.items()]


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "ja").startswith("en")


class SiteForm(forms.Form):
    """One site of the BCP profile: what it is and which JMA seismic area it lies in."""

    kind = forms.ChoiceField(label=_("Site"), choices=[("", "---------"), *SiteKind.choices])
    area = forms.ChoiceField(label=_("JMA seismic area"))
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def __init__(self, *args, area_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices if area_choices is not None else _area_choices()
        for field in self.fields.values():
            # The formset shows the fields as table cells, under column headers.
            field.widget.attrs.setdefault("aria-label", str(field.label))


class BaseSiteFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._area_choices = None

    def get_form_kwargs(self, index):
        # One read of the area table for every row of the formset.
        if self._area_choices is None:
            self._area_choices = _area_choices()
        return {**super().get_form_kwargs(index), "area_choices": self._area_choices}

    def sites(self) -> list[tuple[str, str, str]]:
        return [
            (f.cleaned_data["kind"], f.cleaned_data["area"], f.cleaned_data.get("label", ""))
            for f in self.forms
            if f.cleaned_data.get("kind") and not f.cleaned_data.get("DELETE")
        ]


SiteFormSet = forms.formset_factory(
    SiteForm, formset=BaseSiteFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)
