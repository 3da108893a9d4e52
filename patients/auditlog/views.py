"""The audit trail for site admins: a filtered, paginated page and a streamed CSV export.

Only site admins, and only their own sites' entries: anyone else is refused (403, as the token pages do),
and another site's entries are simply not in the queryset. Both answers carry record numbers and clinical
values, so neither may be cached.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from patients.auditlog import selectors
from patients.auditlog.filters import AuditEntryFilterSet
from patients.auditlog.services import export_record

PAGE_SIZE = 50


def _require_site_admin(user: Any) -> list[int]:
    site_ids = selectors.admin_site_ids(user)
    if not site_ids:
        raise PermissionDenied(_("Only site administrators read the audit trail."))
    return site_ids


def _filterset(request: HttpRequest, site_ids: list[int]) -> AuditEntryFilterSet:
    return AuditEntryFilterSet(
        request.GET, queryset=selectors.audit_entries(site_ids=site_ids), site_ids=site_ids
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    site_ids = _require_site_admin(request.user)
    filterset = _filterset(request, site_ids)
    # A filter that cannot be applied lists nothing: an audit must not show more than was asked for.
    valid = filterset.is_valid()
    entries = filterset.qs if valid else filterset.queryset.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    links = selectors.record_links(page.object_list, site_ids=site_ids)
    rows = [
        {
            "entry": entry,
            "model_name": selectors.model_name(entry.model),
            "link": links.get((entry.model, entry.object_id)),
            "changes": selectors.changes(entry.changes),
        }
        for entry in page.object_list
    ]
    response = render(
        request,
        "audit/audit_list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "rows": rows,
            "query_without_page": _query_without_page(request),
        },
        status=200 if valid else 400,
    )
    response["Cache-Control"] = "no-store"
    return response


class _Echo:
    """csv.writer writes into this and gets the line back, so each row can be streamed as it is made."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    site_ids = _require_site_admin(request.user)
    filterset = _filterset(request, site_ids)
    if not filterset.is_valid():
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items())
        response = HttpResponse(
            _("Nothing was exported: %(errors)s") % {"errors": errors} + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
        response["Cache-Control"] = "no-store"
        return response
    chosen_site = filterset.form.cleaned_data.get("site")
    written = export_record(
        actor=cast(User, request.user),  # signed in: login_required
        site_ids=[chosen_site.pk] if chosen_site else site_ids,
        filters=filterset.used(),
    )
    # The download is the trail as it was before this export (its own entries are in the next one).
    entries = filterset.qs.exclude(pk__in=[entry.pk for entry in written])
    download = StreamingHttpResponse(
        _csv_lines(selectors.export_rows(entries)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    download["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    download["Cache-Control"] = "no-store"
    return download
