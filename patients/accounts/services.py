"""Accounts: second-factor devices (set up a TOTP authenticator, check a code, issue recovery codes),
unlocking logins, and the language a user chose."""

from __future__ import annotations

from base64 import b32encode

import segno
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.models import UserPreference

RECOVERY_CODE_COUNT = 10


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user: User) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed (a reload keeps the QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (base32)."""
    return b32encode(device.bin_key).decode("ascii")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code, drawn on the server (no script in the page)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, light="#fff", title="QR code of the authenticator secret"
    )


def totp_confirm(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code from it; new recovery codes (shown once) or None if wrong."""
    with transaction.atomic():
        if not device.verify_token(code.strip()):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return recovery_codes_issue(device.user)


def recovery_codes_issue(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh single-use ones; only their holder sees them again."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def otp_match(user: User, code: str) -> Device | None:
    """The device that accepts this code: the authenticator's 6 digits, or a recovery code (used up)."""
    code = code.strip().replace(" ", "")
    if not code:
        return None
    devices: list[Device] = [*TOTPDevice.objects.filter(user=user, confirmed=True)]
    devices += [*StaticDevice.objects.filter(user=user, confirmed=True)]
    for device in devices:
        matched = verify_token(user, device.persistent_id, code)
        if matched is not None:
            return matched
    return None


def locked_usernames(usernames: list[str] | None = None) -> set[str]:
    """Usernames with an attempt record at the failure limit within the cool-off (locked now)."""
    from axes.helpers import get_cool_off, get_failure_limit
    from django.utils import timezone

    attempts = AccessAttempt.objects.filter(failures_since_start__gte=get_failure_limit(None, None))
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    if usernames is not None:
        attempts = attempts.filter(username__in=usernames)
    return set(attempts.values_list("username", flat=True))


def lockout_clear(user: User) -> int:
    """Forget the user's failed logins from every address: they may log in again at once."""
    return reset(username=user.get_username())


def language_of(user: User | AnonymousUser) -> str:
    """The language the user chose, or "" (none: the browser decides)."""
    if not user.is_authenticated:
        return ""
    return UserPreference.objects.filter(user=user).values_list("language", flat=True).first() or ""


def language_set(user: User | AnonymousUser, language: str) -> None:
    """Keep a signed-in user's choice of language with their account (an anonymous one has the cookie)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}.")
    if user.is_authenticated:
        UserPreference.objects.update_or_create(user=user, defaults={"language": language})
