"""The FHIR R4 read API: what an EHR integrator reads at /fhir/r4/. Every resource is checked against
fhir.resources' R4B models, every reference of a Bundle resolves inside it, and another site's patient is a
404 OperationOutcome like an unknown one."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from rest_framework.test import APIClient

from exclusion.engine import schema as contract
from exclusion.engine import thresholds as T
from exclusion.engine import vocabulary
from exclusion.interop.fhir import codesystems
from exclusion.interop.fhir.loinc import ANALYTES, BY_KEY, LOINC, UCUM
from patients.models import Patient
from patients.services import case_import
from tests.clients import token_client
from tests.factories import case, make_site, make_treatment, make_user

pytestmark = pytest.mark.django_db

DEMO = Path(settings.BASE_DIR) / "demo_data"
FHIR_JSON = "application/fhir+json"


def everything_url(patient: Patient) -> str:
    return f"/fhir/r4/Patient/{patient.pk}/$everything"


def fhir_get(client: APIClient, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(FHIR_JSON)
    return json.loads(response.content)


def validate(resource: dict[str, Any]) -> None:
    """Parse the resource with its R4B model (raises on any structural error)."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def references(node: Any) -> list[str]:
    """Every `reference` string anywhere in a resource."""
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in references(item)]
    return []


def check_bundle(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The Bundle parses, each entry parses, and each reference resolves to an entry's fullUrl."""
    Bundle.model_validate(bundle)
    entries = bundle["entry"]
    for entry in entries:
        validate(entry["resource"])
    full_urls = {entry["fullUrl"] for entry in entries}
    assert len(full_urls) == len(entries)
    for entry in entries:
        for ref in references(entry["resource"]):
            assert ref in full_urls, f"{entry['resource']['resourceType']} refers to {ref} outside the bundle"
    return [entry["resource"] for entry in entries]


def of_type(resources: list[dict[str, Any]], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["resourceType"] == resource_type]


def lab_observations(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in of_type(resources, "Observation") if "valueQuantity" in r]


def by_loinc(resources: list[dict[str, Any]], loinc: str) -> dict[str, Any]:
    (obs,) = [r for r in lab_observations(resources) if r["code"]["coding"][0]["code"] == loinc]
    return obs


def everything_of(doc: dict[str, Any], site_code: str = "NORTH") -> tuple[Patient, list[dict[str, Any]]]:
    site = make_site(site_code)
    episode = case_import(actor=None, site=site, record_number="FHIR-1", doc=doc)
    client = token_client(make_user(site))
    return episode.patient, check_bundle(fhir_get(client, everything_url(episode.patient)))


def with_labs(**labs: Any) -> dict[str, Any]:
    doc = case()
    doc["episode"]["labs"].update(labs)
    return doc


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo refuses to run with DEBUG off
    call_command("load_demo", stdout=open("/dev/null", "w"))
    users = get_user_model().objects
    return {
        "NORTH": token_client(users.get(username="north-clinician")),
        "SOUTH": token_client(users.get(username="south-clinician")),
    }


def test_everything_of_every_demo_patient_parses_and_carries_each_lab_value_once_with_loinc_and_ucum(demo):
    patients = Patient.objects.select_related("site").prefetch_related("episodes", "treatments")
    assert patients.count() >= 30
    for patient in patients:
        resources = check_bundle(fhir_get(demo[patient.site.code], everything_url(patient)))
        expected = Counter()
        for episode in patient.episodes.all():
            for analyte in ANALYTES:
                value = getattr(episode, analyte.key)
                if value is not None:
                    expected[(analyte.loinc, analyte.ucum, episode.assessed_on.isoformat(), value)] += 1
        seen = Counter()
        for obs in lab_observations(resources):
            (coding,) = obs["code"]["coding"]
            assert coding["system"] == LOINC
            quantity = obs["valueQuantity"]
            assert quantity["system"] == UCUM and quantity["code"] == quantity["unit"]
            seen[(coding["code"], quantity["code"], obs["effectiveDateTime"], quantity["value"])] += 1
        assert seen == expected, patient.record_number
        (found,) = of_type(resources, "Patient")
        assert found["identifier"][0]["value"] == patient.record_number
        assert len(of_type(resources, "Condition")) == 1
        assert len(of_type(resources, "MedicationStatement")) == patient.treatments.count()
        assert len(of_type(resources, "RiskAssessment")) == sum(
            e.assessments.count() for e in patient.episodes.all()
        )


def test_the_bundle_holds_the_patient_with_a_per_site_identifier_gender_and_birth_date():
    patient, resources = everything_of(case())
    (found,) = of_type(resources, "Patient")
    assert found["gender"] == "female" and found["birthDate"] == "2014-03-02"
    (identifier,) = found["identifier"]
    assert identifier["value"] == "FHIR-1"
    south_patient, south = everything_of(case(), site_code="SOUTH")
    (south_identifier,) = of_type(south, "Patient")[0]["identifier"]
    assert south_identifier["value"] == "FHIR-1" and south_identifier["system"] != identifier["system"]


def test_patient_read_answers_the_patient_resource_as_fhir_json():
    site = make_site()
    patient = case_import(actor=None, site=site, record_number="FHIR-2", doc=case()).patient
    found = fhir_get(token_client(make_user(site)), f"/fhir/r4/Patient/{patient.pk}")
    validate(found)
    assert found["resourceType"] == "Patient" and found["id"] == str(patient.pk)


def test_lab_observations_carry_the_limits_and_flag_each_crossed_threshold():
    doc = with_labs(
        crp_mg_l=T.CRP_RAISED_MG_L + 15,
        wbc_10e9_l=T.WBC_LOW_10E9_L - 1.9,
        platelets_10e9_l=T.PLATELETS_LOW_10E9_L - 70,
        ldh_u_l=450,
        ldh_uln_u_l=300,
        alp_u_l=100,
        alp_lln_u_l=130,
        esr_mm_h=None,
    )
    doc["episode"]["symptoms"]["max_temperature_c"] = T.FEVER_C + 0.5
    _, resources = everything_of(doc)
    flags = {}
    for obs in lab_observations(resources):
        codes = [c["code"] for i in obs.get("interpretation", []) for c in i["coding"]]
        flags[obs["code"]["coding"][0]["code"]] = codes
    assert flags[BY_KEY["crp_mg_l"].loinc] == ["H"]
    assert flags[BY_KEY["wbc_10e9_l"].loinc] == ["L"]
    assert flags[BY_KEY["platelets_10e9_l"].loinc] == ["L"]
    assert flags[BY_KEY["ldh_u_l"].loinc] == ["H"]
    assert flags[BY_KEY["alp_u_l"].loinc] == ["L"]
    assert flags[BY_KEY["max_temperature_c"].loinc] == ["H"]
    assert flags[BY_KEY["neutrophils_10e9_l"].loinc] == []  # 3.9 is not below the neutropenia threshold
    assert BY_KEY["esr_mm_h"].loinc not in flags  # unknown values are not exported
    ldh = by_loinc(resources, BY_KEY["ldh_u_l"].loinc)
    assert ldh["referenceRange"] == [{"high": {"value": 300, "unit": "U/L", "system": UCUM, "code": "U/L"}}]
    alp = by_loinc(resources, BY_KEY["alp_u_l"].loinc)
    assert alp["referenceRange"][0]["low"]["value"] == 130
    temperature = by_loinc(resources, "8310-5")
    assert temperature["valueQuantity"]["code"] == "Cel"
    assert temperature["effectiveDateTime"] == doc["episode"]["assessed_on"]


def test_lesions_are_observations_of_an_imaging_report_with_site_side_level_and_every_feature():
    doc = case(
        lesions=[
            {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True, "sclerosis": True},
            {"site": "spine_thoracic", "side": "midline", "modality": "mri", "level": "T7", "lytic": True},
        ]
    )
    _, resources = everything_of(doc)
    (report,) = of_type(resources, "DiagnosticReport")
    lesions = [r for r in of_type(resources, "Observation") if "bodySite" in r]
    assert len(report["result"]) == len(lesions) == 2
    assert [lesion["bodySite"]["text"] for lesion in lesions] == [
        "Tibia, Left",
        "Thoracic spine, Midline, T7",
    ]
    feature_system = codesystems.canonical(codesystems.LESION_FEATURE)
    first = {c["code"]["coding"][0]["code"]: c["valueBoolean"] for c in lesions[0]["component"]}
    assert all(c["code"]["coding"][0]["system"] == feature_system for c in lesions[0]["component"])
    assert set(first) == set(contract.LESION_FEATURES)
    assert first["marrow_oedema"] and first["sclerosis"] and not first["lytic"]


def test_the_risk_assessment_gives_the_ruleset_each_differential_the_biopsy_and_the_rules_that_fired():
    doc = with_labs(wbc_10e9_l=2.1, platelets_10e9_l=80)
    patient, resources = everything_of(doc)
    (risk,) = of_type(resources, "RiskAssessment")
    assessment = patient.episodes.get().assessments.get()
    assert assessment.ruleset in risk["method"]["text"]
    outcomes = {
        p["outcome"]["coding"][0]["code"]: p["qualitativeRisk"]["coding"][0]["code"]
        for p in risk["prediction"]
    }
    assert list(outcomes) == [*vocabulary.DIFFERENTIALS.codes, vocabulary.BIOPSY]
    for differential in vocabulary.DIFFERENTIALS.codes:
        assert outcomes[differential] == assessment.result["differentials"][differential]["status"]
    assert outcomes[vocabulary.MALIGNANCY] == vocabulary.CONCERN
    assert outcomes[vocabulary.BIOPSY] == "Y"
    note = risk["note"][0]["text"]
    assert "MAL-CYTOPENIA-WBC" in note and "MAL-CYTOPENIA-PLT" in note and "BIOPSY-MALIGNANCY" in note
    basis = {ref["reference"] for ref in risk["basis"]}
    full_urls = {r["id"]: ref for r, ref in zip(resources, references_of(resources), strict=True)}
    for obs in lab_observations(resources):
        assert full_urls[obs["id"]] in basis


def references_of(resources: list[dict[str, Any]]) -> list[str]:
    from exclusion.interop.fhir.resources import full_url

    return [full_url(r["resourceType"], r["id"]) for r in resources]


def test_the_cno_condition_is_provisional_until_the_exclusion_is_complete_and_never_confirmed():
    _, incomplete = everything_of(with_labs(wbc_10e9_l=2.1))
    (condition,) = of_type(incomplete, "Condition")
    assert condition["code"]["coding"] == [
        {
            "system": "http://hl7.org/fhir/sid/icd-10",
            "code": "M86.3",
            "display": "Chronic multifocal osteomyelitis",
        }
    ]
    assert condition["verificationStatus"]["coding"][0]["code"] == "provisional"
    (risk,) = of_type(incomplete, "RiskAssessment")
    assert condition["evidence"][0]["detail"] == [{"reference": references_of([risk])[0]}]

    _, complete = everything_of(case(), site_code="SOUTH")
    (condition,) = of_type(complete, "Condition")
    assert condition["verificationStatus"]["coding"][0]["code"] == "unconfirmed"


def test_each_treatment_course_is_a_medication_statement_without_a_dose():
    site = make_site()
    patient = case_import(actor=None, site=site, record_number="FHIR-3", doc=case()).patient
    make_treatment(patient, started_on="2024-05-10", stopped_on="2024-08-01", stop_reason="remission")
    make_treatment(
        patient,
        drug="methotrexate",
        drug_class="methotrexate",
        started_on="2024-06-01",
        stopped_on="2024-07-01",
        stop_reason="adverse_event",
    )
    make_treatment(patient, drug="adalimumab", drug_class="tnf_inhibitor", started_on="2024-08-02")
    bundle = fhir_get(token_client(make_user(site)), everything_url(patient))
    statements = of_type(check_bundle(bundle), "MedicationStatement")
    assert [(s["medicationCodeableConcept"]["text"], s["status"]) for s in statements] == [
        ("naproxen", "completed"),
        ("methotrexate", "stopped"),
        ("adalimumab", "active"),
    ]
    assert statements[0]["effectivePeriod"] == {"start": "2024-05-10", "end": "2024-08-01"}
    assert all("dosage" not in s for s in statements)


def test_another_sites_patient_is_a_404_operation_outcome_like_an_unknown_one():
    north, south = make_site("NORTH"), make_site("SOUTH")
    patient = case_import(actor=None, site=south, record_number="FHIR-4", doc=case()).patient
    client = token_client(make_user(north))
    for url in (f"/fhir/r4/Patient/{patient.pk}", everything_url(patient), "/fhir/r4/Patient/999999"):
        outcome = fhir_get(client, url, status=404)
        validate(outcome)
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "not-found"


def test_an_anonymous_read_is_a_401_operation_outcome():
    patient = case_import(actor=None, site=make_site(), record_number="FHIR-5", doc=case()).patient
    for url in (
        f"/fhir/r4/Patient/{patient.pk}",
        everything_url(patient),
        "/fhir/r4/CodeSystem/cno-differential",
    ):
        outcome = fhir_get(APIClient(), url, status=401)
        validate(outcome)
        assert outcome["issue"][0]["code"] == "login"


def test_unknown_paths_under_fhir_r4_are_404_operation_outcomes_not_pages():
    client = token_client(make_user(make_site()))
    for url in (
        "/fhir/r4/Observation/1",
        "/fhir/r4/Patient/abc",
        "/fhir/r4/CodeSystem/no-such-system",
        "/fhir/r4/nothing/here",
    ):
        outcome = fhir_get(client, url, status=404)
        assert outcome["resourceType"] == "OperationOutcome", url
    assert fhir_get(APIClient(), "/fhir/r4/nothing", status=404)["resourceType"] == "OperationOutcome"


def test_patient_data_is_never_cached():
    site = make_site()
    patient = case_import(actor=None, site=site, record_number="FHIR-6", doc=case()).patient
    response = token_client(make_user(site)).get(everything_url(patient))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_everything_takes_the_same_number_of_queries_whatever_the_number_of_episodes(
    django_assert_max_num_queries,
):
    site = make_site()
    client = token_client(make_user(site))
    one = case_import(actor=None, site=site, record_number="FHIR-7", doc=case()).patient
    make_treatment(one)
    client.get(everything_url(one))  # warm the per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(everything_url(one)).status_code == 200
    many = None
    for day in range(1, 6):
        doc = copy.deepcopy(case(assessed_on=f"2024-06-{day:02d}"))
        many = case_import(actor=None, site=site, record_number="FHIR-8", doc=doc).patient
    make_treatment(many)
    make_treatment(many, drug="adalimumab", drug_class="tnf_inhibitor", started_on="2024-06-03")
    with django_assert_max_num_queries(len(queries)):
        response = client.get(everything_url(many))
    assert len(of_type(check_bundle(json.loads(response.content)), "RiskAssessment")) == 5


def test_metadata_is_a_capability_statement_of_the_read_api_and_the_assess_operation():
    statement = fhir_get(APIClient(), "/fhir/r4/metadata")
    CapabilityStatement.model_validate(statement)
    assert statement["fhirVersion"] == "4.0.1"
    assert any("json" in f for f in statement["format"])
    (rest,) = statement["rest"]
    by_type = {r["type"]: r for r in rest["resource"]}
    assert [i["code"] for i in by_type["Patient"]["interaction"]] == ["read"]
    assert [o["name"] for o in by_type["Patient"]["operation"]] == ["everything"]
    assert [i["code"] for i in by_type["CodeSystem"]["interaction"]] == ["read"]
    assert [o["name"] for o in rest["operation"]] == ["cno-assess"]
    assert rest["security"]["service"]


@pytest.mark.parametrize(
    ("codesystem_id", "codes"),
    [
        (codesystems.DIFFERENTIAL, vocabulary.DIFFERENTIALS.codes),
        (codesystems.DIFFERENTIAL_STATUS, vocabulary.STATUSES.codes),
        (codesystems.LESION_FEATURE, contract.LESION_FEATURES),
        (codesystems.BIOPSY_RECOMMENDATION, (vocabulary.BIOPSY, *vocabulary.BIOPSY_REASONS.codes)),
    ],
)
def test_each_codesystem_is_published_with_every_code_of_the_vocabulary(codesystem_id, codes):
    client = token_client(make_user(make_site()))
    found = fhir_get(client, f"/fhir/r4/CodeSystem/{codesystem_id}")
    CodeSystem.model_validate(found)
    assert found["url"] == codesystems.canonical(codesystem_id)
    assert found["content"] == "complete"
    assert tuple(c["code"] for c in found["concept"]) == tuple(codes)
    if codesystem_id == codesystems.DIFFERENTIAL_STATUS:
        assert [c["display"] for c in found["concept"]] == [t.label for t in vocabulary.STATUSES]


def test_any_path_under_fhir_r4_answers_fhir_json_and_never_a_server_error():
    """A property test in place of schemathesis (the FHIR door is not in the OpenAPI schema): random ids and
    path segments, with and without a token, always answer an application/fhir+json resource."""
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st

    site = make_site()
    patient = case_import(actor=None, site=site, record_number="FHIR-9", doc=case()).patient
    clients = [token_client(make_user(site)), APIClient()]
    segment = st.text(alphabet="abcXYZ019-._$%", min_size=1, max_size=12)
    paths = st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: f"Patient/{n}"),
        st.integers(min_value=0, max_value=2**70).map(lambda n: f"Patient/{n}/$everything"),
        segment.map(lambda s: f"CodeSystem/{s}"),
        st.lists(segment, min_size=1, max_size=3).map("/".join),
        st.just(f"Patient/{patient.pk}/$everything"),
    )

    @given(path=paths, anonymous=st.booleans())
    @example(path="CodeSystem/%0a", anonymous=False)  # a newline once fell through to Django's HTML 404
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def exercise(path: str, anonymous: bool) -> None:
        response = clients[anonymous].get(f"/fhir/r4/{path}")
        assert response.status_code in (200, 401, 404, 429), (path, response.status_code)
        assert response["Content-Type"].startswith(FHIR_JSON)
        body = json.loads(response.content)
        validate(body)
        if response.status_code != 200:
            assert body["resourceType"] == "OperationOutcome"

    exercise()
