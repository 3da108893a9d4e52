"""Disease-activity summary of one patient, computed from its episodes: pure Python, no database.

The bulk recompute (`exclusion.summaries.services`) loads a chunk of patients' rows in a few queries, turns
them into the plain facts below and calls `summarise()` per patient. Definitions follow the clinical
reference (the clinical reference, section 4 and rules I1–I6) and the case contract's derived
quantities (bone, focality, symmetric).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from patients.lesions import lesion_is_active

SPINE_SITES = frozenset({"spine_cervical", "spine_thoracic", "spine_lumbar"})
PEDCNO_LEVELS = (30, 50, 70, 90)
PEDCNO_VARIABLES = ("esr_mm_h", "mri_lesions", "physician_global_vas", "patient_global_vas", "chaq")
PEDCNO_SOURCE = (
    "PedCNO score, recalled [R] from Beck C et al. Arthritis Res Ther 2010;12(2):R74 (doi:10.1186/ar2992): "
    "improvement of at least 30/50/70% in at least 3 of 5 variables (ESR, MRI lesion count, physician "
    "global, patient/parent global, CHAQ) with no more than 1 of the others worsening by more than 30%; "
    "PedCNO90 proposed by Reiser 2025. Not yet checked against the paper."
)


@dataclass(frozen=True)
class LesionFacts:
    site: str
    side: str = "midline"
    level: str = ""
    modality: str = "mri"
    marrow_oedema: bool = False
    vertebral_collapse: bool = False
    active: bool = False

    @property
    def is_active(self) -> bool:
        # The record's one definition (marked active, or MRI with marrow oedema; reference I1).
        return lesion_is_active(self)


@dataclass(frozen=True)
class AssessmentFacts:
    ruleset: str
    biopsy_recommended: bool
    exclusion_complete: bool
    bristol_status: str
    jansson_points: int | None


@dataclass(frozen=True)
class EpisodeFacts:
    id: int
    assessed_on: datetime.date
    crp_mg_l: float | None = None
    esr_mm_h: float | None = None
    pain_vas: float | None = None
    patient_global_vas: float | None = None
    physician_global_vas: float | None = None
    chaq: float | None = None
    lesions: Sequence[LesionFacts] = field(default_factory=tuple)
    assessment: AssessmentFacts | None = None

    @property
    def active_lesions(self) -> int:
        return sum(1 for lesion in self.lesions if lesion.is_active)

    @property
    def mri_lesions(self) -> int | None:
        """Active MRI lesions; unknown when the episode records no MRI lesion at all (MRI maybe not done).

        A clean follow-up MRI is recorded as MRI lesion entries that are no longer active.
        """
        mri = [lesion for lesion in self.lesions if lesion.modality == "mri"]
        if not mri:
            return None
        return sum(1 for lesion in mri if lesion.is_active)


def bones(lesions: Sequence[LesionFacts]) -> set[tuple[str, str, str]]:
    """Contract: a bone is a distinct (site, side, level) triple."""
    return {(lesion.site, lesion.side, lesion.level) for lesion in lesions}


def focality(lesions: Sequence[LesionFacts]) -> str:
    count = len(bones(lesions))
    return "none" if count == 0 else "unifocal" if count == 1 else "multifocal"


def symmetric(lesions: Sequence[LesionFacts]) -> bool:
    """Contract: some site has lesions on both the left and the right."""
    sides: dict[str, set[str]] = {}
    for lesion in lesions:
        sides.setdefault(lesion.site, set()).add(lesion.side)
    return any({"left", "right"} <= found for found in sides.values())


def activity_state(episode: EpisodeFacts | None) -> str:
    """`active`: an active lesion, pain or physician global ≥ 1; `inactive`: none, both scores known 0."""
    if episode is None:
        return "unknown"
    pain, physician = episode.pain_vas, episode.physician_global_vas
    if (
        episode.active_lesions > 0
        or (pain is not None and pain >= 1)
        or (physician is not None and physician >= 1)
    ):
        return "active"
    if pain == 0 and physician == 0:
        return "inactive"
    return "unknown"


def _pedcno_values(episode: EpisodeFacts) -> dict[str, float | None]:
    return {
        "esr_mm_h": episode.esr_mm_h,
        "mri_lesions": episode.mri_lesions,
        "physician_global_vas": episode.physician_global_vas,
        "patient_global_vas": episode.patient_global_vas,
        "chaq": episode.chaq,
    }


def pedcno_level(baseline: dict[str, float | None], follow_up: dict[str, float | None]) -> int | None:
    """PedCNO response level of `follow_up` against `baseline`: 0, 30, 50, 70, 90, or None.

    Rule (recalled [R], Beck 2010 — see PEDCNO_SOURCE): level x is reached when at least 3 of the 5
    variables improve by ≥ x% and at most 1 of the others worsens by > 30%. Lower is better for all five;
    improvement = (baseline − follow-up) / baseline.

    A variable is not evaluable when either value is unknown or the baseline is 0 (no relative change).
    Non-evaluable variables are taken at their worst and at their best: the level is returned only when
    the evaluable ones decide it; otherwise None ("not evaluable"), never a guess.
    """
    improvements: list[float] = []
    for name in PEDCNO_VARIABLES:
        before, after = baseline.get(name), follow_up.get(name)
        if before is None or after is None or before <= 0:
            continue
        improvements.append((before - after) / before)
    unknown = len(PEDCNO_VARIABLES) - len(improvements)
    # A small tolerance so that exactly 30% (in binary floating point) is not counted as worse.
    worsened = sum(1 for change in improvements if change < -0.30 - 1e-9)

    def reached(level: int) -> bool | None:
        improved = sum(1 for change in improvements if change >= level / 100 - 1e-9)
        if improved >= 3 and worsened + unknown <= 1:
            return True  # reached whatever the unknown variables did
        if improved + unknown < 3 or worsened > 1:
            return False  # missed whatever the unknown variables did
        return None

    result = 0
    for level in PEDCNO_LEVELS:
        outcome = reached(level)
        if outcome is None:
            return None
        if outcome is False:
            break
        result = level
    return result


def pedcno(episodes: Sequence[EpisodeFacts]) -> int | None:
    """The latest episode against the first; None with fewer than two episodes."""
    if len(episodes) < 2:
        return None
    return pedcno_level(_pedcno_values(episodes[0]), _pedcno_values(episodes[-1]))


def trend(episodes: Sequence[EpisodeFacts]) -> list[dict[str, Any]]:
    """The measures followed over time, a row per episode in the order given (the `trend` column)."""
    return [
        {
            "episode_id": e.id,
            "assessed_on": e.assessed_on.isoformat(),
            "crp_mg_l": e.crp_mg_l,
            "esr_mm_h": e.esr_mm_h,
            "active_lesions": e.active_lesions,
            "pain_vas": e.pain_vas,
            "physician_global_vas": e.physician_global_vas,
        }
        for e in episodes
    ]


def summarise(episodes: Sequence[EpisodeFacts], *, open_flag: bool, current_ruleset: str) -> dict[str, Any]:
    """Every computed column of ActivitySummary for one patient (episodes in any order)."""
    ordered = sorted(episodes, key=lambda episode: (episode.assessed_on, episode.id))
    latest = ordered[-1] if ordered else None
    # The summary is only as current as its oldest assessment: an outdated one names its ruleset, so the
    # sweep knows to re-assess that patient.
    rulesets = {e.assessment.ruleset for e in ordered if e.assessment is not None} - {current_ruleset}
    all_lesions = [lesion for episode in ordered for lesion in episode.lesions]
    physician_scores = [e.physician_global_vas for e in ordered if e.physician_global_vas is not None]
    latest_doc = None
    if latest is not None:
        assessment = latest.assessment
        latest_doc = {
            "episode_id": latest.id,
            "assessed_on": latest.assessed_on.isoformat(),
            "focality": focality(latest.lesions),
            "bones_involved": len(bones(latest.lesions)),
            "symmetric": symmetric(latest.lesions),
            "active_lesions": latest.active_lesions,
            "biopsy_recommended": assessment.biopsy_recommended if assessment else None,
            "exclusion_complete": assessment.exclusion_complete if assessment else None,
            "bristol_status": assessment.bristol_status if assessment else None,
            "jansson_points": assessment.jansson_points if assessment else None,
        }
    return {
        "ruleset": min(rulesets) if rulesets else current_ruleset,
        "episodes_count": len(ordered),
        "first_assessed_on": ordered[0].assessed_on if ordered else None,
        "latest_assessed_on": latest.assessed_on if latest else None,
        "latest": latest_doc,
        "trend": trend(ordered),
        "activity_state": activity_state(latest),
        "pedcno": pedcno(ordered),
        # A course descriptor: physician global ≥ 4 at any visit (NPRD definition, reference I5).
        "severe_course": any(score >= 4 for score in physician_scores),
        # Current state: radiologically active while the child reports no pain (reference I6).
        "silent_activity": latest is not None and latest.active_lesions > 0 and latest.pain_vas == 0,
        "spine_involved": any(lesion.site in SPINE_SITES for lesion in all_lesions),
        "vertebral_collapse": any(lesion.vertebral_collapse for lesion in all_lesions),
        "open_flag": open_flag,
    }
