"""CDS Hooks 2.0 endpoints: discovery, the `cno-exclusion` service and its feedback.

Discovery is public (it describes the service and holds no patient data; CDS clients read it before they
are configured). The service and feedback need a JWT of a registered client (auth.py); any failure there is
a bare 401. Other errors are OperationOutcomes (400 for a malformed request, 412 when the prefetch is
missing), as on the FHIR door.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cno_app.api.parsers import LimitedJSONParser
from cno_app.api.throttling import AnonymousRateThrottle, ThrottleAnonymousFirst
from exclusion.interop.cds_hooks import services
from exclusion.interop.cds_hooks.auth import CdsClientRateThrottle, CdsJwtAuthentication, IsCdsClient
from exclusion.interop.fhir.http import (
    fhir_exception_handler,
    issue,
    operation_outcome,
    outcome_response,
)
from exclusion.interop.fhir.loinc import ANALYTES, LOINC


def labs_prefetch_template() -> str:
    codes = ",".join(f"{LOINC}|{analyte.loinc}" for analyte in ANALYTES)
    return f"Observation?patient={{{{context.patientId}}}}&code={codes}"


def discovery_document() -> dict[str, Any]:
    return {
        "services": [
            {
                "hook": services.HOOK,
                "id": services.SERVICE_ID,
                "title": "CNO exclusion walk",
                "description": (
                    "Decision support for chronic non-bacterial osteomyelitis (CNO/CRMO): which mimics "
                    "(infection, malignancy, hypophosphatasia, scurvy, monogenic disease) are not yet "
                    "excluded, whether a biopsy is recommended, and what data are missing. Reads the "
                    "prefetched Patient and lab Observations only."
                ),
                "prefetch": {
                    "patient": "Patient/{{context.patientId}}",
                    "labs": labs_prefetch_template(),
                },
            }
        ]
    }


def cds_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    response = fhir_exception_handler(exc, context)
    if response.status_code in (401, 403):
        # No hint of which check failed: a bare 401 with the scheme to use.
        return Response(None, status=401, headers={"WWW-Authenticate": "Bearer"})
    return response


class _CdsView(APIView):
    renderer_classes = [JSONRenderer]
    parser_classes = [LimitedJSONParser]
    authentication_classes = [CdsJwtAuthentication]
    permission_classes = [IsCdsClient]
    throttle_classes = [CdsClientRateThrottle]

    def get_exception_handler(self) -> Any:
        return cds_exception_handler


class DiscoveryView(_CdsView):
    authentication_classes: list = []
    permission_classes = [ThrottleAnonymousFirst]
    throttle_classes = [AnonymousRateThrottle]

    @extend_schema(exclude=True)  # CDS Hooks, not part of the REST API's OpenAPI document
    def get(self, request: Request) -> Response:
        return Response(discovery_document())


class ServiceView(_CdsView):
    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        try:
            call = services.hook_call_read(request.data)
            cards = services.patient_view(client=request.auth, call=call)
        except services.HookRequestError as exc:
            return outcome_response(exc.status, exc.message, exc.path or None)
        return Response({"cards": cards})


class FeedbackView(_CdsView):
    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        try:
            items = services.feedback_read(client=request.auth, body=request.data)
        except services.FeedbackError as exc:
            issues = [issue("error", "invalid", e["message"], e["path"]) for e in exc.errors]
            return Response(operation_outcome(issues), status=400)
        stored, duplicates = services.feedback_store(client=request.auth, items=items)
        return Response({"stored": stored, "already_stored": duplicates})
