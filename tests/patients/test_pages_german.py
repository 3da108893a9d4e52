"""The clinician's patient pages in German (issue 17): with a German browser every heading and label is German
and dates read 10.05.2024, while the numbers a machine reads (SVG coordinates, form values) stay unlocalised;
without one the pages are the English they always were.

The case is the cno-case/1 contract example: born 2 March 2014, onset 1 February 2024, assessed 10 May 2024,
a white cell count of 7.2."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from exclusion.engine import de
from exclusion.engine.prompts import NSAID_REFRACTORY
from exclusion.summaries.services import summary_sweep
from tests.factories import case, make_episode, make_treatment

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def _text(page: str) -> str:
    """What a person reads: tags dropped, entities resolved, whitespace collapsed."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _get(client, url: str, german: bool = True) -> str:
    response = client.get(url, **(GERMAN if german else {}))
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture(autouse=True)
def english_again_after_each_test():
    """A German request leaves German active in this thread (LocaleMiddleware never deactivates it): put the
    default back, so that a later test calling the code directly reads English."""
    yield
    translation.deactivate()


@pytest.fixture
def episode(north):
    episode = make_episode(north, "NB-1")
    make_treatment(episode.patient)  # naproxen from 10 May 2024, ongoing
    return episode


def _svg_numbers_are_unlocalised(page: str) -> None:
    coordinates = re.findall(r'\b(?:cx|cy|x|y|width)="([^"]*)"', page)
    assert coordinates, "no SVG drawn"
    assert all("," not in value for value in coordinates), coordinates
    assert re.search(r'cx="\d+\.\d"', page)  # a decimal point, as SVG reads it
    for viewbox in re.findall(r'viewBox="([^"]*)"', page):
        assert re.fullmatch(r"0 0 \d+ \d+", viewbox), viewbox


def test_the_patient_list_is_german_with_german_dates(client, trio, episode):
    client.force_login(trio.owner)
    page = _get(client, reverse("patients:list"))
    text = _text(page)

    assert '<html lang="de">' in page
    for words in ("Patient hinzufügen", "Biopsie empfohlen", "Abklärung unvollständig", "Letzte Aktivität"):
        assert words in text, words
    assert "Patientennummer" in text and "Letzte Episode" in text  # the sortable headings
    assert 'data-label="Letzte Episode"' in page  # the phone's card headings too
    assert "1 Patient." in text
    assert "10 J." in text  # age at the latest episode
    assert "10.05.2024" in text and "2024-05-10" not in text
    assert "Record number" not in text and "Last activity" not in text


def test_the_patient_page_is_german_and_its_charts_keep_machine_numbers(client, trio, episode):
    client.force_login(trio.owner)
    page = _get(client, reverse("patients:patient_detail", args=[episode.patient_id]))
    text = _text(page)

    assert "geboren am 02.03.2014" in text
    assert "Letzte Episode: 10.05.2024" in text
    assert "Beginn 01.02.2024" in text
    for heading in ("Skelettschema", "Krankheitsaktivität", "Verlauf", "Episoden"):
        assert f">{heading}" in page, heading
    assert "Episode hinzufügen" in text and "Druckbare Zusammenfassung" in text
    assert "3 Läsionen" in text and "CRP 12 mg/l" in text
    # The treatment table and timeline, and the charts' month ticks.
    assert "Substanzklasse Medikament Begonnen Beendet" in text
    assert "naproxen 10.05.2024 laufend" in text
    assert "Behandlungen im Verlauf" in text and "naproxen: 10.05.2024 bis heute (laufend)" in text
    assert "05/2024" in text and "May 2024" not in text
    assert "BSG" in text  # the ESR chart
    _svg_numbers_are_unlocalised(page)
    for english in ("Skeleton map", "Disease activity", "born 2 Mar 2014", "Treatments over time"):
        assert english not in text, english


def test_the_activity_summary_is_german_its_prompt_and_treatment_dates_too(client, trio, north):
    active = {"pain_vas": 4, "patient_global_vas": 3, "physician_global_vas": 4, "chaq": 0.5}
    patient = make_episode(north, "NF-ACC", case(assessed_on="2024-05-10", activity=active)).patient
    make_treatment(patient)  # naproxen from 10 May 2024
    for day in ("2024-08-10", "2024-11-10"):
        make_episode(north, "NF-ACC", case(assessed_on=day, activity=active))
    summary_sweep(sync=True)  # what the worker does after commit
    client.force_login(trio.owner)
    url = reverse("patients:patient_detail", args=[patient.id])
    german, english = _text(_get(client, url)), _text(_get(client, url, german=False))

    assert "Krankheitsaktivität" in german and "3 Episoden" in german
    assert "Behandlung: naproxen (NSAR) seit 10.05.2024; Therapielinie 1" in german
    assert "Zu erwägen" in german
    assert de.PROMPT_TEXTS[NSAID_REFRACTORY.id] in german and NSAID_REFRACTORY.text not in german
    assert "Treatment: naproxen (NSAID) from 2024-05-10; line of therapy 1" in english
    assert NSAID_REFRACTORY.text in english and "For consideration" in english


def test_the_episode_page_is_german_with_decimal_commas_for_values_and_points_for_svg(client, trio, episode):
    client.force_login(trio.owner)
    page = _get(client, reverse("patients:episode_detail", args=[episode.id]))
    text = _text(page)

    assert "Episode vom 10.05.2024" in text
    assert "Episode bearbeiten" in text and "Druckansicht" in text and "Episode löschen" in text
    assert "Eingegebene Daten" in text and "Patient und Daten" in text
    assert "Geburtsdatum 02.03.2014" in text
    assert "Alter bei Beurteilung 10 Jahre 2 Monate" in text
    assert "7,2 ×10⁹/l" in text  # a value a person reads: German decimal comma
    assert "Fieber bei ≥ 38,0 °C, Infektion" in text
    assert "≥ 30 mg/l: erhöht, Infektion und Biopsie" in text
    assert "Keine Biopsie erfasst." in text
    assert "Ganzkörper-MRT (einschließlich Wirbelsäule): unbekannt" in text
    assert ">Rechts</text>" in page and ">Links</text>" in page
    _svg_numbers_are_unlocalised(page)
    for english in ("What was entered", "Episode of", "No biopsy recorded", "10 May 2024"):
        assert english not in text, english


def test_the_episode_form_is_german(client, trio, episode):
    client.force_login(trio.owner)
    edit = _text(_get(client, reverse("patients:episode_edit", args=[episode.id])))
    new = _text(_get(client, reverse("patients:episode_create", args=[episode.patient_id])))

    assert "Episode vom 10.05.2024 bearbeiten" in edit
    assert "geboren am 02.03.2014" in edit
    assert "Läsionen in der Bildgebung" in edit and "Läsion hinzufügen" in edit
    assert "Diese Läsion beim Speichern entfernen" in edit
    assert "Speichern und beurteilen" in edit and "Abbrechen" in edit
    assert "Neue Episode für NB-1" in new
    assert "Save and assess" not in edit and "Imaging lesions" not in edit


def test_the_print_views_are_german(client, trio, episode):
    client.force_login(trio.owner)
    episode_page = _get(client, reverse("patients:episode_detail", args=[episode.id]) + "?print=1")
    patient_page = _get(client, reverse("patients:patient_print", args=[episode.patient_id]))
    episode_text, patient_text = _text(episode_page), _text(patient_page)

    assert '<html lang="de">' in episode_page and '<html lang="de">' in patient_page
    assert "CNO/CRMO-Ausschlussbeurteilung" in episode_text
    assert "Episode beurteilt am 10.05.2024 · Beginn 01.02.2024" in episode_text
    assert "Alter bei Beurteilung 10 Jahre 2 Monate" in episode_text
    assert "Zurück zur Episode" in episode_text and "Gedruckt am" in episode_text
    assert "CNO/CRMO-Patientenzusammenfassung" in patient_text
    assert "geboren am 02.03.2014" in patient_text
    assert "Episoden und Prüfentscheidungen" in patient_text
    assert "Nicht markiert" in patient_text and "Nicht freigegeben" in patient_text
    assert "naproxen 10.05.2024 laufend" in patient_text
    _svg_numbers_are_unlocalised(patient_page)
    assert "Printed" not in episode_text and "Printed" not in patient_text


def test_the_rules_page_is_german(client, trio):
    client.force_login(trio.owner)
    page = _get(client, reverse("patients:rules"))
    text = _text(page)

    assert re.search(r"Regelwerk \S+, \d+ Regeln", text)
    assert 'aria-label="Regelgruppen"' in page
    assert "Eingaben:" in text and "Quelle:" in text
    assert "Inputs:" not in text and "Source:" not in text


def test_the_treatment_pages_are_german(client, trio, episode):
    treatment = episode.patient.treatments.get()
    client.force_login(trio.owner)
    edit = _text(_get(client, reverse("patients:treatment_edit", args=[treatment.id])))
    stop = _text(_get(client, reverse("patients:treatment_edit", args=[treatment.id]) + "?stop=1"))
    new = _text(_get(client, reverse("patients:treatment_create", args=[episode.patient_id])))
    delete = _text(_get(client, reverse("patients:treatment_delete", args=[treatment.id])))

    assert "naproxen bearbeiten" in edit and "Speichern" in edit
    assert "Hier wird keine Dosis erfasst" in edit
    assert "naproxen beenden" in stop
    assert "Behandlung hinzufügen" in new
    assert "naproxen (seit 10.05.2024) löschen?" in delete and "Therapie löschen" in delete


def test_a_team_mate_reads_the_german_patient_page_without_the_editing_buttons(client, trio, episode):
    client.force_login(trio.teammate)
    text = _text(_get(client, reverse("patients:patient_detail", args=[episode.patient_id])))

    assert "Druckbare Zusammenfassung" in text and "Skelettschema" in text
    assert "Episode hinzufügen" not in text and "Behandlung hinzufügen" not in text


def test_an_outsider_gets_a_404_in_german_too(client, trio, episode):
    client.force_login(trio.outsider)
    for url in (
        reverse("patients:patient_detail", args=[episode.patient_id]),
        reverse("patients:episode_detail", args=[episode.id]),
        reverse("patients:patient_print", args=[episode.patient_id]),
    ):
        assert client.get(url, **GERMAN).status_code == 404


def test_without_a_german_browser_the_pages_stay_english(client, trio, episode):
    client.force_login(trio.owner)
    listing = _text(_get(client, reverse("patients:list"), german=False))
    patient = _text(_get(client, reverse("patients:patient_detail", args=[episode.patient_id]), german=False))
    episode_page = _get(client, reverse("patients:episode_detail", args=[episode.id]), german=False)
    printed = _text(_get(client, reverse("patients:patient_print", args=[episode.patient_id]), german=False))
    treatment = episode.patient.treatments.get()
    delete = _text(_get(client, reverse("patients:treatment_delete", args=[treatment.id]), german=False))

    assert "Record number" in listing and "2024-05-10" in listing and "1 patient." in listing
    assert "10 y" in listing
    assert "born 2 Mar 2014" in patient and "Latest episode: 10 May 2024" in patient
    assert "naproxen: 2024-05-10 to now (ongoing)" in patient and "May 2024" in patient
    text = _text(episode_page)
    assert "Episode of 10 May 2024" in text and "What was entered" in text
    assert "7.2 ×10⁹/L" in text and "fever at ≥ 38.0 °C, infection" in text
    assert "Age at assessment 10 years 2 months" in text
    assert ">Right</text>" in episode_page
    assert "CNO/CRMO patient summary" in printed and "Episodes and review decisions" in printed
    assert "Delete naproxen (from 10 May 2024)?" in delete
    for german in ("Episode vom", "geboren", "Läsion", "Behandlung"):
        assert german not in listing + patient + text + printed, german
