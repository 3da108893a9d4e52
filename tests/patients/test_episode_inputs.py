"""The episode page and its print view show every value entered beside the assessment: units, the threshold
each lab was judged against (from exclusion.engine.thresholds), and "Unknown" for every null."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from exclusion.engine import thresholds
from patients.episode_inputs import age_text, input_row
from patients.models import Episode, Patient
from tests.browser.fixtures import login
from tests.factories import case, make_episode, make_user


def _labs(**changes):
    labs = dict(case()["episode"]["labs"])
    labs.update(changes)
    return labs


def _page(client, episode, printing: bool = False) -> str:
    url = reverse("patients:episode_detail", args=[episode.id]) + ("?print=1" if printing else "")
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, name: str) -> str:
    """The <tr> of one input, by its field name."""
    match = re.search(rf'<tr data-input="{name}"[^>]*>.*?</tr>', html, re.S)
    assert match, f"no row for {name}"
    return match[0]


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_the_episode_page_shows_each_value_with_its_unit_and_unknown_for_the_nulls(client, trio, north):
    labs = _labs(esr_mm_h=None)  # esr unknown; vitamin_c_low is null in the contract example
    symptoms = dict(case()["episode"]["symptoms"], back_pain=None)
    episode = make_episode(north, "NB-1", case(labs=labs, symptoms=symptoms))
    client.force_login(trio.owner)
    html = _page(client, episode)

    assert _text(_row(html, "crp_mg_l")).startswith("CRP 12 mg/L")
    assert "7.2 ×10⁹/L" in _text(_row(html, "wbc_10e9_l"))
    assert "37.1 °C" in _text(_row(html, "max_temperature_c"))
    assert "Negative" in _text(_row(html, "blood_culture"))
    assert "0.5 0–3" in _text(_row(html, "chaq"))
    for unknown in ("esr_mm_h", "vitamin_c_low", "back_pain"):
        row = _row(html, unknown)
        assert "data-unknown" in row and "Unknown" in _text(row), unknown
        assert "No" not in _text(row).split()
    assert "No" in _text(_row(html, "night_pain")).split()  # entered "no" stays "no"
    assert "Female" in _text(_row(html, "sex"))
    assert "10 years 2 months" in _text(_row(html, "age_years"))


def test_the_lesion_table_shows_site_side_level_imaging_and_features(client, trio, north):
    lesions = [
        {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True, "sclerosis": True},
        {"site": "spine_thoracic", "side": "midline", "level": "T7", "modality": "xray"},
    ]
    episode = make_episode(north, "NB-1", case(lesions=lesions))
    client.force_login(trio.owner)
    html = _page(client, episode)

    first = _text(re.search(r'<tr data-lesion-row="1">.*?</tr>', html, re.S)[0])
    second = _text(re.search(r'<tr data-lesion-row="2">.*?</tr>', html, re.S)[0])
    assert first == "1 Tibia Left — MRI Marrow oedema, Marginal sclerosis"
    assert second == "2 Thoracic spine Midline T7 X-ray none marked"
    # Whole-body MRI not stated in the document: unknown, not "not done".
    assert re.search(r"Whole-body MRI \(including the spine\): <strong>unknown</strong>", html)


def test_the_biopsy_shows_histology_and_culture_and_unknown_antibiotics(client, trio, north):
    biopsy = {"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": None}
    episode = make_episode(north, "NB-1", case(biopsy=biopsy))
    client.force_login(trio.owner)
    html = _page(client, episode)

    assert "Inflammatory" in _text(_row(html, "biopsy_histology"))
    assert "No growth" in _text(_row(html, "biopsy_culture"))
    assert "data-unknown" in _row(html, "biopsy_on_antibiotics")


def test_an_episode_without_a_biopsy_says_none_is_recorded(client, trio, north):
    episode = make_episode(north, "NB-1")
    client.force_login(trio.owner)
    assert "No biopsy recorded." in _page(client, episode)


def test_a_crp_above_the_threshold_is_marked_crossed_on_the_page(client, trio, north):
    # The threshold is exclusion.engine.thresholds.CRP_RAISED_MG_L, the number the infection rule uses.
    episode = make_episode(north, "NB-1", case(labs=_labs(crp_mg_l=thresholds.CRP_RAISED_MG_L + 15)))
    client.force_login(trio.owner)
    row = _row(_page(client, episode), "crp_mg_l")
    assert "data-crossed" in row
    assert f"≥ {thresholds.CRP_RAISED_MG_L} mg/L: raised, infection and biopsy (crossed)" in _text(row)


def test_a_crp_just_below_the_threshold_is_not_marked_and_one_at_it_is():
    # CRP_RAISED_MG_L from exclusion.engine.thresholds: exactly the threshold counts as raised (>=).
    below = input_row(Episode(crp_mg_l=thresholds.CRP_RAISED_MG_L - 0.1), "crp_mg_l")
    at = input_row(Episode(crp_mg_l=thresholds.CRP_RAISED_MG_L), "crp_mg_l")
    assert below.crossed is False
    assert at.crossed is True
    assert str(thresholds.CRP_RAISED_MG_L) in below.threshold


def test_a_crp_reaching_only_the_jansson_item_is_noted_but_not_a_red_flag():
    row = input_row(Episode(crp_mg_l=thresholds.JANSSON_CRP_MG_L), "crp_mg_l")
    assert row.crossed is False
    assert [limit.crossed for limit in row.limits] == [False, True]


def test_haemoglobin_is_judged_against_the_who_cut_off_for_age_and_sex():
    # A 10-year-old: the WHO band of 60-144 months in exclusion.engine.thresholds.WHO_BANDS.
    cutoff = next(c for low, high, c in thresholds.WHO_BANDS if low <= 120 < high)
    patient = Patient(sex="female", birth_date=datetime.date(2014, 3, 2))
    episode = Episode(patient=patient, assessed_on=datetime.date(2024, 5, 10))
    episode.hemoglobin_g_l = cutoff - 1
    assert input_row(episode, "hemoglobin_g_l").crossed is True
    episode.hemoglobin_g_l = cutoff
    assert input_row(episode, "hemoglobin_g_l").crossed is False
    assert f"below {cutoff} g/L" in input_row(episode, "hemoglobin_g_l").threshold


def test_an_ldh_without_its_laboratory_limit_is_judged_against_nothing():
    row = input_row(Episode(ldh_u_l=900, ldh_uln_u_l=None), "ldh_u_l")
    assert row.crossed is False
    assert "unknown" in row.threshold


def test_ages_read_in_years_and_months_and_months_under_two():
    date = datetime.date
    assert age_text(date(2014, 3, 2), date(2024, 5, 10), None) == "10 years 2 months"
    assert age_text(date(2023, 1, 15), date(2024, 5, 10), None) == "15 months"
    assert age_text(None, date(2024, 5, 10), 7.5) == "7.5 years"
    assert age_text(None, date(2024, 5, 10), None) == "Unknown"


def test_the_print_view_shows_age_sex_and_the_same_inputs(client, trio, north):
    episode = make_episode(north, "NB-1")
    client.force_login(trio.owner)
    html = _page(client, episode, printing=True)
    patient_line = _text(re.search(r"<p data-print-patient>.*?</p>", html, re.S)[0])
    assert patient_line == "Sex Female · age at assessment 10 years 2 months"
    assert "data-episode-inputs" in html
    assert _text(_row(html, "crp_mg_l")).startswith("CRP 12 mg/L")
    # print.js opens every "why this rule" at once on a page marked so (the browser test below checks it).
    assert '<body class="print" data-open-details>' in html and "js/print.js" in html


def test_another_sites_episode_is_still_a_404_on_both_pages(client, trio, north):
    episode = make_episode(north, "NB-1")
    client.force_login(trio.outsider)
    url = reverse("patients:episode_detail", args=[episode.id])
    assert client.get(url).status_code == 404
    assert client.get(url + "?print=1").status_code == 404


def test_the_episode_page_with_a_biopsy_keeps_its_query_count(
    client, trio, north, django_assert_max_num_queries
):
    biopsy = {"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": False}
    episode = make_episode(north, "NB-1", case(biopsy=biopsy))
    client.force_login(trio.owner)
    # As tests/exclusion/workbench/test_views.py: the biopsy comes with the episode, no query of its own.
    with django_assert_max_num_queries(10):  # +1: the review status (flag, decision, sign-off)
        html = _page(client, episode)
    assert "No growth" in html


@pytest.mark.browser
def test_the_print_view_prints_every_rule_explanation_open(open_page, north):
    episode = make_episode(north, "NB-P1", case(labs=_labs(crp_mg_l=thresholds.CRP_RAISED_MG_L + 15)))
    make_user(north, "clinician", "print_clinician")
    page = open_page()
    login(page, "print_clinician")
    page.goto(f"/episodes/{episode.pk}/?print=1")
    explanations = page.locator("details")
    assert explanations.count() > 0
    expect(page.locator("details:not([open])")).to_have_count(0)
    expect(page.locator("[data-print-age]")).to_have_text("10 years 2 months")

    # The episode page keeps them closed on screen, and opens them while the browser prints it.
    page.goto(f"/episodes/{episode.pk}/")
    assert page.locator("details[open]").count() == 0
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("details:not([open])")).to_have_count(0)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    expect(page.locator("details[open]")).to_have_count(0)
