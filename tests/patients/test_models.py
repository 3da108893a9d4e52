"""The database itself enforces what must always hold: ranges, enumerations, uniqueness."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from patients.models import Biopsy, Episode, Lesion, Patient, SiteMembership
from tests.factories import make_episode, make_site, make_user


def save_raw(obj) -> None:
    """Save bypassing model validation, to prove the database constraint holds on its own."""
    with transaction.atomic():
        obj.save()


@pytest.fixture
def episode(north):
    return make_episode(north, "NF-9000")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("crp_mg_l", 500.1),
        ("crp_mg_l", -0.1),
        ("esr_mm_h", 201),
        ("hemoglobin_g_l", 19),
        ("platelets_10e9_l", 3001),
        ("max_temperature_c", 45.5),
        ("pain_vas", 11),
        ("chaq", 3.5),
    ],
)
def test_out_of_range_values_are_refused_by_the_database(episode, field, value):
    setattr(episode, field, value)
    with pytest.raises(IntegrityError):
        save_raw(episode)


def test_range_limits_themselves_are_allowed(episode):
    episode.crp_mg_l, episode.hemoglobin_g_l, episode.chaq = 500, 20, 3
    save_raw(episode)
    episode.refresh_from_db()
    assert (episode.crp_mg_l, episode.hemoglobin_g_l, episode.chaq) == (500, 20, 3)


def test_unknown_lab_values_are_stored_as_null_not_zero(episode):
    episode.crp_mg_l = None
    save_raw(episode)
    episode.refresh_from_db()
    assert episode.crp_mg_l is None


def test_model_validation_names_the_field_that_is_out_of_range(episode):
    episode.crp_mg_l = 600
    with pytest.raises(ValidationError) as excinfo:
        episode.full_clean()
    assert "crp_mg_l" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("model_field", "value"),
    [("blood_culture", "maybe")],
)
def test_enumerations_are_enforced_by_the_database(episode, model_field, value):
    setattr(episode, model_field, value)
    with pytest.raises(IntegrityError):
        save_raw(episode)


def test_lesion_site_side_and_modality_must_be_contract_values(episode):
    for values in ({"site": "tibial"}, {"side": "both"}, {"modality": "pet"}):
        lesion = Lesion(episode=episode, **{"site": "tibia", "side": "left", "modality": "mri", **values})
        with pytest.raises(IntegrityError):
            save_raw(lesion)


def test_biopsy_histology_and_culture_must_be_contract_values(episode):
    with pytest.raises(IntegrityError):
        save_raw(Biopsy(episode=episode, histology="benign", culture="no_growth"))
    with pytest.raises(IntegrityError):
        save_raw(Biopsy(episode=episode, histology="normal", culture="sterile"))


def test_onset_after_assessment_is_refused_by_the_database(episode):
    episode.onset_on = episode.assessed_on + datetime.timedelta(days=1)
    with pytest.raises(IntegrityError):
        save_raw(episode)


def test_record_numbers_are_unique_per_site_but_may_repeat_across_sites(north, south):
    Patient.objects.create(site=north, record_number="R-1")
    Patient.objects.create(site=south, record_number="R-1")
    with pytest.raises(IntegrityError):
        save_raw(Patient(site=north, record_number="R-1"))


def test_patient_sex_must_be_a_contract_value(north):
    with pytest.raises(IntegrityError):
        save_raw(Patient(site=north, record_number="R-2", sex="f"))


def test_a_user_has_one_role_per_site(north):
    user = make_user(north, "clinician")
    with pytest.raises(IntegrityError):
        save_raw(SiteMembership(user=user, site=north, role="reviewer"))
    with pytest.raises(IntegrityError):
        save_raw(SiteMembership(user=user, site=make_site("EAST"), role="surgeon"))


def test_one_biopsy_per_episode(episode):
    Biopsy.objects.create(episode=episode, histology="normal", culture="no_growth", on_antibiotics=False)
    with pytest.raises(IntegrityError):
        save_raw(Biopsy(episode=episode, histology="normal", culture="no_growth"))


def test_episode_dates_are_checked_against_each_other_and_the_birth_date(episode):
    episode.onset_on = datetime.date(2010, 1, 1)  # before the 2014 birth date
    with pytest.raises(ValidationError) as excinfo:
        episode.full_clean()
    assert "onset_on" in excinfo.value.message_dict
    episode.onset_on = None
    episode.assessed_on = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        episode.full_clean()
    assert "assessed_on" in excinfo.value.message_dict


def test_every_episode_has_a_version_starting_at_one(episode):
    assert Episode.objects.get(pk=episode.pk).version == 1


def test_a_nul_character_in_a_lesion_level_is_a_field_error_not_a_server_error(north):
    from patients.services import CaseDocumentError, episode_update

    episode = make_episode(north, "NF-9100")
    lesions = [{"site": "spine_thoracic", "side": "midline", "modality": "mri", "level": "T7\x00"}]
    with pytest.raises(CaseDocumentError) as excinfo:
        episode_update(actor=None, episode_id=episode.pk, expected_version=1, data={}, lesions=lesions)
    assert excinfo.value.errors[0]["path"] == "episode.lesions[0].level"
    assert Episode.objects.get(pk=episode.pk).version == 1  # nothing half-saved


def test_the_database_and_the_engine_share_one_set_of_ranges():
    from exclusion.engine import schema
    from patients.choices import RANGES

    assert RANGES["crp_mg_l"] == (schema.LABS["crp_mg_l"][1], schema.LABS["crp_mg_l"][2])
    assert RANGES["age_years"] == schema.AGE_RANGE
    assert Lesion._meta.get_field("level").max_length == schema.LEVEL_MAX_LEN


def test_the_database_enumerations_are_exactly_the_engines():
    from exclusion.engine import schema
    from patients import choices

    assert choices.Sex.values == list(schema.SEXES)
    assert choices.Side.values == list(schema.SIDES)
    assert choices.Modality.values == list(schema.MODALITIES)
    assert choices.BoneSite.values == list(schema.SITES)
    assert choices.Histology.values == list(schema.HISTOLOGIES)
    assert choices.BiopsyCulture.values == list(schema.CULTURES)
    assert choices.BloodCulture.values == list(schema.BLOOD_CULTURES)
