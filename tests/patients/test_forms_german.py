"""The patient and episode forms in German: a decimal comma typed is a decimal point stored, a stored
number is shown with a decimal comma and read back the same, and labels, choices and error messages are
German (English stays exactly as it was)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from patients.choices import BoneSite, Sex
from patients.forms import (
    EpisodeForm,
    LesionForm,
    NumberField,
    day_text,
    number_text,
    out_of_range_message,
)
from patients.models import Episode, Patient
from patients.validators import birth_date_problem
from tests.factories import make_episode
from tests.patients.helpers import symmetric_episode_post

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


@pytest.fixture
def patient(north) -> Patient:
    return make_episode(north, "NB-1").patient  # born 2014-03-02


def _post_episode(client, patient, **fields):
    return client.post(
        reverse("patients:episode_create", args=[patient.id]),
        symmetric_episode_post(assessed_on="2024-06-10", **fields),
        **GERMAN,
    )


def test_a_german_crp_of_1_comma_8_is_stored_as_1_point_8_mg_per_litre(client, trio, patient):
    client.force_login(trio.owner)
    response = _post_episode(client, patient, crp_mg_l="1,8")
    assert response.status_code == 302
    assert Episode.objects.get(patient=patient, assessed_on="2024-06-10").crp_mg_l == 1.8


def test_a_german_error_message_is_german_and_names_its_field(client, trio, patient):
    client.force_login(trio.owner)
    response = _post_episode(client, patient, hemoglobin_g_l="500")
    assert response.status_code == 200
    form = response.context["form"]
    assert str(form["hemoglobin_g_l"].label) == "Hämoglobin"
    [message] = form.errors["hemoglobin_g_l"]
    assert message.startswith("500 g/l liegt über dem höchsten zulässigen Wert: Der Wert muss zwischen")
    assert "Hämoglobin" in response.content.decode()
    assert not Episode.objects.filter(patient=patient, assessed_on="2024-06-10").exists()


def test_a_german_word_typed_into_a_number_is_refused_in_german(client, trio, patient):
    client.force_login(trio.owner)
    response = _post_episode(client, patient, crp_mg_l="viel")
    assert response.context["form"].errors["crp_mg_l"] == [
        "„viel“ ist keine Zahl: Geben Sie eine Zahl wie 1,8 (oder 1.8) ein, ohne Tausendertrennzeichen."
    ]


def test_a_german_form_shows_a_stored_1_point_8_as_1_comma_8_and_english_as_1_point_8(client, trio, patient):
    episode = patient.episodes.get()
    episode.crp_mg_l, episode.esr_mm_h = 1.8, 20.0
    episode.save()
    client.force_login(trio.owner)
    url = reverse("patients:episode_edit", args=[episode.id])
    german = client.get(url, **GERMAN).content.decode()
    assert 'name="crp_mg_l" value="1,8"' in german
    assert 'name="esr_mm_h" value="20"' in german
    english = client.get(url).content.decode()
    assert 'name="crp_mg_l" value="1.8"' in english


def test_a_number_shown_in_german_is_read_back_as_the_same_number(patient):
    with translation.override("de"):
        for stored in (1.8, 0.25, 1.234, 310.0, 7.125):
            field = NumberField()
            assert field.clean(field.prepare_value(stored)) == stored


def test_in_german_a_point_with_three_digits_may_be_thousands_and_is_refused():
    # German writes 1.234 for one thousand two hundred and thirty-four: read as 1.234 it is a thousandfold
    # error, so it is refused; 1,234 is German for 1.234.
    with translation.override("de"):
        with pytest.raises(Exception, match="„1.234“ könnte 1,234 oder 1234 bedeuten"):
            number_text("1.234")
        assert number_text("1,234") == "1.234"
        assert number_text("1.5") == "1.5"
    with translation.override("en-gb"):
        assert number_text("1.234") == "1.234"
        with pytest.raises(Exception, match="could be 1.234 or 1234"):
            number_text("1,234")


def test_choice_labels_are_german_on_the_patient_form(client, trio):
    client.force_login(trio.owner)
    page = client.get(reverse("patients:patient_create"), **GERMAN).content.decode()
    assert '<option value="female">Weiblich</option>' in page
    assert '<option value="other">Divers</option>' in page
    assert "Patientennummer" in page
    english = client.get(reverse("patients:patient_create")).content.decode()
    assert '<option value="female">Female</option>' in english


def test_choice_labels_and_sections_of_the_episode_form_are_german(patient):
    with translation.override("de"):
        form = EpisodeForm(patient=patient)
        assert dict(form.fields["blood_culture"].choices)["not_done"] == "Nicht durchgeführt"
        assert dict(form.fields["bone_pain"].choices) == {"": "Unbekannt", "yes": "Ja", "no": "Nein"}
        assert str(form.fields["night_pain"].label) == "Nächtliche Schmerzen"
        assert [str(title) for _, title, _ in form.sections()][:3] == [
            "Daten",
            "Anamnese und Symptome",
            "Untersuchungsbefund",
        ]
        lesion = LesionForm()
        assert dict(lesion.fields["site"].choices)["clavicle"] == "Klavikula"
        assert str(lesion.fields["site"].label) == "Lokalisation"
        assert str(BoneSite.SPINE_THORACIC.label) == "Brustwirbelsäule"
        assert str(Sex.MALE.label) == "Männlich"
    with translation.override("en-gb"):
        form = EpisodeForm(patient=patient)
        assert str(form.fields["night_pain"].label) == "Night pain"
        assert str(form.fields["crp_mg_l"].label) == "CRP"
        assert dict(LesionForm().fields["site"].choices)["clavicle"] == "Clavicle"


def test_a_unit_slip_is_explained_in_german_with_decimal_commas():
    with translation.override("de"):
        message = out_of_range_message("wbc_10e9_l", 7100)
    assert "Das sieht nach Zellen/µl aus: 7100 Zellen/µl = 7,1 ×10⁹/l" in message
    with translation.override("en-gb"):
        message = out_of_range_message("wbc_10e9_l", 7100)
    assert "It looks like cells/µL: 7100 cells/µL = 7.1 ×10⁹/L" in message


def test_a_paired_bone_without_a_side_is_refused_in_german():
    row = {"site": "femur", "side": "", "modality": "mri", "level": ""}
    with translation.override("de"):
        form = LesionForm(data=row)
        assert form.errors["side"] == ["Femur ist ein paariger Knochen: Wählen Sie links oder rechts."]
    with translation.override("en-gb"):
        assert LesionForm(data=row).errors["side"] == ["Choose left or right: the femur is a paired bone."]


def test_dates_inside_messages_are_german_dates_in_german():
    day = datetime.date(2024, 5, 5)
    with translation.override("de"):
        assert day_text(day) == "05.05.2024"
        assert birth_date_problem(datetime.date(2999, 1, 1)) == "Das Geburtsdatum liegt in der Zukunft."
    with translation.override("en-gb"):
        assert day_text(day) == "05 May 2024"
