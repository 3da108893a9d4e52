"""Session limits and the second-factor step, enforced on every request of a signed-in session.

API requests that carry a token are not affected: they have no session (the token decides who they are).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from patients.accounts.policy import absolute_seconds, idle_seconds, is_verified, needs_otp
from patients.accounts.services import language_of

LOGIN_AT_KEY = "cno_login_at"
LAST_SEEN_KEY = "cno_last_seen"

# Reachable before the second factor: the step itself, signing out, and what a page needs to render.
OTP_EXEMPT_PREFIXES = (
    "/accounts/otp/",
    "/accounts/language/",
    "/login/",
    "/logout/",
    "/admin/logout/",
    "/static/",
    "/healthz",
)


@receiver(user_logged_in, dispatch_uid="cno_session_login_time")
def _remember_login_time(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT_KEY] = now
        request.session[LAST_SEEN_KEY] = now


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionLimitsMiddleware:
    """A session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after login.

    The session cookie's age does the idle limit in the browser; this holds both on the server too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            login_at = request.session.setdefault(LOGIN_AT_KEY, now)
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            ended = None
            if now - login_at > absolute_seconds():
                hours = absolute_seconds() // 3600
                ended = ngettext(
                    "Your session ended %(hours)d hour after you logged in.",
                    "Your session ended %(hours)d hours after you logged in.",
                    hours,
                ) % {"hours": hours}
            elif now - last_seen > idle_seconds():
                minutes = idle_seconds() // 60
                ended = ngettext(
                    "Your session ended after %(minutes)d minute without activity.",
                    "Your session ended after %(minutes)d minutes without activity.",
                    minutes,
                ) % {"minutes": minutes}
            if ended is not None:
                logout(request)
                if not _is_api(request):  # the API answers an anonymous request itself (401)
                    messages.info(request, gettext("%(ended)s Please log in again.") % {"ended": ended})
                    return redirect_to_login(request.get_full_path())
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class OtpRequiredMiddleware:
    """Someone who needs a one-time password and has not given one yet is sent to that step, from every
    page and the Django admin; a session API call answers 403 until then."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OTP_EXEMPT_PREFIXES)
            and not is_verified(user)
            and needs_otp(user)
        ):
            if _is_api(request):
                if "HTTP_AUTHORIZATION" not in request.META:
                    message = gettext("Give your one-time password at /accounts/otp/ first.")
                    return JsonResponse({"errors": [{"path": "", "message": message}]}, status=403)
            else:
                step = reverse("accounts:otp")
                return redirect(f"{step}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


LANGUAGE_SESSION_KEY = "cno_language"
DOCUMENT_PREFIXES = ("/fhir/", "/cds-services")


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, but a signed-in user's own choice comes first.

    The choice is kept with the account (UserPreference) and copied into the session at login, so a page
    costs no extra query; without one the language cookie, then the browser's Accept-Language, decide."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(DOCUMENT_PREFIXES):
            # FHIR resources and CDS Hooks cards are documents for other systems: the same in every language.
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return
        chosen = request.session.get(LANGUAGE_SESSION_KEY) if hasattr(request, "session") else None
        if chosen and translation.check_for_language(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)


@receiver(user_logged_in, dispatch_uid="cno_session_language")
def _remember_language(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        chosen = language_of(user)
        if chosen:
            request.session[LANGUAGE_SESSION_KEY] = chosen
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
