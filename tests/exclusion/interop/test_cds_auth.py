"""Registering CDS clients (their public keys only) and the limits of the JWTs they sign."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from django.urls import reverse
from joserfc import jwk, jwt
from rest_framework.test import APIClient

from exclusion.interop.cds_hooks.auth import MAX_LIFETIME, jwks_problem
from exclusion.interop.cds_hooks.models import CdsCallSeen, CdsClient
from exclusion.interop.cds_hooks.services import cds_client_register
from tests.factories import make_user

SERVICE = "http://testserver/cds-services/cno-exclusion"
ISS = "https://ehr.north.example/cds"
ALGS = ["RS384", "ES384", "RS256", "ES256"]


@pytest.fixture(scope="module")
def key() -> jwk.ECKey:
    return jwk.ECKey.generate_key("P-256", parameters={"kid": "k1"})


def public(*keys: object) -> dict:
    return {"keys": [k.as_dict(private=False) for k in keys]}


def signed(key: jwk.ECKey, **claims: object) -> str:
    now = int(time.time())
    body = {"iss": ISS, "aud": SERVICE, "exp": now + 300, "iat": now, "jti": str(uuid.uuid4()), **claims}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, body, key, algorithms=ALGS)


def call(bearer: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer}")
    body = {"hook": "patient-view", "hookInstance": "i", "context": {"patientId": "p"}}
    return client.post(SERVICE, json.dumps(body), content_type="application/json").status_code


def test_only_public_rsa_or_ec_keys_with_a_kid_can_be_registered(key):
    assert jwks_problem(public(key)) == ""
    assert "private" in jwks_problem({"keys": [key.as_dict(private=True)]})
    assert "private key" in jwks_problem(key.as_dict(private=True))  # a bare key file, not a set
    assert "single key" in jwks_problem(key.as_dict(private=False))
    secret = jwk.OctKey.generate_key(256, parameters={"kid": "s"})
    assert "secret" in jwks_problem({"keys": [secret.as_dict(private=True)]})
    no_kid = {k: v for k, v in key.as_dict(private=False).items() if k != "kid"}
    assert "no kid" in jwks_problem({"keys": [no_kid]})
    assert "share a kid" in jwks_problem({"keys": [key.as_dict(private=False)] * 2})
    assert "cannot be read" in jwks_problem({"keys": [{"kty": "EC", "kid": "x", "crv": "P-256", "x": "AA"}]})


def test_a_token_valid_for_longer_than_an_hour_is_refused(north, key):
    cds_client_register(name="EHR", site_code="NORTH", issuer=ISS, jwks=public(key))
    now = int(time.time())

    assert call(signed(key, exp=now + MAX_LIFETIME + 600)) == 401
    assert call(signed(key)) == 412  # the same client within the limit: trusted (and nothing prefetched)


def test_expired_jti_rows_are_pruned_when_calls_come_in(north, key):
    cds_client_register(name="EHR", site_code="NORTH", issuer=ISS, jwks=public(key))
    CdsCallSeen.objects.create(issuer=ISS, jti="old", expires_at="2020-01-01T00:00:00Z")

    assert call(signed(key)) == 412

    assert not CdsCallSeen.objects.filter(jti="old").exists()
    assert CdsCallSeen.objects.filter(issuer=ISS).count() == 1


def test_a_site_admin_registers_a_client_in_the_admin_but_never_a_private_key(client, north, key):
    admin = make_user(north, "site_admin", is_staff=True)
    client.force_login(admin)
    url = reverse("admin:exclusion_cdsclient_add")
    form = {"name": "Northfield EHR", "site": north.pk, "issuer": ISS, "active": "on"}

    refused = client.post(url, {**form, "jwks": json.dumps({"keys": [key.as_dict(private=True)]})})

    assert refused.status_code == 200 and "private" in refused.content.decode()
    assert not CdsClient.objects.exists()
    accepted = client.post(url, {**form, "jwks": json.dumps(public(key))})
    assert accepted.status_code == 302
    assert CdsClient.objects.get().site == north
