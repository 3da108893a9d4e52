"""Read paths of the API, built on the site-scoped selectors of patients and exclusion.

Each list is one query whatever its length: the per-patient facts (episode count, latest assessment,
open flags) are correlated subqueries, not per-row lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cno_app.api.filters import filtered
from exclusion.workbench.filters import PatientFilterSet
from exclusion.workbench.selectors import patients_with_current_state
from patients import access
from patients.access import Viewer
from patients.models import Episode, Patient


def patient_api_list(*, user: Viewer, params: Mapping[str, Any] | None = None) -> QuerySet[Patient]:
    """The user's patients with their current state, filtered by the query parameters (400 when invalid)."""
    patients = patients_with_current_state(user=user).order_by()
    if params is None:
        return patients
    filtered_patients: QuerySet[Patient] = filtered(PatientFilterSet(params, queryset=patients))
    return filtered_patients


def patient_api_get(*, user: Viewer, patient_id: int) -> Patient:
    """One patient with the list's annotations; Http404 outside the user's sites."""
    return get_object_or_404(patient_api_list(user=user), pk=patient_id)


def episode_api_list(*, patient: Patient) -> QuerySet[Episode]:
    """The patient's episodes (the caller has already scoped the patient to the user's sites)."""
    return (
        Episode.objects.filter(patient=patient)
        .select_related("patient", "biopsy")
        .prefetch_related("lesions")
    )


def episode_api_get(*, user: Viewer, episode_id: int) -> Episode:
    """One episode with what its representation needs; Http404 outside the user's sites."""
    episodes = access.scope_to_user(
        Episode.objects.select_related("patient__site", "biopsy").prefetch_related("lesions"),
        user,
        "patient__site",
    )
    return get_object_or_404(episodes, pk=episode_id)
