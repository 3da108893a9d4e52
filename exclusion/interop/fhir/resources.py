"""The record as FHIR R4 resources: pure functions from model objects (and the episode's `cno-case/1`
document) to resource dicts. No query here: the selectors fetch, these functions only map.

References inside a `$everything` Bundle are `urn:uuid:` fullUrls, derived from the resource type and id
(uuid5), so the same record always gives the same Bundle and every reference resolves inside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from exclusion.engine import thresholds as T
from exclusion.engine import vocabulary
from exclusion.engine.snapshot import who_cutoff
from exclusion.interop.fhir import codesystems as cs
from exclusion.interop.fhir.loinc import ANALYTES, LOINC, UCUM, Analyte
from patients.casedoc import episode_to_case
from patients.choices import BoneSite, Modality, Side, StopReason
from patients.models import Episode, Patient, Site, Treatment

ICD10 = "http://hl7.org/fhir/sid/icd-10"
CNO_ICD10 = ("M86.3", "Chronic multifocal osteomyelitis")
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
YES_NO = "http://terminology.hl7.org/CodeSystem/v2-0136"
IMAGING_REPORT = ("18748-4", "Diagnostic imaging study")
# Namespace of the urn:uuid fullUrls (fixed: the same resource keeps its fullUrl across calls).
URN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, cs.CANONICAL_BASE)
# Canonical base of the per-site record-number identifier systems (a name, not a place; see docs/fhir.md).
IDENTIFIER_BASE = "https://cno-workbench.example/fhir/sid/record-number/"

HIGH = {"system": INTERPRETATION, "code": "H", "display": "High"}
LOW = {"system": INTERPRETATION, "code": "L", "display": "Low"}


def patient_identifier_system(site: Site) -> str:
    """The identifier system of a site's record numbers: one URI per site (numbers repeat across sites)."""
    return IDENTIFIER_BASE + site.code.lower()


def full_url(resource_type: str, resource_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(URN_NAMESPACE, f'{resource_type}/{resource_id}')}"


def reference(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": full_url(resource["resourceType"], resource["id"])}


def _fhir_id(*parts: object) -> str:
    # FHIR ids allow [A-Za-z0-9-.] only: case field names lose their underscores.
    return "-".join(str(p).replace("_", "-") for p in parts)


# --- Patient -----------------------------------------------------------------------------------------
def patient_resource(patient: Patient) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "identifier": [
            {
                "use": "usual",
                "system": patient_identifier_system(patient.site),
                "value": patient.record_number,
            }
        ],
        # The contract's sexes are FHIR's administrative genders, code for code.
        "gender": patient.sex,
    }
    if patient.birth_date is not None:
        resource["birthDate"] = patient.birth_date.isoformat()
    return resource


# --- lab Observations --------------------------------------------------------------------------------
def _interpretation(analyte: Analyte, value: float, doc: dict[str, Any], cutoff: int | None) -> dict | None:
    """High or low where the value crosses a threshold the engine compares against (thresholds.py), or the
    laboratory limit the case carries (LDH, ALP), or the WHO anaemia cut-off for age and sex."""
    labs = doc["episode"]["labs"]
    key = analyte.key
    if key == "crp_mg_l":
        return HIGH if value >= T.CRP_RAISED_MG_L else None
    if key == "max_temperature_c":
        return HIGH if value >= T.FEVER_C else None
    if key == "wbc_10e9_l":
        return LOW if value < T.WBC_LOW_10E9_L else HIGH if value > T.WBC_HIGH_10E9_L else None
    if key == "neutrophils_10e9_l":
        return LOW if value < T.NEUTROPHILS_LOW_10E9_L else None
    if key == "platelets_10e9_l":
        return LOW if value < T.PLATELETS_LOW_10E9_L else HIGH if value > T.PLATELETS_HIGH_10E9_L else None
    if key == "hemoglobin_g_l":
        return LOW if cutoff is not None and value < cutoff else None
    if analyte.limit_key is not None:
        limit = labs.get(analyte.limit_key)
        if limit is None:
            return None
        if analyte.limit_side == "high":
            return HIGH if value > limit else None
        return LOW if value < limit else None
    return None


def _quantity(value: float, ucum: str) -> dict[str, Any]:
    return {"value": value, "unit": ucum, "system": UCUM, "code": ucum}


def _who_cutoff(patient: Patient, episode_doc: dict[str, Any]) -> int | None:
    assessed = date.fromisoformat(episode_doc["assessed_on"])
    age_days = (assessed - patient.birth_date).days if patient.birth_date is not None else None
    return who_cutoff(patient.sex, age_days, episode_doc.get("age_years"))


def lab_observations(
    episode: Episode, doc: dict[str, Any], patient_ref: dict[str, str]
) -> list[dict[str, Any]]:
    """One Observation per known lab value (and the measured temperature) of the episode, in table order."""
    episode_doc = doc["episode"]
    cutoff = _who_cutoff(episode.patient, episode_doc)
    observations = []
    for analyte in ANALYTES:
        value = (episode_doc.get(analyte.group) or {}).get(analyte.key)
        if value is None:
            continue
        category = "vital-signs" if analyte.group == "symptoms" else "laboratory"
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": _fhir_id("e", episode.pk, analyte.key),
            "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": category}]}],
            "code": {
                "coding": [{"system": LOINC, "code": analyte.loinc, "display": analyte.display}],
                "text": analyte.display,
            },
            "subject": patient_ref,
            "effectiveDateTime": episode_doc["assessed_on"],
            "valueQuantity": _quantity(value, analyte.ucum),
        }
        interpretation = _interpretation(analyte, value, doc, cutoff)
        if interpretation is not None:
            obs["interpretation"] = [{"coding": [interpretation]}]
        limit = episode_doc["labs"].get(analyte.limit_key) if analyte.limit_key else None
        if limit is not None:
            obs["referenceRange"] = [{analyte.limit_side: _quantity(limit, analyte.ucum)}]
        elif analyte.key == "hemoglobin_g_l" and cutoff is not None:
            obs["referenceRange"] = [
                {"low": _quantity(cutoff, analyte.ucum), "text": "WHO anaemia cut-off for age and sex"}
            ]
        observations.append(obs)
    return observations


# --- imaging -----------------------------------------------------------------------------------------
def _lesion_site_text(lesion: dict[str, Any]) -> str:
    parts = [BoneSite(lesion["site"]).label, Side(lesion["side"]).label]
    if lesion.get("level"):
        parts.append(str(lesion["level"]))
    return ", ".join(parts)


def lesion_observation(
    episode: Episode,
    index: int,
    lesion: dict[str, Any],
    patient_ref: dict[str, str],
    features: dict[str, str],
) -> dict[str, Any]:
    """One lesion: bodySite "site, side[, level]", the modality as method, a boolean component a feature."""
    return {
        "resourceType": "Observation",
        "id": _fhir_id("e", episode.pk, "lesion", index),
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "imaging"}]}],
        "code": {"text": "Bone lesion"},
        "subject": patient_ref,
        "effectiveDateTime": episode.assessed_on.isoformat(),
        "bodySite": {"text": _lesion_site_text(lesion)},
        "method": {"text": Modality(lesion["modality"]).label},
        "component": [
            {
                "code": {"coding": [cs.coding(cs.LESION_FEATURE, code, display)], "text": display},
                "valueBoolean": bool(lesion.get(code, False)),
            }
            for code, display in features.items()
        ],
    }


def imaging_report(
    episode: Episode, lesions: Sequence[dict[str, Any]], patient_ref: dict[str, str]
) -> dict[str, Any]:
    code, display = IMAGING_REPORT
    return {
        "resourceType": "DiagnosticReport",
        "id": _fhir_id("e", episode.pk, "imaging"),
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "RAD"}]}
        ],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
        "subject": patient_ref,
        "effectiveDateTime": episode.assessed_on.isoformat(),
        "result": [reference(lesion) for lesion in lesions],
        "conclusion": f"{len(lesions)} bone lesion(s) recorded.",
    }


# --- assessments -------------------------------------------------------------------------------------
def _in_vocabulary_order(differentials: dict[str, Any]) -> list[str]:
    # A stored JSON document keeps no key order: the vocabulary's, then any code it lacks (older rulesets).
    order = [code for code in vocabulary.DIFFERENTIALS.codes if code in differentials]
    return order + [code for code in differentials if code not in vocabulary.DIFFERENTIALS]


def fired_rules(result: dict[str, Any]) -> list[str]:
    """The ids of the rules that raised a finding or a biopsy reason, in the contract's order, once each."""
    ids: list[str] = []
    differentials = result.get("differentials") or {}
    for code in _in_vocabulary_order(differentials):
        ids.extend(finding["code"] for finding in differentials[code].get("findings", []))
    for reason in (result.get("biopsy") or {}).get("reasons", []):
        term = vocabulary.BIOPSY_REASONS.get(reason)
        if term is not None and term.rule:
            ids.append(term.rule)
    return list(dict.fromkeys(ids))


def risk_assessment(
    assessment: Any, patient_ref: dict[str, str], basis: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """A stored `cno-assessment/1` as a RiskAssessment: what the rules say, never a diagnosis."""
    result = assessment.result
    predictions = []
    differentials = result.get("differentials") or {}
    for code in _in_vocabulary_order(differentials):
        entry = differentials[code]
        status = entry.get("status", "")
        rationale = "; ".join(f["text"] for f in entry.get("findings", []))
        if entry.get("missing"):
            rationale = "; ".join(filter(None, (rationale, "missing: " + ", ".join(entry["missing"]))))
        prediction: dict[str, Any] = {
            "outcome": {
                "coding": [cs.coding(cs.DIFFERENTIAL, code, vocabulary.label("differential", code, code))],
            },
            "qualitativeRisk": {
                "coding": [
                    cs.coding(cs.DIFFERENTIAL_STATUS, status, vocabulary.label("status", status, status))
                ],
            },
        }
        if rationale:
            prediction["rationale"] = rationale
        predictions.append(prediction)
    biopsy = result.get("biopsy") or {}
    recommended = bool(biopsy.get("recommended"))
    reasons = [vocabulary.label("biopsy_reason", r, r) for r in biopsy.get("reasons", [])]
    biopsy_label = vocabulary.RULE_GROUPS[vocabulary.BIOPSY].label
    biopsy_prediction: dict[str, Any] = {
        "outcome": {
            "coding": [cs.coding(cs.BIOPSY_RECOMMENDATION, vocabulary.BIOPSY, biopsy_label)],
            "text": biopsy_label,
        },
        "qualitativeRisk": {
            "coding": [
                {
                    "system": YES_NO,
                    "code": "Y" if recommended else "N",
                    "display": "Yes" if recommended else "No",
                }
            ],
            "text": "Consider a biopsy" if recommended else "No biopsy reason found",
        },
    }
    if reasons:
        biopsy_prediction["rationale"] = "; ".join(reasons)
    predictions.append(biopsy_prediction)
    rules = fired_rules(result)
    return {
        "resourceType": "RiskAssessment",
        "id": _fhir_id("a", assessment.pk),
        "status": "final",
        "subject": patient_ref,
        "occurrenceDateTime": assessment.created_at.isoformat(),
        "method": {"text": f"CNO exclusion rules, ruleset {assessment.ruleset}"},
        "basis": [reference(resource) for resource in basis],
        "prediction": predictions,
        "note": [{"text": "Rules that fired: " + ", ".join(rules) if rules else "No rule raised a finding."}],
    }


# --- the CNO Condition ---------------------------------------------------------------------------------
def verification_status(exclusion_complete: bool) -> str:
    """`provisional` while the latest episode's exclusion walk is incomplete (the work-up is ongoing); then
    `unconfirmed`: the mimics are excluded and the data support CNO, but decision support never confirms a
    diagnosis, the clinician does."""
    return "unconfirmed" if exclusion_complete else "provisional"


def cno_condition(
    patient: Patient, patient_ref: dict[str, str], latest: dict[str, Any] | None, exclusion_complete: bool
) -> dict[str, Any]:
    code, display = CNO_ICD10
    status = verification_status(exclusion_complete)
    condition: dict[str, Any] = {
        "resourceType": "Condition",
        "id": _fhir_id("p", patient.pk, "cno"),
        "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": status}]},
        "code": {"coding": [{"system": ICD10, "code": code, "display": display}], "text": display},
        "subject": patient_ref,
        "note": [
            {
                "text": "Exclusion work-up complete: the data support CNO; confirmation is the clinician's."
                if exclusion_complete
                else "Exclusion work-up not complete: a differential is a concern or data are missing."
            }
        ],
    }
    if latest is not None:
        condition["evidence"] = [{"detail": [reference(latest)]}]
    return condition


# --- treatment courses -------------------------------------------------------------------------------
def medication_statement(treatment: Treatment, patient_ref: dict[str, str]) -> dict[str, Any]:
    """A course: which drug from when to when and why it stopped; never a dose."""
    if treatment.stopped_on is None:
        status = "active"
    elif treatment.stop_reason == StopReason.REMISSION:
        status = "completed"
    else:
        status = "stopped"
    period: dict[str, str] = {"start": treatment.started_on.isoformat()}
    if treatment.stopped_on is not None:
        period["end"] = treatment.stopped_on.isoformat()
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": _fhir_id("t", treatment.pk),
        "status": status,
        "medicationCodeableConcept": {"text": treatment.drug},
        "subject": patient_ref,
        "effectivePeriod": period,
        "note": [{"text": f"Drug class: {treatment.get_drug_class_display()}"}],
    }
    if treatment.stop_reason:
        resource["statusReason"] = [{"text": treatment.get_stop_reason_display()}]
    return resource


# --- $everything -------------------------------------------------------------------------------------
@dataclass
class PatientRecord:
    """What `$everything` maps: the patient, its episodes (lesions, biopsy and every assessment prefetched,
    assessments oldest first) and its treatment courses."""

    patient: Patient
    episodes: Sequence[Episode]
    treatments: Sequence[Treatment] = field(default_factory=list)


def _latest_episode(episodes: Sequence[Episode]) -> Episode | None:
    # As the patient list orders "the situation now": latest assessment date, then the newest episode.
    return max(episodes, key=lambda e: (e.assessed_on, e.pk), default=None)


def everything(record: PatientRecord) -> list[dict[str, Any]]:
    """Every resource of the patient, Patient first, then the Condition, then episode by episode (labs,
    lesions, imaging report, assessments), then the treatment courses."""
    features = {code: display for code, display, _ in cs.specs()[cs.LESION_FEATURE].concepts}
    patient = patient_resource(record.patient)
    patient_ref = reference(patient)
    episode_resources: list[dict[str, Any]] = []
    latest_by_episode: dict[int, dict[str, Any]] = {}
    for episode in sorted(record.episodes, key=lambda e: (e.assessed_on, e.pk)):
        doc = episode_to_case(episode)
        labs = lab_observations(episode, doc, patient_ref)
        lesions = [
            lesion_observation(episode, index, lesion, patient_ref, features)
            for index, lesion in enumerate(doc["episode"]["lesions"], start=1)
        ]
        report = imaging_report(episode, lesions, patient_ref) if lesions else None
        basis = [*labs, *([report] if report else [])]
        assessments = [
            risk_assessment(a, patient_ref, basis)
            for a in sorted(episode.assessments.all(), key=lambda a: a.pk)
        ]
        if assessments:
            latest_by_episode[episode.pk] = assessments[-1]
        episode_resources += [*labs, *lesions, *([report] if report else []), *assessments]
    latest_episode = _latest_episode(record.episodes)
    latest = latest_by_episode.get(latest_episode.pk) if latest_episode is not None else None
    complete = False
    if latest_episode is not None and latest is not None:
        newest = max(latest_episode.assessments.all(), key=lambda a: a.pk)
        complete = bool(newest.exclusion_complete)
    condition = cno_condition(record.patient, patient_ref, latest, complete)
    treatments = [medication_statement(t, patient_ref) for t in record.treatments]
    return [patient, condition, *episode_resources, *treatments]


def searchset(resources: Sequence[dict[str, Any]], self_url: str) -> dict[str, Any]:
    """A searchset Bundle of the resources, each under its urn:uuid fullUrl."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": [{"relation": "self", "url": self_url}],
        "entry": [
            {
                "fullUrl": full_url(r["resourceType"], r["id"]),
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }
