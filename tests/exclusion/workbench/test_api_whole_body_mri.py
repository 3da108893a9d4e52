"""episode.imaging.whole_body_mri over the API (episodes and case intake), in the case document's shape;
and more than 100 lesions is a 400 on episode.lesions that saves nothing."""

from __future__ import annotations

import pytest

from patients.models import Episode, Lesion, Patient
from tests.clients import token_client
from tests.factories import case, make_episode, make_user

LESION = {"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}


@pytest.fixture
def client(north):
    return token_client(make_user(north, "clinician", "api-clinician"))


@pytest.mark.parametrize("done", [True, False])
def test_an_episode_created_with_imaging_stores_it_and_answers_with_it(client, north, done):
    patient = make_episode(north, "WB-1").patient
    episode_doc = case(assessed_on="2024-08-01", imaging={"whole_body_mri": done})["episode"]

    response = client.post(
        f"/api/v1/patients/{patient.id}/episodes/", {"episode": episode_doc}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["episode"]["imaging"] == {"whole_body_mri": done}
    assert Episode.objects.get(pk=response.json()["id"]).whole_body_mri is done


def test_an_episode_without_imaging_answers_without_it(client, north):
    episode = make_episode(north, "WB-2")
    body = client.get(f"/api/v1/episodes/{episode.id}/").json()
    assert "imaging" not in body["episode"]


def test_imaging_that_is_not_a_boolean_is_a_400_naming_the_field(client, north):
    patient = make_episode(north, "WB-3").patient
    episode_doc = case(assessed_on="2024-08-01", imaging={"whole_body_mri": "yes"})["episode"]

    response = client.post(
        f"/api/v1/patients/{patient.id}/episodes/", {"episode": episode_doc}, format="json"
    )

    assert response.status_code == 400
    assert [error["path"] for error in response.json()["errors"]] == ["episode.imaging.whole_body_mri"]
    assert patient.episodes.count() == 1


def test_replacing_an_episode_changes_imaging_under_optimistic_locking(client, north):
    episode = make_episode(north, "WB-4", case(imaging={"whole_body_mri": True}))
    url = f"/api/v1/episodes/{episode.id}/"

    first = client.put(
        url, {"version": 1, "episode": case(imaging={"whole_body_mri": False})["episode"]}, format="json"
    )
    stale = client.put(url, {"version": 1, "episode": case()["episode"]}, format="json")

    assert first.status_code == 200
    assert (first.json()["version"], first.json()["episode"]["imaging"]) == (2, {"whole_body_mri": False})
    assert stale.status_code == 409
    episode.refresh_from_db()
    assert (episode.version, episode.whole_body_mri) == (2, False)


def test_a_replacement_without_imaging_makes_it_unknown(client, north):
    episode = make_episode(north, "WB-5", case(imaging={"whole_body_mri": True}))

    response = client.put(
        f"/api/v1/episodes/{episode.id}/", {"version": 1, "episode": case()["episode"]}, format="json"
    )

    assert response.status_code == 200
    assert "imaging" not in response.json()["episode"]
    episode.refresh_from_db()
    assert episode.whole_body_mri is None


def test_101_lesions_in_a_new_episode_are_a_400_on_episode_lesions_and_save_nothing(client, north):
    patient = make_episode(north, "WB-6").patient
    lesions_before = Lesion.objects.count()
    episode_doc = case(assessed_on="2024-08-01", lesions=[LESION] * 101)["episode"]

    response = client.post(
        f"/api/v1/patients/{patient.id}/episodes/", {"episode": episode_doc}, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["path"] for error in errors] == ["episode.lesions"]
    assert "at most 100" in errors[0]["message"]
    assert patient.episodes.count() == 1
    assert Lesion.objects.count() == lesions_before


def test_101_lesions_in_a_replacement_are_a_400_and_leave_the_episode_as_it_was(client, north):
    episode = make_episode(north, "WB-7")
    lesions = list(episode.lesions.values_list("id", flat=True))

    response = client.put(
        f"/api/v1/episodes/{episode.id}/",
        {"version": 1, "episode": case(lesions=[LESION] * 101)["episode"]},
        format="json",
    )

    assert response.status_code == 400
    assert [error["path"] for error in response.json()["errors"]] == ["episode.lesions"]
    episode.refresh_from_db()
    assert episode.version == 1
    assert list(episode.lesions.values_list("id", flat=True)) == lesions


def test_case_intake_stores_imaging_and_the_export_returns_it(client, north):
    doc = case(imaging={"whole_body_mri": True}, lesions=[])

    response = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "WB-8", "case": doc}, format="json"
    )

    assert response.status_code == 201
    episode_id = response.json()["episode_id"]
    assert Episode.objects.get(pk=episode_id).whole_body_mri is True
    exported = client.get(f"/api/v1/episodes/{episode_id}/case/").json()
    assert exported["episode"]["imaging"] == {"whole_body_mri": True}
    assert exported == doc


def test_case_intake_with_101_lesions_is_a_400_on_episode_lesions_and_creates_no_patient(client, north):
    doc = case(lesions=[LESION] * 101)

    response = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "WB-9", "case": doc}, format="json"
    )

    assert response.status_code == 400
    assert [error["path"] for error in response.json()["errors"]] == ["episode.lesions"]
    assert not Patient.objects.filter(record_number="WB-9").exists()
