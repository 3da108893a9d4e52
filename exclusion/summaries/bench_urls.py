"""Bench-only URLconf (`make bench`, exclusion/summaries/bench_api.py): the application's routes plus a
bare DRF baseline that reads the same summary rows with the same authentication, permission and throttling,
and serializes them with a plain ModelSerializer: what the framework alone costs."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from exclusion.summaries.models import ActivitySummary


class BareSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivitySummary
        fields = "__all__"


class BareSummaryDetail(APIView):
    def get(self, request: Request, patient_id: int) -> Response:
        summary = ActivitySummary.objects.select_related("patient__site").get(patient_id=patient_id)
        return Response(BareSummarySerializer(summary).data)


class BareSummaryList(APIView):
    def get(self, request: Request, *args: Any) -> Response:
        rows = ActivitySummary.objects.select_related("patient__site").order_by("computed_at", "patient_id")[
            :50
        ]
        return Response({"next": None, "results": BareSummarySerializer(rows, many=True).data})


urlpatterns = [
    path("bench/bare/patients/<int:patient_id>/summary/", BareSummaryDetail.as_view()),
    path("bench/bare/summaries/", BareSummaryList.as_view()),
    path("", include("cno_app.urls")),  # by name: this module is not part of the application's imports
]
