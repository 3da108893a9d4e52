"""What a locked-out login sees: the login page again, with the reason and the way out (django-axes calls
this instead of its plain-text answer, for /login/ and /admin/login/ alike)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from patients.accounts.policy import lockout_minutes


def lockout_message() -> str:
    return (
        f"Too many failed attempts: this account is locked for {lockout_minutes()} minutes; "
        "a site administrator can unlock it."
    )


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
