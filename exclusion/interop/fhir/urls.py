"""FHIR R4 routes, under /fhir/r4/.

The catch-all at the end answers every unknown path with a 404 OperationOutcome (never an HTML page), so it
must stay the last pattern: add new routes above it.
"""

from django.urls import path, re_path

from exclusion.interop.fhir import assess_view, views

urlpatterns = [
    path("metadata", views.CapabilityStatementView.as_view(), name="fhir-metadata"),
    path("Patient/<int:patient_id>", views.PatientReadView.as_view(), name="fhir-patient"),
    path(
        "Patient/<int:patient_id>/$everything",
        views.PatientEverythingView.as_view(),
        name="fhir-patient-everything",
    ),
    path("CodeSystem/<slug:codesystem_id>", views.CodeSystemReadView.as_view(), name="fhir-codesystem"),
    path("$cno-assess", assess_view.CnoAssessView.as_view(), name="fhir-cno-assess"),
    # Keep last: every other path under /fhir/r4/ is a 404 OperationOutcome.
    # [\s\S], not ".": a path with a newline (%0a) must reach it too (the property test found one).
    re_path(r"^[\s\S]*$", views.FhirNotFoundView.as_view(), name="fhir-not-found"),
]
