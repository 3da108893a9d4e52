"""Turn a validated case into a ``cno-assessment/1`` document (the cno-case/1 contract).

The rules decide; this module only applies them in the contract's order and writes the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from . import rules as R
from . import vocabulary as V
from .schema import SCHEMA_OUT
from .snapshot import Snapshot, build_snapshot
from .thresholds import JANSSON_THRESHOLD
from .validation import CaseValidationError, validate_case

RULESET_VERSION = "2026.12"


def _differential(s: Snapshot, d: R.Differential) -> dict[str, Any]:
    findings = [
        {"code": rule.id, "text": text, "source": rule.source}
        for rule in d.red_flags
        if (text := rule.evaluate(s)) is not None
    ]
    red_flag = bool(findings)
    if not red_flag and d.exclusion is not None and d.exclusion.evaluate(s):
        return {"status": V.EXCLUDED, "findings": [], "missing": []}
    missing = d.screening.evaluate(s)
    note_found = False
    # Notes (e.g. haemoglobin not assessable) never make a concern; they block "no red flags".
    for rule in d.notes:
        text = rule.evaluate(s)
        if text is not None:
            findings.append({"code": rule.id, "text": text, "source": rule.source})
            note_found = True
    if red_flag:
        status = V.CONCERN
    elif missing or note_found:
        status = V.INCOMPLETE
    else:
        status = V.NO_RED_FLAGS
    return {"status": status, "findings": findings, "missing": missing}


def _jansson(s: Snapshot) -> dict[str, Any]:
    items: dict[str, bool | None] = {}
    points = possible = 0
    for key, weight, rule in R.JANSSON_ITEMS:
        value = items[key] = rule.evaluate(s)
        if value is True:
            points += weight
            possible += weight
        elif value is None:
            possible += weight
    applicable, supports = R.JANSSON_RESULT.evaluate(s, points, possible)
    return {
        "applicable": applicable,
        "points": points,
        "possible_max": possible,
        "threshold": JANSSON_THRESHOLD,
        "supports_nbo": supports,
        "items": items,
    }


def assess_snapshot(s: Snapshot) -> dict[str, Any]:
    """The assessment of an already built snapshot (no validation)."""
    diffs = {d.name: _differential(s, d) for d in R.DIFFERENTIALS}
    reasons = [code for code, rule in R.BIOPSY_REASONS if rule.evaluate(s, diffs)]
    adequate = R.BIOPSY_ADEQUATE.evaluate(s)
    recommended = bool(reasons) and not adequate
    # The first Bristol rule to name a status decides it (criterion 2 always does).
    bristol = next(status for rule in R.BRISTOL_RULES if (status := rule.evaluate(s, diffs)) is not None)
    entry = R.EULAR_ENTRY.evaluate(s, diffs)
    exclusions = R.EULAR_EXCLUSIONS.evaluate(s, diffs)
    return {
        "schema": SCHEMA_OUT,
        "ruleset": RULESET_VERSION,  # read at call time: tests and reassessment may swap the version
        "focality": s.focality,
        "bones_involved": s.bones_involved,
        "symmetric": s.symmetric,
        "differentials": diffs,
        "biopsy": {
            "recommended": recommended,
            "reasons": reasons,
            "adequate_biopsy_on_file": adequate,
        },
        "bristol": {"status": bristol},
        "jansson": _jansson(s),
        "eular_acr_2025": {
            "entry": entry,
            "exclusions": exclusions,
            "status": R.EULAR_STATUS.evaluate(entry, exclusions),
            "score": None,  # the published item weights are not yet verified: no score is ever given
        },
        # A recommended biopsy means the work-up is not complete, whatever the blood results say.
        "exclusion_complete": not recommended
        and all(d["status"] in V.SETTLED_STATUSES for d in diffs.values()),
    }


def assess_valid(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The assessment of a document :func:`validate_case` has already accepted (not validated again).

    For a caller that validates once and then assesses; an invalid document gives an undefined result.
    """
    return assess_snapshot(build_snapshot(doc))


def assess(doc: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    """Validate ``doc`` (raising :class:`CaseValidationError` with every error) and return its assessment."""
    errors = validate_case(doc, today)
    if errors:
        raise CaseValidationError(errors)
    return assess_snapshot(build_snapshot(doc))
