"""The activity summaries' API: a patient's summary, and every summary pulled incrementally.

Reads only: summaries are computed by the workers (exclusion.summaries.services), never on read. Each read
is one query beyond authentication, site scoping included.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cno_app.api.openapi import errors
from cno_app.api.pagination import PAGE_PARAMETERS, KeysetPage, paginated, paginated_response_data
from cno_app.api.views import ApiView, validated
from exclusion.summaries.models import ActivityState
from exclusion.summaries.selectors import summaries_list, summary_get
from patients import selectors as patient_selectors


class SummaryFilterInput(serializers.Serializer):
    updated_since = serializers.DateTimeField(
        required=False, help_text="Only summaries computed at or after this time (ISO 8601)."
    )
    site = serializers.SlugField(required=False, max_length=32, help_text="Site code, e.g. NORTH.")
    activity_state = serializers.ChoiceField(choices=ActivityState.choices, required=False)
    open_flag = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="The patient has (or has no) open flag."
    )


# Output of a dict stored in a JSON column (the summary's `latest` and `trend` items): each declared field
# formats its value, as in any serializer, without the per-field attribute lookup that a page of 50
# summaries would otherwise pay about a thousand times. (A comment, not a docstring: drf-spectacular would
# publish a docstring as the schema's description.)
class JsonRowOutput(serializers.Serializer):
    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        fields = self.__dict__.get("_plain_fields")
        if fields is None:
            fields = self.__dict__["_plain_fields"] = [(f.field_name, f) for f in self._readable_fields]
        return {
            name: None if (value := instance.get(name)) is None else field.to_representation(value)
            for name, field in fields
        }


class SummaryLatestOutput(JsonRowOutput):
    episode_id = serializers.IntegerField()
    assessed_on = serializers.DateField()
    focality = serializers.CharField(allow_null=True)
    bones_involved = serializers.IntegerField(allow_null=True)
    symmetric = serializers.BooleanField(allow_null=True)
    active_lesions = serializers.IntegerField(allow_null=True)
    biopsy_recommended = serializers.BooleanField(allow_null=True)
    exclusion_complete = serializers.BooleanField(allow_null=True)
    bristol_status = serializers.CharField(allow_null=True)
    jansson_points = serializers.IntegerField(allow_null=True)


class SummaryTrendOutput(JsonRowOutput):
    episode_id = serializers.IntegerField()
    assessed_on = serializers.DateField()
    crp_mg_l = serializers.FloatField(allow_null=True)
    esr_mm_h = serializers.FloatField(allow_null=True)
    active_lesions = serializers.IntegerField(allow_null=True)
    pain_vas = serializers.FloatField(allow_null=True)
    physician_global_vas = serializers.FloatField(allow_null=True)


class SummaryOutput(serializers.Serializer):
    patient_id = serializers.IntegerField()
    site = serializers.CharField(source="patient.site.code")
    record_number = serializers.CharField(source="patient.record_number")
    computed_at = serializers.DateTimeField(allow_null=True, help_text="When it was last computed.")
    stale = serializers.BooleanField(help_text="True while a recompute is pending: newer data exist.")
    ruleset = serializers.CharField()
    episodes_count = serializers.IntegerField()
    first_assessed_on = serializers.DateField(allow_null=True)
    latest_assessed_on = serializers.DateField(allow_null=True)
    latest = SummaryLatestOutput(allow_null=True)
    trend = SummaryTrendOutput(many=True)
    activity_state = serializers.ChoiceField(choices=ActivityState.choices)
    pedcno = serializers.IntegerField(allow_null=True, help_text="PedCNO response level, latest vs first.")
    severe_course = serializers.BooleanField()
    silent_activity = serializers.BooleanField()
    spine_involved = serializers.BooleanField()
    vertebral_collapse = serializers.BooleanField()
    open_flag = serializers.BooleanField()


class PatientSummaryApi(ApiView):
    @extend_schema(
        operation_id="patients_summary",
        summary="A patient's disease-activity summary",
        description="Computed in the background after every change; `stale` is true while a newer "
        "computation is pending. 404 also when no summary has been computed yet (retry shortly).",
        responses={200: SummaryOutput, **errors(404)},
    )
    def get(self, request: Request, patient_id: int) -> Response:
        summary = summary_get(patient_id=patient_id, user=request.user)
        if summary is None or summary.computed_at is None:
            # Only on this path: is it another site's (or no) patient, or one not computed yet?
            patient_selectors.patient_get(user=request.user, patient_id=patient_id)
            raise NotFound("No summary has been computed for this patient yet; retry shortly.")
        return Response(SummaryOutput(summary).data)


class SummaryListApi(ApiView):
    @extend_schema(
        operation_id="summaries_list",
        summary="Pull activity summaries incrementally",
        description="Ordered by computation time, then patient id (oldest first), so a client can pull "
        "everything changed since its last pull: pass the newest `computed_at` it has seen as "
        "`updated_since` (inclusive: the boundary rows come again; deduplicate by `patient_id`). "
        "Summaries not computed yet are left out until they are.",
        parameters=[SummaryFilterInput, *PAGE_PARAMETERS],
        responses={200: paginated(SummaryOutput, "SummaryPage"), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        filters = validated(SummaryFilterInput, request.query_params.dict())
        summaries = summaries_list(user=request.user, **filters).filter(computed_at__isnull=False)
        page = KeysetPage(summaries, request, "computed_at")
        return Response(paginated_response_data(page, SummaryOutput(page.results, many=True).data))
