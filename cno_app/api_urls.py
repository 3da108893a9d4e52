"""/api/v1/: every app's API routes are included here."""

from django.urls import include, path  # noqa: F401

urlpatterns: list = [
    path("", include("exclusion.api_urls")),
]
