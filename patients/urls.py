"""The record's own pages (new patient, new or edited episode, the site switcher). They share the
"patients" URL namespace with the derived pages of exclusion.workbench (see cno_app/urls.py)."""

from django.urls import path

from patients import treatment_views, views

urlpatterns = [
    path("site/", views.site_switch, name="site_switch"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/<int:patient_id>/episodes/new/", views.episode_create, name="episode_create"),
    path("episodes/<int:episode_id>/edit/", views.episode_edit, name="episode_edit"),
    path("episodes/<int:episode_id>/delete/", views.episode_delete, name="episode_delete"),
    path(
        "patients/<int:patient_id>/treatments/new/",
        treatment_views.treatment_create,
        name="treatment_create",
    ),
    path("treatments/<int:treatment_id>/edit/", treatment_views.treatment_edit, name="treatment_edit"),
    path("treatments/<int:treatment_id>/delete/", treatment_views.treatment_delete, name="treatment_delete"),
]
