"""REST endpoints of the review queue (thin: validate input, call one selector or service, serialise)."""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from cno_app.api.openapi import ErrorOutput
from cno_app.api.serializers import Input
from cno_app.api.views import ApiView
from exclusion.review.filters import FlagFilterForm
from exclusion.review.models import (
    COMMENT_MAX_LENGTH,
    Decision,
    Flag,
    FlagReason,
    FlagStatus,
    NotIndicatedReason,
)
from exclusion.review.selectors import case_facts, flag_get, flag_list
from exclusion.review.services import FlagStateError, flag_decide, flag_revise

# Errors use the API's one shape, {"errors": [{"path", "message"}]} (cno_app.api.exceptions).
FIELD_ERRORS = OpenApiResponse(ErrorOutput, "Invalid input: every problem, each naming its field in `path`.")
NOT_AUTHENTICATED = OpenApiResponse(ErrorOutput, "No credentials, or an invalid or revoked token.")
FORBIDDEN = OpenApiResponse(ErrorOutput, "Your role at the flag's site does not allow this (reviewers act).")
NOT_FOUND = OpenApiResponse(ErrorOutput, "No such flag among your sites (another site's flag is a 404 too).")
CONFLICT = OpenApiResponse(ErrorOutput, "The flag is not open (already decided, or resolved by new data).")


class FlagPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class FlagOutputSerializer(serializers.Serializer):
    """A flag: its reasons, state, current decision and the case's key facts."""

    @extend_schema_serializer(component_name="FlagFacts")
    class FactsSerializer(serializers.Serializer):
        age_years = serializers.FloatField(allow_null=True)
        focality = serializers.CharField()
        bones = serializers.ListField(child=serializers.CharField())
        crp_mg_l = serializers.FloatField(allow_null=True)
        assessed_on = serializers.DateField(allow_null=True)

    @extend_schema_serializer(component_name="FlagDecision")
    class DecisionSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=Decision.choices)
        reason_code = serializers.CharField(help_text="Coded reason (biopsy_not_indicated only), else empty.")
        diagnosis = serializers.CharField(help_text="The alternative diagnosis, else empty.")
        comment = serializers.CharField()
        decided_by = serializers.CharField(allow_null=True)
        decided_at = serializers.DateTimeField()

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=FlagStatus.choices)
    reasons = serializers.ListField(child=serializers.CharField())
    priority = serializers.IntegerField(
        help_text="0 malignancy concern, 1 infection concern, 2 unifocal, 3 other."
    )
    site = serializers.CharField(source="site.code")
    record_number = serializers.CharField(source="patient.record_number")
    patient_id = serializers.IntegerField()
    episode_id = serializers.IntegerField(allow_null=True)
    assessment_id = serializers.IntegerField(allow_null=True)
    assignee = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    decision = serializers.SerializerMethodField()
    facts = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assignee(self, flag: Flag) -> str | None:
        return flag.assignee.get_username() if flag.assignee else None

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, flag: Flag) -> dict | None:
        if not flag.decision:
            return None
        return {
            "decision": flag.decision,
            "reason_code": flag.decision_reason_code,
            "diagnosis": flag.decision_diagnosis,
            "comment": flag.decision_comment,
            "decided_by": flag.decided_by.get_username() if flag.decided_by else None,
            "decided_at": flag.decided_at,
        }

    @extend_schema_field(FactsSerializer)
    def get_facts(self, flag: Flag) -> dict:
        return self.FactsSerializer(vars(case_facts(flag))).data


class FlagPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = FlagOutputSerializer(many=True)


class FlagListApi(ApiView):
    OutputSerializer = FlagOutputSerializer

    @extend_schema(
        operation_id="flags_list",
        summary="Review flags at your sites, riskiest first",
        parameters=[
            OpenApiParameter("status", str, enum=[*FlagStatus.values, "all"], description="Default: all."),
            OpenApiParameter("reason", str, enum=FlagReason.values),
            OpenApiParameter("site", str, description="Site code, e.g. NORTH."),
            OpenApiParameter("assignee", str, description="'me', 'none' (unassigned) or a user id."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": FlagPagination.max_limit, "default": 50},
                description=f"Flags per page, 1 to {FlagPagination.max_limit} (default 50).",
            ),
            OpenApiParameter("offset", {"type": "integer", "minimum": 0}),
        ],
        responses={
            200: FlagPageSerializer,
            400: FIELD_ERRORS,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        form = FlagFilterForm(request.query_params, user=request.user, default_status=None)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        paginator = FlagPagination()
        page = paginator.paginate_queryset(
            flag_list(user=request.user, filters=form.filters()), request, view=self
        )
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class FlagDetailApi(ApiView):
    @extend_schema_serializer(component_name="FlagDetailOutput")
    class OutputSerializer(FlagOutputSerializer):
        @extend_schema_serializer(component_name="FlagEvent")
        class EventSerializer(serializers.Serializer):
            kind = serializers.CharField()
            at = serializers.DateTimeField()
            actor = serializers.CharField(source="actor_label")
            text = serializers.CharField()
            detail = serializers.DictField()

        events = EventSerializer(many=True)

    @extend_schema(
        operation_id="flags_retrieve",
        summary="One flag with its full history",
        responses={200: OutputSerializer, 401: NOT_AUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, flag_id: int) -> Response:
        flag = flag_get(user=request.user, flag_id=flag_id)
        return Response(self.OutputSerializer(flag).data)


class FlagDecisionApi(ApiView):
    @extend_schema_serializer(component_name="FlagDecisionInput")
    class InputSerializer(Input):
        decision = serializers.ChoiceField(choices=Decision.choices)
        reason_code = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=48,
            help_text=f"Required for biopsy_not_indicated: one of {', '.join(NotIndicatedReason.values)}.",
        )
        comment = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=COMMENT_MAX_LENGTH,
            help_text="Required for biopsy_not_indicated.",
        )
        diagnosis = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=200,
            help_text="Required for alternative_diagnosis: the diagnosis.",
        )

    @extend_schema(
        operation_id="flags_decision_create",
        summary="Record a reviewer's decision on an open flag",
        request=InputSerializer,
        responses={
            200: FlagDetailApi.OutputSerializer,
            400: FIELD_ERRORS,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, flag_id: int) -> Response:
        flag = flag_get(user=request.user, flag_id=flag_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            # A ValidationError (field errors) becomes a 400 through the API's exception handler.
            flag_decide(actor=request.user, flag=flag, **serializer.validated_data)
        except FlagStateError as exc:
            return Response({"errors": [{"path": "", "message": str(exc)}]}, status=status.HTTP_409_CONFLICT)
        flag = flag_get(user=request.user, flag_id=flag_id)
        return Response(FlagDetailApi.OutputSerializer(flag).data)


class FlagRevisionApi(ApiView):
    """The browser's "Revise the decision": the same service, so both doors follow one path."""

    @extend_schema(
        operation_id="flags_revision_create",
        summary="Revise a decided flag's decision (the earlier one stays in the history)",
        description="Same fields as a decision; `comment` (why it is revised) is required.",
        request=FlagDecisionApi.InputSerializer,
        responses={
            200: FlagDetailApi.OutputSerializer,
            400: FIELD_ERRORS,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(ErrorOutput, "The flag is not decided (still open, or resolved)."),
        },
    )
    def post(self, request: Request, flag_id: int) -> Response:
        flag = flag_get(user=request.user, flag_id=flag_id)
        serializer = FlagDecisionApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            flag_revise(actor=request.user, flag=flag, **serializer.validated_data)
        except FlagStateError as exc:
            return Response({"errors": [{"path": "", "message": str(exc)}]}, status=status.HTTP_409_CONFLICT)
        flag = flag_get(user=request.user, flag_id=flag_id)
        return Response(FlagDetailApi.OutputSerializer(flag).data)
