"""The CDS Hooks 2.0 service, called as an EHR calls it: signed JWTs, prefetch, cards and feedback."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st
from joserfc import jwk, jwt
from rest_framework.test import APIClient

from exclusion import engine
from exclusion.interop.cds_hooks.cards import SUMMARY_MAX, CardContext, cards_for
from exclusion.interop.cds_hooks.models import CdsCallSeen, CdsCard, CdsClient, CdsFeedback
from exclusion.interop.cds_hooks.services import cds_client_register
from exclusion.interop.fhir.resources import patient_identifier_system
from exclusion.review.models import Flag, FlagEvent, FlagEventKind
from tests.factories import case, make_episode, make_user

DEMO = Path(settings.BASE_DIR) / "demo_data"
ALGS = ["RS384", "ES384", "RS256", "ES256"]
SERVICE = "http://testserver/cds-services/cno-exclusion"
FEEDBACK = "http://testserver/cds-services/cno-exclusion/feedback"
NORTH_ISS = "https://ehr.north.example/cds"
SOUTH_ISS = "https://ehr.south.example/cds"


@pytest.fixture(scope="module")
def rsa_key() -> jwk.RSAKey:
    return jwk.RSAKey.generate_key(2048, parameters={"kid": "north-rsa"})


@pytest.fixture(scope="module")
def ec_key() -> jwk.ECKey:
    return jwk.ECKey.generate_key("P-384", parameters={"kid": "north-ec"})


@pytest.fixture(scope="module")
def south_key() -> jwk.RSAKey:
    return jwk.RSAKey.generate_key(2048, parameters={"kid": "south-rsa"})


def public_jwks(*keys: Any) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


@pytest.fixture
def north_client(north, rsa_key, ec_key) -> CdsClient:
    return cds_client_register(
        name="Northfield EHR", site_code="NORTH", issuer=NORTH_ISS, jwks=public_jwks(rsa_key, ec_key)
    )


@pytest.fixture
def south_client(south, south_key) -> CdsClient:
    return cds_client_register(
        name="Southbay EHR", site_code="SOUTH", issuer=SOUTH_ISS, jwks=public_jwks(south_key)
    )


def token(key: Any, *, iss: str = NORTH_ISS, aud: str = SERVICE, alg: str = "RS384", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": iss, "aud": aud, "exp": now + 300, "iat": now, "jti": str(uuid.uuid4()), **claims}
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode({"alg": alg, "typ": "JWT", "kid": key.kid}, body, key, algorithms=ALGS)


def post(url: str, body: dict[str, Any], bearer: str | None) -> Any:
    client = APIClient()
    if bearer is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer}")
    return client.post(url, json.dumps(body), content_type="application/json")


def observation(loinc: str, value: float, unit: str, when: str = "2026-11-30") -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "subject": {"reference": "Patient/ehr-1"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
    }


def labs(*observations: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": o} for o in observations]}


MALIGNANCY_LABS = (
    observation("1988-5", 4.5, "mg/dL"),
    observation("6690-2", 2.1, "10*3/uL"),
    observation("777-3", 80, "10*3/uL"),
)


def ehr_patient(identifier: dict[str, str] | None = None) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": "ehr-1",
        "gender": "female",
        "birthDate": "2015-03-02",
    }
    if identifier:
        patient["identifier"] = [identifier]
    return patient


def hook_request(prefetch: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/p1", "patientId": "ehr-1"},
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    body.update(changes)
    return body


def malignancy_request(identifier: dict[str, str] | None = None) -> dict[str, Any]:
    return hook_request({"patient": ehr_patient(identifier), "labs": labs(*MALIGNANCY_LABS)})


def by_concern(response: Any) -> dict[str, dict[str, Any]]:
    cards = response.json()["cards"]
    stored = {str(c.uuid): c.concern for c in CdsCard.objects.all()}
    return {stored[card["uuid"]]: card for card in cards}


# --- discovery -------------------------------------------------------------------------------------------
def test_discovery_describes_one_patient_view_service_with_patient_and_lab_prefetch(db):
    response = APIClient().get("/cds-services")

    assert response.status_code == 200
    (service,) = response.json()["services"]
    assert service["hook"] == "patient-view"
    assert service["id"] == "cno-exclusion"
    assert service["title"] and service["description"]
    assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    template = service["prefetch"]["labs"]
    assert template.startswith("Observation?patient={{context.patientId}}&code=")
    for code in ("1988-5", "30341-2", "6690-2", "751-8", "718-7", "777-3", "2532-0", "6768-6", "8310-5"):
        assert f"http://loinc.org|{code}" in template


# --- cards -----------------------------------------------------------------------------------------------
def test_a_valid_jwt_with_a_malignancy_prefetch_answers_a_critical_card_naming_findings_and_rule_ids(
    north_client, rsa_key
):
    response = post(SERVICE, malignancy_request(), token(rsa_key))

    assert response.status_code == 200
    cards = by_concern(response)
    malignancy = cards["malignancy_concern"]
    assert malignancy["indicator"] == "critical"
    assert "Malignancy not excluded" in malignancy["summary"]
    for rule_id in ("MAL-CYTOPENIA-WBC", "MAL-CYTOPENIA-PLT"):
        assert rule_id in malignancy["detail"]
    assert "WBC 2.1" in malignancy["detail"] and "Platelets 80" in malignancy["detail"]
    assert "Source:" in malignancy["detail"]
    assert cards["infection_concern"]["indicator"] == "critical"
    assert "INF-CRP-30" in cards["infection_concern"]["detail"]
    assert cards["biopsy_recommended"]["indicator"] == "warning"
    assert cards["screening_incomplete"]["indicator"] == "warning"
    # Critical cards first; every card complete, with its summary under 140 characters.
    assert [c["indicator"] for c in response.json()["cards"]][:2] == ["critical", "critical"]
    for card in response.json()["cards"]:
        assert len(card["summary"]) < 140
        assert card["source"]["label"] == f"CNO exclusion workbench, ruleset {engine.RULESET_VERSION}"
        (link,) = card["links"]
        assert link["type"] == "absolute" and link["url"].startswith(("http://", "https://"))
        systems = {reason["system"] for reason in card["overrideReasons"]}
        assert "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes" in systems
        assert any(r["code"] == "typical_multifocal_pattern" for r in card["overrideReasons"])
        assert "dose" not in card["detail"].lower()
    assert CdsCard.objects.filter(client=north_client, patient=None).count() == len(cards)


def test_an_es384_token_is_accepted_as_well(north_client, ec_key):
    response = post(SERVICE, malignancy_request(), token(ec_key, alg="ES384"))

    assert response.status_code == 200
    assert response.json()["cards"]


def test_a_case_with_nothing_to_say_answers_no_card(north, north_client, rsa_key):
    make_episode(north, "NF-9100")  # the contract example: every differential settled
    identifier = {"system": patient_identifier_system(north), "value": "NF-9100"}

    response = post(SERVICE, hook_request({"patient": ehr_patient(identifier), "labs": None}), token(rsa_key))

    assert response.status_code == 200
    assert response.json() == {"cards": []}


def test_a_known_patient_gets_the_latest_episode_merged_with_newer_prefetched_labs(
    north, north_client, rsa_key
):
    episode = make_episode(north, "NF-9001")  # assessed 2024-05-10, platelets 310: nothing to say alone
    identifier = {"system": patient_identifier_system(north), "value": "nf-9001"}
    older = observation("777-3", 50, "10*9/L", when="2024-01-01")  # before the episode: not used
    newer = observation("777-3", 80, "10*9/L", when="2026-11-30")
    body = hook_request({"patient": ehr_patient(identifier), "labs": labs(older, newer)})

    response = post(SERVICE, body, token(rsa_key))

    assert response.status_code == 200
    malignancy = by_concern(response)["malignancy_concern"]
    assert malignancy["indicator"] == "critical"
    assert "Platelets 80" in malignancy["detail"]
    assert "newer EHR results" in malignancy["detail"]
    episode_url = settings.SITE_URL.rstrip("/") + reverse("patients:episode_detail", args=[episode.pk])
    assert malignancy["links"][0]["url"] == episode_url
    assert CdsCard.objects.get(uuid=malignancy["uuid"]).episode == episode


def test_another_sites_client_never_sees_this_sites_patient(north, south, south_client, south_key):
    episode = make_episode(north, "NF-9002")
    for system in (patient_identifier_system(north), patient_identifier_system(south)):
        body = malignancy_request({"system": system, "value": "NF-9002"})

        response = post(SERVICE, body, token(south_key, iss=SOUTH_ISS))

        assert response.status_code == 200
        text = json.dumps(response.json())
        assert reverse("patients:episode_detail", args=[episode.pk]) not in text
        assert "NF-9002" not in text and "2024-05-10" not in text  # nothing of the NORTH record
        assert "EHR data sent with this call only" in text
    assert not CdsCard.objects.exclude(patient=None).exists()


def test_without_prefetch_an_unknown_patient_is_a_412_operation_outcome(north_client, rsa_key):
    response = post(SERVICE, hook_request(), token(rsa_key))

    assert response.status_code == 412
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "required"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"hookInstance": None}, "hookInstance"),
        ({"context": {"userId": "Practitioner/p1"}}, "context.patientId"),
        ({"hook": "order-select"}, "hook"),
    ],
)
def test_a_malformed_hook_request_is_a_400_naming_the_field(north_client, rsa_key, change, path):
    body = {k: v for k, v in {**malignancy_request(), **change}.items() if v is not None}

    response = post(SERVICE, body, token(rsa_key))

    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == [path]


# --- trust -----------------------------------------------------------------------------------------------
def _expired(key: Any) -> str:
    return token(key, exp=int(time.time()) - 600, iat=int(time.time()) - 900)


def _wrong_aud(key: Any) -> str:
    return token(key, aud=FEEDBACK)


def _unknown_issuer(key: Any) -> str:
    return token(key, iss="https://ehr.unknown.example")


def _bad_signature(key: Any) -> str:
    impostor = jwk.RSAKey.generate_key(2048, parameters={"kid": key.kid})
    return token(impostor)


def _issued_in_the_future(key: Any) -> str:
    return token(key, iat=int(time.time()) + 600, exp=int(time.time()) + 900)


def _no_jti(key: Any) -> str:
    return token(key, jti=None)


def _hs256(key: Any) -> str:
    secret = jwk.OctKey.generate_key(256, parameters={"kid": key.kid})
    now = int(time.time())
    claims = {"iss": NORTH_ISS, "aud": SERVICE, "exp": now + 300, "iat": now, "jti": "x"}
    return jwt.encode({"alg": "HS256", "kid": key.kid}, claims, secret)


@pytest.mark.parametrize(
    "bad_token",
    [_expired, _wrong_aud, _unknown_issuer, _bad_signature, _issued_in_the_future, _no_jti, _hs256],
)
def test_a_token_failing_any_check_is_a_bare_401(north_client, rsa_key, bad_token):
    response = post(SERVICE, malignancy_request(), bad_token(rsa_key))

    assert response.status_code == 401
    assert response.content == b""
    assert response["WWW-Authenticate"] == "Bearer"
    assert not CdsCard.objects.exists()


def test_no_token_or_garbage_is_a_bare_401(north_client):
    for bearer in (None, "not-a-jwt", "a.b.c"):
        response = post(SERVICE, malignancy_request(), bearer)

        assert response.status_code == 401
        assert response.content == b""


def test_an_inactive_client_is_refused(north_client, rsa_key):
    north_client.active = False
    north_client.save()

    assert post(SERVICE, malignancy_request(), token(rsa_key)).status_code == 401


def test_a_replayed_jti_is_refused_by_the_database(north_client, rsa_key):
    signed = token(rsa_key)

    assert post(SERVICE, malignancy_request(), signed).status_code == 200
    assert post(SERVICE, malignancy_request(), signed).status_code == 401
    assert CdsCallSeen.objects.filter(issuer=NORTH_ISS).count() == 1


def test_the_feedback_url_needs_its_own_audience(north_client, rsa_key):
    response = post(FEEDBACK, {"feedback": []}, token(rsa_key, aud=SERVICE))

    assert response.status_code == 401


# --- feedback --------------------------------------------------------------------------------------------
def _card_uuid(response: Any, concern: str) -> str:
    return by_concern(response)[concern]["uuid"]


def _override(card: str, when: str = "2026-12-01T10:00:00Z") -> dict[str, Any]:
    return {
        "card": card,
        "outcome": "overridden",
        "overrideReason": {
            "reason": {
                "system": "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes",
                "code": "recipient-disagrees-evidence",
                "display": "Recipient disagrees with recommendation because of issues with the evidence",
            },
            "userComment": "Blood film already reviewed.",
        },
        "outcomeTimestamp": when,
    }


def test_the_same_feedback_posted_twice_is_stored_once(north_client, rsa_key):
    card = _card_uuid(post(SERVICE, malignancy_request(), token(rsa_key)), "malignancy_concern")
    body = {"feedback": [_override(card)]}

    first = post(FEEDBACK, body, token(rsa_key, aud=FEEDBACK))
    second = post(FEEDBACK, body, token(rsa_key, aud=FEEDBACK))

    assert first.status_code == 200 and first.json() == {"stored": 1, "already_stored": 0}
    assert second.status_code == 200 and second.json() == {"stored": 0, "already_stored": 1}
    stored = CdsFeedback.objects.get()
    assert stored.outcome == "overridden"
    assert stored.override_reason["reason"]["code"] == "recipient-disagrees-evidence"


def test_feedback_on_a_card_about_a_flag_appears_in_the_flags_history(client, north, north_client, rsa_key):
    doc = case()
    doc["episode"]["labs"]["platelets_10e9_l"] = 80
    episode = make_episode(north, "NF-9003", doc)
    flag = Flag.objects.get(episode=episode)
    identifier = {"system": patient_identifier_system(north), "value": "NF-9003"}
    cards = post(SERVICE, hook_request({"patient": ehr_patient(identifier)}), token(rsa_key))
    card = _card_uuid(cards, "malignancy_concern")

    for _ in range(2):
        response = post(FEEDBACK, {"feedback": [_override(card)]}, token(rsa_key, aud=FEEDBACK))
        assert response.status_code == 200

    (event,) = FlagEvent.objects.filter(flag=flag, kind=FlagEventKind.EHR_FEEDBACK)
    assert event.actor is None and event.actor_label == "Northfield EHR (EHR)"
    assert "overridden" in event.text and "Blood film already reviewed." in event.text
    reviewer = make_user(north, role="reviewer")
    client.force_login(reviewer)
    page = client.get(reverse("review:flag", args=[flag.pk])).content.decode()
    assert "EHR card feedback" in page and "Blood film already reviewed." in page


def test_feedback_on_another_clients_card_is_refused_and_nothing_is_stored(
    north_client, south_client, rsa_key, south_key
):
    card = _card_uuid(post(SERVICE, malignancy_request(), token(rsa_key)), "malignancy_concern")
    south_feedback = FEEDBACK

    response = post(
        south_feedback, {"feedback": [_override(card)]}, token(south_key, iss=SOUTH_ISS, aud=FEEDBACK)
    )

    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["feedback[0].card"]
    assert not CdsFeedback.objects.exists()


def test_malformed_feedback_names_each_wrong_field(north_client, rsa_key):
    card = _card_uuid(post(SERVICE, malignancy_request(), token(rsa_key)), "malignancy_concern")
    body = {"feedback": [{"card": card, "outcome": "ignored", "outcomeTimestamp": "yesterday"}]}

    response = post(FEEDBACK, body, token(rsa_key, aud=FEEDBACK))

    assert response.status_code == 400
    paths = {issue["expression"][0] for issue in response.json()["issue"]}
    assert paths == {"feedback[0].outcome", "feedback[0].outcomeTimestamp"}


# --- every demo case ----------------------------------------------------------------------------------------
def test_every_card_of_every_demo_case_has_a_summary_under_140_characters():
    ctx = CardContext(
        ruleset=engine.RULESET_VERSION,
        source_url="https://cno.example/rules/",
        link_label="Open",
        link_url="https://cno.example/episodes/1/",
        provenance="_test_",
    )
    seen = 0
    for path in sorted((DEMO / "cases").glob("*.json")):
        result = engine.assess(json.loads(path.read_text()))
        for card in cards_for(result, ctx):
            assert len(card["summary"]) <= SUMMARY_MAX, (path.name, card["summary"])
            seen += 1
    assert seen > 0


# --- registration --------------------------------------------------------------------------------------
def test_add_cds_client_registers_public_keys_for_a_site(north, rsa_key, tmp_path, capsys):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks(rsa_key)))

    call_command("add_cds_client", "Northfield EHR", site="north", issuer=NORTH_ISS, jwks=str(jwks))

    client = CdsClient.objects.get(issuer=NORTH_ISS)
    assert client.site == north and client.active
    assert "Registered CDS client" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("jwks_text", "site", "message"),
    [
        ("PUBLIC", "NOWHERE", "No site with the code"),
        ("PRIVATE", "NORTH", "private or secret key material"),
        ("{not json", "NORTH", "is not JSON"),
        ('{"keys": []}', "NORTH", "non-empty"),
    ],
)
def test_add_cds_client_explains_what_is_wrong(north, rsa_key, tmp_path, jwks_text, site, message):
    texts = {
        "PUBLIC": json.dumps(public_jwks(rsa_key)),
        "PRIVATE": json.dumps({"keys": [rsa_key.as_dict(private=True)]}),
    }
    jwks = tmp_path / "jwks.json"
    jwks.write_text(texts.get(jwks_text, jwks_text))

    with pytest.raises(CommandError, match=message):
        call_command("add_cds_client", "EHR", site=site, issuer=NORTH_ISS, jwks=str(jwks))
    assert not CdsClient.objects.exists()


def test_an_api_token_is_not_a_cds_client(north, north_client):
    from tests.clients import token_client

    api = token_client(make_user(north, role="clinician"))

    response = api.post(SERVICE, json.dumps(malignancy_request()), content_type="application/json")

    assert response.status_code == 401
    assert response.content == b""


# --- properties: whatever a client sends, an answer in the protocol, never a server error ------
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_units = st.sampled_from(
    ["mg/L", "mg/dL", "10*9/L", "10*3/uL", "g/dL", "g/L", "U/L", "Cel", "[degF]", "mm/h", "%", ""]
)
_observations = st.builds(
    observation,
    loinc=st.sampled_from(
        ["1988-5", "30341-2", "6690-2", "751-8", "718-7", "777-3", "2532-0", "6768-6", "8310-5", "0-0"]
    ),
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    unit=_units,
    when=st.sampled_from(["2026-11-30", "2020-01-01", "2999-01-01", "2026-11", "not a date"]),
)
_prefetch = st.fixed_dictionaries(
    {},
    optional={
        "patient": st.none() | st.builds(ehr_patient) | _json,
        "labs": st.none() | st.lists(_observations, max_size=6).map(lambda obs: labs(*obs)) | _json,
    },
)
_bodies = st.one_of(_json, _prefetch.map(hook_request))
_PROPERTY = settings_hypothesis(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_PROPERTY
@given(body=_bodies)
def test_any_hook_request_is_answered_with_cards_or_an_operation_outcome(north_client, rsa_key, body):
    response = post(SERVICE, body, token(rsa_key))

    assert response.status_code in (200, 400, 412), response.content[:300]
    if response.status_code == 200:
        for card in response.json()["cards"]:
            assert len(card["summary"]) < 140
            assert card["indicator"] in ("critical", "warning", "info")
            assert {"uuid", "detail", "source", "links", "overrideReasons"} <= set(card)
    else:
        assert response.json()["resourceType"] == "OperationOutcome"


@_PROPERTY
@given(body=_json | st.fixed_dictionaries({"feedback": st.lists(_json, max_size=3)}))
def test_any_feedback_body_is_stored_or_refused_with_an_operation_outcome(north_client, rsa_key, body):
    response = post(
        FEEDBACK, body if isinstance(body, dict) else {"feedback": body}, token(rsa_key, aud=FEEDBACK)
    )

    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert response.json()["resourceType"] == "OperationOutcome"
