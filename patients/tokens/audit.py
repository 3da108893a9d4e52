"""Who was given access where: memberships and API tokens are audited like clinical records.

The same AuditEntry rows and the same acting user (patients.audit) as the clinical records: creating,
changing and removing a membership, and creating and revoking a token, each write an entry naming the actor
and the site. A token's hash is left out (the key itself is never stored); its last use is bookkeeping,
written with a signal-free UPDATE, so it leaves no entry.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from patients import audit

LEFT_OUT = {"key_hash", "last_used_at"}


def _values(instance: Any) -> dict[str, Any]:
    return {key: value for key, value in audit._values(instance).items() if key not in LEFT_OUT}


def _write(instance: Any, action: str, changes: dict[str, list[Any]]) -> None:
    from patients.models import AuditEntry

    user = audit.current_actor()
    AuditEntry.objects.create(
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        model=instance._meta.label,
        object_id=instance.pk,
        site_id=instance.site_id,
        changes=changes,
    )


def _before_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._audit_before = None
    if instance.pk is not None and not instance._state.adding:
        row = sender._base_manager.filter(pk=instance.pk).values(*_values(instance)).first()
        instance._audit_before = {key: audit._jsonable(value) for key, value in row.items()} if row else None


def _after_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    after = _values(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        _write(instance, "create", {key: [None, value] for key, value in after.items()})
        return
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    if changes:
        _write(instance, "update", changes)


def _after_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    _write(instance, "delete", {key: [value, None] for key, value in _values(instance).items()})


def connect_signals(*models: type) -> None:
    for model in models:
        uid = f"audit-{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}-delete")
