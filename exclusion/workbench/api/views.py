"""API views: thin. Each parses its input, calls one selector or service, and serializes the result.

Errors are raised, never built here: cno_app.api.exceptions turns them into the one error shape.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cno_app.api.filters import filterset_parameters
from cno_app.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from cno_app.api.openapi import errors, ref
from cno_app.api.pagination import PAGE_PARAMETERS, KeysetPage, paginated, paginated_response_data
from cno_app.api.permissions import require_clinical_write, visible_site
from cno_app.api.views import ApiView, validated
from exclusion import engine
from exclusion.workbench.api import selectors
from exclusion.workbench.api.documents import assessment_document, episode_records
from exclusion.workbench.api.openapi import example_assessment, example_case
from exclusion.workbench.api.serializers import (
    CaseIntakeInput,
    CaseIntakeOutput,
    EpisodeCreateInput,
    EpisodeOutput,
    EpisodeUpdateInput,
    PatientCreateInput,
    PatientOutput,
    PatientUpdateInput,
    RuleCatalogueOutput,
)
from exclusion.workbench.filters import PatientFilterSet
from exclusion.workbench.selectors import assessment_latest, assessments_latest_for
from patients.casedoc import episode_to_case
from patients.services import case_import, episode_create, episode_update, patient_create, patient_update


def _episode_data(episodes: list[Any]) -> list[dict[str, Any]]:
    latest = assessments_latest_for(episode_ids=[episode.pk for episode in episodes])
    return EpisodeOutput(episodes, many=True, context={"assessments": latest}).data


class PatientListCreateApi(ApiView):
    @extend_schema(
        operation_id="patients_list",
        summary="List your sites' patients",
        description="Ordered by last change (oldest first), then id; pass `updated_since` to pull changes.",
        parameters=[
            *filterset_parameters(
                PatientFilterSet,
                "record_number",
                "site",
                "updated_since",
                "biopsy_recommended",
                "exclusion_complete",
                "open_flag",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(PatientOutput, "PatientPage"), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        patients = selectors.patient_api_list(user=request.user, params=request.query_params)
        page = KeysetPage(patients, request, "updated_at")
        return Response(paginated_response_data(page, PatientOutput(page.results, many=True).data))

    @extend_schema(
        operation_id="patients_create",
        summary="Create a patient",
        description="Record numbers are unique per site, trimmed and without regard to case: a number "
        "already on file (`nf-1001` beside `NF-1001`) is a 400 on `record_number` naming the existing "
        "patient's id.",
        request=PatientCreateInput,
        responses={201: PatientOutput, **errors(400, 403, 404, 413)},
        examples=[
            OpenApiExample(
                "New patient",
                value={
                    "site": "NORTH",
                    "record_number": "NF-2001",
                    "sex": "female",
                    "birth_date": "2014-03-02",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = validated(PatientCreateInput, request.data)
        site = visible_site(request.user, data.pop("site"))
        require_clinical_write(request.user, site.id)
        patient = patient_create(actor=request.user, site=site, **data)
        patient = selectors.patient_api_get(user=request.user, patient_id=patient.pk)
        return Response(PatientOutput(patient).data, status=status.HTTP_201_CREATED)


class PatientDetailApi(ApiView):
    @extend_schema(
        operation_id="patients_retrieve", summary="One patient", responses={200: PatientOutput, **errors(404)}
    )
    def get(self, request: Request, patient_id: int) -> Response:
        patient = selectors.patient_api_get(user=request.user, patient_id=patient_id)
        return Response(PatientOutput(patient).data)

    @extend_schema(
        operation_id="patients_update",
        summary="Change a patient's record number, sex or birth date",
        description="Every episode of the patient is re-assessed (age-dependent rules may change).",
        request=PatientUpdateInput,
        responses={200: PatientOutput, **errors(400, 403, 404, 413)},
    )
    def patch(self, request: Request, patient_id: int) -> Response:
        patient = selectors.patient_api_get(user=request.user, patient_id=patient_id)
        require_clinical_write(request.user, patient.site_id)
        data = validated(PatientUpdateInput, request.data)
        patient_update(actor=request.user, patient=patient, **data)
        patient = selectors.patient_api_get(user=request.user, patient_id=patient_id)
        return Response(PatientOutput(patient).data)


class PatientEpisodesApi(ApiView):
    @extend_schema(
        operation_id="patients_episodes_list",
        summary="A patient's episodes",
        description="Oldest first; each with its cno-case/1 `episode` and its latest assessment's summary.",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(EpisodeOutput, "EpisodePage"), **errors(400, 404)},
    )
    def get(self, request: Request, patient_id: int) -> Response:
        patient = selectors.patient_api_get(user=request.user, patient_id=patient_id)
        page = KeysetPage(selectors.episode_api_list(patient=patient), request, "assessed_on")
        return Response(paginated_response_data(page, _episode_data(page.results)))

    @extend_schema(
        operation_id="patients_episodes_create",
        summary="Add an episode to a patient",
        description="The body's `episode` is the `episode` object of a cno-case/1 document; it is validated "
        "with the patient on file, exactly as the command line validates a whole document. Send an "
        "`Idempotency-Key` to make a retry safe.",
        request=EpisodeCreateInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: EpisodeOutput, **errors(400, 403, 404, 413), **IDEMPOTENCY_RESPONSES},
        examples=[OpenApiExample("Episode", value={"episode": example_case()["episode"]}, request_only=True)],
    )
    def post(self, request: Request, patient_id: int) -> Response:
        return idempotent(request, lambda: self._create(request, patient_id))

    def _create(self, request: Request, patient_id: int) -> Response:
        patient = selectors.patient_api_get(user=request.user, patient_id=patient_id)
        require_clinical_write(request.user, patient.site_id)
        data = validated(EpisodeCreateInput, request.data)
        records = episode_records(patient, data["episode"])
        episode = episode_create(
            actor=request.user,
            patient=patient,
            data=records.episode,
            lesions=records.lesions,
            biopsy=records.biopsy,
        )
        episode = selectors.episode_api_get(user=request.user, episode_id=episode.pk)
        return Response(_episode_data([episode])[0], status=status.HTTP_201_CREATED)


class EpisodeDetailApi(ApiView):
    @extend_schema(
        operation_id="episodes_retrieve", summary="One episode", responses={200: EpisodeOutput, **errors(404)}
    )
    def get(self, request: Request, episode_id: int) -> Response:
        episode = selectors.episode_api_get(user=request.user, episode_id=episode_id)
        return Response(_episode_data([episode])[0])

    @extend_schema(
        operation_id="episodes_update",
        summary="Replace an episode (optimistic locking)",
        description="Send the `version` you read. If someone saved in between, nothing is changed and the "
        "answer is 409 with `current_version`: reload, reapply your change, and send again.",
        request=EpisodeUpdateInput,
        responses={200: EpisodeOutput, **errors(400, 403, 404, 409, 413)},
        examples=[
            OpenApiExample(
                "Update", value={"version": 2, "episode": example_case()["episode"]}, request_only=True
            )
        ],
    )
    def put(self, request: Request, episode_id: int) -> Response:
        episode = selectors.episode_api_get(user=request.user, episode_id=episode_id)
        require_clinical_write(request.user, episode.patient.site_id)
        data = validated(EpisodeUpdateInput, request.data)
        records = episode_records(episode.patient, data["episode"])
        episode_update(
            actor=request.user,
            episode_id=episode.pk,
            expected_version=data["version"],
            data=records.episode,
            lesions=records.lesions,
            biopsy=records.biopsy,
        )
        episode = selectors.episode_api_get(user=request.user, episode_id=episode_id)
        return Response(_episode_data([episode])[0])


class EpisodeCaseApi(ApiView):
    @extend_schema(
        operation_id="episodes_case",
        summary="The episode as a cno-case/1 document",
        responses={
            200: OpenApiResponse(ref("CnoCase"), examples=[OpenApiExample("Case", value=example_case())]),
            **errors(404),
        },
    )
    def get(self, request: Request, episode_id: int) -> Response:
        episode = selectors.episode_api_get(user=request.user, episode_id=episode_id)
        return Response(episode_to_case(episode))


class EpisodeAssessmentApi(ApiView):
    @extend_schema(
        operation_id="episodes_assessment",
        summary="The episode's latest cno-assessment/1",
        responses={
            200: OpenApiResponse(
                ref("CnoAssessment"), examples=[OpenApiExample("Assessment", value=example_assessment())]
            ),
            **errors(404),
        },
    )
    def get(self, request: Request, episode_id: int) -> Response:
        episode = selectors.episode_api_get(user=request.user, episode_id=episode_id)
        assessment = assessment_latest(episode_id=episode.pk)
        if assessment is None:  # every saved episode is assessed in its own transaction; defensive only
            raise NotFound(_("This episode has not been assessed yet."))
        return Response(assessment_document(assessment.result))


class CaseIntakeApi(ApiView):
    @extend_schema(
        operation_id="cases_create",
        summary="Import a cno-case/1 document",
        description="Creates the patient if needed (same site and record number = same patient) and the "
        "episode with its lesions and biopsy, in one transaction, and answers with the assessment: exactly "
        "what `python -m exclusion assess` prints for the same document. An invalid document is a 400 "
        "with the command line's `errors` list, and nothing is saved. Record numbers are compared trimmed "
        "and without regard to case. Send an `Idempotency-Key` to make a retry safe.",
        request=CaseIntakeInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OpenApiResponse(
                CaseIntakeOutput,
                examples=[
                    OpenApiExample(
                        "Imported",
                        value={"patient_id": 17, "episode_id": 42, "assessment": example_assessment()},
                    )
                ],
            ),
            **errors(400, 403, 404, 413),
            **IDEMPOTENCY_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Case",
                value={"site": "NORTH", "record_number": "NF-2001", "case": example_case()},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = validated(CaseIntakeInput, request.data)
        site = visible_site(request.user, data["site"])
        require_clinical_write(request.user, site.id)
        episode = case_import(  # validates the document once
            actor=request.user, site=site, record_number=data["record_number"], doc=data["case"]
        )
        assessment = assessment_latest(episode_id=episode.pk)
        body = {
            "patient_id": episode.patient_id,
            "episode_id": episode.pk,
            "assessment": assessment_document(assessment.result),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class RuleListApi(ApiView):
    @extend_schema(
        operation_id="rules_list",
        summary="The rule catalogue",
        description="Every rule the engine applies: id (the finding code), inputs, explanation and source.",
        responses={200: RuleCatalogueOutput, **errors()},
    )
    def get(self, request: Request) -> Response:
        return Response({"ruleset": engine.RULESET_VERSION, "rules": engine.rule_catalogue()})
