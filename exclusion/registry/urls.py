from django.urls import path

from exclusion.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("imports/", views.import_start, name="import-start"),
    path("exports/", views.export_start, name="export-start"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/progress", views.job_progress_json, name="job-progress"),
    path("jobs/<int:job_id>/download", views.job_download, name="job-download"),
]
