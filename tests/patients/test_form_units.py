"""Units that cannot slip: a decimal comma is a decimal point (or refused, never multiplied), an
out-of-range value names the unit it probably was in, a paired bone needs its side, a blank lesion row is
an error numbered as the page numbers it, and an adult's birth date is saved only once confirmed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from patients.choices import PAIRED_SITES, RANGES, BoneSite
from patients.forms import EpisodeForm, LesionFormSet, NumberField, out_of_range_message
from patients.models import Episode, Patient
from tests.factories import make_episode
from tests.patients.helpers import episode_post, symmetric_episode_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(north) -> Patient:
    return make_episode(north, "NB-1").patient  # born 2014-03-02


def with_lesion_rows(post: dict, rows: list[dict]) -> dict:
    """The post with its lesion rows replaced by `rows` (none of the example's rows left behind)."""
    kept = {k: v for k, v in post.items() if not k.startswith("lesions-")}
    return {**kept, **{k: v for k, v in episode_post(lesions=rows).items() if k.startswith("lesions-")}}


def _post_episode(client, patient, **fields):
    return client.post(
        reverse("patients:episode_create", args=[patient.id]),
        symmetric_episode_post(assessed_on="2024-06-10", **fields),
    )


def test_a_decimal_comma_in_crp_is_stored_as_a_decimal_point_never_tenfold(client, trio, patient):
    client.force_login(trio.owner)
    response = _post_episode(client, patient, crp_mg_l="1,8")
    assert response.status_code == 302
    assert Episode.objects.get(patient=patient, assessed_on="2024-06-10").crp_mg_l == 1.8


def test_every_number_of_the_episode_reads_a_decimal_comma(patient):
    form = EpisodeForm(patient=patient)
    numbers = [name for name, field in form.fields.items() if isinstance(field, NumberField)]
    assert len(numbers) >= 15
    for name in numbers:
        assert form.fields[name].clean("2,5") == 2.5, name
        assert form.fields[name].clean(" 0,25 ") == 0.25, name


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1.234,5", "mixes decimal marks or uses thousands separators"),
        ("1,2,3", "mixes decimal marks or uses thousands separators"),
        ("1,234", "could be 1.234 or 1234"),
        ("1e3", "is not a number"),
        ("1 234", "is not a number"),
        ("12 mg", "is not a number"),
    ],
)
def test_a_number_that_could_be_misread_is_refused_with_the_reason(patient, typed, says):
    form = EpisodeForm(symmetric_episode_post(assessed_on="2024-06-10", crp_mg_l=typed), patient=patient)
    assert not form.is_valid()
    assert says in form.errors["crp_mg_l"][0]
    assert form["crp_mg_l"].value() == typed  # kept as typed, to correct


def test_a_number_is_rendered_as_text_so_the_browser_passes_the_comma_through(client, trio, patient):
    client.force_login(trio.owner)
    html = client.get(reverse("patients:episode_create", args=[patient.id])).content.decode()
    assert 'type="number"' not in html
    assert 'name="crp_mg_l"' in html and 'inputmode="decimal"' in html


def test_crp_in_mg_dl_out_of_range_says_what_the_conversion_made_of_it(patient):
    low, high = RANGES["crp_mg_l"]
    typed = high / 10 + 10  # within range as mg/L, out of range once read as mg/dL
    post = symmetric_episode_post(assessed_on="2024-06-10", crp_mg_l=typed, crp_unit="mg_dl")
    form = EpisodeForm(post, patient=patient)
    assert not form.is_valid()
    assert form.errors["crp_mg_l"] == [
        f"{typed:g} mg/dL is {typed * 10:g} mg/L, above the highest accepted: must be between {low} and "
        f"{high} mg/L. If the value was in mg/L, choose mg/L beside the field (1 mg/dL = 10 mg/L)."
    ]


@pytest.mark.parametrize(
    ("name", "typed", "suggests"),
    [
        ("max_temperature_c", "101.3", "It looks like °F: 101.3 °F = 38.5 °C"),
        ("wbc_10e9_l", "7100", "It looks like cells/µL: 7100 cells/µL = 7.1 ×10⁹/L"),
        ("neutrophils_10e9_l", "3900", "3900 cells/µL = 3.9 ×10⁹/L"),
        ("platelets_10e9_l", "310000", "310000 cells/µL = 310 ×10⁹/L"),
        ("hemoglobin_g_l", "11,5", "It looks like g/dL: 11.5 g/dL = 115 g/L"),
    ],
)
def test_an_out_of_range_value_suggests_the_unit_it_was_likely_in(patient, name, typed, suggests):
    form = EpisodeForm(symmetric_episode_post(assessed_on="2024-06-10", **{name: typed}), patient=patient)
    assert not form.is_valid()
    message = form.errors[name][0]
    low, high = RANGES[name]
    assert f"must be between {low} and {high}" in message
    assert suggests in message and "If so, enter" in message


def test_an_out_of_range_value_without_a_plausible_unit_only_says_the_range():
    low, high = RANGES["esr_mm_h"]
    assert out_of_range_message("esr_mm_h", high + 1) == (
        f"{high + 1} mm/h is above the highest accepted: must be between {low} and {high} mm/h."
    )


def test_a_femur_without_a_side_is_refused_naming_the_row(client, trio, patient):
    client.force_login(trio.owner)
    post = symmetric_episode_post(assessed_on="2024-06-10")
    rows = [{"site": "tibia", "side": "left", "modality": "mri"}, {"site": "femur", "modality": "mri"}]
    post = with_lesion_rows(post, rows)
    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lesion 2, side: Choose left or right: the femur is a paired bone." in html
    assert not patient.episodes.filter(assessed_on="2024-06-10").exists()


def test_midline_is_refused_for_every_paired_bone_and_a_midline_site_may_leave_it_empty():
    rows = [{"site": site, "side": "midline", "modality": "mri"} for site in sorted(PAIRED_SITES)]
    rows.append({"site": "sternum", "modality": "mri"})
    formset = LesionFormSet(episode_post(lesions=rows), prefix="lesions")
    assert not formset.is_valid()
    for form in formset.forms[:-1]:
        assert "not midline" in form.errors["side"][0]
    assert formset.forms[-1].errors == {} and formset.forms[-1].lesion_data()["side"] == "midline"
    assert BoneSite.FEMUR in PAIRED_SITES and BoneSite.SPINE_THORACIC not in PAIRED_SITES


def test_the_side_of_a_new_lesion_starts_empty_not_midline():
    html = str(LesionFormSet(prefix="lesions").empty_form["side"])
    assert '<option value="" selected>Choose…</option>' in html
    assert 'value="midline" selected' not in html


def test_a_lesion_row_left_blank_is_an_error_not_silently_dropped(client, trio, patient):
    client.force_login(trio.owner)
    post = symmetric_episode_post(assessed_on="2024-06-10")
    rows = [{"site": "tibia", "side": "left", "modality": "mri"}, {}]
    post = with_lesion_rows(post, rows)
    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)
    assert response.status_code == 200
    assert "Lesion 2: Fill in or remove this row." in response.content.decode()
    assert not patient.episodes.filter(assessed_on="2024-06-10").exists()


def test_errors_number_the_rows_as_the_page_does_after_a_row_was_removed(client, trio, patient):
    client.force_login(trio.owner)
    post = symmetric_episode_post(assessed_on="2024-06-10")
    rows = [
        {"site": "tibia", "side": "left", "modality": "mri"},
        {"site": "rib", "side": "left", "modality": "ct", "DELETE": True},  # removed: hidden, not counted
        {"site": "femur", "modality": "mri"},
    ]
    post = with_lesion_rows(post, rows)
    html = client.post(reverse("patients:episode_create", args=[patient.id]), post).content.decode()
    assert "Lesion 2, side: Choose left or right" in html
    assert "Lesion 3" not in html


def test_the_error_summary_can_take_focus(client, trio, patient):
    client.force_login(trio.owner)
    html = _post_episode(client, patient, crp_mg_l="1,2,3").content.decode()
    assert 'id="error-summary" tabindex="-1"' in html
    assert "js/forms.js" in html


def test_a_birth_date_over_25_years_back_is_saved_only_once_confirmed(client, trio, north):
    client.force_login(trio.owner)
    post = {"record_number": "NB-1900", "sex": "female", "birth_date": "1990-01-01"}
    first = client.post(reverse("patients:patient_create"), post)
    assert first.status_code == 200
    html = first.content.decode()
    assert "unusual in a children&#x27;s service" in html or "unusual in a children's service" in html
    assert 'name="confirm_birth_date"' in html
    assert not Patient.objects.filter(record_number="NB-1900").exists()

    second = client.post(reverse("patients:patient_create"), {**post, "confirm_birth_date": "on"})
    assert second.status_code == 302
    assert Patient.objects.get(record_number="NB-1900").birth_date == datetime.date(1990, 1, 1)


def test_a_childs_birth_date_needs_no_confirmation(client, trio, north):
    client.force_login(trio.owner)
    html = client.get(reverse("patients:patient_create")).content.decode()
    assert 'name="confirm_birth_date"' not in html
    response = client.post(
        reverse("patients:patient_create"),
        {"record_number": "NB-2015", "sex": "male", "birth_date": "2015-01-02"},
    )
    assert response.status_code == 302
