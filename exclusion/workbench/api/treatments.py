"""Treatment courses over the API: a patient's courses, and one course read, replaced or deleted.

Thin like exclusion.workbench.api.views: each view parses its strict envelope, calls one selector or
service of patients.treatments, and serializes the result. The model's own rules (a stop date needs a
reason, no stop before the start, no date in the future) are checked by the service and come back as a
400 naming each field; a stale `version` is a 409 with `current_version`. Only what was taken, never how
much: no dose is accepted or returned.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from cno_app.api.openapi import ConflictOutput, errors
from cno_app.api.pagination import PAGE_PARAMETERS, KeysetPage, paginated, paginated_response_data
from cno_app.api.permissions import require_clinical_write
from cno_app.api.serializers import Input
from cno_app.api.views import ApiView, validated
from exclusion.workbench.api import selectors
from patients.choices import DrugClass, StopReason
from patients.models import Treatment
from patients.treatments.selectors import treatment_get, treatments_for_patient
from patients.treatments.services import treatment_create, treatment_delete, treatment_update

# --- Serializers ------------------------------------------------------------------------------------


class TreatmentInput(Input):
    drug_class = serializers.ChoiceField(choices=DrugClass.choices)
    drug = serializers.CharField(max_length=100, help_text="The drug's name, e.g. naproxen (no dose).")
    started_on = serializers.DateField()
    stopped_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Null or absent while the course is ongoing."
    )
    stop_reason = serializers.ChoiceField(
        choices=StopReason.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="Required with a stop date; null or absent while ongoing.",
    )


class TreatmentUpdateInput(TreatmentInput):
    version = serializers.IntegerField(min_value=1, help_text="The version you read (optimistic locking).")


class TreatmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    patient_id = serializers.IntegerField()
    drug_class = serializers.ChoiceField(choices=DrugClass.choices)
    drug = serializers.CharField()
    started_on = serializers.DateField()
    stopped_on = serializers.DateField(allow_null=True)
    stop_reason = serializers.SerializerMethodField()
    ongoing = serializers.BooleanField(help_text="True while there is no stop date.")
    version = serializers.IntegerField(help_text="Send it back with an update.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(choices=StopReason.choices, allow_null=True))
    def get_stop_reason(self, obj: Treatment) -> str | None:
        return obj.stop_reason or None  # stored as "" while ongoing; null in the API, as it is accepted


def _data(treatment: Treatment) -> dict[str, Any]:
    return TreatmentOutput(treatment).data


# --- OpenAPI ----------------------------------------------------------------------------------------

_NAPROXEN = {"drug_class": "nsaid", "drug": "naproxen", "started_on": "2024-05-10"}
_STOPPED = {
    "drug_class": "nsaid",
    "drug": "naproxen",
    "started_on": "2024-05-10",
    "stopped_on": "2024-11-02",
    "stop_reason": "inefficacy",
}
# The shared 409 text speaks of episodes; this one says what changed here.
_CONFLICT = {
    409: OpenApiResponse(
        ConflictOutput,
        "The course changed since you read it: reload it, reapply your change, and send the new version.",
        [
            OpenApiExample(
                "Stale version",
                value={
                    "errors": [
                        {
                            "path": "version",
                            "message": "The treatment was changed by someone else (now version 3).",
                        }
                    ],
                    "current_version": 3,
                },
            )
        ],
    )
}


def _with_conflict(*codes: int) -> dict[int, OpenApiResponse]:
    return {**errors(*codes), **_CONFLICT}


# --- Views ------------------------------------------------------------------------------------------


class PatientTreatmentsApi(ApiView):
    @extend_schema(
        operation_id="patients_treatments_list",
        summary="A patient's treatment courses",
        description="Earliest start first (then id), ongoing and stopped courses alike. No doses.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(TreatmentOutput, "TreatmentPage"), **errors(400, 404)},
    )
    def get(self, request: Request, patient_id: int) -> Response:
        patient = selectors.patient_api_get(user=request.user, patient_id=patient_id)
        page = KeysetPage(treatments_for_patient(patient), request, "started_on")
        return Response(paginated_response_data(page, TreatmentOutput(page.results, many=True).data))

    @extend_schema(
        operation_id="patients_treatments_create",
        summary="Add a treatment course to a patient",
        description="The drug's class and name and when it started; a course that has already stopped "
        "also needs `stopped_on` and `stop_reason`. No dose is accepted. The activity summary is "
        "recomputed after the change.",
        request=TreatmentInput,
        responses={201: TreatmentOutput, **errors(400, 403, 404, 413)},
        examples=[
            OpenApiExample("Ongoing course", value=_NAPROXEN, request_only=True),
            OpenApiExample("Stopped course", value=_STOPPED, request_only=True),
        ],
    )
    def post(self, request: Request, patient_id: int) -> Response:
        patient = selectors.patient_api_get(user=request.user, patient_id=patient_id)
        require_clinical_write(request.user, patient.site_id)
        data = validated(TreatmentInput, request.data)
        treatment = treatment_create(actor=request.user, patient=patient, **data)
        return Response(_data(treatment), status=status.HTTP_201_CREATED)


class TreatmentDetailApi(ApiView):
    @extend_schema(
        operation_id="treatments_retrieve",
        summary="One treatment course",
        responses={200: TreatmentOutput, **errors(404)},
    )
    def get(self, request: Request, treatment_id: int) -> Response:
        return Response(_data(treatment_get(user=request.user, treatment_id=treatment_id)))

    @extend_schema(
        operation_id="treatments_update",
        summary="Replace a treatment course (optimistic locking)",
        description="Send the five fields and the `version` you read; absent stop fields mean ongoing. "
        "Stopping a course is an update with `stopped_on` and `stop_reason`. If someone saved in between, "
        "nothing is changed and the answer is 409 with `current_version`: reload, reapply, and send again.",
        request=TreatmentUpdateInput,
        responses={200: TreatmentOutput, **_with_conflict(400, 403, 404, 413)},
        examples=[OpenApiExample("Stop for inefficacy", value={"version": 1, **_STOPPED}, request_only=True)],
    )
    def put(self, request: Request, treatment_id: int) -> Response:
        treatment = treatment_get(user=request.user, treatment_id=treatment_id)
        require_clinical_write(request.user, treatment.patient.site_id)
        data = validated(TreatmentUpdateInput, request.data)
        version = data.pop("version")
        treatment = treatment_update(actor=request.user, treatment=treatment, version=version, **data)
        return Response(_data(treatment))

    @extend_schema(
        operation_id="treatments_destroy",
        summary="Delete a treatment course",
        description="For a course entered by mistake; a course that ended is stopped (an update), "
        "not deleted.",
        responses={204: OpenApiResponse(description="Deleted."), **errors(403, 404)},
    )
    def delete(self, request: Request, treatment_id: int) -> Response:
        treatment = treatment_get(user=request.user, treatment_id=treatment_id)
        require_clinical_write(request.user, treatment.patient.site_id)
        treatment_delete(actor=request.user, treatment=treatment)
        return Response(status=status.HTTP_204_NO_CONTENT)
