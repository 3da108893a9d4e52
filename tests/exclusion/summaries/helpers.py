"""Builders for activity-summary tests, and an independent from-scratch computation to compare with."""

from __future__ import annotations

import datetime
from typing import Any

from exclusion import engine
from exclusion.models import ActivitySummary
from exclusion.summaries.facts import AssessmentFacts, EpisodeFacts, LesionFacts, TreatmentFacts, summarise
from exclusion.summaries.services import SUMMARY_VALUE_COLUMNS
from exclusion.workbench.selectors import assessment_latest
from patients.models import Episode, Patient, Site, Treatment
from tests.factories import case, make_episode

VALUE_FIELDS = SUMMARY_VALUE_COLUMNS

LESIONS = [
    {"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True, "sclerosis": True},
    {"site": "tibia", "side": "right", "modality": "mri", "marrow_oedema": True},
    {"site": "clavicle", "side": "right", "modality": "mri", "marrow_oedema": True, "bone_expansion": True},
    {"site": "spine_thoracic", "modality": "mri", "level": "T7", "marrow_oedema": True},
]


def visit(number: int, seed: int = 0) -> dict[str, Any]:
    """A follow-up case document: visit 0 is the contract example; later ones improve at varying speeds."""
    factor = max(0.0, 1 - number * (0.2 + (seed % 5) * 0.1))
    lesions = [dict(lesion) for lesion in LESIONS[: 1 + (seed + number) % 4]]
    for index, lesion in enumerate(lesions):
        lesion["marrow_oedema"] = index < round(len(lesions) * factor + 0.4)
    assessed = datetime.date(2024, 5, 10) + datetime.timedelta(days=120 * number)
    return case(
        assessed_on=assessed.isoformat(),
        lesions=lesions,
        labs={
            **case()["episode"]["labs"],
            "esr_mm_h": round(28 * factor, 1),
            "crp_mg_l": round(12 * factor, 1),
        },
        activity={
            "pain_vas": round(4 * factor),
            "patient_global_vas": round(3 * factor, 1),
            "physician_global_vas": round((4 + seed % 3) * factor, 1),
            "chaq": None if seed % 7 == 0 else round(0.5 * factor, 2),
        },
    )


def make_course(site: Site, record_number: str, visits: int, seed: int = 0) -> Patient:
    episode = None
    for number in range(visits):
        episode = make_episode(site, record_number, visit(number, seed))
    assert episode is not None
    return episode.patient


def from_scratch(patient: Patient) -> dict[str, Any]:
    """The summary values computed one object at a time through the ORM (not the bulk loader)."""
    facts = []
    for episode in Episode.objects.filter(patient=patient).prefetch_related("lesions"):
        latest = assessment_latest(episode_id=episode.id)
        facts.append(
            EpisodeFacts(
                id=episode.id,
                assessed_on=episode.assessed_on,
                crp_mg_l=episode.crp_mg_l,
                esr_mm_h=episode.esr_mm_h,
                pain_vas=episode.pain_vas,
                patient_global_vas=episode.patient_global_vas,
                physician_global_vas=episode.physician_global_vas,
                chaq=episode.chaq,
                lesions=tuple(
                    LesionFacts(
                        lesion.site,
                        lesion.side,
                        lesion.level,
                        lesion.modality,
                        lesion.marrow_oedema,
                        lesion.vertebral_collapse,
                        lesion.active,
                        lesion.symptomatic,
                    )
                    for lesion in episode.lesions.all()
                ),
                assessment=None
                if latest is None
                else AssessmentFacts(
                    latest.ruleset,
                    latest.biopsy_recommended,
                    latest.exclusion_complete,
                    latest.bristol_status,
                    latest.result["jansson"]["points"],
                    latest.result["differentials"]["monogenic"]["status"] == "concern",
                ),
                whole_body_mri=episode.whole_body_mri,
                back_pain=episode.back_pain,
            )
        )
    treatments = [
        TreatmentFacts(t.drug_class, t.drug, t.started_on, t.stopped_on, t.stop_reason, id=t.id)
        for t in Treatment.objects.filter(patient=patient)
    ]
    open_flag = patient.flags.filter(status="open").exists() if hasattr(patient, "flags") else False
    return summarise(
        facts, open_flag=open_flag, current_ruleset=engine.RULESET_VERSION, treatments=treatments
    )


def stored(patient: Patient) -> dict[str, Any]:
    summary = ActivitySummary.objects.get(patient=patient)
    return {name: getattr(summary, name) for name in VALUE_FIELDS}
