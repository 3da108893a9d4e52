"""The second-factor step (verify, or set up an authenticator with recovery codes), the password change,
the lockouts a site admin may lift, and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import PasswordChangeView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from patients.access import ADMIN_ROLES, site_ids
from patients.accounts import services
from patients.accounts.forms import OtpCodeForm, OtpSetupForm
from patients.accounts.middleware import LANGUAGE_SESSION_KEY
from patients.accounts.policy import is_verified
from patients.models import SiteMembership


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return "/"
    return target


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the interface language and go back to the same page; a signed-in user keeps the choice."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return redirect(_next(request))
    services.language_set(request.user, language)
    request.session[LANGUAGE_SESSION_KEY] = language
    response = redirect(_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@login_required
def otp_step(request: HttpRequest) -> HttpResponse:
    """Verify with an existing authenticator, or set one up first."""
    user: User = request.user  # type: ignore[assignment]
    if is_verified(user):
        return redirect(_next(request))
    if services.confirmed_totp(user) is None:
        return otp_setup(request)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.otp_match(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = services.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(left)d is left.",
                        "You used a recovery code; %(left)d are left.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(_next(request))
        form.add_error("code", _("That code is not right, or it was already used. Try the current one."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


def otp_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app (QR code or typed secret), confirm it with a code, get recovery codes."""
    user: User = request.user  # type: ignore[assignment]
    device = services.pending_totp(user)
    form = OtpSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_confirm(device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            # Shown in this answer only: they are not stored in a readable form anywhere else.
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", _("That code is not right. Check the app's clock and try the current code."))
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": services.totp_qr_svg(device),
        "secret": services.totp_secret(device),
    }
    return render(request, "accounts/otp_setup.html", context)


class AccountPasswordChangeView(PasswordChangeView):
    """Django's own: the current session is kept, every other session of the user ends (the session hash
    changes with the password)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("patients:list")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password is changed; your other sessions have ended."))
        return super().form_valid(form)


def _unlockable_users(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Users the requester may unlock: everyone for a superuser, else the users of the sites they run."""
    users = get_user_model().objects.all()
    if request.user.is_superuser:
        return users
    admin_sites = site_ids(request.user, ADMIN_ROLES)
    if not admin_sites:
        raise Http404
    members = SiteMembership.objects.filter(site__in=admin_sites).values("user_id")
    return users.filter(pk__in=members)


@login_required
def lockout_list(request: HttpRequest) -> HttpResponse:
    users = _unlockable_users(request)
    locked = services.locked_usernames(list(users.values_list("username", flat=True)))
    rows = users.filter(username__in=locked).order_by("username")
    return render(request, "accounts/lockout_list.html", {"locked_users": rows})


@login_required
@require_POST
def lockout_clear(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(_unlockable_users(request), pk=user_id)
    services.lockout_clear(user)
    messages.success(request, _("%(user)s may log in again.") % {"user": user.get_username()})
    return redirect("accounts:lockouts")
