"""Every statement on the assessment page shows its rule and the rule's source from the engine's catalogue,
never a citation typed into a template; every code is shown with the label of the engine's vocabulary."""

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


def test_the_page_labels_of_every_code_are_the_vocabularys():
    from exclusion.engine import vocabulary
    from patients.templatetags import cno_ui

    for filter_, terms in (
        (cno_ui.status_label, vocabulary.STATUSES),
        (cno_ui.differential_label, vocabulary.DIFFERENTIALS),
        (cno_ui.reason_label, vocabulary.BIOPSY_REASONS),
        (cno_ui.bristol_label, vocabulary.BRISTOL_STATUSES),
    ):
        assert {code: filter_(code) for code in terms.codes} == terms.labels(), terms.kind
    rows = cno_ui.jansson_items({"symmetric_lesions": True})
    assert [(r["key"], r["label"], r["points"]) for r in rows] == [
        (item.code, item.label, item.weight) for item in vocabulary.JANSSON_ITEMS
    ]
    assert [r["value"] for r in rows if r["key"] == "symmetric_lesions"] == [True]


def test_differentials_are_shown_in_the_vocabularys_order_then_any_it_does_not_know():
    from exclusion.engine import vocabulary
    from patients.templatetags.cno_ui import ordered_differentials

    stored = {"legacy_one": 0, **{code: 1 for code in reversed(vocabulary.DIFFERENTIALS.codes)}}
    assert [key for key, _ in ordered_differentials(stored)] == [
        *vocabulary.DIFFERENTIALS.codes,
        "legacy_one",
    ]


def test_a_code_the_vocabulary_does_not_know_is_shown_in_words_not_as_an_error():
    from patients.templatetags.cno_ui import bristol_label, differential_label, reason_label, status_label

    assert reason_label("old_reason_code") == "Old reason code"
    assert differential_label("old_differential") == "Old differential"
    assert status_label("retired") == "retired"
    assert bristol_label("retired") == "retired"


def test_the_review_queue_reasons_and_groups_are_named_by_the_vocabulary():
    from exclusion.engine import vocabulary
    from exclusion.review.models import PRIORITY_LABELS, PRIORITY_REST, FlagReason, priority_for

    assert tuple(FlagReason.choices) == vocabulary.FLAG_REASONS.choices()
    assert FlagReason.MALIGNANCY_CONCERN == "malignancy_concern"
    for code in ("malignancy_concern", "infection_concern", "unifocal_non_clavicular"):
        assert PRIORITY_LABELS[priority_for([code])] == vocabulary.FLAG_REASONS.label(code)
    assert PRIORITY_LABELS[PRIORITY_REST] == "Other"
