"""The one write of the audit trail's pages: a download leaves an entry in the trail it downloaded."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User

from patients.models import AuditEntry


def export_record(*, actor: User, site_ids: Iterable[int], filters: dict[str, str]) -> list[AuditEntry]:
    """One "export" entry per site exported, so each site's admins see who downloaded their trail. It holds
    the format and the filters used, nothing of the entries themselves; object_id 0 is "no one record"."""
    changes = {"format": [None, "csv"], **{name: [None, value] for name, value in filters.items()}}
    return [
        AuditEntry.objects.create(
            actor=actor,
            actor_label=actor.get_username(),
            action=AuditEntry.Action.EXPORT,
            model=AuditEntry._meta.label,
            object_id=0,
            site_id=site_id,
            changes=changes,
        )
        for site_id in sorted(set(site_ids))
    ]
