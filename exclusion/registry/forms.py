"""Forms of the registry pages: which site, which file, and how."""

from __future__ import annotations

from typing import Any

from django import forms

from exclusion.registry.importer import FORMATS
from patients.models import Site


class _SiteForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label=None)

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Site.objects.filter(pk__in=[site.pk for site in sites]).order_by("code")


class ImportForm(_SiteForm):
    file = forms.FileField(
        help_text="JSON lines of {record_number, case}, a REDCap records.csv, or a registry export's zip."
    )
    format = forms.ChoiceField(
        choices=[("", "Tell from the file"), *[(f, f) for f in FORMATS]], required=False
    )
    dry_run = forms.BooleanField(
        required=False, label="Dry run", help_text="Report what would be created or changed; save nothing."
    )


class ExportForm(_SiteForm):
    deidentify = forms.BooleanField(
        required=False,
        label="De-identify",
        help_text="Record numbers become keyed pseudonyms, each patient's dates move by one offset, "
        "ages over 89 are capped and free text is dropped.",
    )
