"""`POST /fhir/r4/$cno-assess`: a FHIR Bundle in, the engine's `cno-assessment/1` of its case out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from exclusion import engine
from exclusion.interop.fhir.assess_view import OUTCOME_HEADER
from exclusion.interop.fhir.loinc import ANALYTES
from exclusion.interop.fhir.mapping import case_from_bundle
from tests.clients import token_client
from tests.exclusion.interop.test_fhir_mapping import PATIENT, bundle, obs
from tests.factories import make_site, make_user

pytestmark = pytest.mark.django_db

URL = "/fhir/r4/$cno-assess"
FHIR_JSON = "application/fhir+json"


def acceptance_bundle() -> dict[str, Any]:
    return bundle(
        PATIENT,
        obs("1988-5", 4.5, "mg/dL", ident="crp"),
        obs("6690-2", 2.1, "10*3/uL", ident="wbc"),
        obs("777-3", 80, "10*3/uL", ident="plt"),
    )


def post(client: APIClient, body: Any, content_type: str = FHIR_JSON) -> Any:
    return client.generic("POST", URL, data=json.dumps(body), content_type=content_type)


@pytest.fixture
def reader() -> APIClient:
    # A read-only API client: assessing writes nothing, so reading at one site is enough.
    return token_client(make_user(make_site("NORTH"), "api_client"))


def test_the_acceptance_bundle_answers_crp_45_read_with_infection_and_malignancy_in_concern(reader):
    Bundle.model_validate(acceptance_bundle())  # what an EHR would send: a valid R4 Bundle
    response = post(reader, acceptance_bundle())
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)
    assessment = response.json()
    infection = assessment["differentials"]["infection"]
    malignancy = assessment["differentials"]["malignancy"]
    assert infection["status"] == "concern"
    assert any("CRP 45 mg/L" in f["text"] for f in infection["findings"])
    assert malignancy["status"] == "concern"
    assert {"MAL-CYTOPENIA-WBC", "MAL-CYTOPENIA-PLT"} <= {f["code"] for f in malignancy["findings"]}
    # What the Bundle cannot say is unknown, and the answer says it is missing.
    assert "episode.symptoms.max_temperature_c" in infection["missing"]
    assert "episode.findings.hepatomegaly" in malignancy["missing"]
    assert assessment["exclusion_complete"] is False
    assert OUTCOME_HEADER not in response


def test_the_body_is_exactly_the_engines_document_for_the_mapped_case(reader):
    doc = acceptance_bundle()
    case, _ = case_from_bundle(doc)
    assert post(reader, doc).json() == json.loads(json.dumps(engine.assess(case)))


def test_plain_json_and_a_parameters_wrapper_are_accepted_too(reader):
    plain = post(reader, acceptance_bundle(), content_type="application/json")
    wrapped = post(
        reader,
        {"resourceType": "Parameters", "parameter": [{"name": "bundle", "resource": acceptance_bundle()}]},
    )
    assert plain.status_code == wrapped.status_code == 200
    assert plain.json() == wrapped.json()


def test_warnings_come_back_as_an_operation_outcome_in_a_header(reader):
    doc = bundle(
        PATIENT,
        obs("1988-5", 4.5, "mg/dL", "2026-11-30", "crp"),
        obs("1988-5", 1.0, "mg/L", "2026-10-01", "old-crp"),
        obs("2345-7", 5.2, "mmol/L", ident="glucose"),
        obs("718-7", 7.1, "mmol/L", ident="hb-si"),
        {"resourceType": "Condition", "id": "c1"},
    )
    response = post(reader, doc)
    assert response.status_code == 200
    crp = response.json()["differentials"]["infection"]["findings"]
    assert any("CRP 45 mg/L" in f["text"] for f in crp)  # the latest CRP, not the October one
    outcome = json.loads(response[OUTCOME_HEADER])
    OperationOutcome.model_validate(outcome)
    assert {i["severity"] for i in outcome["issue"]} == {"warning"}
    texts = {i["code"]: [] for i in outcome["issue"]}
    for item in outcome["issue"]:
        texts[item["code"]].append(item["diagnostics"])
    assert any("Observation/old-crp" in t for t in texts["informational"])
    named = " ".join(texts["not-supported"])
    assert "Observation/glucose" in named and "Observation/hb-si" in named and "Condition" in named
    # Haemoglobin in mmol/L is not guessed: it stays unknown.
    assert "episode.labs.hemoglobin_g_l" in response.json()["differentials"]["malignancy"]["missing"]


def test_a_non_ascii_unit_still_gives_a_readable_header(reader):
    response = post(reader, bundle(PATIENT, obs("8310-5", 38.5, "°C", ident="t")))
    assert response.status_code == 200
    diagnostics = json.loads(response[OUTCOME_HEADER])["issue"][0]["diagnostics"]
    assert "°C" in diagnostics and diagnostics.startswith("Observation/t")


@pytest.mark.parametrize("role", ["clinician", "reviewer", "site_admin", "api_client"])
def test_every_role_at_a_site_may_assess_since_nothing_is_written(role):
    client = token_client(make_user(make_site("NORTH"), role))
    assert post(client, acceptance_bundle()).status_code == 200


def test_anonymous_callers_get_401_as_an_operation_outcome():
    response = post(APIClient(), acceptance_bundle())
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "login"


def test_a_signed_in_user_without_any_site_is_refused(client):
    client.force_login(make_user(None))
    response = client.post(URL, data=json.dumps(acceptance_bundle()), content_type=FHIR_JSON)
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    ("body", "expression"),
    [
        ({"resourceType": "Patient", "id": "p1"}, "resourceType"),
        ({"entry": []}, "resourceType"),
        (
            {"resourceType": "Parameters", "parameter": [{"name": "x", "valueString": "y"}]},
            "Parameters.parameter",
        ),
        ({"resourceType": "Bundle", "entry": {"resource": PATIENT}}, "Bundle.entry"),
    ],
)
def test_a_body_that_is_not_a_bundle_is_a_400_naming_the_path(reader, body, expression):
    response = post(reader, body)
    assert response.status_code == 400
    outcome = response.json()
    OperationOutcome.model_validate(outcome)
    assert outcome["issue"][0]["severity"] == "error"
    assert outcome["issue"][0]["expression"] == [expression]


def test_a_json_array_is_a_400_operation_outcome(reader):
    response = post(reader, [acceptance_bundle()])
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_mapped_case_that_breaks_the_contract_is_a_400_with_its_paths(reader):
    # Born after the Observations were taken: the case cannot be valid, and the outcome names the field.
    born_late = {**PATIENT, "birthDate": "2026-12-01"}
    response = post(reader, bundle(born_late, obs("1988-5", 3, "mg/L", "2026-11-30", "crp")))
    assert response.status_code == 400
    OperationOutcome.model_validate(response.json())
    issues = response.json()["issue"]
    assert {"severity": "error", "code": "invalid"}.items() <= issues[0].items()
    assert issues[0]["expression"] == ["episode.assessed_on"]


def test_an_out_of_range_value_is_a_400_naming_the_case_field(reader):
    response = post(reader, bundle(PATIENT, obs("1988-5", 60, "mg/dL", ident="crp")))
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["episode.labs.crp_mg_l"]


JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
# Mostly plausible FHIR (so that values are read and assessed), with arbitrary JSON mixed in at every level.
UNITS = [(a.loinc, unit) for a in ANALYTES for unit in a.factors] + [
    ("8310-5", "[degF]"),
    ("1988-5", "mmol/L"),
]
NUMBER = st.integers(0, 600) | st.floats(0, 600) | st.floats(1e300, 1.7e308)


@st.composite
def observations(draw: st.DrawFn) -> dict[str, Any]:
    loinc, unit = draw(st.sampled_from(UNITS))
    quantity = {"value": draw(NUMBER | JSON_LEAF), "system": "http://unitsofmeasure.org", "code": unit}
    if draw(st.integers(0, 9)) == 0:
        quantity = draw(st.sampled_from([{**quantity, "comparator": "<"}, {"value": 1}]) | JSON)
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "valueQuantity": quantity,
        "effectiveDateTime": draw(
            st.sampled_from(
                ["2026-11-30", "2026-02-30", "2026-11", "2026-11-01T25:00:00Z", "2026-10-01T08:00+14:00"]
            )
            | JSON_LEAF
        ),
    }
    if loinc in ("2532-0", "6768-6"):
        resource["referenceRange"] = [
            {"low": {"value": draw(NUMBER)}, "high": {"value": draw(NUMBER), "code": "U/L"}}
        ]
    for key, value in draw(
        st.dictionaries(st.sampled_from(["status", "subject", "code", "referenceRange"]), JSON)
    ).items():
        resource[key] = value
    return resource


OBSERVATION = observations()
PATIENTS = st.fixed_dictionaries(
    {"resourceType": st.just("Patient")},
    optional={"gender": st.sampled_from(["female", "male", "other"]) | JSON, "birthDate": JSON},
)
ENTRY = st.fixed_dictionaries({"resource": OBSERVATION | OBSERVATION | PATIENTS | JSON}) | JSON
BUNDLE = st.fixed_dictionaries(
    {"resourceType": st.just("Bundle"), "entry": st.lists(ENTRY, max_size=8) | JSON}
)
BODY = (
    BUNDLE | BUNDLE | st.fixed_dictionaries({"resourceType": st.just("Parameters"), "parameter": JSON}) | JSON
)


@pytest.mark.slow
def test_any_body_is_answered_with_an_assessment_or_an_operation_outcome_never_a_server_error(reader):
    @given(body=BODY)
    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    def check(body: Any) -> None:
        response = post(reader, body)
        assert response.status_code in (200, 400), response.content
        answer = response.json()
        if response.status_code == 200:
            assert answer["schema"] == "cno-assessment/1"
        else:
            assert answer["resourceType"] == "OperationOutcome"
            assert all(i["severity"] in ("error", "warning") for i in answer["issue"])

    check()
