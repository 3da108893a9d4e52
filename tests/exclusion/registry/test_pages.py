"""The registry pages as a registry manager uses them: start an import or an export, follow the job, read its
report, download the zip; forms by role; another site's or another user's job does not exist."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exclusion.registry.models import JobKind, RegistryJob
from patients.models import Episode
from tests.clients import browser
from tests.exclusion.registry.test_import import cohort, with_three_bad
from tests.factories import make_episode, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


def jsonl(lines: list[str], name: str = "cohort.jsonl") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode())


def test_an_import_through_the_page_shows_the_report_with_every_bad_row(north, trio):
    # 40 rows, three bad: the 200-row acceptance runs once, at the importer the page calls (test_import.py).
    client = browser(trio.owner)
    upload = jsonl(with_three_bad(cohort(40), at=(7, 18, 30)))
    response = client.post(reverse("registry:import-start"), {"site": north.pk, "file": upload})
    assert response.status_code == 302
    job = RegistryJob.objects.get()
    assert response["Location"] == reverse("registry:job", args=[job.pk])

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="created">37<' in html
    assert 'data-testid="bad-rows">3<' in html
    assert html.count("<tr><td>") == 3, "one table row per problem"
    assert "<td>18</td>" in html and "crp_mg_l" in html
    assert Episode.objects.count() == 37


def test_a_dry_run_says_what_would_be_created_and_saves_nothing(north, trio):
    client = browser(trio.owner)
    response = client.post(
        reverse("registry:import-start"),
        {"site": north.pk, "file": jsonl(cohort(6)), "dry_run": "on"},
        follow=True,
    )
    html = response.content.decode()
    assert "Dry run: nothing was saved." in html
    assert "Episodes would be created:" in html
    assert not Episode.objects.exists()


def test_a_refused_upload_keeps_the_choices_and_names_the_field(north, trio):
    client = browser(trio.owner)
    response = client.post(
        reverse("registry:import-start"),
        {"site": north.pk, "file": SimpleUploadedFile("empty.jsonl", b""), "dry_run": "on", "format": "csv"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The submitted file is empty." in html or "The file is empty." in html
    assert 'name="dry_run" id="id_dry_run" checked' in html or (
        'name="dry_run"' in html and "checked" in html
    )
    assert '<option value="csv" selected>' in html
    assert not RegistryJob.objects.exists()


def test_an_export_through_the_page_ends_in_a_download_of_the_zip(north):
    admin = make_user(north, "site_admin", "north-admin")
    make_episode(north, "NF-3001")
    client = browser(admin)

    page = client.post(reverse("registry:export-start"), {"site": north.pk, "deidentify": "on"}, follow=True)
    assert 'data-testid="download"' in page.content.decode()
    job = RegistryJob.objects.get(kind=JobKind.EXPORT)

    download = client.get(reverse("registry:job-download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "no-store" in download["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert b"NF-3001" not in archive.read("records.csv")


def test_forms_follow_the_role_clinicians_import_admins_also_export_reviewers_neither(north, trio):
    admin = make_user(north, "site_admin", "north-admin")
    assert 'data-testid="import-form"' in browser(trio.owner).get(reverse("registry:jobs")).content.decode()
    assert (
        'data-testid="export-form"' not in browser(trio.owner).get(reverse("registry:jobs")).content.decode()
    )
    admin_page = browser(admin).get(reverse("registry:jobs")).content.decode()
    assert 'data-testid="import-form"' in admin_page and 'data-testid="export-form"' in admin_page
    reviewer_page = browser(trio.teammate).get(reverse("registry:jobs")).content.decode()
    assert 'data-testid="no-registry-role"' in reviewer_page

    assert (
        browser(trio.teammate).post(reverse("registry:import-start"), {"site": north.pk}).status_code == 403
    )
    assert browser(trio.owner).post(reverse("registry:export-start"), {"site": north.pk}).status_code == 403


def test_a_job_is_the_owners_a_teammates_404_and_an_outsiders_404(north, trio):
    browser(trio.owner).post(reverse("registry:import-start"), {"site": north.pk, "file": jsonl(cohort(2))})
    job = RegistryJob.objects.get()
    for name in ("registry:job", "registry:job-progress"):
        url = reverse(name, args=[job.pk])
        assert browser(trio.owner).get(url).status_code == 200
        assert browser(trio.teammate).get(url).status_code == 404
        assert browser(trio.outsider).get(url).status_code == 404
    assert browser(trio.owner).get(reverse("registry:job-download", args=[job.pk])).status_code == 404


def test_the_progress_answer_is_what_the_bar_needs(north, trio):
    browser(trio.owner).post(reverse("registry:import-start"), {"site": north.pk, "file": jsonl(cohort(3))})
    job = RegistryJob.objects.get()
    state = browser(trio.owner).get(reverse("registry:job-progress", args=[job.pk])).json()
    assert state == {
        "status": "done",
        "status_label": "Done",
        "done": 3,
        "total": 3,
        "percent": 100,
        "finished": True,
    }


def test_the_jobs_and_job_pages_run_a_bounded_number_of_queries(north, django_assert_max_num_queries):
    admin = make_user(north, "site_admin", "north-admin")
    client = browser(admin)
    for _ in range(5):
        client.post(reverse("registry:import-start"), {"site": north.pk, "file": jsonl(cohort(1))})
    job = RegistryJob.objects.first()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("registry:jobs")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("registry:job", args=[job.pk])).status_code == 200


def test_another_sites_is_not_offered_and_cannot_be_chosen(north, south, trio):
    page = browser(trio.owner).get(reverse("registry:jobs")).content.decode()
    assert "SOUTH" not in page
    response = browser(trio.owner).post(
        reverse("registry:import-start"), {"site": south.pk, "file": jsonl(cohort(1))}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not RegistryJob.objects.exists()
