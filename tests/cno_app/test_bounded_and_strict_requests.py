"""Issue 12 as an attacker would try it: bounded work per request, strict envelopes, concurrent first
intakes without server errors, and logs without record numbers."""

from __future__ import annotations

import datetime
import logging
import runpy
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from exclusion.engine import schema as contract
from patients.models import Episode, Patient
from tests.clients import grant_api_write, token_client
from tests.factories import case, contract_example, make_episode, make_site, make_user


def error_paths(response: Any) -> set[str]:
    return {error["path"] for error in response.json()["errors"]}


@pytest.fixture
def north(db):
    return make_site("NORTH")


@pytest.fixture
def clinician(north):
    user = make_user(north, "clinician", "bounded-clinician")
    grant_api_write(user, north)
    return user


# --- bounded work per request ------------------------------------------------------------------------


def test_a_case_with_one_lesion_over_the_contracts_limit_is_a_400_on_the_lesion_list(clinician):
    lesion = contract_example()["episode"]["lesions"][0]
    doc = case(lesions=[lesion] * (contract.MAX_LESIONS + 1))
    response = token_client(clinician).post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "BIG-1", "case": doc}, format="json"
    )
    assert response.status_code == 400
    assert error_paths(response) == {"episode.lesions"}
    assert not Patient.objects.exists()


def test_json_nested_two_thousand_deep_is_a_400_naming_the_nesting(clinician):
    body = '{"site": "NORTH", "record_number": "DEEP-1", "case": ' + "[" * 2000 + "]" * 2000 + "}"
    response = token_client(clinician).generic(
        "POST", "/api/v1/cases/", body, content_type="application/json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "nested" in error["message"]
    assert not Patient.objects.exists()


def test_a_reviewer_comment_over_ten_thousand_characters_is_refused_and_nothing_is_decided(db):
    from exclusion.models import Flag
    from tests.exclusion.review.cases import unifocal_tibia_case

    north = make_site("NORTH")
    reviewer = make_user(north, "reviewer", "bounded-reviewer")
    episode = make_episode(north, "UNI-1", unifocal_tibia_case())
    flag = Flag.objects.get(episode=episode)
    client = token_client(reviewer)

    response = client.post(
        f"/api/v1/flags/{flag.pk}/decision/",
        {"decision": "biopsy_ordered", "comment": "x" * 10_001},
        format="json",
    )

    assert response.status_code == 400
    assert error_paths(response) == {"comment"}
    flag.refresh_from_db()
    assert flag.status == "open"


# --- strict envelopes --------------------------------------------------------------------------------


def test_a_misspelt_key_is_a_400_naming_it_and_changes_nothing(clinician, north):
    patient = make_episode(north, "KEY-1").patient
    response = token_client(clinician).patch(
        f"/api/v1/patients/{patient.id}/", {"birthdate": "2015-01-31"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"path": "birthdate", "message": "Unknown field: not part of this request."}
    ]
    patient.refresh_from_db()
    assert patient.birth_date != datetime.date(2015, 1, 31)


def test_a_number_where_a_record_number_string_belongs_is_refused_not_turned_into_text(clinician):
    response = token_client(clinician).post(
        "/api/v1/patients/", {"site": "NORTH", "record_number": 4.5e3}, format="json"
    )
    assert response.status_code == 400
    assert error_paths(response) == {"record_number"}
    assert not Patient.objects.exists()


def test_an_unknown_key_in_the_case_intake_envelope_is_a_400(clinician):
    body = {"site": "NORTH", "record_number": "ENV-1", "case": contract_example(), "priority": "high"}
    response = token_client(clinician).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert error_paths(response) == {"priority"}


@pytest.mark.parametrize(
    "birth_date",
    [
        "0080-08-01",  # the review's example: age 1,944
        # 121 years before today: the records' limit is 120 (patients.validators.MAX_AGE_YEARS).
        (datetime.date.today().replace(day=1) - datetime.timedelta(days=365 * 121 + 31)).isoformat(),
    ],
)
def test_a_birth_date_that_makes_the_age_over_120_is_refused_at_every_door(clinician, north, birth_date):
    client = token_client(clinician)
    response = client.post(
        "/api/v1/patients/",
        {"site": "NORTH", "record_number": "OLD-1", "birth_date": birth_date},
        format="json",
    )
    assert response.status_code == 400
    assert any(path.endswith("birth_date") for path in error_paths(response))

    doc = contract_example()
    doc["patient"]["birth_date"] = birth_date
    response = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "OLD-2", "case": doc}, format="json"
    )
    assert response.status_code == 400
    assert "patient.birth_date" in error_paths(response)
    assert not Patient.objects.exists()


# --- concurrency -------------------------------------------------------------------------------------


def run_together(count: int, request: Any) -> list[int]:
    """Start `count` threads that each make one request at the same moment; their status codes."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            status = request()
        finally:
            connection.close()  # each thread has its own database connection
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_first_intakes_of_one_record_number_give_one_patient_and_no_server_error():
    north = make_site("NORTH")
    clinician = make_user(north, "clinician", "race-clinician")
    grant_api_write(clinician, north)
    clients = [token_client(clinician) for _ in range(20)]  # tokens made before the race
    body = {"site": "NORTH", "record_number": "RACE-1", "case": contract_example()}
    queue = iter(clients)
    lock = threading.Lock()

    def intake() -> int:
        with lock:
            client = next(queue)
        return client.post("/api/v1/cases/", body, format="json").status_code

    statuses = run_together(20, intake)

    assert Counter(statuses) == {201: 20}  # each intake adds an episode to the one patient
    assert Patient.objects.filter(record_number="RACE-1").count() == 1
    assert Episode.objects.filter(patient__record_number="RACE-1").count() == 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_new_patient_forms_with_one_record_number_give_one_patient_and_no_server_error():
    north = make_site("NORTH")
    clinician = make_user(north, "clinician", "race-form-clinician")
    login = Client()
    login.force_login(clinician)
    session = login.cookies["sessionid"].value
    form = {"record_number": "RACE-2", "sex": "female"}

    def submit() -> int:
        client = Client()
        client.cookies["sessionid"] = session
        return client.post("/patients/new/", form).status_code

    statuses = run_together(20, submit)

    # One redirect to the new patient's first episode; the others see the form again with the error.
    assert Counter(statuses) == {302: 1, 200: 19}
    assert Patient.objects.filter(record_number="RACE-2").count() == 1


# --- quiet logs --------------------------------------------------------------------------------------


def test_a_server_error_on_a_duplicate_insert_logs_the_constraint_but_not_the_record_number(
    clinician, north, caplog, monkeypatch
):
    """Force the unique constraint to surface as an unhandled error, and read what was logged."""
    from patients import services

    make_episode(north, "SECRET-77")
    monkeypatch.setattr(services, "is_duplicate_record_number", lambda exc: False)
    monkeypatch.setattr(Patient, "full_clean", lambda self, *a, **k: None)  # reach the database

    with caplog.at_level(logging.ERROR):
        response = token_client(clinician).post(
            "/api/v1/patients/", {"site": "NORTH", "record_number": "SECRET-77"}, format="json"
        )

    assert response.status_code == 500
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "patient_record_number_unique_per_site" in logged
    assert "SECRET-77" not in logged and "SECRET-77" not in response.content.decode()


def test_gunicorns_logs_show_paths_without_their_query_strings():
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    assert "%(U)s" in conf["access_log_format"]  # the path only
    assert not {"%(r)s", "%(q)s", "%(f)s"} & set(conf["access_log_format"].split())
    assert conf["scrub_query"]("GET /api/v1/patients/?record_number=NF-1 HTTP/1.1") == (
        "GET /api/v1/patients/?… HTTP/1.1"
    )
