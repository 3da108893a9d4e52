"""Accounts: repeated failed logins lock an account until the cool-off ends or a site admin unlocks it; site
admins, the Django admin and sites that ask for it need a one-time password; sessions end when idle and after
a fixed time; a password change ends the other sessions; passwords have at least 12 characters."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from patients.accounts import services
from patients.accounts.middleware import LAST_SEEN_KEY, LOGIN_AT_KEY
from tests.browser.fixtures import PASSWORD
from tests.clients import token_client
from tests.factories import make_site, make_totp_device, make_user, totp_code

pytestmark = pytest.mark.django_db

OTP_STEP = "/accounts/otp/"


def log_in(client: Client, username: str, password: str = PASSWORD, url: str = "/login/"):
    return client.post(url, {"username": username, "password": password})


def fail_logins(username: str, times: int = 10, url: str = "/login/") -> None:
    client = Client()
    for _ in range(times):
        log_in(client, username, "not-the-password-at-all", url)


def otp_session(user, device=None) -> Client:
    """A client past the password and the one-time password, through the real pages."""
    device = device or make_totp_device(user)
    client = Client()
    log_in(client, user.username)
    response = client.post(OTP_STEP, {"code": totp_code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    return client


# Lockout ----------------------------------------------------------------------------------------------


def test_after_ten_wrong_passwords_the_right_one_is_refused_with_a_clear_message(north):
    make_user(north, "clinician", "dr-north")
    fail_logins("dr-north")

    client = Client()
    response = log_in(client, "dr-north")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed attempts: this account is locked for 15 minutes" in text
    assert "a site administrator can unlock it" in text
    assert "_auth_user_id" not in client.session


@override_settings(TRUSTED_PROXY=True)
def test_behind_the_proxy_a_lockout_counts_the_clients_address_not_the_proxys(north):
    """Every request reaches gunicorn from the proxy: counted by its address, one attacker locks out all."""
    make_user(north, "clinician", "dr-proxied")
    attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _ in range(10):
        log_in(attacker, "dr-proxied", "not-the-password-at-all")

    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert log_in(colleague, "dr-proxied").status_code == 302  # same user and proxy, another client
    assert log_in(attacker, "dr-proxied").status_code == 429
    assert AccessAttempt.objects.get(username="dr-proxied").ip_address == "203.0.113.9"


def test_without_the_proxy_a_forged_forwarded_address_does_not_escape_the_lockout(north):
    make_user(north, "clinician", "dr-direct")
    for forged in range(11):
        client = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{forged}")
        password = PASSWORD if forged == 10 else "wrong"
        response = log_in(client, "dr-direct", password)
    assert response.status_code == 429


def test_nine_wrong_passwords_do_not_lock_the_account(north):
    make_user(north, "clinician", "dr-north")
    fail_logins("dr-north", times=9)
    assert log_in(Client(), "dr-north").status_code == 302


def test_the_admin_login_page_locks_out_too_with_the_same_message(north):
    make_user(north, "clinician", "staffer", is_staff=True)
    fail_logins("staffer", url="/admin/login/")
    response = log_in(Client(), "staffer", url="/admin/login/")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_the_lockout_ends_by_itself_after_the_cool_off(north):
    make_user(north, "clinician", "dr-north")
    fail_logins("dr-north")
    AccessAttempt.objects.filter(username="dr-north").update(
        attempt_time=timezone.now() - timedelta(minutes=16)
    )
    assert log_in(Client(), "dr-north").status_code == 302


def test_a_site_admin_sees_and_unlocks_a_locked_user_of_their_site(north):
    make_user(north, "clinician", "dr-north")
    admin = make_user(north, "site_admin", "north-admin")
    fail_logins("dr-north")
    client = Client()
    client.force_login(admin)

    page = client.get("/accounts/lockouts/")
    assert page.status_code == 200
    assert "dr-north" in page.content.decode()
    locked = page.context["locked_users"].get()
    response = client.post(f"/accounts/lockouts/{locked.id}/unlock/")
    assert response.status_code == 302

    assert log_in(Client(), "dr-north").status_code == 302
    assert not client.get("/accounts/lockouts/").context["locked_users"].exists()


def test_another_sites_admin_can_neither_see_nor_unlock_the_user(north, south):
    locked = make_user(north, "clinician", "dr-north")
    south_admin = make_user(south, "site_admin", "south-admin")
    fail_logins("dr-north")
    client = Client()
    client.force_login(south_admin)

    assert "dr-north" not in client.get("/accounts/lockouts/").content.decode()
    assert client.post(f"/accounts/lockouts/{locked.id}/unlock/").status_code == 404
    assert log_in(Client(), "dr-north").status_code == 429


def test_people_who_administer_no_site_have_no_lockout_page(north):
    clinician = make_user(north, "clinician")
    client = Client()
    client.force_login(clinician)
    assert client.get("/accounts/lockouts/").status_code == 404


# One-time passwords ----------------------------------------------------------------------------------


def test_a_site_admins_login_asks_for_a_one_time_password_and_a_code_from_the_device_gets_in(north):
    admin = make_user(north, "site_admin", "north-admin")
    device = make_totp_device(admin)
    client = Client()

    response = log_in(client, "north-admin")
    assert response.status_code == 302
    assert client.get("/").url.startswith(OTP_STEP)
    step = client.get(OTP_STEP)
    assert "One-time password" in step.content.decode()

    wrong = client.post(OTP_STEP, {"code": "000000"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a second; skip the wait
    response = client.post(OTP_STEP, {"code": totp_code(device), "next": "/"})
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_someone_without_an_authenticator_sets_one_up_and_gets_ten_recovery_codes(north):
    make_user(north, "site_admin", "north-admin")
    client = Client()
    log_in(client, "north-admin")

    setup = client.get(OTP_STEP)
    text = setup.content.decode()
    # The QR code is drawn server-side as SVG: no inline script renders it (static files only).
    assert "<svg" in text and not re.search(r"<script(?![^>]*\bsrc=)", text)
    secret = setup.context["secret"]
    assert secret in text
    device = services.pending_totp(setup.context["user"])
    assert services.totp_secret(device) == secret

    done = client.post(OTP_STEP, {"code": totp_code(device), "next": "/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert client.get("/").status_code == 200


def test_a_recovery_code_works_once(north):
    admin = make_user(north, "site_admin", "north-admin")
    make_totp_device(admin)
    code = services.recovery_codes_issue(admin)[0]

    first = Client()
    log_in(first, "north-admin")
    assert first.post(OTP_STEP, {"code": code, "next": "/"}).status_code == 302
    assert first.get("/").status_code == 200
    assert services.recovery_codes_left(admin) == 9

    second = Client()
    log_in(second, "north-admin")
    assert second.post(OTP_STEP, {"code": code, "next": "/"}).status_code == 200
    assert second.get("/").url.startswith(OTP_STEP)


def test_a_clinician_at_a_site_that_requires_it_is_asked_too(north):
    strict = make_site("STRICT")
    strict.require_otp = True
    strict.save()
    make_user(strict, "clinician", "dr-strict")
    client = Client()
    log_in(client, "dr-strict")
    assert client.get("/").url.startswith(OTP_STEP)


def test_a_clinician_elsewhere_is_not_asked(north):
    make_user(north, "clinician", "dr-north")
    client = Client()
    log_in(client, "dr-north")
    assert client.get("/").status_code == 200


def test_the_django_admin_waits_for_the_one_time_password(north):
    make_user(north, "clinician", "staffer", is_staff=True)
    client = Client()
    assert log_in(client, "staffer", url="/admin/login/").status_code == 302
    assert client.get("/admin/").url.startswith(OTP_STEP)


def test_a_session_api_call_waits_for_the_one_time_password_but_a_token_does_not(north):
    admin = make_user(north, "site_admin", "north-admin")
    client = Client()
    log_in(client, "north-admin")
    response = client.get("/api/v1/patients/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"].startswith("Give your one-time password")
    assert token_client(admin).get("/api/v1/patients/").status_code == 200


def test_after_the_one_time_password_the_site_admin_reaches_the_admin(north):
    admin = make_user(north, "site_admin", "north-admin", is_staff=True)
    assert otp_session(admin).get("/admin/").status_code == 200


# Sessions ----------------------------------------------------------------------------------------------


def _age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_a_session_ends_after_thirty_idle_minutes(north):
    client = Client()
    client.force_login(make_user(north, "clinician"))
    assert client.get("/").status_code == 200
    _age_session(client, **{LAST_SEEN_KEY: 29 * 60})
    assert client.get("/").status_code == 200  # activity keeps it alive
    _age_session(client, **{LAST_SEEN_KEY: 31 * 60})
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get("/").url.startswith("/login/")  # logged out, not only redirected


def test_a_session_ends_twelve_hours_after_login_however_active(north):
    client = Client()
    client.force_login(make_user(north, "clinician"))
    _age_session(client, **{LOGIN_AT_KEY: 11.9 * 3600})
    assert client.get("/").status_code == 200
    _age_session(client, **{LOGIN_AT_KEY: 12.1 * 3600})
    response = client.get("/")
    assert response.url.startswith("/login/")
    page = Client()  # the next page names the reason
    assert page.get(response.url).status_code == 200


def test_the_idle_limit_is_the_session_cookies_age_and_every_request_renews_it(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


def test_changing_the_password_ends_the_users_other_sessions(north):
    user = make_user(north, "clinician", "dr-north")
    here, elsewhere = Client(), Client()
    here.force_login(user)
    elsewhere.force_login(user)
    assert elsewhere.get("/").status_code == 200

    new_password = "a-much-longer-new-password-7"
    response = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").url.startswith("/login/")


# Passwords ---------------------------------------------------------------------------------------------


def test_a_password_needs_at_least_twelve_characters(north):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("xk7-pq2-zr9")  # 11
    validate_password("xk7-pq2-zr9w")  # 12


def test_the_password_change_page_refuses_a_short_password(north):
    client = Client()
    client.force_login(make_user(north, "clinician"))
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "xk7-pq2-zr9", "new_password2": "xk7-pq2-zr9"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()


# Throttling of anonymous API calls ---------------------------------------------------------------------


def test_unauthenticated_api_calls_are_throttled_not_only_refused(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        client = Client()
        statuses = [client.get("/api/v1/patients/").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


# Navigation ---------------------------------------------------------------------------------------------


def test_the_navigation_offers_a_password_change_to_everyone_and_locked_accounts_to_site_admins(north):
    clinician = Client()
    clinician.force_login(make_user(north, "clinician", "nav-clinician"))
    page = clinician.get("/").content.decode()
    assert 'href="/accounts/password/"' in page and 'href="/accounts/lockouts/"' not in page

    admin_page = otp_session(make_user(north, "site_admin", "nav-admin")).get("/").content.decode()
    assert 'href="/accounts/password/"' in admin_page and 'href="/accounts/lockouts/"' in admin_page
