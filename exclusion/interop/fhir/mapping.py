"""A FHIR R4 Patient and its Observations as a `cno-case/1` document (for `$cno-assess` and CDS Hooks).

Plain Python (no Django): dicts in, a case and human-readable warnings out. The mapping is deliberately
conservative, because the case it builds is assessed for red flags:
- only Observations coded with a LOINC code of the table in loinc.py are read; anything else is ignored and
  named in a warning;
- of several Observations of one analyte the latest decides (effectiveDateTime, effectivePeriod.start, then
  issued; on a tie the later in document order). When that latest value cannot be read (unknown unit, a
  comparator such as "<5", no number) the analyte stays unknown: an older value is never put in its place,
  since a stale value could hide the newer one's red flag;
- a value is converted to the case unit only with the table's factors (and °F to °C); an unknown unit is
  never guessed;
- everything the data cannot say is left out of the case, which the contract reads as "unknown", never "no".
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from typing import Any

from exclusion.interop.fhir.loinc import BY_LOINC, LOINC, UCUM, Analyte

SCHEMA_IN = "cno-case/1"
# Words every "an older value was not used" warning contains (the view reports those as informational).
SUPERSEDED = "superseded by the later"

# FHIR administrative gender is exactly the contract's set of sexes.
_SEXES = frozenset({"female", "male", "other", "unknown"})
# Results that were never valid are not results at all.
_IGNORED_STATUSES = frozenset({"entered-in-error", "cancelled"})
_FAHRENHEIT = "[degF]"
_CELSIUS = "Cel"
# FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD or a full instant with a zone (seconds and fraction optional).
_DATETIME_RE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
_FULL_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _When:
    """An Observation's clinical time: an instant for ordering and the calendar date it was written on."""

    __slots__ = ("instant", "day")

    def __init__(self, instant: datetime.datetime, day: datetime.date) -> None:
        self.instant = instant
        self.day = day


def _parse_when(value: object) -> _When | None:
    if not isinstance(value, str):
        return None
    match = _DATETIME_RE.match(value.strip())
    if match is None:
        return None
    try:
        day = datetime.date(int(match["y"]), int(match["m"] or 1), int(match["d"] or 1))
        instant = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
        if match["time"]:
            clock = datetime.time.fromisoformat(match["time"])
            tz = match["tz"] or "Z"
            zone = datetime.UTC if tz == "Z" else datetime.datetime.strptime(tz, "%z").tzinfo
            instant = datetime.datetime.combine(day, clock, tzinfo=zone).astimezone(datetime.UTC)
    except (ValueError, OverflowError):  # not a calendar date or time, or past year 9999 in UTC
        return None
    # The calendar date as written (the patient's local day), partial dates counting as their first day.
    return _When(instant, day)


def observation_when(observation: dict[str, Any]) -> _When | None:
    period = observation.get("effectivePeriod")
    for value in (
        observation.get("effectiveDateTime"),
        observation.get("effectiveInstant"),
        period.get("start") if isinstance(period, dict) else None,
        observation.get("issued"),
    ):
        when = _parse_when(value)
        if when is not None:
            return when
    return None


def _label(observation: dict[str, Any], index: int) -> str:
    ident = observation.get("id")
    return f"Observation/{ident}" if isinstance(ident, str) and ident else f"Observation #{index + 1}"


def _loinc_codes(observation: dict[str, Any]) -> list[str]:
    code = observation.get("code")
    codings = code.get("coding") if isinstance(code, dict) else None
    if not isinstance(codings, list):
        return []
    return [
        c["code"]
        for c in codings
        if isinstance(c, dict) and c.get("system") == LOINC and isinstance(c.get("code"), str)
    ]


def _quantity_unit(quantity: dict[str, Any], analyte: Analyte) -> str | None:
    """The UCUM code of a Quantity: its `code` (system UCUM or none); without a code, a `unit` text only
    when it is literally one of the analyte's UCUM codes (a display is not interpreted beyond that)."""
    system = quantity.get("system")
    code = quantity.get("code")
    if isinstance(code, str) and code:
        return code if system in (None, UCUM) else None
    unit = quantity.get("unit")
    if isinstance(unit, str) and (unit in analyte.factors or unit == _FAHRENHEIT):
        return unit
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # a JSON integer beyond any float
        return None
    return number if math.isfinite(number) else None


def _tidy(value: float) -> int | float:
    # Unit factors bring float noise (0.7 × 10 = 7.000000000000001); whole numbers read as integers.
    value = round(value, 6)
    return int(value) if value == int(value) else value


def _convert(
    quantity: object, analyte: Analyte, label: str, what: str, warnings: list[str]
) -> int | float | None:
    """A Quantity in the analyte's case unit, or None with a warning saying why it was not read."""
    name = f"{analyte.display} ({analyte.loinc})"
    if not isinstance(quantity, dict):
        warnings.append(f"{label}: {name} has no {what} quantity; left unknown.")
        return None
    if quantity.get("comparator") is not None:
        warnings.append(
            f"{label}: {name} {what} has a comparator ({quantity.get('comparator')!s}), not an exact value; "
            "left unknown."
        )
        return None
    value = _number(quantity.get("value"))
    if value is None:
        warnings.append(f"{label}: {name} {what} has no numeric value; left unknown.")
        return None
    unit = _quantity_unit(quantity, analyte)
    if analyte.ucum == _CELSIUS and unit == _FAHRENHEIT:
        return round((value - 32) * 5 / 9, 1)
    if unit is None or unit not in analyte.factors:
        shown = quantity.get("code") or quantity.get("unit") or "no unit"
        warnings.append(
            f"{label}: {name} {what} is in '{shown}', not a unit this service reads "
            f"({', '.join(sorted(analyte.factors))}); left unknown."
        )
        return None
    converted = value * analyte.factors[unit]
    if not math.isfinite(converted):  # a JSON number near 1e308 times a factor: no case can hold it
        warnings.append(f"{label}: {name} {what} is too large to convert; left unknown.")
        return None
    return _tidy(converted)


def _limit(
    observation: dict[str, Any], analyte: Analyte, label: str, warnings: list[str]
) -> int | float | None:
    """The reference limit the case needs (LDH upper, ALP lower) from the first range that gives it."""
    side = f"referenceRange.{analyte.limit_side}"
    ranges = observation.get("referenceRange")
    for item in ranges if isinstance(ranges, list) else []:
        if isinstance(item, dict) and isinstance(item.get(analyte.limit_side), dict):
            return _convert(item[analyte.limit_side], analyte, label, side, warnings)
    warnings.append(
        f"{label}: no {side}; the {analyte.display} limit is unknown, so the value cannot be judged."
    )
    return None


def _subject_mismatch(observation: dict[str, Any], patient_id: str | None) -> str | None:
    """The subject reference when it names another Patient than the one given (by its id)."""
    subject = observation.get("subject")
    ref = subject.get("reference") if isinstance(subject, dict) else None
    if patient_id is None or not isinstance(ref, str):
        return None
    match = re.search(r"(?:^|/)Patient/([^/]+?)(?:/_history/[^/]+)?$", ref)
    if match is not None and match.group(1) != patient_id:
        return ref
    return None


def _patient_part(patient: dict[str, Any] | None, warnings: list[str]) -> dict[str, Any]:
    if not isinstance(patient, dict):
        warnings.append("No Patient: sex and birth date are unknown.")
        return {"sex": "unknown"}
    part: dict[str, Any] = {}
    gender = patient.get("gender")
    if isinstance(gender, str) and gender in _SEXES:
        part["sex"] = gender
    else:
        part["sex"] = "unknown"
        if gender is not None:
            warnings.append(f"Patient.gender '{gender!s}' is not a FHIR administrative gender; sex unknown.")
    birth = patient.get("birthDate")
    if isinstance(birth, str) and _FULL_DATE_RE.match(birth):
        part["birth_date"] = birth
    elif birth is not None:
        warnings.append(
            f"Patient.birthDate '{birth!s}' is not a full date (YYYY-MM-DD); birth date left unknown."
        )
    return part


def case_from_fhir(
    patient: dict | None,
    observations: Iterable[dict],
    *,
    assessed_on: datetime.date | None = None,
) -> tuple[dict, list[str]]:
    """The `cno-case/1` document a FHIR Patient and Observations describe, and the warnings of the mapping.

    Only Observations with a LOINC code of the table in loinc.py are read; of several of one analyte the
    latest (effectiveDateTime, effectivePeriod.start, issued; then document order) decides, converted to the
    case unit. Unknown codes, unknown units, comparators and Observations of another Patient are ignored and
    named in a warning; nothing is guessed. What the data cannot say is left out (unknown, never false); no
    lesion is listed, and without `episode.imaging` an empty lesion list does not mean a clean scan.
    `episode.assessed_on` is `assessed_on`, else the date of the latest Observation read, else today.
    The document is not validated here: the engine does that.
    """
    warnings: list[str] = []
    today = datetime.date.today()
    patient_part = _patient_part(patient, warnings)
    patient_id = (
        patient.get("id") if isinstance(patient, dict) and isinstance(patient.get("id"), str) else None
    )

    # analyte key -> (sort key, observation, label, date, analyte); the latest wins, a tie the later entry.
    latest: dict[
        str, tuple[tuple[int, datetime.datetime, int], dict[str, Any], str, _When | None, Analyte]
    ] = {}
    for index, observation in enumerate(observations):
        if not isinstance(observation, dict):
            warnings.append(f"Observation #{index + 1} is not a JSON object; ignored.")
            continue
        label = _label(observation, index)
        if observation.get("resourceType", "Observation") != "Observation":
            warnings.append(f"{label}: a {observation.get('resourceType')!s}, not an Observation; ignored.")
            continue
        codes = _loinc_codes(observation)
        known = [BY_LOINC[c] for c in codes if c in BY_LOINC]
        if not known:
            shown = ", ".join(codes) if codes else "no LOINC code"
            warnings.append(f"{label}: code ({shown}) is not one this service reads; ignored.")
            continue
        if isinstance(observation.get("status"), str) and observation["status"] in _IGNORED_STATUSES:
            warnings.append(f"{label}: status '{observation['status']}'; ignored.")
            continue
        other = _subject_mismatch(observation, patient_id)
        if other is not None:
            warnings.append(f"{label}: subject {other} is not the Patient given; ignored.")
            continue
        analyte = known[0]
        when = observation_when(observation)
        # Undated Observations count as older than any dated one.
        order = (0, datetime.datetime.min.replace(tzinfo=datetime.UTC), index)
        if when is not None:
            order = (1, when.instant, index)
        previous = latest.get(analyte.key)
        if previous is not None and previous[0] > order:
            warnings.append(f"{label}: {SUPERSEDED} {analyte.display} {previous[2]}; ignored.")
            continue
        if previous is not None:
            warnings.append(f"{previous[2]}: {SUPERSEDED} {analyte.display} {label}; ignored.")
        latest[analyte.key] = (order, observation, label, when, analyte)

    episode: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {"symptoms": {}, "labs": {}}
    days: list[datetime.date] = []
    for key, (_order, observation, label, when, analyte) in latest.items():
        if when is not None:
            days.append(when.day)
        if observation.get("valueQuantity") is None and observation.get("dataAbsentReason") is not None:
            warnings.append(f"{label}: no value (dataAbsentReason); {analyte.display} left unknown.")
            continue
        value = _convert(observation.get("valueQuantity"), analyte, label, "value", warnings)
        if value is None:
            continue
        sections[analyte.group][key] = value
        if analyte.limit_key is not None:
            limit = _limit(observation, analyte, label, warnings)
            if limit is not None:
                sections["labs"][analyte.limit_key] = limit

    if assessed_on is None:
        assessed_on = max(days) if days else today
        if assessed_on > today:
            warnings.append(
                f"The latest Observation is dated {assessed_on.isoformat()}, after today; "
                "assessed as of today."
            )
            assessed_on = today
    episode["assessed_on"] = assessed_on.isoformat()
    for group in ("symptoms", "labs"):
        if sections[group]:
            episode[group] = sections[group]
    # The contract requires the list; Observations never describe imaging, so it stays empty (and, without
    # `episode.imaging`, an empty list is "no lesion known", not "no lesion").
    episode["lesions"] = []
    return {"schema": SCHEMA_IN, "patient": patient_part, "episode": episode}, warnings


def _patient_refs(entry: dict[str, Any], patient: dict[str, Any]) -> set[str]:
    refs = set()
    if isinstance(entry.get("fullUrl"), str):
        refs.add(entry["fullUrl"])
    if isinstance(patient.get("id"), str):
        refs.add(f"Patient/{patient['id']}")
    return refs


def case_from_bundle(bundle: dict) -> tuple[dict, list[str]]:
    """The `cno-case/1` of a Bundle's Patient and Observations (see :func:`case_from_fhir`).

    Entries' `resource`s are read; the first Patient is the patient (any other is ignored with a warning),
    and so is every resource that is neither a Patient nor an Observation. An Observation whose subject is a
    `urn:uuid:` or other reference that is not the Patient's fullUrl or `Patient/id` is ignored too.
    """
    warnings: list[str] = []
    entries = bundle.get("entry") if isinstance(bundle, dict) else None
    if not isinstance(entries, list):
        entries = []
    patient: dict[str, Any] | None = None
    refs: set[str] = set()
    observations: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        where = f"Bundle.entry[{index}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            warnings.append(f"{where} has no resource; ignored.")
            continue
        kind = resource.get("resourceType")
        if kind == "Patient":
            if patient is None:
                patient = resource
                refs = _patient_refs(entry, resource)
            else:
                warnings.append(
                    f"{where}: a second Patient; only the first is assessed, this one is ignored."
                )
        elif kind == "Observation":
            observations.append(resource)
        else:
            warnings.append(f"{where}: resource type {kind!s} is not read by this service; ignored.")

    kept: list[dict[str, Any]] = []
    for index, observation in enumerate(observations):
        subject = observation.get("subject")
        ref = subject.get("reference") if isinstance(subject, dict) else None
        # Relative and absolute Patient/id references are checked by case_from_fhir; here the other forms.
        if refs and isinstance(ref, str) and ref not in refs and "Patient/" not in ref:
            warnings.append(
                f"{_label(observation, index)}: subject {ref} is not the Bundle's Patient; ignored."
            )
            continue
        kept.append(observation)
    case, more = case_from_fhir(patient, kept)
    return case, warnings + more
