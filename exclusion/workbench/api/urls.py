from django.urls import include, path

from exclusion.workbench.api import treatments, views

urlpatterns = [
    path("patients/", views.PatientListCreateApi.as_view(), name="api-patients"),
    path("patients/<int:patient_id>/", views.PatientDetailApi.as_view(), name="api-patient"),
    path(
        "patients/<int:patient_id>/episodes/", views.PatientEpisodesApi.as_view(), name="api-patient-episodes"
    ),
    path(
        "patients/<int:patient_id>/treatments/",
        treatments.PatientTreatmentsApi.as_view(),
        name="api-patient-treatments",
    ),
    path("treatments/<int:treatment_id>/", treatments.TreatmentDetailApi.as_view(), name="api-treatment"),
    path("episodes/<int:episode_id>/", views.EpisodeDetailApi.as_view(), name="api-episode"),
    path("episodes/<int:episode_id>/case/", views.EpisodeCaseApi.as_view(), name="api-episode-case"),
    path(
        "episodes/<int:episode_id>/assessment/",
        views.EpisodeAssessmentApi.as_view(),
        name="api-episode-assessment",
    ),
    path("cases/", views.CaseIntakeApi.as_view(), name="api-cases"),
    path("rules/", views.RuleListApi.as_view(), name="api-rules"),
    path("", include("exclusion.workbench.api.schemas")),
]
