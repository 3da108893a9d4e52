"""`Idempotency-Key` on POST /api/v1/cases/ and POST /api/v1/patients/{id}/episodes/: a retry with the
same key and body gets the first answer again and creates nothing; another body is a 422; keys are per
user; simultaneous requests with one key create one episode."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from patients.models import Episode, IdempotencyKey, Patient
from tests.clients import token_client
from tests.factories import case, make_patient, make_site, make_user

KEY = "3f1c9a7e-5b2d-4c8e-9f10-1a2b3c4d5e6f"


def intake(record_number: str = "NF-3001", **episode_changes) -> dict:
    return {"site": "NORTH", "record_number": record_number, "case": case(**episode_changes)}


@pytest.fixture
def clinician(north):
    return make_user(north, "clinician")


def test_the_same_key_and_body_twice_give_the_same_answer_and_one_episode(clinician):
    client = token_client(clinician)

    first = client.post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert first.status_code == again.status_code == 201
    assert again.content == first.content  # the very same body, key order included
    assert again.json()["episode_id"] == first.json()["episode_id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Episode.objects.count() == 1 and Patient.objects.count() == 1


def test_the_body_is_compared_as_json_not_as_bytes(clinician):
    client = token_client(clinician)
    body = intake()
    reordered = dict(reversed(list(body.items())))

    first = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.post("/api/v1/cases/", reordered, format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert again.json()["episode_id"] == first.json()["episode_id"]


def test_the_same_key_with_another_body_is_a_422_and_creates_nothing(clinician):
    client = token_client(clinician)
    client.post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    response = client.post(
        "/api/v1/cases/", intake(assessed_on="2024-09-01"), format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["path"] == "Idempotency-Key"
    assert "different request" in error["message"]
    assert Episode.objects.count() == 1


def test_another_users_same_key_is_independent(north, clinician):
    colleague = make_user(north, "clinician")

    mine = token_client(clinician).post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    theirs = token_client(colleague).post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert mine.status_code == theirs.status_code == 201
    assert theirs.json()["episode_id"] != mine.json()["episode_id"]
    assert Episode.objects.count() == 2


def test_without_a_key_every_request_creates_an_episode(clinician):
    client = token_client(clinician)
    first = client.post("/api/v1/cases/", intake(), format="json")
    second = client.post("/api/v1/cases/", intake(), format="json")
    assert first.json()["episode_id"] != second.json()["episode_id"]
    assert IdempotencyKey.objects.count() == 0


def test_a_key_longer_than_255_characters_is_a_400(clinician):
    response = token_client(clinician).post(
        "/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "Idempotency-Key"
    assert Episode.objects.count() == 0


def test_a_failed_request_stores_no_key_so_its_retry_runs_again(clinician):
    client = token_client(clinician)
    invalid = intake(assessed_on="not a date")

    refused = client.post("/api/v1/cases/", invalid, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    fixed = client.post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert refused.status_code == 400
    assert fixed.status_code == 201
    assert Episode.objects.count() == 1


def test_a_key_older_than_a_day_is_a_new_request(clinician):
    client = token_client(clinician)
    first = client.post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    record = IdempotencyKey.objects.get()
    record.created_at = timezone.now() - datetime.timedelta(hours=25)
    record.save()

    later = client.post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert later.json()["episode_id"] != first.json()["episode_id"]
    assert IdempotencyKey.objects.count() == 1
    assert IdempotencyKey.objects.expired().count() == 0


def test_episode_creation_with_the_same_key_twice_creates_one_episode(north, clinician):
    patient = make_patient(north, "NF-3002")
    client = token_client(clinician)
    url = f"/api/v1/patients/{patient.pk}/episodes/"
    body = {"episode": case(assessed_on="2024-09-01")["episode"]}

    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert patient.episodes.count() == 2  # the factory's episode and this one


def test_one_key_on_two_endpoints_is_a_422(north, clinician):
    patient = make_patient(north, "NF-3003")
    client = token_client(clinician)
    client.post("/api/v1/cases/", intake(), format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    response = client.post(
        f"/api/v1/patients/{patient.pk}/episodes/",
        {"episode": case()["episode"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )

    assert response.status_code == 422


def test_the_schema_documents_the_header_and_the_422(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/cases/", "/api/v1/patients/{patient_id}/episodes/"):
        operation = schema["paths"][path]["post"]
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"], path
        assert "422" in operation["responses"], path


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_with_one_key_create_one_episode():
    north = make_site("NORTH")
    user = make_user(north, "clinician")
    patient = make_patient(north, "NF-3004")
    clients = [token_client(user) for _ in range(4)]
    url = f"/api/v1/patients/{patient.pk}/episodes/"
    body = {"episode": case(assessed_on="2024-09-01")["episode"]}
    barrier = threading.Barrier(len(clients))
    answers: list[tuple[int, int]] = []
    lock = threading.Lock()

    def send(client) -> None:
        try:
            barrier.wait(timeout=30)
            response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
            with lock:
                answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == len(clients)
    assert {status for status, _ in answers} == {201}
    assert len({episode_id for _, episode_id in answers}) == 1
    assert patient.episodes.count() == 2  # the factory's episode and one more
