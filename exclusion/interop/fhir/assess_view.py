"""`POST /fhir/r4/$cno-assess`: the `cno-assessment/1` of the case a FHIR Bundle describes.

Nothing is stored and no record is read, so any role at any site may call it (like the rule catalogue).
The body of a 200 is exactly the engine's document. What the mapping could not use (unknown codes, units,
superseded values) is reported beside it, in the `X-Cno-Mapping-Outcome` header, as an OperationOutcome of
`warning` issues (ASCII JSON on one line), so the assessment itself stays the engine's document.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from exclusion import engine
from exclusion.engine.validation import CaseValidationError
from exclusion.interop.fhir.http import FhirView, issue, operation_outcome, outcome_response
from exclusion.interop.fhir.mapping import SUPERSEDED, case_from_bundle
from patients import access

OUTCOME_HEADER = "X-Cno-Mapping-Outcome"
# A header is not a document: past this many warnings the last issue says how many more there were.
MAX_HEADER_ISSUES = 50


def _warning_issues(warnings: list[str]) -> list[dict[str, Any]]:
    # Ignored input is `not-supported`; a value only superseded by a later one is `informational`.
    return [
        issue("warning", "informational" if SUPERSEDED in text else "not-supported", text)
        for text in warnings
    ]


def _outcome_header(warnings: list[str]) -> str:
    issues = _warning_issues(warnings[:MAX_HEADER_ISSUES])
    if len(warnings) > MAX_HEADER_ISSUES:
        issues.append(
            issue("warning", "too-costly", f"{len(warnings) - MAX_HEADER_ISSUES} more warnings not listed.")
        )
    # ensure_ascii: a header is Latin-1 at best, and a client's unit text may be anything.
    return json.dumps(operation_outcome(issues), ensure_ascii=True, separators=(",", ":"))


def _bundle_of(body: Any) -> tuple[dict[str, Any] | None, str, str]:
    """The Bundle a request carries (itself, or a Parameters part's resource), else the path and reason."""
    if not isinstance(body, dict):
        return None, "", "The body must be a FHIR Bundle (a JSON object with resourceType 'Bundle')."
    kind = body.get("resourceType")
    if kind == "Bundle":
        return body, "", ""
    if kind == "Parameters":
        parts = body.get("parameter")
        for part in parts if isinstance(parts, list) else []:
            if isinstance(part, dict) and isinstance(part.get("resource"), dict):
                if part["resource"].get("resourceType") == "Bundle":
                    return part["resource"], "", ""
        return None, "Parameters.parameter", "A Parameters body needs a part whose resource is a Bundle."
    return None, "resourceType", f"Expected resourceType 'Bundle' (or 'Parameters'), got {kind!r}."


class CnoAssessView(FhirView):
    """The assessment of a Bundle's Patient and Observations (mapping.py says how they are read)."""

    @extend_schema(exclude=True)  # a FHIR operation, not part of the REST API's OpenAPI document
    def post(self, request: Request) -> Response:
        if not access.site_ids(request.user):
            raise exceptions.PermissionDenied("Assessing needs a role at one of the sites.")
        bundle, path, reason = _bundle_of(request.data)
        if bundle is None:
            return outcome_response(400, reason, path or None)
        if "entry" in bundle and not isinstance(bundle["entry"], list):
            return outcome_response(400, "Bundle.entry must be a list of entries.", "Bundle.entry")
        case, warnings = case_from_bundle(bundle)
        try:
            assessment = engine.assess(case)
        except CaseValidationError as exc:
            # The mapped case breaks the contract (e.g. a birth date after the Observations): name its paths.
            issues = [issue("error", "invalid", e["message"], e["path"] or None) for e in exc.errors]
            return Response(operation_outcome(issues + _warning_issues(warnings)), status=400)
        headers = {OUTCOME_HEADER: _outcome_header(warnings)} if warnings else None
        return Response(assessment, headers=headers)
