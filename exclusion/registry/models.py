"""Registry jobs: an export or an import that runs on a Celery worker while the user watches its progress.

A job belongs to a site like every clinical record. Its files live in private storage under
REGISTRY_DIR (never served as static or media files): an import's upload until the job has run, an
export's zip until someone deletes the job. The report is the importer's or exporter's own summary.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class RegistryStorage(FileSystemStorage):
    """Private storage for uploads and exports, at REGISTRY_DIR as it is when a file is read or written
    (Django's own reads its location once; tests and a worker started elsewhere may point it elsewhere)."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.REGISTRY_DIR)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def registry_storage() -> Storage:
    return RegistryStorage()


class JobKind(models.TextChoices):
    EXPORT = "export", gettext_lazy("Export")
    IMPORT = "import", gettext_lazy("Import")


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("a registry job", "Queued")
    RUNNING = "running", pgettext_lazy("a registry job", "Running")
    DONE = "done", pgettext_lazy("a registry job", "Done")
    FAILED = "failed", pgettext_lazy("a registry job", "Failed")


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


class RegistryJob(models.Model):
    kind = models.CharField(max_length=10, choices=JobKind.choices)
    site = models.ForeignKey("patients.Site", on_delete=models.CASCADE, related_name="registry_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)

    # What was asked for.
    deidentify = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    fmt = models.CharField(max_length=10, blank=True)
    source_name = models.CharField(max_length=200, blank=True)
    # The language of the request that started the job: its error and report are written in it (blank: the
    # user's choice, else the site default).
    language = models.CharField(max_length=8, blank=True, default="")
    source = models.FileField(storage=registry_storage, upload_to="imports/", max_length=300, blank=True)

    # How far it got and what came of it.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    output = models.FileField(storage=registry_storage, upload_to="exports/", max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int | None:
        """How far the job is, 0–100, or None while the size is not known."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
