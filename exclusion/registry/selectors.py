"""Reading registry jobs. A job is seen by its creator and by the site's administrators (an export by
administrators only, as only they may make one); for anyone else it does not exist (404)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet

from exclusion.registry.models import JobKind, JobStatus, RegistryJob
from patients.access import ADMIN_ROLES, Viewer, site_ids


def progress_key(job_id: int) -> str:
    """The cache key under which a job's worker reports its progress (services._progress writes it)."""
    return f"registry-job:{job_id}:progress"


def job_progress(job: RegistryJob) -> RegistryJob:
    """The job with the progress its worker has reported so far (for a running job, newer than its row)."""
    if job.status == JobStatus.RUNNING:
        state = cache.get(progress_key(job.pk))
        if state:
            job.done, job.total = state["done"], state["total"]
            if "report" in state:
                job.report = state["report"]
    return job


def jobs_visible(*, user: Viewer, kind: str | None = None) -> QuerySet[RegistryJob]:
    if user is None or not user.is_authenticated:
        return RegistryJob.objects.none()
    admin_sites = site_ids(user, ADMIN_ROLES)
    mine = Q(created_by_id=user.pk, site_id__in=site_ids(user))
    jobs = RegistryJob.objects.filter(Q(site_id__in=admin_sites) | mine).select_related("site", "created_by")
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    return jobs


def jobs_list(*, user: Viewer, kind: str | None = None, limit: int = 50) -> list[RegistryJob]:
    """The newest jobs the user may see, with their live progress."""
    return [job_progress(job) for job in jobs_visible(user=user, kind=kind)[:limit]]


def job_get(*, user: Viewer, job_id: int, kind: str | None = None) -> RegistryJob | None:
    job = jobs_visible(user=user, kind=kind).filter(pk=job_id).first()
    return job_progress(job) if job is not None else None


__all__ = ["JobKind", "job_get", "jobs_list", "jobs_visible"]
