"""Activity summaries over the API: one patient's, and an incremental pull of all of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exclusion.models import ActivitySummary
from exclusion.summaries.services import summary_recompute_chunk
from patients.models import Patient
from tests.clients import token_client
from tests.factories import case, make_episode, make_user

UNIFOCAL = [{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True, "active": True}]


def recompute_all() -> None:
    summary_recompute_chunk(patient_ids=list(Patient.objects.values_list("id", flat=True)))


def pull(client, query: str = "", page_size: int = 2) -> list[dict]:
    rows, url = [], f"/api/v1/summaries/?page_size={page_size}&{query}"
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content
        rows.extend(page.json()["results"])
        url = page.json()["next"]
    return rows


@pytest.fixture
def client(north):
    return token_client(make_user(north, "api_client", "registry"))


def test_a_patients_summary(client, north):
    episode = make_episode(north, "SUM-1", case(lesions=UNIFOCAL))
    assert (
        client.get(f"/api/v1/patients/{episode.patient_id}/summary/").status_code == 404
    )  # not computed yet
    recompute_all()
    body = client.get(f"/api/v1/patients/{episode.patient_id}/summary/").json()
    assert (body["patient_id"], body["site"], body["record_number"]) == (episode.patient_id, "NORTH", "SUM-1")
    assert body["stale"] is False
    assert body["latest"]["episode_id"] == episode.id
    assert body["latest"]["biopsy_recommended"] is True
    assert body["open_flag"] is True
    assert [point["episode_id"] for point in body["trend"]] == [episode.id]


def test_pulling_summaries_incrementally(client, north, south):
    early = [make_episode(north, f"N-{number}").patient_id for number in range(3)]
    summary_recompute_chunk(patient_ids=early)
    for number in range(3, 5):
        make_episode(north, f"N-{number}")
    make_episode(south, "S-0")  # another site: never in this client's pull
    recompute_all()

    first_pull = pull(client)
    assert sorted(row["record_number"] for row in first_pull) == [f"N-{n}" for n in range(5)]
    assert [(r["computed_at"], r["patient_id"]) for r in first_pull] == sorted(
        (r["computed_at"], r["patient_id"]) for r in first_pull
    )
    watermark = max(row["computed_at"] for row in first_pull)

    make_episode(north, "N-0", case(assessed_on="2024-09-01"))
    recompute_all()

    second_pull = pull(client, "updated_since=" + watermark.replace("+", "%2B"))
    # The change, plus the rows computed exactly at the watermark (inclusive); never the older ones.
    assert {row["record_number"] for row in second_pull} == {"N-0", "N-3", "N-4"}
    row = next(r for r in second_pull if r["record_number"] == "N-0")
    assert row["episodes_count"] == 2


def test_summary_filters(client, north):
    flagged = make_episode(north, "FLAG", case(lesions=UNIFOCAL)).patient
    calm = make_episode(north, "CALM").patient
    recompute_all()

    def ids(query: str) -> set[int]:
        return {row["patient_id"] for row in pull(client, query)}

    assert ids("open_flag=true") == {flagged.id}
    assert ids("open_flag=false") == {calm.id}
    assert ids("site=NORTH") == {flagged.id, calm.id}
    assert ids("site=SOUTH") == set()
    state = ActivitySummary.objects.get(patient=flagged).activity_state
    assert flagged.id in ids(f"activity_state={state}")
    assert client.get("/api/v1/summaries/?activity_state=dormant").status_code == 400


def test_summaries_not_computed_yet_are_left_out(client, north):
    make_episode(north, "PENDING")
    assert pull(client) == []


def test_summary_list_query_count_does_not_grow_with_the_page(client, north):
    for number in range(3):
        make_episode(north, f"Q-{number}")
    recompute_all()
    client.get("/api/v1/rules/")  # the token's first use records last_used_at

    def count(page_size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/summaries/?page_size={page_size}").status_code == 200
        return len(queries)

    small = count(1)
    for number in range(3, 15):
        make_episode(north, f"Q-{number}")
    recompute_all()
    assert count(100) == small <= 5


def test_a_summary_read_is_one_query_beyond_authentication_site_scope_included(client, north):
    episode = make_episode(north, "Q-DETAIL")
    recompute_all()
    client.get("/api/v1/rules/")  # the token's first use records last_used_at
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/v1/patients/{episode.patient_id}/summary/").status_code == 200
    authentication, read = queries.captured_queries
    assert "patients_apitoken" in authentication["sql"]
    # The token is bound to one site: the scope is that site id, read with the token (no membership join).
    assert "patients_activitysummary" in read["sql"] and '"patients_patient"."site_id" IN' in read["sql"]


def test_a_summary_list_is_one_query_beyond_authentication_whatever_the_page(client, north):
    for number in range(12):
        make_episode(north, f"Q-LIST-{number}")
    recompute_all()
    client.get("/api/v1/rules/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/summaries/?page_size=5")
    assert page.status_code == 200 and len(page.json()["results"]) == 5
    assert len(queries) == 2


def test_another_sites_summary_is_a_404_like_a_missing_patient(client, north, south):
    theirs = make_episode(south, "Q-SOUTH")
    recompute_all()
    response = client.get(f"/api/v1/patients/{theirs.patient_id}/summary/")
    assert response.status_code == 404
    assert response.json() == client.get("/api/v1/patients/999999/summary/").json()
