"""Celery tasks of the activity summaries: thin, take ids, idempotent; the work is in summary_services.

All of them acknowledge late (a message is only removed once the task finished, so a killed worker's
message is delivered again) and retry with exponential backoff on database errors.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from exclusion.summaries import services as summary_services

RETRYING = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name=summary_services.RECOMPUTE_SUMMARY, **RETRYING)
def recompute_summary(patient_id: int, generation: int) -> bool:
    """Recompute one patient's summary if `generation` is still the newest (else a later message will)."""
    return summary_services.summary_recompute_one(patient_id=patient_id, generation=generation)


@shared_task(name=summary_services.RECOMPUTE_CHUNK, **RETRYING)
def recompute_summaries_chunk(patient_ids: list[int]) -> int:
    return summary_services.summary_recompute_chunk(patient_ids=patient_ids)


@shared_task(name=summary_services.REASSESS_CHUNK, **RETRYING)
def reassess_chunk(patient_ids: list[int]) -> int:
    return summary_services.summary_reassess_chunk(patient_ids=patient_ids)


@shared_task(name=summary_services.SWEEP, **RETRYING)
def sweep_summaries() -> dict[str, int]:
    """Periodic (see cno_app/celery.py): catch up on everything stale or assessed with an older ruleset."""
    return summary_services.summary_sweep()
