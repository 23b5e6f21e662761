from django import forms
from django.utils.translation import gettext_lazy as _

from .columns import DATASET_LABELS, DATASETS


class ImportForm(forms.Form):
    dataset = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[(d, DATASET_LABELS[d]) for d in DATASETS],
        widget=forms.RadioSelect,
        initial=DATASETS[0],
    )
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_("CSV in UTF-8 (with or without BOM) or Shift_JIS, or an Excel .xlsx file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
