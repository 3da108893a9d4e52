"""Decision-support prompts of the activity summary: each names its source (reference J1–J4) and the
boundary it checks. Pure facts in, the summary's `prompts` out."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from exclusion.engine.prompts import PROMPTS_BY_CODE
from exclusion.models import ActivitySummary
from exclusion.summaries.facts import AssessmentFacts, EpisodeFacts, LesionFacts, TreatmentFacts, summarise
from exclusion.summaries.services import summary_sweep

D = datetime.date
OEDEMA = LesionFacts("tibia", "left", modality="mri", marrow_oedema=True)
NAPROXEN = TreatmentFacts("nsaid", "naproxen", D(2024, 1, 10))


def codes(episodes, treatments=()) -> list[str]:
    values = summarise(list(episodes), open_flag=False, current_ruleset="x", treatments=list(treatments))
    return [prompt["code"] for prompt in values["prompts"]]


def ep(day: D, **values) -> EpisodeFacts:
    return EpisodeFacts(id=day.toordinal(), assessed_on=day, whole_body_mri=True, **values)


def test_nsaid_refractory_j3_zhao_2018_active_at_two_consecutive_episodes_on_nsaids_prompts_at_one_not():
    baseline = ep(D(2024, 1, 10), lesions=(OEDEMA,))
    one = ep(D(2024, 4, 10), lesions=(OEDEMA,))
    two = ep(D(2024, 7, 10), lesions=(OEDEMA,))
    assert "nsaid_refractory" not in codes([baseline, one], [NAPROXEN])  # the baseline is not on NSAIDs
    assert "nsaid_refractory" in codes([baseline, one, two], [NAPROXEN])
    assert "Zhao" in PROMPTS_BY_CODE["nsaid_refractory"].source


def test_spine_second_line_j2_zhao_2018_a_vertebral_collapse_prompts():
    collapse = LesionFacts("spine_thoracic", level="T7", modality="mri", vertebral_collapse=True)
    assert "spine_second_line" in codes([ep(D(2024, 1, 10), lesions=(collapse,))])
    assert "spine_second_line" not in codes([ep(D(2024, 1, 10), lesions=(OEDEMA,))])


def test_wbmri_at_diagnosis_j1_dangelo_2021_only_without_a_whole_body_mri_at_the_first_episode():
    assert "wbmri_at_diagnosis" not in codes([ep(D(2024, 1, 10))])
    first = EpisodeFacts(id=1, assessed_on=D(2024, 1, 10))
    assert "wbmri_at_diagnosis" in codes([first])
    assert "PMID 33033917" in PROMPTS_BY_CODE["wbmri_at_diagnosis"].source


def test_every_prompt_is_worded_consider_and_never_gives_a_dose():
    for prompt in PROMPTS_BY_CODE.values():
        assert "consider" in prompt.text.lower() and "mg" not in prompt.text


def test_spine_imaging_j1_back_pain_without_whole_body_or_spinal_mri_prompts_and_a_spinal_mri_settles_it():
    no_wbmri = EpisodeFacts(id=1, assessed_on=D(2024, 1, 10), whole_body_mri=False, back_pain=True)
    assert "spine_imaging" in codes([no_wbmri])
    spinal = LesionFacts("spine_lumbar", level="L2", modality="mri", marrow_oedema=True)
    imaged = EpisodeFacts(
        id=2, assessed_on=D(2024, 1, 10), whole_body_mri=False, back_pain=True, lesions=(spinal,)
    )
    assert "spine_imaging" not in codes([imaged])
    assert "spine_imaging" not in codes(
        [ep(D(2024, 1, 10), back_pain=True)]
    )  # whole-body MRI includes the spine
    assert "spine_imaging" not in codes(
        [EpisodeFacts(id=3, assessed_on=D(2024, 1, 10), whole_body_mri=False)]
    )


def test_monogenic_il1_j4_only_while_the_monogenic_differential_is_a_concern():
    def assessed(concern: bool) -> EpisodeFacts:
        facts = AssessmentFacts("2026.12", False, False, "not_met", None, monogenic_concern=concern)
        return ep(D(2024, 1, 10), assessment=facts)

    assert "monogenic_il1" in codes([assessed(True)])
    assert "monogenic_il1" not in codes([assessed(False)])
    prompt = PROMPTS_BY_CODE["monogenic_il1"]
    assert "IL-1" in prompt.text and "consider" in prompt.text.lower()


@pytest.mark.django_db
def test_the_demo_data_shows_every_prompt_for_at_least_one_patient(settings):
    """Issue 14, item 5: the demo histories exercise each prompt, so `make run` shows all five."""
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    summary_sweep(sync=True)
    shown: dict[str, set[str]] = {}
    for summary in ActivitySummary.objects.select_related("patient"):
        for prompt in summary.prompts or []:
            shown.setdefault(prompt["code"], set()).add(summary.patient.record_number)
    assert set(shown) == set(PROMPTS_BY_CODE)
    assert "SB-2017" in shown["nsaid_refractory"]  # MRI-active at two follow-ups on naproxen alone
    assert "NF-1017" in shown["spine_second_line"]  # vertebral collapse
    assert "SB-2014" in shown["monogenic_il1"]  # Majeed-like
    assert "SB-2002" in shown["spine_imaging"]  # back pain at follow-up, femur and foot imaged only
