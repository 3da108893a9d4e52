"""Conversion between an episode (database rows) and a `cno-case/1` document.

Export writes the canonical form (exclusion.engine.canonical_case), so importing a canonical document and
exporting it again gives the same document.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from patients.choices import ACTIVITY_FIELDS, FINDING_FIELDS, LAB_FIELDS, LESION_FEATURES, SYMPTOM_FIELDS
from patients.models import Episode, Patient

SCHEMA = "cno-case/1"
BIOPSY_FIELDS = ("histology", "culture", "on_antibiotics")


def _number(value: float | None) -> float | int | None:
    # Floats that hold whole numbers are written as integers, as a person would type them.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _group(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _number(getattr(obj, name)) for name in names}


def episode_to_case(episode: Episode) -> dict[str, Any]:
    """The episode as a canonical cno-case/1 document. Prefetch lesions and biopsy for lists."""
    patient = episode.patient
    patient_doc: dict[str, Any] = {"sex": patient.sex}
    if patient.birth_date is not None:
        patient_doc["birth_date"] = patient.birth_date.isoformat()
    episode_doc: dict[str, Any] = {"assessed_on": episode.assessed_on.isoformat()}
    if episode.onset_on is not None:
        episode_doc["onset_on"] = episode.onset_on.isoformat()
    for name in ("age_years", "age_at_onset_years"):
        if getattr(episode, name) is not None:
            episode_doc[name] = _number(getattr(episode, name))
    episode_doc["symptoms"] = _group(episode, SYMPTOM_FIELDS)
    episode_doc["findings"] = _group(episode, FINDING_FIELDS)
    episode_doc["labs"] = _group(episode, LAB_FIELDS)
    biopsy = getattr(episode, "biopsy", None) if _has_biopsy(episode) else None
    episode_doc["biopsy"] = (
        None if biopsy is None else {name: getattr(biopsy, name) for name in BIOPSY_FIELDS}
    )
    episode_doc["lesions"] = [_lesion_doc(lesion) for lesion in episode.lesions.all()]
    episode_doc["activity"] = _group(episode, ACTIVITY_FIELDS)
    # Written only when known, as canonical_case does, so episodes without it keep their documents.
    if episode.whole_body_mri is not None:
        episode_doc["imaging"] = {"whole_body_mri": episode.whole_body_mri}
    return {"schema": SCHEMA, "patient": patient_doc, "episode": episode_doc}


def _has_biopsy(episode: Episode) -> bool:
    try:
        episode.biopsy  # noqa: B018 - a reverse one-to-one raises when absent
    except Episode.biopsy.RelatedObjectDoesNotExist:
        return False
    return True


def _lesion_doc(lesion: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"site": lesion.site, "side": lesion.side, "modality": lesion.modality}
    if lesion.level:
        doc["level"] = lesion.level
    for feature in LESION_FEATURES:
        if getattr(lesion, feature):
            doc[feature] = True
    return doc


@dataclass
class CaseRecords:
    """A validated case document split into the values of each model."""

    patient: dict[str, Any]
    episode: dict[str, Any]
    lesions: list[dict[str, Any]] = field(default_factory=list)
    biopsy: dict[str, Any] | None = None


def case_to_records(doc: dict[str, Any]) -> CaseRecords:
    """Split a VALID document (checked by exclusion.engine.validate_case) into model values."""

    def date(value: str | None) -> datetime.date | None:
        return datetime.date.fromisoformat(value) if value else None

    patient_doc = doc["patient"]
    episode_doc = doc["episode"]
    patient = {"sex": patient_doc["sex"], "birth_date": date(patient_doc.get("birth_date"))}
    episode: dict[str, Any] = {
        "assessed_on": date(episode_doc["assessed_on"]),
        "onset_on": date(episode_doc.get("onset_on")),
        "age_years": episode_doc.get("age_years"),
        "age_at_onset_years": episode_doc.get("age_at_onset_years"),
    }
    for group, names in (
        ("symptoms", SYMPTOM_FIELDS),
        ("findings", FINDING_FIELDS),
        ("labs", LAB_FIELDS),
        ("activity", ACTIVITY_FIELDS),
    ):
        values = episode_doc.get(group) or {}
        for name in names:
            episode[name] = values.get(name)
    episode["whole_body_mri"] = (episode_doc.get("imaging") or {}).get("whole_body_mri")
    lesions = []
    for lesion_doc in episode_doc.get("lesions") or []:
        lesion = {
            "site": lesion_doc["site"],
            "side": lesion_doc.get("side") or "midline",
            "modality": lesion_doc["modality"],
            "level": lesion_doc.get("level") or "",
        }
        for feature in LESION_FEATURES:
            lesion[feature] = bool(lesion_doc.get(feature, False))
        lesions.append(lesion)
    biopsy_doc = episode_doc.get("biopsy")
    biopsy = None if biopsy_doc is None else {name: biopsy_doc.get(name) for name in BIOPSY_FIELDS}
    return CaseRecords(patient=patient, episode=episode, lesions=lesions, biopsy=biopsy)


def patient_conflicts(patient: Patient, values: dict[str, Any]) -> list[dict[str, str]]:
    """Errors (contract shape) where a document disagrees with the patient already on file."""
    errors = []
    if patient.sex != values["sex"] and patient.sex != "unknown":
        errors.append(
            {"path": "patient.sex", "message": f"differs from the patient on file ({patient.sex})."}
        )
    if patient.birth_date and values["birth_date"] and patient.birth_date != values["birth_date"]:
        errors.append({"path": "patient.birth_date", "message": "differs from the birth date on file."})
    return errors


def nul_errors(value: Any, path: str = "") -> list[dict[str, str]]:
    """Strings with NUL characters: valid JSON the engine accepts, but PostgreSQL cannot store them."""
    if isinstance(value, str):
        return (
            [{"path": path, "message": "must not contain NUL (\\u0000) characters"}]
            if "\x00" in value
            else []
        )
    if isinstance(value, dict):
        return [
            e for key, item in value.items() for e in nul_errors(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [e for index, item in enumerate(value) for e in nul_errors(item, f"{path}[{index}]")]
    return []
