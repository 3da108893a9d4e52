"""Strict validation of cno-case/1 (the cno-case/1 contract, "Rules of the format")."""

from __future__ import annotations

import pytest

from exclusion.engine import CaseValidationError, assess, validate_case

from .helpers import TODAY, drop, example, set_path, with_


def errors_of(doc: object) -> list[dict]:
    return validate_case(doc, today=TODAY)


def paths_of(doc: object) -> list[str]:
    return [e["path"] for e in errors_of(doc)]


def test_the_contract_example_is_valid():
    assert errors_of(example()) == []


@pytest.mark.parametrize(
    "path",
    [
        "extra",
        "patient.name",
        "episode.notes",
        "episode.symptoms.fevr",
        "episode.findings.psoriasis_nails",
        "episode.labs.crp_mg_dl",
        "episode.activity.cdas",
    ],
)
def test_an_unknown_key_at_any_level_is_an_error_naming_its_path(path):
    """Contract: unknown keys anywhere are an error (a typo must never be silently ignored)."""
    assert paths_of(set_path(example(), path, 1)) == [path]


def test_unknown_keys_inside_a_lesion_and_a_biopsy_are_errors():
    doc = example()
    doc["episode"]["lesions"][1]["oedema"] = True
    doc["episode"]["biopsy"] = {
        "histology": "inflammatory",
        "culture": "no_growth",
        "on_antibiotics": False,
        "stain": "CD1a",
    }
    assert paths_of(doc) == ["episode.biopsy.stain", "episode.lesions[1].oedema"]


def test_every_error_is_reported_at_once():
    doc = with_(
        example(),
        episode__labs__crp_mg_dl=3,
        episode__labs__wbc_10e9_l=-1,
        episode__symptoms__fever=1,
        patient__sex="f",
        episode__lesions=[{"site": "knee", "modality": "pet"}],
    )
    paths = paths_of(doc)
    assert sorted(paths) == sorted(
        [
            "episode.labs.crp_mg_dl",
            "episode.labs.wbc_10e9_l",
            "episode.symptoms.fever",
            "patient.sex",
            "episode.lesions[0].site",
            "episode.lesions[0].modality",
        ]
    )
    for e in errors_of(doc):
        assert set(e) == {"path", "message"} and e["message"]


@pytest.mark.parametrize("schema", ["cno-case/2", "CNO-CASE/1", None, 1])
def test_a_wrong_or_missing_schema_is_an_error(schema):
    doc = with_(example(), schema=schema) if schema is not None else drop(example(), "schema")
    assert paths_of(doc) == ["schema"]


@pytest.mark.parametrize("doc", [None, [], "cno-case/1", 3])
def test_a_document_that_is_not_an_object_is_one_error(doc):
    assert errors_of(doc) == [{"path": "", "message": "a cno-case/1 document must be a JSON object"}]


@pytest.mark.parametrize(
    "value", ["2024-5-10", "10/05/2024", "2024-02-30", "20240510", "2024-05-10T00:00", 20240510]
)
def test_a_malformed_or_impossible_date_is_an_error(value):
    """Contract: dates are ISO YYYY-MM-DD."""
    assert paths_of(with_(example(), episode__assessed_on=value)) == ["episode.assessed_on"]


def test_dates_must_be_in_order_birth_onset_assessment():
    assert paths_of(with_(example(), episode__onset_on="2024-06-01")) == ["episode.onset_on"]
    assert paths_of(with_(example(), episode__onset_on="2010-01-01")) == ["episode.onset_on"]
    assert sorted(paths_of(with_(example(), patient__birth_date="2024-05-11"))) == [
        "episode.assessed_on",
        "episode.onset_on",
    ]


def test_no_date_may_be_in_the_future():
    doc = with_(example(), episode__assessed_on="2026-11-22", episode__onset_on="2026-11-21")
    assert paths_of(doc) == ["episode.assessed_on"]
    assert "future" in errors_of(doc)[0]["message"]
    assert paths_of(with_(example(), episode__assessed_on="2026-11-21", episode__onset_on="2026-11-21")) == []


def test_today_defaults_to_the_real_date():
    assert validate_case(with_(example(), episode__assessed_on="2999-01-01", episode__onset_on=None)) != []


@pytest.mark.parametrize(
    ("path", "bad", "good"),
    [
        ("episode.labs.crp_mg_l", 500.1, 500),
        ("episode.labs.crp_mg_l", -0.1, 0),
        ("episode.labs.esr_mm_h", 201, 200),
        ("episode.labs.wbc_10e9_l", 501, 500),
        ("episode.labs.neutrophils_10e9_l", 501, 0),
        ("episode.labs.hemoglobin_g_l", 19.9, 20),
        ("episode.labs.hemoglobin_g_l", 251, 250),
        ("episode.labs.platelets_10e9_l", 3001, 3000),
        ("episode.labs.ldh_u_l", 20001, 20000),
        ("episode.labs.ldh_uln_u_l", -1, 0),
        ("episode.labs.alp_u_l", 20001, 20000),
        ("episode.labs.alp_lln_u_l", 20001, 20000),
        ("episode.symptoms.max_temperature_c", 29.9, 30),
        ("episode.symptoms.max_temperature_c", 45.1, 45),
        ("episode.activity.pain_vas", 10.5, 10),
        ("episode.activity.chaq", 3.1, 3),
    ],
)
def test_a_value_outside_its_plausible_range_is_an_error_naming_its_path(path, bad, good):
    """Contract: CRP 0–500, ESR 0–200, WBC/neutrophils 0–500, Hb 20–250, platelets 0–3000, LDH/ALP 0–20000,
    temperature 30–45; VAS 0–10, CHAQ 0–3. Limits are inclusive."""
    assert paths_of(set_path(example(), path, bad)) == [path]
    assert paths_of(set_path(example(), path, good)) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("episode.labs.crp_mg_l", True),  # a bool is not a number, although Python says True == 1
        ("episode.labs.crp_mg_l", "12"),
        ("episode.labs.crp_mg_l", float("nan")),
        ("episode.labs.crp_mg_l", float("inf")),
        ("episode.symptoms.fever", 1),
        ("episode.symptoms.fever", 0),
        ("episode.symptoms.fever", "false"),
        ("episode.labs.blasts_on_smear", 0),
        ("episode.labs.blood_culture", "pending"),
        ("episode.biopsy.on_antibiotics", 0),
    ],
)
def test_bools_and_numbers_are_not_interchangeable(path, value):
    doc = example()
    if path.startswith("episode.biopsy"):
        doc["episode"]["biopsy"] = {"histology": "inflammatory", "culture": "no_growth"}
    assert paths_of(set_path(doc, path, value)) == [path]


def test_null_means_unknown_in_symptoms_findings_labs_activity_and_biopsy_fields():
    doc = example()
    for section in ("symptoms", "findings", "labs", "activity"):
        for key in doc["episode"][section]:
            doc["episode"][section][key] = None
    doc["episode"]["biopsy"] = {"histology": None, "culture": None, "on_antibiotics": None}
    doc["episode"]["onset_on"] = None
    assert errors_of(doc) == []


def test_absent_sections_are_unknown_but_a_null_section_is_an_error():
    doc = drop(
        example(),
        "episode.symptoms",
        "episode.findings",
        "episode.labs",
        "episode.activity",
        "episode.biopsy",
        "episode.onset_on",
        "patient.birth_date",
    )
    assert errors_of(doc) == []
    assert paths_of(with_(example(), episode__labs=None)) == ["episode.labs"]


def test_required_fields_are_reported():
    doc = drop(example(), "patient.sex", "episode.assessed_on", "episode.lesions")
    assert sorted(paths_of(doc)) == ["episode.assessed_on", "episode.lesions", "patient.sex"]
    assert sorted(paths_of(drop(example(), "patient", "episode"))) == ["episode", "patient"]


def test_a_lesion_needs_site_and_modality_and_known_enumerations():
    doc = with_(
        example(), episode__lesions=[{}, {"site": "tibia", "modality": "mri", "side": "both"}, "tibia"]
    )
    assert paths_of(doc) == [
        "episode.lesions[0].site",
        "episode.lesions[0].modality",
        "episode.lesions[1].side",
        "episode.lesions[2]",
    ]


def test_imaging_features_must_be_booleans_and_level_a_short_label():
    doc = with_(
        example(),
        episode__lesions=[
            {"site": "spine_thoracic", "modality": "mri", "level": "", "marrow_oedema": None},
            {"site": "rib", "modality": "xray", "level": 6, "lytic": 1},
        ],
    )
    assert paths_of(doc) == [
        "episode.lesions[0].level",
        "episode.lesions[0].marrow_oedema",
        "episode.lesions[1].level",
        "episode.lesions[1].lytic",
    ]


def test_numeric_ages_are_checked_and_onset_age_may_not_exceed_age():
    doc = drop(example(), "patient.birth_date")
    assert paths_of(with_(doc, episode__age_years=-1)) == ["episode.age_years"]
    assert paths_of(with_(doc, episode__age_years=True)) == ["episode.age_years"]
    assert paths_of(with_(doc, episode__age_years=8, episode__age_at_onset_years=9)) == [
        "episode.age_at_onset_years"
    ]
    assert paths_of(with_(doc, episode__age_years=8, episode__age_at_onset_years=7.5)) == []


def test_assess_raises_case_validation_error_with_every_error():
    doc = with_(example(), episode__labs__crp_mg_dl=3, episode__labs__crp_mg_l=900)
    with pytest.raises(CaseValidationError) as caught:
        assess(doc, today=TODAY)
    assert isinstance(caught.value, ValueError)
    assert [e["path"] for e in caught.value.errors] == ["episode.labs.crp_mg_l", "episode.labs.crp_mg_dl"]


def test_validation_does_not_modify_the_document():
    doc = example()
    before = repr(doc)
    validate_case(doc, today=TODAY)
    assess(doc, today=TODAY)
    assert repr(doc) == before


# --- ruleset 2026.12: the optional imaging object and the lesion limit (contract, "Changes in 2026.12") ---
def test_whole_body_mri_is_an_optional_tri_state_in_episode_imaging():
    for value in (True, False, None):
        assert paths_of(with_(example(), episode__imaging={"whole_body_mri": value})) == []
    assert paths_of(with_(example(), episode__imaging=None)) == []  # null: nothing known about imaging
    assert paths_of(with_(example(), episode__imaging={"whole_body_mri": "yes"})) == [
        "episode.imaging.whole_body_mri"
    ]
    assert paths_of(with_(example(), episode__imaging={"whole_body": True})) == ["episode.imaging.whole_body"]
    assert paths_of(with_(example(), episode__imaging=[])) == ["episode.imaging"]


def test_100_lesions_are_accepted_and_101_are_one_error_on_the_list():
    # Contract: at most 100 lesions per episode (a whole-body MRI shows a median of 6, at most 27).
    many = [{"site": "rib", "modality": "mri", "level": str(i), "marrow_oedema": True} for i in range(101)]
    assert paths_of(with_(example(), episode__lesions=many[:100])) == []
    errors = validate_case(with_(example(), episode__lesions=many), today=TODAY)
    assert errors == [
        {"path": "episode.lesions", "message": "101 lesions: at most 100 per episode (list each bone once)"}
    ]
