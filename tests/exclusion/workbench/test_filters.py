"""One FilterSet for the patient list, in the browser and over the API: both doors give the same patients,
and a bad parameter is named, never silently ignored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exclusion.review.models import Flag
from tests.clients import token_client
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db

UNIFOCAL = [{"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True}]


@pytest.fixture
def patients(north):
    make_episode(north, "F-SYM")  # complete work-up, no flag
    make_episode(north, "F-UNI", case(lesions=UNIFOCAL))  # biopsy recommended, flagged
    make_episode(north, "F-NOLABS", case(labs={}))  # incomplete work-up
    return north


def browser(client, user, query: str) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("patients:list") + "?" + query)
    return {patient.record_number for patient, _ in response.context["rows"]}


def api(user, query: str) -> set[str]:
    response = token_client(user).get("/api/v1/patients/?" + query)
    assert response.status_code == 200, response.json()
    return {row["record_number"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("browser_query", "api_query", "expected"),
    [
        ("biopsy=1", "biopsy_recommended=true", {"F-UNI"}),
        ("review=1", "open_flag=true", {"F-UNI"}),
        ("incomplete=1", "exclusion_complete=false", {"F-UNI", "F-NOLABS"}),
        ("q=uni", "record_number=F-UNI", {"F-UNI"}),
        ("q=f-uni", "record_number=f-uni", {"F-UNI"}),  # record numbers match without regard to case
        ("biopsy=1&incomplete=1", "biopsy_recommended=true&exclusion_complete=false", {"F-UNI"}),
    ],
)
def test_the_browser_list_and_the_api_give_the_same_patients(
    client, trio, patients, browser_query, api_query, expected
):
    assert Flag.objects.filter(patient__record_number="F-UNI", status="open").exists()
    assert browser(client, trio.owner, browser_query) == expected
    assert api(trio.owner, api_query) == expected


def test_api_filters_read_false_as_well_as_true(trio, patients):
    assert api(trio.owner, "biopsy_recommended=false") == {"F-SYM", "F-NOLABS"}
    assert api(trio.owner, "open_flag=false") == {"F-SYM", "F-NOLABS"}
    assert api(trio.owner, "exclusion_complete=true") == {"F-SYM"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("biopsy_recommended=maybe", "biopsy_recommended"),
        ("open_flag=ture", "open_flag"),
        ("record_number=", "record_number"),
        ("updated_since=yesterday", "updated_since"),
    ],
)
def test_a_bad_api_filter_is_a_400_naming_the_parameter(trio, patients, query, parameter):
    response = token_client(trio.owner).get("/api/v1/patients/?" + query)
    assert response.status_code == 400
    assert parameter in str(response.json())


def test_a_bad_browser_filter_shows_its_error_and_every_patient(client, trio, patients):
    client.force_login(trio.owner)
    response = client.get(reverse("patients:list") + "?biopsy=maybe")
    assert response.status_code == 200
    assert "These filters were not applied" in response.content.decode()
    assert {patient.record_number for patient, _ in response.context["rows"]} == {
        "F-SYM",
        "F-UNI",
        "F-NOLABS",
    }


def test_another_sites_patients_are_never_listed_by_either_door(client, trio, patients, south):
    make_episode(south, "S-UNI", case(lesions=UNIFOCAL))
    assert "S-UNI" not in browser(client, trio.owner, "biopsy=1")
    assert "S-UNI" not in api(trio.owner, "biopsy_recommended=true")


def test_updated_since_accepts_any_iso_offset_and_compares_in_utc(trio, patients):
    """ISO 8601 allows offsets PostgreSQL cannot store (found by schemathesis): read in UTC."""
    response = token_client(trio.owner).get("/api/v1/patients/?updated_since=1694-03-24T14:53:54-16:52")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
