"""Read paths of the audit trail. Everything is scoped to the sites the user administers: another site's
entries are never in a queryset here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from patients import access
from patients.access import Viewer
from patients.models import AuditEntry, Biopsy, Episode, Lesion, Patient

EXPORT_COLUMNS = ["at", "actor", "action", "model", "object_id", "site", "field", "before", "after"]
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def admin_site_ids(user: Viewer) -> list[int]:
    return access.site_ids(user, access.ADMIN_ROLES)


def audit_entries(*, site_ids: Iterable[int]) -> QuerySet[AuditEntry]:
    """The sites' entries, newest first."""
    return AuditEntry.objects.filter(site_id__in=list(site_ids)).select_related("site").order_by("-at", "-id")


@dataclass(frozen=True)
class RecordLink:
    url: str
    label: str


def record_links(
    entries: Iterable[AuditEntry], *, site_ids: Iterable[int]
) -> dict[tuple[str, int], RecordLink]:
    """A link to the patient or episode page for each entry whose record still exists (a lesion or biopsy
    links to its episode): at most one query per record type, however many entries."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        wanted.setdefault(entry.model, set()).add(entry.object_id)
    sites = list(site_ids)
    links: dict[tuple[str, int], RecordLink] = {}
    if ids := wanted.get(Patient._meta.label):
        for pk, number in Patient.objects.filter(site_id__in=sites, pk__in=ids).values_list(
            "id", "record_number"
        ):
            links[Patient._meta.label, pk] = RecordLink(
                reverse("patients:patient_detail", args=[pk]), _("patient %(number)s") % {"number": number}
            )
    if ids := wanted.get(Episode._meta.label):
        episodes = Episode.objects.filter(patient__site_id__in=sites, pk__in=ids).values_list(
            "id", "patient__record_number", "assessed_on"
        )
        for pk, number, day in episodes:
            links[Episode._meta.label, pk] = RecordLink(
                reverse("patients:episode_detail", args=[pk]),
                _("episode of %(number)s, %(day)s") % {"number": number, "day": f"{day:%Y-%m-%d}"},
            )
    for model in (Lesion, Biopsy):
        if ids := wanted.get(model._meta.label):
            parts = model.objects.filter(episode__patient__site_id__in=sites, pk__in=ids).values_list(
                "id", "episode_id", "episode__patient__record_number"
            )
            for pk, episode_id, number in parts:
                links[model._meta.label, pk] = RecordLink(
                    reverse("patients:episode_detail", args=[episode_id]),
                    _("episode of %(number)s") % {"number": number},
                )
    return links


def model_name(label: str) -> str:
    """'patients.Episode' → 'episode' (the label itself for a model that no longer exists)."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None
    after: str | None


def show(value: Any) -> str | None:
    """A stored value as text: None stays None (nothing before a creation, nothing after a deletion)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _pairs(entry_changes: Any) -> list[tuple[str, Any, Any]]:
    """{field: [before, after]} as (field, before, after), by field name (the database does not keep the
    written order)."""
    if not isinstance(entry_changes, dict):
        return []
    rows = []
    for field in sorted(entry_changes):
        pair = entry_changes[field]
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        rows.append((field, before, after))
    return rows


def changes(entry_changes: Any) -> list[Change]:
    return [Change(field, show(before), show(after)) for field, before, after in _pairs(entry_changes)]


def _cell(value: Any) -> str:
    text = show(value)
    if text is None:
        return ""
    # Only text can start a formula: a negative number stays a number.
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_STARTS) else text


def export_rows(entries: QuerySet[AuditEntry], *, chunk_size: int = 2000) -> Iterator[list[str]]:
    """The CSV: a header, then one row per changed field (an entry without changes still gets one row).
    Read in chunks from a server-side cursor, so memory stays flat for a site's whole history."""
    yield EXPORT_COLUMNS
    rows = entries.values_list("at", "actor_label", "action", "model", "object_id", "site__code", "changes")
    for at, actor, action, model, object_id, site, entry_changes in rows.iterator(chunk_size=chunk_size):
        head = [at.isoformat(), _cell(actor), action, model, str(object_id), site or ""]
        for field, before, after in _pairs(entry_changes) or [("", None, None)]:
            yield [*head, _cell(field), _cell(before), _cell(after)]
