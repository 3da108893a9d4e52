"""Read paths of the exclusion app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from exclusion.assessments.models import Assessment
from exclusion.review.models import Flag
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


def latest_assessments_where(**filters: Any) -> QuerySet[Assessment]:
    """The newest assessment of each episode, filtered on its copied-out columns."""
    return Assessment.objects.latest_per_episode().filter(**filters)


def patient_list_filtered(
    *,
    user: Viewer,
    site_ids: Iterable[int] | None = None,
    query: str = "",
    biopsy_recommended: bool = False,
    workup_incomplete: bool = False,
    open_review: bool = False,
) -> QuerySet[Patient]:
    """The user's patients, newest activity first, each annotated with its latest episode's id.

    The assessment filters look at each patient's latest episode (by assessment date): "what is this
    child's situation now", not any episode in the past. `open_review`: any open review flag.
    """
    latest_episode = (
        Episode.objects.filter(patient=OuterRef("pk")).order_by("-assessed_on", "-id").values("id")[:1]
    )
    patients = patient_selectors.patient_list(user=user).annotate(
        latest_episode_id=Subquery(latest_episode),
        episode_count=Count("episodes", distinct=True),
        has_open_review=Exists(Flag.objects.filter(patient=OuterRef("pk"), status="open")),
    )
    if site_ids is not None:
        patients = patients.filter(site_id__in=list(site_ids))
    if query:
        patients = patients.filter(record_number__icontains=query.strip())
    if biopsy_recommended:
        patients = patients.filter(
            latest_episode_id__in=latest_assessments_where(biopsy_recommended=True).values("episode_id")
        )
    if workup_incomplete:
        patients = patients.filter(
            latest_episode_id__in=latest_assessments_where(exclusion_complete=False).values("episode_id")
        )
    if open_review:
        patients = patients.filter(has_open_review=True)
    return patients


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
