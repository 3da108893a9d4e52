"""A clinician-readable text account of one assessment: every differential, what fired, what is missing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from . import citations as C
from . import rules as R
from . import vocabulary as V
from .assess import assess_snapshot
from .snapshot import Snapshot, build_snapshot
from .thresholds import JANSSON_MAX, JANSSON_MIN_AGE_YEARS
from .validation import CaseValidationError, validate_case

_REASON_RULES = dict(R.BIOPSY_REASONS)
_OPEN = (V.CONCERN, V.INCOMPLETE)


def _yn(value: bool | None) -> str:
    if value is None:
        return "unknown"
    return "yes" if value else "no"


def _status(code: str) -> str:
    term = V.STATUSES[code]
    return f"{term.short_label.upper()} — {term.detail}"


def _age(s: Snapshot) -> str:
    if s.age_years is None:
        return "age unknown"
    text = f"age {s.age_years:.1f} years at assessment ({s.assessed_on.isoformat()})"
    if s.age_at_onset_years is not None:
        text += f", {s.age_at_onset_years:.1f} years at onset"
    else:
        text += ", age at onset unknown (no onset recorded)"
    if s.symptom_duration_days is not None:
        text += f", symptoms for {s.symptom_duration_days} days"
    return text


def explain_snapshot(s: Snapshot) -> str:
    """The text account of the assessment of an already built snapshot (no validation)."""
    a = assess_snapshot(s)
    out = [
        f"CNO/CRMO exclusion work-up (ruleset {a['ruleset']}) — decision support, not a diagnosis.",
        f"Patient: sex {s.sex}, {_age(s)}.",
        f"Imaging: {len(s.lesions)} lesion entr{'y' if len(s.lesions) == 1 else 'ies'} in {s.bones_involved} "
        f"bone(s) — {a['focality']}{', symmetric' if s.symmetric else ''}.",
    ]
    for lesion in s.lesions:
        where = " ".join(x for x in (lesion.site, lesion.side, lesion.level) if x)
        feats = ", ".join(sorted(f.replace("_", " ") for f in lesion.features)) or "no feature named"
        out.append(f"  - {where} ({lesion.modality}): {feats}")

    out.append("")
    out.append("Differentials to exclude")
    for differential in R.DIFFERENTIALS:
        d = a["differentials"][differential.name]
        excl_rule = differential.exclusion
        out.append(f"* {V.DIFFERENTIALS[differential.name].short_label}: {_status(d['status'])}")
        for f in d["findings"]:
            out.append(f"    - [{f['code']}] {f['text']}")
            out.append(f"      Source: {f['source']}")
        if d["status"] == V.EXCLUDED and excl_rule is not None:
            out.append(f"    - [{excl_rule.id}] {excl_rule.explanation}")
            out.append(f"      Source: {excl_rule.source}")
        if d["missing"]:
            out.append(f"    Missing: {', '.join(d['missing'])}")

    b = a["biopsy"]
    out.append("")
    if b["recommended"]:
        out.append(
            "Bone biopsy: RECOMMENDED (MRI-guided; histology and bacterial, fungal and mycobacterial "
            "culture; taken off antibiotics)."
        )
    elif b["adequate_biopsy_on_file"]:
        out.append("Bone biopsy: an adequate biopsy is on file; no new biopsy recommended.")
    else:
        out.append("Bone biopsy: no reason for biopsy found by these rules.")
    for code in b["reasons"]:
        rule = _REASON_RULES[code]
        out.append(f"    - {code} [{rule.id}]: {rule.explanation} Source: {rule.source}")

    out.append("")
    out.append(f"Bristol criteria: {V.BRISTOL_STATUSES[a['bristol']['status']].detail}.")
    out.append(f"    Source: {C.RODERICK_2016}")

    g = a["eular_acr_2025"]
    out.append("")
    out.append(
        f"EULAR/ACR 2025 classification gate (research classification, not diagnosis): "
        f"{V.EULAR_STATUSES[g['status']].label}. {V.EULAR_ENTRY[g['entry']].label}; "
        f"{V.EULAR_EXCLUSIONS[g['exclusions']].label.lower()}. No score is given."
    )
    out.append(f"    Source: {C.EULAR_ACR_2025}")

    j = a["jansson"]
    out.append("")
    verdict = {
        True: "supports nonbacterial osteitis",
        False: "does not reach the threshold (not discriminating)",
        None: "undecided until the unknown items are known",
    }[j["supports_nbo"]]
    if not j["applicable"]:
        verdict = (
            f"not applicable (age {JANSSON_MIN_AGE_YEARS} years or less; the score was derived in patients "
            f"over {JANSSON_MIN_AGE_YEARS})"
        )
    out.append(
        f"Jansson clinical score: {j['points']} of {JANSSON_MAX} points from known items; "
        f"{j['possible_max']} if every unknown item turned out present; "
        f"threshold {j['threshold']}: {verdict}."
    )
    for item in V.JANSSON_ITEMS:
        out.append(f"    - {item.label}: {_yn(j['items'][item.code])} ({item.weight} points)")
    out.append(f"    Source: {C.JANSSON_2009}")

    out.append("")
    if a["exclusion_complete"]:
        out.append(
            "Exclusion complete: every differential is excluded or free of red flags on complete data, and "
            "no biopsy is recommended."
        )
    else:
        open_ = [n for n, d in a["differentials"].items() if d["status"] in _OPEN]
        if b["recommended"]:
            open_.append("a recommended bone biopsy")
        out.append(f"Exclusion NOT complete: {', '.join(open_)} still open.")
    return "\n".join(out) + "\n"


def explain(doc: Mapping[str, Any], today: date | None = None) -> str:
    """Clinician-readable account of the assessment of ``doc``; raises :class:`CaseValidationError`."""
    errors = validate_case(doc, today)
    if errors:
        raise CaseValidationError(errors)
    return explain_snapshot(build_snapshot(doc))
