"""Registry jobs (exclusion.registry.services): an import or export asked for in the browser or the API runs
on a worker, reports its progress as it goes, and ends done or failed with its report, never half-reported.

Without a broker (these tests) Celery runs the job in-process after commit; test_jobs_worker.py runs them on a
real worker."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from exclusion.registry import services
from exclusion.registry.models import JobKind, JobStatus, RegistryJob
from exclusion.registry.selectors import job_get, jobs_list, progress_key
from patients.models import AuditEntry, Episode
from tests.exclusion.registry.test_import import cohort, with_three_bad
from tests.factories import make_episode, make_site, make_user

# Jobs are queued with transaction.on_commit, so the data must really commit.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


def upload(lines: list[str], name: str = "cohort.jsonl") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode())


def cohort_with_three_bad() -> list[str]:
    """40 lines, 5, 18 and 31 bad (the 200-row acceptance runs at the command line, page and API doors)."""
    return with_three_bad(cohort(40), at=(5, 18, 31))


def test_an_import_job_runs_to_done_with_the_importers_report_and_its_upload_is_removed(clinician, north):
    job = services.import_job_start(actor=clinician, site=north, upload=upload(cohort_with_three_bad()))
    job.refresh_from_db()

    assert job.status == JobStatus.DONE
    assert (job.done, job.total, job.percent) == (40, 40, 100)
    assert job.report["episodes"] == {"created": 37, "changed": 0, "unchanged": 0}
    assert job.report["bad_rows"] == 3
    assert {error["row"] for error in job.report["errors"]} == {5, 18, 31}
    assert Episode.objects.filter(patient__site=north).count() == 37
    assert job.source_name == "cohort.jsonl"
    assert not job.source, "the upload holds patient data and is deleted once the job has run"


def test_a_dry_run_job_saves_nothing_and_reports_what_would_be_created(clinician, north):
    job = services.import_job_start(actor=clinician, site=north, upload=upload(cohort(20)), dry_run=True)
    job.refresh_from_db()

    assert job.status == JobStatus.DONE
    assert job.report["dry_run"] is True
    assert job.report["episodes"]["created"] == 20
    assert not Episode.objects.exists()


def test_a_file_that_cannot_be_read_ends_the_job_failed_with_the_reason(clinician, north):
    job = services.import_job_start(
        actor=clinician, site=north, upload=SimpleUploadedFile("export.zip", b"PK\x03\x04\x00 not a zip")
    )
    job.refresh_from_db()

    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Not a readable zip file")
    assert not Episode.objects.exists()


def test_an_empty_or_too_big_upload_is_refused_by_field_and_nothing_is_stored(clinician, north, settings):
    with pytest.raises(ValidationError) as empty:
        services.import_job_start(actor=clinician, site=north, upload=SimpleUploadedFile("a.jsonl", b""))
    assert empty.value.message_dict == {"file": ["The file is empty."]}

    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as big:
        services.import_job_start(actor=clinician, site=north, upload=upload(cohort(5)))
    assert "at most 100 bytes" in big.value.message_dict["file"][0]

    with pytest.raises(ValidationError) as fmt:
        services.import_job_start(actor=clinician, site=north, upload=upload(cohort(1)), fmt="xlsx")
    assert "format" in fmt.value.message_dict

    assert not RegistryJob.objects.exists()
    stored = settings.REGISTRY_DIR / "imports"
    assert not stored.exists() or not any(stored.iterdir())


def test_an_export_job_writes_the_zip_audits_it_and_keeps_its_counts(admin, north):
    make_episode(north, "NF-2001")
    make_episode(north, "NF-2002")

    job = services.export_job_start(actor=admin, site=north, deidentify=True)
    job.refresh_from_db()

    assert job.status == JobStatus.DONE
    assert job.report["patients"] == 2
    assert job.report["deidentified"] is True
    assert job.output.name.startswith("exports/NORTH-registry-deidentified-")
    with job.output.open("rb") as stream, zipfile.ZipFile(io.BytesIO(stream.read())) as archive:
        assert "records.csv" in archive.namelist()
        assert b"NF-2001" not in archive.read("records.csv")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, site=north).count() == 1


def test_only_a_site_admin_starts_an_export_and_only_clinical_roles_an_import(north, clinician):
    reviewer = make_user(north, "reviewer", "north-reviewer")
    with pytest.raises(PermissionDenied):
        services.export_job_start(actor=clinician, site=north)
    with pytest.raises(PermissionDenied):
        services.import_job_start(actor=reviewer, site=north, upload=upload(cohort(1)))
    outsider = make_user(make_site("SOUTH"), "site_admin", "south-admin")
    with pytest.raises(PermissionDenied):
        services.export_job_start(actor=outsider, site=north)
    assert not RegistryJob.objects.exists()


def test_a_job_delivered_again_after_it_finished_does_nothing_twice(clinician, north):
    job = services.import_job_start(actor=clinician, site=north, upload=upload(cohort(4)))
    job.refresh_from_db()
    finished_at = job.finished_at

    assert services.job_run(job_id=job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.finished_at == finished_at
    assert job.report["episodes"]["created"] == 4


def test_a_job_delivered_again_while_it_runs_is_left_to_its_worker(clinician, north):
    job = RegistryJob.objects.create(
        kind=JobKind.IMPORT,
        site=north,
        created_by=clinician,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
    )
    assert services.job_run(job_id=job.pk) == JobStatus.RUNNING
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def running_import(north, clinician, *, done: int, heartbeat: float) -> RegistryJob:
    """A job whose worker last reported `done` of 5,000 rows at `heartbeat` (as services._progress does)."""
    job = RegistryJob.objects.create(
        kind=JobKind.IMPORT,
        site=north,
        created_by=clinician,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        done=25,
        total=5000,
    )
    report = {"rows": done, "episodes": {"created": done, "changed": 0, "unchanged": 0}, "errors": []}
    cache.set(progress_key(job.pk), {"done": done, "total": 5000, "at": heartbeat, "report": report})
    return job


def test_a_running_job_whose_worker_went_silent_is_failed_with_its_report_so_far(north, clinician, settings):
    now = time.time()
    lost = running_import(north, clinician, done=750, heartbeat=now - settings.REGISTRY_JOB_STALE_SECONDS - 1)
    alive = running_import(north, clinician, done=300, heartbeat=now - 5)

    assert services.jobs_reap(now=now) == 1

    lost.refresh_from_db()
    assert lost.status == JobStatus.FAILED
    assert lost.error.startswith("The worker stopped while this job was running.")
    assert "importing the same file again completes it" in lost.error
    assert (lost.done, lost.total) == (750, 5000), "the report so far, as the worker last reported it"
    assert lost.report["episodes"]["created"] == 750
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING


def test_a_running_job_shows_the_progress_its_worker_reported_before_the_row_is_updated(north, clinician):
    job = running_import(north, clinician, done=1200, heartbeat=time.time())

    seen = job_get(user=clinician, job_id=job.pk)

    assert seen is not None
    assert (seen.done, seen.total, seen.percent) == (1200, 5000, 24)


def test_a_job_is_seen_by_its_creator_and_the_sites_admins_and_by_nobody_else(north, clinician, admin):
    teammate = make_user(north, "clinician", "north-teammate")
    outsider = make_user(make_site("SOUTH"), "site_admin", "south-admin")
    job = services.import_job_start(actor=clinician, site=north, upload=upload(cohort(2)))

    assert job_get(user=clinician, job_id=job.pk) is not None
    assert job_get(user=admin, job_id=job.pk) is not None
    assert job_get(user=teammate, job_id=job.pk) is None
    assert job_get(user=outsider, job_id=job.pk) is None
    assert [j.pk for j in jobs_list(user=outsider)] == []


def test_a_finished_job_is_deleted_with_its_file_by_its_creator_or_an_admin(north, admin, clinician):
    make_episode(north, "NF-2003")
    job = services.export_job_start(actor=admin, site=north)
    job.refresh_from_db()
    path = job.output.path

    with pytest.raises(PermissionDenied):
        services.job_delete(actor=clinician, job=job)
    services.job_delete(actor=admin, job=job)

    assert not RegistryJob.objects.exists()
    assert not os.path.exists(path)
