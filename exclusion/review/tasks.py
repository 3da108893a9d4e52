"""Celery tasks of the review queue: thin, take ids, idempotent; the work is in review services.

exclusion.review.services imports this module (so the tasks are registered wherever the services are),
hence the service is imported inside the task, not at the top.
"""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.db import DatabaseError

NOTIFY_FLAG_OPENED = "review.notify_flag_opened"


@shared_task(
    name=NOTIFY_FLAG_OPENED,
    acks_late=True,
    reject_on_worker_lost=True,
    # A mail server or database hiccup retries; the service sends nothing twice for the same opening.
    autoretry_for=(DatabaseError, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def notify_flag_opened(flag_id: int) -> int:
    """Email the reviewers of the flag's site that it opened or reopened (once per opening)."""
    from exclusion.review.services import flag_notify_reviewers

    return flag_notify_reviewers(flag_id=flag_id)
