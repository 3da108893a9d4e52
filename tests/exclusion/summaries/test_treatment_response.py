"""The activity summary in the light of treatment: the line of therapy, since when the current combination
has run, the PedCNO response against the episode at its start, the CDAS components and the spine watch.

Pure tests build plain facts (exclusion.summaries.facts); the service tests create treatments through
patients.treatments.services, as the browser and the API do, and read the summary the recompute stored.
"""

from __future__ import annotations

import datetime

import pytest

from exclusion.models import ActivitySummary
from exclusion.summaries.facts import (
    PEDCNO_SOURCE,
    EpisodeFacts,
    LesionFacts,
    TreatmentFacts,
    summarise,
)
from exclusion.summaries.services import summary_sweep
from patients.treatments.services import treatment_create, treatment_update
from tests.exclusion.summaries.helpers import from_scratch, stored
from tests.factories import case, make_episode

D = datetime.date
OEDEMA = LesionFacts("tibia", "left", modality="mri", marrow_oedema=True)
CLEAN = LesionFacts("tibia", "left", modality="mri", marrow_oedema=False)


def episode(day: D, **values) -> EpisodeFacts:
    return EpisodeFacts(id=day.toordinal(), assessed_on=day, **values)


def course(drug_class: str, drug: str, start: D, stop: D | None = None, reason: str = "") -> TreatmentFacts:
    return TreatmentFacts(drug_class, drug, start, stop, reason or ("inefficacy" if stop else ""))


def summary(episodes=(), treatments=()) -> dict:
    return summarise(list(episodes), open_flag=False, current_ruleset="x", treatments=list(treatments))


NAPROXEN = course("nsaid", "naproxen", D(2024, 1, 10))
# Baseline and follow-up: ESR, patient global, physician global and CHAQ all improve by 80% or more.
BASELINE = dict(esr_mm_h=40, patient_global_vas=5, physician_global_vas=6, chaq=1.0, lesions=(OEDEMA,))
BETTER = dict(esr_mm_h=8, patient_global_vas=1, physician_global_vas=1, chaq=0.2, lesions=(OEDEMA,))


# --- line of therapy and the current combination ---------------------------------------------------------


def test_no_course_recorded_is_line_0_with_no_combination():
    assert summary()["treatment"] == {"current": [], "line": 0, "since": None}


def test_nsaids_alone_are_line_1_whatever_the_number_of_nsaids():
    ibuprofen = course("nsaid", "ibuprofen", D(2023, 6, 1), D(2024, 1, 10))
    treatment = summary(treatments=[ibuprofen, NAPROXEN])["treatment"]
    assert treatment["line"] == 1
    assert treatment["current"] == [{"drug_class": "nsaid", "drug": "naproxen", "started_on": "2024-01-10"}]
    assert treatment["since"] == "2024-01-10"


def test_glucocorticoid_bridging_never_adds_a_line_as_the_reference_gives_no_length_for_short():
    # Reference §7: short glucocorticoid courses are permitted as bridging in all CARRA plans; no duration.
    prednisolone = course("glucocorticoid", "prednisolone", D(2024, 2, 1), D(2024, 9, 1), "remission")
    assert summary(treatments=[NAPROXEN, prednisolone])["treatment"]["line"] == 1


def test_each_further_class_beyond_nsaids_adds_one_line_once():
    treatments = [
        course("nsaid", "naproxen", D(2024, 1, 10), D(2024, 6, 1)),
        course("methotrexate", "methotrexate", D(2024, 6, 1)),
        course("tnf_inhibitor", "etanercept", D(2024, 8, 1), D(2024, 10, 1)),
        course("tnf_inhibitor", "adalimumab", D(2024, 10, 1)),
    ]
    treatment = summary(treatments=treatments)["treatment"]
    assert treatment["line"] == 3  # NSAID (1) + methotrexate + TNF inhibitor (one class, two drugs)
    assert [c["drug"] for c in treatment["current"]] == ["methotrexate", "adalimumab"]
    assert treatment["since"] == "2024-10-01"  # etanercept stopped and adalimumab started that day


def test_stopping_one_drug_of_a_combination_starts_a_new_combination():
    treatments = [
        course("nsaid", "naproxen", D(2024, 1, 10), D(2024, 7, 15)),
        course("methotrexate", "methotrexate", D(2024, 3, 1)),
    ]
    assert summary(treatments=treatments)["treatment"]["since"] == "2024-07-15"


# --- response against the start of the current combination ----------------------------------------------


def test_the_response_is_measured_against_the_episode_at_the_start_of_the_current_combination():
    first = episode(D(2023, 11, 1), esr_mm_h=10, patient_global_vas=1, physician_global_vas=1, chaq=0.1)
    at_switch = episode(D(2024, 6, 1), **BASELINE)
    follow_up = episode(D(2024, 12, 1), **BETTER)
    treatments = [
        course("nsaid", "naproxen", D(2023, 11, 1), D(2024, 6, 1)),
        course("tnf_inhibitor", "adalimumab", D(2024, 6, 1)),
    ]
    values = summary([first, at_switch, follow_up], treatments)
    response = values["response"]
    assert response["baseline_episode_id"] == at_switch.id
    assert (response["pedcno"], response["label"]) == (70, "PedCNO70")
    assert response["episode_id"] == follow_up.id and response["since"] == "2024-06-01"
    assert response["source"] == PEDCNO_SOURCE  # the same recalled-definition label as `pedcno`
    # Against the first episode (today's `pedcno`) the child looks worse: a different question.
    assert values["pedcno"] == 0


def test_the_baseline_is_the_episode_last_before_the_start_when_none_is_on_that_day():
    before = episode(D(2024, 1, 2), **BASELINE)
    after = episode(D(2024, 7, 1), **BETTER)
    response = summary([before, after], [NAPROXEN])["response"]
    assert response["baseline_episode_id"] == before.id and response["pedcno"] == 70


def test_without_an_episode_at_or_before_the_start_the_response_is_not_evaluable():
    response = summary([episode(D(2024, 3, 1), **BETTER)], [NAPROXEN])["response"]
    assert (response["pedcno"], response["label"]) == (None, "not evaluable")
    assert response["not_evaluable_reason"] == "no_baseline_episode"


def test_without_a_follow_up_after_the_baseline_the_response_is_not_evaluable():
    response = summary([episode(D(2024, 1, 10), **BASELINE)], [NAPROXEN])["response"]
    assert response["not_evaluable_reason"] == "no_follow_up_episode" and response["label"] == "not evaluable"


def test_without_a_current_course_the_response_is_not_evaluable():
    stopped = course("nsaid", "naproxen", D(2024, 1, 10), D(2024, 5, 1), "remission")
    episodes = [episode(D(2024, 1, 10), **BASELINE), episode(D(2024, 7, 1), **BETTER)]
    assert summary(episodes, [stopped])["response"]["not_evaluable_reason"] == "no_current_treatment"
    assert summary(episodes)["response"]["not_evaluable_reason"] == "no_current_treatment"


# --- MRI lesion count with a whole-body MRI; CDAS components ---------------------------------------------


def test_a_whole_body_mri_without_lesions_is_a_clean_scan_counted_as_zero_active_mri_lesions():
    assert episode(D(2024, 5, 1), whole_body_mri=True).mri_lesions == 0
    assert episode(D(2024, 5, 1), whole_body_mri=None).mri_lesions is None  # MRI maybe not done
    assert episode(D(2024, 5, 1), whole_body_mri=True, lesions=(OEDEMA, CLEAN)).mri_lesions == 1


def test_a_clean_whole_body_mri_makes_the_mri_variable_of_the_response_evaluable():
    # MRI lesions 1 → 0 (−100%) with the other four improving: the clean scan counts as an improvement.
    baseline = episode(D(2024, 1, 10), **BASELINE)
    clean = episode(D(2024, 7, 1), **{**BETTER, "lesions": ()}, whole_body_mri=True)
    assert summary([baseline, clean], [NAPROXEN])["response"]["pedcno"] == 70


def test_cdas_components_are_those_of_the_latest_episode_without_a_total():
    symptomatic = LesionFacts("femur", "left", modality="mri", marrow_oedema=True, symptomatic=True)
    silent = LesionFacts("tibia", "right", modality="mri", marrow_oedema=True)
    latest = episode(D(2024, 7, 1), pain_vas=3, patient_global_vas=2.5, lesions=(symptomatic, silent))
    cdas = summary([episode(D(2024, 1, 1), pain_vas=8), latest])["cdas_components"]
    assert cdas == {
        "episode_id": latest.id,
        "assessed_on": "2024-07-01",
        "patient_pain": 3,
        "patient_global": 2.5,
        "clinical_lesion_count": 1,
    }
    assert summary()["cdas_components"] is None


# --- spine watch -----------------------------------------------------------------------------------------


def test_the_spine_watch_lists_each_level_with_its_first_date_activity_and_collapse():
    t7 = LesionFacts("spine_thoracic", level="T7", modality="mri", marrow_oedema=True)
    t8_collapsed = LesionFacts(
        "spine_thoracic", level="T8", modality="mri", marrow_oedema=True, vertebral_collapse=True
    )
    t7_healed = LesionFacts("spine_thoracic", level="T7", modality="mri")
    l2 = LesionFacts("spine_lumbar", level="L2", modality="mri", marrow_oedema=True)
    episodes = [
        episode(D(2024, 1, 5), lesions=(t7,)),
        episode(D(2024, 4, 5), lesions=(t7, t8_collapsed, l2)),
        episode(D(2024, 9, 5), lesions=(t7_healed,), whole_body_mri=True),
    ]
    spine = summary(episodes)["spine"]
    rows = {row["level"]: row for row in spine["levels"]}
    assert [row["level"] for row in spine["levels"]] == ["T7", "T8", "L2"]
    assert rows["T7"]["first_seen_on"] == "2024-01-05" and rows["T7"]["last_seen_on"] == "2024-09-05"
    assert rows["T7"]["active_now"] is False  # listed, healed
    assert rows["T8"]["active_now"] is False  # not listed by a complete whole-body MRI
    assert (rows["T8"]["collapse"], rows["T8"]["collapse_first_seen_on"]) == (True, "2024-04-05")
    assert [s["active"] for s in rows["T7"]["seen"]] == [True, True, False]
    assert spine["any_collapse"] is True and spine["any_active_now"] is False


def test_a_level_not_reimaged_at_the_latest_episode_is_of_unknown_activity():
    t7 = LesionFacts("spine_thoracic", level="T7", modality="mri", marrow_oedema=True)
    spine = summary([episode(D(2024, 1, 5), lesions=(t7,)), episode(D(2024, 6, 5))])["spine"]
    assert spine["levels"][0]["active_now"] is None and spine["any_active_now"] is False


# --- through the services ---------------------------------------------------------------------------------


def active_follow_up(day: str) -> dict:
    return case(assessed_on=day)  # the contract example: MRI marrow oedema, pain 4: active


@pytest.mark.django_db
def test_a_treatment_change_recomputes_the_summary_with_line_and_baseline_at_the_switch(north):
    first = make_episode(north, "TR-1", case(assessed_on="2024-05-10"))
    patient = first.patient
    naproxen = treatment_create(
        actor=None, patient=patient, drug_class="nsaid", drug="naproxen", started_on=D(2024, 5, 10)
    )
    make_episode(north, "TR-1", active_follow_up("2024-08-10"))
    switch = make_episode(north, "TR-1", active_follow_up("2024-11-10"))
    summary_sweep(sync=True)
    values = stored(patient)
    assert values["treatment"]["line"] == 1
    assert values["response"]["baseline_episode_id"] == first.id
    assert "nsaid_refractory" in [p["code"] for p in values["prompts"]]

    treatment_update(
        actor=None,
        treatment=naproxen,
        version=naproxen.version,
        stopped_on=D(2024, 11, 10),
        stop_reason="inefficacy",
    )
    treatment_create(
        actor=None, patient=patient, drug_class="tnf_inhibitor", drug="adalimumab", started_on=D(2024, 11, 10)
    )
    assert ActivitySummary.objects.get(patient=patient).stale is True
    summary_sweep(sync=True)
    values = stored(patient)
    assert values["treatment"] == {
        "current": [{"drug_class": "tnf_inhibitor", "drug": "adalimumab", "started_on": "2024-11-10"}],
        "line": 2,
        "since": "2024-11-10",
    }
    assert values["response"]["baseline_episode_id"] == switch.id
    assert values["response"]["not_evaluable_reason"] == "no_follow_up_episode"
    assert "nsaid_refractory" not in [p["code"] for p in values["prompts"]]
    assert values == from_scratch(patient)
