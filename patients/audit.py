"""Who is acting, and the signal handlers that write AuditEntry rows.

The acting user travels in a context variable: the middleware sets it for browser requests, and services
set it explicitly (`with acting_as(user):`) because DRF authenticates tokens after middleware has run.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse

_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)

# Bookkeeping columns whose change alone is not clinical history.
IGNORED_FIELDS = {"created_at", "updated_at", "version"}


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Any:
    user = _actor.get()
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _values(instance: Any) -> dict[str, Any]:
    return {
        field.attname: _jsonable(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.attname not in IGNORED_FIELDS
        and field.attname not in getattr(instance, "AUDIT_LEFT_OUT", ())
        and not field.primary_key
    }


def _write(instance: Any, action: str, changes: dict[str, list[Any]]) -> None:
    from patients.models import AuditEntry

    user = current_actor()
    AuditEntry.objects.create(
        actor=user,
        actor_label=user.get_username() if user else "system",
        action=action,
        model=instance._meta.label,
        object_id=instance.pk,
        # Clinical records name their site through their patient; a membership or token holds it.
        site_id=instance.audit_site_id() if hasattr(instance, "audit_site_id") else instance.site_id,
        changes=changes,
    )


def _before_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    instance._audit_before = None
    if instance.pk is not None and not instance._state.adding:
        fields = list(_values(instance))
        row = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
        instance._audit_before = {key: _jsonable(value) for key, value in row.items()} if row else None


def _after_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
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


def audited_models() -> list[type]:
    from patients.models import ApiToken, Biopsy, Episode, Lesion, Patient, SiteMembership, Treatment

    # Who was given access where is audited like the clinical record itself.
    return [Patient, Episode, Lesion, Biopsy, Treatment, SiteMembership, ApiToken]


def connect_signals() -> None:
    for model in audited_models():
        uid = f"audit-{model._meta.label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}-delete")
