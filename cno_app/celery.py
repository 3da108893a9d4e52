"""The Celery app. Settings come from Django's settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cno_app.settings")

app = Celery("cno_app")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
