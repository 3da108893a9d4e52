from django.urls import path

from patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("site/", views.site_switch, name="site_switch"),
    path("rules/", views.rules, name="rules"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/<int:patient_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:patient_id>/episodes/new/", views.episode_create, name="episode_create"),
    path("episodes/<int:episode_id>/", views.episode_detail, name="episode_detail"),
    path("episodes/<int:episode_id>/edit/", views.episode_edit, name="episode_edit"),
]
