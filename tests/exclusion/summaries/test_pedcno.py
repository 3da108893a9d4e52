"""PedCNO response level (recalled [R] definition, Beck 2010): boundaries and evaluability."""

from __future__ import annotations

import datetime

from exclusion.summaries.facts import PEDCNO_SOURCE, EpisodeFacts, LesionFacts, pedcno, pedcno_level

BASE = {"esr_mm_h": 40, "mri_lesions": 10, "physician_global_vas": 10, "patient_global_vas": 10, "chaq": 2.0}


def improved(fraction: float, names=("esr_mm_h", "mri_lesions", "physician_global_vas"), **others):
    """Follow-up values with `names` improved by `fraction`; the rest unchanged unless given."""
    values = {name: BASE[name] * (1 - fraction) if name in names else BASE[name] for name in BASE}
    values.update(others)
    return values


def test_exactly_30_percent_in_three_variables_reaches_pedcno30():
    assert pedcno_level(BASE, improved(0.30)) == 30


def test_just_under_30_percent_is_no_response():
    assert pedcno_level(BASE, improved(0.29)) == 0


def test_exactly_50_percent_reaches_pedcno50_not_70():
    assert pedcno_level(BASE, improved(0.50)) == 50


def test_just_under_50_percent_stays_at_pedcno30():
    assert pedcno_level(BASE, improved(0.49)) == 30


def test_exactly_70_percent_reaches_pedcno70():
    assert pedcno_level(BASE, improved(0.70)) == 70


def test_just_under_70_percent_stays_at_pedcno50():
    assert pedcno_level(BASE, improved(0.69)) == 50


def test_90_percent_in_three_variables_reaches_pedcno90():
    assert pedcno_level(BASE, improved(0.90)) == 90


def test_two_improving_variables_are_not_enough():
    assert pedcno_level(BASE, improved(0.80, names=("esr_mm_h", "chaq"))) == 0


def test_one_variable_worsening_more_than_30_percent_is_tolerated():
    assert pedcno_level(BASE, improved(0.50, chaq=2.0 * 1.5)) == 50


def test_two_variables_worsening_more_than_30_percent_cancel_the_response():
    assert pedcno_level(BASE, improved(0.90, chaq=3.0, patient_global_vas=14)) == 0


def test_worsening_of_exactly_30_percent_does_not_count_as_worsening():
    assert pedcno_level(BASE, improved(0.50, chaq=2.6, patient_global_vas=13)) == 50


def test_a_baseline_of_zero_makes_that_variable_not_evaluable():
    baseline = {**BASE, "chaq": 0}
    # Four evaluable variables: three improve by 70%, CHAQ (baseline 0) cannot count either way.
    assert pedcno_level(baseline, improved(0.70, chaq=0)) == 70
    # Only two evaluable improvements plus the unevaluable one: the level depends on the unknown variable.
    assert pedcno_level(baseline, improved(0.70, names=("esr_mm_h", "mri_lesions"), chaq=0)) is None


def test_all_baselines_zero_is_not_evaluable():
    zero = dict.fromkeys(BASE, 0)
    assert pedcno_level(zero, zero) is None


def test_unknown_values_that_could_change_the_level_give_not_evaluable():
    follow_up = improved(0.50, patient_global_vas=None, chaq=None)
    # Three evaluable variables improve by 50%, but two unknown ones might both have worsened.
    assert pedcno_level(BASE, follow_up) is None


def test_unknown_values_that_cannot_change_the_level_still_give_a_level():
    follow_up = improved(
        0.10, names=("esr_mm_h", "mri_lesions", "physician_global_vas", "patient_global_vas")
    )
    follow_up["chaq"] = None
    # The four evaluable variables improve by only 10%: whatever CHAQ did, three cannot reach 30%.
    assert pedcno_level(BASE, follow_up) == 0


def _episode(
    day: int, esr: float, lesions: int, physician: float, patient: float, chaq: float
) -> EpisodeFacts:
    return EpisodeFacts(
        id=day,
        assessed_on=datetime.date(2024, 1, day),
        esr_mm_h=esr,
        physician_global_vas=physician,
        patient_global_vas=patient,
        chaq=chaq,
        lesions=tuple(LesionFacts("tibia", "left", str(i), "mri", marrow_oedema=True) for i in range(lesions))
        + (LesionFacts("femur", "left", "", "mri"),),  # an MRI was done at every visit
    )


def test_pedcno_compares_the_latest_episode_with_the_first():
    first = _episode(1, 40, 4, 8, 8, 1.0)
    middle = _episode(2, 80, 8, 9, 9, 2.0)
    latest = _episode(3, 10, 1, 2, 2, 0.25)
    assert pedcno([first, middle, latest]) == 70


def test_one_episode_has_no_pedcno():
    assert pedcno([_episode(1, 40, 4, 8, 8, 1.0)]) is None


def test_mri_lesion_count_is_unknown_without_any_mri_lesion_recorded():
    lesions = (LesionFacts("tibia", modality="xray"),)
    episode = EpisodeFacts(id=1, assessed_on=datetime.date(2024, 1, 1), lesions=lesions)
    assert episode.mri_lesions is None


def test_the_rule_is_labelled_as_recalled_with_its_citation():
    assert "[R]" in PEDCNO_SOURCE and "Beck" in PEDCNO_SOURCE and "2010" in PEDCNO_SOURCE
