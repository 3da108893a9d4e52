"""The rules changed or added by ruleset 2026.12 (the case format's changelog, docs/case-format.md), each at
its boundary and with its source."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from .helpers import ASSESSED, codes, drop, example, lesion, run, set_path, status, with_


def onset_days_before_assessment(days: int) -> dict:
    return with_(example(), episode__onset_on=(ASSESSED - timedelta(days=days)).isoformat())


def eular(result: dict) -> dict:
    return result["eular_acr_2025"]


# --- EULAR/ACR 2025 entry criterion (Zhao 2025) ------------------------------------------------------------
def test_42_days_of_bone_pain_meet_the_entry_criterion_and_41_do_not():
    """Zhao 2025 entry: symptoms for at least 6 weeks (42 days), counted from onset_on to assessed_on."""
    assert eular(run(onset_days_before_assessment(42)))["entry"] == "met"
    assert eular(run(onset_days_before_assessment(41))) == {
        "entry": "not_met",
        "exclusions": "cleared",
        "status": "entry_not_met",
        "score": None,
    }


def test_onset_at_17_9_years_meets_the_entry_criterion_and_at_18_0_does_not():
    """Zhao 2025 entry: symptom onset before 18 years (numeric ages, no birth date)."""
    doc = with_(drop(example(), "patient.birth_date"), episode__age_years=18.5)
    assert eular(run(with_(doc, episode__age_at_onset_years=17.9)))["entry"] == "met"
    assert eular(run(with_(doc, episode__age_at_onset_years=18.0)))["entry"] == "not_met"


def test_onset_18_years_to_the_day_is_not_before_18():
    """Zhao 2025 entry; contract: years = days / 365.25, so 18 years = 6574.5 days."""
    onset = date(2024, 2, 1)
    for days, entry in ((6574, "met"), (6575, "not_met")):
        doc = with_(example(), patient__birth_date=(onset - timedelta(days=days)).isoformat())
        assert eular(run(doc))["entry"] == entry, days


def test_without_an_onset_date_the_entry_criterion_is_unknown_never_not_met():
    """Contract: duration and age at onset are unknown without onset_on; unknown is never "no"."""
    result = run(drop(example(), "episode.onset_on"))
    assert eular(result) == {
        "entry": "unknown",
        "exclusions": "cleared",
        "status": "incomplete",
        "score": None,
    }


def test_bone_pain_false_is_not_met_and_bone_pain_unknown_is_unknown():
    """Zhao 2025 entry: bone pain."""
    assert eular(run(with_(example(), episode__symptoms__bone_pain=False)))["entry"] == "not_met"
    assert eular(run(with_(example(), episode__symptoms__bone_pain=None)))["entry"] == "unknown"


def test_a_lesion_typical_only_on_ct_or_a_bone_scan_does_not_meet_the_entry_criterion():
    """Zhao 2025 entry: typical on radiograph or MRI; CT and bone scan do not count (Bristol counts CT)."""
    ct = with_(example(), episode__lesions=[lesion(modality="ct", marrow_oedema=False, sclerosis=True)])
    assert eular(run(ct))["entry"] == "not_met"
    xray = with_(example(), episode__lesions=[lesion(modality="xray", marrow_oedema=False, sclerosis=True)])
    assert eular(run(xray))["entry"] == "met"
    scan = with_(example(), episode__lesions=[lesion(modality="bone_scan")])
    assert eular(run(scan))["entry"] == "not_met"


def test_no_lesion_means_the_entry_criterion_is_not_met():
    """Contract: "lesions present and none typical on radiograph or MRI, or no lesions" is not met."""
    assert eular(run(with_(example(), episode__lesions=[])))["entry"] == "not_met"


# --- EULAR/ACR 2025 exclusions and status ------------------------------------------------------------------
def test_a_mimic_in_concern_is_not_cleared_and_wins_over_unknown_entry():
    """Zhao 2025 exclusions: malignancy, infection, vitamin C deficiency, hypophosphatasia."""
    doc = drop(with_(example(), episode__labs__vitamin_c_low=True), "episode.onset_on")
    assert eular(run(doc)) == {
        "entry": "unknown",
        "exclusions": "not_cleared",
        "status": "mimic_not_excluded",
        "score": None,
    }


def test_entry_not_met_wins_over_a_mimic_not_cleared():
    """Contract: entry_not_met is decided first."""
    doc = with_(onset_days_before_assessment(10), episode__labs__crp_mg_l=80)
    assert eular(run(doc))["exclusions"] == "not_cleared"
    assert eular(run(doc))["status"] == "entry_not_met"


def test_a_mimic_with_missing_data_leaves_the_exclusions_unknown():
    """Contract: cleared only when all four are excluded or no_red_flags. Monogenic disease is not among
    the classification exclusions, so an unknown age at onset alone does not hold the exclusions back."""
    assert eular(run(drop(example(), "episode.labs.alp_u_l")))["exclusions"] == "unknown"
    monogenic_open = run(drop(example(), "episode.onset_on"))
    assert status(monogenic_open, "monogenic") == "incomplete"
    assert eular(monogenic_open)["exclusions"] == "cleared"


# --- malignancy screening: neutrophils and the examination ------------------------------------------
@pytest.mark.parametrize("finding", ["hepatomegaly", "splenomegaly", "lymphadenopathy"])
def test_an_organ_not_examined_keeps_malignancy_incomplete(finding):
    """Louvigné 2020: organomegaly or nodes carry an odds ratio of 154 for leukaemia, so an unrecorded
    examination is missing screening data (ruleset 2026.12), never "no red flags"."""
    result = run(set_path(example(), f"episode.findings.{finding}", None))
    assert status(result, "malignancy") == "incomplete"
    assert result["differentials"]["malignancy"]["missing"] == [f"episode.findings.{finding}"]
    assert result["exclusion_complete"] is False


def test_neutrophils_unknown_keep_malignancy_incomplete():
    """Louvigné 2020: neutrophils < 2.0 point to ALL (OR 50); the count is screening data."""
    result = run(set_path(example(), "episode.labs.neutrophils_10e9_l", None))
    assert status(result, "malignancy") == "incomplete"
    assert result["differentials"]["malignancy"]["missing"] == ["episode.labs.neutrophils_10e9_l"]


# --- Bristol criterion 1 and exclusion_complete ------------------------------------------------------------
def test_a_leukaemia_picture_never_reads_bristol_criterion_1():
    """Roderick 2016 ("typical clinical findings"), ruleset 2026.12: infection or malignancy in concern sends
    the case down the biopsy route. Blasts with WBC 2.3 and platelets 62, as in the demo's leukaemia mimic."""
    doc = with_(
        example(),
        episode__labs__blasts_on_smear=True,
        episode__labs__wbc_10e9_l=2.3,
        episode__labs__platelets_10e9_l=62,
    )
    result = run(doc)
    assert status(result, "malignancy") == "concern"
    assert result["bristol"]["status"] == "biopsy_required"
    assert result["biopsy"]["reasons"] == ["malignancy_concern"]


def test_an_infection_concern_also_blocks_bristol_criterion_1():
    """Ruleset 2026.12: neither infection nor malignancy in concern (here a positive blood culture)."""
    result = run(with_(example(), episode__labs__blood_culture="positive"))
    assert result["bristol"]["status"] == "biopsy_required"


def test_the_work_up_is_not_complete_while_a_biopsy_is_recommended():
    """Contract exclusion_complete (ruleset 2026.12): a single femur lesion without biopsy is not a
    complete work-up, though every differential is free of red flags."""
    femur = with_(example(), episode__lesions=[lesion(site="femur")])
    result = run(femur)
    assert {d["status"] for d in result["differentials"].values()} <= {"excluded", "no_red_flags"}
    assert result["biopsy"]["recommended"] is True
    assert result["exclusion_complete"] is False
    biopsied = with_(
        femur, episode__biopsy={"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": False}
    )
    after = run(biopsied)
    assert after["biopsy"] == {
        "recommended": False,
        "reasons": ["unifocal_non_clavicular"],  # reasons are still reported
        "adequate_biopsy_on_file": True,
    }
    assert after["exclusion_complete"] is True


def test_jansson_gives_no_verdict_at_3_years_or_less_whatever_the_points():
    """Jansson 2009, derived in patients over 3; contract 2026.12 writes down supports_nbo null."""
    toddler = with_(example(), patient__birth_date="2021-06-01")  # 2.9 years at assessment
    result = run(toddler)
    assert result["jansson"]["applicable"] is False
    assert result["jansson"]["points"] == 63
    assert result["jansson"]["supports_nbo"] is None


def test_onset_findings_use_the_age_at_assessment_only_under_3():
    """Contract derived ages: an age at assessment under 3 means an onset under 3."""
    result = run(drop(with_(example(), patient__birth_date="2022-01-01"), "episode.onset_on"))
    assert codes(result, "monogenic") == ["MONO-ONSET-UNDER-3"]
    assert "Assessed at 2.4 years" in result["differentials"]["monogenic"]["findings"][0]["text"]
