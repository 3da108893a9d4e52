"""Disease-activity summary of one patient, computed from its episodes: pure Python, no database.

The bulk recompute (`exclusion.summaries.services`) loads a chunk of patients' rows in a few queries, turns
them into the plain facts below and calls `summarise()` per patient. Definitions follow the clinical
reference (the clinical reference, sections 4, 6 and 7 and rules I1–I6, J1–J4) and the case contract's
derived quantities (bone, focality, symmetric). Treatment courses come in as plain facts too: the line of
therapy, the response since the current combination, the spine watch and the decision-support prompts
(whose wording and citations are the engine's catalogue, exclusion.engine.prompts) are computed here.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from exclusion.engine.prompts import PROMPTS_BY_CODE
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
    symptomatic: bool = False

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
    # The monogenic differential is a concern (early onset, neonatal pustulosis, family): the IL-1 prompt.
    monogenic_concern: bool = False


@dataclass(frozen=True)
class TreatmentFacts:
    """One treatment course (patients.Treatment): what was taken from when to when. Never a dose."""

    drug_class: str
    drug: str
    started_on: datetime.date
    stopped_on: datetime.date | None = None
    stop_reason: str = ""
    id: int = 0

    @property
    def ongoing(self) -> bool:
        return self.stopped_on is None

    def taken_at(self, day: datetime.date) -> bool:
        """Taken at an episode on `day`: started before it (an episode on the start day is the baseline the
        course is judged against) and not stopped before it (stopped that day: still taken at that visit)."""
        return self.started_on < day and (self.stopped_on is None or self.stopped_on >= day)


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
    # episode.imaging.whole_body_mri (contract, ruleset 2026.12): True makes the MRI lesion list complete.
    whole_body_mri: bool | None = None
    back_pain: bool | None = None

    @property
    def active_lesions(self) -> int:
        return sum(1 for lesion in self.lesions if lesion.is_active)

    @property
    def mri_lesions(self) -> int | None:
        """Active MRI lesions; unknown when the episode records no MRI lesion at all (MRI maybe not done),
        unless a whole-body MRI was done: its lesion list is complete, so none listed is a clean scan (0).

        A clean follow-up MRI is also recorded as MRI lesion entries that are no longer active.
        """
        mri = [lesion for lesion in self.lesions if lesion.modality == "mri"]
        if not mri:
            return 0 if self.whole_body_mri is True else None
        return sum(1 for lesion in mri if lesion.is_active)

    @property
    def clinical_lesions(self) -> int:
        """CDAS clinical lesion count (Wu 2023, reference I4): the bones with a lesion marked symptomatic,
        the record's nearest to a lesion found clinically (counted per bone, as the contract counts bones)."""
        return len({(les.site, les.side, les.level) for les in self.lesions if les.symptomatic})


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


# --- Treatment, response, CDAS components (reference §4, §7) ----------------------------------------------

NSAID = "nsaid"
GLUCOCORTICOID = "glucocorticoid"
# Classes that never add a line of therapy. NSAIDs are the first line. Glucocorticoids: the reference
# permits short courses as bridging in all CARRA plans (Zhao 2018) but gives no number for "short", so no
# duration is invented here: a glucocorticoid course never adds a line, whatever its length.
FIRST_LINE_CLASSES = frozenset({NSAID, GLUCOCORTICOID})


def therapy_line(treatments: Sequence[TreatmentFacts]) -> int:
    """0 with no course recorded; 1 for NSAIDs alone; plus one for each further class ever used beyond
    NSAIDs and glucocorticoid bridging (a class counts once, however many of its drugs or courses)."""
    if not treatments:
        return 0
    return 1 + len({t.drug_class for t in treatments} - FIRST_LINE_CLASSES)


def combination_since(treatments: Sequence[TreatmentFacts]) -> datetime.date | None:
    """Since when the current combination has run: its last change, the latest start of an ongoing course
    or stop of any course (a course stopped on its stop date). None with no ongoing course."""
    current = [t for t in treatments if t.ongoing]
    if not current:
        return None
    changes = [t.started_on for t in current] + [t.stopped_on for t in treatments if t.stopped_on is not None]
    return max(changes)


def treatment_doc(treatments: Sequence[TreatmentFacts]) -> dict[str, Any]:
    ongoing = sorted((t for t in treatments if t.ongoing), key=lambda t: (t.started_on, t.drug_class, t.drug))
    since = combination_since(treatments)
    return {
        "current": [
            {"drug_class": t.drug_class, "drug": t.drug, "started_on": t.started_on.isoformat()}
            for t in ongoing
        ],
        "line": therapy_line(treatments),
        "since": since.isoformat() if since else None,
    }


def response_doc(ordered: Sequence[EpisodeFacts], treatments: Sequence[TreatmentFacts]) -> dict[str, Any]:
    """PedCNO of the latest episode against the baseline: the episode at or last before the start of the
    current combination. Not evaluable (level None, with the reason) without a current combination, a
    baseline, a later episode, or enough known variables. Same recalled definition as `pedcno`."""
    since = combination_since(treatments)
    latest = ordered[-1] if ordered else None
    baseline = None
    if since is not None:
        baseline = next((e for e in reversed(ordered) if e.assessed_on <= since), None)
    level = None
    follow_up = latest if baseline is not None and latest is not baseline else None
    if since is None:
        reason = "no_current_treatment"
    elif baseline is None:
        reason = "no_baseline_episode"
    elif follow_up is None:
        reason = "no_follow_up_episode"
    else:
        level = pedcno_level(_pedcno_values(baseline), _pedcno_values(follow_up))
        reason = "variables_not_evaluable" if level is None else None
    return {
        "pedcno": level,
        "label": "not evaluable" if level is None else f"PedCNO{level}",
        "not_evaluable_reason": reason,
        "since": since.isoformat() if since else None,
        "baseline_episode_id": baseline.id if baseline else None,
        "baseline_assessed_on": baseline.assessed_on.isoformat() if baseline else None,
        "episode_id": follow_up.id if follow_up else None,
        "assessed_on": follow_up.assessed_on.isoformat() if follow_up else None,
        "source": PEDCNO_SOURCE,
    }


def cdas_components(latest: EpisodeFacts | None) -> dict[str, Any] | None:
    """The CDAS items of the latest episode (Wu 2023, reference I4), as components only: the total's
    formula is unverified ([BLOCKED]), so no total is computed."""
    if latest is None:
        return None
    return {
        "episode_id": latest.id,
        "assessed_on": latest.assessed_on.isoformat(),
        "patient_pain": latest.pain_vas,
        "patient_global": latest.patient_global_vas,
        "clinical_lesion_count": latest.clinical_lesions,
    }


# --- Spine watch (reference §6, rule I1) ------------------------------------------------------------------

SPINE_ORDER = {"spine_cervical": 0, "spine_thoracic": 1, "spine_lumbar": 2}
SPINE_LETTER = {"spine_cervical": "C", "spine_thoracic": "T", "spine_lumbar": "L"}


def _level_key(site: str, level: str) -> tuple[int, int, str]:
    text = level.strip().upper()
    digits = text.lstrip(SPINE_LETTER[site])
    return (SPINE_ORDER[site], int(digits) if digits.isdigit() else 99, text)


def spine_doc(ordered: Sequence[EpisodeFacts]) -> dict[str, Any]:
    """Every vertebral level seen over time: when first and last seen, whether it is active at the latest
    episode, and any collapse with the date first recorded. A level is "site + level" (a lesion without a
    level is its region's "level not given"). `active_now` is None when the latest episode neither lists
    the level nor had a whole-body MRI (then an unlisted level is known inactive)."""
    latest = ordered[-1] if ordered else None
    levels: dict[tuple[str, str], dict[str, Any]] = {}
    for episode in ordered:
        seen: dict[tuple[str, str], list[LesionFacts]] = {}
        for lesion in episode.lesions:
            if lesion.site in SPINE_SITES:
                seen.setdefault((lesion.site, lesion.level.strip().upper()), []).append(lesion)
        for (site, level), lesions in seen.items():
            active = any(lesion.is_active for lesion in lesions)
            collapse = any(lesion.vertebral_collapse for lesion in lesions)
            day = episode.assessed_on.isoformat()
            row = levels.setdefault(
                (site, level),
                {
                    "site": site,
                    "level": level,
                    "first_seen_on": day,
                    "last_seen_on": day,
                    "active_now": None,
                    "collapse": False,
                    "collapse_first_seen_on": None,
                    "seen": [],
                },
            )
            row["last_seen_on"] = day
            row["seen"].append(
                {"episode_id": episode.id, "assessed_on": day, "active": active, "collapse": collapse}
            )
            if collapse and not row["collapse"]:
                row["collapse"], row["collapse_first_seen_on"] = True, day
    if latest is not None:
        for row in levels.values():
            last = row["seen"][-1]
            if last["episode_id"] == latest.id:
                row["active_now"] = last["active"]
            elif latest.whole_body_mri is True:
                row["active_now"] = False  # a complete whole-body MRI that does not list it: not active
    ordered_levels = sorted(levels.values(), key=lambda row: _level_key(row["site"], row["level"]))
    return {
        "levels": ordered_levels,
        "any_active_now": any(row["active_now"] is True for row in ordered_levels),
        "any_collapse": any(row["collapse"] for row in ordered_levels),
    }


# --- Decision-support prompts (reference J1–J4; texts and citations: exclusion.engine.prompts) ------------


def _on_nsaid_monotherapy(treatments: Sequence[TreatmentFacts], day: datetime.date) -> bool:
    taken = {t.drug_class for t in treatments if t.taken_at(day)}
    return taken == {NSAID}


def _spine_imaged(episode: EpisodeFacts) -> bool:
    return episode.whole_body_mri is True or any(
        lesion.site in SPINE_SITES and lesion.modality == "mri" for lesion in episode.lesions
    )


def prompt_codes(
    ordered: Sequence[EpisodeFacts], treatments: Sequence[TreatmentFacts], spine: dict[str, Any]
) -> list[str]:
    """The codes of the prompts that apply, in catalogue order (episodes oldest first)."""
    codes: list[str] = []
    if not ordered:
        return codes
    # J1: no whole-body MRI (including the spine) on file for the first episode.
    if ordered[0].whole_body_mri is not True:
        codes.append("wbmri_at_diagnosis")
    # J1: back pain at an episode whose spine was not imaged then or at any later episode.
    for index, episode in enumerate(ordered):
        if episode.back_pain is True and not any(_spine_imaged(later) for later in ordered[index:]):
            codes.append("spine_imaging")
            break
    # J2: an active spinal lesion now, or a vertebral collapse ever (height loss is a sequela).
    if spine["any_active_now"] or spine["any_collapse"]:
        codes.append("spine_second_line")
    # J3: active at the latest two episodes, both on NSAID monotherapy, which is still the treatment. The
    # reference gives no trial length ([U]): consecutive activity decides, not a duration.
    current = {t.drug_class for t in treatments if t.ongoing}
    if (
        len(ordered) >= 2
        and current == {NSAID}
        and all(
            activity_state(episode) == "active" and _on_nsaid_monotherapy(treatments, episode.assessed_on)
            for episode in ordered[-2:]
        )
    ):
        codes.append("nsaid_refractory")
    # J4: monogenic disease a concern at any episode (the engine never excludes it).
    if any(e.assessment is not None and e.assessment.monogenic_concern for e in ordered):
        codes.append("monogenic_il1")
    return codes


def prompts(
    ordered: Sequence[EpisodeFacts], treatments: Sequence[TreatmentFacts], spine: dict[str, Any]
) -> list[dict[str, str]]:
    return [
        {"code": code, "text": PROMPTS_BY_CODE[code].text, "source": PROMPTS_BY_CODE[code].source}
        for code in prompt_codes(ordered, treatments, spine)
    ]


def summarise(
    episodes: Sequence[EpisodeFacts],
    *,
    open_flag: bool,
    current_ruleset: str,
    treatments: Sequence[TreatmentFacts] = (),
) -> dict[str, Any]:
    """Every computed column of ActivitySummary for one patient (episodes and treatments in any order)."""
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
    spine = spine_doc(ordered)
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
        "treatment": treatment_doc(treatments),
        "response": response_doc(ordered, treatments),
        "cdas_components": cdas_components(latest),
        "prompts": prompts(ordered, treatments, spine),
        "spine": spine,
    }
