"""Browser pages of registry jobs (thin: forms in, one service or selector, render). The job runs on a
worker; its page shows a progress bar that static/js/registry-progress.js keeps moving."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exclusion.registry import services
from exclusion.registry.forms import ExportForm, ImportForm
from exclusion.registry.models import JobKind, JobStatus, RegistryJob
from exclusion.registry.selectors import job_get, jobs_list
from patients import access
from patients.models import Site


def _sites(request: HttpRequest, roles: frozenset[str]) -> list[Site]:
    ids = set(access.site_ids(request.user, roles))
    return [m.site for m in access.memberships(request.user) if m.site_id in ids]


def _import_sites(request: HttpRequest) -> list[Site]:
    return [
        m.site for m in access.memberships(request.user) if access.can_edit_clinical(request.user, m.site_id)
    ]


def _page(
    request: HttpRequest,
    *,
    import_form: ImportForm | None = None,
    export_form: ExportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    import_sites, export_sites = _import_sites(request), _sites(request, access.ADMIN_ROLES)
    if import_form is None and import_sites:
        import_form = ImportForm(sites=import_sites)
    if export_form is None and export_sites:
        export_form = ExportForm(sites=export_sites)
    context = {
        "import_form": import_form if import_sites else None,
        "export_form": export_form if export_sites else None,
        "jobs": jobs_list(user=request.user),
    }
    return render(request, "registry/jobs.html", context, status=status)


@login_required
@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _errors_onto(form: Any, exc: ValidationError) -> None:
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


@login_required
@require_POST
def import_start(request: HttpRequest) -> HttpResponse:
    sites = _import_sites(request)
    if not sites:
        raise PermissionDenied(_("Your role does not allow importing clinical records."))
    form = ImportForm(request.POST, request.FILES, sites=sites)
    if form.is_valid():
        try:
            job = services.import_job_start(
                actor=request.user,
                site=form.cleaned_data["site"],
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                fmt=form.cleaned_data["format"] or None,
            )
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            return redirect("registry:job", job_id=job.pk)
    return _page(request, import_form=form, status=400)


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    sites = _sites(request, access.ADMIN_ROLES)
    if not sites:
        raise PermissionDenied(_("Only a site administrator may export the site's registry data."))
    form = ExportForm(request.POST, sites=sites)
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    job = services.export_job_start(
        actor=request.user, site=form.cleaned_data["site"], deidentify=form.cleaned_data["deidentify"]
    )
    return redirect("registry:job", job_id=job.pk)


def _job(request: HttpRequest, job_id: int) -> RegistryJob:
    job = job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404(_("No such job among yours."))
    return job


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    report = job.report or {}
    context = {
        "job": job,
        "report": report,
        "is_import": job.kind == JobKind.IMPORT,
        "done": job.status == JobStatus.DONE,
    }
    return render(request, "registry/job.html", context)


@login_required
@require_GET
def job_progress_json(request: HttpRequest, job_id: int) -> JsonResponse:
    job = _job(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "finished": job.finished,
        }
    )


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = _job(request, job_id)
    if job.kind != JobKind.EXPORT or job.status != JobStatus.DONE or not job.output:
        raise Http404(_("This job has no file to download."))
    name = job.output.name.rsplit("/", 1)[-1]
    return FileResponse(
        job.output.open("rb"), as_attachment=True, filename=name, content_type="application/zip"
    )
