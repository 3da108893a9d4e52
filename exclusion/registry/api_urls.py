"""/api/v1/exports/ and /api/v1/imports/: registry jobs' REST routes (included from cno_app/api/urls.py)."""

from django.urls import path

from exclusion.registry import api

urlpatterns = [
    path("exports/", api.ExportListApi.as_view(), name="api-exports"),
    path("exports/<int:job_id>/", api.ExportDetailApi.as_view(), name="api-export"),
    path("exports/<int:job_id>/download/", api.ExportDownloadApi.as_view(), name="api-export-download"),
    path("imports/", api.ImportListApi.as_view(), name="api-imports"),
    path("imports/<int:job_id>/", api.ImportDetailApi.as_view(), name="api-import"),
]
