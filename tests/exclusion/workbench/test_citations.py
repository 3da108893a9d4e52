"""Every statement on the assessment page shows its rule and the rule's source from the engine's catalogue,
never a citation typed into a template."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from exclusion import engine
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db
SOURCES = {rule["id"]: rule["source"] for rule in engine.rule_catalogue()}


def page(client, user, episode) -> str:
    client.force_login(user)
    return html.unescape(client.get(reverse("patients:episode_detail", args=[episode.id])).content.decode())


def test_bristol_and_jansson_cite_the_catalogue_sources(client, trio, north):
    text = page(client, trio.owner, make_episode(north, "CIT-1"))
    assert SOURCES["BRISTOL-C1"] in text  # Roderick 2016, Pediatr Rheumatol Online J
    assert SOURCES["JANSSON-THRESHOLD"] in text  # Jansson 2009, Arthritis Rheum 60(4):1152-1159
    assert "Arthritis Rheum 2009;60(4):1152" in text


def test_each_biopsy_reason_names_its_rule_and_source(client, trio, north):
    doc = case(lesions=[{"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True}])
    text = page(client, trio.owner, make_episode(north, "CIT-2", doc))
    assert "rule BIOPSY-UNIFOCAL" in text
    assert SOURCES["BIOPSY-UNIFOCAL"] in text
