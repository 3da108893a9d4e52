"""Read paths of treatment courses, scoped to the user's sites like every selector."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from patients import access
from patients.access import Viewer
from patients.models import Patient, Treatment


def treatments_for_patient(patient: Patient) -> QuerySet[Treatment]:
    """The patient's courses, earliest start first (the caller has already scoped the patient)."""
    return Treatment.objects.filter(patient=patient).order_by("started_on", "id")


def treatment_get(*, user: Viewer, treatment_id: int) -> Treatment:
    """One course with its patient and site; Http404 outside the user's sites (never 403)."""
    treatments = access.scope_to_user(
        Treatment.objects.select_related("patient__site"), user, "patient__site"
    )
    return get_object_or_404(treatments, pk=treatment_id)
