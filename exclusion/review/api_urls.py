"""/api/v1/flags/: the review queue's REST routes (included from cno_app/api/urls.py)."""

from django.urls import path

from exclusion.review import api

urlpatterns = [
    path("flags/", api.FlagListApi.as_view(), name="flag-list"),
    path("flags/<int:flag_id>/", api.FlagDetailApi.as_view(), name="flag-detail"),
    path("flags/<int:flag_id>/decision/", api.FlagDecisionApi.as_view(), name="flag-decision"),
    path("flags/<int:flag_id>/revision/", api.FlagRevisionApi.as_view(), name="flag-revision"),
]
