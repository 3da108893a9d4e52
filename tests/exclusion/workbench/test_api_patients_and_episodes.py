"""Patients and episodes over the API: filters, incremental paging, optimistic locking, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.models import Episode, Patient
from tests.clients import token_client
from tests.factories import case, contract_example, make_episode, make_user

UNIFOCAL = [{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}]


@pytest.fixture
def clinician(north):
    return make_user(north, "clinician", "api-clinician")


@pytest.fixture
def client(clinician):
    return token_client(clinician)


def pull_all(client, url: str) -> list[dict]:
    rows = []
    while url:
        page = client.get(url).json()
        rows.extend(page["results"])
        url = page["next"]
    return rows


def test_patient_list_pages_through_everything_in_a_stable_order(client, north):
    for number in range(7):
        make_episode(north, f"P-{number}")
    rows = pull_all(client, "/api/v1/patients/?page_size=3")
    assert len(rows) == 7
    assert [(row["updated_at"], row["id"]) for row in rows] == sorted(
        (row["updated_at"], row["id"]) for row in rows
    )
    assert len({row["id"] for row in rows}) == 7


def test_updated_since_returns_only_patients_changed_since(client, north):
    old = make_episode(north, "OLD").patient
    cutoff = timezone.now()
    new = make_episode(north, "NEW").patient
    ids = {
        row["id"]
        for row in pull_all(
            client, f"/api/v1/patients/?updated_since={cutoff.isoformat()}".replace("+", "%2B")
        )
    }
    assert new.id in ids and old.id not in ids


def test_patient_filters_record_number_biopsy_and_open_flag(client, north):
    typical = make_episode(north, "TYP").patient
    unifocal = make_episode(north, "UNI", case(lesions=UNIFOCAL)).patient

    def ids(query: str) -> set[int]:
        return {row["id"] for row in client.get(f"/api/v1/patients/?{query}").json()["results"]}

    assert ids("record_number=TYP") == {typical.id}
    assert ids("biopsy_recommended=true") == {unifocal.id}
    assert ids("biopsy_recommended=false") == {typical.id}
    assert ids("open_flag=true") == {unifocal.id}
    assert ids("open_flag=false") == {typical.id}
    row = client.get(f"/api/v1/patients/{unifocal.id}/").json()
    assert (row["biopsy_recommended"], row["open_flags"], row["episode_count"]) == (True, 1, 1)


def test_bad_filters_and_cursors_are_400s_naming_the_parameter(client):
    for query, path in (
        ("updated_since=yesterday", "updated_since"),
        ("biopsy_recommended=maybe", "biopsy_recommended"),
        ("cursor=not-a-cursor", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=1000", "page_size"),
    ):
        response = client.get(f"/api/v1/patients/?{query}")
        assert response.status_code == 400, query
        assert response.json()["errors"][0]["path"] == path


def test_create_and_update_a_patient(client, north):
    response = client.post(
        "/api/v1/patients/", {"site": "NORTH", "record_number": "NF-77", "sex": "male"}, format="json"
    )
    assert response.status_code == 201
    patient_id = response.json()["id"]
    response = client.patch(f"/api/v1/patients/{patient_id}/", {"birth_date": "2015-01-31"}, format="json")
    assert response.status_code == 200
    assert response.json()["birth_date"] == "2015-01-31"
    assert Patient.objects.get(pk=patient_id).birth_date == datetime.date(2015, 1, 31)


def test_a_duplicate_record_number_is_a_400_on_record_number(client, north):
    make_episode(north, "DUP-1")
    response = client.post("/api/v1/patients/", {"site": "NORTH", "record_number": "DUP-1"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "record_number"


def test_a_birth_date_in_the_future_is_refused_by_field(client, north):
    patient = make_episode(north, "FUT").patient
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = client.patch(f"/api/v1/patients/{patient.id}/", {"birth_date": tomorrow}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "patient.birth_date"


def test_create_an_episode_from_the_contracts_episode_object(client, north):
    patient = make_episode(north, "EP-1").patient
    episode_doc = case(assessed_on="2024-08-01", lesions=UNIFOCAL)["episode"]
    response = client.post(
        f"/api/v1/patients/{patient.id}/episodes/", {"episode": episode_doc}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 1
    assert body["episode"]["lesions"] == [{**UNIFOCAL[0]}]
    assert body["latest_assessment"]["biopsy_recommended"] is True


def test_an_invalid_episode_gets_contract_paths_and_saves_nothing(client, north):
    patient = make_episode(north, "EP-2").patient
    episode_doc = case(labs={"crp_mg_l": -1})["episode"]
    episode_doc["onset_on"] = "2000-01-01"  # before the birth date on file
    response = client.post(
        f"/api/v1/patients/{patient.id}/episodes/", {"episode": episode_doc}, format="json"
    )
    assert response.status_code == 400
    paths = {error["path"] for error in response.json()["errors"]}
    assert "episode.labs.crp_mg_l" in paths
    assert any(path.startswith("episode.onset_on") or path == "episode" for path in paths), paths
    assert patient.episodes.count() == 1


def test_episode_update_with_optimistic_locking(client, north):
    episode = make_episode(north, "LOCK")
    url = f"/api/v1/episodes/{episode.id}/"
    changed = case(labs={"crp_mg_l": 45})["episode"]

    first = client.put(url, {"version": 1, "episode": changed}, format="json")
    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert first.json()["latest_assessment"]["biopsy_recommended"] is True  # CRP ≥ 30

    stale = client.put(url, {"version": 1, "episode": contract_example()["episode"]}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["errors"][0]["path"] == "version"
    episode.refresh_from_db()
    assert (episode.version, episode.crp_mg_l) == (2, 45)


def test_episode_update_requires_a_version(client, north):
    episode = make_episode(north, "NOVER")
    response = client.put(
        f"/api/v1/episodes/{episode.id}/", {"episode": contract_example()["episode"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "version", "message": "This field is required."}]


def test_episode_case_round_trips_through_the_intake(client, north):
    episode = make_episode(north, "RT")
    doc = client.get(f"/api/v1/episodes/{episode.id}/case/").json()
    response = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "RT-2", "case": doc}, format="json"
    )
    assert response.status_code == 201
    copy = client.get(f"/api/v1/episodes/{response.json()['episode_id']}/case/").json()
    assert copy == doc


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/patients/?page_size={n}",
        "/api/v1/patients/{patient}/episodes/?page_size={n}",
        "/api/v1/flags/?limit={n}",
    ],
)
def test_list_endpoints_keep_a_constant_query_count_whatever_the_page_size(
    client, north, url, django_assert_max_num_queries
):
    first = make_episode(north, "Q-0", case(lesions=UNIFOCAL))
    for number in range(1, 3):
        make_episode(north, f"Q-{number}", case(lesions=UNIFOCAL))
    for day in range(2, 5):
        make_episode(north, "Q-0", case(assessed_on=f"2024-06-0{day}", lesions=UNIFOCAL))
    client.get("/api/v1/rules/")  # the token's first use of the minute records last_used_at: not per row
    small = _count_queries(client, url.format(n=1, patient=first.patient_id))
    for number in range(3, 12):
        make_episode(north, f"Q-{number}", case(lesions=UNIFOCAL))
    for day in range(5, 10):
        make_episode(north, "Q-0", case(assessed_on=f"2024-06-0{day}", lesions=UNIFOCAL))
    large = _count_queries(client, url.format(n=100, patient=first.patient_id))
    assert small == large
    with django_assert_max_num_queries(8):
        client.get(url.format(n=100, patient=first.patient_id))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/patients/{patient}/",
        "/api/v1/episodes/{episode}/",
        "/api/v1/episodes/{episode}/case/",
        "/api/v1/episodes/{episode}/assessment/",
        "/api/v1/rules/",
    ],
)
def test_detail_endpoints_have_a_small_query_budget(client, north, path, django_assert_max_num_queries):
    episode = make_episode(north, "D-1")
    url = path.format(patient=episode.patient_id, episode=episode.id)
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200


def test_rules_are_the_engines_catalogue(client):
    from exclusion import engine

    body = client.get("/api/v1/rules/").json()
    assert body["ruleset"] == engine.RULESET_VERSION
    assert body["rules"] == engine.rule_catalogue()
    assert all(rule["source"] for rule in body["rules"])


def test_episodes_list_is_oldest_first(client, north):
    episode = make_episode(north, "ORD", case(assessed_on="2024-07-01"))
    make_episode(north, "ORD", case(assessed_on="2024-06-01"))
    rows = pull_all(client, f"/api/v1/patients/{episode.patient_id}/episodes/?page_size=1")
    assert [row["episode"]["assessed_on"] for row in rows] == ["2024-06-01", "2024-07-01"]
    assert Episode.objects.count() == 2
