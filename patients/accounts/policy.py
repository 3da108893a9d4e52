"""Who must give a one-time password after their password, and how long a session lives."""

from __future__ import annotations

from django.conf import settings

from patients.access import Viewer, memberships
from patients.choices import Role


def needs_otp(user: Viewer) -> bool:
    """Site admins, anyone who may open the Django admin, and everyone at a site that asks for it."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(m.role == Role.SITE_ADMIN or m.site.require_otp for m in memberships(user))


def is_verified(user: Viewer) -> bool:
    """True once the session's user has given a one-time password (django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def idle_seconds() -> int:
    return int(settings.SESSION_COOKIE_AGE)


def absolute_seconds() -> int:
    return int(settings.SESSION_ABSOLUTE_SECONDS)


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
