"""FHIR R4 read views: thin, the selectors read and resources.py maps. Authentication, throttling, site
scoping and the OperationOutcome errors come from FhirView (the REST API's own)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from exclusion.interop.fhir import codesystems, resources, selectors
from exclusion.interop.fhir.http import FHIR_JSON, FhirView

FHIR_VERSION = "4.0.1"
# The project's own operation, declared here and served by the `$cno-assess` view.
CNO_ASSESS_DEFINITION = "https://cno-workbench.example/fhir/OperationDefinition/cno-assess"


def capability_statement(base_url: str) -> dict[str, Any]:
    """What this server supports: Patient read and $everything, CodeSystem read, `$cno-assess` at system
    level; JSON only; the REST API's bearer tokens."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-04",
        "kind": "instance",
        "software": {"name": "CNO exclusion workbench"},
        "implementation": {"description": "CNO exclusion workbench FHIR R4 read API", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ],
                            "text": "Bearer token",
                        }
                    ],
                    "description": "Every request carries `Authorization: Bearer <API token>`, a token of "
                    "the REST API issued for one user at one site; only that site's patients are visible.",
                },
                "resource": [
                    {
                        "type": "Patient",
                        "interaction": [{"code": "read"}],
                        "operation": [
                            {
                                "name": "everything",
                                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                            }
                        ],
                    },
                    {"type": "CodeSystem", "interaction": [{"code": "read"}]},
                ],
                "operation": [{"name": "cno-assess", "definition": CNO_ASSESS_DEFINITION}],
            }
        ],
    }


@extend_schema(exclude=True)
class CapabilityStatementView(FhirView):
    # The capability statement says how to authenticate, so it is readable without a token (FHIR servers
    # publish /metadata openly); it carries no patient data.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response(capability_statement(request.build_absolute_uri("/fhir/r4/")))


@extend_schema(exclude=True)
class PatientReadView(FhirView):
    def get(self, request: Request, patient_id: int) -> Response:
        patient = selectors.fhir_patient_get(user=request.user, patient_id=patient_id)
        return Response(resources.patient_resource(patient))


@extend_schema(exclude=True)
class PatientEverythingView(FhirView):
    def get(self, request: Request, patient_id: int) -> Response:
        record = selectors.fhir_patient_record(user=request.user, patient_id=patient_id)
        bundle = resources.searchset(resources.everything(record), request.build_absolute_uri())
        return Response(bundle)


@extend_schema(exclude=True)
class CodeSystemReadView(FhirView):
    def get(self, request: Request, codesystem_id: str) -> Response:
        spec = codesystems.specs().get(codesystem_id)
        if spec is None:
            raise NotFound(f"No CodeSystem {codesystem_id!r}.")
        return Response(codesystems.codesystem_resource(spec))


@extend_schema(exclude=True)
class FhirNotFoundView(FhirView):
    """Any other path under /fhir/r4/: a 404 OperationOutcome, with or without a token (an unknown path
    says nothing about the record)."""

    permission_classes = [AllowAny]

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFound("No such FHIR resource or interaction on this server.")

    post = put = patch = delete = get
