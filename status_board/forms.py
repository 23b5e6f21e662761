from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.vocabulary import PARTICIPATION_SEGMENTS, OrganizationKind

from .models import MESSAGE_MAX_LENGTH
from .vocabulary import ALL_CODES, Status, label

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class FunctionStatusForm(forms.Form):
    """The status of one business function; one per function on the reporting page."""

    status = forms.ChoiceField(
        label=_("Status"), choices=Status.choices, widget=forms.RadioSelect, required=False
    )
    message = forms.CharField(
        label=_("Message (Japanese)"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    message_en = forms.CharField(
        label=_("Message (English, optional)"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_recovery_at = forms.DateTimeField(
        label=_("Expected recovery (JST)"),
        required=False,
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput(),
    )

    def clean_expected_recovery_at(self):
        value = self.cleaned_data.get("expected_recovery_at")
        shown = self.initial.get("expected_recovery_at")
        if value is None or (shown is not None and abs(value - shown) < timedelta(minutes=1)):
            return shown if value is not None else None
        tolerance = timedelta(minutes=settings.STATUS_RECOVERY_PAST_TOLERANCE_MINUTES)
        if value < timezone.now() - tolerance:
            raise forms.ValidationError(
                _("This time is in the past; give a time to come or leave it empty."),
                code="past",
            )
        return value


def _blank(choices):
    return [("", _("All"))] + list(choices)


class BoardFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[])
    segment = forms.ChoiceField(label=_("Segment"), required=False, choices=[])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])
    since = forms.DateTimeField(
        label=_("Not reported since (JST)"),
        required=False,
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput(),
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("severity", _("Most severe first")), ("kind", _("Infrastructures first"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank(OrganizationKind.choices)
        self.fields["segment"].choices = _blank(PARTICIPATION_SEGMENTS)
        self.fields["status"].choices = _blank([(c, label(c)) for c in ALL_CODES])


class ReportKindForm(forms.Form):
    """While a drill the organization takes part in runs: a drill report or the real status?
    Asked every time and never preselected, so that nobody posts to the real board by habit."""

    REAL = "real"

    report_as = forms.ChoiceField(
        label=_("This report is"),
        widget=forms.RadioSelect,
        choices=[],
        error_messages={"required": _("Say whether this is a drill report or the real status.")},
    )

    def __init__(self, *args, drills, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_as"].choices = [
            (f"drill:{d.id}", _("A drill report (訓練) for %(drill)s") % {"drill": d.label})
            for d in drills
        ] + [(self.REAL, _("The real status (not a drill)"))]
        self.drills = {d.id: d for d in drills}

    @property
    def drill(self):
        """The running drill chosen, or None for the real status (after is_valid)."""
        value = self.cleaned_data.get("report_as", self.REAL)
        if value == self.REAL:
            return None
        return self.drills[int(value.removeprefix("drill:"))]
