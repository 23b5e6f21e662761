from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BcpProfile, Contact, WebhookEndpoint


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
