"""Issue 17: the interface language. The browser's Accept-Language decides until a user chooses; the choice
(the switch in the navigation) keeps the page, is kept with the account, and survives logging out and in,
in any browser."""

from __future__ import annotations

import pytest
from django.test import Client

from patients.accounts import services
from patients.models import UserPreference
from tests.browser.fixtures import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SWITCH = "/accounts/language/"


def logged_in(username: str, **headers: str) -> Client:
    client = Client(**headers)
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def test_the_login_page_follows_the_browser_language(north):
    assert '<html lang="de">' in Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").get("/login/").text
    assert '<html lang="en-gb">' in Client(HTTP_ACCEPT_LANGUAGE="en-US").get("/login/").text
    assert '<html lang="en-gb">' in Client().get("/login/").text  # no header: the site default


def test_every_page_has_the_switch_with_each_language_named_in_itself(north):
    make_user(north, "clinician", "dr-north")
    page = logged_in("dr-north").get("/").text
    assert 'action="/accounts/language/"' in page
    assert 'lang="de"' in page and ">Deutsch</button>" in page and ">English</button>" in page


def test_switching_keeps_the_page_and_the_account_keeps_the_choice(north):
    user = make_user(north, "clinician", "dr-north")
    client = logged_in("dr-north", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(SWITCH, {"language": "de", "next": "/review/?status=open"})
    assert response.status_code == 302 and response["Location"] == "/review/?status=open"
    assert UserPreference.objects.get(user=user).language == "de"
    assert '<html lang="de">' in client.get("/").text
    client.post(SWITCH, {"language": "en-gb", "next": "/"})
    assert '<html lang="en-gb">' in client.get("/").text


def test_the_choice_survives_logging_out_and_in_even_from_a_browser_that_asks_for_english(north):
    make_user(north, "clinician", "dr-north")
    client = logged_in("dr-north")
    client.post(SWITCH, {"language": "de", "next": "/"})
    client.post("/logout/")
    elsewhere = logged_in("dr-north", HTTP_ACCEPT_LANGUAGE="en-GB")
    assert '<html lang="de">' in elsewhere.get("/").text


def test_before_signing_in_the_switch_sets_only_the_cookie(north):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(SWITCH, {"language": "de", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies["django_language"].value == "de"
    assert '<html lang="de">' in client.get("/login/").text
    assert not UserPreference.objects.exists()


def test_an_unknown_language_or_a_foreign_next_changes_nothing_and_stays_on_the_site(north):
    user = make_user(north, "clinician", "dr-north")
    client = logged_in("dr-north")
    response = client.post(SWITCH, {"language": "xx", "next": "/"})
    assert response.status_code == 302 and not UserPreference.objects.filter(user=user).exists()
    response = client.post(SWITCH, {"language": "de", "next": "https://elsewhere.example/"})
    assert response["Location"] == "/"


def test_the_switch_takes_only_a_post(north):
    assert Client().get(SWITCH).status_code == 405


def test_a_user_without_a_choice_has_no_language_and_an_unknown_choice_is_refused(north):
    user = make_user(north, "clinician", "dr-north")
    assert services.language_of(user) == ""
    services.language_set(user, "de")
    assert services.language_of(user) == "de"
    with pytest.raises(ValueError, match="Unknown language"):
        services.language_set(user, "fr")
