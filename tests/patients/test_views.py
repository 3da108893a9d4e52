"""The record's pages through Django's test client: new patient, the episode form (tri-states, units,
errors on their fields, lesions, conflicts)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exclusion.workbench.selectors import assessment_latest
from patients.models import Episode, Patient
from tests.factories import case, make_episode, make_site, make_user
from tests.patients.helpers import episode_post, symmetric_episode_post

pytestmark = pytest.mark.django_db


def test_clinician_creates_a_patient_at_their_site(client, trio, north):
    client.force_login(trio.owner)
    response = client.post(
        reverse("patients:patient_create"),
        {"record_number": "NB-77", "sex": "male", "birth_date": "2015-01-02"},
    )
    patient = Patient.objects.get(record_number="NB-77")
    assert patient.site == north
    assert response["Location"] == reverse("patients:episode_create", args=[patient.id])


def test_duplicate_record_number_is_an_error_on_the_form(client, trio, north):
    make_episode(north, "NB-1")
    client.force_login(trio.owner)
    response = client.post(reverse("patients:patient_create"), {"record_number": "NB-1", "sex": "male"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Patient.objects.filter(record_number="NB-1").count() == 1


def test_symmetric_episode_saves_and_redirects_to_its_assessment(client, trio, north):
    patient = make_episode(north, "NB-1").patient
    client.force_login(trio.owner)
    response = client.post(
        reverse("patients:episode_create", args=[patient.id]),
        symmetric_episode_post(assessed_on="2024-06-10"),
    )
    assert response.status_code == 302
    episode = patient.episodes.get(assessed_on="2024-06-10")
    assert response["Location"] == reverse("patients:episode_detail", args=[episode.id])
    assessment = assessment_latest(episode_id=episode.id)
    assert assessment.bristol_status == "criterion_1_met"
    html = client.get(response["Location"]).content.decode()
    assert "data-biopsy-banner" not in html
    assert 'data-bristol="criterion_1_met"' in html
    assert html.count("data-differential=") == 5


def test_tri_state_unknown_is_saved_as_null_never_false(client, trio, north):
    patient = make_episode(north, "NB-1").patient
    client.force_login(trio.owner)
    post = episode_post(
        lesions=[{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}],
        assessed_on="2024-06-10",
        fever="",
        bone_pain="yes",
        night_pain="no",
    )
    client.post(reverse("patients:episode_create", args=[patient.id]), post)
    episode = patient.episodes.get(assessed_on="2024-06-10")
    assert episode.fever is None
    assert episode.bone_pain is True
    assert episode.night_pain is False


def test_new_episode_form_defaults_every_tri_state_to_unknown(client, trio, north):
    patient = make_episode(north, "NB-1").patient
    client.force_login(trio.owner)
    html = client.get(reverse("patients:episode_create", args=[patient.id])).content.decode()
    assert '<option value="" selected>Unknown</option>' in html
    assert '<option value="no" selected>' not in html


def test_crp_in_mg_dl_and_haemoglobin_in_g_dl_are_converted(client, trio, north):
    patient = make_episode(north, "NB-1").patient
    client.force_login(trio.owner)
    post = symmetric_episode_post(
        assessed_on="2024-06-10",
        crp_mg_l="1.2",
        crp_unit="mg_dl",
        hemoglobin_g_l="12.4",
        hemoglobin_unit="g_dl",
    )
    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)
    assert response.status_code == 302
    episode = patient.episodes.get(assessed_on="2024-06-10")
    assert episode.crp_mg_l == pytest.approx(12)
    assert episode.hemoglobin_g_l == pytest.approx(124)


def test_out_of_range_crp_is_reported_on_its_field_and_nothing_is_saved(client, trio, north):
    patient = make_episode(north, "NB-1").patient
    client.force_login(trio.owner)
    post = symmetric_episode_post(assessed_on="2024-06-10", crp_mg_l="900", esr_mm_h="33")
    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)
    assert response.status_code == 200
    form = response.context["form"]
    assert "between 0 and 500 mg/L" in form.errors["crp_mg_l"][0]
    assert list(form.errors) == ["crp_mg_l"]
    html = response.content.decode()
    assert 'value="33"' in html and 'value="900"' in html
    assert not patient.episodes.filter(assessed_on="2024-06-10").exists()


def test_onset_after_assessment_is_an_error_on_the_onset_date(client, trio, north):
    patient = make_episode(north, "NB-1").patient
    client.force_login(trio.owner)
    post = symmetric_episode_post(assessed_on="2024-06-10", onset_on="2024-07-01")
    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)
    assert "before the assessment date" in response.context["form"].errors["onset_on"][0]


def test_onset_before_birth_is_an_error_on_the_onset_date(client, trio, north):
    patient = make_episode(north, "NB-1").patient  # born 2014-03-02
    client.force_login(trio.owner)
    post = symmetric_episode_post(assessed_on="2024-06-10", onset_on="2013-01-01")
    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)
    assert "before the birth date" in response.context["form"].errors["onset_on"][0]


def test_lesion_without_a_site_is_an_error_on_that_lesion_row(client, trio, north):
    patient = make_episode(north, "NB-1").patient
    client.force_login(trio.owner)
    post = episode_post(
        lesions=[{"site": "tibia", "side": "left", "modality": "mri"}, {"side": "right", "modality": "mri"}]
    )
    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)
    formset = response.context["formset"]
    assert formset.forms[0].errors == {}
    assert "site" in formset.forms[1].errors


def test_removing_a_lesion_on_edit_deletes_only_that_lesion(client, trio, north):
    episode = make_episode(north, "NB-1")
    client.force_login(trio.owner)
    lesions = [
        {"id": lesion.id, "site": lesion.site, "side": lesion.side, "modality": lesion.modality}
        for lesion in episode.lesions.all()
    ]
    lesions[1]["DELETE"] = True
    post = symmetric_episode_post(version=1)
    post.update({k: v for k, v in episode_post(lesions=lesions).items() if k.startswith("lesions-")})
    response = client.post(reverse("patients:episode_edit", args=[episode.id]), post)
    assert response.status_code == 302
    remaining = list(episode.lesions.order_by("id").values_list("id", flat=True))
    assert remaining == [lesions[0]["id"], lesions[2]["id"]]


def test_stale_version_shows_the_conflict_and_keeps_the_input(client, trio, north):
    episode = make_episode(north, "NB-1")
    other = make_user(north, "clinician", "other")
    from patients.services import episode_update

    episode_update(actor=other, episode_id=episode.id, expected_version=1, data={"crp_mg_l": 15})
    client.force_login(trio.owner)
    post = symmetric_episode_post(version=1, assessed_on="2024-05-10", esr_mm_h="44")
    response = client.post(reverse("patients:episode_edit", args=[episode.id]), post)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this episode" in html
    assert 'value="44"' in html
    episode.refresh_from_db()
    assert episode.version == 2 and episode.esr_mm_h == 28 and episode.crp_mg_l == 15


def test_saving_over_a_conflict_is_an_explicit_choice(client, trio, north):
    episode = make_episode(north, "NB-1")
    from patients.services import episode_update

    episode_update(actor=None, episode_id=episode.id, expected_version=1, data={"crp_mg_l": 15})
    client.force_login(trio.owner)
    post = symmetric_episode_post(version=1, esr_mm_h="44", overwrite_version="2")
    post.update({k: v for k, v in episode_post(lesions=[]).items() if k.startswith("lesions-")})
    response = client.post(reverse("patients:episode_edit", args=[episode.id]), post)
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.version == 3 and episode.esr_mm_h == 44


def test_case_document_errors_are_mapped_onto_the_form(rf, trio, north):
    from patients.forms import EpisodeForm, LesionFormSet
    from patients.views import _add_case_errors

    patient = make_episode(north, "NB-1").patient
    form = EpisodeForm(episode_post(), patient=patient)
    formset = LesionFormSet(
        episode_post(lesions=[{"site": "tibia", "side": "left", "modality": "mri"}] * 2), prefix="lesions"
    )
    assert form.is_valid() and formset.is_valid()
    _add_case_errors(
        form,
        formset.forms,
        [
            {"path": "episode.labs.crp_mg_l", "message": "too high"},
            {"path": "episode.lesions[1].level", "message": "bad level"},
            {"path": "episode.biopsy.culture", "message": "needed"},
            {"path": "patient.birth_date", "message": "odd"},
        ],
    )
    assert form.errors["crp_mg_l"] == ["too high"]
    assert form.errors["biopsy_culture"] == ["needed"]
    assert formset.forms[1].errors["level"] == ["bad level"]
    assert "Birth date: odd" in form.non_field_errors()


def test_episode_saved_through_the_form_matches_the_service_assessment(client, trio, north):
    site = make_site("NORTH")
    patient = make_episode(site, "NB-1").patient
    client.force_login(trio.owner)
    client.post(
        reverse("patients:episode_create", args=[patient.id]),
        symmetric_episode_post(assessed_on="2024-06-10"),
    )
    by_form = patient.episodes.get(assessed_on="2024-06-10")
    by_import = Episode.objects.filter(patient=patient).exclude(pk=by_form.pk).get()
    assert (
        assessment_latest(episode_id=by_form.id).result == assessment_latest(episode_id=by_import.id).result
    )


def test_a_lesion_level_of_twenty_characters_saved_through_the_api_can_be_saved_again_in_the_form(
    client, trio, north
):
    # The record and the engine allow 20 characters (cno-case/1); the form used to stop at 16.
    level = "T7-T8 posterior arch"
    assert len(level) == 20
    spine = {"site": "spine_thoracic", "side": "midline", "level": level, "modality": "mri"}
    episode = make_episode(north, "LV-20", case(lesions=[spine]))
    client.force_login(trio.owner)
    lesions = [{**spine, "id": episode.lesions.get().id}]
    post = symmetric_episode_post(version=1)
    post.update({k: v for k, v in episode_post(lesions=lesions).items() if k.startswith("lesions-")})

    response = client.post(reverse("patients:episode_edit", args=[episode.id]), post)

    assert response.status_code == 302
    assert episode.lesions.get().level == level


def test_a_lesion_level_longer_than_the_record_allows_is_an_error_on_that_field(client, trio, north):
    patient = make_episode(north, "LV-21").patient
    client.force_login(trio.owner)
    too_long = {"site": "spine_thoracic", "side": "midline", "level": "T" * 21, "modality": "mri"}
    post = symmetric_episode_post()
    post.update({k: v for k, v in episode_post(lesions=[too_long]).items() if k.startswith("lesions-")})

    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)

    assert response.status_code == 200
    assert "level" in response.context["formset"].forms[0].errors
    assert patient.episodes.count() == 1
