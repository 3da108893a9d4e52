"""Read paths of the exclusion app."""

from __future__ import annotations

from collections.abc import Iterable

from exclusion.models import Assessment


def assessment_latest(*, episode_id: int) -> Assessment | None:
    """The newest assessment of an episode: one query."""
    return Assessment.objects.filter(episode_id=episode_id).order_by("-id").first()


def assessments_latest_for(*, episode_ids: Iterable[int]) -> dict[int, Assessment]:
    """The newest assessment of each episode, keyed by episode id: one query whatever the count."""
    rows = Assessment.objects.filter(episode_id__in=list(episode_ids)).latest_per_episode()
    return {row.episode_id: row for row in rows}
