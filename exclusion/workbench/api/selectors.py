"""Read paths of the API, built on the site-scoped selectors of patients and exclusion.

Each list is one query whatever its length: the per-patient facts (episode count, latest assessment,
open flags) are correlated subqueries, not per-row lookups.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from exclusion.assessments.models import Assessment
from exclusion.review.models import Flag, FlagStatus
from patients import access, selectors
from patients.access import Viewer
from patients.models import Episode, Patient


def _latest_assessment_of_latest_episode() -> QuerySet[Assessment]:
    # "What is this child's situation now": the newest assessment of the most recent episode.
    return Assessment.objects.filter(episode__patient=OuterRef("pk")).order_by(
        "-episode__assessed_on", "-episode_id", "-id"
    )


def _count(queryset: QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().values("patient").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def patient_api_list(
    *,
    user: Viewer,
    record_number: str | None = None,
    site: str | None = None,
    updated_since: datetime.datetime | None = None,
    biopsy_recommended: bool | None = None,
    open_flag: bool | None = None,
) -> QuerySet[Patient]:
    open_flags = Flag.objects.filter(patient=OuterRef("pk"), status=FlagStatus.OPEN)
    latest = _latest_assessment_of_latest_episode()
    patients = (
        selectors.patient_list(user=user)
        .order_by()
        .annotate(
            episode_count=_count(Episode.objects.filter(patient=OuterRef("pk"))),
            biopsy_recommended=Subquery(latest.values("biopsy_recommended")[:1]),
            exclusion_complete=Subquery(latest.values("exclusion_complete")[:1]),
            open_flags=_count(open_flags),
        )
    )
    if record_number is not None:
        patients = patients.filter(record_number=record_number)
    if site is not None:
        patients = patients.filter(site__code=site)
    if updated_since is not None:
        patients = patients.filter(updated_at__gte=updated_since)
    if biopsy_recommended is not None:
        patients = patients.filter(biopsy_recommended=biopsy_recommended)
    if open_flag is not None:
        patients = patients.filter(Exists(open_flags)) if open_flag else patients.exclude(Exists(open_flags))
    return patients


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
