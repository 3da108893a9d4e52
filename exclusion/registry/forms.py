"""Forms of the registry pages: which site, which file, and how."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from exclusion.registry.importer import FORMATS
from patients.models import Site


class _SiteForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label=None, label=gettext_lazy("Site"))

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Site.objects.filter(pk__in=[site.pk for site in sites]).order_by("code")


class ImportForm(_SiteForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "JSON lines of {record_number, case}, a REDCap records.csv, or a registry export's zip."
        ),
    )
    format = forms.ChoiceField(
        choices=[("", gettext_lazy("Tell from the file")), *[(f, f) for f in FORMATS]],
        required=False,
        label=gettext_lazy("Format"),
    )
    dry_run = forms.BooleanField(
        required=False,
        label=gettext_lazy("Dry run"),
        help_text=gettext_lazy("Report what would be created or changed; save nothing."),
    )


class ExportForm(_SiteForm):
    deidentify = forms.BooleanField(
        required=False,
        label=gettext_lazy("De-identify"),
        help_text=gettext_lazy(
            "Record numbers become keyed pseudonyms, each patient's dates move by one offset, "
            "ages over 89 are capped and free text is dropped."
        ),
    )
