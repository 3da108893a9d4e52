"""Summaries recomputed by a real Celery worker (a thread consuming from Redis), as in production.

The data must be committed for the worker's own database connection to see it, hence transaction=True.
Each test starts from an empty Redis database so that leftovers of other tests cannot interfere.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F

from cno_app.celery import app
from exclusion.models import ActivitySummary
from exclusion.summaries import services as summary_services
from exclusion.summaries.tasks import sweep_summaries
from patients.services import episode_update
from tests.exclusion.summaries.helpers import from_scratch, make_course, stored
from tests.factories import make_episode, make_site

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> float:
    """Poll until `condition()` holds; returns the seconds it took (fails the test after `timeout`)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - started


def fresh(patient_id: int) -> bool:
    return ActivitySummary.objects.filter(patient_id=patient_id, stale=False).exists()


def empty_broker() -> None:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


@pytest.fixture
def worker() -> Iterator[None]:
    if app.conf.task_always_eager:
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis (make test sets it)")
    empty_broker()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def use_broker(url: str | None) -> None:
    """Point the producers of this process at another broker (the worker keeps consuming its own).

    Celery reads the CELERY_BROKER_URL environment variable before its configuration, so the
    settings override alone would not reach an app that is already configured; the write URL does.
    """
    app.conf.broker_write_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings) -> Iterator[Callable[[], None]]:
    """The broker address points at a closed port; calling the fixture's value brings the broker back."""
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    use_broker(CLOSED_PORT_BROKER)
    try:
        yield lambda: use_broker(None)
    finally:
        use_broker(None)


def test_saving_an_episode_updates_the_summary_within_seconds(worker):
    patient = make_episode(make_site("NORTH"), "W-1").patient
    took = wait_for(lambda: fresh(patient.id), timeout=10)
    assert took < 10
    assert stored(patient) == from_scratch(patient)


def test_a_treatment_change_reaches_the_summary_api_through_the_worker(worker):
    """Issue 14: stop naproxen for inefficacy, start adalimumab: the API's summary shows line 2, from the
    worker, within seconds; another site's token gets a 404."""
    from patients.treatments.services import treatment_create, treatment_update
    from tests.clients import token_client
    from tests.factories import make_user

    north = make_site("NORTH")
    patient = make_episode(north, "W-TX").patient
    wait_for(lambda: fresh(patient.id), timeout=10)
    naproxen = treatment_create(
        actor=None,
        patient=patient,
        drug_class="nsaid",
        drug="naproxen",
        started_on=datetime.date(2024, 5, 10),
    )
    treatment_update(
        actor=None,
        treatment=naproxen,
        version=1,
        drug_class="nsaid",
        drug="naproxen",
        started_on=datetime.date(2024, 5, 10),
        stopped_on=datetime.date(2024, 9, 1),
        stop_reason="inefficacy",
    )
    treatment_create(
        actor=None,
        patient=patient,
        drug_class="tnf_inhibitor",
        drug="adalimumab",
        started_on=datetime.date(2024, 9, 1),
    )
    wait_for(lambda: fresh(patient.id), timeout=10)
    body = token_client(make_user(north, "clinician")).get(f"/api/v1/patients/{patient.id}/summary/").json()
    assert body["treatment"]["line"] == 2
    assert [course["drug"] for course in body["treatment"]["current"]] == ["adalimumab"]
    assert {"response", "cdas_components", "prompts", "spine"} <= set(body)
    outsider = token_client(make_user(make_site("SOUTH"), "clinician"))
    assert outsider.get(f"/api/v1/patients/{patient.id}/summary/").status_code == 404


def test_ten_quick_edits_cause_one_recompute(worker):
    episode = make_episode(make_site("NORTH"), "W-2")
    wait_for(lambda: fresh(episode.patient_id))
    assert ActivitySummary.objects.get(patient=episode.patient).recompute_count == 1

    for edit in range(10):
        episode = episode_update(
            actor=None, episode_id=episode.id, expected_version=episode.version, data={"esr_mm_h": 30 + edit}
        )
    wait_for(lambda: fresh(episode.patient_id))
    # Every message of the burst has had time to run; only the newest generation's did the work.
    time.sleep(summary_services._debounce_seconds() + 1.5)
    summary = ActivitySummary.objects.get(patient=episode.patient)
    assert summary.recompute_count == 2
    assert summary.stale is False and summary.trend[-1]["esr_mm_h"] == 39


def test_with_the_broker_down_the_save_succeeds_and_the_sweep_catches_up(worker, broker_down):
    started = time.monotonic()
    patient = make_episode(make_site("NORTH"), "W-3").patient
    assert time.monotonic() - started < 5  # the save does not hang on the dead broker
    time.sleep(summary_services._debounce_seconds() + 1)
    summary = ActivitySummary.objects.get(patient=patient)
    assert summary.stale is True and summary.computed_at is None

    broker_down()  # the broker is back
    sweep_summaries.delay()  # what beat sends every minute, run by the real worker
    wait_for(lambda: fresh(patient.id))
    assert stored(patient) == from_scratch(patient)


@pytest.mark.slow
def test_a_bulk_recompute_of_a_few_hundred_patients_matches_a_from_scratch_computation(capsys):
    if app.conf.task_always_eager:
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis (make test sets it)")
    north, south = make_site("NORTH"), make_site("SOUTH")
    patients = [
        make_course(north if seed % 2 else south, f"B-{seed:03d}", visits=1 + seed % 2, seed=seed)
        for seed in range(200)
    ]
    empty_broker()  # drop the incremental messages: the bulk run must do all the work
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        call_command("recompute_summaries", "--all", "--chunk-size", "50", "--timeout", "120")
    assert ActivitySummary.objects.filter(stale=True).count() == 0
    for patient in patients:
        assert stored(patient) == from_scratch(patient)
    assert "200/200" in capsys.readouterr().err


def test_a_worker_killed_in_the_middle_of_a_bulk_run_leaves_nothing_wrong_after_the_next_sweep():
    """A separate worker process, killed with SIGKILL while it works through a bulk run."""
    if app.conf.task_always_eager:
        pytest.skip("needs CELERY_BROKER_URL pointing at Redis (make test sets it)")
    north = make_site("NORTH")
    patients = [make_course(north, f"K-{seed:03d}", visits=2, seed=seed) for seed in range(40)]
    empty_broker()
    with transaction.atomic():
        summary_services.summary_mark_stale_where()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "cno_app.settings",
    }
    worker_process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cno_app",
            "worker",
            "--pool=solo",
            "--loglevel=ERROR",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ids = [patient.id for patient in patients]
        assert summary_services.summary_dispatch(ids, reassess=False, sync=False, chunk_size=1)
        wait_for(lambda: ActivitySummary.objects.filter(stale=False).exists(), timeout=60)
    finally:
        worker_process.send_signal(signal.SIGKILL)
        worker_process.wait(timeout=10)

    pending = ActivitySummary.objects.filter(stale=True).count()
    print(f"{pending} of {len(patients)} summaries pending when the worker was killed")
    # Nothing is wrong: a summary is either recomputed correctly or still marked stale.
    for patient in patients:
        summary = ActivitySummary.objects.get(patient=patient)
        assert summary.stale or stored(patient) == from_scratch(patient)

    # The next sweep (after the dead worker's claims expired) completes the run.
    ActivitySummary.objects.filter(claimed_at__isnull=False).update(
        claimed_at=F("claimed_at") - summary_services.CLAIM_LEASE - datetime.timedelta(seconds=1)
    )
    summary_services.summary_sweep(sync=True)
    for patient in patients:
        assert ActivitySummary.objects.get(patient=patient).stale is False
        assert stored(patient) == from_scratch(patient)
