"""Audit history: who changed which clinical record, when, and what changed (before and after).

Writes are captured by model signals, which fire on `save()`, `delete()` and `QuerySet.delete()` (also
for cascades). The bulk paths that skip signals (`QuerySet.update`, `bulk_create`, `bulk_update`) are
refused on audited models, so no code path can change a record without leaving history.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class AuditBypassError(RuntimeError):
    """Raised when code tries a bulk write that the audit history would miss."""


_M = TypeVar("_M", bound=models.Model)


class AuditedQuerySet(models.QuerySet[_M]):
    def _refuse(self, what: str):
        raise AuditBypassError(
            f"{what} on {self.model.__name__} would bypass the audit history; save() each object instead."
        )

    def update(self, **kwargs):
        self._refuse("QuerySet.update()")

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("bulk_update()")

    def bulk_create(self, objs, *args, **kwargs):
        self._refuse("bulk_create()")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        # Django's implementation saves through Model.save(), which is audited.
        return super().update_or_create(defaults=defaults, create_defaults=create_defaults, **kwargs)


class AuditedModel(models.Model):
    objects = AuditedQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_site_id(self) -> int | None:  # pragma: no cover - every subclass overrides
        return None


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", gettext_lazy("Created")
        UPDATE = "update", gettext_lazy("Updated")
        DELETE = "delete", gettext_lazy("Deleted")
        # A site admin downloaded the audit trail (patients.auditlog); changes hold the filters used.
        EXPORT = "export", gettext_lazy("Exported")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept even if the user is later removed; "system" for jobs and commands without a user.
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(
        max_length=64, help_text=gettext_lazy("App label and model, e.g. patients.Episode.")
    )
    object_id = models.BigIntegerField()
    site = models.ForeignKey(
        "patients.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {field: [before, after]}; before is null on create, after is null on delete.
    changes = models.JSONField(default=dict)

    class Meta:
        verbose_name = gettext_lazy("audit entry")
        verbose_name_plural = gettext_lazy("audit entries")
        ordering = ["-at", "-id"]
        verbose_name_plural = gettext_lazy("audit entries")
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.model}#{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AuditBypassError("Audit entries are append-only.")
        super().save(*args, **kwargs)
