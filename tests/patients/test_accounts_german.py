"""Signing in, in German: the login page, a wrong password, a lockout, the one-time-password step and the
lockout list a site admin reads."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.browser.fixtures import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def test_the_login_page_is_german(db):
    html = Client().get("/login/", **GERMAN).content.decode()
    assert "<h1>Anmelden</h1>" in html
    assert '<label for="id_username">Benutzername</label>' in html
    assert '<label for="id_password">Passwort</label>' in html
    assert '<button type="submit" class="primary">Anmelden</button>' in html
    assert "Log in" not in html and "Username" not in html


def test_a_wrong_password_is_refused_in_german(north):
    make_user(north, "clinician", "dr-north")
    response = Client().post("/login/", {"username": "dr-north", "password": "wrong-password-x"}, **GERMAN)
    assert "Benutzername und Passwort passen nicht zusammen." in response.content.decode()


def test_a_locked_account_is_told_why_in_german(north):
    make_user(north, "clinician", "dr-north")
    client = Client()
    for _ in range(10):
        client.post("/login/", {"username": "dr-north", "password": "not-the-password-at-all"}, **GERMAN)
    response = Client().post("/login/", {"username": "dr-north", "password": PASSWORD}, **GERMAN)
    assert response.status_code == 429
    assert (
        "Zu viele fehlgeschlagene Versuche: Dieses Konto ist für 15 Minuten gesperrt; "
        "ein Standort-Administrator kann es entsperren."
    ) in response.content.decode()


def test_a_site_admins_one_time_password_step_is_german(north):
    make_user(north, "site_admin", "north-admin")
    client = Client()
    client.post("/login/", {"username": "north-admin", "password": PASSWORD})
    html = client.get("/accounts/otp/", **GERMAN).content.decode()
    assert "<h1>Einmalcode einrichten</h1>" in html
    assert "Code aus der App" in html and ">Bestätigen</button>" in html
    wrong = client.post("/accounts/otp/", {"code": "000000", "next": "/"}, **GERMAN).content.decode()
    assert "Dieser Code ist falsch." in wrong


def test_the_lockout_list_is_german(north):
    admin = make_user(north, "site_admin", "north-admin")
    client = Client()
    client.force_login(admin)
    html = client.get("/accounts/lockouts/", **GERMAN).content.decode()
    assert "<h1>Gesperrte Konten</h1>" in html
    assert "Kein Konto Ihrer Standorte ist gesperrt." in html
