"""/api/v1/ routes of the activity summaries (included from cno_app/api/urls.py)."""

from django.urls import path

from exclusion.summaries import api

urlpatterns = [
    path("patients/<int:patient_id>/summary/", api.PatientSummaryApi.as_view(), name="api-patient-summary"),
    path("summaries/", api.SummaryListApi.as_view(), name="api-summaries"),
]
