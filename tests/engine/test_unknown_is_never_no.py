"""Unknown is never "no": removing one screening input makes the differential incomplete and names the path.

Contract table "screening data" (the cno-case/1 contract); the contract example has all of them known.
"""

from __future__ import annotations

import pytest

from .helpers import drop, example, run, set_path, status

CASES = [
    # (differential, status with everything known, paths removed together, paths expected in "missing")
    ("infection", "no_red_flags", ["episode.labs.crp_mg_l"], ["episode.labs.crp_mg_l"]),
    (
        "infection",
        "no_red_flags",
        ["episode.symptoms.fever", "episode.symptoms.max_temperature_c"],
        ["episode.symptoms.fever", "episode.symptoms.max_temperature_c"],
    ),
    ("malignancy", "no_red_flags", ["episode.labs.wbc_10e9_l"], ["episode.labs.wbc_10e9_l"]),
    ("malignancy", "no_red_flags", ["episode.labs.hemoglobin_g_l"], ["episode.labs.hemoglobin_g_l"]),
    ("malignancy", "no_red_flags", ["episode.labs.platelets_10e9_l"], ["episode.labs.platelets_10e9_l"]),
    ("malignancy", "no_red_flags", ["episode.labs.ldh_u_l"], ["episode.labs.ldh_u_l"]),
    ("malignancy", "no_red_flags", ["episode.labs.ldh_uln_u_l"], ["episode.labs.ldh_uln_u_l"]),
    # without any age the haemoglobin cannot be judged against the WHO cut-off
    ("malignancy", "no_red_flags", ["patient.birth_date"], ["patient.birth_date"]),
    ("hypophosphatasia", "excluded", ["episode.labs.alp_u_l"], ["episode.labs.alp_u_l"]),
    ("hypophosphatasia", "excluded", ["episode.labs.alp_lln_u_l"], ["episode.labs.alp_lln_u_l"]),
    ("scurvy", "no_red_flags", ["episode.findings.restricted_diet"], ["episode.findings.restricted_diet"]),
    ("monogenic", "no_red_flags", ["patient.birth_date"], ["patient.birth_date"]),
]


@pytest.mark.parametrize(("differential", "before", "paths", "missing"), CASES)
def test_removing_a_screening_input_makes_the_differential_incomplete_and_lists_it(
    differential, before, paths, missing
):
    assert status(run(example()), differential) == before
    result = run(drop(example(), *paths))
    assert status(result, differential) == "incomplete"
    assert result["differentials"][differential]["missing"] == missing
    assert result["exclusion_complete"] is False


@pytest.mark.parametrize(("differential", "before", "paths", "missing"), CASES)
def test_null_is_the_same_unknown_as_absent(differential, before, paths, missing):
    doc = example()
    for path in paths:
        set_path(doc, path, None)
    assert run(doc) == run(drop(example(), *paths))


def test_one_known_temperature_is_enough_for_the_infection_screen():
    """Contract: "temperature (fever or max temperature)" is known when either is known."""
    assert status(run(drop(example(), "episode.symptoms.fever")), "infection") == "no_red_flags"
    assert status(run(drop(example(), "episode.symptoms.max_temperature_c")), "infection") == "no_red_flags"


def test_a_numeric_age_replaces_the_birth_date():
    """Contract: without birth_date, age_at_onset_years and age_years may be given instead."""
    doc = set_path(drop(example(), "patient.birth_date"), "episode.age_years", 10.2)
    result = run(doc)
    assert status(result, "malignancy") == "no_red_flags"
    # Ruleset 2026.12: the age at assessment does not stand in for the age at onset.
    assert status(result, "monogenic") == "incomplete"
    assert status(run(set_path(doc, "episode.age_at_onset_years", 9.8)), "monogenic") == "no_red_flags"


def test_an_empty_case_is_incomplete_everywhere_and_never_reassuring():
    doc = {
        "schema": "cno-case/1",
        "patient": {"sex": "unknown"},
        "episode": {"assessed_on": "2024-05-10", "lesions": []},
    }
    result = run(doc)
    assert {d["status"] for d in result["differentials"].values()} == {"incomplete"}
    assert result["exclusion_complete"] is False
    assert result["bristol"]["status"] == "not_applicable"
    assert result["jansson"]["supports_nbo"] is False  # no lesion: at most 13 + 9 + 6 = 28 points
