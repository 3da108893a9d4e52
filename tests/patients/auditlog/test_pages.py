"""Site admins read their sites' audit trail at /audit/: who did what to which record, before and after."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patients.models import AuditEntry
from patients.services import episode_delete, episode_update, patient_create
from tests.factories import make_episode, make_user
from tests.patients.auditlog.conftest import dated

pytestmark = pytest.mark.django_db


def entry_of(model: str, object_id: int) -> AuditEntry:
    return AuditEntry.objects.filter(model=model, object_id=object_id).latest("id")


def test_a_site_admin_sees_who_changed_what_with_before_and_after_values(north_admin_browser, trio, north):
    episode = make_episode(north, "NF-1")
    episode_update(actor=trio.owner, episode_id=episode.pk, expected_version=1, data={"crp_mg_l": 31})
    response = north_admin_browser.get("/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    row = row_of(page, entry_of("patients.Episode", episode.pk))
    assert "owner" in row and "Updated" in row
    assert "<code>crp_mg_l</code>" in row
    assert '<code class="audit-before">12.0</code>' in row and '<code class="audit-after">31.0</code>' in row
    assert f'href="/episodes/{episode.pk}/"' in row  # the record it changed, one click away


def test_the_newest_entries_come_first(north_admin_browser, trio, north):
    first = patient_create(actor=trio.owner, site=north, record_number="NF-2")
    second = patient_create(actor=trio.owner, site=north, record_number="NF-3")
    rows = north_admin_browser.get("/audit/").context["rows"]
    assert [row["entry"].object_id for row in rows][:2] == [second.pk, first.pk]


def row_of(page: str, entry: AuditEntry) -> str:
    return page.split(f'data-audit-entry="{entry.pk}"')[1].split("</tr>")[0]


def test_a_creation_shows_nothing_before_and_a_deletion_nothing_after(north_admin_browser, trio, north):
    patient = patient_create(actor=trio.owner, site=north, record_number="NF-4")
    episode = make_episode(north, "NF-4B")
    episode_id = episode.pk
    episode_delete(actor=trio.owner, episode=episode)
    page = north_admin_browser.get("/audit/").content.decode()
    created = row_of(page, entry_of("patients.Patient", patient.pk))
    assert '<code>record_number</code>\n          <span class="muted">(none)</span>' in created
    assert '<code class="audit-after">NF-4</code>' in created
    deleted = row_of(page, entry_of("patients.Episode", episode_id))
    assert "Deleted" in deleted and "/episodes/" not in deleted  # nothing left to link to
    assert '<code class="audit-before">12.0</code>' in deleted
    assert deleted.count('<span class="muted">(none)</span></li>') == deleted.count("<code>")


def test_filtering_by_user_keeps_only_that_users_entries(north_admin_browser, trio, north):
    colleague = make_user(north, "clinician", "colleague")
    mine = patient_create(actor=trio.owner, site=north, record_number="NF-5")
    theirs = patient_create(actor=colleague, site=north, record_number="NF-6")
    response = north_admin_browser.get("/audit/", {"user": trio.owner.pk})
    assert {row["entry"].object_id for row in response.context["rows"]} == {mine.pk}
    assert theirs.pk not in {row["entry"].object_id for row in response.context["rows"]}


def test_filtering_by_system_keeps_the_jobs_without_a_user(north_admin_browser, trio, north):
    imported = make_episode(north, "NF-7")  # a system import
    patient_create(actor=trio.owner, site=north, record_number="NF-8")
    response = north_admin_browser.get("/audit/", {"user": "null"})
    labels = {row["entry"].actor_label for row in response.context["rows"]}
    assert labels == {"system"}
    assert imported.pk in {row["entry"].object_id for row in response.context["rows"]}


def test_filtering_by_record_keeps_only_that_records_entries(north_admin_browser, trio, north):
    episode = make_episode(north, "NF-9")
    other = make_episode(north, "NF-10")
    episode_update(actor=trio.owner, episode_id=episode.pk, expected_version=1, data={"crp_mg_l": 40})
    response = north_admin_browser.get("/audit/", {"model": "patients.Episode", "object_id": episode.pk})
    rows = response.context["rows"]
    assert [row["entry"].action for row in rows] == ["update", "create"]
    assert all(row["entry"].object_id == episode.pk for row in rows)
    assert other.pk not in {
        row["entry"].object_id for row in rows if row["entry"].model == "patients.Episode"
    }


def test_searching_a_record_number_finds_the_patient_and_everything_in_its_record(north_admin_browser, north):
    episode = make_episode(north, "NF-11")
    make_episode(north, "NF-99")
    response = north_admin_browser.get("/audit/", {"record_number": "NF-11"})
    models = {row["entry"].model for row in response.context["rows"]}
    assert models == {"patients.Patient", "patients.Episode", "patients.Lesion"}
    patient_ids = {
        row["entry"].object_id for row in response.context["rows"] if row["entry"].model == "patients.Patient"
    }
    assert patient_ids == {episode.patient_id}


def test_filtering_by_dates_keeps_the_entries_of_those_days(north_admin_browser, trio, north):
    old = patient_create(actor=trio.owner, site=north, record_number="NF-12")
    middle = patient_create(actor=trio.owner, site=north, record_number="NF-13")
    recent = patient_create(actor=trio.owner, site=north, record_number="NF-14")
    dated([entry_of("patients.Patient", old.pk)], datetime.date(2026, 1, 10))
    dated([entry_of("patients.Patient", middle.pk)], datetime.date(2026, 2, 10))
    dated([entry_of("patients.Patient", recent.pk)], datetime.date(2026, 3, 10))

    def listed(**dates: str) -> set[int]:
        rows = north_admin_browser.get("/audit/", {"model": "patients.Patient", **dates}).context["rows"]
        return {row["entry"].object_id for row in rows}

    assert listed(date_from="2026-02-01") == {middle.pk, recent.pk}
    assert listed(date_to="2026-02-10") == {old.pk, middle.pk}  # the "to" day is included
    assert listed(date_from="2026-02-10", date_to="2026-02-10") == {middle.pk}


def test_dates_in_the_wrong_order_are_refused_and_nothing_is_listed(north_admin_browser, trio, north):
    patient_create(actor=trio.owner, site=north, record_number="NF-15")
    response = north_admin_browser.get("/audit/", {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert response.status_code == 400
    assert response.context["rows"] == []
    assert "on or after" in response.content.decode()


def test_another_sites_entries_never_appear(north_admin_browser, trio, north, south):
    patient_create(actor=trio.owner, site=north, record_number="NF-16")
    south_patient = patient_create(actor=trio.outsider, site=south, record_number="SF-1")
    response = north_admin_browser.get("/audit/")
    assert {row["entry"].site_id for row in response.context["rows"]} == {north.pk}
    page = response.content.decode()
    assert "SF-1" not in page and "outsider" not in page
    # Asking for the other site's record by id or number finds nothing.
    by_id = north_admin_browser.get("/audit/", {"model": "patients.Patient", "object_id": south_patient.pk})
    assert by_id.context["rows"] == []
    assert north_admin_browser.get("/audit/", {"record_number": "SF-1"}).context["rows"] == []


def test_another_sites_filter_values_are_refused_as_unknown(north_admin_browser, trio, south):
    patient_create(actor=trio.outsider, site=south, record_number="SF-2")
    for params in ({"site": south.pk}, {"user": trio.outsider.pk}):
        response = north_admin_browser.get("/audit/", params)
        assert response.status_code == 400  # the same answer as for an id that does not exist
        assert response.context["rows"] == []
        assert "Select a valid choice" in response.content.decode()


def test_an_admin_of_two_sites_can_narrow_the_list_to_one(trio, north, south):
    both = make_user(north, "site_admin", "both-admin")
    both.memberships.create(site=south, role="site_admin")
    patient_create(actor=trio.owner, site=north, record_number="NF-17")
    patient_create(actor=trio.outsider, site=south, record_number="SF-3")
    browser = Client()
    browser.force_login(both)
    assert {row["entry"].site_id for row in browser.get("/audit/").context["rows"]} == {north.pk, south.pk}
    only_south = browser.get("/audit/", {"site": south.pk}).context["rows"]
    assert {row["entry"].site_id for row in only_south} == {south.pk}


def test_the_list_is_paginated_by_fifty(north_admin_browser, trio, north):
    for number in range(55):
        patient_create(actor=trio.owner, site=north, record_number=f"NP-{number}")
    first = north_admin_browser.get("/audit/", {"model": "patients.Patient"})
    assert len(first.context["rows"]) == 50
    assert 'rel="next"' in first.content.decode()
    second = north_admin_browser.get("/audit/", {"model": "patients.Patient", "page": 2})
    assert len(second.context["rows"]) == 5


@pytest.mark.parametrize("url", ["/audit/", "/audit/export.csv"])
@pytest.mark.parametrize(
    "role, status", [("site_admin", 200), ("clinician", 403), ("reviewer", 403), ("api_client", 403)]
)
def test_only_site_admins_read_the_trail(url, role, status, north):
    browser = Client()
    browser.force_login(make_user(north, role, f"a-{role}"))
    assert browser.get(url).status_code == status


def test_the_trio_is_refused_whatever_their_site(trio):
    for user in (trio.owner, trio.teammate, trio.outsider):
        browser = Client()
        browser.force_login(user)
        assert browser.get("/audit/").status_code == 403
        assert browser.get("/audit/export.csv").status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page():
    for url in ("/audit/", "/audit/export.csv"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_page_is_never_cached(north_admin_browser):
    assert "no-store" in north_admin_browser.get("/audit/")["Cache-Control"]


def test_the_query_count_does_not_grow_with_the_entries(
    north_admin_browser, trio, north, django_assert_max_num_queries
):
    def add_records(count: int) -> None:
        # Six entries a record (patient, episode, three lesions, an update): each type's links are one query.
        for number in range(count):
            episode = make_episode(north, f"NQ-{AuditEntry.objects.count()}-{number}")
            episode_update(actor=trio.owner, episode_id=episode.pk, expected_version=1, data={"crp_mg_l": 30})

    def show_page() -> None:
        response = north_admin_browser.get("/audit/", {"record_number": "NQ"})
        assert response.status_code == 200

    add_records(1)
    with CaptureQueriesContext(connection) as five_entries:
        show_page()
    add_records(9)
    assert AuditEntry.objects.filter(actor=trio.owner).count() >= 10
    with django_assert_max_num_queries(len(five_entries.captured_queries)):
        show_page()  # a full page of 50


def test_site_admins_find_the_audit_trail_in_the_navigation(north_admin_browser, trio):
    assert 'href="/audit/"' in north_admin_browser.get("/").content.decode()
    browser = Client()
    browser.force_login(trio.owner)
    assert 'href="/audit/"' not in browser.get("/").content.decode()
