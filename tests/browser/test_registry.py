"""A registry import in a real browser, run by a real Celery worker in its own process: the progress bar moves
while the 5,000 rows are read, and when the worker is killed mid-import the job ends failed with its report
so far (what the periodic reaper does once the worker has gone silent), never half-reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from cno_app.celery import app
from exclusion.registry.models import JobStatus, RegistryJob
from exclusion.registry.services import jobs_reap
from tests.exclusion.registry.test_import import cohort
from tests.factories import make_user

pytestmark = pytest.mark.browser


def start_worker_process(registry_dir) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "cno_app.settings",
        "CNO_REGISTRY_DIR": str(registry_dir),
    }
    command = [sys.executable, "-m", "celery", "-A", "cno_app", "worker", "--pool=solo", "--loglevel=ERROR"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(
        command, env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_the_bar_moves_during_a_5000_row_import_and_a_killed_worker_leaves_the_job_failed_with_its_report(
    open_page, north, settings, tmp_path
):
    from playwright.sync_api import expect

    if app.conf.task_always_eager:
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis (make test sets it)")
    settings.REGISTRY_DIR = tmp_path / "registry"
    make_user(north, "clinician", "north-clinician")
    upload = tmp_path / "cohort-5000.jsonl"
    upload.write_text("\n".join(cohort(5000)) + "\n")
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    worker = start_worker_process(settings.REGISTRY_DIR)
    try:
        page = open_page(signed_in="north-clinician")
        page.get_by_role("link", name="Import and export").click()
        page.get_by_label("File").set_input_files(str(upload))
        page.get_by_role("button", name="Start the import").click()
        page.wait_for_url("**/registry/jobs/*/")

        bar = page.get_by_test_id("job-progress")
        seen: list[int] = []
        deadline = time.monotonic() + 45
        while len(set(seen)) < 3 and time.monotonic() < deadline:
            value = page.evaluate("document.querySelector('[data-testid=job-progress]').value")
            if int(value) > 0 and (not seen or int(value) > seen[-1]):
                seen.append(int(value))
            time.sleep(0.2)
        jobs = list(RegistryJob.objects.values("status", "done", "total", "error"))
        assert len(seen) >= 3, f"the bar did not move: {seen}; the job: {jobs}"
        assert seen == sorted(seen) and seen[-1] < 5000
        expect(bar).to_have_attribute("max", "5000")
        expect(page.get_by_text("of 5000 rows")).to_be_visible()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    job = RegistryJob.objects.get()
    assert job.status == JobStatus.RUNNING
    assert jobs_reap(now=time.time() + settings.REGISTRY_JOB_STALE_SECONDS + 1) == 1

    # The page was still following the job: it reloads on its own and shows the failure and the report so far.
    expect(page.get_by_test_id("job-status")).to_have_text("Failed", timeout=10_000)
    expect(page.get_by_test_id("job-error")).to_contain_text("The worker stopped while this job was running")
    expect(page.get_by_role("heading", name="Report so far")).to_be_visible()
    job.refresh_from_db()
    created = job.report["episodes"]["created"]
    assert 0 < created < 5000
    expect(page.get_by_test_id("created")).to_have_text(str(created))
