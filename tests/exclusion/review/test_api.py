"""REST: /api/v1/flags/ list with filters, detail with history, decision; access by site and role."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.exclusion.review.cases import infection_case, malignancy_case, unifocal_tibia_case
from tests.factories import make_episode

pytestmark = pytest.mark.django_db


def paths(response) -> dict[str, str]:
    """The API's error body {"errors": [{"path", "message"}]} as {path: message}."""
    return {error["path"]: error["message"] for error in response.json()["errors"]}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_list_is_in_priority_order_with_key_facts(north, reviewer):
    make_episode(north, "N-UNI", unifocal_tibia_case())
    make_episode(north, "N-INF", infection_case())
    make_episode(north, "N-MAL", malignancy_case())
    response = client_for(reviewer).get("/api/v1/flags/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["record_number"] for row in rows] == ["N-MAL", "N-INF", "N-UNI"]
    uni = rows[2]
    assert uni["reasons"] == ["unifocal_non_clavicular"]
    assert uni["facts"]["focality"] == "unifocal" and uni["facts"]["bones"] == ["tibia (left)"]
    assert uni["facts"]["crp_mg_l"] == 12 and uni["site"] == "NORTH" and uni["decision"] is None


def test_the_list_filters_by_status_reason_site_and_assignee(north, south, reviewer, flag):
    make_episode(north, "N-MAL", malignancy_case())
    api = client_for(reviewer)
    assert [
        r["record_number"] for r in api.get("/api/v1/flags/?reason=malignancy_concern").json()["results"]
    ] == ["N-MAL"]
    assert api.get("/api/v1/flags/?status=decided").json()["count"] == 0
    assert api.get("/api/v1/flags/?site=NORTH").json()["count"] == 2
    assert api.get("/api/v1/flags/?assignee=me").json()["count"] == 0
    assert api.get("/api/v1/flags/?assignee=none").json()["count"] == 2


def test_bad_filters_get_400_naming_the_field(reviewer):
    response = client_for(reviewer).get("/api/v1/flags/?status=closed&site=SOUTH&assignee=bob")
    assert response.status_code == 400
    assert set(paths(response)) == {"status", "site", "assignee"}
    assert "SOUTH is not one of your sites" in paths(response)["site"]


def test_the_detail_shows_the_history(flag, trio):
    response = client_for(trio.teammate).get(f"/api/v1/flags/{flag.pk}/")
    assert response.status_code == 200
    assert [e["kind"] for e in response.json()["events"]] == ["created"]


def test_a_reviewer_records_a_decision(flag, reviewer):
    response = client_for(reviewer).post(
        f"/api/v1/flags/{flag.pk}/decision/",
        {"decision": "biopsy_ordered", "comment": "Booked for Tuesday"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "decided"
    assert body["decision"]["decision"] == "biopsy_ordered" and body["decision"]["decided_by"] == "rev_north"
    assert body["events"][-1]["kind"] == "decided"


def test_a_decision_without_the_required_reason_is_refused_with_a_clear_message(flag, reviewer):
    response = client_for(reviewer).post(
        f"/api/v1/flags/{flag.pk}/decision/",
        {"decision": "biopsy_not_indicated", "comment": ""},
        format="json",
    )
    assert response.status_code == 400
    assert "A coded reason is required when a biopsy is not indicated" in paths(response)["reason_code"]
    assert "comment is required" in paths(response)["comment"]
    flag.refresh_from_db()
    assert flag.status == "open"


def test_an_unknown_decision_is_refused_naming_the_field(flag, reviewer):
    response = client_for(reviewer).post(
        f"/api/v1/flags/{flag.pk}/decision/", {"decision": "wait"}, format="json"
    )
    assert response.status_code == 400 and "decision" in paths(response)


def test_deciding_a_decided_flag_is_a_conflict(flag, reviewer):
    api = client_for(reviewer)
    api.post(f"/api/v1/flags/{flag.pk}/decision/", {"decision": "cno_supported"}, format="json")
    response = api.post(f"/api/v1/flags/{flag.pk}/decision/", {"decision": "biopsy_ordered"}, format="json")
    assert response.status_code == 409
    assert "Only an open flag can be decided" in paths(response)[""]


def test_a_same_site_clinician_sees_the_flag_but_gets_403_on_decision(flag, trio):
    api = client_for(trio.owner)
    assert api.get(f"/api/v1/flags/{flag.pk}/").status_code == 200
    response = api.post(f"/api/v1/flags/{flag.pk}/decision/", {"decision": "biopsy_ordered"}, format="json")
    assert response.status_code == 403
    flag.refresh_from_db()
    assert flag.status == "open"


def test_a_reviewer_of_another_site_gets_404(flag, south_reviewer, trio):
    for outsider in (south_reviewer, trio.outsider):
        api = client_for(outsider)
        assert api.get(f"/api/v1/flags/{flag.pk}/").status_code == 404
        decision = api.post(
            f"/api/v1/flags/{flag.pk}/decision/", {"decision": "biopsy_ordered"}, format="json"
        )
        assert decision.status_code == 404
        assert api.get("/api/v1/flags/").json()["count"] == 0


def test_anonymous_requests_are_refused(flag):
    response = APIClient().get("/api/v1/flags/")
    assert response.status_code == 401


def test_the_list_query_count_does_not_grow_with_flags(north, reviewer, django_assert_max_num_queries):
    api = client_for(reviewer)
    make_episode(north, doc=unifocal_tibia_case())
    with django_assert_max_num_queries(4) as few:
        api.get("/api/v1/flags/")
    baseline_count = len(few.captured_queries)  # read now: a request resets it
    for _ in range(5):
        make_episode(north, doc=malignancy_case())
    with django_assert_max_num_queries(baseline_count):
        response = api.get("/api/v1/flags/")
    assert response.json()["count"] == 6


def test_the_detail_query_count_does_not_grow_with_history(flag, reviewer, django_assert_max_num_queries):
    from exclusion.review.services import flag_comment

    api = client_for(reviewer)
    with django_assert_max_num_queries(4) as few:
        api.get(f"/api/v1/flags/{flag.pk}/")
    baseline_count = len(few.captured_queries)  # read now: a request resets it
    for n in range(5):
        flag_comment(actor=reviewer, flag=flag, text=f"note {n}")
    with django_assert_max_num_queries(baseline_count):
        response = api.get(f"/api/v1/flags/{flag.pk}/")
    assert len(response.json()["events"]) == 6
