"""/api/v1/: every app's API routes are included here, with the schema and the interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns: list = [
    path("", include("exclusion.review.api_urls")),
    path("", include("exclusion.workbench.api.urls")),
    path("", include("exclusion.summaries.api_urls")),
    path("", include("exclusion.registry.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from ?script: no inline script under the strict CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
