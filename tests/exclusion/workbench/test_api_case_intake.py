"""POST /api/v1/cases/: the contract document in, the command line's assessment out, nothing half-saved."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from patients.models import Episode, Lesion, Patient
from tests.clients import token_client
from tests.factories import case, contract_example, make_site, make_user

DEMO = Path(settings.BASE_DIR) / "demo_data"


def demo_cases() -> list[tuple[str, str, dict]]:
    manifest = json.loads((DEMO / "manifest.json").read_text())
    return [
        (patient["site"], patient["record_number"], json.loads((DEMO / episode["file"]).read_text()))
        for patient in manifest["patients"]
        for episode in patient["episodes"]
    ]


def cli_assess(docs: list[dict], tmp_path: Path) -> list[str]:
    """Run `python -m exclusion assess` once over a JSON-lines file; one output line per document."""
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    result = subprocess.run(
        [sys.executable, "-m", "exclusion", "assess", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode in (0, 2), result.stderr
    return result.stdout.splitlines()


def test_intake_returns_the_command_lines_assessment_for_every_demo_case(db, tmp_path):
    cases = demo_cases()
    expected = cli_assess([doc for _, _, doc in cases], tmp_path)
    assert len(expected) == len(cases) >= 36
    clients = {}
    for code in {site for site, _, _ in cases}:
        clients[code] = token_client(make_user(make_site(code), "clinician"))

    for (site, record_number, doc), cli_line in zip(cases, expected, strict=True):
        response = clients[site].post(
            "/api/v1/cases/", {"site": site, "record_number": record_number, "case": doc}, format="json"
        )
        assert response.status_code == 201, (record_number, response.content[:300])
        # Same document, key for key and in the same order, as the command line prints it.
        assert json.dumps(response.json()["assessment"], ensure_ascii=False) == cli_line, record_number

    assert Patient.objects.count() == len({(site, number) for site, number, _ in cases})
    assert Episode.objects.count() == len(cases)


def test_intake_creates_the_patient_once_and_adds_episodes(db):
    client = token_client(make_user(make_site("NORTH"), "clinician"))
    body = {"site": "NORTH", "record_number": "NF-9001", "case": contract_example()}
    first = client.post("/api/v1/cases/", body, format="json").json()
    later = case(assessed_on="2024-09-01")
    second = client.post("/api/v1/cases/", {**body, "case": later}, format="json").json()

    assert first["patient_id"] == second["patient_id"]
    assert first["episode_id"] != second["episode_id"]
    assert Episode.objects.get(pk=second["episode_id"]).lesions.count() == 3
    assert client.get(f"/api/v1/episodes/{second['episode_id']}/case/").json()["episode"]["assessed_on"] == (
        "2024-09-01"
    )


def test_an_invalid_document_gets_the_command_lines_errors_and_saves_nothing(db, tmp_path):
    client = token_client(make_user(make_site("NORTH"), "clinician"))
    doc = case(labs={"crp_mg_dl": 12, "esr_mm_h": 900})
    doc["episode"]["lesions"][0]["site"] = "elbow"

    response = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "NF-1", "case": doc}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == json.loads(cli_assess([doc], tmp_path)[0])  # {"errors": [...]} as printed
    paths = {error["path"] for error in response.json()["errors"]}
    assert {"episode.labs.crp_mg_dl", "episode.labs.esr_mm_h", "episode.lesions[0].site"} <= paths
    assert (Patient.objects.count(), Episode.objects.count(), Lesion.objects.count()) == (0, 0, 0)


def test_a_document_disagreeing_with_the_patient_on_file_is_refused(db):
    client = token_client(make_user(make_site("NORTH"), "clinician"))
    body = {"site": "NORTH", "record_number": "NF-2", "case": contract_example()}
    assert client.post("/api/v1/cases/", body, format="json").status_code == 201
    other = contract_example()
    other["patient"]["sex"] = "male"

    response = client.post("/api/v1/cases/", {**body, "case": other}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "patient.sex"
    assert Episode.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"record_number": "NF-1", "case": {}}, "site"),
        ({"site": "NORTH", "case": {}}, "record_number"),
        ({"site": "NORTH", "record_number": "Jane Doe", "case": {}}, "record_number"),
        ({"site": "NORTH", "record_number": "NF-1"}, "case"),
    ],
)
def test_envelope_errors_name_their_field(db, body, path):
    client = token_client(make_user(make_site("NORTH"), "clinician"))
    response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert path in {error["path"] for error in response.json()["errors"]}


def test_an_unknown_site_code_is_a_404_naming_the_site_field(db):
    make_site("SOUTH")
    client = token_client(make_user(make_site("NORTH"), "clinician"))
    for code in ("SOUTH", "NOWHERE"):  # another site and no site look the same
        response = client.post(
            "/api/v1/cases/",
            {"site": code, "record_number": "X-1", "case": contract_example()},
            format="json",
        )
        assert response.status_code == 404
        assert response.json() == {
            "errors": [{"path": "site", "message": f"No site '{code}' among your sites."}]
        }
    assert Patient.objects.count() == 0


def test_the_records_accept_every_age_the_engine_accepts_and_121_is_refused_with_its_path(db):
    """Ages given as numbers (no birth date): the engine and the database share one range, 0-120."""
    client = token_client(make_user(make_site("NORTH"), "clinician"))
    doc = contract_example()
    del doc["patient"]["birth_date"]
    doc["episode"]["age_years"] = doc["episode"]["age_at_onset_years"] = 120
    response = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "A-1", "case": doc}, format="json"
    )
    assert response.status_code == 201
    doc["episode"]["age_years"] = 121
    response = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "A-2", "case": doc}, format="json"
    )
    assert response.status_code == 400
    assert "episode.age_years" in {error["path"] for error in response.json()["errors"]}
    assert not Patient.objects.filter(record_number="A-2").exists()


def test_a_nul_character_is_a_400_not_a_server_error(db):
    """The engine accepts any short label as a lesion level; the database cannot store NUL characters."""
    client = token_client(make_user(make_site("NORTH"), "clinician"))
    doc = contract_example()
    doc["episode"]["lesions"][0]["level"] = "T7\x00"
    response = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "NUL-1", "case": doc}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "episode.lesions[0].level", "message": "must not contain NUL (\\u0000) characters"}
    ]
    assert Patient.objects.count() == 0
