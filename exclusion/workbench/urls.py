"""The derived pages; they share the "patients" URL namespace with patients.urls (see cno_app/urls.py)."""

from django.urls import path

from exclusion.workbench import views

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("rules/", views.rules, name="rules"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:patient_id>/print/", views.patient_print, name="patient_print"),
    path("episodes/<int:episode_id>/", views.episode_detail, name="episode_detail"),
]
