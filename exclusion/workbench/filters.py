"""The patient list's filters: one FilterSet read by the browser list and by ``GET /api/v1/patients/``.

The assessment filters look at the current assessment of each patient's latest episode ("what is this
child's situation now"), annotated once by :func:`exclusion.workbench.selectors.patients_with_current_state`.
The browser's checkboxes keep their short names (``biopsy=1``, ``incomplete=1``, ``review=1``, ``q``) as
aliases of the API's filters, so bookmarks of either keep working.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import QuerySet

from cno_app.api.filters import StrictBooleanFilter
from patients.models import Patient

_RECORD_NUMBER_MAX = Patient._meta.get_field("record_number").max_length


class PatientFilterSet(django_filters.FilterSet):
    record_number = django_filters.CharFilter(
        method="filter_record_number", max_length=_RECORD_NUMBER_MAX, help_text="Exact record number."
    )
    q = django_filters.CharFilter(
        field_name="record_number",
        lookup_expr="icontains",
        max_length=_RECORD_NUMBER_MAX,
        help_text="Record number contains (browser search).",
    )
    site = django_filters.CharFilter(
        field_name="site__code", max_length=32, help_text="Site code, e.g. NORTH."
    )
    updated_since = django_filters.IsoDateTimeFilter(
        method="filter_updated_since",
        help_text="Only patients changed at or after this time (ISO 8601).",
    )
    biopsy_recommended = StrictBooleanFilter(
        field_name="biopsy_recommended",
        help_text="The current assessment of the patient's latest episode recommends (or not) a biopsy.",
    )
    exclusion_complete = StrictBooleanFilter(
        field_name="exclusion_complete",
        help_text="The current assessment of the patient's latest episode has (or has not) a complete "
        "exclusion work-up.",
    )
    open_flag = StrictBooleanFilter(
        field_name="has_open_flag", help_text="The patient has (or has no) open review flag."
    )
    # The browser list's checkboxes: "1" when ticked, absent otherwise.
    biopsy = StrictBooleanFilter(
        field_name="biopsy_recommended", help_text="Browser alias of biopsy_recommended."
    )
    incomplete = StrictBooleanFilter(
        method="filter_incomplete", help_text="Browser: the work-up is not complete."
    )
    review = StrictBooleanFilter(field_name="has_open_flag", help_text="Browser alias of open_flag.")

    class Meta:
        model = Patient
        fields: list[str] = []

    def filter_record_number(self, queryset: QuerySet[Patient], name: str, value: str) -> QuerySet[Patient]:
        return queryset.filter(record_number=value)

    def filter_updated_since(
        self, queryset: QuerySet[Patient], name: str, value: datetime.datetime
    ) -> QuerySet[Patient]:
        # In UTC: any offset ISO 8601 allows (say -16:52) is fine here, though PostgreSQL would refuse it.
        return queryset.filter(updated_at__gte=value.astimezone(datetime.UTC))

    def filter_incomplete(
        self, queryset: QuerySet[Patient], name: str, value: bool | None
    ) -> QuerySet[Patient]:
        # Ticked: not complete (including "not assessed yet"); the browser never sends "incomplete=0".
        if value is None:
            return queryset
        return (
            queryset.exclude(exclusion_complete=True) if value else queryset.filter(exclusion_complete=True)
        )

    def is_valid(self) -> bool:
        valid = super().is_valid()
        # A record number sent empty is a mistake (a client's unfilled template), not "every patient".
        if self.data is not None and self.data.get("record_number", None) == "":
            self.form.add_error("record_number", "Must not be blank: omit it to list every patient.")
            return False
        return valid
