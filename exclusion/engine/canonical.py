"""The canonical form of a valid ``cno-case/1`` document (used for export/import round trips and demo data).

Every section is written out completely (null for unknown) in contract order, lesions carry only the imaging
features that are true, and optional scalars absent or null are omitted. ``canonical_case`` is idempotent and
never changes the assessment of a document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .schema import ACTIVITY, BIOPSY_KEYS, FINDINGS, IMAGING, LABS, LESION_FEATURES, SCHEMA_IN, SYMPTOMS
from .validation import CaseValidationError, validate_case

_EMPTY: dict[str, Any] = {}


def canonical_case(doc: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    """Canonical form of a valid document; raises :class:`CaseValidationError` for an invalid one, so that
    nothing invalid is ever stored or exported in canonical dress. The input is not modified."""
    errors = validate_case(doc, today)
    if errors:
        raise CaseValidationError(errors)
    patient = doc["patient"]
    episode = doc["episode"]

    out_patient: dict[str, Any] = {"sex": patient["sex"]}
    if patient.get("birth_date") is not None:
        out_patient["birth_date"] = patient["birth_date"]

    out_episode: dict[str, Any] = {"assessed_on": episode["assessed_on"]}
    if episode.get("onset_on") is not None:
        out_episode["onset_on"] = episode["onset_on"]
    for key in ("age_years", "age_at_onset_years"):
        if episode.get(key) is not None:
            out_episode[key] = episode[key]

    sym = episode.get("symptoms") or _EMPTY
    fin = episode.get("findings") or _EMPTY
    lab = episode.get("labs") or _EMPTY
    act = episode.get("activity") or _EMPTY
    out_episode["symptoms"] = {k: sym.get(k) for k in SYMPTOMS}
    out_episode["findings"] = {k: fin.get(k) for k in FINDINGS}
    out_episode["labs"] = {k: lab.get(k) for k in LABS}

    biopsy = episode.get("biopsy")
    out_episode["biopsy"] = None if biopsy is None else {k: biopsy.get(k) for k in BIOPSY_KEYS}

    lesions = []
    for raw in episode["lesions"]:
        lesion = {"site": raw["site"], "side": raw.get("side", "midline"), "modality": raw["modality"]}
        if raw.get("level") is not None:
            lesion["level"] = raw["level"]
        for feature in LESION_FEATURES:
            if raw.get(feature) is True:
                lesion[feature] = True
        lesions.append(lesion)
    out_episode["lesions"] = lesions
    out_episode["activity"] = {k: act.get(k) for k in ACTIVITY}
    # Optional since ruleset 2026.12: written only when something is known, so older documents keep
    # their canonical form.
    imaging = episode.get("imaging") or _EMPTY
    if any(imaging.get(k) is not None for k in IMAGING):
        out_episode["imaging"] = {k: imaging.get(k) for k in IMAGING}

    return {"schema": SCHEMA_IN, "patient": out_patient, "episode": out_episode}
