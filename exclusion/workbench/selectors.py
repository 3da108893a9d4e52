"""Read paths of the exclusion app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from exclusion.assessments.models import Assessment
from exclusion.review.models import Flag, FlagStatus
from patients import selectors as patient_selectors
from patients.access import Viewer
from patients.models import Episode, Patient


def assessment_latest(*, episode_id: int) -> Assessment | None:
    """The newest assessment of an episode: one query."""
    return Assessment.objects.filter(episode_id=episode_id).order_by("-id").first()


def assessments_latest_for(*, episode_ids: Iterable[int]) -> dict[int, Assessment]:
    """The newest assessment of each episode, keyed by episode id: one query whatever the count."""
    rows = Assessment.objects.filter(episode_id__in=list(episode_ids)).latest_per_episode()
    return {row.episode_id: row for row in rows}


def _count(queryset: QuerySet[Any]) -> Coalesce:
    counted = queryset.order_by().values("patient").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def patients_with_current_state(*, user: Viewer) -> QuerySet[Patient]:
    """The user's patients, each annotated with its situation now: the latest episode's id and date, the
    episode count, the current assessment's ``biopsy_recommended`` and ``exclusion_complete`` (null when never
    assessed), its open flags and ``has_open_flag``. One query whatever the length (correlated subqueries);
    :class:`exclusion.workbench.filters.PatientFilterSet` filters on these annotations for both doors."""
    latest_episode = Episode.objects.filter(patient=OuterRef("pk")).order_by("-assessed_on", "-id")
    current = Assessment.objects.current_of_latest_episode(OuterRef("pk"))
    open_flags = Flag.objects.filter(patient=OuterRef("pk"), status=FlagStatus.OPEN)
    return patient_selectors.patient_list(user=user).annotate(
        latest_episode_id=Subquery(latest_episode.values("id")[:1]),
        latest_assessed_on=Subquery(latest_episode.values("assessed_on")[:1]),
        episode_count=_count(Episode.objects.filter(patient=OuterRef("pk"))),
        biopsy_recommended=Subquery(current.values("biopsy_recommended")[:1]),
        exclusion_complete=Subquery(current.values("exclusion_complete")[:1]),
        open_flags=_count(open_flags),
        has_open_flag=Exists(open_flags),
    )


def patient_timeline(*, patient: Patient) -> list[tuple[Episode, Assessment | None]]:
    """All episodes of a patient, oldest first, each with its newest assessment: three queries in all."""
    episodes = list(
        Episode.objects.filter(patient=patient)
        .select_related("biopsy")
        .prefetch_related("lesions")
        .order_by("assessed_on", "id")
    )
    for episode in episodes:
        episode.patient = patient  # avoid a query per episode when templates reach back to the patient
    latest = assessments_latest_for(episode_ids=[episode.id for episode in episodes])
    return [(episode, latest.get(episode.id)) for episode in episodes]
