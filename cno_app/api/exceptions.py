"""One error shape for every error of this API, and never a stack trace or SQL in any API response.

Every error body of this package's views is `{"errors": [{"path": ..., "message": ...}]}`, the shape the
case contract and the command line use for an invalid document; a stale episode update (409) adds
`current_version`. Anything unexpected becomes a generic 500 and is logged on the server, whatever DEBUG says.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from cno_app.api.parsers import RequestTooLarge, max_body_size
from patients.choices import ACTIVITY_FIELDS, FINDING_FIELDS, LAB_FIELDS, SYMPTOM_FIELDS
from patients.services import CaseDocumentError, StaleVersionError

logger = logging.getLogger("cno_app.api")

# Messages are for people, in the request's language; paths and codes stay as they are.
GENERIC_500 = gettext_lazy(
    "An unexpected error occurred; it has been logged. Nothing was saved by this request."
)

# Model field name -> path in a cno-case/1 document, so model validation errors name the contract path.
CONTRACT_PATHS: dict[str, str] = {
    "sex": "patient.sex",
    "birth_date": "patient.birth_date",
    **{name: f"episode.{name}" for name in ("assessed_on", "onset_on", "age_years", "age_at_onset_years")},
    **{name: f"episode.symptoms.{name}" for name in SYMPTOM_FIELDS},
    **{name: f"episode.findings.{name}" for name in FINDING_FIELDS},
    **{name: f"episode.labs.{name}" for name in LAB_FIELDS},
    **{name: f"episode.activity.{name}" for name in ACTIVITY_FIELDS},
}


def errors_body(path: str, message: str) -> dict[str, Any]:
    return {"errors": [{"path": path, "message": str(message)}]}


def flatten(detail: Any, path: str = "") -> list[dict[str, str]]:
    """DRF error details (nested dicts and lists) as a flat list of {"path", "message"}."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            key = "" if key in ("non_field_errors", NON_FIELD_ERRORS) else str(key)
            errors.extend(flatten(value, f"{path}.{key}" if path and key else path or key))
        return errors
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"path": path, "message": str(item)} for item in detail]
        errors = []
        for index, item in enumerate(detail):
            if item:  # DRF leaves {} for list items without errors
                errors.extend(flatten(item, f"{path}[{index}]"))
        return errors
    return [{"path": path, "message": str(detail)}]


def django_validation_errors(exc: DjangoValidationError) -> list[dict[str, str]]:
    """Model validation errors with contract paths where the field is a contract field."""
    if not hasattr(exc, "error_dict"):
        return [{"path": "", "message": message} for message in exc.messages]
    errors = []
    for field, field_errors in exc.error_dict.items():
        for error in field_errors:
            message = " ".join(error.messages)
            if (
                field == NON_FIELD_ERRORS
                and error.code in ("unique", "unique_together")
                and "record number" in message.lower()
            ):
                errors.append(
                    {
                        "path": "record_number",
                        "message": _("A patient with this record number already exists at this site."),
                    }
                )
            elif field == NON_FIELD_ERRORS:
                errors.append({"path": "", "message": message})
            else:
                errors.append({"path": CONTRACT_PATHS.get(field, field), "message": message})
    return errors


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Views that set `uniform_errors = True` (this package's) get the `errors` shape for every error;
    other apps' views keep DRF's default bodies. Every view gets a generic JSON 500, never a traceback."""
    # Imported here: rest_framework.views loads the parser classes, which import this package.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    uniform = getattr(context.get("view"), "uniform_errors", False)
    if isinstance(exc, RequestDataTooBig):  # Django's own DATA_UPLOAD_MAX_MEMORY_SIZE check (request.body)
        exc = RequestTooLarge(
            _("The request body is larger than %(limit)s bytes.") % {"limit": max_body_size()}
        )
    if uniform:
        response = _uniform_response(exc)
        if response is not None:
            set_rollback()
            return response

    if isinstance(exc, DjangoValidationError):  # services name the wrong fields: a 400, not a 500
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    if isinstance(exc, exceptions.APIException):
        response = drf_exception_handler(exc, context)  # keeps WWW-Authenticate and Retry-After headers
        if response is not None:
            if not uniform:
                return response
            if isinstance(exc, exceptions.ValidationError):
                response.data = {"errors": flatten(exc.detail)}
            elif not (isinstance(response.data, dict) and "errors" in response.data):
                detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
                response.data = errors_body("", detail)
            return response

    set_rollback()
    # Database errors are logged by class and constraint only (cno_app.logging.ScrubDatabaseErrors, set on
    # this logger in settings.LOGGING): PostgreSQL's DETAIL quotes the row's values.
    logger.exception("Unhandled API error in %s", context.get("view").__class__.__name__)
    body = errors_body("", GENERIC_500) if uniform else {"detail": str(GENERIC_500)}
    return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _uniform_response(exc: Exception) -> Response | None:
    """Our service exceptions, answered in the `errors` shape."""
    if isinstance(exc, StaleVersionError):
        body = {"errors": [{"path": "version", "message": str(exc)}], "current_version": exc.current_version}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, CaseDocumentError):
        return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response({"errors": django_validation_errors(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return None


@csrf_exempt  # an unknown path answers 404 whatever the method; CSRF would turn a PUT into an HTML 403
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/: a JSON 404, never Django's debug page listing the URL patterns."""
    return JsonResponse(errors_body("", _("No such API endpoint.")), status=404)
