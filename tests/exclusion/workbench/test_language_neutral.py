"""The German interface changes what people read, never a document a machine reads: the assessment and the
case from the API, and the command line's assessment, are the same bytes in German and in English. An API
validation error of ours is German when the request asks for German; its paths stay the field names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.clients import token_client
from tests.factories import case, make_episode, make_user

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def client(north):
    return token_client(make_user(north, "clinician", "api-clinician"))


@pytest.fixture
def episode(north):
    # Unifocal: the assessment carries findings with their explanations (text a translation might touch).
    return make_episode(
        north,
        "NL-1001",
        doc=case(lesions=[{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}]),
    )


@pytest.mark.parametrize("endpoint", ["assessment", "case"])
def test_an_episodes_document_is_the_same_bytes_in_german_and_english(client, episode, endpoint):
    url = f"/api/v1/episodes/{episode.pk}/{endpoint}/"
    english, german = client.get(url, **ENGLISH), client.get(url, **GERMAN)
    assert english.status_code == german.status_code == 200
    assert german.content == english.content
    assert german["Content-Type"] == english["Content-Type"]


def test_a_german_speaking_users_chosen_language_leaves_the_assessment_as_it_is(client, episode):
    url = f"/api/v1/episodes/{episode.pk}/assessment/"
    english = client.get(url, **ENGLISH).content
    session_german = client.get(url, **GERMAN, HTTP_COOKIE=f"{settings.LANGUAGE_COOKIE_NAME}=de").content
    assert session_german == english


def test_the_case_intake_answers_the_same_assessment_in_german_and_english(north):
    client = token_client(make_user(north, "clinician", "intake-clinician"))
    body = {"site": "NORTH", "record_number": "NL-2001", "case": case()}
    first = client.post("/api/v1/cases/", body, format="json", **ENGLISH)
    again = client.post("/api/v1/cases/", body, format="json", **GERMAN)
    assert first.status_code in (200, 201) and again.status_code in (200, 201)
    assert json.dumps(again.json()["assessment"]) == json.dumps(first.json()["assessment"])


def _cli_assess(path: Path, language: str) -> bytes:
    env = {**os.environ, "LANG": language, "LANGUAGE": language.split(".")[0], "LC_ALL": language}
    result = subprocess.run(
        [sys.executable, "-m", "exclusion", "assess", str(path)],
        capture_output=True,
        check=False,
        cwd=settings.BASE_DIR,
        env=env,
        timeout=120,
    )
    assert result.returncode in (0, 2), result.stderr
    return result.stdout


def test_the_command_lines_assessment_is_the_same_bytes_under_a_german_and_an_english_locale(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(case()) + "\n" + json.dumps(case(lesions=[])) + "\n")
    english = _cli_assess(path, "en_GB.UTF-8")
    german = _cli_assess(path, "de_DE.UTF-8")
    assert english.strip(), "the command line printed an assessment"
    assert german == english


def test_an_api_validation_error_of_ours_is_german_for_a_german_request_and_keeps_its_path(client):
    body = {"site": "NORTH", "record_number": "NL-3001", "case": case(), "birthdate": "2014-03-02"}
    english = client.post("/api/v1/cases/", body, format="json", **ENGLISH)
    german = client.post("/api/v1/cases/", body, format="json", **GERMAN)
    assert english.status_code == german.status_code == 400
    assert english.json()["errors"] == [
        {"path": "birthdate", "message": "Unknown field: not part of this request."}
    ]
    assert german.json()["errors"] == [
        {"path": "birthdate", "message": "Unbekanntes Feld: gehört nicht zu dieser Anfrage."}
    ]


def test_a_role_refusal_is_german_for_a_german_request(north):
    reviewer = token_client(make_user(north, "reviewer", "api-reviewer"))
    body = {"site": "NORTH", "record_number": "NL-4001", "case": case()}
    german = reviewer.post("/api/v1/cases/", body, format="json", **GERMAN)
    assert german.status_code == 403
    assert "erlaubt keine Änderung klinischer Daten" in german.json()["errors"][0]["message"]
