"""Structural checks of the synthetic demo data set (demo_data/).

These tests need neither Django nor the exclusion engine: they read the manifest and the
`cno-case/1` documents as plain JSON and check them against the contract
(the cno-case/1 contract), whose key sets are embedded below.
"""

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
MANIFEST = DEMO / "manifest.json"
LATEST_DATE = date(2026, 11, 1)

TOP_KEYS = ["schema", "patient", "episode"]
PATIENT_KEYS = ["sex", "birth_date"]
EPISODE_KEYS = ["assessed_on", "onset_on", "symptoms", "findings", "labs", "biopsy", "lesions", "activity"]
SYMPTOM_KEYS = [
    "bone_pain",
    "local_swelling",
    "night_pain",
    "fever",
    "max_temperature_c",
    "weight_loss",
    "night_sweats",
    "ill_appearance",
    "back_pain",
]
FINDING_KEYS = [
    "hepatomegaly",
    "splenomegaly",
    "lymphadenopathy",
    "bruising_or_purpura",
    "gum_bleeding",
    "restricted_diet",
    "neonatal_pustulosis",
    "consanguinity_or_affected_sibling",
    "palmoplantar_pustulosis",
    "psoriasis",
    "severe_acne",
    "inflammatory_bowel_disease",
    "immunocompromised",
    "tb_exposure",
    "sustained_response_to_antibiotics_alone",
]
LAB_KEYS = [
    "crp_mg_l",
    "esr_mm_h",
    "wbc_10e9_l",
    "neutrophils_10e9_l",
    "hemoglobin_g_l",
    "platelets_10e9_l",
    "ldh_u_l",
    "ldh_uln_u_l",
    "alp_u_l",
    "alp_lln_u_l",
    "blasts_on_smear",
    "vitamin_c_low",
    "blood_culture",
]
BIOPSY_KEYS = ["histology", "culture", "on_antibiotics"]
LESION_BASE_KEYS = ["site", "side", "modality", "level"]
FEATURE_KEYS = [
    "marrow_oedema",
    "lytic",
    "sclerosis",
    "periosteal_reaction",
    "hyperostosis",
    "bone_expansion",
    "cortical_destruction",
    "soft_tissue_mass",
    "abscess",
    "sequestrum",
    "sinus_tract",
    "vertebral_collapse",
    "symptomatic",
    "active",
]
ACTIVITY_KEYS = ["pain_vas", "patient_global_vas", "physician_global_vas", "chaq"]

SEXES = {"female", "male", "other", "unknown"}
SITES = {
    "skull",
    "mandible",
    "maxilla",
    "clavicle",
    "sternum",
    "scapula",
    "rib",
    "humerus",
    "radius",
    "ulna",
    "hand",
    "spine_cervical",
    "spine_thoracic",
    "spine_lumbar",
    "sacrum",
    "pelvis",
    "femur",
    "tibia",
    "fibula",
    "foot",
    "other",
}
SIDES = {"left", "right", "midline"}
MODALITIES = {"mri", "xray", "ct", "bone_scan"}
HISTOLOGIES = {"inflammatory", "nonspecific", "normal", "malignant", "lch"}
CULTURES = {"no_growth", "growth", "not_done"}
BLOOD_CULTURES = {"positive", "negative", "not_done"}
BOOLEAN_SYMPTOMS = set(SYMPTOM_KEYS) - {"max_temperature_c"}
LAB_RANGES = {
    "crp_mg_l": (0, 500),
    "esr_mm_h": (0, 200),
    "wbc_10e9_l": (0, 500),
    "neutrophils_10e9_l": (0, 500),
    "hemoglobin_g_l": (20, 250),
    "platelets_10e9_l": (0, 3000),
    "ldh_u_l": (0, 20000),
    "ldh_uln_u_l": (0, 20000),
    "alp_u_l": (0, 20000),
    "alp_lln_u_l": (0, 20000),
}
ACTIVITY_RANGES = {
    "pain_vas": (0, 10),
    "patient_global_vas": (0, 10),
    "physician_global_vas": (0, 10),
    "chaq": (0, 3),
}

DIFFERENTIALS = ["infection", "malignancy", "hypophosphatasia", "scurvy", "monogenic"]
STATUSES = {"concern", "excluded", "no_red_flags", "incomplete"}
BIOPSY_REASONS = [
    "unifocal_non_clavicular",
    "crp_at_least_30",
    "infection_concern",
    "malignancy_concern",
    "age_under_3",
    "ill_appearance",
]
BRISTOL = {
    "not_applicable",
    "insufficient_data",
    "criterion_1_met",
    "criterion_2_met",
    "not_met",
    "biopsy_required",
}
EXPECT_KEYS = [
    "focality",
    "bones_involved",
    "bristol",
    "biopsy_recommended",
    "biopsy_reasons",
    "statuses",
    "exclusion_complete",
    "jansson_points",
    "eular_acr_2025",
]
EULAR_STATUSES = {"entry_not_met", "mimic_not_excluded", "eligible_for_scoring", "incomplete"}
TYPICAL_XRAY = ("lytic", "sclerosis", "periosteal_reaction", "hyperostosis")


def eular_status_by_hand(case: dict, expect: dict) -> str:
    """The EULAR/ACR 2025 gate status of a demo episode, derived from the contract's text without the engine:
    entry (onset under 18, bone pain, at least 42 days, a lesion typical on radiograph or MRI) and the four
    excluded mimics, read from the hand-derived differential statuses."""
    patient, episode = case["patient"], case["episode"]
    birth, onset = _iso(patient["birth_date"]), _iso(episode["onset_on"])
    lesions = episode["lesions"]
    entry_items = [
        (onset - birth).days / 365.25 < 18,
        episode["symptoms"]["bone_pain"],
        (_iso(episode["assessed_on"]) - onset).days >= 42,
        any(
            (les["modality"] == "mri" and les.get("marrow_oedema"))
            or (les["modality"] == "xray" and any(les.get(f) for f in TYPICAL_XRAY))
            for les in lesions
        ),
    ]
    if False in entry_items:
        return "entry_not_met"
    mimics = [expect["statuses"][d] for d in ("malignancy", "infection", "scurvy", "hypophosphatasia")]
    if "concern" in mimics:
        return "mimic_not_excluded"
    if all(item is True for item in entry_items) and all(m in ("excluded", "no_red_flags") for m in mimics):
        return "eligible_for_scoring"
    return "incomplete"


# Scenario categories the data set must cover: every pattern must match at least `minimum` scenario strings.
SCENARIO_CATEGORIES = {
    "classic multifocal CRMO": (r"classic multifocal", 3),
    "classic symmetric": (r"classic multifocal symmetric", 2),
    "clavicle only": (r"clavicle-only", 1),
    "unifocal long bone with adequate biopsy": (r"unifocal long-bone.*adequate biopsy", 1),
    "unifocal long bone without biopsy": (r"unifocal long-bone.*without biopsy", 1),
    "vertebral lesions": (r"vertebral lesions", 2),
    "vertebral collapse": (r"vertebral collapse", 1),
    "mandible": (r"mandible", 1),
    "palmoplantar pustulosis": (r"palmoplantar pustulosis", 1),
    "psoriasis": (r"psoriasis", 1),
    "inflammatory bowel disease": (r"\bIBD\b|inflammatory bowel", 1),
    "incomplete work-up": (r"incomplete work-up", 1),
    "bacterial osteomyelitis": (r"bacterial osteomyelitis", 1),
    "TB exposure": (r"\bTB exposure", 1),
    "leukaemia": (r"leuka?emia", 2),
    "Jones triad": (r"Jones triad", 1),
    "LCH": (r"\bLCH\b|Langerhans", 1),
    "Ewing-like": (r"Ewing", 1),
    "hypophosphatasia": (r"hypophosphatasia", 1),
    "scurvy": (r"scurvy", 2),
    "scurvy with vitamin C unknown": (r"scurvy.*vitamin C unknown", 1),
    "infant onset": (r"infant onset", 2),
    "DIRA-like": (r"DIRA", 1),
    "Majeed-like": (r"Majeed", 1),
    "teenager female near Hb cut-off": (r"teenager female.*Hb", 1),
    "teenager male near Hb cut-off": (r"teenager male.*Hb", 1),
    "relapsing course": (r"relaps", 1),
    "radiologically active but clinically silent": (r"clinically silent", 1),
}


def _load_manifest():
    with MANIFEST.open(encoding="utf-8") as fh:
        return json.load(fh)


def _episode_refs():
    manifest = _load_manifest()
    return [
        (p["site"], p["record_number"], i, ep["file"], ep["expect"])
        for p in manifest["patients"]
        for i, ep in enumerate(p["episodes"], 1)
    ]


def _load_case(rel):
    return json.loads((DEMO / rel).read_text(encoding="utf-8"))


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _iso(value):
    assert isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
    return date.fromisoformat(value)


@pytest.fixture(scope="module")
def manifest():
    return _load_manifest()


def test_manifest_parses_and_has_two_sites(manifest):
    assert set(manifest) == {"sites", "patients"}
    codes = [s["code"] for s in manifest["sites"]]
    assert codes == ["NORTH", "SOUTH"]
    for site in manifest["sites"]:
        assert set(site) == {"code", "name"}
        assert "(synthetic)" in site["name"]
    assert {p["site"] for p in manifest["patients"]} == set(codes)


def test_enough_patients_and_episodes(manifest):
    patients = manifest["patients"]
    assert len(patients) >= 30
    per_site = Counter(p["site"] for p in patients)
    assert all(n >= 15 for n in per_site.values()), per_site
    multi = [p for p in patients if 2 <= len(p["episodes"]) <= 4]
    assert len(multi) >= 10
    assert all(1 <= len(p["episodes"]) <= 4 for p in patients)


def test_patient_entries_and_record_numbers(manifest):
    seen = set()
    prefixes = {"NORTH": r"NF-1\d{3}", "SOUTH": r"SB-2\d{3}"}
    for p in manifest["patients"]:
        assert (
            {"site", "record_number", "scenario", "episodes"}
            <= set(p)
            <= {
                "site",
                "record_number",
                "scenario",
                "episodes",
                "treatments",
            }
        )
        assert re.fullmatch(prefixes[p["site"]], p["record_number"]), p["record_number"]
        key = (p["site"], p["record_number"])
        assert key not in seen, key
        seen.add(key)
        assert isinstance(p["scenario"], str) and p["scenario"].strip()
        for i, ep in enumerate(p["episodes"], 1):
            # An expectation changed by a ruleset carries the argument for the change.
            assert set(ep) <= {"file", "expect", "ruleset_2026_12"}
            assert ep["file"] == f"cases/{p['record_number'].lower()}-{i}.json"


def test_every_file_referenced_exists_and_every_case_is_referenced():
    referenced = [ref[3] for ref in _episode_refs()]
    assert len(referenced) == len(set(referenced))
    for rel in referenced:
        assert (DEMO / rel).is_file(), rel
    on_disk = {"cases/" + p.name for p in (DEMO / "cases").iterdir()}
    assert on_disk == set(referenced)


def test_expectations_are_well_formed():
    for _site, _rec, _i, rel, exp in _episode_refs():
        assert list(exp) == EXPECT_KEYS, rel
        assert exp["focality"] in {"none", "unifocal", "multifocal"}
        assert isinstance(exp["bones_involved"], int) and exp["bones_involved"] >= 0
        assert exp["focality"] == (
            "none"
            if exp["bones_involved"] == 0
            else "unifocal"
            if exp["bones_involved"] == 1
            else "multifocal"
        )
        assert exp["bristol"] in BRISTOL
        assert isinstance(exp["biopsy_recommended"], bool)
        reasons = exp["biopsy_reasons"]
        assert reasons == [r for r in BIOPSY_REASONS if r in reasons] and len(set(reasons)) == len(reasons), (
            rel
        )
        assert list(exp["statuses"]) == DIFFERENTIALS
        assert set(exp["statuses"].values()) <= STATUSES
        assert exp["statuses"]["monogenic"] != "excluded"
        # Ruleset 2026.12: a recommended biopsy means the work-up is not complete.
        settled = all(s in ("excluded", "no_red_flags") for s in exp["statuses"].values())
        assert exp["exclusion_complete"] == (settled and not exp["biopsy_recommended"]), rel
        if exp["biopsy_recommended"]:
            assert reasons, rel
        assert isinstance(exp["jansson_points"], int) and 0 <= exp["jansson_points"] <= 63
        case = _load_case(rel)
        assert exp["eular_acr_2025"] == eular_status_by_hand(case, exp), rel
        bones = {
            (les["site"], les.get("side", "midline"), les.get("level")) for les in case["episode"]["lesions"]
        }
        assert exp["bones_involved"] == len(bones), rel


@pytest.mark.parametrize("rel", [ref[3] for ref in _episode_refs()])
def test_case_document_is_canonical_and_uses_only_contract_keys(rel):
    text = (DEMO / rel).read_text(encoding="utf-8")
    case = json.loads(text)
    assert text == json.dumps(case, indent=2, ensure_ascii=False) + "\n", "not in canonical form"
    assert case["schema"] == "cno-case/1"
    assert list(case) == TOP_KEYS
    assert list(case["patient"]) == PATIENT_KEYS
    assert case["patient"]["sex"] in SEXES
    ep = case["episode"]
    assert list(ep) == [k for k in EPISODE_KEYS if k in ep]
    assert set(EPISODE_KEYS) - {"onset_on"} <= set(ep)
    assert list(ep["symptoms"]) == SYMPTOM_KEYS
    assert list(ep["findings"]) == FINDING_KEYS
    assert list(ep["labs"]) == LAB_KEYS
    for k in BOOLEAN_SYMPTOMS:
        assert ep["symptoms"][k] in (None, True, False), k
    temp = ep["symptoms"]["max_temperature_c"]
    assert temp is None or (_is_number(temp) and 30 <= temp <= 45)
    for k, v in ep["findings"].items():
        assert v in (None, True, False), k
    for k, (lo, hi) in LAB_RANGES.items():
        v = ep["labs"][k]
        assert v is None or (_is_number(v) and lo <= v <= hi), k
    assert ep["labs"]["blasts_on_smear"] in (None, True, False)
    assert ep["labs"]["vitamin_c_low"] in (None, True, False)
    assert ep["labs"]["blood_culture"] in BLOOD_CULTURES | {None}
    bx = ep["biopsy"]
    if bx is not None:
        assert list(bx) == BIOPSY_KEYS
        assert bx["histology"] in HISTOLOGIES
        assert bx["culture"] in CULTURES
        assert isinstance(bx["on_antibiotics"], bool)
    assert isinstance(ep["lesions"], list)
    for les in ep["lesions"]:
        assert list(les)[:3] == ["site", "side", "modality"]
        order = LESION_BASE_KEYS + FEATURE_KEYS
        assert list(les) == [k for k in order if k in les], "lesion keys out of contract order"
        assert les["site"] in SITES and les["side"] in SIDES and les["modality"] in MODALITIES
        if "level" in les:
            assert les["site"] in {"spine_cervical", "spine_thoracic", "spine_lumbar", "rib"}
            assert isinstance(les["level"], str) and les["level"]
        for k in FEATURE_KEYS:
            if k in les:
                assert les[k] is True, "only true imaging features are written"
    assert list(ep["activity"]) == ACTIVITY_KEYS
    for k, (lo, hi) in ACTIVITY_RANGES.items():
        v = ep["activity"][k]
        assert v is None or (_is_number(v) and lo <= v <= hi), k


@pytest.mark.parametrize("rel", [ref[3] for ref in _episode_refs()])
def test_dates_are_ordered(rel):
    case = _load_case(rel)
    birth = _iso(case["patient"]["birth_date"])
    ep = case["episode"]
    assessed = _iso(ep["assessed_on"])
    onset = _iso(ep["onset_on"]) if "onset_on" in ep else assessed
    assert birth <= onset <= assessed <= LATEST_DATE
    assert 0 < (assessed - birth).days / 365.25 < 18


def test_episodes_of_a_patient_are_consistent_and_in_date_order(manifest):
    for p in manifest["patients"]:
        cases = [_load_case(ep["file"]) for ep in p["episodes"]]
        assert len({json.dumps(c["patient"], sort_keys=True) for c in cases}) == 1, p["record_number"]
        dates = [_iso(c["episode"]["assessed_on"]) for c in cases]
        assert dates == sorted(dates) and len(set(dates)) == len(dates), p["record_number"]


def test_longitudinal_patients_have_activity_measures(manifest):
    for p in manifest["patients"]:
        if len(p["episodes"]) < 2:
            continue
        for ep in p["episodes"]:
            activity = _load_case(ep["file"])["episode"]["activity"]
            assert all(activity[k] is not None for k in ACTIVITY_KEYS), ep["file"]
            labs = _load_case(ep["file"])["episode"]["labs"]
            assert labs["crp_mg_l"] is not None and labs["esr_mm_h"] is not None, ep["file"]


def test_demographics_are_spread(manifest):
    sexes = Counter()
    ages = []
    for p in manifest["patients"]:
        case = _load_case(p["episodes"][0]["file"])
        sexes[case["patient"]["sex"]] += 1
        birth = _iso(case["patient"]["birth_date"])
        ages.append((_iso(case["episode"]["assessed_on"]) - birth).days / 365.25)
    assert sexes["female"] > sexes["male"] > 0
    assert min(ages) < 3 and max(ages) >= 15


@pytest.mark.parametrize("category", sorted(SCENARIO_CATEGORIES))
def test_scenario_category_present(manifest, category):
    pattern, minimum = SCENARIO_CATEGORIES[category]
    hits = [
        p["record_number"] for p in manifest["patients"] if re.search(pattern, p["scenario"], re.IGNORECASE)
    ]
    assert len(hits) >= minimum, (category, hits)


def test_no_identifying_fields(manifest):
    forbidden = re.compile(r'"(name|first_name|last_name|surname|address|phone|email|nhs_number)"')
    for _site, _rec, _i, rel, _exp in _episode_refs():
        assert not forbidden.search((DEMO / rel).read_text(encoding="utf-8")), rel


TREATMENT_KEYS = ["drug_class", "drug", "started_on", "stopped_on", "stop_reason"]
DRUG_CLASSES = {
    "nsaid",
    "glucocorticoid",
    "methotrexate",
    "sulfasalazine",
    "tnf_inhibitor",
    "bisphosphonate",
    "il1_blocker",
    "jak_inhibitor",
    "other",
}
STOP_REASONS = {"remission", "inefficacy", "adverse_event", "patient_choice", "other"}


def _treatment_docs(manifest):
    return [
        (p, json.loads((DEMO / p["treatments"]).read_text()))
        for p in manifest["patients"]
        if "treatments" in p
    ]


def test_treatment_histories_cover_the_ladder(manifest):
    classes = {t["drug_class"] for _, doc in _treatment_docs(manifest) for t in doc["treatments"]}
    assert {"nsaid", "tnf_inhibitor", "bisphosphonate"} <= classes
    reasons = {t["stop_reason"] for _, doc in _treatment_docs(manifest) for t in doc["treatments"]}
    assert {"inefficacy", "remission"} <= reasons


def test_each_treatment_document_is_canonical_dated_within_the_childs_life_and_has_no_dose(manifest):
    for patient, doc in _treatment_docs(manifest):
        rel = patient["treatments"]
        assert rel == f"treatments/{patient['record_number'].lower()}.json"
        text = (DEMO / rel).read_text(encoding="utf-8")
        assert text == json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "not in canonical form"
        assert (
            list(doc) == ["record_number", "about", "treatments"]
            and doc["record_number"] == patient["record_number"]
        )
        birth = _iso(_load_case(patient["episodes"][0]["file"])["patient"]["birth_date"])
        for course in doc["treatments"]:
            assert list(course) == TREATMENT_KEYS, rel  # nothing else: no dose, ever
            assert course["drug_class"] in DRUG_CLASSES and course["drug"].strip()
            started = _iso(course["started_on"])
            assert birth <= started <= date.today(), rel
            if course["stopped_on"] is None:
                assert course["stop_reason"] == "", rel
            else:
                assert started <= _iso(course["stopped_on"]) <= date.today(), rel
                assert course["stop_reason"] in STOP_REASONS, rel
