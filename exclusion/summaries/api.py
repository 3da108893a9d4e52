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
from exclusion.engine.prompts import PROMPTS
from exclusion.summaries.models import ActivityState
from exclusion.summaries.selectors import summaries_list, summary_get
from patients import selectors as patient_selectors
from patients.choices import DrugClass


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


class SummaryCourseOutput(JsonRowOutput):
    drug_class = serializers.ChoiceField(choices=DrugClass.choices)
    drug = serializers.CharField()
    started_on = serializers.DateField()


class SummaryTreatmentOutput(JsonRowOutput):
    current = SummaryCourseOutput(many=True, help_text="The ongoing courses (no dose is recorded).")
    line = serializers.IntegerField(
        help_text="Line of therapy: 0 with no course recorded, 1 for NSAIDs alone, plus one for each further "
        "class ever used beyond NSAIDs (glucocorticoids, as bridging, never add one)."
    )
    since = serializers.DateField(
        allow_null=True, help_text="Since when the current combination has run; null with no ongoing course."
    )


class SummaryResponseOutput(JsonRowOutput):
    pedcno = serializers.IntegerField(
        allow_null=True, help_text="PedCNO level (0/30/50/70/90) of the latest episode against the baseline."
    )
    label = serializers.CharField(help_text='"PedCNO50" or "not evaluable".')
    not_evaluable_reason = serializers.ChoiceField(
        allow_null=True,
        choices=[
            "no_current_treatment",
            "no_baseline_episode",
            "no_follow_up_episode",
            "variables_not_evaluable",
        ],
    )
    since = serializers.DateField(allow_null=True, help_text="Start of the current combination.")
    baseline_episode_id = serializers.IntegerField(
        allow_null=True, help_text="The episode at or last before the start of the current combination."
    )
    baseline_assessed_on = serializers.DateField(allow_null=True)
    episode_id = serializers.IntegerField(allow_null=True, help_text="The latest episode, when after it.")
    assessed_on = serializers.DateField(allow_null=True)
    source = serializers.CharField(help_text="The PedCNO definition used (recalled, not yet checked).")


class SummaryCdasOutput(JsonRowOutput):
    episode_id = serializers.IntegerField()
    assessed_on = serializers.DateField()
    patient_pain = serializers.FloatField(allow_null=True)
    patient_global = serializers.FloatField(allow_null=True)
    clinical_lesion_count = serializers.IntegerField(help_text="Bones with a symptomatic lesion.")


class SummaryPromptOutput(JsonRowOutput):
    code = serializers.ChoiceField(choices=[(p.code, p.title) for p in PROMPTS])
    text = serializers.CharField()
    source = serializers.CharField()


class SummarySpineSightingOutput(JsonRowOutput):
    episode_id = serializers.IntegerField()
    assessed_on = serializers.DateField()
    active = serializers.BooleanField()
    collapse = serializers.BooleanField()


class SummarySpineLevelOutput(JsonRowOutput):
    site = serializers.CharField()
    level = serializers.CharField(help_text='e.g. "T7"; empty when not given.')
    first_seen_on = serializers.DateField()
    last_seen_on = serializers.DateField()
    active_now = serializers.BooleanField(
        allow_null=True, help_text="Active at the latest episode; null when not imaged then."
    )
    collapse = serializers.BooleanField()
    collapse_first_seen_on = serializers.DateField(allow_null=True)
    seen = SummarySpineSightingOutput(many=True)


class SummarySpineOutput(JsonRowOutput):
    levels = SummarySpineLevelOutput(many=True)
    any_active_now = serializers.BooleanField()
    any_collapse = serializers.BooleanField()


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
    # Null only on a summary not yet recomputed since these were added (it is stale then).
    treatment = SummaryTreatmentOutput(allow_null=True)
    response = SummaryResponseOutput(allow_null=True)
    cdas_components = SummaryCdasOutput(
        allow_null=True, help_text="CDAS items of the latest episode; no total."
    )
    prompts = SummaryPromptOutput(many=True, help_text="Decision-support prompts (rule catalogue: PROMPT-*).")
    spine = SummarySpineOutput(allow_null=True, help_text="Vertebral levels seen over time.")


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
