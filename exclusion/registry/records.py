"""records.csv: the REDCap flat (one row per instrument instance) layout of a site's cases and treatments.

Layout (the importer codes against this):

- Columns: ``record_id``, ``redcap_repeat_instrument``, ``redcap_repeat_instance``, then every other field
  of ``dictionary.FIELDS`` in dictionary order (``RECORD_COLUMNS``). A row fills only the fields of its own
  form; the others are empty.
- A record (one patient, ``record_id`` = the record number, or its pseudonym when de-identified) is a block
  of consecutive rows: first the **patient** row (``redcap_repeat_instrument`` and ``redcap_repeat_instance``
  empty; ``sex``, ``birth_date``), then for each episode in order (assessment date, then id) one **episode**
  row (instrument ``episode``, instance 1, 2, ... = the episode's order) followed by its **lesions** rows
  (instrument ``lesions``; instances number the patient's lesions 1, 2, ... across all episodes, REDCap's
  numbering per record and instrument; ``lesion_episode`` holds the instance of the episode the lesion
  belongs to; lesion order within an episode is the document's lesion order), then the **treatments** rows
  (instrument ``treatments``, instance 1, 2, ... by start date).
- Values: dates ``YYYY-MM-DD``; numbers as typed (``12``, ``7.2``); tri-state booleans ``1`` yes, ``0`` no,
  ``9`` unknown (empty is read as unknown too); two-state flags (lesion features, ``biopsy_recorded``) ``1``
  or ``0`` (empty is read as ``0``); enumerations by the contract's code (``spine_thoracic``).
- ``biopsy_recorded`` = 0 means ``"biopsy": null`` in the case document; 1 means a biopsy object whose
  three fields may each be unknown. ``whole_body_mri`` unknown means the document has no ``imaging``.

Each episode row with its patient row and its lesion rows is exactly one ``cno-case/1`` document
(``case_from_rows``); ``record_rows`` is the inverse, so an export read back gives the same documents.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from exclusion.engine import schema
from exclusion.registry.dictionary import (
    FIELDS,
    KIND_CHOICE,
    KIND_DATE,
    KIND_FLAG,
    KIND_ID,
    KIND_INTEGER,
    KIND_NUMBER,
    KIND_TRISTATE,
    NO,
    UNKNOWN,
    YES,
    Field,
    form_fields,
)

REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REPEAT_INSTANCE = "redcap_repeat_instance"
RECORD_COLUMNS: tuple[str, ...] = (
    "record_id",
    REPEAT_INSTRUMENT,
    REPEAT_INSTANCE,
    *(f.name for f in FIELDS if f.name != "record_id"),
)

PATIENT_FIELDS = form_fields("patient")
EPISODE_FIELDS = form_fields("episode")
LESION_FIELDS = form_fields("lesions")
TREATMENT_FIELDS = form_fields("treatments")

Row = dict[str, str]


class RowError(ValueError):
    """A value of a records.csv row that cannot be read; ``column`` names the REDCap variable."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column
        self.message = message


# ---------------------------------------------------------------------------------------------- writing


def format_value(fld: Field, value: Any) -> str:
    """A document value as records.csv text."""
    if fld.kind == KIND_TRISTATE:
        return UNKNOWN if value is None else (YES if value else NO)
    if fld.kind == KIND_FLAG:
        return YES if value else NO
    if value is None:
        return ""
    if fld.kind in (KIND_NUMBER, KIND_INTEGER):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _blank(record_id: str, instrument: str = "", instance: int | None = None) -> Row:
    row = dict.fromkeys(RECORD_COLUMNS, "")
    row["record_id"] = record_id
    row[REPEAT_INSTRUMENT] = instrument
    row[REPEAT_INSTANCE] = "" if instance is None else str(instance)
    return row


def patient_row(record_id: str, patient: Mapping[str, Any]) -> Row:
    """The patient row from a case document's ``patient`` section."""
    row = _blank(record_id)
    for fld in PATIENT_FIELDS:
        if fld.kind != KIND_ID:
            row[fld.name] = format_value(fld, patient.get(fld.key))
    return row


def episode_row(record_id: str, instance: int, episode: Mapping[str, Any]) -> Row:
    """The episode row from a case document's ``episode`` section (its lesions are separate rows)."""
    row = _blank(record_id, "episode", instance)
    biopsy = episode.get("biopsy")
    for fld in EPISODE_FIELDS:
        if fld.group == "episode":
            value = episode.get(fld.key)
        elif fld.group == "biopsy":
            if not fld.key:  # biopsy_recorded
                value = biopsy is not None
            else:
                value = None if biopsy is None else biopsy.get(fld.key)
                if biopsy is None:
                    row[fld.name] = ""  # no biopsy: its fields are not asked, not "unknown"
                    continue
        else:
            value = (episode.get(fld.group) or {}).get(fld.key)
        row[fld.name] = format_value(fld, value)
    return row


def lesion_row(record_id: str, instance: int, episode_instance: int, lesion: Mapping[str, Any]) -> Row:
    row = _blank(record_id, "lesions", instance)
    for fld in LESION_FIELDS:
        value = episode_instance if not fld.key else lesion.get(fld.key)
        row[fld.name] = format_value(fld, value)
    return row


def treatment_row(record_id: str, instance: int, course: Mapping[str, Any]) -> Row:
    """A treatment row from a course: a Treatment or a mapping with its field names."""
    row = _blank(record_id, "treatments", instance)
    for fld in TREATMENT_FIELDS:
        value = course.get(fld.key) if isinstance(course, Mapping) else getattr(course, fld.key)
        row[fld.name] = format_value(fld, value)
    return row


def treatment_values(course: Any) -> dict[str, Any]:
    """The exported values of a Treatment (dates as ISO text)."""
    values = {}
    for fld in TREATMENT_FIELDS:
        value = getattr(course, fld.key)
        values[fld.key] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def record_rows(
    record_id: str,
    patient: Mapping[str, Any],
    cases: Sequence[Mapping[str, Any]],
    treatments: Iterable[Mapping[str, Any]],
) -> Iterator[Row]:
    """Every row of one record: the patient (a case document's ``patient`` section), then each case's
    episode and lesions in the order given, then the treatment courses (see ``treatment_values``)."""
    yield patient_row(record_id, patient)
    lesion_instance = 0
    for episode_instance, doc in enumerate(cases, start=1):
        episode = doc["episode"]
        yield episode_row(record_id, episode_instance, episode)
        for lesion in episode.get("lesions") or []:
            lesion_instance += 1
            yield lesion_row(record_id, lesion_instance, episode_instance, lesion)
    for instance, course in enumerate(treatments, start=1):
        yield treatment_row(record_id, instance, course)


# ---------------------------------------------------------------------------------------------- reading


def parse_value(fld: Field, text: str | None) -> Any:
    """records.csv text as a document value (None for unknown or absent); raises RowError."""
    raw = (text or "").strip()
    if fld.kind == KIND_TRISTATE:
        if raw in ("", UNKNOWN):
            return None
        if raw in (YES, NO):
            return raw == YES
        raise RowError(
            fld.name,
            _("must be %(yes)s (yes), %(no)s (no) or %(unknown)s (unknown), not %(raw)s")
            % {"yes": YES, "no": NO, "unknown": UNKNOWN, "raw": repr(raw)},
        )
    if fld.kind == KIND_FLAG:
        if raw in ("", NO):
            return False
        if raw == YES:
            return True
        raise RowError(
            fld.name,
            _("must be %(yes)s (yes) or %(no)s (no), not %(raw)s") % {"yes": YES, "no": NO, "raw": repr(raw)},
        )
    if raw == "":
        return None
    if fld.kind == KIND_NUMBER:
        return _number(fld, raw)
    if fld.kind == KIND_INTEGER:
        try:
            value = int(raw)
        except ValueError:
            raise RowError(fld.name, _("must be a whole number, not %(raw)s") % {"raw": repr(raw)}) from None
        if fld.minimum and value < int(fld.minimum):
            raise RowError(fld.name, _("must be at least %(minimum)s") % {"minimum": fld.minimum})
        return value
    if fld.kind == KIND_DATE:
        try:
            if len(raw) != 10:
                raise ValueError
            datetime.date.fromisoformat(raw)
        except ValueError:
            raise RowError(
                fld.name, _("must be a date written YYYY-MM-DD, not %(raw)s") % {"raw": repr(raw)}
            ) from None
        return raw
    if fld.kind == KIND_CHOICE:
        if raw not in fld.codes:
            raise RowError(
                fld.name,
                _("must be one of %(codes)s, not %(raw)s")
                % {"codes": ", ".join(fld.codes), "raw": repr(raw)},
            )
        return raw
    # Labels, free text and ids are taken as written (the engine and the models check their length).
    return raw


def _number(fld: Field, raw: str) -> int | float:
    try:
        value: int | float = int(raw) if raw.lstrip("+-").isdigit() else float(raw)
    except ValueError:
        raise RowError(fld.name, _("must be a number, not %(raw)s") % {"raw": repr(raw)}) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise RowError(fld.name, _("must be a number, not %(raw)s") % {"raw": repr(raw)})
    return value


def instance_of(row: Mapping[str, str]) -> int | None:
    """The row's redcap_repeat_instance (None on the patient row); raises RowError."""
    raw = (row.get(REPEAT_INSTANCE) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise RowError(REPEAT_INSTANCE, _("must be a whole number from 1, not %(raw)s") % {"raw": repr(raw)})
    return int(raw)


def patient_from_row(row: Mapping[str, str]) -> dict[str, Any]:
    """The case document's ``patient`` section (birth_date only when given)."""
    patient: dict[str, Any] = {}
    for fld in PATIENT_FIELDS:
        if fld.kind == KIND_ID:
            continue
        value = parse_value(fld, row.get(fld.name))
        if value is not None:
            patient[fld.key] = value
    patient.setdefault("sex", "unknown")
    return patient


def episode_from_row(row: Mapping[str, str]) -> dict[str, Any]:
    """The case document's ``episode`` section without its lesions (``lesions`` is an empty list)."""
    episode: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {}
    biopsy_recorded = False
    biopsy: dict[str, Any] = {}
    for fld in EPISODE_FIELDS:
        value = parse_value(fld, row.get(fld.name))
        if fld.group == "episode":
            if value is not None:
                episode[fld.key] = value
        elif fld.group == "biopsy":
            if not fld.key:
                biopsy_recorded = bool(value)
            else:
                biopsy[fld.key] = value
        else:
            sections.setdefault(fld.group, {})[fld.key] = value
    for group in ("symptoms", "findings", "labs"):
        episode[group] = sections.get(group, {})
    episode["biopsy"] = biopsy if biopsy_recorded else None
    episode["lesions"] = []
    episode["activity"] = sections.get("activity", {})
    imaging = {key: value for key, value in sections.get("imaging", {}).items() if value is not None}
    if imaging:
        episode["imaging"] = imaging
    return episode


def lesion_from_row(row: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    """(the episode instance it belongs to, the lesion as in a case document); raises RowError."""
    lesion: dict[str, Any] = {}
    episode_instance = 0
    for fld in LESION_FIELDS:
        value = parse_value(fld, row.get(fld.name))
        if not fld.key:
            if value is None:
                raise RowError(fld.name, _("required: the instance of the episode this lesion belongs to"))
            episode_instance = value
        elif fld.key in schema.LESION_FEATURES:
            if value:
                lesion[fld.key] = True
        elif value is not None:
            lesion[fld.key] = value
    for fld in LESION_FIELDS:
        if fld.required and fld.key and fld.key not in lesion:
            raise RowError(fld.name, _("required"))
    return episode_instance, lesion


def treatment_from_row(row: Mapping[str, str]) -> dict[str, Any]:
    """A treatment course's values (dates as ISO text, ``stop_reason`` "" when none); raises RowError."""
    course: dict[str, Any] = {}
    for fld in TREATMENT_FIELDS:
        value = parse_value(fld, row.get(fld.name))
        if fld.required and value is None:
            raise RowError(fld.name, _("required"))
        course[fld.key] = value
    course["stop_reason"] = course.get("stop_reason") or ""
    return course


def case_from_rows(
    patient_row: Mapping[str, str], episode_row: Mapping[str, str], lesion_rows: Iterable[Mapping[str, str]]
) -> dict[str, Any]:
    """One ``cno-case/1`` document (not yet validated) from a patient row, an episode row and its lesion
    rows (in instance order); raises RowError."""
    episode = episode_from_row(episode_row)
    episode["lesions"] = [lesion_from_row(row)[1] for row in lesion_rows]
    return {"schema": schema.SCHEMA_IN, "patient": patient_from_row(patient_row), "episode": episode}


@dataclass
class RecordBlock:
    """The rows of one record_id, with their 1-based data row numbers (header = row 0)."""

    record_id: str
    patient: tuple[int, Row] | None = None
    episodes: list[tuple[int, Row]] = field(default_factory=list)
    lesions: list[tuple[int, Row]] = field(default_factory=list)
    treatments: list[tuple[int, Row]] = field(default_factory=list)
    unknown: list[tuple[int, Row]] = field(default_factory=list)

    def add(self, number: int, row: Row) -> None:
        instrument = (row.get(REPEAT_INSTRUMENT) or "").strip()
        target = {
            "": None,
            "episode": self.episodes,
            "lesions": self.lesions,
            "treatments": self.treatments,
        }.get(instrument, self.unknown)
        if target is None:
            self.patient = (number, row)
        else:
            target.append((number, row))


def group_records(rows: Iterable[Mapping[str, str]], start: int = 1) -> Iterator[RecordBlock]:
    """Consecutive rows of the same record_id as one block (REDCap writes a record's rows together). Rows
    are numbered from ``start``; streams, holding one record at a time."""
    block: RecordBlock | None = None
    for number, row in enumerate(rows, start=start):
        record_id = (row.get("record_id") or "").strip()
        if block is None or record_id != block.record_id:
            if block is not None:
                yield block
            block = RecordBlock(record_id)
        block.add(number, dict(row))
    if block is not None:
        yield block
