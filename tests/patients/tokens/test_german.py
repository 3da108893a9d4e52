"""The token pages in German: the list with its form and table, a refusal, and the page that shows a new
token once."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


@pytest.fixture
def admin_browser(north):
    browser = Client()
    browser.force_login(make_user(north, "site_admin", "north-admin", is_staff=True))
    return browser


def test_the_token_page_is_german(admin_browser, north):
    registry = make_user(north, "api_client", "north-registry")
    admin_browser.post("/tokens/", {"site": north.pk, "user": registry.pk, "name": "registry"}, **GERMAN)
    html = admin_browser.get("/tokens/", **GERMAN).content.decode()
    assert "<h1>API-Token</h1>" in html
    assert "Ein Token ist an <strong>einen Standort</strong> gebunden" in html
    assert "<h2>Token erstellen</h2>" in html and 'aria-label="Token erstellen"' in html
    assert "Der eine Standort, an dem das Token gilt." in html
    assert ">Zuletzt verwendet</th>" in html and ">nie</td>" in html
    assert 'aria-label="Token cno_' in html and "widerrufen" in html
    assert "API tokens" not in html and "Last used" not in html


def test_a_refused_token_says_why_in_german(admin_browser, north, south):
    outsider = make_user(south, "api_client", "south-registry")
    refused = admin_browser.post("/tokens/", {"site": north.pk, "user": outsider.pk, "name": "x"}, **GERMAN)
    assert refused.status_code == 400
    assert "Auswahl" in refused.content.decode()  # Django's own "not a valid choice", in German


def test_a_new_token_is_shown_once_in_german(admin_browser, north):
    registry = make_user(north, "api_client", "north-registry")
    html = admin_browser.post(
        "/tokens/", {"site": north.pk, "user": registry.pk, "name": "registry"}, **GERMAN
    ).content.decode()
    assert "<h1>Token erstellt</h1>" in html
    assert "Es wird <strong>nur einmal angezeigt</strong>" in html
    assert "Token für north-registry an NORTH (registry)" in html
    assert "Zurück zu den Token" in html
