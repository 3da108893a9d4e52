"""The vocabulary: every code an assessment can carry is written once, with a label, and agrees with the
contract's lists (tests/engine/helpers.py, written from the cno-case/1 contract independently)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given

from exclusion.engine import assess, vocabulary
from exclusion.engine.rules import BIOPSY_REASONS, JANSSON_ITEMS, REGISTRY
from exclusion.engine.vocabulary import (
    BIOPSY_REASONS as REASON_TERMS,
)
from exclusion.engine.vocabulary import (
    BRISTOL_STATUSES,
    DIFFERENTIALS,
    FLAG_REASONS,
    FOCALITIES,
    KINDS,
    RULE_GROUPS,
    STATUSES,
    TONES,
    Term,
    Terms,
    concern_code,
    label,
)

from . import helpers
from .test_properties import SETTINGS, cases

VIGNETTES = sorted((helpers.HERE / "vignettes").glob("*.json"))


def _codes_in(result: dict) -> dict[str, set[str]]:
    return {
        "differential": set(result["differentials"]),
        "status": {d["status"] for d in result["differentials"].values()},
        "focality": {result["focality"]},
        "bristol": {result["bristol"]["status"]},
        "biopsy_reason": set(result["biopsy"]["reasons"]),
        "jansson_item": set(result["jansson"]["items"]),
    }


def test_the_vocabulary_codes_are_the_contracts_codes_in_the_contracts_order():
    assert DIFFERENTIALS.codes == helpers.DIFFERENTIALS
    assert STATUSES.codes == helpers.STATUSES
    assert FOCALITIES.codes == ("none", "unifocal", "multifocal")
    assert BRISTOL_STATUSES.codes == helpers.BRISTOL
    assert REASON_TERMS.codes == helpers.REASONS
    assert dict((item.code, item.weight) for item in vocabulary.JANSSON_ITEMS) == helpers.JANSSON_ITEMS
    assert (vocabulary.JANSSON_THRESHOLD, vocabulary.JANSSON_MAX) == (39, 63)


@pytest.mark.parametrize("path", VIGNETTES, ids=lambda p: p.stem)
def test_every_code_of_a_vignette_assessment_has_a_label(path):
    result = helpers.run(json.loads(path.read_text(encoding="utf-8")))
    for kind, codes in _codes_in(result).items():
        for code in codes:
            assert label(kind, code), (kind, code)


@SETTINGS
@given(cases())
def test_every_code_the_engine_emits_has_a_label(doc):
    result = assess(doc, today=helpers.TODAY)
    for kind, codes in _codes_in(result).items():
        assert codes <= set(KINDS[kind].codes), kind


def test_every_term_has_a_label_and_a_known_tone():
    for terms in KINDS.values():
        assert len(terms) > 0
        for term in terms:
            assert term.code and term.label.strip(), term
            if isinstance(term, Term):
                assert term.tone in TONES, term
                assert term.short_label.strip()


def test_every_status_says_in_words_what_it_means_and_concern_is_the_alarming_one():
    for term in STATUSES:
        assert term.detail and term.short
    assert STATUSES["concern"].tone == "danger"
    assert STATUSES["incomplete"].tone == "warning"
    assert {STATUSES["excluded"].tone, STATUSES["no_red_flags"].tone} <= {"success", "info"}
    assert vocabulary.SETTLED_STATUSES == ("excluded", "no_red_flags")


def test_every_bristol_status_names_the_rule_that_decides_it():
    for term in BRISTOL_STATUSES:
        assert term.detail
        assert REGISTRY[term.rule].group == "bristol", term


def test_every_biopsy_reason_code_has_its_own_rule():
    rules = [REGISTRY[term.rule] for term in REASON_TERMS]
    assert len({rule.id for rule in rules}) == len(rules)  # one rule per reason, none shared
    for term, rule in zip(REASON_TERMS, rules, strict=True):
        assert rule.group == "biopsy", term
        assert callable(rule.evaluate)
        assert term.short  # the queue's compact label
    assert [(code, rule.id) for code, rule in BIOPSY_REASONS] == [(t.code, t.rule) for t in REASON_TERMS]


def test_every_jansson_item_has_its_rule_and_the_rule_title_names_its_label_and_points():
    assert [(key, weight, rule.id) for key, weight, rule in JANSSON_ITEMS] == [
        (item.code, item.weight, item.rule) for item in vocabulary.JANSSON_ITEMS
    ]
    for item in vocabulary.JANSSON_ITEMS:
        rule = REGISTRY[item.rule]
        assert rule.group == "jansson"
        assert rule.title == f"{item.label} ({item.weight} points)"


def test_every_rule_belongs_to_a_group_named_by_the_prefix_of_its_id():
    for rule in REGISTRY.values():
        group = vocabulary.rule_group(rule.id)
        assert group is not None, rule.id
        assert group.code == rule.group, rule.id
        assert RULE_GROUPS[rule.group] is group
    assert vocabulary.rule_group("XYZ-1") is None
    assert [g.label for g in RULE_GROUPS][:5] == [
        "Infection",
        "Malignancy",
        "Hypophosphatasia",
        "Scurvy",
        "Monogenic autoinflammatory disease",
    ]


def test_the_flag_reasons_are_the_biopsy_reasons_and_a_concern_for_each_differential():
    expected = set(REASON_TERMS.codes) | {concern_code(d) for d in DIFFERENTIALS.codes}
    assert set(FLAG_REASONS.codes) == expected
    assert FLAG_REASONS.codes[:3] == ("malignancy_concern", "infection_concern", "unifocal_non_clavicular")
    assert FLAG_REASONS["crp_at_least_30"].label == REASON_TERMS["crp_at_least_30"].short
    for d in DIFFERENTIALS.codes:
        assert FLAG_REASONS[concern_code(d)].tone == "danger"


def test_labels_are_looked_up_by_kind_and_code():
    assert label("status", "concern") == "Concern — work-up needed"
    assert label("bristol", "not_met") == "Not met: the biopsy does not support CNO"
    assert label("biopsy_reason", "crp_at_least_30") == "CRP of 30 mg/L or more"
    assert label("jansson_item", "crp_at_least_10") == "CRP of 10 mg/L or more"
    assert label("rule_group", "biopsy") == "Biopsy recommendation"
    assert STATUSES["excluded"].label == STATUSES.label("excluded") == STATUSES.labels()["excluded"]
    assert STATUSES.choices()[0] == ("concern", "Concern — work-up needed")
    assert "concern" in STATUSES and "typo" not in STATUSES and STATUSES.get("typo") is None


def test_an_unknown_code_is_an_error_unless_a_default_is_given():
    with pytest.raises(KeyError):
        label("status", "retired_status")
    assert label("status", "retired_status", default="Retired") == "Retired"
    with pytest.raises(KeyError):
        label("no_such_kind", "concern")


def test_a_kind_refuses_a_code_written_twice():
    with pytest.raises(ValueError, match="duplicate code"):
        Terms("x", (Term(code="a", label="A"), Term(code="a", label="B")))


def test_the_vocabulary_is_plain_data_that_imports_no_rule():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(vocabulary.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names
    }
    assert imported <= {"thresholds"}
