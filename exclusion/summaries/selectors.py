"""Read paths for disease-activity summaries. Lists scope to the user's sites; a summary is never computed
on read (that is the workers' job): a summary that is pending says so with `stale`."""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet

from exclusion.summaries.models import ActivitySummary
from patients import access
from patients.access import Viewer
from patients.models import Site


def summary_get(*, patient_id: int, user: Viewer = None) -> ActivitySummary | None:
    """The patient's summary, or None when none was computed yet. One query.

    Without `user` the caller must already have scoped the patient to the user's sites (as detail views do
    with `patient_get`); with `user`, another site's patient gives None, like a missing one.
    """
    summaries = ActivitySummary.objects.filter(patient_id=patient_id).select_related("patient__site")
    if user is not None:
        summaries = access.scope_to_user_in_query(summaries, user, "patient__site")
    # At most one row (patient_id is the key): no ordering needed, unlike first().
    return next(iter(summaries[:1]), None)


def summaries_list(
    *,
    user: Viewer,
    updated_since: datetime.datetime | None = None,
    site: Site | int | str | None = None,
    activity_state: str | None = None,
    open_flag: bool | None = None,
) -> QuerySet[ActivitySummary]:
    """Summaries of the patients the user can see, newest computation first; one query whatever the count.

    `site` is a Site, its id or its code; `updated_since` compares with the time of the last computation.
    """
    summaries = access.scope_to_user_in_query(
        ActivitySummary.objects.select_related("patient__site"), user, "patient__site"
    ).order_by(F("computed_at").desc(nulls_last=True), "patient_id")
    if updated_since is not None:
        summaries = summaries.filter(computed_at__gte=updated_since)
    if isinstance(site, Site):
        summaries = summaries.filter(patient__site=site)
    elif isinstance(site, int):
        summaries = summaries.filter(patient__site_id=site)
    elif isinstance(site, str):
        summaries = summaries.filter(patient__site__code=site)
    if activity_state is not None:
        summaries = summaries.filter(activity_state=activity_state)
    if open_flag is not None:
        summaries = summaries.filter(open_flag=open_flag)
    return summaries


def summary_patient_ids(*, site_id: int | None = None) -> list[int]:
    """Ids of the patients whose summaries a bulk run covers (all, or one site's), in id order."""
    summaries = ActivitySummary.objects.order_by("patient_id")
    if site_id is not None:
        summaries = summaries.filter(patient__site_id=site_id)
    return list(summaries.values_list("patient_id", flat=True))


def summaries_computed_since(*, since: datetime.datetime, site_id: int | None = None) -> int:
    """How many summaries (all, or one site's) were computed at or after `since`: a bulk run's progress."""
    summaries = ActivitySummary.objects.filter(computed_at__gte=since)
    if site_id is not None:
        summaries = summaries.filter(patient__site_id=site_id)
    return summaries.count()
