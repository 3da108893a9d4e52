"""The REST API of registry jobs: /api/v1/exports/ and /api/v1/imports/ start a job (202), follow it,
fetch an export's zip and delete a finished export; a job another user may not see is a 404.

Celery runs each job in-process after commit here, so the data must really commit."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exclusion.registry.models import JobKind, JobStatus, RegistryJob
from patients.models import Episode
from tests.clients import token_client
from tests.exclusion.registry.test_import import cohort, with_three_bad
from tests.factories import make_episode, make_site, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


def jsonl(lines: list[str], name: str = "cohort.jsonl") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode())


def start_import(client, site_code: str = "NORTH", **fields):
    body = {"site": site_code, "file": jsonl(cohort(6)), **fields}
    return client.post("/api/v1/imports/", body, format="multipart")


# --- Exports -------------------------------------------------------------------------------------------


def test_an_export_started_through_the_api_ends_done_with_a_zip_holding_records_csv(admin, north):
    make_episode(north, "NF-2001")
    make_episode(north, "NF-2002")
    client = token_client(admin)

    started = client.post("/api/v1/exports/", {"site": "NORTH", "deidentify": False}, format="json")

    assert started.status_code == 202, started.content
    assert started.json()["kind"] == "export" and started.json()["site"] == "NORTH"
    job = client.get(f"/api/v1/exports/{started.json()['id']}/").json()
    assert job["status"] == "done" and job["percent"] == 100
    assert job["report"]["patients"] == 2
    assert job["created_by"] == "north-admin"
    assert job["download"] == f"http://testserver/api/v1/exports/{job['id']}/download/"

    download = client.get(job["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "no-store" in download["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert b"NF-2001" in archive.read("records.csv")


def test_a_finished_export_is_deleted_with_its_zip_and_then_is_a_404(admin, north):
    client = token_client(admin)
    job_id = client.post("/api/v1/exports/", {"site": "NORTH"}, format="json").json()["id"]
    path = RegistryJob.objects.get(pk=job_id).output.path

    assert client.delete(f"/api/v1/exports/{job_id}/").status_code == 204

    assert not RegistryJob.objects.filter(pk=job_id).exists()
    assert not os.path.exists(path)
    assert client.get(f"/api/v1/exports/{job_id}/").status_code == 404


def test_an_unfinished_export_cannot_be_deleted_nor_downloaded(admin, north):
    job = RegistryJob.objects.create(kind=JobKind.EXPORT, site=north, created_by=admin)
    client = token_client(admin)

    refused = client.delete(f"/api/v1/exports/{job.pk}/")

    assert refused.status_code == 409
    assert refused.json()["errors"][0]["path"] == "status"
    assert RegistryJob.objects.filter(pk=job.pk).exists()
    detail = client.get(f"/api/v1/exports/{job.pk}/").json()
    assert detail["status"] == "queued" and detail["download"] is None
    assert client.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404


def test_an_unknown_key_in_the_export_body_is_a_400_naming_it(admin, north):
    response = token_client(admin).post(
        "/api/v1/exports/", {"site": "NORTH", "deidentified": True}, format="json"
    )

    assert response.status_code == 400
    assert {"path": "deidentified", "message": "Unknown field: not part of this request."} in response.json()[
        "errors"
    ]
    assert not RegistryJob.objects.exists()


def test_only_a_site_admin_may_export_and_another_site_is_a_404_on_site(clinician, admin, north, south):
    refused = token_client(clinician).post("/api/v1/exports/", {"site": "NORTH"}, format="json")
    elsewhere = token_client(admin).post("/api/v1/exports/", {"site": "SOUTH"}, format="json")

    assert refused.status_code == 403
    assert elsewhere.status_code == 404
    assert elsewhere.json()["errors"][0]["path"] == "site"
    assert not RegistryJob.objects.exists()


# --- Imports -------------------------------------------------------------------------------------------


def test_a_json_lines_import_reports_its_three_bad_rows_with_row_path_and_message(clinician, north):
    # 40 rows, three bad: the 200-row acceptance runs once, at the importer the API calls (test_import.py).
    client = token_client(clinician)
    upload = jsonl(with_three_bad(cohort(40), at=(7, 18, 30)))

    started = client.post("/api/v1/imports/", {"site": "NORTH", "file": upload}, format="multipart")

    assert started.status_code == 202, started.content
    job = client.get(f"/api/v1/imports/{started.json()['id']}/").json()
    assert job["status"] == "done"
    assert (job["source_name"], job["dry_run"], job["format"]) == ("cohort.jsonl", False, "")
    assert job["report"]["bad_rows"] == 3
    assert {error["row"] for error in job["report"]["errors"]} == {7, 18, 30}
    assert all(set(error) == {"row", "path", "message"} for error in job["report"]["errors"])
    assert Episode.objects.filter(patient__site=north).count() == 37


def test_a_dry_run_import_saves_nothing_and_says_what_it_would_create(clinician, north):
    client = token_client(clinician)

    started = start_import(client, dry_run="true", format="jsonl")

    assert started.status_code == 202, started.content
    job = client.get(f"/api/v1/imports/{started.json()['id']}/").json()
    assert (job["status"], job["dry_run"], job["format"]) == ("done", True, "jsonl")
    assert job["report"]["episodes"]["created"] == 6
    assert not Episode.objects.exists()


def test_an_upload_larger_than_the_import_limit_is_a_413_before_it_is_read(clinician, north, settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    big = SimpleUploadedFile("big.jsonl", b"x" * 70_000)

    response = token_client(clinician).post(
        "/api/v1/imports/", {"site": "NORTH", "file": big}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["errors"][0]["path"] == ""
    assert not RegistryJob.objects.exists()


def test_a_refused_file_is_a_400_naming_the_field_and_an_unknown_key_too(clinician, north):
    client = token_client(clinician)

    empty = client.post(
        "/api/v1/imports/", {"site": "NORTH", "file": SimpleUploadedFile("a.jsonl", b"")}, format="multipart"
    )
    unknown = start_import(client, dryrun="true")

    assert empty.status_code == 400
    assert empty.json()["errors"] == [{"path": "file", "message": "The file is empty."}]
    assert unknown.status_code == 400
    assert "dryrun" in {error["path"] for error in unknown.json()["errors"]}
    assert not RegistryJob.objects.exists()


def test_a_json_body_is_not_an_import(clinician, north):
    response = token_client(clinician).post("/api/v1/imports/", {"site": "NORTH"}, format="json")

    assert response.status_code == 415


def test_a_reviewer_cannot_import_and_nothing_is_stored(north, settings):
    reviewer = make_user(north, "reviewer", "north-reviewer")

    response = start_import(token_client(reviewer))

    assert response.status_code == 403
    assert not RegistryJob.objects.exists()
    assert not (settings.REGISTRY_DIR / "imports").exists()


# --- Who sees a job ------------------------------------------------------------------------------------


def test_the_owner_sees_their_import_a_team_mate_gets_a_404_and_an_outsider_too(clinician, north, south):
    job_id = start_import(token_client(clinician)).json()["id"]
    team_mate = make_user(north, "clinician", "north-colleague")
    outsider = make_user(south, "site_admin", "south-admin")

    assert token_client(clinician).get(f"/api/v1/imports/{job_id}/").status_code == 200
    assert token_client(team_mate).get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert token_client(outsider).get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert token_client(team_mate).get("/api/v1/imports/").json()["results"] == []
    assert token_client(outsider).get("/api/v1/imports/").json()["results"] == []
    assert [job["id"] for job in token_client(clinician).get("/api/v1/imports/").json()["results"]] == [
        job_id
    ]


def test_an_export_is_seen_by_its_site_admins_only(admin, north, south):
    job_id = token_client(admin).post("/api/v1/exports/", {"site": "NORTH"}, format="json").json()["id"]
    team_mate = make_user(north, "clinician", "north-colleague")
    outsider = make_user(south, "site_admin", "south-admin")

    assert token_client(admin).get(f"/api/v1/exports/{job_id}/").status_code == 200
    for other in (team_mate, outsider):
        client = token_client(other)
        assert client.get(f"/api/v1/exports/{job_id}/").status_code == 404
        assert client.get(f"/api/v1/exports/{job_id}/download/").status_code == 404
        assert client.delete(f"/api/v1/exports/{job_id}/").status_code == 404
    assert RegistryJob.objects.filter(pk=job_id).exists()


def test_a_token_bound_to_north_does_not_see_the_users_south_jobs(admin, north, south):
    from patients.models import SiteMembership

    SiteMembership.objects.create(user=admin, site=south, role="site_admin")
    south_job = RegistryJob.objects.create(kind=JobKind.EXPORT, site=south, created_by=admin)
    client = token_client(admin, north)

    assert client.get(f"/api/v1/exports/{south_job.pk}/").status_code == 404
    assert client.get("/api/v1/exports/").json()["results"] == []
    assert client.post("/api/v1/exports/", {"site": "SOUTH"}, format="json").status_code == 404


# --- Cost ----------------------------------------------------------------------------------------------


def test_the_job_lists_and_details_cost_a_fixed_number_of_queries(
    admin, clinician, north, django_assert_max_num_queries
):
    for index in range(5):
        RegistryJob.objects.create(kind=JobKind.EXPORT, site=north, created_by=admin, status=JobStatus.DONE)
        RegistryJob.objects.create(
            kind=JobKind.IMPORT, site=north, created_by=clinician, source_name=f"f{index}.jsonl"
        )
    job = RegistryJob.objects.filter(kind=JobKind.EXPORT).first()
    client = token_client(admin)
    client.get("/api/v1/exports/")  # one request first: the counts below are of a steady state

    for url in ("/api/v1/exports/", "/api/v1/imports/", f"/api/v1/exports/{job.pk}/"):
        with django_assert_max_num_queries(3):
            response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/api/v1/exports/").json()["count"] == 5
    assert client.get("/api/v1/imports/").json()["count"] == 5


def test_the_registry_endpoints_are_in_the_openapi_schema(admin):
    schema = token_client(admin).get("/api/v1/schema/?format=json").json()

    assert {"/api/v1/exports/", "/api/v1/exports/{job_id}/", "/api/v1/exports/{job_id}/download/"} <= set(
        schema["paths"]
    )
    imports = schema["paths"]["/api/v1/imports/"]["post"]
    assert "multipart/form-data" in imports["requestBody"]["content"]
    assert "413" in imports["responses"]
    assert (
        "application/zip"
        in schema["paths"]["/api/v1/exports/{job_id}/download/"]["get"]["responses"]["200"]["content"]
    )


def test_an_export_counts_only_its_site_even_with_other_sites_data(admin, north):
    make_episode(north, "NF-1")
    make_episode(make_site("EAST"), "EA-1")
    client = token_client(admin)

    job_id = client.post("/api/v1/exports/", {"site": "NORTH"}, format="json").json()["id"]

    assert client.get(f"/api/v1/exports/{job_id}/").json()["report"]["patients"] == 1
