"""The review queue, its flag pages, its emails and the activity summary's words in German (issue 17).

German comes from the browser's Accept-Language (the test client sends none: English) or, for an email,
from the language the reviewer chose (UserPreference; none chosen: the site's default, English).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone, translation

from exclusion.review.services import flag_notify_reviewers
from patients.models import UserPreference
from tests.clients import browser
from tests.factories import make_user

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def test_the_queue_is_german_when_the_browser_asks_for_german(flag, reviewer):
    html = browser(reviewer).get("/review/", **GERMAN).content.decode()
    assert "<h1>Prüfliste</h1>" in html
    assert "Unifokal, nicht Klavikula" in html  # the reason badge and the queue group
    assert "Tibia (links)" in html and ">unifokal<" in html  # the case's bones and focality
    assert "1 Markierung angezeigt" in html
    assert "Offen (Standard)" in html and "Alle meine Standorte" in html  # the filter form
    for english in ("Review queue", "Record number", "flag shown", "Any reason", "Unifocal, not clavicle"):
        assert english not in html


def test_the_queue_stays_english_without_accept_language(flag, reviewer):
    html = browser(reviewer).get("/review/").content.decode()
    assert "<h1>Review queue</h1>" in html and "1 flag shown" in html
    assert "Unifocal, not clavicle" in html and "tibia (left)" in html and ">unifocal<" in html


def test_an_empty_filtered_queue_counts_the_open_flags_in_german(flag, reviewer):
    html = browser(reviewer).get("/review/?status=decided", **GERMAN).content.decode()
    assert "Keine Markierung entspricht diesen Filtern." in html
    assert "1 Markierung ist an Ihren Standorten offen" in html


def test_a_filter_error_is_german(flag, reviewer):
    html = browser(reviewer).get("/review/?site=SOUTH", **GERMAN).content.decode()
    assert "SOUTH ist keiner Ihrer Standorte." in html


def test_the_flag_page_is_german_with_its_history_and_forms(flag, reviewer):
    html = browser(reviewer).get(f"/review/flags/{flag.pk}/", **GERMAN).content.decode()
    assert "Warum dieser Fall markiert ist" in html
    assert "Gruppe in der Prüfliste: Unifokal, nicht Klavikula." in html
    assert "Entscheidung erfassen" in html and "Kodierter Grund (wenn keine Biopsie indiziert ist)" in html
    assert "Biopsie nicht indiziert" in html  # a decision choice
    assert "Markierung gesetzt" in html and "Gründe: Unifokal, nicht Klavikula" in html  # the history
    assert "Abklärung nicht freigegeben." in html
    for english in ("Why this case is flagged", "Record decision", "Flag raised", "Biopsy not indicated"):
        assert english not in html


def test_a_decision_form_error_is_german(flag, reviewer):
    response = browser(reviewer).post(
        f"/review/flags/{flag.pk}/decide/", {"decision": "biopsy_not_indicated"}, **GERMAN
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Wenn keine Biopsie indiziert ist, ist ein kodierter Grund erforderlich" in html
    assert "Wenn keine Biopsie indiziert ist, ist ein Kommentar erforderlich" in html
    assert "A coded reason is required" not in html


def test_a_decision_without_any_choice_gets_djangos_own_german_error(flag, reviewer):
    response = browser(reviewer).post(f"/review/flags/{flag.pk}/decide/", {}, **GERMAN)
    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()


def test_a_recorded_decision_is_confirmed_in_german_with_german_capitals(flag, reviewer):
    response = browser(reviewer).post(
        f"/review/flags/{flag.pk}/decide/", {"decision": "biopsy_ordered"}, follow=True, **GERMAN
    )
    assert "Entscheidung für N-UNI-1 erfasst: Biopsie angeordnet." in response.content.decode()


def test_the_email_goes_out_in_each_reviewers_language(flag, north):
    german = make_user(north, "reviewer", "rev_de", email="de@north.example")
    UserPreference.objects.create(user=german, language="de")
    make_user(north, "reviewer", "rev_none", email="none@north.example")  # chose nothing
    english = make_user(north, "reviewer", "rev_en", email="en@north.example")
    UserPreference.objects.create(user=english, language="en-gb")
    mail.outbox.clear()

    with translation.override("en-gb"):
        assert flag_notify_reviewers(flag_id=flag.pk) == 3
        assert translation.get_language() == "en-gb"  # the emails' languages do not leak out

    by_address = {message.to[0]: message for message in mail.outbox}
    de = by_address["de@north.example"]
    assert de.subject == "[CNO-Werkbank] Neue Prüfmarkierung am Standort NORTH"
    assert "zur rheumatologischen Prüfung markiert (Gruppe: Unifokal, nicht Klavikula)" in de.body
    assert "Markierung öffnen (Anmeldung erforderlich):" in de.body
    assert "Entscheidungsunterstützung, keine Diagnose." in de.body
    for address in ("none@north.example", "en@north.example"):
        message = by_address[address]
        assert message.subject == "[CNO workbench] A review flag opened at NORTH"
        assert "flagged for rheumatology review (unifocal, not clavicle group) on " in message.body
        assert "You receive this because you are a reviewer at this site." in message.body
    assert f"/review/flags/{flag.pk}/" in de.body


def test_the_german_email_writes_the_date_as_germans_do(flag, north):
    german = make_user(north, "reviewer", "rev_de", email="de@north.example")
    UserPreference.objects.create(user=german, language="de")
    mail.outbox.clear()
    flag_notify_reviewers(flag_id=flag.pk)
    opened = timezone.localtime(flag.opened_at)
    assert f"am {opened:%d.%m.%Y %H:%M}" in mail.outbox[0].body
