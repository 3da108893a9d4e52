"""The FHIR door's HTTP shape: `application/fhir+json` in and out, and every error an OperationOutcome.

Authentication, throttling, size and depth limits and site scoping are the REST API's own (ApiView); only
the bodies differ. Errors are first built by the REST API's handler (so a 404 stays a 404 and nothing leaks)
and then re-shaped: each `{"path", "message"}` becomes one issue with the path as its `expression`.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from cno_app.api.exceptions import api_exception_handler
from cno_app.api.parsers import LimitedJSONParser
from cno_app.api.views import ApiView

FHIR_JSON = "application/fhir+json"

# HTTP status -> OperationOutcome issue type (FHIR R4 value set issue-type).
ISSUE_CODES: dict[int, str] = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "required",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    429: "throttled",
}


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


class FhirJSONParser(LimitedJSONParser):
    media_type = FHIR_JSON


def operation_outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": issues}


def issue(severity: str, code: str, diagnostics: str, expression: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        item["expression"] = [expression]
    return item


def outcome_response(status_code: int, diagnostics: str, expression: str | None = None) -> Response:
    code = ISSUE_CODES.get(status_code, "exception")
    return Response(operation_outcome([issue("error", code, diagnostics, expression)]), status=status_code)


def fhir_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    response = api_exception_handler(exc, context)
    code = ISSUE_CODES.get(response.status_code, "exception")
    errors = response.data.get("errors") if isinstance(response.data, dict) else None
    if not errors:
        errors = [{"path": "", "message": "An unexpected error occurred; it has been logged."}]
    response.data = operation_outcome(
        [
            issue("fatal" if response.status_code >= 500 else "error", code, e["message"], e["path"])
            for e in errors
        ]
    )
    return response


class FhirView(ApiView):
    """The base of every view under /fhir/r4/: JSON answers as `application/fhir+json`, errors as an
    OperationOutcome (another site's resource is a 404 `not-found`, like every unknown one)."""

    # Not in the REST API's OpenAPI schema: a FHIR client reads the CapabilityStatement (/fhir/r4/metadata).
    schema = None
    renderer_classes = [FhirJSONRenderer, JSONRenderer]
    parser_classes = [FhirJSONParser, LimitedJSONParser]

    def get_exception_handler(self) -> Any:
        return fhir_exception_handler


__all__ = ["FHIR_JSON", "FhirView", "issue", "operation_outcome", "outcome_response", "status"]
