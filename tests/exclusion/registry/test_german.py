"""The registry pages in German: the jobs page, a job's page with its report, and the progress text the
page's script shows while the job runs (handed over in data- attributes, translated by the page)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exclusion.registry.models import RegistryJob
from tests.clients import browser
from tests.exclusion.registry.test_import import cohort, with_three_bad

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def upload(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("cohort.jsonl", ("\n".join(lines) + "\n").encode())


def test_the_jobs_page_is_german_with_both_forms_for_a_site_admin(admin):
    html = browser(admin).get(reverse("registry:jobs"), **GERMAN).content.decode()
    assert '<html lang="de"' in html or 'lang="de"' in html
    assert "<h1>Register-Import und -Export</h1>" in html
    assert "Fälle importieren" in html and "Standort exportieren" in html
    assert "Import starten" in html and "Export starten" in html
    assert "Probelauf" in html and "Pseudonymisieren" in html
    assert "Aus der Datei erkennen" in html
    assert "Noch kein Import oder Export." in html
    assert "Registry import and export" not in html and "Start the import" not in html


def test_a_refused_upload_says_why_in_german(north, clinician, settings):
    client = browser(clinician)
    empty = client.post(
        reverse("registry:import-start"),
        {"site": north.pk, "file": SimpleUploadedFile("empty.jsonl", b"")},
        **GERMAN,
    )
    assert empty.status_code == 400
    assert "Die übermittelte Datei ist leer." in empty.content.decode()  # Django's own check, in German

    settings.REGISTRY_IMPORT_MAX_BYTES = 10
    too_big = client.post(
        reverse("registry:import-start"), {"site": north.pk, "file": upload(cohort(1))}, **GERMAN
    )
    assert too_big.status_code == 400
    assert "ein Import darf höchstens 10 Bytes umfassen." in too_big.content.decode()
    assert not RegistryJob.objects.exists()


def test_a_finished_import_reads_in_german_on_its_page(north, clinician):
    client = browser(clinician)
    response = client.post(
        reverse("registry:import-start"),
        {"site": north.pk, "file": upload(with_three_bad(cohort(12), at=(2, 5, 8)))},
    )
    html = client.get(response["Location"], **GERMAN).content.decode()
    assert "← Register-Import und -Export" in html
    assert "Gestartet von north-clinician am" in html
    assert '<h2 id="report-heading">Bericht</h2>' in html
    assert "12 Zeilen gelesen" in html
    assert 'Episoden angelegt: <strong data-testid="created">9</strong>' in html
    assert (
        'Fehlerhafte Zeilen: <strong data-testid="bad-rows">3</strong> (davon wurde nichts gespeichert).'
        in html
    )
    assert ">Zeile</th>" in html and ">Feld</th>" in html and ">Problem</th>" in html
    assert "rows read" not in html and "Bad rows" not in html


def test_a_dry_run_in_german_says_what_would_be_created(north, clinician):
    client = browser(clinician)
    client.post(
        reverse("registry:import-start"), {"site": north.pk, "file": upload(cohort(4)), "dry_run": "on"}
    )
    job = RegistryJob.objects.get()
    html = client.get(reverse("registry:job", args=[job.pk]), **GERMAN).content.decode()
    assert "(Probelauf)" in html
    assert "Probelauf: Es wurde nichts gespeichert." in html
    assert 'Episoden, die angelegt würden: <strong data-testid="created">4</strong>' in html
    assert "(davon würde nichts gespeichert)" in html


def running_job_page(north, clinician, **headers) -> str:
    """The page of a three-row import that has done one row and is still running."""
    client = browser(clinician)
    client.post(reverse("registry:import-start"), {"site": north.pk, "file": upload(cohort(3))})
    job = RegistryJob.objects.get()
    RegistryJob.objects.filter(pk=job.pk).update(status="running", finished_at=None, done=1, total=3)
    return client.get(reverse("registry:job", args=[job.pk]), **headers).content.decode()


def test_a_running_jobs_page_hands_its_script_the_german_progress_text(north, clinician):
    html = running_job_page(north, clinician, **GERMAN)
    assert 'data-finished="false"' in html
    assert (
        'data-hint-following="Diese Seite verfolgt den Auftrag und zeigt seinen Bericht, wenn er endet."'
        in html
    )
    assert 'data-count-rows="{done} von {total} Zeilen"' in html
    assert 'data-count-steps="{done} von {total} Schritten"' in html
    assert 'data-unit="rows"' in html
    assert "<span data-job-count>1 von 3 Zeilen</span>" in html
    assert "ohne JavaScript laden Sie sie neu" in html


def test_the_progress_text_stays_english_for_an_english_page(north, clinician):
    html = running_job_page(north, clinician)
    assert 'data-count-rows="{done} of {total} rows"' in html
    assert "<span data-job-count>1 of 3 rows</span>" in html


def test_an_export_job_reads_in_german_with_its_download(north, admin):
    from tests.factories import make_episode

    make_episode(north, "NF-4001")
    client = browser(admin)
    page = client.post(reverse("registry:export-start"), {"site": north.pk, "deidentify": "on"}, follow=True)
    assert page.status_code == 200
    job = RegistryJob.objects.get()
    html = client.get(reverse("registry:job", args=[job.pk]), **GERMAN).content.decode()
    assert "(pseudonymisiert)" in html
    assert "1 Patienten, 1 Episoden" in html
    assert "ZIP-Datei herunterladen" in html


def test_the_row_errors_are_written_in_the_language_the_importing_user_chose(north, clinician):
    from patients.accounts.services import language_set

    language_set(clinician, "de")
    client = browser(clinician)
    client.post(
        reverse("registry:import-start"),
        {"site": north.pk, "file": upload(with_three_bad(cohort(12), at=(2, 5, 8)))},
    )
    job = RegistryJob.objects.get()
    messages = {error["path"]: error["message"] for error in job.report["errors"]}
    assert messages["site"] == "unbekannter Schlüssel (eine Zeile hat nur record_number und case)"
    assert any(message.startswith("kein gültiges JSON: ") for message in messages.values())
    html = client.get(reverse("registry:job", args=[job.pk]), **GERMAN).content.decode()
    assert "unbekannter Schlüssel (eine Zeile hat nur record_number und case)" in html


def test_a_german_request_writes_the_row_errors_in_german_and_an_english_one_in_english(north, clinician):
    client = browser(clinician)
    bad = with_three_bad(cohort(12), at=(2, 5, 8))
    client.post(reverse("registry:import-start"), {"site": north.pk, "file": upload(bad)}, **GERMAN)
    client.post(reverse("registry:import-start"), {"site": north.pk, "file": upload(bad)})
    german, english = RegistryJob.objects.order_by("pk")
    assert {error["path"]: error["message"] for error in german.report["errors"]}["site"] == (
        "unbekannter Schlüssel (eine Zeile hat nur record_number und case)"
    )
    assert {error["path"]: error["message"] for error in english.report["errors"]}["site"] == (
        "unknown key (a line has only record_number and case)"
    )
