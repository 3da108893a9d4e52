"""The episode page's assessment panel under ruleset 2026.12: never "supports CNO" under a biopsy banner,
never "work-up complete" while a biopsy is recommended, and the EULAR/ACR gate with its rule."""

from __future__ import annotations

import html as html_lib

import pytest
from django.urls import reverse

from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db

LEUKAEMIA_LABS = {
    **case()["episode"]["labs"],
    "wbc_10e9_l": 2.3,
    "platelets_10e9_l": 62,
    "blasts_on_smear": True,
}


def page(client, episode) -> str:
    return html_lib.unescape(
        client.get(reverse("patients:episode_detail", args=[episode.id])).content.decode()
    )


def test_a_leukaemia_picture_shows_the_biopsy_banner_and_never_bristol_criterion_1(client, trio, north):
    episode = make_episode(north, "AP-1", case(labs=LEUKAEMIA_LABS))
    client.force_login(trio.owner)
    html = page(client, episode)
    assert "data-biopsy-banner" in html
    assert 'data-bristol="biopsy_required"' in html
    assert "supports CNO without biopsy" not in html


def test_a_single_femur_lesion_without_biopsy_never_reads_work_up_complete(client, trio, north):
    femur = [{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}]
    episode = make_episode(north, "AP-2", case(lesions=femur))
    client.force_login(trio.owner)
    html = page(client, episode)
    assert "data-biopsy-banner" in html
    assert "Exclusion work-up complete" not in html
    assert "the work-up is not complete until it is done" in html


def test_the_eular_acr_gate_is_shown_as_research_classification_with_its_rule_and_source(client, trio, north):
    episode = make_episode(north, "AP-3")
    client.force_login(trio.owner)
    html = page(client, episode)
    assert 'data-eular="eligible_for_scoring"' in html
    assert "Research classification criteria, not a diagnosis" in html
    assert "no score is given" in html
    assert "rule EULAR-ENTRY" in html and "Arthritis Rheumatol 2025" in html


def test_an_unexamined_spleen_is_listed_as_missing_in_words(client, trio, north):
    findings = {**case()["episode"]["findings"], "splenomegaly": None}
    episode = make_episode(north, "AP-4", case(findings=findings))
    client.force_login(trio.owner)
    html = page(client, episode)
    assert 'data-missing="episode.findings.splenomegaly"' in html
    assert "Spleen examined (splenomegaly yes or no)" in html
