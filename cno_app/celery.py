"""The Celery app. Settings come from Django's settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cno_app.settings")

app = Celery("cno_app")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live with the concern they serve (a package of an app), so name the packages to look in.
app.autodiscover_tasks(["exclusion.summaries", "exclusion.registry"])

# Periodic work, kept in code so every deployment runs the same schedule (`celery -A cno_app beat`).
app.conf.beat_schedule = {
    "sweep-activity-summaries": {
        # Stale summaries (a lost message, a broker outage, a killed worker) and older rulesets.
        "task": "summaries.sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "reap-registry-jobs": {
        # Imports and exports whose worker died: failed, with their report so far.
        "task": "registry.reap_jobs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
