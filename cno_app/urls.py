from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path

from patients.api.exceptions import api_not_found


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("cno_app.api_urls")),
    re_path(r"^api/", api_not_found),  # unknown API paths: JSON 404, never a debug page
    path("review/", include("exclusion.urls")),
    path("tokens/", include("patients.token_urls")),
    path("", include("patients.urls")),
]
