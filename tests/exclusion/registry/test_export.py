"""Issue 16, items 2 and 3: the registry export of a site, identified and de-identified."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from exclusion.engine import RULESET_VERSION
from exclusion.registry.deidentify import Pseudonymizer
from exclusion.registry.export import FILES, registry_export
from exclusion.registry.records import RECORD_COLUMNS, case_from_rows, group_records
from exclusion.summaries.services import summary_sweep
from patients.casedoc import episode_to_case
from patients.models import AuditEntry, Episode, Patient, Site, Treatment
from tests.factories import case, make_episode, make_site, make_treatment, make_user

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def demo(settings) -> Site:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    summary_sweep(sync=True)
    return Site.objects.get(code="NORTH")


def export(site: Site, deidentify: bool = False, actor=None) -> dict[str, str]:
    buffer = io.BytesIO()
    registry_export(actor=actor, site=site, out=buffer, deidentify=deidentify)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def real_dates(patient: Patient) -> set[str]:
    dates = {patient.birth_date} if patient.birth_date else set()
    for episode in patient.episodes.all():
        dates |= {episode.assessed_on, episode.onset_on}
    for course in patient.treatments.all():
        dates |= {course.started_on, course.stopped_on}
    return {day.isoformat() for day in dates if day}


def dates_in(value: object) -> set[str]:
    """Every ISO date written anywhere in a row, a document or a list of them."""
    if isinstance(value, str):
        return set(ISO_DATE.findall(value))
    if isinstance(value, dict):
        return set().union(*(dates_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(dates_in(item) for item in value))
    return set()


def moved(dates: set[str], days: int) -> set[str]:
    return {(datetime.date.fromisoformat(day) + datetime.timedelta(days=days)).isoformat() for day in dates}


def lines_of(text: str, record_number: str) -> list[dict]:
    return [line for line in jsonl(text) if line["record_number"] == record_number]


@pytest.mark.django_db
def test_an_export_of_the_demo_data_holds_all_six_files_and_reads_back_as_the_same_cases(demo):
    files = export(demo)
    assert set(files) == set(FILES)
    episodes = Episode.objects.filter(patient__site=demo).count()
    rows = list(csv.DictReader(io.StringIO(files["records.csv"])))
    assert tuple(rows[0]) == RECORD_COLUMNS
    assert sum(row["redcap_repeat_instrument"] == "episode" for row in rows) == episodes
    assert (
        sum(row["redcap_repeat_instrument"] == "treatments" for row in rows)
        == Treatment.objects.filter(patient__site=demo).count()
    )
    cases = jsonl(files["cases.jsonl"])
    assert len(cases) == episodes
    # records.csv read back gives exactly the documents of cases.jsonl, which are the stored episodes'.
    from_records = []
    for block in group_records(rows):
        for instance, (_, episode_row) in enumerate(block.episodes, start=1):
            lesions = [row for _, row in block.lesions if row["lesion_episode"] == str(instance)]
            from_records.append(
                {
                    "record_number": block.record_id,
                    "case": case_from_rows(block.patient[1], episode_row, lesions),
                }
            )
    assert from_records == cases
    first = Episode.objects.filter(patient__site=demo).order_by("patient_id", "assessed_on", "id").first()
    assert cases[0] == {"record_number": first.patient.record_number, "case": episode_to_case(first)}
    assessments = jsonl(files["assessments.jsonl"])
    assert len(assessments) == episodes
    assert {line["ruleset"] for line in assessments} == {RULESET_VERSION}
    assert assessments[0]["assessment"] == first.assessments.first().result
    summaries = jsonl(files["summaries.jsonl"])
    assert len(summaries) == Patient.objects.filter(site=demo).count()
    assert "episode_instance" in summaries[0]["summary"]["latest"]
    assert "NOT DE-IDENTIFIED" in files["README.txt"] and RULESET_VERSION in files["README.txt"]
    for name in FILES[1:]:
        assert name in files["README.txt"]
    # No patient of the other site.
    assert "SB-" not in files["records.csv"] and "SB-" not in files["cases.jsonl"]


@pytest.mark.django_db
def test_a_deidentified_export_has_no_record_number_and_no_real_date_of_a_patient_and_keeps_intervals(demo):
    real = export(demo)
    files = export(demo, deidentify=True)
    assert set(files) == set(FILES)
    patients = list(Patient.objects.filter(site=demo).prefetch_related("episodes", "treatments"))
    for name, text in files.items():
        for patient in patients:
            assert patient.record_number not in text, (name, patient.record_number)
    demo.refresh_from_db()
    pseudonyms = Pseudonymizer(demo.code, demo.registry_secret)
    records = {
        block.record_id: block for block in group_records(csv.DictReader(io.StringIO(files["records.csv"])))
    }
    real_records = {
        block.record_id: block for block in group_records(csv.DictReader(io.StringIO(real["records.csv"])))
    }
    assert len(records) == len(patients)
    for patient in patients:
        block = records[pseudonyms.record_id(patient.record_number)]
        rows = [row for _, row in [block.patient, *block.episodes, *block.treatments]]
        # The same offset for every date of the patient: intervals are unchanged, and no date is its real one.
        real_block = real_records[patient.record_number]
        real_rows = [row for _, row in [real_block.patient, *real_block.episodes, *real_block.treatments]]
        offsets = {
            (datetime.date.fromisoformat(row[key]) - datetime.date.fromisoformat(real_row[key])).days
            for row, real_row in zip(rows, real_rows, strict=True)
            for key in row
            if ISO_DATE.fullmatch(real_row[key])
        }
        assert len(offsets) == 1
        offset = offsets.pop()
        assert -364 <= offset <= -1
        # Every date in the patient's lines of every file is a real date moved by that offset. (A moved date
        # may happen to equal another real date of the same child, when two of its dates lie |offset| days
        # apart: that is a coincidence of intervals, not a leak, so the test compares moved with real.)
        assert dates_in(rows) == moved(dates_in(real_rows), offset), patient.record_number
        assert all(row["treat_drug"] == "" for _, row in block.treatments)
        for name in ("cases.jsonl", "assessments.jsonl", "summaries.jsonl"):
            own = lines_of(files[name], pseudonyms.record_id(patient.record_number))
            real_own = lines_of(real[name], patient.record_number)
            assert len(own) == len(real_own), (name, patient.record_number)
            assert dates_in(own) == moved(dates_in(real_own), offset), (name, patient.record_number)
    assert "DE-IDENTIFIED" in files["README.txt"] and "NOT DE-IDENTIFIED" not in files["README.txt"]
    # Assessed again on the shifted cases: the same conclusions as the real ones.
    pseudonym = {patient.record_number: pseudonyms.record_id(patient.record_number) for patient in patients}
    real_assessments = {
        (pseudonym[line["record_number"]], line["episode_instance"]): line["assessment"]
        for line in jsonl(real["assessments.jsonl"])
    }
    assert real_assessments == {
        (line["record_number"], line["episode_instance"]): line["assessment"]
        for line in jsonl(files["assessments.jsonl"])
    }
    # In pseudonym order, not in the order of entry (which could link a pseudonym to its patient).
    assert list(records) == sorted(records)


@pytest.mark.django_db
def test_two_deidentified_exports_give_the_same_pseudonyms_and_dates():
    site = make_site("NORTH")
    episode = make_episode(site, "NF-7001")
    make_treatment(episode.patient, stopped_on=datetime.date(2024, 9, 1), stop_reason="remission")
    first, second = export(site, deidentify=True), export(site, deidentify=True)
    assert first["records.csv"] == second["records.csv"]
    assert first["cases.jsonl"] == second["cases.jsonl"]
    site.refresh_from_db()
    assert Pseudonymizer("NORTH", site.registry_secret).record_id("NF-7001") in first["records.csv"]


@pytest.mark.django_db
def test_the_site_secret_is_made_at_the_first_deidentified_export_and_kept(settings):
    site = make_site("NORTH")
    make_episode(site, "NF-7002")
    assert site.registry_secret == ""
    first = export(site, deidentify=True)
    site.refresh_from_db()
    secret = site.registry_secret
    assert len(secret) == 64
    assert secret not in "".join(first.values()), "the secret is never exported"
    settings.SECRET_KEY = "another-synthetic-secret-key-for-the-test-only"
    assert export(site, deidentify=True)["records.csv"] == first["records.csv"]
    site.refresh_from_db()
    assert site.registry_secret == secret
    other = make_site("SOUTH")
    make_episode(other, "NF-7002")
    assert export(other, deidentify=True)["records.csv"] != first["records.csv"]


@pytest.mark.django_db
def test_only_a_site_admin_of_the_site_may_export(tmp_path: Path):
    north, south = make_site("NORTH"), make_site("SOUTH")
    make_episode(north, "NF-7002")
    out = tmp_path / "export.zip"
    for user in (make_user(north, "clinician"), make_user(north, "reviewer"), make_user(south, "site_admin")):
        with pytest.raises(PermissionDenied):
            registry_export(actor=user, site=north, out=out)
    assert not out.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()
    admin = make_user(north, "site_admin")
    summary = registry_export(actor=admin, site=north, out=out)
    assert out.exists() and summary.patients == 1 and summary.episodes == 1


@pytest.mark.django_db
def test_the_export_is_audited_with_who_made_it_and_whether_it_was_deidentified():
    site = make_site("NORTH")
    make_episode(site, "NF-7003")
    admin = make_user(site, "site_admin", username="registry-admin")
    export(site, deidentify=True, actor=admin)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.actor_label, entry.site) == (admin, "registry-admin", site)
    assert entry.changes["format"] == [None, "registry"]
    assert entry.changes["deidentified"] == [None, True]
    assert entry.changes["episodes"] == [None, 1]


# Transactional: outside a test transaction the export takes its own REPEATABLE READ snapshot.
@pytest.mark.django_db(transaction=True)
def test_the_command_writes_the_zip_and_prints_a_summary(tmp_path: Path):
    site = make_site("NORTH")
    make_episode(site, "NF-7004")
    make_user(site, "clinician", username="clin")
    out = tmp_path / "north.zip"
    stdout = StringIO()
    call_command("export_registry", "--site", "NORTH", "--out", str(out), "--deidentify", stdout=stdout)
    assert "1 patients, 1 episodes" in stdout.getvalue() and "de-identified" in stdout.getvalue()
    with zipfile.ZipFile(out) as archive:
        assert set(archive.namelist()) == set(FILES)
        assert "NF-7004" not in archive.read("records.csv").decode()
    assert AuditEntry.objects.get(action=AuditEntry.Action.EXPORT).actor_label == "system"
    with pytest.raises(CommandError, match="site administrator"):
        call_command(
            "export_registry", "--site", "NORTH", "--out", str(out), "--user", "clin", stdout=StringIO()
        )
    with pytest.raises(CommandError, match="No site"):
        call_command("export_registry", "--site", "NOWHERE", "--out", str(out), stdout=StringIO())


@pytest.mark.django_db
def test_a_patient_of_90_or_more_is_exported_without_a_birth_date_and_with_the_age_90():
    site = make_site("NORTH")
    doc = case()
    doc["patient"]["birth_date"] = "1930-01-01"
    make_episode(site, "NF-7005", doc)
    files = export(site, deidentify=True)
    rows = list(csv.DictReader(io.StringIO(files["records.csv"])))
    assert (
        rows[0]["birth_date"] == "" and rows[1]["age_years"] == "90" and rows[1]["age_at_onset_years"] == "90"
    )
    (line,) = jsonl(files["cases.jsonl"])
    assert "birth_date" not in line["case"]["patient"] and line["case"]["episode"]["age_years"] == 90
    assert "1930" not in files["records.csv"] + files["cases.jsonl"] + files["summaries.jsonl"]


@pytest.mark.django_db
def test_records_csv_imported_into_an_empty_site_gives_every_episode_the_same_assessment(
    demo, tmp_path: Path
):
    """The issue's acceptance: export a site, import its records.csv elsewhere, compare the assessments."""
    from exclusion.registry.importer import cases_import

    out = tmp_path / "north.zip"
    registry_export(actor=None, site=demo, out=out)
    with zipfile.ZipFile(out) as archive:
        records_csv = archive.read("records.csv")
    empty = make_site("EMPTY")
    report = cases_import(actor=None, site=empty, source=io.BytesIO(records_csv), fmt="csv")
    assert report.errors == []

    def assessments(site: Site) -> dict[tuple[str, str], list[dict]]:
        found: dict[tuple[str, str], list[dict]] = {}
        for episode in Episode.objects.filter(patient__site=site).select_related("patient"):
            key = (episode.patient.record_number, episode.assessed_on.isoformat())
            found.setdefault(key, []).append(episode.assessments.first().result)
        return found

    assert assessments(empty) == assessments(demo)
    assert (
        Treatment.objects.filter(patient__site=empty).count()
        == Treatment.objects.filter(patient__site=demo).count()
    )
