"""How the summary tasks are declared: periodic sweep in code, late acknowledgement, retry with backoff."""

from __future__ import annotations

from django.db import DatabaseError

from cno_app.celery import app
from exclusion.summaries import tasks


def test_the_beat_schedule_in_code_sweeps_summaries_every_minute():
    entry = app.conf.beat_schedule["sweep-activity-summaries"]
    assert entry["task"] == tasks.sweep_summaries.name == "summaries.sweep"
    assert entry["schedule"] == 60.0


def test_summary_tasks_acknowledge_late_and_retry_database_errors_with_backoff():
    for task in (
        tasks.recompute_summary,
        tasks.recompute_summaries_chunk,
        tasks.reassess_chunk,
        tasks.sweep_summaries,
    ):
        assert task.acks_late is True and task.reject_on_worker_lost is True
        assert DatabaseError in task.autoretry_for
        assert task.retry_backoff and task.max_retries >= 5
