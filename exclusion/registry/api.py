"""REST endpoints of registry jobs: start an export or an import, follow it, fetch the zip, delete it.

Thin, like every API view: validate the input, call one selector or service, serialise. A job runs on a
worker; starting one answers 202 with the job, which the client polls until it is done or failed. A job
another user may not see does not exist for them (404), as another site's record.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cno_app.api.openapi import ErrorOutput, errors
from cno_app.api.parsers import LimitedJSONParser, RequestTooLarge
from cno_app.api.permissions import require_clinical_write, visible_site
from cno_app.api.serializers import Input
from cno_app.api.views import ApiView, validated
from exclusion.registry.importer import FORMATS
from exclusion.registry.models import JobKind, JobStatus, RegistryJob
from exclusion.registry.selectors import job_get, job_progress, jobs_visible
from exclusion.registry.services import export_job_start, import_job_start, job_delete


def _error(description: str, message: str, path: str = "") -> OpenApiResponse:
    example = OpenApiExample(description, value={"errors": [{"path": path, "message": message}]})
    return OpenApiResponse(ErrorOutput, description, [example])


NOT_FOUND = _error(
    "No such job that you may see (another user's or another site's job is a 404 too).", "No such job."
)
NOT_DONE = _error("No such export that you may see, or it is not done yet.", "The export is not done yet.")
NOT_FINISHED = _error(
    "The job has not finished yet: wait for done or failed.",
    "A job that has not finished cannot be deleted.",
    "status",
)
EXPORT_FORBIDDEN = _error(
    "Only a site administrator may export the site's data.",
    "Only a site administrator may export the site's registry data.",
)
IMPORT_FORBIDDEN = _error(
    "Your role at the site does not allow changing clinical records.",
    "Your role at this site (reviewer) does not allow changing clinical records.",
)
SITE_NOT_FOUND = _error("No such site among yours.", "No site 'EAST' among your sites.", "site")
IMPORT_TOO_LARGE = _error(
    "The upload is larger than the server's import limit.",
    "The request is too large: an import takes at most 209,715,200 bytes.",
)

# The multipart envelope around the file (boundaries, the other fields) is allowed on top of the file.
MULTIPART_OVERHEAD = 65536


def import_body_limit() -> int:
    return settings.REGISTRY_IMPORT_MAX_BYTES + MULTIPART_OVERHEAD


class JobPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": JobPagination.max_limit, "default": 50},
        description=f"Jobs per page, 1 to {JobPagination.max_limit} (default 50).",
    ),
    OpenApiParameter("offset", {"type": "integer", "minimum": 0}),
]


# --- Output --------------------------------------------------------------------------------------------


class JobOutputSerializer(serializers.Serializer):
    """What every job says: who asked, for which site, how far it is and what came of it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=JobKind.choices)
    site = serializers.CharField(source="site.code")
    # Named RegistryJobStatusEnum in the schema (SPECTACULAR_SETTINGS), apart from the flags' status.
    status = serializers.ChoiceField(
        choices=JobStatus.choices, help_text="queued, running, then done or failed."
    )
    done = serializers.IntegerField(help_text="Rows (import) or patients (export) done so far.")
    total = serializers.IntegerField(allow_null=True, help_text="How many there are, once known.")
    percent = serializers.IntegerField(allow_null=True, help_text="0–100, or null while the size is unknown.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    created_by = serializers.SerializerMethodField()
    report = serializers.DictField(help_text="The exporter's or importer's summary (so far, while running).")
    error = serializers.CharField(help_text="Why the job failed; empty otherwise.")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, job: RegistryJob) -> str | None:
        return job.created_by.get_username() if job.created_by else None


@extend_schema_serializer(component_name="ExportJob")
class ExportJobOutputSerializer(JobOutputSerializer):
    deidentify = serializers.BooleanField()
    download = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True, help_text="The zip, once the job is done."))
    def get_download(self, job: RegistryJob) -> str | None:
        if job.status != JobStatus.DONE or not job.output:
            return None
        url = reverse("api-export-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


@extend_schema_serializer(component_name="ImportJob")
class ImportJobOutputSerializer(JobOutputSerializer):
    dry_run = serializers.BooleanField()
    format = serializers.CharField(source="fmt", help_text="As asked (jsonl or csv); empty: from the name.")
    source_name = serializers.CharField(help_text="The uploaded file's name.")
    report = serializers.DictField(
        help_text="The importer's report: counts, `bad_rows` and `errors`, each with row, path and message."
    )


def _page_serializer(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


ExportJobPageSerializer = _page_serializer(ExportJobOutputSerializer, "ExportJobPage")
ImportJobPageSerializer = _page_serializer(ImportJobOutputSerializer, "ImportJobPage")


def _job_or_404(request: Request, job_id: int, kind: str) -> RegistryJob:
    job = job_get(user=request.user, job_id=job_id, kind=kind)
    if job is None:
        raise exceptions.NotFound(_("No such job."))
    return job


def _list(view: ApiView, request: Request, kind: str, output: type[serializers.Serializer]) -> Response:
    paginator = JobPagination()
    page = paginator.paginate_queryset(jobs_visible(user=request.user, kind=kind), request, view=view)
    jobs = [job_progress(job) for job in page]
    return paginator.get_paginated_response(output(jobs, many=True, context={"request": request}).data)


# --- Exports -------------------------------------------------------------------------------------------


class ExportListApi(ApiView):
    @extend_schema_serializer(component_name="ExportJobInput")
    class InputSerializer(Input):
        site = serializers.CharField(max_length=20, help_text="The site's code, e.g. NORTH.")
        deidentify = serializers.BooleanField(
            required=False, default=False, help_text="Pseudonymised ids, no record numbers, dates shifted."
        )

    @extend_schema(
        operation_id="exports_list",
        summary="Export jobs you may see, newest first",
        parameters=PAGE_PARAMETERS,
        responses={200: ExportJobPageSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        return _list(self, request, JobKind.EXPORT, ExportJobOutputSerializer)

    @extend_schema(
        operation_id="exports_create",
        summary="Start an export of a site's registry data (site administrators)",
        description="Answers 202 with the queued job; poll it until `status` is done (then fetch "
        "`download`) or failed (see `error`).",
        request=InputSerializer,
        responses={
            202: ExportJobOutputSerializer,
            **errors(400, 413),
            403: EXPORT_FORBIDDEN,
            404: SITE_NOT_FOUND,
        },
        examples=[OpenApiExample("Export", value={"site": "NORTH", "deidentify": True}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        site = visible_site(request.user, data["site"])
        job = export_job_start(actor=request.user, site=site, deidentify=data["deidentify"])
        job = job_get(user=request.user, job_id=job.pk, kind=JobKind.EXPORT) or job
        body = ExportJobOutputSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportDetailApi(ApiView):
    @extend_schema(
        operation_id="exports_retrieve",
        summary="One export job, with its progress",
        responses={200: ExportJobOutputSerializer, **errors(), 404: NOT_FOUND},
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = _job_or_404(request, job_id, JobKind.EXPORT)
        return Response(ExportJobOutputSerializer(job, context={"request": request}).data)

    @extend_schema(
        operation_id="exports_destroy",
        summary="Delete a finished export job and its zip",
        responses={204: None, **errors(), 403: EXPORT_FORBIDDEN, 404: NOT_FOUND, 409: NOT_FINISHED},
    )
    def delete(self, request: Request, job_id: int) -> Response:
        job = _job_or_404(request, job_id, JobKind.EXPORT)
        try:
            job_delete(actor=request.user, job=job)
        except DjangoValidationError as exc:
            messages = exc.message_dict.get("status", exc.messages)
            body = {"errors": [{"path": "status", "message": message} for message in messages]}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportDownloadApi(ApiView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A client asking for application/zip gets the zip, or its error as JSON, never a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="exports_download",
        summary="The zip of a done export (records.csv, the data dictionary and the cases)",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, "The export's zip."),
            **errors(),
            404: NOT_DONE,
        },
    )
    def get(self, request: Request, job_id: int) -> FileResponse:
        job = _job_or_404(request, job_id, JobKind.EXPORT)
        if job.status != JobStatus.DONE or not job.output:
            raise exceptions.NotFound(_("The export is not done yet."))
        response = FileResponse(
            job.output.open("rb"),
            as_attachment=True,
            filename=os.path.basename(job.output.name),
            content_type="application/zip",
        )
        response["Cache-Control"] = "no-store"  # patient data (pseudonymised or not)
        return response


# --- Imports -------------------------------------------------------------------------------------------


class ImportInputSerializer(serializers.Serializer):
    """A multipart form: known keys only (form values are strings, so no JSON type check)."""

    site = serializers.CharField(max_length=20, help_text="The site's code, e.g. NORTH.")
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text="cases as JSON lines (.jsonl), records.csv (.csv), or an export's zip.",
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check and count everything, save nothing."
    )
    format = serializers.ChoiceField(
        choices=FORMATS, required=False, help_text="Overrides the format read from the file's name."
    )

    def to_internal_value(self, data: Any) -> Any:
        unknown = {
            str(key): [_("Unknown field: not part of this request.")]
            for key in data
            if key not in self.fields
        }
        if unknown:
            try:
                super().to_internal_value(data)
            except serializers.ValidationError as exc:
                if isinstance(exc.detail, dict):
                    unknown.update({k: v for k, v in exc.detail.items() if k not in unknown})
            raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)


class ImportListApi(ApiView):
    parser_classes = [LimitedJSONParser]

    def get_parsers(self) -> list[Any]:
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before anything reads the body (the session's CSRF check would parse the whole upload).
        if request.method == "POST":
            declared = request.META.get("CONTENT_LENGTH") or ""
            if declared.isdigit() and int(declared) > import_body_limit():
                limit = settings.REGISTRY_IMPORT_MAX_BYTES
                raise RequestTooLarge(
                    _("The request is too large: an import takes at most %(limit)s bytes.")
                    % {"limit": f"{limit:,}"}
                )
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="imports_list",
        summary="Import jobs you may see, newest first",
        parameters=PAGE_PARAMETERS,
        responses={200: ImportJobPageSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        return _list(self, request, JobKind.IMPORT, ImportJobOutputSerializer)

    @extend_schema(
        operation_id="imports_create",
        summary="Start an import of cases or records into a site",
        description="A multipart upload. Answers 202 with the queued job; poll it until `status` is done "
        "(its `report` lists every refused row with its row, path and message) or failed. A row that "
        "is refused saves nothing of that row; the other rows are saved (none with `dry_run`).",
        request={"multipart/form-data": ImportInputSerializer},
        responses={
            202: ImportJobOutputSerializer,
            **errors(400),
            403: IMPORT_FORBIDDEN,
            404: SITE_NOT_FOUND,
            413: IMPORT_TOO_LARGE,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        site = visible_site(request.user, data["site"])
        require_clinical_write(request.user, site.id)
        # A refused file (empty, too big, unknown format) is a ValidationError by field: a 400.
        job = import_job_start(
            actor=request.user,
            site=site,
            upload=data["file"],
            dry_run=data["dry_run"],
            fmt=data.get("format") or None,
        )
        job = job_get(user=request.user, job_id=job.pk, kind=JobKind.IMPORT) or job
        body = ImportJobOutputSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(ApiView):
    @extend_schema(
        operation_id="imports_retrieve",
        summary="One import job, with its progress and report",
        responses={200: ImportJobOutputSerializer, **errors(), 404: NOT_FOUND},
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = _job_or_404(request, job_id, JobKind.IMPORT)
        return Response(ImportJobOutputSerializer(job, context={"request": request}).data)
