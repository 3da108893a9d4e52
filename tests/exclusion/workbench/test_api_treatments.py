"""Treatment courses over the API: create, list, read, replace with optimistic locking, delete; field
errors by path, strict envelopes (no dose), site scoping, query counts, and the summary following."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from exclusion.models import ActivitySummary
from exclusion.summaries.services import summary_recompute_chunk
from patients.models import Treatment
from tests.clients import token_client
from tests.factories import make_patient, make_treatment, make_user

NAPROXEN = {"drug_class": "nsaid", "drug": "naproxen", "started_on": "2024-05-10"}


@pytest.fixture
def clinician(north):
    return make_user(north, "clinician", "api-clinician")


@pytest.fixture
def client(clinician):
    return token_client(clinician)


@pytest.fixture
def patient(north):
    return make_patient(north, "TR-1")


def courses_url(patient) -> str:
    return f"/api/v1/patients/{patient.id}/treatments/"


def course_url(treatment) -> str:
    return f"/api/v1/treatments/{treatment.id}/"


def paths(response) -> set[str]:
    return {error["path"] for error in response.json()["errors"]}


def test_a_clinician_adds_an_ongoing_course_and_gets_it_back(client, patient):
    response = client.post(courses_url(patient), NAPROXEN, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["patient_id"] == patient.id
    assert body["version"] == 1
    assert body["ongoing"] is True
    assert (body["drug_class"], body["drug"], body["started_on"]) == ("nsaid", "naproxen", "2024-05-10")
    assert (body["stopped_on"], body["stop_reason"]) == (None, None)
    assert Treatment.objects.get(pk=body["id"]).patient_id == patient.id


def test_a_course_that_has_already_stopped_is_created_with_its_reason(client, patient):
    stopped = {**NAPROXEN, "stopped_on": "2024-11-02", "stop_reason": "inefficacy"}
    body = client.post(courses_url(patient), stopped, format="json").json()
    assert (body["ongoing"], body["stopped_on"], body["stop_reason"]) == (False, "2024-11-02", "inefficacy")


def test_the_list_is_the_patients_courses_earliest_start_first(client, patient, north):
    later = make_treatment(
        patient, drug_class="tnf_inhibitor", drug="adalimumab", started_on=datetime.date(2024, 11, 3)
    )
    earlier = make_treatment(patient)
    make_treatment(make_patient(north, "TR-2"))  # another patient's course: not in this list
    body = client.get(courses_url(patient)).json()
    assert [row["id"] for row in body["results"]] == [earlier.id, later.id]
    assert body["next"] is None


def test_the_list_pages_like_the_episodes(client, patient):
    ids = [make_treatment(patient, started_on=datetime.date(2024, 5, 10 + day)).id for day in range(3)]
    first = client.get(courses_url(patient) + "?page_size=2").json()
    assert [row["id"] for row in first["results"]] == ids[:2]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == ids[2:]
    assert second["next"] is None


def test_one_course_reads_as_in_the_list(client, patient):
    treatment = make_treatment(patient)
    response = client.get(course_url(treatment))
    assert "no-store" in response["Cache-Control"]  # patient data: no browser or proxy keeps it
    body = response.json()
    assert body == client.get(courses_url(patient)).json()["results"][0]
    assert body["id"] == treatment.id


def test_stopping_a_course_is_a_put_with_the_version_read(client, patient):
    treatment = make_treatment(patient)
    response = client.put(
        course_url(treatment),
        {**NAPROXEN, "stopped_on": "2024-11-02", "stop_reason": "inefficacy", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["ongoing"]) == (2, False)
    treatment.refresh_from_db()
    assert (treatment.version, treatment.stop_reason) == (2, "inefficacy")


def test_a_stale_version_is_a_409_with_the_current_version_and_changes_nothing(client, patient):
    treatment = make_treatment(patient)
    url = course_url(treatment)
    first = client.put(url, {**NAPROXEN, "drug": "ibuprofen", "version": 1}, format="json")
    assert first.status_code == 200
    stale = client.put(url, {**NAPROXEN, "drug": "indometacin", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["errors"][0]["path"] == "version"
    treatment.refresh_from_db()
    assert (treatment.version, treatment.drug) == (2, "ibuprofen")


def test_an_update_needs_the_version(client, patient):
    treatment = make_treatment(patient)
    response = client.put(course_url(treatment), NAPROXEN, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "version", "message": "This field is required."}]


def test_a_put_replaces_the_course_so_absent_stop_fields_mean_ongoing_again(client, patient):
    treatment = make_treatment(patient, stopped_on=datetime.date(2024, 11, 2), stop_reason="remission")
    body = client.put(course_url(treatment), {**NAPROXEN, "version": 1}, format="json").json()
    assert (body["ongoing"], body["stopped_on"], body["stop_reason"]) == (True, None, None)


def test_deleting_a_course_is_a_204_and_it_is_gone(client, patient):
    treatment = make_treatment(patient)
    response = client.delete(course_url(treatment))
    assert response.status_code == 204
    assert not Treatment.objects.filter(pk=treatment.pk).exists()
    assert client.get(course_url(treatment)).status_code == 404


def test_a_stopped_course_needs_a_reason(client, patient):
    response = client.post(courses_url(patient), {**NAPROXEN, "stopped_on": "2024-11-02"}, format="json")
    assert response.status_code == 400
    assert paths(response) == {"stop_reason"}
    assert not Treatment.objects.exists()


def test_a_reason_without_a_stop_date_is_refused_on_stop_reason(client, patient):
    response = client.post(courses_url(patient), {**NAPROXEN, "stop_reason": "remission"}, format="json")
    assert response.status_code == 400
    assert paths(response) == {"stop_reason"}


def test_an_update_that_stops_a_course_without_a_reason_is_refused_and_changes_nothing(client, patient):
    treatment = make_treatment(patient)
    response = client.put(
        course_url(treatment), {**NAPROXEN, "stopped_on": "2024-11-02", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert paths(response) == {"stop_reason"}
    treatment.refresh_from_db()
    assert (treatment.version, treatment.stopped_on) == (1, None)


def test_a_stop_before_the_start_and_dates_in_the_future_are_refused_by_field(client, patient):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    early = client.post(
        courses_url(patient),
        {**NAPROXEN, "stopped_on": "2024-05-01", "stop_reason": "remission"},
        format="json",
    )
    assert (early.status_code, paths(early)) == (400, {"stopped_on"})
    future = client.post(courses_url(patient), {**NAPROXEN, "started_on": tomorrow}, format="json")
    assert (future.status_code, paths(future)) == (400, {"started_on"})
    before_birth = client.post(courses_url(patient), {**NAPROXEN, "started_on": "2010-01-01"}, format="json")
    assert (before_birth.status_code, paths(before_birth)) == (400, {"started_on"})


def test_a_drug_class_outside_the_list_is_refused_on_drug_class(client, patient):
    response = client.post(courses_url(patient), {**NAPROXEN, "drug_class": "antibiotic"}, format="json")
    assert response.status_code == 400
    assert paths(response) == {"drug_class"}


def test_missing_fields_and_wrong_json_types_are_named(client, patient):
    response = client.post(courses_url(patient), {"drug": 5, "started_on": 20240510}, format="json")
    assert response.status_code == 400
    assert paths(response) == {"drug_class", "drug", "started_on"}


@pytest.mark.parametrize("key", ["dose", "dose_mg_kg", "frequency", "patient", "version"])
def test_no_dose_or_other_unknown_key_is_accepted_on_create(client, patient, key):
    response = client.post(courses_url(patient), {**NAPROXEN, key: 10}, format="json")
    assert response.status_code == 400
    assert paths(response) == {key}
    assert not Treatment.objects.exists()


def test_no_dose_is_accepted_on_update_either(client, patient):
    treatment = make_treatment(patient)
    response = client.put(
        course_url(treatment), {**NAPROXEN, "version": 1, "dose": "10 mg/kg"}, format="json"
    )
    assert (response.status_code, paths(response)) == (400, {"dose"})
    treatment.refresh_from_db()
    assert treatment.version == 1


def test_no_dose_appears_in_a_course(client, patient):
    body = client.get(course_url(make_treatment(patient))).json()
    assert not [key for key in body if "dose" in key]


def test_another_sites_patient_and_course_are_404s(client, south):
    theirs = make_patient(south, "S-1")
    course = make_treatment(theirs)
    assert client.get(courses_url(theirs)).status_code == 404
    assert client.post(courses_url(theirs), NAPROXEN, format="json").status_code == 404
    assert client.get(course_url(course)).status_code == 404
    assert client.put(course_url(course), {**NAPROXEN, "version": 1}, format="json").status_code == 404
    assert client.delete(course_url(course)).status_code == 404
    course.refresh_from_db()
    assert course.version == 1


@pytest.mark.parametrize("role", ["reviewer", "api_client"])
def test_read_only_roles_read_but_get_403_on_writes(north, patient, role):
    client = token_client(make_user(north, role))
    course = make_treatment(patient)
    assert client.get(courses_url(patient)).status_code == 200
    assert client.get(course_url(course)).status_code == 200
    assert client.post(courses_url(patient), NAPROXEN, format="json").status_code == 403
    assert client.put(course_url(course), {**NAPROXEN, "version": 1}, format="json").status_code == 403
    assert client.delete(course_url(course)).status_code == 403
    assert Treatment.objects.count() == 1


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_one_course_as_for_five(client, patient):
    client.get("/api/v1/rules/")  # the token's first use of the minute records last_used_at: not per row
    make_treatment(patient)
    one = _count_queries(client, courses_url(patient))
    for day in range(1, 5):
        make_treatment(patient, started_on=datetime.date(2024, 6, day))
    five = _count_queries(client, courses_url(patient))
    assert len(client.get(courses_url(patient)).json()["results"]) == 5
    assert one == five


def test_a_course_costs_a_small_query_budget(client, patient, django_assert_max_num_queries):
    course = make_treatment(patient)
    with django_assert_max_num_queries(7):
        assert client.get(course_url(course)).status_code == 200


def test_a_treatment_change_marks_the_summary_stale_and_a_recompute_freshens_it(client, patient):
    summary_recompute_chunk(patient_ids=[patient.id])
    assert ActivitySummary.objects.get(patient=patient).stale is False

    body = client.post(courses_url(patient), NAPROXEN, format="json").json()
    summary = ActivitySummary.objects.get(patient=patient)
    assert summary.stale is True

    summary_recompute_chunk(patient_ids=[patient.id])
    summary.refresh_from_db()
    assert summary.stale is False and summary.recompute_count == 2

    client.delete(f"/api/v1/treatments/{body['id']}/")
    assert ActivitySummary.objects.get(patient=patient).stale is True


def test_the_treatment_paths_are_in_the_openapi_schema(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    courses = schema["paths"]["/api/v1/patients/{patient_id}/treatments/"]
    course = schema["paths"]["/api/v1/treatments/{treatment_id}/"]
    assert set(courses) >= {"get", "post"}
    assert set(course) >= {"get", "put", "delete"}
    assert "409" in course["put"]["responses"]
    assert "204" in course["delete"]["responses"]
    components = schema["components"]["schemas"]
    create = components["TreatmentInputRequest"]
    assert create["additionalProperties"] is False
    assert set(create["properties"]) == {"drug_class", "drug", "started_on", "stopped_on", "stop_reason"}
    assert set(components["TreatmentUpdateInputRequest"]["properties"]) == {*create["properties"], "version"}
    assert not [name for name in components["TreatmentOutput"]["properties"] if "dose" in name]
