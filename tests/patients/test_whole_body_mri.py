"""Whether a whole-body MRI (including the spine) was done, in the browser: typed, saved, shown again; and
the contract's limit of 100 lesions per episode on the episode form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from exclusion.engine.schema import LESION_FEATURES
from patients.models import Episode
from patients.services import CaseDocumentError, episode_update
from tests.factories import case, make_episode
from tests.patients.helpers import episode_post, symmetric_episode_post

pytestmark = pytest.mark.django_db

STATES = [("yes", True, "done"), ("no", False, "not done"), ("", None, "unknown")]


def selected_option(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    chosen = re.findall(r'<option value="([^"]*)" selected>', select[1])
    assert len(chosen) == 1, chosen
    return chosen[0]


@pytest.mark.parametrize(("typed", "stored", "shown"), STATES)
def test_the_form_saves_whole_body_mri_and_shows_it_again(client, trio, north, typed, stored, shown):
    patient = make_episode(north, "WB-1").patient
    client.force_login(trio.owner)
    post = symmetric_episode_post(assessed_on="2024-06-10", whole_body_mri=typed)

    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)

    assert response.status_code == 302
    episode = patient.episodes.get(assessed_on="2024-06-10")
    assert episode.whole_body_mri is stored
    edit = client.get(reverse("patients:episode_edit", args=[episode.id])).content.decode()
    assert selected_option(edit, "whole_body_mri") == typed
    detail = client.get(response["Location"]).content.decode()
    assert f"Whole-body MRI (including the spine): <strong>{shown}</strong>" in detail


def test_an_edit_can_set_whole_body_mri_back_to_unknown(client, trio, north):
    episode = make_episode(north, "WB-2", case(imaging={"whole_body_mri": True}))
    client.force_login(trio.owner)
    post = symmetric_episode_post(version=1, whole_body_mri="")

    response = client.post(reverse("patients:episode_edit", args=[episode.id]), post)

    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.whole_body_mri, episode.version) == (None, 2)


def test_the_imaging_group_comes_just_before_the_lesion_rows(client, trio, north):
    patient = make_episode(north, "WB-3").patient
    client.force_login(trio.owner)
    html = client.get(reverse("patients:episode_create", args=[patient.id])).content.decode()
    imaging = html.index('id="section-imaging"')
    assert html.index('name="whole_body_mri"') > imaging
    assert html.index('id="section-lesions"') > html.index('name="whole_body_mri"')
    assert "Whole-body MRI (including the spine) done" in html


def test_more_than_100_lesion_rows_are_refused_and_what_was_typed_is_kept(client, trio, north):
    patient = make_episode(north, "WB-4").patient
    client.force_login(trio.owner)
    rows = [{"site": "femur", "side": "left", "level": f"L{n}", "modality": "mri"} for n in range(101)]
    post = symmetric_episode_post(assessed_on="2024-06-10", esr_mm_h="44", whole_body_mri="yes")
    post.update({k: v for k, v in episode_post(lesions=rows).items() if k.startswith("lesions-")})

    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)

    assert response.status_code == 200
    errors = response.context["formset"].non_form_errors()
    assert errors == [
        "101 lesions entered: at most 100 per episode. List each bone once, and remove the extra rows."
    ]
    html = response.content.decode()
    assert html.count(errors[0]) == 2  # in the summary at the top and in the lesion section
    assert 'value="L100"' in html and 'value="44"' in html
    assert selected_option(html, "whole_body_mri") == "yes"
    assert not patient.episodes.filter(assessed_on="2024-06-10").exists()


def test_exactly_100_lesions_and_rows_removed_beyond_them_are_accepted(client, trio, north):
    patient = make_episode(north, "WB-5").patient
    client.force_login(trio.owner)
    rows = [{"site": "femur", "side": "left", "level": f"L{n}", "modality": "mri"} for n in range(100)]
    rows.append({"site": "tibia", "side": "left", "modality": "mri", "DELETE": True})
    rows.append({"site": "", "side": "", "level": "", "modality": "", "DELETE": True})  # added, then removed
    post = symmetric_episode_post(assessed_on="2024-06-10")
    post.update({k: v for k, v in episode_post(lesions=rows).items() if k.startswith("lesions-")})

    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)

    assert response.status_code == 302
    assert Episode.objects.get(patient=patient, assessed_on="2024-06-10").lesions.count() == 100


def test_100_lesions_with_every_imaging_feature_ticked_fit_in_one_form_post(client, trio, north):
    """About 20 fields a lesion: Django's default limit of 1000 fields would refuse this legitimate form."""
    patient = make_episode(north, "WB-6").patient
    client.force_login(trio.owner)
    rows = [
        {
            "site": "rib",
            "side": "left",
            "level": str(n),
            "modality": "mri",
            **dict.fromkeys(LESION_FEATURES, True),
        }
        for n in range(100)
    ]
    post = symmetric_episode_post(assessed_on="2024-06-10")
    post.update({k: v for k, v in episode_post(lesions=rows).items() if k.startswith("lesions-")})
    assert len(post) > 1000

    response = client.post(reverse("patients:episode_create", args=[patient.id]), post)

    assert response.status_code == 302
    assert Episode.objects.get(patient=patient, assessed_on="2024-06-10").lesions.count() == 100


def test_the_services_refuse_more_than_100_lesions_before_writing_any(north):
    episode = make_episode(north, "WB-6")
    lesions = list(episode.lesions.values_list("id", flat=True))
    rows = [{"site": "femur", "side": "left", "modality": "mri"}] * 101

    with pytest.raises(CaseDocumentError) as excinfo:
        episode_update(actor=None, episode_id=episode.id, expected_version=1, data={}, lesions=rows)

    assert [error["path"] for error in excinfo.value.errors] == ["episode.lesions"]
    episode.refresh_from_db()
    assert episode.version == 1
    assert list(episode.lesions.values_list("id", flat=True)) == lesions
