"""Celery task of registry jobs: thin, takes an id, idempotent (a finished job is left as it is).

exclusion.registry.services imports this module (so the task is registered wherever the services are),
hence the service is imported inside the task, not at the top.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

RUN_REGISTRY_JOB = "registry.run_job"
REAP_REGISTRY_JOBS = "registry.reap_jobs"


@shared_task(name=RUN_REGISTRY_JOB, acks_late=True, reject_on_worker_lost=True)
def run_registry_job(job_id: int) -> str:
    """Run a queued export or import; a job found already running was interrupted and is marked failed."""
    from exclusion.registry.services import job_run

    return job_run(job_id=job_id)


@shared_task(name=REAP_REGISTRY_JOBS)
def reap_registry_jobs() -> int:
    """Mark failed the running jobs whose worker has gone silent (beat runs it every minute)."""
    from exclusion.registry.services import jobs_reap

    return jobs_reap()


@worker_ready.connect
def _reap_when_a_worker_starts(**_: object) -> None:
    # A restarted worker tells at once what its predecessor left unfinished.
    reap_registry_jobs.delay()
