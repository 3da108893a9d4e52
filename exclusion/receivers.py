"""The derived side follows the record: on patients.signals.episode_changed, store the assessment, make
the review flag follow it, and mark the activity summary stale (recomputed by a worker after commit).

Connected in ExclusionConfig.ready(). Runs inside the service's transaction, so a failure here rolls the
whole save back: the record and what is derived from it never disagree.
"""

from __future__ import annotations

from typing import Any

from exclusion.assessments.services import assessment_store
from exclusion.review.services import flag_sync, flags_resolve_orphans
from exclusion.summaries.services import summary_after_change, summary_mark_stale
from patients import signals
from patients.models import Episode


def episode_changed(
    sender: Any,
    *,
    episode: Episode | None,
    patient_id: int,
    case: dict[str, Any] | None,
    result: dict[str, Any] | None,
    reason: str,
    **kwargs: Any,
) -> None:
    if episode is None:
        # A deleted episode's flags keep their history but leave the queue.
        flags_resolve_orphans(patient_id=patient_id)
    else:
        assert case is not None and result is not None
        assessment = assessment_store(episode=episode, case=case, result=result)
        flag_sync(episode=episode, assessment=assessment)
    if reason == signals.REASSESSED:
        # Bulk re-assessment recomputes the chunk's summaries itself, in one pass.
        summary_mark_stale(patient_ids=[patient_id])
    else:
        summary_after_change(patient_id=patient_id)


def treatment_changed(sender: Any, *, patient_id: int, **kwargs: Any) -> None:
    # A course changed: nothing to assess, but the summary reads treatments (stale, recomputed after commit).
    summary_after_change(patient_id=patient_id)


def connect() -> None:
    signals.episode_changed.connect(episode_changed, dispatch_uid="exclusion.episode_changed")
    signals.treatment_changed.connect(treatment_changed, dispatch_uid="exclusion.treatment_changed")
