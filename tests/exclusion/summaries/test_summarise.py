"""The summary values of one patient (pure computation, no database)."""

from __future__ import annotations

import datetime

from exclusion.summaries.facts import AssessmentFacts, EpisodeFacts, LesionFacts, activity_state, summarise

OEDEMA = LesionFacts("tibia", "left", "", "mri", marrow_oedema=True)
QUIET_MRI = LesionFacts("tibia", "left", "", "mri")
ASSESSMENT = AssessmentFacts("2026.11", False, True, "criterion_1_met", 63)


def episode(day: int = 1, lesions=(), **values) -> EpisodeFacts:
    return EpisodeFacts(id=day, assessed_on=datetime.date(2024, 3, day), lesions=tuple(lesions), **values)


def test_an_mri_lesion_with_marrow_oedema_is_active():
    assert episode(lesions=[OEDEMA]).active_lesions == 1


def test_a_lesion_marked_active_is_active_on_any_modality():
    assert episode(lesions=[LesionFacts("femur", modality="xray", active=True)]).active_lesions == 1


def test_oedema_reported_outside_mri_does_not_make_a_lesion_active():
    assert episode(lesions=[LesionFacts("femur", modality="xray", marrow_oedema=True)]).active_lesions == 0


def test_pain_of_one_makes_the_state_active():
    assert activity_state(episode(pain_vas=1, physician_global_vas=0)) == "active"


def test_physician_global_of_one_makes_the_state_active():
    assert activity_state(episode(pain_vas=0, physician_global_vas=1)) == "active"


def test_an_active_lesion_makes_the_state_active_even_without_scores():
    assert activity_state(episode(lesions=[OEDEMA])) == "active"


def test_no_activity_with_both_scores_zero_is_inactive():
    assert activity_state(episode(lesions=[QUIET_MRI], pain_vas=0, physician_global_vas=0)) == "inactive"


def test_an_unknown_score_without_activity_is_unknown():
    assert activity_state(episode(pain_vas=0)) == "unknown"
    assert activity_state(episode(pain_vas=0.5, physician_global_vas=0)) == "unknown"


def test_no_episode_is_unknown():
    assert activity_state(None) == "unknown"


def test_summary_of_a_course_uses_the_latest_episode_and_keeps_a_trend_oldest_first():
    first = episode(
        1,
        [OEDEMA, LesionFacts("tibia", "right", "", "mri", marrow_oedema=True)],
        crp_mg_l=12,
        esr_mm_h=30,
        pain_vas=5,
        physician_global_vas=5,
    )
    latest = EpisodeFacts(
        id=9,
        assessed_on=datetime.date(2024, 9, 1),
        lesions=(QUIET_MRI, LesionFacts("spine_thoracic", level="T7")),
        esr_mm_h=8,
        pain_vas=0,
        physician_global_vas=0,
        assessment=ASSESSMENT,
    )
    values = summarise([latest, first], open_flag=True, current_ruleset="2026.11")
    assert values["episodes_count"] == 2
    assert values["first_assessed_on"] == datetime.date(2024, 3, 1)
    assert values["latest_assessed_on"] == datetime.date(2024, 9, 1)
    assert values["latest"] == {
        "episode_id": 9,
        "assessed_on": "2024-09-01",
        "focality": "multifocal",
        "bones_involved": 2,
        "symmetric": False,
        "active_lesions": 0,
        "biopsy_recommended": False,
        "exclusion_complete": True,
        "bristol_status": "criterion_1_met",
        "jansson_points": 63,
    }
    assert [point["episode_id"] for point in values["trend"]] == [1, 9]
    assert values["trend"][0] == {
        "episode_id": 1,
        "assessed_on": "2024-03-01",
        "crp_mg_l": 12,
        "esr_mm_h": 30,
        "active_lesions": 2,
        "pain_vas": 5,
        "physician_global_vas": 5,
    }
    assert values["activity_state"] == "inactive"
    assert values["severe_course"] is True  # physician global 5 at the first visit
    assert values["spine_involved"] is True
    assert values["open_flag"] is True
    assert values["ruleset"] == "2026.11"


def test_active_lesions_while_pain_is_zero_is_silent_activity():
    values = summarise([episode(lesions=[OEDEMA], pain_vas=0)], open_flag=False, current_ruleset="x")
    assert values["silent_activity"] is True
    assert (
        summarise([episode(lesions=[OEDEMA])], open_flag=False, current_ruleset="x")["silent_activity"]
        is False
    )


def test_physician_global_below_four_is_not_a_severe_course():
    assert (
        summarise([episode(physician_global_vas=3.9)], open_flag=False, current_ruleset="x")["severe_course"]
        is False
    )


def test_vertebral_collapse_on_any_episode_is_reported():
    collapsed = LesionFacts("spine_lumbar", level="L2", vertebral_collapse=True)
    values = summarise([episode(1, [collapsed]), episode(2)], open_flag=False, current_ruleset="x")
    assert values["vertebral_collapse"] is True and values["spine_involved"] is True


def test_an_assessment_of_an_older_ruleset_makes_the_summary_name_that_ruleset():
    old = AssessmentFacts("2025.01", False, True, "criterion_1_met", 40)
    values = summarise(
        [episode(1, assessment=old), episode(2, assessment=ASSESSMENT)],
        open_flag=False,
        current_ruleset="2026.11",
    )
    assert values["ruleset"] == "2025.01"


def test_a_patient_without_episodes_has_an_empty_summary():
    values = summarise([], open_flag=False, current_ruleset="2026.11")
    assert values["episodes_count"] == 0 and values["latest"] is None and values["trend"] == []
    assert values["activity_state"] == "unknown" and values["pedcno"] is None
