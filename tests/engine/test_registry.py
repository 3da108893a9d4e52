"""The declarative rule registry: every rule is one keyword-only Rule that decides itself, and the engine
reaches every one of them."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given

from exclusion import engine
from exclusion.engine import rules as R
from exclusion.engine import vocabulary as V
from exclusion.engine.rules import REGISTRY, Rule
from exclusion.engine.snapshot import build_snapshot

from .helpers import HERE, TODAY, born_days_before, drop, example, lesion, run, with_
from .test_properties import SETTINGS, cases

VIGNETTES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((HERE / "vignettes").glob("*.json"))]
EMPTY_CASE = {
    "schema": "cno-case/1",
    "patient": {"sex": "unknown"},
    "episode": {"assessed_on": "2024-05-10", "lesions": []},
}


def _varied_cases() -> list[dict]:
    """The vignettes and edits of the contract example that, together, give every rule a say."""
    adequate = {"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": False}
    return [
        example(),
        EMPTY_CASE,
        *VIGNETTES,
        with_(example(), episode__biopsy=adequate),
        with_(example(), episode__labs__vitamin_c_low=False),
        drop(example(), "episode.labs.alp_u_l"),
        born_days_before(example(), 100),
        with_(example(), episode__lesions=[lesion()], episode__symptoms__ill_appearance=True),
        with_(example(), episode__labs__crp_mg_l=45, episode__labs__wbc_10e9_l=2.0),
    ]


def test_every_rule_has_an_id_a_title_inputs_an_explanation_a_source_a_group_and_its_own_logic():
    for rule_id, rule in REGISTRY.items():
        assert rule.id == rule_id
        assert rule.title and rule.explanation and rule.source and rule.inputs, rule_id
        assert rule.group in V.RULE_GROUPS, rule_id
        assert callable(rule.evaluate), rule_id


def test_rule_ids_are_unique_and_each_rule_object_is_registered_once():
    assert len({id(rule) for rule in REGISTRY.values()}) == len(REGISTRY)
    assert len({rule.evaluate for rule in REGISTRY.values()}) == len(REGISTRY)  # no logic shared


def test_a_rule_is_written_with_keywords_only():
    with pytest.raises(TypeError):
        Rule("X-1", "x", (), "x", "x", "infection", lambda s: None)  # type: ignore[misc]


def test_no_rule_is_unreachable_every_registered_rule_is_evaluated_by_the_engine():
    wanted = {rule.evaluate.__code__: rule.id for rule in REGISTRY.values()}
    seen: set[str] = set()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in wanted:
            seen.add(wanted[frame.f_code])

    old = sys.getprofile()
    sys.setprofile(profile)
    try:
        for doc in _varied_cases():
            run(doc)
    finally:
        sys.setprofile(old)
    assert set(REGISTRY) - seen == set()


def test_every_biopsy_reason_is_decided_by_its_own_rule():
    for doc in _varied_cases():
        result = run(doc)
        snapshot = build_snapshot(doc)
        diffs = result["differentials"]
        decided = [code for code, rule in R.BIOPSY_REASONS if rule.evaluate(snapshot, diffs)]
        assert result["biopsy"]["reasons"] == decided
    # Each reason rule, alone, fires for its own reason and not for the others'.
    tibia_only = run(with_(example(), episode__lesions=[lesion()]))["biopsy"]["reasons"]
    assert tibia_only == ["unifocal_non_clavicular"]
    ill = run(with_(example(), episode__symptoms__ill_appearance=True))["biopsy"]["reasons"]
    assert ill == ["ill_appearance"]


def test_the_biopsy_reasons_of_the_registry_are_the_biopsy_rules_except_adequacy():
    biopsy_rules = [rule for rule in REGISTRY.values() if rule.group == V.BIOPSY]
    assert [rule for _, rule in R.BIOPSY_REASONS] + [R.BIOPSY_ADEQUATE] == biopsy_rules


def test_every_differential_carries_its_red_flags_exclusion_and_screening_rules():
    assert tuple(d.name for d in R.DIFFERENTIALS) == V.DIFFERENTIALS.codes
    for d in R.DIFFERENTIALS:
        group = [rule for rule in REGISTRY.values() if rule.group == d.name]
        own = [*d.red_flags, *d.notes, d.screening] + ([d.exclusion] if d.exclusion else [])
        assert sorted(r.id for r in own) == sorted(r.id for r in group), d.name
    assert R.MONOGENIC.exclusion is None  # never excluded by the engine


def test_the_bristol_status_is_decided_by_the_rule_the_vocabulary_names():
    for doc in _varied_cases():
        snapshot = build_snapshot(doc)
        status = run(doc)["bristol"]["status"]
        differentials = run(doc)["differentials"]
        deciding = next(rule for rule in R.BRISTOL_RULES if rule.evaluate(snapshot, differentials))
        if deciding is R.BRISTOL_HISTOLOGY:
            # "not_met" has two routes: a malignant or LCH histology on any biopsy, or criterion 2 failed.
            assert status == "not_met"
        else:
            assert deciding.id == V.BRISTOL_STATUSES[status].rule


@SETTINGS
@given(cases())
def test_assess_valid_gives_the_same_assessment_as_assess(doc):
    assert engine.assess_valid(doc) == engine.assess(doc, today=TODAY)


def test_assess_valid_does_not_validate_again():
    doc = with_(example(), episode__labs__crp_mg_dl=3)  # unknown field: assess refuses it
    with pytest.raises(engine.CaseValidationError):
        engine.assess(doc)
    assert engine.assess_valid(doc)["schema"] == "cno-assessment/1"


def test_the_ruleset_version_is_read_when_assessing(monkeypatch):
    monkeypatch.setattr(sys.modules["exclusion.engine.assess"], "RULESET_VERSION", "2099.01")
    assert run(example())["ruleset"] == "2099.01"
    assert "(ruleset 2099.01)" in engine.explain(example(), today=TODAY)
