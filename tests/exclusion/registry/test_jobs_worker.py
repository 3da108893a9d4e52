"""Registry jobs on a real Celery worker (a thread consuming from Redis), as in production: the request
only queues the job; the worker runs it and its progress reaches the job as it goes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from cno_app.celery import app
from exclusion.registry import services
from exclusion.registry.models import JobStatus, RegistryJob
from patients.models import Episode
from tests.exclusion.registry.test_import import cohort
from tests.factories import make_user

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker() -> Iterator[None]:
    if app.conf.task_always_eager:
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis (make test sets it)")
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def wait_until_finished(job: RegistryJob, timeout: float = 30.0) -> list[int]:
    """Poll the job as a page would; returns the row counts seen on the way."""
    seen: list[int] = []
    started = time.monotonic()
    while True:
        job.refresh_from_db()
        seen.append(job.done)
        if job.finished:
            return seen
        if time.monotonic() - started > timeout:
            pytest.fail(f"job still {job.status} after {timeout} s")
        time.sleep(0.05)


def test_an_import_queued_by_a_request_runs_on_the_worker_and_reports_as_it_goes(worker, north):
    clinician = make_user(north, "clinician", "north-clinician")
    lines = "\n".join(cohort(120)) + "\n"

    job = services.import_job_start(
        actor=clinician, site=north, upload=SimpleUploadedFile("cohort.jsonl", lines.encode())
    )
    seen = wait_until_finished(job)

    assert job.status == JobStatus.DONE, job.error
    assert job.report["episodes"]["created"] == 120
    assert Episode.objects.count() == 120
    assert any(0 < done < 120 for done in seen), f"progress never seen between start and end: {seen}"
