"""Import of cases from a file: JSON lines of `{"record_number": ..., "case": <cno-case/1>}` or a REDCap
`records.csv` (the layout of exclusion.registry.records).

Every row is validated by the engine and saved through the record's own services (case_import,
episode_update, patient_update, treatment_create/update), each in its own transaction: a bad row is
reported (row, path, message) and saves nothing, the good rows stay saved. A dry run does the same inside
one transaction that is rolled back at the end, so it reports exactly what the import would do.

Sameness, so that importing a file twice changes nothing the second time: the same site and record number
(trimmed, without regard to case) is the same patient, and the patient's episode of the same assessment
date with the same content (as stored: case_to_records of the document) is the same episode, "unchanged".
A row whose date matches exactly one episode of the patient that no earlier row of this file has claimed,
with other content, "changed" it: it is updated through episode_update (optimistically locked on the
version just read). Several unclaimed episodes on that date, none identical: the row is refused (it cannot
tell which one it means). No episode left on that date: "created".

The input is streamed (one line or one CSV record at a time); what is kept in memory is the report and the
ids of the episodes this run touched.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from exclusion import engine
from exclusion.engine import translations
from exclusion.registry import records
from exclusion.registry.dictionary import FIELDS, FIELDS_BY_NAME
from patients.access import Actor, require_edit_clinical
from patients.casedoc import CaseRecords, case_to_records, episode_to_case, nul_errors, patient_conflicts
from patients.choices import ACTIVITY_FIELDS, FINDING_FIELDS, LAB_FIELDS, SYMPTOM_FIELDS
from patients.models import Episode, Patient, Site, Treatment
from patients.models.core import record_number_validator
from patients.services import (
    CaseDocumentError,
    StaleVersionError,
    case_import,
    episode_update,
    patient_create,
    patient_update,
)
from patients.treatments.services import treatment_create, treatment_update

FORMATS = ("jsonl", "csv")
ZIP_MAGIC = b"PK\x03\x04"
JSONL_KEYS = frozenset({"record_number", "case"})
# How often (in rows read) `progress` is called, besides at the start and the end.
PROGRESS_EVERY = 25

Progress = Callable[[int, int | None], None]
Source = IO[bytes] | str | os.PathLike[str]


@dataclass(frozen=True)
class RowError:
    """One problem of one row: `row` is the line number (JSON lines) or the data row number (CSV: the
    first row below the header is 1; a spreadsheet shows it on its line row + 1)."""

    row: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.path or '(row)'}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "path": self.path, "message": self.message}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do). Counts are of episodes, then treatment courses."""

    fmt: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    treatments_created: int = 0
    treatments_changed: int = 0
    treatments_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.fmt,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "episodes": {"created": self.created, "changed": self.changed, "unchanged": self.unchanged},
            "treatments": {
                "created": self.treatments_created,
                "changed": self.treatments_changed,
                "unchanged": self.treatments_unchanged,
            },
            "bad_rows": self.bad_rows,
            "errors": [error.as_dict() for error in self.errors],
        }

    def lines(self) -> list[str]:
        """The report as text, as the management command prints it."""
        would = "would be " if self.dry_run else ""
        out = [
            f"{'Dry run: nothing was saved. ' if self.dry_run else ''}{self.rows} rows read ({self.fmt}).",
            f"Episodes {would}created: {self.created}, {would}changed: {self.changed}, "
            f"unchanged: {self.unchanged}.",
        ]
        if self.treatments_created or self.treatments_changed or self.treatments_unchanged:
            out.append(
                f"Treatment courses {would}created: {self.treatments_created}, {would}changed: "
                f"{self.treatments_changed}, unchanged: {self.treatments_unchanged}."
            )
        out.append(f"Bad rows: {self.bad_rows} (nothing of them {would or 'was '}saved).")
        out.extend(str(error) for error in self.errors)
        return out


class ImportFileError(Exception):
    """The file as a whole cannot be read (unknown format, not UTF-8 text, no header)."""


# --- What the readers yield --------------------------------------------------------------------------

# Where a problem lies in the file: a contract path of the case document → (row number, path in the file).
Locate = Callable[[str], tuple[int, str]]


@dataclass
class CaseRow:
    """One episode to import: its document, and how to name a contract path in the file's terms."""

    record_number: str
    doc: Any
    locate: Locate


@dataclass
class TreatmentRow:
    """One treatment course to import (values as treatment_create takes them)."""

    row: int
    values: dict[str, Any]


@dataclass
class RecordRows:
    """One patient's rows as a reader yields them: the problems found while reading (those rows save
    nothing), the episodes and the treatment courses. `last_row` is the number of rows read so far."""

    record_number: str
    last_row: int
    errors: list[RowError] = field(default_factory=list)
    cases: list[CaseRow] = field(default_factory=list)
    treatments: list[TreatmentRow] = field(default_factory=list)
    # The patient row's values (sex, birth_date), for courses of a patient none of whose episodes saved.
    patient: dict[str, Any] | None = None
    # A treatment field's name (or the patient's) → the path the report names it by.
    treatment_path: Callable[[str], str] = str


# --- The service -------------------------------------------------------------------------------------


def cases_import(
    *,
    actor: Actor,
    site: Site,
    source: Source,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    watch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import the file into `site` (see the module's docstring) and report what was done.

    `source` is a path or a binary file (read from its current position), or the registry export's zip
    (its records.csv is read, or its cases.jsonl with fmt="jsonl"); `fmt` is "jsonl", "csv" or None to
    tell from the file's name or first byte. `progress(done, total)` is called every PROGRESS_EVERY
    rows and at the end (`total` is None when the file cannot be read twice); `watch(report)` is given
    the report as soon as it exists, so a job can save it as it grows. PermissionDenied unless the
    actor may edit clinical records at the site; ImportFileError when the file cannot be read at all.
    """
    require_edit_clinical(actor, site.id)  # before reading a byte
    with _binary(source, fmt) as (binary, zipped):
        fmt = fmt or zipped or _detect(binary, _name(source))
        if fmt not in FORMATS:
            raise ImportFileError(
                gettext("Unknown format %(format)s: use one of %(formats)s.")
                % {"format": repr(fmt), "formats": ", ".join(FORMATS)}
            )
        total = _count_rows(binary, fmt)
        report = ImportReport(fmt=fmt, dry_run=dry_run)
        if watch is not None:
            watch(report)
        run = _Run(actor=actor, site=site, report=report, progress=progress, total=total)
        records = _jsonl_records(binary) if fmt == "jsonl" else _csv_records(binary)
        if dry_run:
            # One transaction for the whole run, rolled back: later rows see what earlier rows would have
            # saved, so the counts are the import's own.
            with transaction.atomic():
                run.all(records)
                transaction.set_rollback(True)
        else:
            run.all(records)
    return report


@dataclass
class _Run:
    actor: Actor
    site: Site
    report: ImportReport
    progress: Progress | None
    total: int | None
    # Episodes an earlier row of this file created, changed or found: a later row may find one of them
    # identical, but never changes it (two rows of one date are two episodes, not one edited twice).
    claimed: set[int] = field(default_factory=set)

    def all(self, records: Iterator[RecordRows]) -> None:
        self._progress(0)
        reported = 0
        for record in records:
            self.record(record)
            self.report.rows = record.last_row
            if record.last_row - reported >= PROGRESS_EVERY:
                self._progress(record.last_row)
                reported = record.last_row
        self._progress(self.report.rows, final=True)

    def _progress(self, done: int, final: bool = False) -> None:
        if self.progress is not None:
            self.progress(done, done if final and self.total is None else self.total)

    def record(self, record: RecordRows) -> None:
        self.report.errors.extend(record.errors)
        for case in record.cases:
            self.case(case)
        for course in record.treatments:
            self.treatment(record, course)

    # --- Episodes ------------------------------------------------------------------------------------

    def case(self, case: CaseRow) -> None:
        errors = _record_number_errors(case.record_number)
        errors += engine.validate_case(case.doc) or nul_errors(case.doc)
        if errors:
            self._refuse(case.locate, errors)
            return
        records = case_to_records(case.doc)
        try:
            with transaction.atomic():
                outcome = self._save(case, records)
        except CaseDocumentError as exc:
            self._refuse(case.locate, exc.errors)
        except ValidationError as exc:
            self._refuse(case.locate, validation_errors(exc))
        except StaleVersionError as exc:
            self._refuse(
                case.locate,
                [{"path": "", "message": gettext("%(error)s Import the file again.") % {"error": exc}}],
            )
        except (IntegrityError, DataError) as exc:
            # The database's own checks (a constraint the validation above did not foresee).
            self._refuse(
                case.locate,
                [{"path": "", "message": gettext("could not be saved: %(error)s") % {"error": exc}}],
            )
        else:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)

    def _refuse(self, locate: Locate, errors: list[dict[str, str]]) -> None:
        for error in errors:
            row, path = locate(error["path"])
            self.report.errors.append(RowError(row=row, path=path, message=_validation(error["message"])))

    def _save(self, case: CaseRow, records: CaseRecords) -> str:
        """Save one valid case (inside the row's transaction); returns the report's count to add to."""
        record_number = case.record_number.strip()
        patient = (
            Patient.objects.select_for_update()
            .filter(site=self.site, record_number__iexact=record_number)
            .first()
        )
        if patient is None:
            return self._create(record_number, case.doc)
        conflicts = patient_conflicts(patient, records.patient)
        if conflicts:
            raise CaseDocumentError(conflicts)
        fills = _patient_fills(patient, records.patient)
        same_date = list(
            patient.episodes.filter(assessed_on=records.episode["assessed_on"])
            .select_related("patient", "biopsy")
            .prefetch_related("lesions")
            .order_by("id")
        )
        for episode in same_date:
            if _same_content(episode, records):
                self.claimed.add(episode.pk)
                if not fills:
                    return "unchanged"
                patient_update(actor=self.actor, patient=patient, **fills)
                return "changed"
        free = [episode for episode in same_date if episode.pk not in self.claimed]
        if not free:
            return self._create(record_number, case.doc)
        if len(free) > 1:
            raise CaseDocumentError(
                [
                    {
                        "path": "episode.assessed_on",
                        "message": gettext(
                            "%(count)s episodes of this patient on this date differ from this row: it cannot "
                            "tell which one to change (change it in the app)."
                        )
                        % {"count": len(free)},
                    }
                ]
            )
        episode = free[0]
        if fills:
            patient_update(actor=self.actor, patient=patient, **fills)
        episode_update(
            actor=self.actor,
            episode_id=episode.pk,
            expected_version=episode.version,
            data=records.episode,
            lesions=records.lesions,
            biopsy=records.biopsy,
        )
        self.claimed.add(episode.pk)
        return "changed"

    def _create(self, record_number: str, doc: Any) -> str:
        episode = case_import(actor=self.actor, site=self.site, record_number=record_number, doc=doc)
        self.claimed.add(episode.pk)
        return "created"

    # --- Treatment courses ---------------------------------------------------------------------------

    def treatment(self, record: RecordRows, course: TreatmentRow) -> None:
        try:
            with transaction.atomic():
                outcome = self._save_treatment(record, course)
        except ValidationError as exc:
            self.report.errors.extend(
                RowError(
                    row=course.row,
                    path=record.treatment_path(error["path"]),
                    message=_validation(error["message"]),
                )
                for error in validation_errors(exc, treatment=True)
            )
        except StaleVersionError as exc:
            self.report.errors.append(
                RowError(course.row, "", gettext("%(error)s Import the file again.") % {"error": exc})
            )
        except (IntegrityError, DataError) as exc:
            self.report.errors.append(
                RowError(course.row, "", gettext("could not be saved: %(error)s") % {"error": exc})
            )
        else:
            name = f"treatments_{outcome}"
            setattr(self.report, name, getattr(self.report, name) + 1)

    def _save_treatment(self, record: RecordRows, course: TreatmentRow) -> str:
        record_number = record.record_number.strip()
        patient = (
            Patient.objects.select_for_update()
            .filter(site=self.site, record_number__iexact=record_number)
            .first()
        )
        if patient is None:
            # None of the patient's episodes is on file (none in the file, or all refused): the patient row
            # alone makes the patient, so the courses are not lost.
            patient = patient_create(
                actor=self.actor, site=self.site, record_number=record_number, **(record.patient or {})
            )
        values = course.values
        drug = (values.get("drug") or "").strip()
        same_course = patient.treatments.filter(
            drug_class=values["drug_class"], drug__iexact=drug, started_on=values["started_on"]
        ).order_by("id")
        if any(_same_stop(known, values) for known in same_course):
            return "unchanged"
        existing = same_course.first()
        if existing is None:
            treatment_create(actor=self.actor, patient=patient, **values)
            return "created"
        # The same course (class, drug, start) with another stop: it stopped since, or was corrected.
        treatment_update(
            actor=self.actor,
            treatment=existing,
            version=existing.version,
            stopped_on=values.get("stopped_on"),
            stop_reason=values.get("stop_reason") or "",
        )
        return "changed"


def _same_stop(treatment: Treatment, values: dict[str, Any]) -> bool:
    return treatment.stopped_on == values.get("stopped_on") and treatment.stop_reason == (
        values.get("stop_reason") or ""
    )


def _record_number_errors(record_number: Any) -> list[dict[str, str]]:
    if not isinstance(record_number, str) or not record_number.strip():
        return [{"path": "record_number", "message": gettext("required: the patient's record number (text)")}]
    try:
        record_number_validator(record_number.strip())
    except ValidationError as exc:
        return [{"path": "record_number", "message": " ".join(exc.messages)}]
    return []


def _patient_fills(patient: Patient, values: dict[str, Any]) -> dict[str, Any]:
    """What the document adds to the patient on file (as case_import fills it in): a sex or birth date
    where the file has none."""
    fills: dict[str, Any] = {}
    if patient.sex == "unknown" and values["sex"] != "unknown":
        fills["sex"] = values["sex"]
    if patient.birth_date is None and values["birth_date"] is not None:
        fills["birth_date"] = values["birth_date"]
    return fills


def _same_content(episode: Episode, records: CaseRecords) -> bool:
    """The episode on file holds what the document would store (compared as model values, so that 12 and
    12.0, or a missing and an empty lesion level, are the same)."""
    stored = case_to_records(episode_to_case(episode))
    return (stored.episode, stored.lesions, stored.biopsy) == (
        records.episode,
        records.lesions,
        records.biopsy,
    )


_EPISODE_GROUPS = {
    **{name: "symptoms" for name in SYMPTOM_FIELDS},
    **{name: "findings" for name in FINDING_FIELDS},
    **{name: "labs" for name in LAB_FIELDS},
    **{name: "activity" for name in ACTIVITY_FIELDS},
    "whole_body_mri": "imaging",
}


def validation_errors(exc: ValidationError, *, treatment: bool = False) -> list[dict[str, str]]:
    """A model's ValidationError as contract-shaped errors: a field of the patient, the episode or the
    biopsy named by its path in the case document (or by the treatment field for a course)."""
    if not hasattr(exc, "error_dict"):
        return [{"path": "", "message": message} for message in exc.messages]
    errors = []
    for name, messages in exc.message_dict.items():
        if name == "__all__":
            path = ""
        elif treatment or name == "record_number":
            path = name
        elif name in ("sex", "birth_date"):
            path = f"patient.{name}"
        elif name in _EPISODE_GROUPS:
            path = f"episode.{_EPISODE_GROUPS[name]}.{name}"
        elif name in ("histology", "culture", "on_antibiotics"):
            path = f"episode.biopsy.{name}"
        else:
            path = f"episode.{name}"
        errors.append({"path": path, "message": " ".join(messages)})
    return errors


# --- Reading the file --------------------------------------------------------------------------------


@contextmanager
def _binary(source: Source, fmt: str | None) -> Iterator[tuple[IO[bytes], str | None]]:
    """The file to read, and its format when it is a registry export zip (its records.csv, or its
    cases.jsonl when JSON lines are asked for)."""
    with ExitStack() as stack:
        if isinstance(source, str | os.PathLike):
            binary: IO[bytes] = stack.enter_context(open(source, "rb"))
        else:
            binary = source
        readable_twice = binary.seekable() or hasattr(binary, "peek")
        if not readable_twice or _peek(binary, 4) != ZIP_MAGIC:
            yield binary, None
            return
        try:
            archive = stack.enter_context(zipfile.ZipFile(binary))
        except zipfile.BadZipFile as exc:
            raise ImportFileError(gettext("Not a readable zip file: %(error)s.") % {"error": exc}) from None
        member = "cases.jsonl" if fmt == "jsonl" else "records.csv"
        if member not in archive.namelist():
            raise ImportFileError(
                gettext("The zip has no %(member)s (the registry export's file).") % {"member": member}
            )
        yield stack.enter_context(archive.open(member)), fmt or "csv"


def _name(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "") or "")


def _detect(binary: IO[bytes], name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    # No telling name (an upload, a pipe): JSON lines start with an object, a CSV with its header.
    head = _peek(binary, 64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return "jsonl" if head.startswith(b"{") else "csv"


def _peek(binary: IO[bytes], size: int) -> bytes:
    if binary.seekable():
        position = binary.tell()
        head = binary.read(size)
        binary.seek(position)
        return head
    peek = getattr(binary, "peek", None)
    if peek is None:
        raise ImportFileError(gettext("Name the format (jsonl or csv): this file cannot be looked at twice."))
    return bytes(peek(size)[:size])


def _count_rows(binary: IO[bytes], fmt: str) -> int | None:
    """The number of rows, for the progress bar: a first pass over a file that can be read again."""
    if not binary.seekable():
        return None
    position = binary.tell()
    try:
        if fmt == "jsonl":
            return sum(1 for _ in binary)
        with _text(binary) as text:
            return max(sum(1 for _ in csv.reader(text)) - 1, 0)  # data rows, below the header
    except (UnicodeDecodeError, ImportFileError):
        return None  # reported by the import itself
    finally:
        binary.seek(position)


@contextmanager
def _text(binary: IO[bytes]) -> Iterator[io.TextIOWrapper]:
    """The binary file as text (UTF-8, with or without a byte-order mark), newlines untranslated as csv
    wants them; detached afterwards so the caller's file stays open."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        yield text
    finally:
        text.detach()


def _jsonl_records(binary: IO[bytes]) -> Iterator[RecordRows]:
    """One record per non-blank line; a line that is not a JSON object of exactly `record_number` and
    `case` is a row error."""
    for number, raw in enumerate(binary, start=1):
        if not raw.strip():
            continue
        record = RecordRows(record_number="", last_row=number)
        problem = _jsonl_problem(number, raw)
        if isinstance(problem, RowError):
            record.errors.append(problem)
        else:
            record.record_number = problem["record_number"]
            record.cases.append(
                CaseRow(
                    record_number=problem["record_number"], doc=problem["case"], locate=_jsonl_locate(number)
                )
            )
        yield record


def _jsonl_problem(number: int, raw: bytes) -> RowError | dict[str, Any]:
    """The line's object, or the error that makes it unreadable."""
    try:
        line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        return RowError(number, "", gettext("not UTF-8 text"))
    try:
        value = json.loads(line)
    except ValueError as exc:
        return RowError(number, "", _not_json(exc))
    if not isinstance(value, dict):
        return RowError(number, "", gettext('must be a JSON object {"record_number": ..., "case": {...}}'))
    unknown = sorted(set(value) - JSONL_KEYS)
    if unknown:
        return RowError(number, unknown[0], gettext("unknown key (a line has only record_number and case)"))
    for key in ("record_number", "case"):
        if key not in value:
            return RowError(number, key, gettext("required"))
    record_number = value["record_number"]
    if isinstance(record_number, int) and not isinstance(record_number, bool):
        value["record_number"] = str(record_number)  # REDCap's record ids are often plain numbers
    return value


def _jsonl_locate(number: int) -> Locate:
    def locate(path: str) -> tuple[int, str]:
        if path == "record_number":
            return number, path
        return number, f"case.{path}" if path else "case"

    return locate


# records.csv: a spreadsheet's row numbers (the header is row 1, the first data row is row 2).
CSV_FIRST_ROW = 2
CSV_REQUIRED_COLUMNS = ("record_id", records.REPEAT_INSTRUMENT, records.REPEAT_INSTANCE)
# A contract path's (group, key) → the records.csv column that holds it.
_COLUMNS = {(f.group, f.key): f.name for f in FIELDS}
_LESION_PATH = re.compile(r"episode\.lesions\[(\d+)\](?:\.(\w+))?\Z")


def _csv_records(binary: IO[bytes]) -> Iterator[RecordRows]:
    """One RecordRows per record_id block (records.group_records). REDCap writes a record's rows
    together; a record_id met again after other records is refused (sort the file by record_id)."""
    with _text(binary) as text:
        reader = csv.DictReader(text, restkey=_EXTRA)
        row = CSV_FIRST_ROW - 1
        try:
            header_errors = _header_errors(reader.fieldnames)
            if header_errors:
                yield RecordRows(record_number="", last_row=0, errors=header_errors)
                return
            seen: dict[str, int] = {}
            for block in records.group_records(reader, start=CSV_FIRST_ROW):
                numbers = _block_rows(block)
                row = max(numbers)
                yield _csv_record(block, numbers, seen)
        except (UnicodeDecodeError, csv.Error) as exc:
            if isinstance(exc, UnicodeDecodeError):
                message = gettext("not UTF-8 text from about this row on: the rest of the file was not read")
            else:
                message = gettext(
                    "not readable CSV (%(error)s) from about this row on: the rest of the file was not read"
                ) % {"error": exc}
            yield RecordRows(
                record_number="", last_row=row - CSV_FIRST_ROW + 1, errors=[RowError(row + 1, "", message)]
            )


_EXTRA = "(extra values)"
_KEY_COLUMNS = frozenset({"record_id", records.REPEAT_INSTRUMENT, records.REPEAT_INSTANCE, _EXTRA})
_FORM_COLUMNS = {
    form: _KEY_COLUMNS | {f.name for f in fields}
    for form, fields in (
        ("patient", records.PATIENT_FIELDS),
        ("episode", records.EPISODE_FIELDS),
        ("lesions", records.LESION_FIELDS),
        ("treatments", records.TREATMENT_FIELDS),
    )
}


def _header_errors(fieldnames: Any) -> list[RowError]:
    if not fieldnames:
        return [
            RowError(
                1,
                "",
                gettext("no header row: records.csv starts with record_id, redcap_repeat_instrument, …"),
            )
        ]
    errors = [
        RowError(1, name, gettext("required column (REDCap's flat import format)"))
        for name in CSV_REQUIRED_COLUMNS
        if name not in fieldnames
    ]
    known = set(records.RECORD_COLUMNS)
    errors += [
        RowError(1, name, gettext("unknown column (not in data_dictionary.csv): nothing was imported"))
        for name in fieldnames
        if name not in known
    ]
    errors += [
        RowError(1, name, gettext("column given twice"))
        for name in sorted(set(fieldnames))
        if fieldnames.count(name) > 1
    ]
    return errors


def _block_rows(block: records.RecordBlock) -> list[int]:
    rows = [number for number, _ in (*block.episodes, *block.lesions, *block.treatments, *block.unknown)]
    if block.patient is not None:
        rows.append(block.patient[0])
    return rows


def _csv_record(block: records.RecordBlock, numbers: list[int], seen: dict[str, int]) -> RecordRows:
    """The block's cases and courses, or the errors of its rows (a bad row saves nothing; an episode whose
    patient row or one of whose lesion rows is bad is not imported either)."""
    first = min(numbers)
    record = RecordRows(record_number=block.record_id, last_row=max(numbers) - CSV_FIRST_ROW + 1)
    record.treatment_path = _treatment_column
    errors = record.errors
    if not block.record_id:
        errors.extend(
            RowError(n, "record_id", gettext("required: the patient's record number"))
            for n in sorted(numbers)
        )
        return record
    key = block.record_id.casefold()
    if key in seen:
        errors.append(
            RowError(
                first,
                "record_id",
                gettext(
                    "the rows of record %(record)s are split (it was first met at row %(seen)s): "
                    "REDCap keeps a record's rows together; sort the file by record_id. "
                    "Rows %(first)s–%(last)s were not imported."
                )
                % {"record": block.record_id, "seen": seen[key], "first": first, "last": max(numbers)},
            )
        )
        return record
    seen[key] = first
    for number, _ in block.unknown:
        errors.append(
            RowError(
                number,
                records.REPEAT_INSTRUMENT,
                gettext("unknown instrument: empty (the patient row), episode, lesions or treatments"),
            )
        )
    extra = [number for number, row in _rows(block) if row.get(_EXTRA)]
    errors.extend(RowError(n, "", gettext("more values than the header has columns")) for n in extra)
    # A value in another form's column is refused, never dropped (a row fills only its own form's fields).
    for form, rows in (
        ("patient", [block.patient] if block.patient else []),
        ("episode", block.episodes),
        ("lesions", block.lesions),
        ("treatments", block.treatments),
    ):
        for number, row in rows:
            stray = [name for name, value in row.items() if name not in _FORM_COLUMNS[form] and value]
            errors.extend(
                RowError(
                    number, name, gettext("not a field of the %(form)s form: leave it empty") % {"form": form}
                )
                for name in stray
            )
            if stray:
                extra.append(number)
    patient_row: records.Row = {}
    patient_ok = True
    if block.patient is not None:
        number, patient_row = block.patient
        try:
            record.patient = _patient_values(records.patient_from_row(patient_row))
        except records.RowError as exc:
            errors.append(RowError(number, exc.column, exc.message))
            patient_ok = False
        patient_ok = patient_ok and number not in extra

    # Episodes by instance, lesions by the instance of their episode (in instance order).
    episodes: dict[int, tuple[int, records.Row]] = {}
    for number, row in block.episodes:
        try:
            instance = records.instance_of(row)
        except records.RowError as exc:
            errors.append(RowError(number, exc.column, exc.message))
            continue
        if instance is None:
            errors.append(RowError(number, records.REPEAT_INSTANCE, gettext("required on an episode row")))
        elif instance in episodes:
            errors.append(
                RowError(
                    number,
                    records.REPEAT_INSTANCE,
                    gettext("episode %(instance)s given twice (row %(row)s)")
                    % {"instance": instance, "row": episodes[instance][0]},
                )
            )
        elif number not in extra:
            episodes[instance] = (number, row)
    lesions: dict[int, list[tuple[int, int, records.Row]]] = {}
    refused: dict[int, str] = {}  # episode instance → why it is not imported
    for number, row in block.lesions:
        try:
            instance = records.instance_of(row) or 0
            episode_instance, _ = records.lesion_from_row(row)
        except records.RowError as exc:
            errors.append(RowError(number, exc.column, exc.message))
            owner = _lesion_episode(row)
            if owner is None:
                refused.update(
                    dict.fromkeys(
                        episodes,
                        gettext("a lesion row of this record (row %(row)s) has errors") % {"row": number},
                    )
                )
            else:
                refused[owner] = gettext("its lesion row %(row)s has errors") % {"row": number}
            continue
        if episode_instance not in episodes:
            errors.append(
                RowError(
                    number,
                    "lesion_episode",
                    gettext("no episode row with instance %(instance)s in this record")
                    % {"instance": episode_instance},
                )
            )
            continue
        if number in extra:
            refused[episode_instance] = gettext("its lesion row %(row)s has errors") % {"row": number}
        lesions.setdefault(episode_instance, []).append((instance, number, row))
    for instance, (number, row) in sorted(episodes.items()):
        if not patient_ok:
            errors.append(
                RowError(number, "", gettext("not imported: the patient row of this record has errors"))
            )
            continue
        if instance in refused:
            errors.append(
                RowError(number, "", gettext("not imported: %(reason)s") % {"reason": refused[instance]})
            )
            continue
        own = sorted(lesions.get(instance, []), key=lambda item: item[0])
        try:
            doc = records.case_from_rows(patient_row, row, [lesion for _, _, lesion in own])
        except records.RowError as exc:
            errors.append(RowError(number, exc.column, exc.message))
            continue
        record.cases.append(
            CaseRow(
                record_number=block.record_id,
                doc=doc,
                locate=_csv_locate(
                    patient=block.patient[0] if block.patient else number,
                    episode=number,
                    lesions=[n for _, n, _ in own],
                ),
            )
        )
    for number, row in block.treatments:
        if not patient_ok:
            errors.append(
                RowError(number, "", gettext("not imported: the patient row of this record has errors"))
            )
            continue
        if number in extra:
            continue
        try:
            record.treatments.append(
                TreatmentRow(row=number, values=_course_values(records.treatment_from_row(row)))
            )
        except records.RowError as exc:
            errors.append(RowError(number, exc.column, exc.message))
    return record


def _rows(block: records.RecordBlock) -> list[tuple[int, records.Row]]:
    rows = [*block.episodes, *block.lesions, *block.treatments, *block.unknown]
    return [block.patient, *rows] if block.patient is not None else rows


def _lesion_episode(row: records.Row) -> int | None:
    """The episode a lesion row names, if that much of it can be read."""
    try:
        value = records.parse_value(FIELDS_BY_NAME["lesion_episode"], row.get("lesion_episode"))
    except records.RowError:
        return None
    return value if isinstance(value, int) else None


def _patient_values(patient: dict[str, Any]) -> dict[str, Any]:
    """The patient row as patient_create takes it (for a record with courses and no episode on file)."""
    birth = patient.get("birth_date")
    return {"sex": patient["sex"], "birth_date": datetime.date.fromisoformat(birth) if birth else None}


def _course_values(course: dict[str, Any]) -> dict[str, Any]:
    return {
        **course,
        **{
            name: datetime.date.fromisoformat(course[name]) if course.get(name) else None
            for name in ("started_on", "stopped_on")
        },
    }


def _treatment_column(name: str) -> str:
    if name == "record_number":
        return "record_id"
    return _COLUMNS.get(("treatment", name)) or _COLUMNS.get(("patient", name)) or name


def _csv_locate(*, patient: int, episode: int, lesions: list[int]) -> Locate:
    """A contract path of the record's case document → (row, column) in records.csv."""

    def locate(path: str) -> tuple[int, str]:
        if path == "record_number":
            return patient, "record_id"
        match = _LESION_PATH.match(path)
        if match:
            index, key = int(match[1]), match[2] or ""
            row = lesions[index] if index < len(lesions) else episode
            return row, _COLUMNS.get(("lesion", key), key)
        parts = path.split(".")
        if parts[0] == "patient" and len(parts) == 2:
            return patient, _COLUMNS.get(("patient", parts[1]), parts[1])
        if parts[0] == "episode" and len(parts) == 2:
            if parts[1] == "biopsy":
                return episode, _COLUMNS[("biopsy", "")]
            return episode, _COLUMNS.get(("episode", parts[1]), parts[1])
        if parts[0] == "episode" and len(parts) == 3:
            return episode, _COLUMNS.get((parts[1], parts[2]), ".".join(parts[1:]))
        return episode, path

    return locate


def _validation(message: str) -> str:
    """A message of the case format's validation in the job's language (the report is written in it)."""
    return translations.validation_message(message, translation.get_language())


# What Python's JSON parser says, in words a person reads in either language.
_JSON_PROBLEMS = {
    "Expecting ',' delimiter": gettext_lazy("a comma is missing"),
    "Expecting ':' delimiter": gettext_lazy("a colon is missing"),
    "Expecting value": gettext_lazy("a value is missing"),
    "Expecting property name enclosed in double quotes": gettext_lazy("a key is not in double quotes"),
    "Extra data": gettext_lazy("there is more after the end of the object"),
    "Unterminated string starting at": gettext_lazy("a string is not closed"),
    "Invalid control character at": gettext_lazy("a string holds a control character"),
}


def _not_json(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        problem = _JSON_PROBLEMS.get(exc.msg)
        if problem is not None:
            return gettext("not valid JSON: %(problem)s (line %(line)d, column %(column)d)") % {
                "problem": problem,
                "line": exc.lineno,
                "column": exc.colno,
            }
    return gettext("not valid JSON")
