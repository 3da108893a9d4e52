"""Site admins download their sites' audit trail as CSV (/audit/export.csv), and the download is itself
recorded in the trail."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client

from patients.auditlog.selectors import EXPORT_COLUMNS
from patients.models import AuditEntry
from patients.services import episode_update, patient_create
from tests.factories import make_episode, make_user
from tests.patients.auditlog.conftest import dated

pytestmark = pytest.mark.django_db


def download(browser: Client, **params) -> tuple[object, list[dict[str, str]]]:
    response = browser.get("/audit/export.csv", params)
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode()
    return response, list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_one_row_per_changed_field_under_the_agreed_header(north_admin_browser, trio, north):
    episode = make_episode(north, "NF-20")
    episode_update(
        actor=trio.owner, episode_id=episode.pk, expected_version=1, data={"crp_mg_l": 31, "esr_mm_h": 40}
    )
    response, rows = download(north_admin_browser, model="patients.Episode")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    header = b"".join(north_admin_browser.get("/audit/export.csv").streaming_content).decode().splitlines()[0]
    assert header.split(",") == EXPORT_COLUMNS
    update = [row for row in rows if row["action"] == "update"]
    assert [(row["field"], row["before"], row["after"]) for row in update] == [
        ("crp_mg_l", "12.0", "31.0"),
        ("esr_mm_h", "28.0", "40.0"),
    ]
    assert {row["actor"] for row in update} == {"owner"}
    assert {row["site"] for row in rows} == {"NORTH"}
    assert {row["object_id"] for row in rows} == {str(episode.pk)}
    created = AuditEntry.objects.get(model="patients.Episode", object_id=episode.pk, action="create")
    assert len([row for row in rows if row["action"] == "create"]) == len(created.changes)


def test_the_csv_is_never_cached(north_admin_browser):
    response, _ = download(north_admin_browser)
    assert response["Cache-Control"] == "no-store"


def test_exporting_writes_an_entry_naming_the_exporter_the_site_and_the_filters(
    north_admin_browser, admins, trio, north
):
    patient_create(actor=trio.owner, site=north, record_number="NF-21")
    download(north_admin_browser, user=trio.owner.pk, date_from="2026-01-01", record_number="NF-21")
    export = AuditEntry.objects.get(action="export")
    assert export.actor == admins.north and export.actor_label == "north-admin"
    assert export.site == north
    assert export.changes == {
        "format": [None, "csv"],
        "user": [None, "owner"],
        "date_from": [None, "2026-01-01"],
        "record_number": [None, "NF-21"],
    }


def test_the_export_entry_shows_in_the_trail_and_in_the_next_download(north_admin_browser, admins):
    _, first = download(north_admin_browser)
    assert "export" not in {row["action"] for row in first}  # a download is the trail before it
    _, second = download(north_admin_browser)
    exports = [row for row in second if row["action"] == "export"]
    assert {(row["actor"], row["model"], row["field"], row["after"]) for row in exports} == {
        ("north-admin", "patients.AuditEntry", "format", "csv")
    }
    page = north_admin_browser.get("/audit/", {"user": admins.north.pk}).content.decode()
    assert "Exported" in page


def test_the_export_holds_the_same_entries_as_the_filtered_page(north_admin_browser, trio, north):
    kept = patient_create(actor=trio.owner, site=north, record_number="NF-22")
    left_out = patient_create(actor=trio.owner, site=north, record_number="NF-23")
    dated(
        AuditEntry.objects.filter(model="patients.Patient", object_id=left_out.pk), datetime.date(2026, 1, 5)
    )
    _, rows = download(north_admin_browser, model="patients.Patient", date_from="2026-02-01")
    assert {row["object_id"] for row in rows} == {str(kept.pk)}


def test_another_sites_entries_are_never_exported(north_admin_browser, trio, north, south):
    patient_create(actor=trio.owner, site=north, record_number="NF-24")
    patient_create(actor=trio.outsider, site=south, record_number="SF-10")
    _, rows = download(north_admin_browser)
    assert {row["site"] for row in rows} == {"NORTH"}
    assert "SF-10" not in {row["after"] for row in rows}


def test_an_export_with_another_sites_filter_is_refused_and_leaves_no_entry(north_admin_browser, south):
    response = north_admin_browser.get("/audit/export.csv", {"site": south.pk})
    assert response.status_code == 400
    assert "site" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_an_admin_of_two_sites_leaves_an_export_entry_at_each_site_exported(trio, north, south):
    both = make_user(north, "site_admin", "both-admin")
    both.memberships.create(site=south, role="site_admin")
    browser = Client()
    browser.force_login(both)
    download(browser)
    assert {entry.site for entry in AuditEntry.objects.filter(action="export")} == {north, south}
    download(browser, site=south.pk)
    assert AuditEntry.objects.filter(action="export", site=south).count() == 2
    assert AuditEntry.objects.filter(action="export", site=north).count() == 1


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted(north_admin_browser, admins, north):
    # A free-text value typed as "=HYPERLINK(...)" must reach the spreadsheet as text, not as a formula.
    AuditEntry.objects.create(
        actor=None,
        actor_label="system",
        action="update",
        model="patients.Episode",
        object_id=1,
        site=north,
        changes={"comment": ['=HYPERLINK("x")', "-3 days"], "crp_mg_l": [-1.5, 2]},
    )
    _, rows = download(north_admin_browser, model="patients.Episode", object_id=1)
    values = {row["field"]: (row["before"], row["after"]) for row in rows}
    assert values["comment"] == ('\'=HYPERLINK("x")', "'-3 days")
    assert values["crp_mg_l"] == ("-1.5", "2")  # numbers stay numbers
