"""What a locked-out login sees: the login page again, with the reason and the way out (django-axes calls
this instead of its plain-text answer, for /login/ and /admin/login/ alike)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from patients.accounts.policy import lockout_minutes


def client_address(request: HttpRequest) -> str | None:
    """The address a lockout counts by. Behind the trusted proxy (TRUSTED_PROXY=1) every request comes from
    the proxy, so the client is the last X-Forwarded-For entry, the one the proxy itself wrote (Caddy
    overwrites the header; README, "Deployment"); without the proxy a client could forge that header, so
    only the socket's address counts."""
    if settings.TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed attempts: this account is locked for %(minutes)d minute; "
        "a site administrator can unlock it.",
        "Too many failed attempts: this account is locked for %(minutes)d minutes; "
        "a site administrator can unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context: dict[str, Any] = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "lockout_message": lockout_message(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)
