"""The registry export of one site: a zip of a REDCap data dictionary, REDCap flat records, case and
assessment documents and activity summaries (issue 16). ``registry_export`` is the one service; the
management command (and later the job) call it.

Streaming: the site's patient ids are read once (an id list, not rows), then the patients are read in
chunks of ``chunk_size`` with their episodes, lesions, biopsies and treatments prefetched per chunk, and
each file is written row by row into its zip entry: one pass over the patients per file (a zip is written
one entry at a time), so no file is ever held in memory whole. The passes run in one REPEATABLE READ
transaction (when not already inside one), so the files agree with each other even while people edit.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone, translation

from exclusion import engine
from exclusion.assessments.models import Assessment
from exclusion.registry import deidentify as deid
from exclusion.registry.dictionary import write_data_dictionary
from exclusion.registry.records import RECORD_COLUMNS, record_rows, treatment_values
from exclusion.summaries.models import ActivitySummary
from exclusion.summaries.services import SUMMARY_VALUE_COLUMNS
from patients.access import can_administer
from patients.casedoc import episode_to_case
from patients.models import AuditEntry, Episode, Patient, Site, Treatment
from patients.services import site_registry_secret

CHUNK_SIZE = 200
PASSES = 4  # records.csv, cases.jsonl, assessments.jsonl, summaries.jsonl each read every patient once
PROGRESS_EVERY = 25  # patients
FILES = (
    "README.txt",
    "data_dictionary.csv",
    "records.csv",
    "cases.jsonl",
    "assessments.jsonl",
    "summaries.jsonl",
)
# Columns of the activity summary that describe the patient's course: its computed values, and whether they
# are stale (bookkeeping columns are left out).
SUMMARY_FIELDS = ("stale", *SUMMARY_VALUE_COLUMNS)
# Summary keys that hold an episode's database id: written as the episode's instance in records.csv.
EPISODE_ID_KEYS = {"episode_id": "episode_instance", "baseline_episode_id": "baseline_episode_instance"}


@dataclass
class ExportSummary:
    site: str
    deidentified: bool
    ruleset: str
    generated_at: str
    patients: int = 0
    episodes: int = 0
    lesions: int = 0
    treatments: int = 0
    assessments: int = 0
    episodes_without_assessment: int = 0
    summaries: int = 0
    files: list[str] = field(default_factory=lambda: list(FILES))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Record:
    """One patient as exported: its record id, date offset (0 when not de-identified), patient section,
    case documents in episode order (with the episode ids), and treatment courses."""

    record_id: str
    offset: int
    patient: dict[str, Any]
    cases: list[dict[str, Any]]
    episode_ids: list[int]
    treatments: list[dict[str, Any]]
    source: Patient


def _patient_order(site: Site, pseudonyms: deid.Pseudonymizer | None) -> list[int]:
    """The site's patient ids in export order: by id, or by pseudonym when de-identified (the order of
    the ids, i.e. of entry, could otherwise link a pseudonym back to its patient). Ids only, never rows."""
    rows = (
        Patient.objects.filter(site=site)
        .order_by()
        .values_list("pk", "record_number")
        .iterator(chunk_size=5000)
    )
    if pseudonyms is None:
        return sorted(pk for pk, _ in rows)
    return [pk for _, pk in sorted((pseudonyms.record_id(number), pk) for pk, number in rows)]


def _patients(ids: list[int], chunk_size: int) -> Iterator[Patient]:
    """The patients in the order of ids, read chunk by chunk with everything the export needs."""
    episodes = (
        Episode.objects.select_related("biopsy").prefetch_related("lesions").order_by("assessed_on", "id")
    )
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        patients = (
            Patient.objects.filter(pk__in=chunk)
            .order_by()
            .prefetch_related(
                Prefetch("episodes", queryset=episodes),
                Prefetch("treatments", queryset=Treatment.objects.order_by("started_on", "id")),
            )
        )
        by_id = {patient.pk: patient for patient in patients}
        yield from (by_id[pk] for pk in chunk if pk in by_id)


def _patient_doc(patient: Patient) -> dict[str, Any]:
    doc: dict[str, Any] = {"sex": patient.sex}
    if patient.birth_date is not None:
        doc["birth_date"] = patient.birth_date.isoformat()
    return doc


def _records(ids: list[int], pseudonyms: deid.Pseudonymizer | None, chunk_size: int) -> Iterator[_Record]:
    for patient in _patients(ids, chunk_size):
        episodes = list(patient.episodes.all())
        cases = [episode_to_case(episode) for episode in episodes]
        treatments = [treatment_values(course) for course in patient.treatments.all()]
        patient_doc = _patient_doc(patient)
        record_id, offset = patient.record_number, 0
        if pseudonyms is not None:
            record_id = pseudonyms.record_id(patient.record_number)
            offset = pseudonyms.offset_days(patient.record_number)
            cap = deid.needs_age_cap(patient_doc, [doc["episode"] for doc in cases])
            cases = [deid.deidentify_case(doc, offset, cap_ages=cap) for doc in cases]
            patient_doc = deid.deidentify_patient(patient_doc, offset, cap_ages=cap)
            treatments = [deid.deidentify_treatment(values, offset) for values in treatments]
        yield _Record(record_id, offset, patient_doc, cases, [e.pk for e in episodes], treatments, patient)


def _text(archive: zipfile.ZipFile, name: str) -> io.TextIOWrapper:
    # newline="" so csv writes its own line ends; force_zip64 because the size is not known in advance.
    return io.TextIOWrapper(archive.open(name, "w", force_zip64=True), encoding="utf-8", newline="")


def _jsonl(stream: IO[str], value: Any) -> None:
    stream.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")


def _write_records(
    archive: zipfile.ZipFile, records: Callable[[], Iterator[_Record]], out: ExportSummary
) -> None:
    with _text(archive, "records.csv") as stream:
        writer = csv.DictWriter(stream, RECORD_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in records():
            writer.writerows(record_rows(record.record_id, record.patient, record.cases, record.treatments))
            out.patients += 1
            out.episodes += len(record.cases)
            out.lesions += sum(len(doc["episode"]["lesions"]) for doc in record.cases)
            out.treatments += len(record.treatments)


def _write_cases(archive: zipfile.ZipFile, records: Callable[[], Iterator[_Record]]) -> None:
    # The intake body without its site, so the file can be imported as it is (import_cases).
    with _text(archive, "cases.jsonl") as stream:
        for record in records():
            for doc in record.cases:
                _jsonl(stream, {"record_number": record.record_id, "case": doc})


def _batches(records: Iterator[_Record], size: int) -> Iterator[list[_Record]]:
    # The assessments and summaries of a batch of patients are read in one query.
    while batch := list(itertools.islice(records, size)):
        yield batch


def _write_assessments(
    archive: zipfile.ZipFile,
    records: Callable[[], Iterator[_Record]],
    out: ExportSummary,
    deidentified: bool,
    chunk_size: int,
) -> None:
    with _text(archive, "assessments.jsonl") as stream:
        for batch in _batches(records(), chunk_size):
            ids = [episode_id for record in batch for episode_id in record.episode_ids]
            current = Assessment.objects.filter(episode_id__in=ids).latest_per_episode().defer("case")
            stored = {row.episode_id: row for row in current}
            for record in batch:
                for instance, (episode_id, doc) in enumerate(
                    zip(record.episode_ids, record.cases, strict=True), start=1
                ):
                    assessment = stored.get(episode_id)
                    if assessment is None:
                        out.episodes_without_assessment += 1
                        continue
                    # De-identified: the engine assesses the shifted case again, so the assessment is the
                    # one of the document exported beside it (current ruleset), not of the real one.
                    result = engine.assess(doc) if deidentified else assessment.result
                    _jsonl(
                        stream,
                        {
                            "record_number": record.record_id,
                            "episode_instance": instance,
                            "assessed_on": doc["episode"]["assessed_on"],
                            "ruleset": result.get("ruleset", assessment.ruleset),
                            "assessment": result,
                        },
                    )
                    out.assessments += 1


def _summary_value(value: Any, instances: dict[int, int]) -> Any:
    """Episode ids replaced by the episode's instance (the id is the database's, meaningless outside)."""
    if isinstance(value, dict):
        return {
            EPISODE_ID_KEYS.get(key, key): (
                instances.get(item) if key in EPISODE_ID_KEYS else _summary_value(item, instances)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_summary_value(item, instances) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _write_summaries(
    archive: zipfile.ZipFile,
    records: Callable[[], Iterator[_Record]],
    out: ExportSummary,
    deidentified: bool,
    chunk_size: int,
) -> None:
    with _text(archive, "summaries.jsonl") as stream:
        for batch in _batches(records(), chunk_size):
            rows = ActivitySummary.objects.filter(patient_id__in=[record.source.pk for record in batch])
            summaries = {row.patient_id: row for row in rows}
            for record in batch:
                summary = summaries.get(record.source.pk)
                if summary is None:
                    continue
                instances = {episode_id: n for n, episode_id in enumerate(record.episode_ids, start=1)}
                doc = _summary_value({name: getattr(summary, name) for name in SUMMARY_FIELDS}, instances)
                if deidentified:
                    doc = deid.deidentify_document(doc, record.offset)
                _jsonl(stream, {"record_number": record.record_id, "summary": doc})
                out.summaries += 1


README = """Registry export of site {site}
Generated at {generated_at} by {actor}; ruleset {ruleset}.
{deidentified_text}

Files
- data_dictionary.csv  The REDCap data dictionary of records.csv: forms patient, episode, lesions and
                       treatments (the last three repeating instruments), field types, choices, units,
                       validation and ranges. Tri-state answers are coded 1 = yes, 0 = no, 9 = unknown.
- records.csv          The records in REDCap's flat import format: record_id, redcap_repeat_instrument,
                       redcap_repeat_instance, then the fields. Per record: the patient row (empty repeat
                       columns), each episode (instance = its order by assessment date) followed by its
                       lesions (lesion_episode = the episode's instance), then the treatment courses.
- cases.jsonl          One line per episode: {{"record_number", "case"}} with the cno-case/1 document, in the
                       same order as the episodes of records.csv (importable as it is with import_cases).
- assessments.jsonl    One line per assessed episode: {{"record_number", "episode_instance", "assessed_on",
                       "ruleset", "assessment"}} with the cno-assessment/1 document. {assessment_text}
- summaries.jsonl      One line per patient with a disease-activity summary: {{"record_number",
                       "summary"}}; episode ids are given as the episode's instance.
- README.txt           This file.

Patients {patients}, episodes {episodes}, lesions {lesions}, treatment courses {treatments},
assessments {assessments}, activity summaries {summaries}.

Decision support only: the assessments say what is supported, not excluded or to consider; they are not a
diagnosis and give no dose.
"""

DEIDENTIFIED_TEXT = """DE-IDENTIFIED. Record numbers are replaced by a keyed hash of the site (R- and 16 hex
digits, the same in every export of this site). Every date of a patient is shifted back by one offset of
1 to 364 days, the same for all of that patient's dates (intervals and ages are kept). Ages of 90 or more
are written as 90 (meaning 90 or more) and such patients have no birth date. Free text is dropped:
treatment drug names (the drug class is kept) and lesion levels other than plain labels such as T7 or 6."""


def _readme(out: ExportSummary, actor_label: str) -> str:
    return README.format(
        deidentified_text=DEIDENTIFIED_TEXT
        if out.deidentified
        else "NOT DE-IDENTIFIED: contains record numbers and real dates.",
        assessment_text=(
            "De-identified: each is the engine's assessment of the shifted case in cases.jsonl "
            "(current ruleset)."
            if out.deidentified
            else "The stored current assessment of each episode."
        ),
        actor=actor_label,
        **out.as_dict(),
    )


def _audit(actor: User | None, site: Site, out: ExportSummary) -> AuditEntry:
    # As the audit trail's own download (patients.auditlog.services): object_id 0 is "no one record".
    changes = {
        "format": [None, "registry"],
        "deidentified": [None, out.deidentified],
        "patients": [None, out.patients],
        "episodes": [None, out.episodes],
        "ruleset": [None, out.ruleset],
    }
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor else "system",
        action=AuditEntry.Action.EXPORT,
        model=AuditEntry._meta.label,
        object_id=0,
        site=site,
        changes=changes,
    )


def registry_export(
    *,
    actor: User | None,
    site: Site,
    out: str | os.PathLike[str] | IO[bytes],
    deidentify: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Write the site's registry export zip to ``out`` (a path, written whole or not at all, or a binary
    file) and audit it. Only the site's admins may export; ``actor=None`` is a system job (a command run
    on the server). `progress(done, total)` counts patients over the export's passes (one per file of
    records, cases, assessments and summaries). Raises PermissionDenied."""
    if actor is not None and not can_administer(actor, site.pk):
        raise PermissionDenied("Only a site administrator may export the site's registry data.")
    summary = ExportSummary(
        site=site.code,
        deidentified=deidentify,
        ruleset=engine.RULESET_VERSION,
        generated_at=timezone.now().replace(microsecond=0).isoformat(),
    )
    pseudonyms = deid.Pseudonymizer(site.code, site_registry_secret(site_id=site.pk)) if deidentify else None

    # The files are data, the same in every language: their labels (data dictionary, README) are English
    # whatever the language of the request or job that asked for them.
    with _snapshot(), translation.override(settings.LANGUAGE_CODE):
        ids = _patient_order(site, pseudonyms)

        total = PASSES * len(ids)
        done = 0
        if progress is not None:
            progress(done, total)

        def records() -> Iterator[_Record]:
            nonlocal done
            for record in _records(ids, pseudonyms, chunk_size):
                yield record
                done += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done, total)

        _write(out, records, summary, deidentify, actor, chunk_size)
        _audit(actor, site, summary)
    if progress is not None:
        progress(total, total)
    return summary


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database for every pass. Inside a caller's transaction the caller's
    isolation applies (PostgreSQL sets it only as a transaction's first statement)."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _write(
    out: str | os.PathLike[str] | IO[bytes],
    records: Callable[[], Iterator[_Record]],
    summary: ExportSummary,
    deidentify: bool,
    actor: User | None,
    chunk_size: int,
) -> None:
    if isinstance(out, str | os.PathLike):
        target = Path(out)
        partial = target.with_name(target.name + ".partial")
        try:
            with partial.open("wb") as stream:
                _write_zip(stream, records, summary, deidentify, actor, chunk_size)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    else:
        _write_zip(out, records, summary, deidentify, actor, chunk_size)


def _write_zip(
    stream: IO[bytes],
    records: Callable[[], Iterator[_Record]],
    summary: ExportSummary,
    deidentify: bool,
    actor: User | None,
    chunk_size: int,
) -> None:
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with _text(archive, "data_dictionary.csv") as dictionary:
            write_data_dictionary(dictionary)
        _write_records(archive, records, summary)
        _write_cases(archive, records)
        _write_assessments(archive, records, summary, deidentify, chunk_size)
        _write_summaries(archive, records, summary, deidentify, chunk_size)
        # Last, so it can give the counts; README.txt is listed first in FILES for the reader.
        archive.writestr("README.txt", _readme(summary, actor.get_username() if actor else "system"))
