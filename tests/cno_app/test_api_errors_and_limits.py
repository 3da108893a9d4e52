"""Error shapes, size limit, throttling, and no stack trace or SQL in any response (DEBUG is on here)."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from exclusion import engine
from patients.models import ApiToken, Patient
from patients.tokens.services import token_create, token_revoke
from tests.clients import token_client
from tests.factories import contract_example, make_site, make_user


@pytest.fixture
def user(north):
    return make_user(north, "clinician", "limits-user")


def test_an_unexpected_error_is_a_generic_json_500_without_trace_or_sql(user, monkeypatch, settings):
    settings.DEBUG = True  # the debug page would show the trace: the API must not

    def broken() -> list:
        raise RuntimeError('SELECT "patients_patient"."record_number" FROM "patients_patient"')

    monkeypatch.setattr(engine, "rule_catalogue", broken)
    response = token_client(user).get("/api/v1/rules/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [
            {
                "path": "",
                "message": "An unexpected error occurred; it has been logged. Nothing was saved "
                "by this request.",
            }
        ]
    }
    assert b"SELECT" not in response.content and b"Traceback" not in response.content


def test_an_unknown_api_path_is_a_json_404(user):
    response = token_client(user).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"path": "", "message": "No such API endpoint."}]}


def test_malformed_json_is_a_400_in_the_error_shape(user):
    response = token_client(user).generic(
        "POST", "/api/v1/cases/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "" and "JSON parse error" in error["message"]


def test_a_body_over_the_limit_is_a_413_and_saves_nothing(user):
    body = {"site": "NORTH", "record_number": "BIG-1", "case": contract_example(), "padding": "x" * 1_100_000}
    response = token_client(user).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == "The request body is larger than 1048576 bytes."
    assert Patient.objects.count() == 0


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_the_size_limit_follows_the_setting(user):
    client = token_client(user)
    assert (
        client.post("/api/v1/patients/", {"site": "NORTH", "record_number": "S-1"}, format="json").status_code
        == 201
    )
    big = {"site": "NORTH", "record_number": "S-2", "case": contract_example()}
    assert len(json.dumps(big)) > 1000
    assert client.post("/api/v1/cases/", big, format="json").status_code == 413


def test_throttling_is_per_token(user):
    rates = {"token": "3/minute", "anon": "3/minute"}
    first, second = token_client(user), token_client(user)
    with override_settings(REST_FRAMEWORK={**_rest_settings(), "DEFAULT_THROTTLE_RATES": rates}):
        assert [first.get("/api/v1/rules/").status_code for _ in range(3)] == [200, 200, 200]
        throttled = first.get("/api/v1/rules/")
        assert throttled.status_code == 429
        assert int(throttled["Retry-After"]) > 0
        assert throttled.json()["errors"][0]["message"].startswith("Request was throttled")
        assert second.get("/api/v1/rules/").status_code == 200  # another token of the same user


def _rest_settings() -> dict:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


def test_missing_bad_and_revoked_tokens_are_401_with_a_challenge(user):
    token, key = token_create(actor=None, user=user, name="soon revoked")
    client = APIClient()
    assert client.get("/api/v1/rules/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer cno_wrong")
    assert client.get("/api/v1/rules/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/rules/").status_code == 200
    token_revoke(actor=None, token=token)
    response = client.get("/api/v1/rules/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"errors": [{"path": "", "message": "Invalid or revoked token."}]}


def test_an_inactive_users_token_stops_working(user):
    client = token_client(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/rules/").status_code == 401


def test_the_token_keyword_is_accepted_and_last_use_recorded(user):
    token, key = token_create(actor=None, user=user, name="token keyword")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/rules/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert ApiToken.objects.filter(key_hash__contains=key).count() == 0  # only the hash is stored


def test_other_apps_views_keep_their_error_bodies_but_never_a_trace(user, monkeypatch):
    make_site("SOUTH")
    response = token_client(user).get("/api/v1/flags/999999/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()
