"""Registry jobs: the one write path for an export or import asked for in the browser or through the API.

A request only checks who may, stores the upload and queues the job (after commit); a Celery worker runs
it (`job_run`), saving its progress as it goes so a page or client can follow it. Progress is written to
the cache, which every process sees even while the work runs inside a transaction (an export reads one
snapshot; a dry run rolls back), and to the job row whenever the work is not inside one.

If a worker dies mid-job, its heartbeat (the time of its last progress report) stops. `jobs_reap`
(every minute from beat, and when a worker starts) marks a running job whose heartbeat is older than
REGISTRY_JOB_STALE_SECONDS failed, with its report so far; a task delivered again finds the job
finished or running and does nothing twice. A job is never restarted behind the user's back: an import
can simply be run again, as it changes nothing that was already saved.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exclusion.registry import tasks as registry_tasks
from exclusion.registry.export import registry_export
from exclusion.registry.importer import FORMATS, ImportFileError, ImportReport, cases_import
from exclusion.registry.models import JobKind, JobStatus, RegistryJob
from exclusion.registry.selectors import job_progress, progress_key
from patients.access import Actor, can_administer, require_edit_clinical
from patients.accounts.services import language_of
from patients.models import Site

logger = logging.getLogger(__name__)

# A job's error and its report's row errors are read on its page: they are written, when they arise, in
# the language of the request that started the job (RegistryJob.language, as the worker runs elsewhere),
# else in the language its user chose, else the site's default.
INTERRUPTED = gettext_lazy(
    "The worker stopped while this job was running. What is reported was done before it stopped; %(advice)s"
)
IMPORT_ADVICE = gettext_lazy(
    "importing the same file again completes it and changes nothing that was already saved."
)
EXPORT_ADVICE = gettext_lazy("no file was written; start the export again.")
FAILED = gettext_lazy("The job failed unexpectedly; nothing more was done. The error is in the server's log.")
QUEUE_DOWN = gettext_lazy(
    "The job could not be queued (the task queue is unavailable); start it again later."
)


def _asked_language() -> str:
    """The language the job is asked for in (the request's, or the default outside a request)."""
    return translation.get_language() or settings.LANGUAGE_CODE


def _job_language(job: RegistryJob) -> str:
    """The language to write the job's messages in: its request's, its user's choice, or the default."""
    if job.language:
        return job.language
    user = job.created_by
    return (language_of(user) if user is not None else "") or settings.LANGUAGE_CODE


# --- Starting a job --------------------------------------------------------------------------------------


def export_job_start(*, actor: Actor, site: Site, deidentify: bool = False) -> RegistryJob:
    """Queue an export of the site. Only the site's administrators may export (PermissionDenied)."""
    if actor is not None and not can_administer(actor, site.pk):
        raise PermissionDenied(_("Only a site administrator may export the site's registry data."))
    job = RegistryJob.objects.create(
        kind=JobKind.EXPORT, site=site, created_by=actor, deidentify=deidentify, language=_asked_language()
    )
    _enqueue_on_commit(job)
    return job


def import_job_start(
    *, actor: Actor, site: Site, upload: UploadedFile[bytes], dry_run: bool = False, fmt: str | None = None
) -> RegistryJob:
    """Store the upload and queue its import into the site. PermissionDenied unless the actor may change
    clinical records there; ValidationError (by field) for a file that is empty, too big or of an
    unknown format, before anything is stored."""
    require_edit_clinical(actor, site.pk)
    errors: dict[str, str] = {}
    if fmt and fmt not in FORMATS:
        errors["format"] = _("Unknown format %(format)s: use one of %(formats)s.") % {
            "format": repr(fmt),
            "formats": ", ".join(FORMATS),
        }
    limit = settings.REGISTRY_IMPORT_MAX_BYTES
    if not upload.size:
        errors["file"] = _("The file is empty.")
    elif upload.size > limit:
        errors["file"] = _("The file is %(size)s bytes; an import takes at most %(limit)s bytes.") % {
            "size": f"{upload.size:,}",
            "limit": f"{limit:,}",
        }
    if errors:
        raise ValidationError(errors)
    name = _safe_name(upload.name or "upload")
    with transaction.atomic():
        job = RegistryJob(
            kind=JobKind.IMPORT,
            site=site,
            created_by=actor,
            dry_run=dry_run,
            fmt=fmt or "",
            source_name=name,
            language=_asked_language(),
        )
        job.save()
        # The stored name carries the job id and the original extension (the importer reads the format
        # from it), never the uploaded name, which may say something about the patients.
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
        job.source.save(f"job-{job.pk}.{suffix}", upload, save=True)
        _enqueue_on_commit(job)
    return job


def _safe_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[^\w.\- ]", "_", name)[:200] or "upload"


def _enqueue_on_commit(job: RegistryJob) -> None:
    transaction.on_commit(functools.partial(_enqueue, job.pk))


def _enqueue(job_id: int) -> None:
    try:
        registry_tasks.run_registry_job.delay(job_id)
    except Exception as exc:  # noqa: BLE001 - any broker/transport error: the job says so, no 500
        logger.warning("Registry job %s not enqueued (%s).", job_id, type(exc).__name__)
        job = (
            RegistryJob.objects.filter(pk=job_id, status=JobStatus.QUEUED)
            .select_related("created_by")
            .first()
        )
        if job is None:
            return
        with translation.override(_job_language(job)):
            RegistryJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
                status=JobStatus.FAILED, finished_at=timezone.now(), error=str(QUEUE_DOWN)
            )


# --- Running it (on a worker) ----------------------------------------------------------------------------


def job_run(*, job_id: int) -> str:
    """Run a queued job to its end and return its status. A finished job is left as it is (a task
    delivered twice does nothing twice); a job found running was interrupted and is marked failed."""
    with transaction.atomic():
        job = RegistryJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return job.status if job else "missing"
        if job.status == JobStatus.RUNNING:
            # Delivered again (a worker was lost): the reaper decides, from the heartbeat.
            return job.status
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])

    with translation.override(_job_language(job)):
        try:
            if job.kind == JobKind.EXPORT:
                _run_export(job)
            else:
                _run_import(job)
        except (ImportFileError, PermissionDenied) as exc:
            _finish(job, JobStatus.FAILED, error=str(exc))
        except Exception:
            logger.exception("Registry job %s failed.", job.pk)
            _finish(job, JobStatus.FAILED, error=str(FAILED))
    return job.status


def _run_export(job: RegistryJob) -> None:
    stamp = timezone.localdate().isoformat()
    name = f"{job.site.code}-registry{'-deidentified' if job.deidentify else ''}-{stamp}-job{job.pk}.zip"
    storage = job.output.storage
    relative = f"exports/{name}"
    path = storage.path(relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    summary = registry_export(
        actor=job.created_by,
        site=job.site,
        out=path,
        deidentify=job.deidentify,
        progress=functools.partial(_progress, job),
    )
    job.output.name = relative
    _finish(job, JobStatus.DONE, report=summary.as_dict())


def _run_import(job: RegistryJob) -> None:
    watched: list[ImportReport] = []

    def progress(done: int, total: int | None) -> None:
        _progress(job, done, total, report=watched[0].as_dict() if watched else None)

    try:
        report = cases_import(
            actor=job.created_by,
            site=job.site,
            source=job.source.path,
            fmt=job.fmt or None,
            dry_run=job.dry_run,
            progress=progress,
            watch=watched.append,
        )
    finally:
        # The upload has served its purpose whatever happened; it holds patient data.
        job.source.delete(save=False)
    _finish(job, JobStatus.DONE, report=report.as_dict())


def _progress(job: RegistryJob, done: int, total: int | None, report: dict[str, Any] | None = None) -> None:
    job.done, job.total = done, total
    state: dict[str, Any] = {"done": done, "total": total, "at": time.time()}
    if report is not None:
        job.report = state["report"] = _storable(report)
    cache.set(progress_key(job.pk), state, timeout=24 * 3600)
    if not connection.in_atomic_block:
        fields = ["done", "total"] + (["report"] if report is not None else [])
        RegistryJob.objects.filter(pk=job.pk).update(**{name: getattr(job, name) for name in fields})


def _finish(job: RegistryJob, status: str, *, report: dict[str, Any] | None = None, error: str = "") -> None:
    job.status = status
    job.finished_at = timezone.now()
    job.error = _storable(error)
    if report is not None:
        job.report = _storable(report)
    if status == JobStatus.DONE and job.total is not None:
        job.done = job.total
    job.save(update_fields=["status", "finished_at", "error", "report", "done", "total", "output", "source"])
    cache.delete(progress_key(job.pk))


def jobs_reap(*, now: float | None = None) -> int:
    """Mark failed every running job whose worker has gone silent; returns how many."""
    now = time.time() if now is None else now
    stale_after = settings.REGISTRY_JOB_STALE_SECONDS
    reaped = 0
    for job_id in RegistryJob.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True):
        with transaction.atomic():
            job = RegistryJob.objects.select_for_update().filter(pk=job_id, status=JobStatus.RUNNING).first()
            if job is None:
                continue
            state = cache.get(progress_key(job.pk)) or {}
            started = job.started_at.timestamp() if job.started_at else 0.0
            # The last heartbeat, or the start when the worker never reported (the cache was emptied).
            if now - state.get("at", started) > stale_after:
                _interrupted(job)
                reaped += 1
    return reaped


def _storable(value: Any) -> Any:
    """PostgreSQL stores no NUL character, in text or JSON; a report may quote one from a broken file."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    return json.loads(json.dumps(value).replace("\\u0000", "\\ufffd"))


def _interrupted(job: RegistryJob) -> None:
    job_progress(job)
    advice = IMPORT_ADVICE if job.kind == JobKind.IMPORT else EXPORT_ADVICE
    if job.kind == JobKind.IMPORT:
        job.source.delete(save=False)
    with translation.override(_job_language(job)):
        _finish(job, JobStatus.FAILED, error=str(INTERRUPTED) % {"advice": advice})


# --- Removing one ----------------------------------------------------------------------------------------


def job_delete(*, actor: Actor, job: RegistryJob) -> None:
    """Delete a finished job and its files (its creator or a site administrator)."""
    if actor is not None and job.created_by_id != actor.pk and not can_administer(actor, job.site_id):
        raise PermissionDenied(_("Only the job's creator or a site administrator may delete it."))
    if not job.finished:
        raise ValidationError({"status": _("A job that has not finished cannot be deleted.")})
    job.output.delete(save=False)
    job.source.delete(save=False)
    job.delete()
