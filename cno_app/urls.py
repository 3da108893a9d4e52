from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path

from cno_app.api.exceptions import api_not_found
from exclusion.interop.cds_hooks import views as cds_views
from exclusion.workbench import urls as workbench_urls
from patients import urls as record_urls


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("patients.accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("cno_app.api.urls")),
    re_path(r"^api/", api_not_found),  # unknown API paths: JSON 404, never a debug page
    path("fhir/r4/", include("exclusion.interop.fhir.urls")),
    path("cds-services", cds_views.DiscoveryView.as_view(), name="cds-discovery"),
    path("cds-services/", include("exclusion.interop.cds_hooks.urls")),
    path("review/", include("exclusion.review.urls")),
    path("registry/", include("exclusion.registry.urls")),
    path("tokens/", include("patients.tokens.urls")),
    path("audit/", include("patients.auditlog.urls")),
    # One "patients" namespace for the clinician's pages: the record's (patients) and the derived ones.
    path("", include((record_urls.urlpatterns + workbench_urls.urlpatterns, "patients"))),
]
