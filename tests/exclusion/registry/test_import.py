"""Import of cases from a file (JSON lines and REDCap records.csv), as a registry manager runs it: bad rows
are reported with row, path and message and save nothing, good rows are saved, a dry run saves nothing, and
a second import of the same file changes nothing."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from exclusion.registry import records
from exclusion.registry.export import registry_export
from exclusion.registry.importer import cases_import
from patients.casedoc import episode_to_case
from patients.models import Episode, Patient, Treatment
from tests.factories import case, make_episode, make_site, make_treatment, make_user

pytestmark = pytest.mark.django_db


def line(record_number: Any, doc: Any) -> str:
    return json.dumps({"record_number": record_number, "case": doc})


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def cohort(size: int) -> list[str]:
    """`size` good lines: two episodes (two dates) per patient, each with its own CRP."""
    lines = []
    for index in range(size):
        doc = case(assessed_on="2024-05-10" if index % 2 == 0 else "2024-06-10")
        doc["episode"]["labs"]["crp_mg_l"] = 5 + index % 40
        lines.append(line(f"IMP-{index // 2:04d}", doc))
    return lines


def with_three_bad(lines: list[str], at: tuple[int, int, int] = (17, 88, 150)) -> list[str]:
    """Lines `at` (17, 88 and 150 by default) broken: not JSON, an out-of-range value, an unknown key."""
    lines = list(lines)
    first, second, third = (number - 1 for number in at)
    lines[first] = lines[first][:-5]
    bad = json.loads(lines[second])
    bad["case"]["episode"]["labs"]["crp_mg_l"] = 5000
    lines[second] = json.dumps(bad)
    unknown = json.loads(lines[third])
    unknown["site"] = "NORTH"
    lines[third] = json.dumps(unknown)
    return lines


def test_two_hundred_rows_with_three_bad_ones_save_197_episodes_and_a_second_import_changes_nothing(
    north, tmp_path
):
    path = write_jsonl(tmp_path / "cohort.jsonl", with_three_bad(cohort(200)))

    report = cases_import(actor=None, site=north, source=path)

    assert Episode.objects.filter(patient__site=north).count() == 197
    assert (report.rows, report.created, report.changed, report.unchanged) == (200, 197, 0, 0)
    assert [(e.row, e.path) for e in report.errors] == [
        (17, ""),
        (88, "case.episode.labs.crp_mg_l"),
        (150, "site"),
    ]
    assert report.errors[0].message.startswith("not valid JSON")
    assert "5000" in report.errors[1].message
    assert report.errors[2].message.startswith("unknown key")
    assert str(report.errors[1]).startswith("row 88: case.episode.labs.crp_mg_l: ")

    before = {e.pk: e.version for e in Episode.objects.filter(patient__site=north)}
    again = cases_import(actor=None, site=north, source=path)

    assert (again.created, again.changed, again.unchanged) == (0, 0, 197)
    assert {e.pk: e.version for e in Episode.objects.filter(patient__site=north)} == before
    assert [e.row for e in again.errors] == [17, 88, 150]
    assert Patient.objects.filter(site=north).count() == 100


def test_a_dry_run_saves_nothing_and_reports_what_would_be_created_changed_or_left(north, tmp_path):
    same = case()
    make_episode(north, "DRY-1", copy.deepcopy(same))
    on_file = make_episode(north, "DRY-2", case())
    other = case()
    other["episode"]["labs"]["crp_mg_l"] = 40
    path = write_jsonl(
        tmp_path / "dry.jsonl",
        [
            line("dry-1", same),  # record numbers match without regard to case
            line("DRY-2", other),
            line("DRY-3", case()),
            line("DRY-3", case(assessed_on="2024-06-01")),
            line("DRY-3", case()),  # the same row twice in one file is one episode
        ],
    )

    report = cases_import(actor=None, site=north, source=path, dry_run=True)

    assert report.dry_run
    assert (report.created, report.changed, report.unchanged, report.errors) == (2, 1, 2, [])
    assert Episode.objects.filter(patient__site=north).count() == 2
    assert not Patient.objects.filter(record_number="DRY-3").exists()
    on_file.refresh_from_db()
    assert (on_file.crp_mg_l, on_file.version) == (12, 1)
    assert report.lines()[0].startswith("Dry run: nothing was saved.")

    real = cases_import(actor=None, site=north, source=path)
    assert (real.created, real.changed, real.unchanged) == (2, 1, 2)


def test_a_row_with_other_content_on_the_same_date_changes_that_episode_through_its_version(north, tmp_path):
    episode = make_episode(north, "CHG-1", case())
    changed = case(lesions=case()["episode"]["lesions"][:1])
    changed["episode"]["labs"]["crp_mg_l"] = 33
    path = write_jsonl(tmp_path / "changed.jsonl", [line("CHG-1", changed)])

    report = cases_import(actor=None, site=north, source=path)

    assert (report.created, report.changed, report.unchanged) == (0, 1, 0)
    episode.refresh_from_db()
    assert (episode.crp_mg_l, episode.version, episode.lesions.count()) == (33, 2, 1)
    assert cases_import(actor=None, site=north, source=path).unchanged == 1


def test_malformed_lines_missing_and_unknown_keys_are_row_errors_never_a_crash(north, tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_bytes(
        b"\n".join(
            [
                b"[1, 2]",
                b'{"case": {}}',
                b'{"record_number": "X-1"}',
                b'{"record_number": "bad number!", "case": ' + json.dumps(case()).encode() + b"}",
                b'{"record_number": "X-2", "case": "not a document"}',
                b"\xff\xfe not utf-8",
                b"",
                b'{"record_number": 1001, "case": ' + json.dumps(case()).encode() + b"}",
            ]
        )
    )

    report = cases_import(actor=None, site=north, source=path)

    assert [(e.row, e.path) for e in report.errors] == [
        (1, ""),
        (2, "record_number"),
        (3, "case"),
        (4, "record_number"),
        (5, "case"),
        (6, ""),
    ]
    assert report.created == 1  # line 8: a numeric REDCap record id is the record number "1001"
    assert Patient.objects.get(site=north).record_number == "1001"


def test_a_patient_who_disagrees_with_the_one_on_file_is_refused_and_saves_nothing(north, tmp_path):
    make_episode(north, "SEX-1", case())
    doc = case(assessed_on="2024-07-01")
    doc["patient"]["sex"] = "male"
    path = write_jsonl(tmp_path / "sex.jsonl", [line("SEX-1", doc)])

    report = cases_import(actor=None, site=north, source=path)

    assert [(e.row, e.path) for e in report.errors] == [(1, "case.patient.sex")]
    assert Episode.objects.filter(patient__record_number="SEX-1").count() == 1


def test_progress_is_reported_with_the_total_and_ends_at_it(north, tmp_path):
    path = write_jsonl(tmp_path / "cohort.jsonl", cohort(60))
    calls: list[tuple[int, int | None]] = []

    cases_import(
        actor=None, site=north, source=path, progress=lambda done, total: calls.append((done, total))
    )

    assert calls[0] == (0, 60) and calls[-1] == (60, 60)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_reviewer_may_not_import_and_nothing_is_read(north, tmp_path):
    reviewer = make_user(north, "reviewer")
    path = write_jsonl(tmp_path / "cohort.jsonl", cohort(2))

    with pytest.raises(PermissionDenied):
        cases_import(actor=reviewer, site=north, source=path)
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_cases", str(path), "--site", "NORTH", "--user", reviewer.username)
    assert not Episode.objects.exists()


def test_a_clinician_of_the_site_imports_under_their_own_name(north, tmp_path):
    clinician = make_user(north, "clinician")
    path = write_jsonl(tmp_path / "cohort.jsonl", cohort(2))

    report = cases_import(actor=clinician, site=north, source=path)

    assert report.created == 2


def test_the_command_prints_the_counts_and_each_bad_row(north, tmp_path):
    lines = cohort(4)
    bad = json.loads(lines[1])
    bad["case"]["episode"]["labs"]["crp_mg_l"] = 5000
    lines[1] = json.dumps(bad)
    path = write_jsonl(tmp_path / "cohort.jsonl", lines)
    out = io.StringIO()

    call_command("import_cases", str(path), "--site", "north", stdout=out)

    text = out.getvalue().splitlines()
    assert "Episodes created: 3, changed: 0, unchanged: 0." in text
    assert "Bad rows: 1 (nothing of them was saved)." in text
    assert any(row.startswith("row 2: case.episode.labs.crp_mg_l: ") for row in text)

    out = io.StringIO()
    call_command("import_cases", str(path), "--site", "NORTH", "--dry-run", stdout=out)
    assert "Episodes would be created: 0, would be changed: 0, unchanged: 3." in out.getvalue()


# --- records.csv ---------------------------------------------------------------------------------------


def write_records(path: Path, patients: list[tuple[str, list[dict], list[dict]]]) -> Path:
    """records.csv as the export writes it (exclusion.registry.records), one block per patient."""
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=records.RECORD_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record_id, docs, courses in patients:
            patient = docs[0]["patient"] if docs else {"sex": "unknown"}
            writer.writerows(records.record_rows(record_id, patient, docs, courses))
    return path


NAPROXEN = {
    "drug_class": "nsaid",
    "drug": "naproxen",
    "started_on": "2024-05-10",
    "stopped_on": None,
    "stop_reason": "",
}


def test_records_csv_imports_episodes_lesions_and_courses_and_a_second_import_changes_nothing(
    north, tmp_path
):
    docs = [case(), case(assessed_on="2024-08-01", lesions=[])]
    path = write_records(tmp_path / "records.csv", [("CSV-1", docs, [NAPROXEN]), ("CSV-2", [case()], [])])

    report = cases_import(actor=None, site=north, source=path)

    assert (report.fmt, report.rows, report.errors) == ("csv", 12, [])
    assert (report.created, report.treatments_created) == (3, 1)
    patient = Patient.objects.get(site=north, record_number="CSV-1")
    stored = [episode_to_case(e) for e in patient.episodes.order_by("assessed_on")]
    assert stored == [episode_to_case(make_episode(north, "REF-1", doc)) for doc in docs]
    assert Treatment.objects.get(patient=patient).drug == "naproxen"

    again = cases_import(actor=None, site=north, source=path)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
    assert (again.treatments_created, again.treatments_unchanged) == (0, 1)


def test_courses_of_records_csv_are_added_once_and_a_course_stopped_since_is_changed(north, tmp_path):
    episode = make_episode(north, "CSV-1", case())
    make_treatment(episode.patient)  # ongoing naproxen from 2024-05-10
    stopped = {**NAPROXEN, "stopped_on": "2024-09-01", "stop_reason": "remission"}
    methotrexate = {
        **NAPROXEN,
        "drug_class": "methotrexate",
        "drug": "methotrexate",
        "started_on": "2024-07-01",
    }
    backwards = {**NAPROXEN, "drug": "ibuprofen", "started_on": "2024-08-01", "stopped_on": "2024-07-01"}
    backwards["stop_reason"] = "remission"
    path = write_records(
        tmp_path / "records.csv",
        [("CSV-1", [case()], [stopped, methotrexate, backwards]), ("CSV-9", [], [])],
    )
    rows = list(csv.DictReader(path.open(newline="")))
    rows[-1].update(sex="male", birth_date="2015-01-01")  # CSV-9: a patient row alone
    rows.append(
        {
            **rows[-1],
            records.REPEAT_INSTRUMENT: "treatments",
            records.REPEAT_INSTANCE: "1",
            "sex": "",
            "birth_date": "",
            **records.treatment_row("CSV-9", 1, methotrexate),
        }
    )
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=records.RECORD_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    report = cases_import(actor=None, site=north, source=path)

    assert (report.unchanged, report.created) == (1, 0)
    assert (report.treatments_created, report.treatments_changed) == (2, 1)
    assert [(e.row, e.path) for e in report.errors] == [(9, "treat_stopped_on")]
    naproxen = Treatment.objects.get(patient=episode.patient, drug="naproxen")
    assert (str(naproxen.stopped_on), naproxen.stop_reason, naproxen.version) == (
        "2024-09-01",
        "remission",
        2,
    )
    alone = Patient.objects.get(site=north, record_number="CSV-9")
    assert (alone.sex, alone.episodes.count(), alone.treatments.get().drug) == ("male", 0, "methotrexate")

    again = cases_import(actor=None, site=north, source=path)
    assert (again.treatments_created, again.treatments_changed, again.treatments_unchanged) == (0, 0, 3)


def test_a_bad_records_csv_row_is_named_by_its_spreadsheet_row_and_column(north, tmp_path):
    path = write_records(tmp_path / "records.csv", [("CSV-1", [case()], []), ("CSV-2", [case()], [])])
    rows = list(csv.DictReader(path.open(newline="")))
    rows[2]["lesion_site"] = "elbow"  # CSV-1's first lesion (data row 3, spreadsheet row 4)
    rows[5]["crp_mg_l"] = "12"  # on CSV-2's patient row (spreadsheet row 7): not a patient field
    rows[6]["crp_mg_l"] = "5000"  # CSV-2's episode (spreadsheet row 8)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=records.RECORD_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    report = cases_import(actor=None, site=north, source=path)

    assert [(e.row, e.path) for e in report.errors] == [
        (4, "lesion_site"),
        (3, ""),  # its episode row: not imported without the lesion
        (7, "crp_mg_l"),
        (8, ""),  # not imported: its patient row is refused
    ]
    assert report.created == 0 and not Episode.objects.exists()


def test_a_record_whose_rows_are_split_is_refused_with_a_clear_error(north, tmp_path):
    path = write_records(
        tmp_path / "records.csv",
        [("CSV-1", [case()], []), ("CSV-2", [case()], []), ("CSV-1", [case(assessed_on="2024-08-01")], [])],
    )

    report = cases_import(actor=None, site=north, source=path)

    assert report.created == 2
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.path) == (12, "record_id")
    assert "split" in error.message and "sort the file by record_id" in error.message


def test_an_unknown_records_csv_column_imports_nothing(north, tmp_path):
    path = write_records(tmp_path / "records.csv", [("CSV-1", [case()], [])])
    text = path.read_text().replace("crp_mg_l", "crp_mg_dl", 1)
    path.write_text(text)

    report = cases_import(actor=None, site=north, source=path)

    assert [(e.row, e.path) for e in report.errors] == [(1, "crp_mg_dl")]
    assert not Episode.objects.exists()


def assessment_without_ids(episode: Episode) -> dict[str, Any]:
    assessment = episode.assessments.order_by("-id").first()
    return {"case": assessment.case, "result": assessment.result, "ruleset": assessment.ruleset}


def test_an_export_of_north_imported_into_an_empty_site_gives_every_episode_the_same_assessment(
    settings, north, tmp_path
):
    settings.DEBUG = True  # load_demo refuses to run with DEBUG off
    call_command("load_demo", "--quiet-passwords", stdout=io.StringIO())
    archive = tmp_path / "north.zip"
    registry_export(actor=None, site=north, out=archive)
    empty = make_site("EMPTY")

    report = cases_import(actor=None, site=empty, source=archive)  # the zip's records.csv

    source = Episode.objects.filter(patient__site=north).order_by(
        "patient__record_number", "assessed_on", "id"
    )
    copied = Episode.objects.filter(patient__site=empty).order_by(
        "patient__record_number", "assessed_on", "id"
    )
    assert (report.fmt, report.errors, report.created) == ("csv", [], source.count())
    assert [e.patient.record_number for e in copied] == [e.patient.record_number for e in source]
    assert [assessment_without_ids(e) for e in copied] == [assessment_without_ids(e) for e in source]
    courses = Treatment.objects.filter(patient__site=north).count()
    assert source.count() > 20 and courses > 0  # the demo cohort, not an empty comparison
    assert report.treatments_created == courses == Treatment.objects.filter(patient__site=empty).count()

    again = cases_import(actor=None, site=empty, source=archive, fmt="jsonl")  # its cases.jsonl
    assert (again.errors, again.created, again.changed, again.unchanged) == ([], 0, 0, source.count())
