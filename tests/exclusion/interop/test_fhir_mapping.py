"""FHIR Patient and Observations to `cno-case/1`: LOINC codes, UCUM units, the latest value, and warnings.

Plain functions over dicts: no database.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from exclusion.engine import validate_case
from exclusion.interop.fhir.mapping import case_from_bundle, case_from_fhir

PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "2015-04-02"}


def obs(
    loinc: str,
    value: float | None,
    unit: str | None,
    when: str | None = "2026-11-30",
    ident: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A synthetic lab Observation of patient p1 (UCUM unit as code and text)."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": "Patient/p1"},
    }
    if ident:
        resource["id"] = ident
    if when:
        resource["effectiveDateTime"] = when
    if value is not None:
        quantity: dict[str, Any] = {"value": value}
        if unit:
            quantity.update({"unit": unit, "system": "http://unitsofmeasure.org", "code": unit})
        resource["valueQuantity"] = quantity
    resource.update(extra)
    return resource


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def labs(case: dict[str, Any]) -> dict[str, Any]:
    return case["episode"].get("labs", {})


def test_the_acceptance_bundle_maps_to_crp_45_and_counts_in_10e9_per_litre():
    case, warnings = case_from_bundle(
        bundle(
            PATIENT,
            obs("1988-5", 4.5, "mg/dL"),
            obs("6690-2", 2.1, "10*3/uL"),
            obs("777-3", 80, "10*3/uL"),
        )
    )
    assert case == {
        "schema": "cno-case/1",
        "patient": {"sex": "female", "birth_date": "2015-04-02"},
        "episode": {
            "assessed_on": "2026-11-30",
            "labs": {"crp_mg_l": 45, "wbc_10e9_l": 2.1, "platelets_10e9_l": 80},
            "lesions": [],
        },
    }
    assert warnings == []
    assert validate_case(case) == []


def test_the_latest_value_of_an_analyte_wins_whatever_the_document_order():
    case, warnings = case_from_fhir(
        PATIENT,
        [
            obs("1988-5", 60, "mg/L", "2026-11-20T09:00:00+01:00", "newest"),
            obs("1988-5", 12, "mg/L", "2026-11-02", "oldest"),
            obs("1988-5", 35, "mg/L", "2026-11-20T07:30:00Z", "middle"),
        ],
    )
    # 09:00+01:00 is 08:00 UTC, later than 07:30 UTC.
    assert labs(case)["crp_mg_l"] == 60
    assert case["episode"]["assessed_on"] == "2026-11-20"
    assert sum("superseded" in w for w in warnings) == 2


def test_effective_period_start_and_issued_date_an_observation_and_ties_go_to_the_later_entry():
    period = obs("718-7", 101, "g/L", None, effectivePeriod={"start": "2026-10-01"})
    issued = obs("718-7", 118, "g/L", None, issued="2026-10-05T10:00:00Z")
    tie = obs("718-7", 125, "g/L", "2026-10-05T10:00:00Z")
    assert labs(case_from_fhir(PATIENT, [issued, period])[0])["hemoglobin_g_l"] == 118
    assert labs(case_from_fhir(PATIENT, [issued, tie])[0])["hemoglobin_g_l"] == 125
    assert labs(case_from_fhir(PATIENT, [tie, issued])[0])["hemoglobin_g_l"] == 118


def test_an_undated_observation_counts_as_older_than_a_dated_one():
    case, _ = case_from_fhir(PATIENT, [obs("6690-2", 9.0, "10*9/L"), obs("6690-2", 3.1, "10*9/L", None)])
    assert labs(case)["wbc_10e9_l"] == 9.0


def test_an_unknown_code_is_ignored_with_a_warning():
    glucose = obs("2345-7", 5.2, "mmol/L", ident="glu")
    snomed = obs("1988-5", 10, "mg/L", ident="sct")
    snomed["code"] = {"coding": [{"system": "http://snomed.info/sct", "code": "55235003"}]}
    case, warnings = case_from_fhir(PATIENT, [glucose, snomed, obs("1988-5", 8, "mg/L")])
    assert labs(case) == {"crp_mg_l": 8}
    assert any(w.startswith("Observation/glu") and "2345-7" in w for w in warnings)
    assert any(w.startswith("Observation/sct") and "no LOINC code" in w for w in warnings)


def test_an_unknown_unit_for_a_known_code_is_never_guessed_and_an_older_value_never_stands_in():
    case, warnings = case_from_fhir(
        PATIENT,
        [obs("1988-5", 9, "mg/L", "2026-11-01"), obs("1988-5", 0.5, "nmol/L", "2026-11-30", "crp2")],
    )
    assert "crp_mg_l" not in labs(case)
    assert any(w.startswith("Observation/crp2") and "nmol/L" in w for w in warnings)


def test_a_unit_of_another_system_than_ucum_is_not_read():
    crp = obs("1988-5", 45, "mg/L")
    crp["valueQuantity"]["system"] = "http://example.org/local-units"
    case, warnings = case_from_fhir(PATIENT, [crp])
    assert "crp_mg_l" not in labs(case)
    assert len(warnings) == 1


def test_a_unit_text_alone_is_read_only_when_it_is_literally_a_ucum_code():
    plain = obs("1988-5", 4.5, None)
    plain["valueQuantity"]["unit"] = "mg/dL"
    loose = obs("718-7", 11, None)
    loose["valueQuantity"]["unit"] = "g/dl"
    case, warnings = case_from_fhir(PATIENT, [plain, loose])
    assert labs(case) == {"crp_mg_l": 45}
    assert any("g/dl" in w for w in warnings)


def test_haemoglobin_in_g_per_dl_becomes_g_per_litre():
    case, warnings = case_from_fhir(PATIENT, [obs("718-7", 10.7, "g/dL")])
    assert labs(case)["hemoglobin_g_l"] == 107
    assert warnings == []


@pytest.mark.parametrize(
    ("fahrenheit", "celsius"),
    [(100.4, 38.0), (100.3, 37.9), (98.6, 37.0), (104, 40.0)],
)
def test_a_temperature_in_fahrenheit_becomes_celsius_to_a_tenth(fahrenheit, celsius):
    case, warnings = case_from_fhir(PATIENT, [obs("8310-5", fahrenheit, "[degF]")])
    assert case["episode"]["symptoms"] == {"max_temperature_c": celsius}
    assert "labs" not in case["episode"]
    assert warnings == []


def test_ldh_upper_and_alp_lower_limits_come_from_the_reference_range():
    ldh = obs(
        "2532-0", 640, "U/L", referenceRange=[{"low": {"value": 120}, "high": {"value": 300, "code": "U/L"}}]
    )
    alp = obs(
        "6768-6", 80, "U/L", referenceRange=[{"low": {"value": 130, "unit": "U/L"}, "high": {"value": 420}}]
    )
    case, warnings = case_from_fhir(PATIENT, [ldh, alp])
    assert labs(case) == {"ldh_u_l": 640, "ldh_uln_u_l": 300, "alp_u_l": 80, "alp_lln_u_l": 130}
    assert warnings == []


def test_an_ldh_without_its_upper_limit_says_it_cannot_be_judged():
    case, warnings = case_from_fhir(PATIENT, [obs("2532-0", 640, "U/L")])
    assert labs(case) == {"ldh_u_l": 640}
    assert any("referenceRange.high" in w for w in warnings)


def test_a_value_with_a_comparator_is_not_an_exact_value():
    crp = obs("1988-5", 5, "mg/L")
    crp["valueQuantity"]["comparator"] = "<"
    case, warnings = case_from_fhir(PATIENT, [crp])
    assert "labs" not in case["episode"]
    assert any("comparator" in w for w in warnings)


def test_entered_in_error_and_another_patients_observations_are_ignored():
    wrong = obs("777-3", 90, "10*9/L", status="entered-in-error")
    other = obs("777-3", 95, "10*9/L", subject={"reference": "Patient/someone-else"})
    case, warnings = case_from_fhir(PATIENT, [wrong, other, obs("777-3", 310, "10*9/L", "2026-01-01")])
    assert labs(case) == {"platelets_10e9_l": 310}
    assert len(warnings) == 2


def test_the_patient_gender_and_birth_date_map_and_partial_or_missing_ones_stay_unknown():
    assert case_from_fhir({"gender": "male", "birthDate": "2012-06-30"}, [])[0]["patient"] == {
        "sex": "male",
        "birth_date": "2012-06-30",
    }
    partial, warnings = case_from_fhir({"gender": "other", "birthDate": "2012-06"}, [])
    assert partial["patient"] == {"sex": "other"}
    assert any("birthDate" in w for w in warnings)
    assert case_from_fhir({}, [])[0]["patient"] == {"sex": "unknown"}
    assert case_from_fhir(None, [])[0]["patient"] == {"sex": "unknown"}


def test_nothing_the_data_cannot_say_is_written_as_false():
    case, _ = case_from_bundle(bundle(PATIENT, obs("8310-5", 37.2, "Cel")))
    episode = case["episode"]
    assert set(episode) == {"assessed_on", "symptoms", "lesions"}
    assert episode["symptoms"] == {"max_temperature_c": 37.2}  # no "fever": false
    assert episode["lesions"] == [] and "imaging" not in episode  # no lesion known, not a clean scan


def test_assessed_on_is_the_given_date_else_the_latest_observation_else_today():
    given = datetime.date(2026, 12, 1)
    crp = [obs("1988-5", 3, "mg/L", "2026-11-15T23:30:00-05:00")]
    assert case_from_fhir(PATIENT, crp, assessed_on=given)[0]["episode"]["assessed_on"] == "2026-12-01"
    # The date as written (the patient's local day), not the UTC one.
    assert case_from_fhir(PATIENT, crp)[0]["episode"]["assessed_on"] == "2026-11-15"
    assert case_from_fhir(PATIENT, [])[0]["episode"]["assessed_on"] == datetime.date.today().isoformat()


def test_a_future_dated_observation_is_assessed_as_of_today_with_a_warning():
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    case, warnings = case_from_fhir(PATIENT, [obs("1988-5", 3, "mg/L", tomorrow)])
    assert case["episode"]["assessed_on"] == datetime.date.today().isoformat()
    assert any("after today" in w for w in warnings)


def test_a_bundle_ignores_other_resource_types_and_a_second_patient_with_warnings():
    case, warnings = case_from_bundle(
        bundle(
            {"resourceType": "Condition", "id": "c1"},
            PATIENT,
            {"resourceType": "Patient", "id": "p2", "gender": "male"},
            obs("1988-5", 3, "mg/L"),
        )
    )
    assert case["patient"]["sex"] == "female"
    assert labs(case) == {"crp_mg_l": 3}
    assert any("Bundle.entry[0]" in w and "Condition" in w for w in warnings)
    assert any("Bundle.entry[2]" in w and "second Patient" in w for w in warnings)


def test_a_bundle_resolves_urn_uuid_subjects_against_the_patients_full_url():
    mine = obs("1988-5", 3, "mg/L", subject={"reference": "urn:uuid:1111"})
    theirs = obs("6690-2", 2.0, "10*9/L", subject={"reference": "urn:uuid:2222"}, ident="w")
    doc = bundle(mine, theirs)
    doc["entry"].insert(
        0, {"fullUrl": "urn:uuid:1111", "resource": {"resourceType": "Patient", "gender": "female"}}
    )
    case, warnings = case_from_bundle(doc)
    assert labs(case) == {"crp_mg_l": 3}
    assert any(w.startswith("Observation/w") and "urn:uuid:2222" in w for w in warnings)


def test_an_empty_or_malformed_bundle_still_maps_to_a_case_of_unknowns():
    for doc in ({"resourceType": "Bundle"}, {"resourceType": "Bundle", "entry": [{}, {"resource": 3}]}):
        case, _ = case_from_bundle(doc)
        assert case["patient"] == {"sex": "unknown"}
        assert set(case["episode"]) == {"assessed_on", "lesions"}


def test_a_value_too_large_to_convert_and_an_impossible_date_are_not_read():
    huge = obs("1988-5", 1.7e308, "mg/dL", "9999-12-31T23:00:00-05:00", "huge")
    case, warnings = case_from_fhir(PATIENT, [huge])
    assert "labs" not in case["episode"]
    assert any(w.startswith("Observation/huge") and "too large" in w for w in warnings)
    # A date past year 9999 in UTC does not date the Observation: assessed as of today.
    assert case["episode"]["assessed_on"] == datetime.date.today().isoformat()
