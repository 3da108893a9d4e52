"""Turn a validated case into a ``cno-assessment/1`` document (shared/contract/case-v1.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from . import rules as R
from .schema import SCHEMA_OUT
from .snapshot import Snapshot, build_snapshot
from .validation import CaseValidationError, validate_case

RULESET_VERSION = "2026.11"

_L = "episode.labs."
_S = "episode.symptoms."
# Without a birth date the age comes from episode.age_years / age_at_onset_years; the contract prefers the
# birth date, so that is the path named as missing.
AGE_PATH = "patient.birth_date"


def _finding(rule: R.Rule, text: str) -> dict:
    return {"code": rule.id, "text": text, "source": rule.source}


# --- screening data: which input paths are missing --------------------------------------------------------
def _missing_infection(s: Snapshot) -> list[str]:
    missing = []
    if not s.temperature_known:
        missing += [_S + "fever", _S + "max_temperature_c"]
    if s.labs["crp_mg_l"] is None:
        missing.append(_L + "crp_mg_l")
    return missing


def _missing_malignancy(s: Snapshot) -> list[str]:
    labs = s.labs
    missing = [_L + k for k in ("wbc_10e9_l", "hemoglobin_g_l", "platelets_10e9_l") if labs[k] is None]
    if not s.age_known:
        missing.append(AGE_PATH)  # haemoglobin cannot be judged without an age
    # An LDH without its upper limit counts as unknown: name whichever of the pair is absent.
    missing += [_L + k for k in ("ldh_u_l", "ldh_uln_u_l") if labs[k] is None]
    return missing


def _missing_hpp(s: Snapshot) -> list[str]:
    return [_L + k for k in ("alp_u_l", "alp_lln_u_l") if s.labs[k] is None]


def _missing_scurvy(s: Snapshot) -> list[str]:
    return [] if s.findings["restricted_diet"] is not None else ["episode.findings.restricted_diet"]


def _missing_monogenic(s: Snapshot) -> list[str]:
    return [] if s.onset_under_3 is not None else [AGE_PATH]


# --- definitive exclusion ---------------------------------------------------------------------------------
def _excl_infection(s: Snapshot) -> bool:
    return s.adequate_biopsy and s.culture == "no_growth"


def _excl_malignancy(s: Snapshot) -> bool:
    return s.adequate_biopsy and s.histology in ("inflammatory", "nonspecific", "normal")


def _excl_hpp(s: Snapshot) -> bool:
    alp, lln = s.labs["alp_u_l"], s.labs["alp_lln_u_l"]
    return alp is not None and lln is not None and alp >= lln


def _excl_scurvy(s: Snapshot) -> bool:
    return s.labs["vitamin_c_low"] is False


def _never(s: Snapshot) -> bool:
    return False


_Check = Callable[[Snapshot], bool]
# (name, red-flag rules, notes that keep it incomplete, exclusion rule, exclusion test, missing-data function)
DIFFERENTIALS: tuple[
    tuple[
        str, tuple[R.Rule, ...], tuple[R.Rule, ...], R.Rule | None, _Check, Callable[[Snapshot], list[str]]
    ],
    ...,
] = (
    ("infection", R.INFECTION_FLAGS, (), R.INF_EXCLUDED, _excl_infection, _missing_infection),
    (
        "malignancy",
        R.MALIGNANCY_FLAGS,
        (R.MAL_HB_UNDER_6M,),
        R.MAL_EXCLUDED,
        _excl_malignancy,
        _missing_malignancy,
    ),
    ("hypophosphatasia", R.HPP_FLAGS, (), R.HPP_EXCLUDED, _excl_hpp, _missing_hpp),
    ("scurvy", R.SCURVY_FLAGS, (), R.SCU_EXCLUDED, _excl_scurvy, _missing_scurvy),
    ("monogenic", R.MONOGENIC_FLAGS, (), None, _never, _missing_monogenic),
)


def _differential(s: Snapshot, flags, notes, excluded: _Check, missing_of) -> dict:
    findings = [
        {"code": rule.id, "text": text, "source": rule.source}
        for rule in flags
        if (text := rule.check(s)) is not None
    ]
    red_flag = bool(findings)
    if not red_flag and excluded(s):
        return {"status": "excluded", "findings": [], "missing": []}
    missing = missing_of(s)
    note_found = False
    for (
        rule
    ) in notes:  # notes (e.g. haemoglobin not assessable) never make a concern, they block "no red flags"
        text = rule.check(s)
        if text is not None:
            findings.append({"code": rule.id, "text": text, "source": rule.source})
            note_found = True
    if red_flag:
        status = "concern"
    elif missing or note_found:
        status = "incomplete"
    else:
        status = "no_red_flags"
    return {"status": status, "findings": findings, "missing": missing}


def _bristol(s: Snapshot) -> str:
    sym = s.symptoms
    if not s.lesions or (sym["bone_pain"] is not True and sym["local_swelling"] is not True):
        return "not_applicable"
    crp = s.labs["crp_mg_l"]
    if crp is None:
        return "insufficient_data"
    if (s.bones_involved > 1 or s.clavicle_alone) and crp < 30 and not s.fever_shown and s.any_typical_lesion:
        return "criterion_1_met"
    if s.adequate_biopsy:
        if s.histology == "inflammatory" and s.culture == "no_growth":
            return "criterion_2_met"
        return "not_met"
    return "biopsy_required"


def _jansson(s: Snapshot) -> dict:
    crp = s.labs["crp_mg_l"]
    values = {
        "normal_blood_count": s.normal_blood_count,
        "symmetric_lesions": s.symmetric,
        "marginal_sclerosis": "sclerosis" in s.features,
        "normal_body_temperature": s.normal_body_temperature,
        "vertebral_clavicular_or_sternal": s.jansson_site,
        "more_than_one_lesion": len(s.lesions) > 1,
        "crp_at_least_10": None if crp is None else crp >= 10,
    }
    points = possible = 0
    for key, weight, _rule in R.JANSSON_ITEMS:
        v = values[key]
        if v is True:
            points += weight
            possible += weight
        elif v is None:
            possible += weight
    at_most_3 = s.age_at_most_3
    applicable = at_most_3 is not True  # unknown age: applicable, the caller sees the age is missing
    if not applicable:
        supports = None  # the score was derived in patients over 3: no verdict either way
    elif points >= R.JANSSON_THRESHOLD:
        supports = True
    elif possible < R.JANSSON_THRESHOLD:
        supports = False
    else:
        supports = None
    return {
        "applicable": applicable,
        "points": points,
        "possible_max": possible,
        "threshold": R.JANSSON_THRESHOLD,
        "supports_nbo": supports,
        "items": values,
    }


def assess_snapshot(s: Snapshot) -> dict:
    """The assessment of an already built snapshot (no validation)."""
    diffs = {}
    for name, flags, notes, _excl_rule, excluded, missing_of in DIFFERENTIALS:
        diffs[name] = _differential(s, flags, notes, excluded, missing_of)

    crp = s.labs["crp_mg_l"]
    hits = (
        s.bones_involved == 1 and not s.clavicle_alone,
        crp is not None and crp >= 30,
        diffs["infection"]["status"] == "concern",
        diffs["malignancy"]["status"] == "concern",
        s.onset_under_3 is True,
        s.symptoms["ill_appearance"] is True,
    )
    reasons = [code for (code, _rule), hit in zip(R.BIOPSY_REASONS, hits, strict=True) if hit]
    adequate = s.adequate_biopsy

    return {
        "schema": SCHEMA_OUT,
        "ruleset": RULESET_VERSION,
        "focality": s.focality,
        "bones_involved": s.bones_involved,
        "symmetric": s.symmetric,
        "differentials": diffs,
        "biopsy": {
            "recommended": bool(reasons) and not adequate,
            "reasons": reasons,
            "adequate_biopsy_on_file": adequate,
        },
        "bristol": {"status": _bristol(s)},
        "jansson": _jansson(s),
        "exclusion_complete": all(d["status"] in ("excluded", "no_red_flags") for d in diffs.values()),
    }


def assess(doc: dict, today: date | None = None) -> dict:
    """Validate ``doc`` (raising :class:`CaseValidationError` with every error) and return its assessment."""
    errors = validate_case(doc, today)
    if errors:
        raise CaseValidationError(errors)
    return assess_snapshot(build_snapshot(doc))
