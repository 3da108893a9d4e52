"""Read paths of the patients app. Every selector takes the user and scopes to their sites."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from patients import access
from patients.access import Viewer
from patients.models import Episode, Patient


def patient_list(*, user: Viewer) -> QuerySet[Patient]:
    return access.scope_to_user(Patient.objects.select_related("site"), user).order_by("-updated_at", "id")


def patient_get(*, user: Viewer, patient_id: int) -> Patient:
    """The patient if the user can see its site; Http404 otherwise (never 403: no existence leak)."""
    return get_object_or_404(patient_list(user=user), pk=patient_id)


def episode_get(*, user: Viewer, episode_id: int) -> Episode:
    queryset = access.scope_to_user(
        Episode.objects.select_related("patient__site", "biopsy").prefetch_related("lesions"),
        user,
        "patient__site",
    )
    return get_object_or_404(queryset, pk=episode_id)
