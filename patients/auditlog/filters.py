"""The audit trail's filters: one FilterSet read by the page and by the CSV export, so a download holds
exactly the entries the page listed.

Every choice is limited to the admin's own sites: another site, or a user who never acted at the admin's
sites, is "not a valid choice" (the same answer as for an id that does not exist, so nothing leaks).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patients.audit import audited_models
from patients.models import AuditEntry, Biopsy, Episode, Lesion, Patient, Site

_RECORD_NUMBER_MAX = Patient._meta.get_field("record_number").max_length
# The export's own entries name this model (see patients.auditlog.services).
EXPORT_MODEL = AuditEntry._meta.label


def model_choices() -> list[tuple[str, str]]:
    """The clinical records, who was given access (memberships, tokens), and the trail's own exports."""
    models: list[Any] = [*audited_models(), AuditEntry]
    labels = dict.fromkeys(model._meta.label for model in models)
    return [(label, str(apps.get_model(label)._meta.verbose_name)) for label in labels]


class _IntegerFilter(django_filters.NumberFilter):
    # A record id is a whole number: "4.5" is an error, not a silent 4.
    field_class = forms.IntegerField


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day in the site's time zone (the dates people type are local)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEntryFilterSet(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(
        field_name="actor",
        queryset=get_user_model().objects.none(),
        null_label=gettext_lazy("System (or a removed user)"),
        empty_label=gettext_lazy("Anyone"),
        label=gettext_lazy("User"),
    )
    model = django_filters.ChoiceFilter(
        choices=model_choices, label=gettext_lazy("Record type"), empty_label=gettext_lazy("Any")
    )
    object_id = _IntegerFilter(field_name="object_id", min_value=1, label=gettext_lazy("Record id"))
    record_number = django_filters.CharFilter(
        method="filter_record_number",
        max_length=_RECORD_NUMBER_MAX,
        label=gettext_lazy("Record number"),
        help_text=gettext_lazy(
            "Part of a record number: its patient, episodes, lesions and biopsies (still existing)."
        ),
    )
    date_from = django_filters.DateFilter(
        method="filter_date_from", label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to",
        label=gettext_lazy("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    site = django_filters.ModelChoiceFilter(
        field_name="site",
        queryset=Site.objects.none(),
        label=gettext_lazy("Site"),
        empty_label=gettext_lazy("All my sites"),
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, data: Any = None, *, site_ids: Sequence[int], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.site_ids = list(site_ids)
        # Whoever appears in these sites' trail, including people who have since left the site.
        actors = AuditEntry.objects.filter(site_id__in=self.site_ids, actor__isnull=False).values("actor_id")
        self.filters["user"].queryset = get_user_model().objects.filter(pk__in=actors).order_by("username")
        self.filters["site"].queryset = Site.objects.filter(pk__in=self.site_ids).order_by("code")
        self.form.label_suffix = ""  # built now, after the choices above: labels read as the patient list's

    def filter_record_number(
        self, queryset: QuerySet[AuditEntry], name: str, value: str
    ) -> QuerySet[AuditEntry]:
        if not value:
            return queryset
        # Subqueries, so the page stays one query however many records match.
        patients = Patient.objects.filter(site_id__in=self.site_ids, record_number__icontains=value).values(
            "id"
        )
        episodes = Episode.objects.filter(patient__in=patients).values("id")
        return queryset.filter(
            Q(model=Patient._meta.label, object_id__in=patients)
            | Q(model=Episode._meta.label, object_id__in=episodes)
            | Q(
                model=Lesion._meta.label,
                object_id__in=Lesion.objects.filter(episode__in=episodes).values("id"),
            )
            | Q(
                model=Biopsy._meta.label,
                object_id__in=Biopsy.objects.filter(episode__in=episodes).values("id"),
            )
        )

    def filter_date_from(
        self, queryset: QuerySet[AuditEntry], name: str, value: datetime.date
    ) -> QuerySet[AuditEntry]:
        return queryset.filter(at__gte=_day_start(value))

    def filter_date_to(
        self, queryset: QuerySet[AuditEntry], name: str, value: datetime.date
    ) -> QuerySet[AuditEntry]:
        return queryset.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))

    def is_valid(self) -> bool:
        valid: bool = super().is_valid()
        if valid:
            start, end = self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
            if start and end and start > end:
                self.form.add_error("date_to", _("Must be on or after the 'from' date."))
                return False
        return valid

    def used(self) -> dict[str, str]:
        """The filters applied, as people read them (usernames and site codes, not ids): for the export's
        own audit entry. Only after is_valid()."""
        values: dict[str, str] = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            if name == "user":
                values[name] = value.get_username() if hasattr(value, "get_username") else "system"
            elif name == "site":
                values[name] = value.code
            else:
                values[name] = value.isoformat() if isinstance(value, datetime.date) else str(value)
        return values
