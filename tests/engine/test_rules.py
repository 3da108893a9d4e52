"""Each rule at its boundary. The source of each threshold is named in the test's docstring."""

from __future__ import annotations

import json

import pytest

from exclusion.engine import RULESET_VERSION, rule_catalogue
from exclusion.engine.rules import REGISTRY, Rule, register
from exclusion.engine.snapshot import build_snapshot

from .helpers import (
    HERE,
    born_days_before,
    check_shape,
    codes,
    drop,
    example,
    lesion,
    run,
    set_path,
    status,
    with_,
)

CONTRACT_EXAMPLE_OUTPUT = {
    "schema": "cno-assessment/1",
    "ruleset": "2026.12",
    "focality": "multifocal",
    "bones_involved": 3,
    "symmetric": True,
    "differentials": {
        "infection": {"status": "no_red_flags", "findings": [], "missing": []},
        "malignancy": {"status": "no_red_flags", "findings": [], "missing": []},
        "hypophosphatasia": {"status": "excluded", "findings": [], "missing": []},
        "scurvy": {"status": "no_red_flags", "findings": [], "missing": []},
        "monogenic": {"status": "no_red_flags", "findings": [], "missing": []},
    },
    "biopsy": {"recommended": False, "reasons": [], "adequate_biopsy_on_file": False},
    "bristol": {"status": "criterion_1_met"},
    "jansson": {
        "applicable": True,
        "points": 63,
        "possible_max": 63,
        "threshold": 39,
        "supports_nbo": True,
        "items": {
            "normal_blood_count": True,
            "symmetric_lesions": True,
            "marginal_sclerosis": True,
            "normal_body_temperature": True,
            "vertebral_clavicular_or_sternal": True,
            "more_than_one_lesion": True,
            "crp_at_least_10": True,
        },
    },
    "eular_acr_2025": {
        "entry": "met",
        "exclusions": "cleared",
        "status": "eligible_for_scoring",
        "score": None,
    },
    "exclusion_complete": True,
}


def test_the_contract_example_gives_exactly_the_contract_assessment():
    """the cno-case/1 contract: the example input and output documents."""
    result = run(example())
    assert result == CONTRACT_EXAMPLE_OUTPUT
    assert result["ruleset"] == RULESET_VERSION == "2026.12"
    check_shape(result)


# --- infection -------------------------------------------------------------------------------------------
def test_crp_29_9_is_not_raised_but_30_is():
    """Roderick 2016 (Bristol): CRP < 30 mg/L for criterion 1; exactly 30 counts as raised (conservative)."""
    below = run(with_(example(), episode__labs__crp_mg_l=29.9))
    assert status(below, "infection") == "no_red_flags"
    assert below["biopsy"]["reasons"] == []
    assert below["bristol"]["status"] == "criterion_1_met"

    at = run(with_(example(), episode__labs__crp_mg_l=30.0))
    assert status(at, "infection") == "concern"
    assert codes(at, "infection") == ["INF-CRP-30"]
    assert at["biopsy"]["reasons"] == ["crp_at_least_30", "infection_concern"]
    assert at["biopsy"]["recommended"] is True
    assert at["bristol"]["status"] == "biopsy_required"


def test_max_temperature_37_9_is_normal_but_38_0_is_fever():
    """Kostik 2023 (fever in bacterial osteomyelitis); Jansson 2009 normal body temperature item."""
    normal = run(with_(example(), episode__symptoms__max_temperature_c=37.9))
    assert status(normal, "infection") == "no_red_flags"
    assert normal["jansson"]["items"]["normal_body_temperature"] is True

    fever = run(with_(example(), episode__symptoms__max_temperature_c=38.0))
    assert codes(fever, "infection") == ["INF-TEMP-38"]
    assert fever["jansson"]["items"]["normal_body_temperature"] is False
    assert fever["bristol"]["status"] == "biopsy_required"  # Bristol criterion 1 needs no fever


def test_reported_fever_with_a_normal_temperature_is_still_fever():
    """Contract: fever true OR max temperature >= 38.0 (Kostik 2023)."""
    result = run(with_(example(), episode__symptoms__fever=True))
    assert codes(result, "infection") == ["INF-FEVER"]
    assert result["jansson"]["items"]["normal_body_temperature"] is False


def test_normal_temperature_is_unknown_only_when_both_fever_and_temperature_are_unknown():
    """Contract (Jansson 2009 item): unknown when both are unknown; one known-normal value suffices."""
    only_fever = run(drop(example(), "episode.symptoms.max_temperature_c"))
    assert only_fever["jansson"]["items"]["normal_body_temperature"] is True
    assert status(only_fever, "infection") == "no_red_flags"
    neither = run(drop(example(), "episode.symptoms.max_temperature_c", "episode.symptoms.fever"))
    assert neither["jansson"]["items"]["normal_body_temperature"] is None


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("episode.labs.blood_culture", "positive", "INF-BLOOD-CULTURE"),
        ("episode.findings.immunocompromised", True, "INF-IMMUNOCOMPROMISED"),
        ("episode.findings.tb_exposure", True, "INF-TB-EXPOSURE"),
        ("episode.findings.sustained_response_to_antibiotics_alone", True, "INF-ANTIBIOTIC-RESPONSE"),
    ],
)
def test_each_infection_red_flag_names_its_rule(path, value, code):
    """Zhao 2017 (blood culture), contract (immunocompromised), Kostik TB, EULAR/ACR 2025 (antibiotics)."""
    result = run(set_path(example(), path, value))
    assert status(result, "infection") == "concern"
    assert codes(result, "infection") == [code]
    assert result["differentials"]["infection"]["findings"][0]["source"] == REGISTRY[code].source


@pytest.mark.parametrize("feature", ["abscess", "sequestrum", "sinus_tract"])
def test_an_abscess_sequestrum_or_sinus_tract_on_any_lesion_is_an_infection_red_flag(feature):
    """Schnabel 2016: abscess 0% in CNO vs 39% in bacterial osteomyelitis."""
    doc = example()
    doc["episode"]["lesions"][2][feature] = True
    assert codes(run(doc), "infection") == ["INF-IMAGING"]


def test_biopsy_culture_growth_is_an_infection_red_flag_even_on_antibiotics():
    """Roderick 2016: bacterial growth rules out Bristol criterion 2."""
    doc = with_(
        example(), episode__biopsy={"histology": "inflammatory", "culture": "growth", "on_antibiotics": True}
    )
    result = run(doc)
    assert codes(result, "infection") == ["INF-BIOPSY-GROWTH"]
    assert result["biopsy"]["adequate_biopsy_on_file"] is False


def test_an_adequate_biopsy_without_growth_excludes_infection_but_not_a_red_flag():
    """Contract: excluded only when no red flag; adequate biopsy with culture no_growth (Roderick 2016)."""
    biopsy = {"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": False}
    result = run(with_(example(), episode__biopsy=biopsy))
    assert status(result, "infection") == "excluded"
    assert status(result, "malignancy") == "excluded"
    flagged = run(with_(example(), episode__biopsy=biopsy, episode__labs__crp_mg_l=45))
    assert status(flagged, "infection") == "concern"
    assert flagged["biopsy"] == {
        "recommended": False,
        "reasons": ["crp_at_least_30", "infection_concern"],
        "adequate_biopsy_on_file": True,
    }


@pytest.mark.parametrize(
    "biopsy",
    [
        {"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": True},
        {"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": None},
        {"histology": "inflammatory", "culture": "not_done", "on_antibiotics": False},
        {"histology": "inflammatory", "culture": None, "on_antibiotics": False},
        {"histology": None, "culture": "no_growth", "on_antibiotics": False},
        {},
    ],
)
def test_a_biopsy_is_adequate_only_with_histology_a_culture_and_known_to_be_off_antibiotics(biopsy):
    """Contract: adequate = histology given, culture not not_done, on_antibiotics false (Roderick 2016)."""
    result = run(with_(example(), episode__biopsy=biopsy))
    assert result["biopsy"]["adequate_biopsy_on_file"] is False
    assert status(result, "infection") == "no_red_flags"


# --- malignancy ------------------------------------------------------------------------------------------
def test_wbc_3_9_is_a_red_flag_but_4_0_is_not():
    """Jones 2006: WBC < 4 ×10⁹/L predicts leukaemia."""
    assert status(run(with_(example(), episode__labs__wbc_10e9_l=4.0)), "malignancy") == "no_red_flags"
    low = run(with_(example(), episode__labs__wbc_10e9_l=3.9))
    assert codes(low, "malignancy") == ["MAL-CYTOPENIA-WBC"]
    assert low["biopsy"]["reasons"] == ["malignancy_concern"]
    assert low["jansson"]["items"]["normal_blood_count"] is False


def test_platelets_149_is_a_red_flag_but_150_is_not():
    """Contract: platelets < 150 ×10⁹/L (Clinics 2011; EULAR/ACR 2022 provisional uses < 100)."""
    assert status(run(with_(example(), episode__labs__platelets_10e9_l=150)), "malignancy") == "no_red_flags"
    assert codes(run(with_(example(), episode__labs__platelets_10e9_l=149)), "malignancy") == [
        "MAL-CYTOPENIA-PLT"
    ]


def test_neutrophils_1_9_is_a_red_flag_but_2_0_is_not():
    """Louvigné 2020: neutrophils < 2 ×10⁹/L (OR 50 for ALL vs JIA)."""
    assert (
        status(run(with_(example(), episode__labs__neutrophils_10e9_l=2.0)), "malignancy") == "no_red_flags"
    )
    assert codes(run(with_(example(), episode__labs__neutrophils_10e9_l=1.9)), "malignancy") == [
        "MAL-NEUTROPENIA"
    ]


def test_ldh_at_its_upper_limit_is_not_raised_but_one_above_is():
    """EULAR/ACR 2022 provisional exclusion (abnormal LDH); Agodi 2013."""
    at = run(with_(example(), episode__labs__ldh_u_l=300, episode__labs__ldh_uln_u_l=300))
    assert status(at, "malignancy") == "no_red_flags"
    above = run(with_(example(), episode__labs__ldh_u_l=301, episode__labs__ldh_uln_u_l=300))
    assert codes(above, "malignancy") == ["MAL-LDH"]


def test_ldh_without_its_limit_is_unknown_and_the_missing_limit_is_listed():
    """Contract: an LDH value without its limit counts as unknown."""
    result = run(with_(example(), episode__labs__ldh_u_l=5000, episode__labs__ldh_uln_u_l=None))
    assert status(result, "malignancy") == "incomplete"
    assert result["differentials"]["malignancy"]["missing"] == ["episode.labs.ldh_uln_u_l"]
    both = run(drop(example(), "episode.labs.ldh_u_l", "episode.labs.ldh_uln_u_l"))
    assert both["differentials"]["malignancy"]["missing"] == [
        "episode.labs.ldh_u_l",
        "episode.labs.ldh_uln_u_l",
    ]


def test_alp_at_its_lower_limit_excludes_hypophosphatasia_but_one_below_is_a_concern():
    """Whyte 2009; Girschick 2007: ALP below the age/sex lower limit needs HPP work-up."""
    at = run(with_(example(), episode__labs__alp_u_l=130, episode__labs__alp_lln_u_l=130))
    assert status(at, "hypophosphatasia") == "excluded"
    below = run(with_(example(), episode__labs__alp_u_l=129, episode__labs__alp_lln_u_l=130))
    assert codes(below, "hypophosphatasia") == ["HPP-ALP-LOW"]
    assert below["exclusion_complete"] is False


def test_alp_without_its_lower_limit_is_unknown():
    """Contract: an ALP value without its limit counts as unknown (never judged against adult limits)."""
    result = run(with_(example(), episode__labs__alp_u_l=20, episode__labs__alp_lln_u_l=None))
    assert status(result, "hypophosphatasia") == "incomplete"
    assert result["differentials"]["hypophosphatasia"]["missing"] == ["episode.labs.alp_lln_u_l"]


@pytest.mark.parametrize(
    ("days", "sex", "cutoff"),
    [
        (183, "female", 105),  # 183 days = 6.01 months: first day of the 6–23 month band (WHO 2024)
        (730, "male", 105),  # 23.98 months
        (731, "male", 110),  # 24.02 months
        (1826, "female", 110),  # 59.99 months
        (1827, "female", 115),  # 60.02 months = 5 years
        (4382, "male", 115),  # 11.997 years
        (4383, "male", 120),  # exactly 144 months = 12 years (4383 / 30.4375 = 144)
        (5478, "male", 120),  # 14.9993 years
        (5479, "female", 120),  # 15 years and over
        (5479, "male", 130),
        (5479, "other", 120),
        (5479, "unknown", 120),
    ],
)
def test_the_who_haemoglobin_cutoff_at_each_age_band_boundary_and_sex(days, sex, cutoff):
    """WHO 2011 / WHO 2024: anaemia below 105/110/115/120 g/L by age; from 15 y female 120, male 130."""
    doc = with_(born_days_before(example(), days), patient__sex=sex)
    assert build_snapshot(doc).who_cutoff == cutoff
    assert status(run(with_(doc, episode__labs__hemoglobin_g_l=cutoff)), "malignancy") != "concern"
    anaemic = run(with_(doc, episode__labs__hemoglobin_g_l=cutoff - 0.1))
    assert "MAL-ANAEMIA" in codes(anaemic, "malignancy")


@pytest.mark.parametrize(
    ("age_years", "cutoff"), [(0.5, 105), (2.0, 110), (5.0, 115), (12.0, 120), (15.0, 130)]
)
def test_the_who_cutoff_from_a_numeric_age_uses_the_same_half_open_bands(age_years, cutoff):
    """WHO 2011/2024 via episode.age_years (no birth date): months = years × 12."""
    doc = drop(example(), "patient.birth_date")
    doc = with_(doc, patient__sex="male", episode__age_years=age_years)
    assert build_snapshot(doc).who_cutoff == cutoff


def test_haemoglobin_under_6_months_is_not_assessable_and_keeps_malignancy_incomplete():
    """WHO gives no cut-off under 6 months (182 days = 5.98 months)."""
    doc = with_(born_days_before(example(), 182), episode__labs__hemoglobin_g_l=60)
    assert build_snapshot(doc).who_cutoff is None
    result = run(doc)
    assert status(result, "malignancy") == "incomplete"
    assert codes(result, "malignancy") == ["MAL-HB-UNDER-6-MONTHS"]
    assert result["jansson"]["items"]["normal_blood_count"] is None
    assert result["exclusion_complete"] is False


def test_the_jones_triad_gets_its_own_finding_inside_the_malignancy_concern():
    """Jones 2006: WBC < 4.0 + platelets 150–250 + night pain: sensitivity 100%, specificity 85% for ALL."""
    doc = with_(example(), episode__labs__wbc_10e9_l=3.5, episode__symptoms__night_pain=True)
    for plt, expected in ((150, True), (250, True), (251, False), (149, False)):
        result = run(with_(doc, episode__labs__platelets_10e9_l=plt))
        assert ("MAL-JONES-TRIAD" in codes(result, "malignancy")) is expected, plt
        assert status(result, "malignancy") == "concern"
    no_night_pain = run(with_(doc, episode__symptoms__night_pain=False, episode__labs__platelets_10e9_l=200))
    assert codes(no_night_pain, "malignancy") == ["MAL-CYTOPENIA-WBC"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("episode.labs.blasts_on_smear", "MAL-BLASTS"),
        ("episode.findings.hepatomegaly", "MAL-ORGANOMEGALY"),
        ("episode.findings.splenomegaly", "MAL-ORGANOMEGALY"),
        ("episode.findings.lymphadenopathy", "MAL-ORGANOMEGALY"),
        ("episode.symptoms.weight_loss", "MAL-CONSTITUTIONAL"),
        ("episode.symptoms.night_sweats", "MAL-CONSTITUTIONAL"),
    ],
)
def test_each_clinical_malignancy_red_flag_names_its_rule(path, code):
    """Jones 2006 (blasts), Louvigné 2020 (organomegaly, OR 154), Leuk Res 2012 (constitutional)."""
    result = run(set_path(example(), path, True))
    assert codes(result, "malignancy") == [code]
    assert "malignancy_concern" in result["biopsy"]["reasons"]


@pytest.mark.parametrize("feature", ["cortical_destruction", "soft_tissue_mass"])
def test_cortical_destruction_or_a_soft_tissue_mass_is_a_malignancy_red_flag(feature):
    """Zhao ACR 2020 abstract 1162 / UpToDate: not seen in CNO."""
    doc = example()
    doc["episode"]["lesions"][0][feature] = True
    assert codes(run(doc), "malignancy") == ["MAL-IMAGING"]


def test_vertebral_collapse_is_a_red_flag_when_unifocal_or_with_a_cytopenia_only():
    """Baky 2020; McMahon 2008: vertebra plana has other causes than CNO."""
    spine = {
        "site": "spine_thoracic",
        "modality": "mri",
        "level": "T7",
        "marrow_oedema": True,
        "vertebral_collapse": True,
    }
    unifocal = with_(example(), episode__lesions=[spine])
    assert "MAL-VERTEBRAL-COLLAPSE" in codes(run(unifocal), "malignancy")
    multifocal = with_(example(), episode__lesions=[spine, lesion(site="femur")])
    assert status(run(multifocal), "malignancy") == "no_red_flags"
    with_cytopenia = with_(multifocal, episode__labs__platelets_10e9_l=120)
    assert codes(run(with_cytopenia), "malignancy") == ["MAL-CYTOPENIA-PLT", "MAL-VERTEBRAL-COLLAPSE"]


@pytest.mark.parametrize(("histology", "code"), [("malignant", "MAL-BIOPSY"), ("lch", "MAL-BIOPSY")])
def test_malignant_or_lch_histology_is_a_concern_and_bristol_not_met_on_an_adequate_biopsy(histology, code):
    """Roderick 2016: the biopsy settles the differential. Ruleset 2026.12: Bristol is not met, although the
    clinical picture (the contract example) would otherwise meet criterion 1."""
    biopsy = {"histology": histology, "culture": "no_growth", "on_antibiotics": False}
    result = run(with_(example(), episode__biopsy=biopsy))
    assert codes(result, "malignancy") == [code]
    assert result["bristol"]["status"] == "not_met"
    assert status(result, "infection") == "excluded"


@pytest.mark.parametrize("histology", ["malignant", "lch"])
def test_a_malignant_histology_on_an_inadequate_biopsy_still_means_bristol_is_not_met(histology):
    """Contract, ruleset 2026.12: "a biopsy on file shows malignant or lch histology, adequate or not".
    Taken on antibiotics with no culture, the biopsy is inadequate; the histology still decides Bristol."""
    inadequate = {"histology": histology, "culture": "not_done", "on_antibiotics": True}
    result = run(with_(example(), episode__biopsy=inadequate))
    assert result["biopsy"]["adequate_biopsy_on_file"] is False
    assert result["bristol"]["status"] == "not_met"
    assert codes(result, "malignancy") == ["MAL-BIOPSY"]
    # Inflammatory histology on the same inadequate biopsy leaves criterion 1 to decide.
    benign = run(with_(example(), episode__biopsy={**inadequate, "histology": "inflammatory"}))
    assert benign["bristol"]["status"] == "criterion_1_met"


def test_the_malignant_histology_rule_comes_after_applicability_and_before_a_missing_crp():
    """Contract order: not_applicable, then not_met (malignant histology), then insufficient_data."""
    biopsy = {"histology": "malignant", "culture": "not_done", "on_antibiotics": None}
    no_pain = with_(example(), episode__biopsy=biopsy, episode__symptoms__bone_pain=False)
    assert run(no_pain)["bristol"]["status"] == "not_applicable"
    no_crp = with_(example(), episode__biopsy=biopsy, episode__labs__crp_mg_l=None)
    assert run(no_crp)["bristol"]["status"] == "not_met"


# --- scurvy and monogenic ----------------------------------------------------------------------------------
def test_scurvy_clues_are_a_concern_only_while_vitamin_c_is_unknown():
    """EULAR/ACR 2025 exclusion; Pediatrics 2019 scurvy cases."""
    for clue in ("restricted_diet", "bruising_or_purpura", "gum_bleeding"):
        result = run(set_path(example(), f"episode.findings.{clue}", True))
        assert codes(result, "scurvy") == ["SCU-CLINICAL"], clue
        known = run(
            set_path(with_(example(), episode__labs__vitamin_c_low=False), f"episode.findings.{clue}", True)
        )
        assert status(known, "scurvy") == "excluded", clue
    assert codes(run(with_(example(), episode__labs__vitamin_c_low=True)), "scurvy") == ["SCU-VITC-LOW"]


def test_onset_just_under_3_years_is_a_monogenic_concern_and_a_biopsy_reason_but_just_over_is_not():
    """Insights Imaging 2022; EULAR/ACR 2025: onset < 3 years; Roderick 2016: atypical age -> biopsy.

    3 years = 1095.75 days (days / 365.25): 1095 days is under 3, 1096 days is over.
    """
    under = run(born_days_before(example(), 1095))
    assert codes(under, "monogenic") == ["MONO-ONSET-UNDER-3"]
    assert under["biopsy"]["reasons"] == ["age_under_3"]
    over = run(born_days_before(example(), 1096))
    assert status(over, "monogenic") == "no_red_flags"
    assert over["biopsy"]["reasons"] == []


def test_without_an_onset_date_an_age_of_3_or_more_leaves_the_onset_unknown_never_no():
    """Contract, ruleset 2026.12 (derived ages): without an onset the age at onset is unknown, not taken at
    assessment. Assessed at 1095 days (under 3 years) the onset must have been under 3 too; at 1096 days it
    is unknown: monogenic is incomplete naming the onset date, and no age_under_3 biopsy reason is given."""
    under = run(drop(born_days_before(example(), 1095), "episode.onset_on"))
    assert codes(under, "monogenic") == ["MONO-ONSET-UNDER-3"]
    assert under["biopsy"]["reasons"] == ["age_under_3"]
    over = run(drop(born_days_before(example(), 1096), "episode.onset_on"))
    assert status(over, "monogenic") == "incomplete"
    assert over["differentials"]["monogenic"]["missing"] == ["episode.onset_on"]
    assert over["biopsy"]["reasons"] == []


def test_the_missing_onset_input_named_is_the_one_that_would_make_it_known():
    """Contract: episode.onset_on when the birth date is known, episode.age_at_onset_years when only
    age_years is, patient.birth_date when no age is known."""
    numeric = with_(drop(example(), "patient.birth_date", "episode.onset_on"), episode__age_years=10.0)
    assert run(numeric)["differentials"]["monogenic"]["missing"] == ["episode.age_at_onset_years"]
    no_age = drop(example(), "patient.birth_date")
    assert run(no_age)["differentials"]["monogenic"]["missing"] == ["patient.birth_date"]
    toddler = with_(drop(example(), "patient.birth_date", "episode.onset_on"), episode__age_years=2.9)
    assert codes(run(toddler), "monogenic") == ["MONO-ONSET-UNDER-3"]


def test_the_age_at_onset_uses_the_onset_date_when_given():
    """Contract: age at onset from birth_date to onset_on (or assessed_on when no onset date)."""
    doc = with_(born_days_before(example(), 2000), episode__onset_on="2020-01-01")
    doc["patient"]["birth_date"] = "2018-06-01"
    assert codes(run(doc), "monogenic") == ["MONO-ONSET-UNDER-3"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("episode.findings.neonatal_pustulosis", "MONO-NEONATAL-PUSTULOSIS"),
        ("episode.findings.consanguinity_or_affected_sibling", "MONO-FAMILY"),
    ],
)
def test_neonatal_pustulosis_and_family_history_are_monogenic_red_flags(path, code):
    """Sakran 2013 (DIRA); Ferguson 2005 (Majeed): recessive monogenic forms."""
    assert codes(run(set_path(example(), path, True)), "monogenic") == [code]


# --- focality, biopsy and Bristol ------------------------------------------------------------------------
def test_clavicle_alone_vs_one_tibia_vs_two_lesions_in_one_tibia():
    """Roderick 2016 (clavicle alone counts for criterion 1); Zhao 2017 (unifocal non-clavicular -> biopsy);
    Jansson 2009 counts lesion entries, not bones."""
    clavicle = run(with_(example(), episode__lesions=[lesion(site="clavicle", side="right")]))
    assert (clavicle["focality"], clavicle["bones_involved"]) == ("unifocal", 1)
    assert clavicle["biopsy"]["reasons"] == []
    assert clavicle["bristol"]["status"] == "criterion_1_met"

    tibia = run(with_(example(), episode__lesions=[lesion()]))
    assert tibia["biopsy"] == {
        "recommended": True,
        "reasons": ["unifocal_non_clavicular"],
        "adequate_biopsy_on_file": False,
    }
    assert tibia["bristol"]["status"] == "biopsy_required"
    assert tibia["jansson"]["items"]["more_than_one_lesion"] is False

    two_in_one = run(with_(example(), episode__lesions=[lesion(), lesion(sclerosis=True)]))
    assert (two_in_one["focality"], two_in_one["bones_involved"]) == ("unifocal", 1)
    assert two_in_one["biopsy"]["reasons"] == ["unifocal_non_clavicular"]
    assert two_in_one["jansson"]["items"]["more_than_one_lesion"] is True


def test_two_vertebral_levels_are_two_bones():
    """Contract: a bone is a distinct (site, side, level) triple; Jansson 2009 vertebral site item."""
    levels = [
        {"site": "spine_thoracic", "modality": "mri", "level": lvl, "marrow_oedema": True}
        for lvl in ("T7", "T8")
    ]
    result = run(with_(example(), episode__lesions=levels))
    assert (result["focality"], result["bones_involved"]) == ("multifocal", 2)
    assert result["jansson"]["items"]["vertebral_clavicular_or_sternal"] is True
    assert result["bristol"]["status"] == "criterion_1_met"


def test_symmetric_tibiae_are_symmetric_but_left_tibia_and_right_femur_are_not():
    """Jansson 2009: symmetric lesions (OR 30.0)."""
    sym = run(with_(example(), episode__lesions=[lesion(), lesion(side="right")]))
    assert sym["symmetric"] is True and sym["jansson"]["items"]["symmetric_lesions"] is True
    asym = run(with_(example(), episode__lesions=[lesion(), lesion(site="femur", side="right")]))
    assert asym["symmetric"] is False and asym["jansson"]["items"]["symmetric_lesions"] is False


@pytest.mark.parametrize(
    ("les", "typical"),
    [
        ({"site": "femur", "modality": "mri", "marrow_oedema": True}, True),
        ({"site": "femur", "modality": "mri", "sclerosis": True}, False),
        ({"site": "femur", "modality": "xray", "lytic": True}, True),
        ({"site": "femur", "modality": "ct", "hyperostosis": True}, True),
        ({"site": "femur", "modality": "xray", "marrow_oedema": True}, False),
        ({"site": "femur", "modality": "bone_scan", "marrow_oedema": True, "sclerosis": True}, False),
    ],
)
def test_bristol_criterion_1_needs_at_least_one_typical_lesion(les, typical):
    """Roderick 2016: MRI marrow oedema, or X-ray/CT lysis, sclerosis, periosteal reaction or hyperostosis."""
    doc = with_(
        example(), episode__lesions=[les, {"site": "tibia", "side": "right", "modality": "bone_scan"}]
    )
    assert (run(doc)["bristol"]["status"] == "criterion_1_met") is typical


def test_bristol_statuses_follow_the_contract_order():
    """Roderick 2016 as fixed by the contract."""
    assert run(with_(example(), episode__lesions=[]))["bristol"]["status"] == "not_applicable"
    no_pain = with_(example(), episode__symptoms__bone_pain=False, episode__symptoms__local_swelling=None)
    assert run(no_pain)["bristol"]["status"] == "not_applicable"
    swelling = with_(example(), episode__symptoms__bone_pain=None, episode__symptoms__local_swelling=True)
    assert run(swelling)["bristol"]["status"] == "criterion_1_met"
    assert run(drop(example(), "episode.labs.crp_mg_l"))["bristol"]["status"] == "insufficient_data"
    tibia = with_(example(), episode__lesions=[lesion()])
    assert run(tibia)["bristol"]["status"] == "biopsy_required"
    good = {"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": False}
    assert run(with_(tibia, episode__biopsy=good))["bristol"]["status"] == "criterion_2_met"
    other = {"histology": "nonspecific", "culture": "no_growth", "on_antibiotics": False}
    assert run(with_(tibia, episode__biopsy=other))["bristol"]["status"] == "not_met"
    inadequate = {"histology": "inflammatory", "culture": "no_growth", "on_antibiotics": True}
    assert run(with_(tibia, episode__biopsy=inadequate))["bristol"]["status"] == "biopsy_required"


def test_ill_appearance_is_a_biopsy_reason_and_reasons_keep_the_contract_order():
    """Zhao 2017: ill appearance -> biopsy. Order fixed by the contract."""
    doc = with_(
        born_days_before(example(), 900),
        episode__lesions=[lesion()],
        episode__symptoms__ill_appearance=True,
        episode__labs__crp_mg_l=80,
        episode__labs__wbc_10e9_l=2.0,
    )
    assert run(doc)["biopsy"]["reasons"] == [
        "unifocal_non_clavicular",
        "crp_at_least_30",
        "infection_concern",
        "malignancy_concern",
        "age_under_3",
        "ill_appearance",
    ]


# --- Jansson ---------------------------------------------------------------------------------------------
def test_jansson_is_not_applicable_at_exactly_3_years_but_is_just_over():
    """Jansson 2009: derived in patients older than 3 years."""
    exactly = run(with_(drop(example(), "patient.birth_date"), episode__age_years=3))
    assert exactly["jansson"]["applicable"] is False and exactly["jansson"]["supports_nbo"] is None
    over = run(with_(drop(example(), "patient.birth_date"), episode__age_years=3.01))
    assert over["jansson"]["applicable"] is True and over["jansson"]["supports_nbo"] is True
    # With a birth date, 3 years = 1095.75 days: 1095 days is "3 or less", 1096 days is over 3.
    assert run(born_days_before(example(), 1095))["jansson"]["applicable"] is False
    assert run(born_days_before(example(), 1096))["jansson"]["applicable"] is True


def test_jansson_is_applicable_when_the_age_is_unknown():
    """Contract: not applicable only when the age is known and 3 years or less."""
    result = run(drop(example(), "patient.birth_date"))
    assert result["jansson"]["applicable"] is True


def test_jansson_supports_nbo_is_true_false_or_null_from_points_and_possible_max():
    """Jansson 2009: score >= 39 of 63 supports NBO (PPV 97%)."""
    # 63 points: supports.
    assert run(example())["jansson"]["supports_nbo"] is True
    # Single tibia, no sclerosis, CRP 5, normal count and temperature: 13 + 9 = 22, nothing unknown -> false.
    low = run(with_(example(), episode__lesions=[lesion()], episode__labs__crp_mg_l=5))
    assert (low["jansson"]["points"], low["jansson"]["possible_max"], low["jansson"]["supports_nbo"]) == (
        22,
        22,
        False,
    )
    # Same, blood count unknown: 9 points, possible 22 -> still false.
    # Two symmetric tibiae with sclerosis, temperature normal, CRP unknown, count unknown:
    # 10 + 10 + 9 + 7 = 36 points, possible 36 + 13 + 6 = 55 -> undecided (null).
    doc = with_(example(), episode__lesions=[lesion(sclerosis=True), lesion(side="right")])
    doc = drop(doc, "episode.labs.crp_mg_l", "episode.labs.wbc_10e9_l")
    undecided = run(doc)["jansson"]
    assert (undecided["points"], undecided["possible_max"], undecided["supports_nbo"]) == (36, 55, None)
    # Add CRP 12: 42 points -> supports even with the count unknown.
    assert run(with_(doc, episode__labs__crp_mg_l=12))["jansson"]["supports_nbo"] is True


def test_jansson_points_are_the_contract_weights():
    """Jansson 2009: round(3 × ln(OR)) of 81.5, 30.0, 26.8, 20.3, 13.9, 10.9, 6.9 = 13, 10, 10, 9, 8, 7, 6."""
    import math

    from exclusion.engine.rules import JANSSON_ITEMS

    ors = (81.5, 30.0, 26.8, 20.3, 13.9, 10.9, 6.9)
    assert (
        [w for _, w, _ in JANSSON_ITEMS] == [round(3 * math.log(o)) for o in ors] == [13, 10, 10, 9, 8, 7, 6]
    )
    assert sum(w for _, w, _ in JANSSON_ITEMS) == 63


def test_crp_9_9_gives_no_jansson_crp_points_but_10_does():
    """Jansson 2009: CRP >= 1 mg/dL (10 mg/L)."""
    assert run(with_(example(), episode__labs__crp_mg_l=9.9))["jansson"]["items"]["crp_at_least_10"] is False
    assert run(with_(example(), episode__labs__crp_mg_l=10))["jansson"]["items"]["crp_at_least_10"] is True


def test_normal_blood_count_limits_are_inclusive():
    """Contract: WBC 4.0–13.5, platelets 150–450 inclusive (Jansson 2009 item)."""
    for path, value, expected in (
        ("episode.labs.wbc_10e9_l", 13.5, True),
        ("episode.labs.wbc_10e9_l", 13.6, False),
        ("episode.labs.platelets_10e9_l", 450, True),
        ("episode.labs.platelets_10e9_l", 451, False),
    ):
        assert run(set_path(example(), path, value))["jansson"]["items"]["normal_blood_count"] is expected


# --- registry --------------------------------------------------------------------------------------------
def test_a_duplicate_rule_id_is_refused():
    with pytest.raises(ValueError, match="duplicate rule id"):
        register(
            Rule(
                id="INF-FEVER",
                title="x",
                inputs=(),
                explanation="x",
                source="x",
                group="infection",
                evaluate=lambda s: None,
            )
        )


def test_the_catalogue_is_stable_unique_and_every_rule_cites_a_source():
    catalogue = rule_catalogue()
    ids = [r["id"] for r in catalogue]
    assert len(ids) == len(set(ids))
    assert catalogue == rule_catalogue()
    for r in catalogue:
        assert list(r) == ["id", "title", "inputs", "explanation", "source"]
        assert r["title"] and r["explanation"] and r["inputs"]
        assert any(tag in r["source"] for tag in ("doi:", "PMID", "no DOI/PMID", "WHO/", "contract")), r
    for required in (
        "INF-FEVER",
        "MAL-CYTOPENIA-WBC",
        "MAL-JONES-TRIAD",
        "BIOPSY-UNIFOCAL",
        "BRISTOL-C1",
        "JANSSON-NBC",
    ):
        assert required in ids
    json.dumps(catalogue)


def test_finding_texts_are_decision_support_not_diagnoses():
    """Findings say "not excluded"/"consider"/"supports"; they never state "diagnosis of"."""
    doc = json.loads((HERE / "example_case.json").read_text())
    doc = with_(
        doc,
        episode__labs__crp_mg_l=100,
        episode__labs__wbc_10e9_l=2,
        episode__symptoms__night_pain=True,
        episode__labs__platelets_10e9_l=200,
        episode__findings__restricted_diet=True,
    )
    result = run(doc)
    for d in result["differentials"].values():
        for f in d["findings"]:
            assert f["code"] in REGISTRY
            assert "diagnosis of" not in f["text"].lower()
