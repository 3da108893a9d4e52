"""The patient list's filters: one FilterSet read by the browser list and by ``GET /api/v1/patients/``.

The assessment filters look at the current assessment of each patient's latest episode ("what is this
child's situation now"), annotated once by :func:`exclusion.workbench.selectors.patients_with_current_state`.
The browser's checkboxes keep their short names (``biopsy=1``, ``incomplete=1``, ``review=1``, ``q``) as
aliases of the API's filters, so bookmarks of either keep working.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import (
    Case,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cno_app.api.filters import StrictBooleanFilter
from exclusion.assessments.models import Assessment
from exclusion.engine import vocabulary
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
        # Record numbers are unique per site without regard to case (patients.models.Patient).
        return queryset.filter(record_number__iexact=value.strip())

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
            self.form.add_error("record_number", _("Must not be blank: omit it to list every patient."))
            return False
        return valid


# --- the browser list's sortable columns ---------------------------------------------------------------
# ``sort=<column>`` ascending, ``sort=-<column>`` descending; anything else is ignored (the default order,
# newest activity first), never an error: a header link is a convenience, not a query language.
# The labels are the list's column headings, in the reader's language.
SORT_COLUMNS: dict[str, str | Promise] = {
    "record_number": gettext_lazy("Record number"),
    "age": gettext_lazy("Age"),
    "latest": gettext_lazy("Latest episode"),
    "status": gettext_lazy("Status"),
}
# The direction a first click on a header sorts in: newest episode first, the rest ascending.
SORT_FIRST_DESCENDING = frozenset({"latest"})

# Status order, most urgent first: a red flag (a differential in concern or a recommended biopsy), then
# an incomplete work-up, then complete; patients never assessed last.
_RED, _AMBER, _GREEN = 0, 1, 2


def parse_sort(value: str | None) -> tuple[str, bool] | None:
    """``(column, descending)`` for a valid ``sort`` value, None otherwise."""
    text = (value or "").strip()
    descending = text.startswith("-")
    column = text[1:] if descending else text
    return (column, descending) if column in SORT_COLUMNS else None


def _status_rank() -> Subquery:
    concern = Q()
    for code in vocabulary.DIFFERENTIALS.codes:
        concern |= Q(**{f"result__differentials__{code}__status": vocabulary.CONCERN})
    rank = Case(
        When(Q(biopsy_recommended=True) | concern, then=Value(_RED)),
        When(exclusion_complete=False, then=Value(_AMBER)),
        default=Value(_GREEN),
        output_field=IntegerField(),
    )
    current = Assessment.objects.current_of_latest_episode(OuterRef("pk")).annotate(rank=rank)
    # Null when never assessed: last in either direction (the ordering puts nulls last).
    return Subquery(current.values("rank")[:1], output_field=IntegerField())


def _ordering(column: str, descending: bool) -> list[OrderBy]:
    def by(expression: Lower | F | ExpressionWrapper[Any] | Coalesce) -> OrderBy:
        return OrderBy(expression, descending=descending, nulls_last=True)

    tie_break = [OrderBy(Lower("record_number")), OrderBy(F("id"))]
    if column == "record_number":
        return [by(Lower("record_number")), by(F("id"))]
    if column == "age":
        # Years at the latest episode (today without one), as the column shows: a later episode is an
        # older child. Unknown birth dates last either way.
        on = Coalesce(F("latest_assessed_on"), Value(datetime.date.today()), output_field=DateField())
        age = ExpressionWrapper(on - F("birth_date"), output_field=DurationField())
        return [by(age), *tie_break]
    if column == "latest":
        return [by(F("latest_assessed_on")), *tie_break]
    return [by(F("status_rank")), *tie_break]


class PatientListFilterSet(PatientFilterSet):
    """The browser list's filters: the API's, plus the column sort of the list's header links."""

    sort = django_filters.CharFilter(method="filter_sort", max_length=32, help_text="Browser: column sort.")

    def filter_sort(self, queryset: QuerySet[Patient], name: str, value: str) -> QuerySet[Patient]:
        choice = parse_sort(value)
        if choice is None:
            return queryset
        column, descending = choice
        if column == "status":
            queryset = queryset.annotate(status_rank=_status_rank())
        return queryset.order_by(*_ordering(column, descending))
