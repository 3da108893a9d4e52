"""De-identification of a registry export (``export_registry --deidentify``).

- **Record numbers** become ``R-`` + the first 16 hex digits of HMAC-SHA256(site key, record number in
  upper case; record numbers are unique without regard to case): the same child gets the same pseudonym in
  every export of the site, and a pseudonym cannot be recomputed without the key.
- **Dates**: every date of a patient (birth, onset, assessment, treatment start and stop, the dates inside
  the activity summary) moves by one offset, derived from the same keyed hash, so intervals and ages are
  kept and two exports shift alike. The offset is between -364 and -1 days: backwards only, as REDCap's
  own date shifting, so a shifted date is never in the future (the engine and the import refuse future
  dates) and never equal to the real one.
- **Ages** of 90 years or more are written as 90 (meaning "90 or more", as HIPAA's safe harbour and REDCap):
  a patient 90 or older at any episode loses the birth date, and each episode carries its age instead.
- **Free text** is dropped: a treatment's drug name (typed by a person; the drug class, an enumeration, is
  kept) and any lesion level that is not a plain vertebra or rib label such as ``T7`` or ``6``. Every other
  field is an enumeration, a number, a flag or a date.

The site key is HMAC-SHA256(the site's own secret, "cno-registry-deidentify/1|" + site code). The secret
(`Site.registry_secret`, 256 random bits) is made at the site's first de-identified export and kept; it is
never shown or exported, and rotating the server's SECRET_KEY does not change it.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

PSEUDONYM_PREFIX = "R-"
PSEUDONYM_HEX_DIGITS = 16
MAX_SHIFT_DAYS = 364
AGE_CAP_YEARS = 90
KEY_CONTEXT = "cno-registry-deidentify/1|"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_LEVEL = re.compile(r"^[A-Za-z]{0,2}\d{1,2}$")


def site_key(site_code: str, secret: str) -> bytes:
    """The site's de-identification key, from its own secret (see the module docstring)."""
    if not secret:
        raise ValueError(
            "A site's de-identification needs its secret (patients.services.site_registry_secret)."
        )
    return hmac.new(secret.encode(), (KEY_CONTEXT + site_code.upper()).encode(), hashlib.sha256).digest()


class Pseudonymizer:
    """Pseudonyms and date offsets of one site's patients, under the site's secret."""

    def __init__(self, site_code: str, secret: str) -> None:
        self._key = site_key(site_code, secret)

    def _digest(self, purpose: str, record_number: str) -> bytes:
        message = f"{purpose}|{record_number.strip().upper()}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def record_id(self, record_number: str) -> str:
        return PSEUDONYM_PREFIX + self._digest("record", record_number).hex()[:PSEUDONYM_HEX_DIGITS]

    def offset_days(self, record_number: str) -> int:
        """Between -MAX_SHIFT_DAYS and -1 (never zero: a zero shift would leave the real dates)."""
        number = int.from_bytes(self._digest("offset", record_number)[:8], "big")
        return -(1 + number % MAX_SHIFT_DAYS)


def shift_date(value: Any, days: int) -> Any:
    """An ISO date (text or date) moved by ``days``; anything else unchanged."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value + datetime.timedelta(days=days)
    if isinstance(value, str) and _ISO_DATE.match(value):
        return (datetime.date.fromisoformat(value) + datetime.timedelta(days=days)).isoformat()
    return value


def age_years(birth: str | datetime.date, on: str | datetime.date) -> int:
    """Whole years of age on a date (birthdays counted by the calendar)."""
    born = datetime.date.fromisoformat(birth) if isinstance(birth, str) else birth
    day = datetime.date.fromisoformat(on) if isinstance(on, str) else on
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def needs_age_cap(
    patient: Mapping[str, Any], episodes: list[Mapping[str, Any]], today: datetime.date | None = None
) -> bool:
    """True when the patient is AGE_CAP_YEARS or older at any episode, or today (a birth date that old says
    the age even without an episode)."""
    birth = patient.get("birth_date")
    if birth:
        days = [episode["assessed_on"] for episode in episodes] + [today or datetime.date.today()]
        return any(age_years(birth, day) >= AGE_CAP_YEARS for day in days)
    return any((episode.get("age_years") or 0) >= AGE_CAP_YEARS for episode in episodes)


def _cap(age: float | int | None) -> float | int | None:
    return AGE_CAP_YEARS if age is not None and age >= AGE_CAP_YEARS else age


def deidentify_case(doc: Mapping[str, Any], days: int, cap_ages: bool = False) -> dict[str, Any]:
    """A de-identified copy of a cno-case/1 document: dates shifted by ``days``, plain lesion levels only,
    and with ``cap_ages`` (see needs_age_cap) the birth date replaced by ages capped at 90."""
    out = json.loads(json.dumps(doc))  # a deep copy of plain JSON, faster than copy.deepcopy
    patient = out["patient"]
    episode = out["episode"]
    birth = patient.get("birth_date")
    if cap_ages and birth:
        # Ages from the real dates (the shift keeps them), then the birth date goes.
        episode["age_years"] = age_years(birth, episode["assessed_on"])
        if episode.get("onset_on"):
            episode["age_at_onset_years"] = age_years(birth, episode["onset_on"])
        del patient["birth_date"]
    for key in ("age_years", "age_at_onset_years"):
        if key in episode:
            episode[key] = _cap(episode[key])
    if "birth_date" in patient:
        patient["birth_date"] = shift_date(patient["birth_date"], days)
    for key in ("assessed_on", "onset_on"):
        if key in episode:
            episode[key] = shift_date(episode[key], days)
    for lesion in episode.get("lesions") or []:
        if "level" in lesion and not _PLAIN_LEVEL.match(str(lesion["level"])):
            del lesion["level"]
    return out


def deidentify_patient(patient: Mapping[str, Any], days: int, cap_ages: bool = False) -> dict[str, Any]:
    """A case document's ``patient`` section, de-identified as deidentify_case does it."""
    out = dict(patient)
    if cap_ages:
        out.pop("birth_date", None)
    elif "birth_date" in out:
        out["birth_date"] = shift_date(out["birth_date"], days)
    return out


def deidentify_treatment(values: Mapping[str, Any], days: int) -> dict[str, Any]:
    """A treatment course's values with dates shifted and the drug's name (free text) left empty."""
    out = dict(values)
    for key in ("started_on", "stopped_on"):
        out[key] = shift_date(out.get(key), days)
    out["drug"] = ""
    return out


def deidentify_document(value: Any, days: int) -> Any:
    """Any JSON value (an activity summary) with every ISO date shifted and every drug name dropped."""
    if isinstance(value, dict):
        return {key: deidentify_document(item, days) for key, item in value.items() if key != "drug"}
    if isinstance(value, list):
        return [deidentify_document(item, days) for item in value]
    return shift_date(value, days)
