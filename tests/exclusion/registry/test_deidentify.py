"""Issue 16, item 3: pseudonyms, date shifts, age caps and free text of a de-identified export."""

from __future__ import annotations

import datetime

from exclusion.engine import assess, canonical_case
from exclusion.registry.deidentify import (
    Pseudonymizer,
    deidentify_case,
    deidentify_document,
    deidentify_treatment,
    needs_age_cap,
    shift_date,
)
from tests.factories import contract_example

SECRET = "a-synthetic-site-secret-for-the-tests"


def days_between(a: str, b: str) -> int:
    return (datetime.date.fromisoformat(a) - datetime.date.fromisoformat(b)).days


def test_a_pseudonym_is_a_keyed_hash_the_same_every_time_and_different_at_another_site():
    north, again, south = (
        Pseudonymizer("NORTH", SECRET),
        Pseudonymizer("NORTH", SECRET),
        Pseudonymizer("SOUTH", SECRET),
    )
    pseudonym = north.record_id("NF-1001")
    assert pseudonym == again.record_id("NF-1001") == north.record_id("nf-1001")
    assert pseudonym.startswith("R-") and len(pseudonym) == 18 and "1001" not in pseudonym
    assert south.record_id("NF-1001") != pseudonym
    assert north.record_id("NF-1002") != pseudonym


def test_the_key_is_the_sites_own_secret_and_not_the_servers(settings):
    before = Pseudonymizer("NORTH", SECRET).record_id("NF-1001")
    assert Pseudonymizer("NORTH", "another-synthetic-site-secret").record_id("NF-1001") != before
    settings.SECRET_KEY = "another-synthetic-secret-key-for-the-test-only"
    assert Pseudonymizer("NORTH", SECRET).record_id("NF-1001") == before


def test_offsets_go_back_between_1_and_364_days_and_are_stable_per_patient():
    north = Pseudonymizer("NORTH", SECRET)
    offsets = [north.offset_days(f"NF-{n}") for n in range(500)]
    assert all(-364 <= offset <= -1 for offset in offsets)
    assert len(set(offsets)) > 100  # spread out, not one offset for all
    assert offsets == [Pseudonymizer("NORTH", SECRET).offset_days(f"NF-{n}") for n in range(500)]


def test_every_date_of_a_case_moves_by_the_same_offset_and_the_assessment_is_unchanged():
    doc = canonical_case(contract_example())
    shifted = deidentify_case(doc, -100)
    assert days_between(shifted["patient"]["birth_date"], doc["patient"]["birth_date"]) == -100
    assert days_between(shifted["episode"]["assessed_on"], doc["episode"]["assessed_on"]) == -100
    assert days_between(shifted["episode"]["onset_on"], doc["episode"]["onset_on"]) == -100
    assert doc["patient"]["birth_date"] == "2014-03-02"  # the input is not modified
    real, deidentified = assess(doc), assess(shifted)
    assert real == deidentified


def test_ages_of_90_or_more_are_written_as_90_without_a_birth_date():
    doc = canonical_case(contract_example())
    doc["patient"]["birth_date"] = "1930-01-01"
    assert needs_age_cap(doc["patient"], [doc["episode"]])
    capped = deidentify_case(doc, -10, cap_ages=True)
    assert "birth_date" not in capped["patient"]
    assert capped["episode"]["age_years"] == 90 and capped["episode"]["age_at_onset_years"] == 90
    young = canonical_case(contract_example())
    assert not needs_age_cap(young["patient"], [young["episode"]])
    # 89 at the episode, 90 today: the birth date would tell the age.
    old = {"birth_date": "1935-06-01"}
    assert needs_age_cap(old, [{"assessed_on": "2024-01-01"}], today=datetime.date(2025, 6, 1))
    assert not needs_age_cap(old, [{"assessed_on": "2024-01-01"}], today=datetime.date(2025, 5, 31))
    assert needs_age_cap({}, [{"assessed_on": "2024-01-01", "age_years": 90}])
    aged = deidentify_case(
        {"patient": {"sex": "male"}, "episode": {"assessed_on": "2024-01-01", "age_years": 97}}, -5
    )
    assert aged["episode"]["age_years"] == 90


def test_free_text_is_dropped_drug_names_and_levels_that_are_not_plain_labels():
    doc = canonical_case(contract_example())
    doc["episode"]["lesions"][0]["level"] = "T7"
    doc["episode"]["lesions"][1]["level"] = "see note Dr X"
    shifted = deidentify_case(doc, -3)
    assert shifted["episode"]["lesions"][0]["level"] == "T7"
    assert "level" not in shifted["episode"]["lesions"][1]
    course = deidentify_treatment(
        {"drug_class": "nsaid", "drug": "naproxen", "started_on": "2024-05-10", "stopped_on": None}, -3
    )
    assert course == {"drug_class": "nsaid", "drug": "", "started_on": "2024-05-07", "stopped_on": None}


def test_a_summary_document_has_every_date_shifted_and_no_drug_name():
    summary = {
        "latest_assessed_on": "2024-05-10",
        "treatment": {"current": [{"drug_class": "nsaid", "drug": "naproxen", "started_on": "2024-01-02"}]},
        "trend": [{"assessed_on": "2024-05-10", "crp_mg_l": 12}],
        "activity_state": "active",
    }
    assert deidentify_document(summary, -2) == {
        "latest_assessed_on": "2024-05-08",
        "treatment": {"current": [{"drug_class": "nsaid", "started_on": "2023-12-31"}]},
        "trend": [{"assessed_on": "2024-05-08", "crp_mg_l": 12}],
        "activity_state": "active",
    }
    assert shift_date("not a date", -2) == "not a date"
