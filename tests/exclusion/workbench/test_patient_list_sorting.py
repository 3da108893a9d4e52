"""The patient list's Age column and its sortable columns: record number, age, latest episode date and
status, by a `sort` query parameter whose header links keep the current filters and mark the sorted column
with aria-sort. A sort value the list does not know is ignored, never an error."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from patients.models import Patient
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db

TIBIA = [{"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True}]


def born(birth_date: str, assessed_on: str, **changes):
    doc = case(assessed_on=assessed_on, onset_on=assessed_on, **changes)
    doc["patient"]["birth_date"] = birth_date
    return doc


@pytest.fixture
def ward(north):
    """Four patients: complete work-ups of different ages and dates, a biopsy to do, missing labs."""
    make_episode(north, "B-OLDER", born("2010-01-15", assessed_on="2024-05-10"))  # 14 at the episode
    make_episode(north, "a-younger", born("2016-03-01", assessed_on="2025-02-01"))  # 8
    make_episode(north, "C-BIOPSY", born("2013-07-01", assessed_on="2024-01-20", lesions=TIBIA))  # 10
    make_episode(north, "D-LABS", born("2012-09-09", assessed_on="2023-11-05", labs={}))  # 11
    Patient.objects.create(site=north, record_number="E-NEW", sex="female")  # no episode, no birth date


def order(client, query: str) -> list[str]:
    response = client.get("/?" + query)
    assert response.status_code == 200
    return [patient.record_number for patient, _ in response.context["rows"]]


def page(client, query: str) -> str:
    return html_lib.unescape(client.get("/?" + query).content.decode())


def test_the_list_shows_each_patients_age_at_the_latest_episode(client, trio, ward):
    client.force_login(trio.owner)
    html = page(client, "")
    ages = dict(re.findall(r'data-record-number="([^"]+)">.*?data-age>(.*?)</td>', html, flags=re.S))
    assert ages["B-OLDER"] == "14 y"
    assert ages["a-younger"] == "8 y"
    assert "Unknown" in ages["E-NEW"]


def test_the_age_of_a_patient_without_an_episode_is_counted_to_today(client, trio, north):
    import datetime

    today = datetime.date.today()
    Patient.objects.create(
        site=north, record_number="F-TODAY", sex="male", birth_date=today.replace(year=today.year - 9)
    )
    client.force_login(trio.owner)
    assert re.search(r'data-record-number="F-TODAY">.*?data-age>9 y</td>', page(client, ""), flags=re.S)


def test_sorting_by_record_number_ignores_case_and_reverses(client, trio, ward):
    client.force_login(trio.owner)
    assert order(client, "sort=record_number") == ["a-younger", "B-OLDER", "C-BIOPSY", "D-LABS", "E-NEW"]
    assert order(client, "sort=-record_number") == ["E-NEW", "D-LABS", "C-BIOPSY", "B-OLDER", "a-younger"]


def test_sorting_by_age_puts_unknown_ages_last_either_way(client, trio, ward):
    client.force_login(trio.owner)
    assert order(client, "sort=age") == ["a-younger", "C-BIOPSY", "D-LABS", "B-OLDER", "E-NEW"]
    assert order(client, "sort=-age") == ["B-OLDER", "D-LABS", "C-BIOPSY", "a-younger", "E-NEW"]


def test_sorting_by_latest_episode_date(client, trio, ward):
    client.force_login(trio.owner)
    assert order(client, "sort=-latest") == ["a-younger", "B-OLDER", "C-BIOPSY", "D-LABS", "E-NEW"]
    assert order(client, "sort=latest") == ["D-LABS", "C-BIOPSY", "B-OLDER", "a-younger", "E-NEW"]


def test_sorting_by_status_puts_red_flags_first_then_missing_data_then_complete(client, trio, ward):
    client.force_login(trio.owner)
    assert order(client, "sort=status") == ["C-BIOPSY", "D-LABS", "a-younger", "B-OLDER", "E-NEW"]
    assert order(client, "sort=-status")[:2] == ["a-younger", "B-OLDER"]


def test_a_differential_in_concern_sorts_as_a_red_flag_even_without_a_biopsy(client, trio, north):
    low_alp = {**case()["episode"]["labs"], "alp_u_l": 60}  # below its lower limit: hypophosphatasia
    make_episode(north, "A-COMPLETE")
    make_episode(north, "Z-HPP", case(labs=low_alp))
    client.force_login(trio.owner)
    assert order(client, "sort=status") == ["Z-HPP", "A-COMPLETE"]


@pytest.mark.parametrize("value", ["nonsense", "-", "--age", "updated_at", "id", "site__code", "x" * 40])
def test_a_sort_value_the_list_does_not_know_is_ignored(client, trio, ward, value):
    client.force_login(trio.owner)
    assert order(client, "sort=" + value) == order(client, "")


def test_the_header_links_keep_the_filters_and_the_sorted_header_says_so(client, trio, ward):
    client.force_login(trio.owner)
    html = page(client, "incomplete=1&q=-&sort=age&page=1")
    headers = dict(re.findall(r'<th scope="col"[^>]*data-sort="(\w+)"><a href="([^"]+)"', html))
    assert set(headers) == {"record_number", "age", "latest", "status"}
    for column, url in headers.items():
        query = parse_qs(urlsplit(url).query)
        assert query["incomplete"] == ["1"] and query["q"] == ["-"], column
        assert "page" not in query, column
    assert parse_qs(urlsplit(headers["age"]).query)["sort"] == ["-age"]  # the sorted column reverses
    assert parse_qs(urlsplit(headers["latest"]).query)["sort"] == ["-latest"]  # newest first
    assert parse_qs(urlsplit(headers["status"]).query)["sort"] == ["status"]
    assert re.findall(r"aria-sort=\"(\w+)\"[^>]*data-sort=\"(\w+)\"", html) == [("ascending", "age")]
    assert re.findall(r"aria-sort", page(client, "sort=-age")) == ["aria-sort"]
    assert 'aria-sort="descending" data-sort="age"' in page(client, "sort=-age")
    assert "aria-sort" not in page(client, "")
    assert '<input type="hidden" name="sort" value="age">' in html  # the filter form keeps the sort


def test_the_filters_still_apply_when_sorted(client, trio, ward):
    client.force_login(trio.owner)
    assert order(client, "incomplete=1&sort=record_number") == ["C-BIOPSY", "D-LABS"]


def test_the_sorted_list_costs_as_many_queries_however_many_patients(
    client, trio, north, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(trio.owner)
    make_episode(north, "Q-0")
    client.get("/")  # warm the session
    with CaptureQueriesContext(connection) as unsorted:
        client.get("/")
    for number in range(1, 12):
        make_episode(north, f"Q-{number}", case(lesions=TIBIA) if number % 2 else None)
    for sort in ("status", "-age", "latest", "record_number"):
        with django_assert_max_num_queries(len(unsorted.captured_queries)):
            response = client.get("/?sort=" + sort)
        assert len(response.context["rows"]) == 12
