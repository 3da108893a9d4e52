"""Response headers every answer of the app carries (README, "Deployment"; issue: security headers).

The Content-Security-Policy itself comes from django-csp (settings.CONTENT_SECURITY_POLICY).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control

Handler = Callable[[HttpRequest], HttpResponseBase]


class PermissionsPolicyMiddleware:
    """Switch off the browser features the workbench never uses (camera, microphone, location, payment…)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.policy: str = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and API answer, so that no browser or proxy keeps patient data.

    Only an answer whose view declared itself `public` (the published JSON Schemas) keeps its own header.
    Static files never reach this middleware (WhiteNoise answers them earlier in the chain).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "public" not in response.headers.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True)
        return response
