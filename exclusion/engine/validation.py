"""Strict, hand-written validation of ``cno-case/1`` documents.

Every problem is collected (never stop at the first one) as ``{"path": ..., "message": ...}``.
Unknown keys are errors everywhere: a typo such as ``crp_mg_dl`` must never be silently read as "unknown".
Hand-written rather than jsonschema because it is several times faster and gives clinician-readable messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from typing import TypeGuard

from .schema import (
    ACTIVITY,
    AGE_RANGE,
    BIOPSY_KEYS,
    CULTURES,
    EPISODE_KEYS,
    FINDINGS,
    HISTOLOGIES,
    IMAGING,
    LABS,
    LESION_FEATURES,
    LESION_KEYS,
    LEVEL_MAX_LEN,
    MAX_LESIONS,
    MODALITIES,
    PATIENT_KEYS,
    SCHEMA_IN,
    SEXES,
    SIDES,
    SITES,
    SYMPTOMS,
    TOP_KEYS,
    FieldSpec,
)

CaseError = dict[str, str]  # {"path": ..., "message": ...}

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_SITES = frozenset(SITES)
_SIDES = frozenset(SIDES)
_MODALITIES = frozenset(MODALITIES)
_LESION_FEATURES = frozenset(LESION_FEATURES)
_BIOPSY_KEYS = frozenset(BIOPSY_KEYS)


class CaseValidationError(ValueError):
    """Raised by :func:`assess` for an invalid document; ``errors`` lists every problem found."""

    def __init__(self, errors: list[CaseError]) -> None:
        self.errors = errors
        shown = "; ".join(f"{e['path'] or '(document)'}: {e['message']}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"invalid {SCHEMA_IN} document: {shown}{more}")


def _choices(options: Iterable[str]) -> str:
    return ", ".join(f'"{o}"' for o in options)


def is_number(value: object) -> TypeGuard[int | float]:
    """A JSON number: int or float, never bool (True is an int in Python), never NaN or infinity."""
    if type(value) is int:
        return True
    if type(value) is float:
        return math.isfinite(value)
    return False


def _check_unknown(
    obj: dict[str, object], allowed: frozenset[str], prefix: str, errors: list[CaseError]
) -> None:
    if obj.keys() <= allowed:  # the common case, checked in C
        return
    for key in obj:
        if key not in allowed:
            errors.append({"path": f"{prefix}{key}", "message": "unknown field (not part of cno-case/1)"})


def _check_field(value: object, spec: FieldSpec, path: str, errors: list[CaseError]) -> None:
    """Check one optional field; ``None`` (unknown) is always accepted here."""
    if value is None:
        return
    kind = spec[0]
    if kind == "bool":
        if value is not True and value is not False:
            errors.append({"path": path, "message": "must be true, false or null (unknown)"})
    elif kind == "num":
        if not is_number(value):
            errors.append({"path": path, "message": "must be a number or null (unknown)"})
        elif not spec[1] <= value <= spec[2]:
            unit = f" {spec[3]}" if spec[3] else ""
            errors.append(
                {"path": path, "message": f"{value} is outside the plausible range {spec[1]}–{spec[2]}{unit}"}
            )
    else:
        if type(value) is not str or value not in spec[1]:
            errors.append({"path": path, "message": f"must be one of {_choices(spec[1])} or null"})


def _check_section(obj: object, table: dict[str, FieldSpec], prefix: str, errors: list[CaseError]) -> None:
    """An optional object of optional fields (symptoms, findings, labs, activity).

    Inlined rather than calling _check_field per key: this loop is the hot path of validation.
    """
    if type(obj) is not dict:
        errors.append({"path": prefix[:-1], "message": "must be an object (omit it when nothing is known)"})
        return
    for key, value in obj.items():
        spec = table.get(key)
        if spec is None:
            errors.append({"path": f"{prefix}{key}", "message": "unknown field (not part of cno-case/1)"})
            continue
        if value is None:
            continue
        kind = spec[0]
        if kind == "bool":
            if value is not True and value is not False:
                _check_field(value, spec, prefix + key, errors)
        elif kind == "num":
            t = type(value)
            if not ((t is int or (t is float and math.isfinite(value))) and spec[1] <= value <= spec[2]):
                _check_field(value, spec, prefix + key, errors)
        elif type(value) is not str or value not in spec[1]:
            _check_field(value, spec, prefix + key, errors)


def _parse_date(value: object, path: str, errors: list[CaseError], today: date) -> date | None:
    if type(value) is not str or not _DATE_RE.match(value):
        errors.append({"path": path, "message": "must be a date written YYYY-MM-DD"})
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        errors.append({"path": path, "message": f"{value} is not a real calendar date"})
        return None
    if parsed > today:
        errors.append({"path": path, "message": f"{value} is in the future (today is {today.isoformat()})"})
    return parsed


def _check_age(value: object, path: str, errors: list[CaseError]) -> float | None:
    if value is None:
        return None
    if not is_number(value):
        errors.append({"path": path, "message": "must be a number of years or null (unknown)"})
        return None
    if not AGE_RANGE[0] <= value <= AGE_RANGE[1]:
        errors.append(
            {
                "path": path,
                "message": f"{value} is outside the plausible range {AGE_RANGE[0]}–{AGE_RANGE[1]} years",
            }
        )
        return None
    return value


def _check_patient(patient: object, errors: list[CaseError], today: date) -> date | None:
    if type(patient) is not dict:
        errors.append({"path": "patient", "message": "required object with at least 'sex'"})
        return None
    _check_unknown(patient, PATIENT_KEYS, "patient.", errors)
    sex = patient.get("sex")
    if sex is None:
        errors.append({"path": "patient.sex", "message": f"required; one of {_choices(SEXES)}"})
    elif type(sex) is not str or sex not in SEXES:
        errors.append({"path": "patient.sex", "message": f"must be one of {_choices(SEXES)}"})
    birth = patient.get("birth_date")
    if birth is None:
        return None
    return _parse_date(birth, "patient.birth_date", errors, today)


def _check_biopsy(biopsy: object, errors: list[CaseError]) -> None:
    if biopsy is None:
        return
    if type(biopsy) is not dict:
        errors.append({"path": "episode.biopsy", "message": "must be null or an object"})
        return
    _check_unknown(biopsy, _BIOPSY_KEYS, "episode.biopsy.", errors)
    histology = biopsy.get("histology")
    if histology is not None and (type(histology) is not str or histology not in HISTOLOGIES):
        errors.append(
            {"path": "episode.biopsy.histology", "message": f"must be one of {_choices(HISTOLOGIES)} or null"}
        )
    culture = biopsy.get("culture")
    if culture is not None and (type(culture) is not str or culture not in CULTURES):
        errors.append(
            {"path": "episode.biopsy.culture", "message": f"must be one of {_choices(CULTURES)} or null"}
        )
    on_ab = biopsy.get("on_antibiotics")
    if on_ab is not None and on_ab is not True and on_ab is not False:
        errors.append(
            {"path": "episode.biopsy.on_antibiotics", "message": "must be true, false or null (unknown)"}
        )


def _check_lesion(lesion: object, prefix: str, errors: list[CaseError]) -> None:
    if type(lesion) is not dict:
        errors.append(
            {"path": prefix[:-1], "message": "each lesion must be an object with 'site' and 'modality'"}
        )
        return
    site = lesion.get("site")
    if site is None:
        errors.append({"path": prefix + "site", "message": "required"})
    elif type(site) is not str or site not in _SITES:
        errors.append({"path": prefix + "site", "message": f"must be one of {_choices(SITES)}"})
    modality = lesion.get("modality")
    if modality is None:
        errors.append({"path": prefix + "modality", "message": "required"})
    elif type(modality) is not str or modality not in _MODALITIES:
        errors.append({"path": prefix + "modality", "message": f"must be one of {_choices(MODALITIES)}"})
    if "side" in lesion:
        side = lesion["side"]
        if type(side) is not str or side not in _SIDES:
            errors.append(
                {"path": prefix + "side", "message": f"must be one of {_choices(SIDES)} (default midline)"}
            )
    level = lesion.get("level")
    if level is not None and (type(level) is not str or not level.strip() or len(level) > LEVEL_MAX_LEN):
        errors.append(
            {
                "path": prefix + "level",
                "message": f"must be a non-empty label of at most {LEVEL_MAX_LEN} characters",
            }
        )
    for key, value in lesion.items():
        if key in _LESION_FEATURES:
            # Imaging features default to false (a report names what it sees): null is not "unknown" here.
            if value is not True and value is not False:
                errors.append(
                    {"path": prefix + key, "message": "must be true or false (omit it when not seen)"}
                )
        elif key not in LESION_KEYS:
            errors.append({"path": f"{prefix}{key}", "message": "unknown field (not part of cno-case/1)"})


def _check_episode(episode: object, birth: date | None, errors: list[CaseError], today: date) -> None:
    if type(episode) is not dict:
        errors.append(
            {"path": "episode", "message": "required object with at least 'assessed_on' and 'lesions'"}
        )
        return
    _check_unknown(episode, EPISODE_KEYS, "episode.", errors)

    assessed = None
    if episode.get("assessed_on") is None:
        errors.append({"path": "episode.assessed_on", "message": "required (date of assessment, YYYY-MM-DD)"})
    else:
        assessed = _parse_date(episode["assessed_on"], "episode.assessed_on", errors, today)
    onset = None
    if episode.get("onset_on") is not None:
        onset = _parse_date(episode["onset_on"], "episode.onset_on", errors, today)

    if birth is not None and onset is not None and onset < birth:
        errors.append({"path": "episode.onset_on", "message": "is before patient.birth_date"})
    if birth is not None and assessed is not None and assessed < birth:
        errors.append({"path": "episode.assessed_on", "message": "is before patient.birth_date"})
    if onset is not None and assessed is not None and assessed < onset:
        errors.append({"path": "episode.onset_on", "message": "is after episode.assessed_on"})

    age = _check_age(episode.get("age_years"), "episode.age_years", errors)
    age_onset = _check_age(episode.get("age_at_onset_years"), "episode.age_at_onset_years", errors)
    if age is not None and age_onset is not None and age_onset > age:
        errors.append({"path": "episode.age_at_onset_years", "message": "is greater than episode.age_years"})

    if "symptoms" in episode:
        _check_section(episode["symptoms"], SYMPTOMS, "episode.symptoms.", errors)
    if "findings" in episode:
        _check_section(episode["findings"], FINDINGS, "episode.findings.", errors)
    if "labs" in episode:
        _check_section(episode["labs"], LABS, "episode.labs.", errors)
    if "activity" in episode:
        _check_section(episode["activity"], ACTIVITY, "episode.activity.", errors)
    if episode.get("imaging") is not None:  # null: nothing known about the imaging done
        _check_section(episode["imaging"], IMAGING, "episode.imaging.", errors)
    _check_biopsy(episode.get("biopsy"), errors)

    lesions = episode.get("lesions")
    if lesions is None:
        errors.append(
            {"path": "episode.lesions", "message": "required list (empty when imaging shows no lesion)"}
        )
    elif type(lesions) is not list:
        errors.append({"path": "episode.lesions", "message": "must be a list of lesions"})
    elif len(lesions) > MAX_LESIONS:
        # Checked before the items so that a runaway list costs one error, not thousands.
        errors.append(
            {
                "path": "episode.lesions",
                "message": f"{len(lesions)} lesions: at most {MAX_LESIONS} per episode (list each bone once)",
            }
        )
    else:
        for i, lesion in enumerate(lesions):
            _check_lesion(lesion, f"episode.lesions[{i}].", errors)


def validate_case(doc: object, today: date | None = None) -> list[CaseError]:
    """Every problem of ``doc`` as ``{"path", "message"}``; an empty list means a valid ``cno-case/1``."""
    if today is None:
        today = date.today()
    errors: list[CaseError] = []
    if type(doc) is not dict:
        return [{"path": "", "message": f"a {SCHEMA_IN} document must be a JSON object"}]
    schema = doc.get("schema")
    if schema != SCHEMA_IN or type(schema) is not str:
        errors.append({"path": "schema", "message": f'must be "{SCHEMA_IN}"'})
    _check_unknown(doc, TOP_KEYS, "", errors)
    birth = _check_patient(doc.get("patient"), errors, today)
    _check_episode(doc.get("episode"), birth, errors, today)
    return errors
