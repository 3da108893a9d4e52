"""A clinician-readable text account of one assessment: every differential, what fired, what is missing."""

from __future__ import annotations

from datetime import date

from . import rules as R
from .assess import DIFFERENTIALS, RULESET_VERSION, assess_snapshot
from .snapshot import Snapshot, build_snapshot
from .validation import CaseValidationError, validate_case

_STATUS = {
    "concern": "CONCERN — red flag present, work-up needed",
    "excluded": "EXCLUDED — definitive evidence on file",
    "no_red_flags": "NO RED FLAGS — screening data complete",
    "incomplete": "INCOMPLETE — no red flag, but screening data are missing",
}
_BRISTOL = {
    "not_applicable": "not applicable (no lesion, or neither bone pain nor local swelling)",
    "insufficient_data": "insufficient data (CRP unknown)",
    "criterion_1_met": "criterion 1 met (more than one bone or clavicle alone, CRP < 30 mg/L, no fever, "
    "typical imaging): supports CNO without biopsy",
    "criterion_2_met": "criterion 2 met (adequate biopsy: inflammatory histology, no "
    "growth, off antibiotics)",
    "not_met": "not met (adequate biopsy on file does not show inflammatory histology with no growth)",
    "biopsy_required": "biopsy route: criterion 1 not met, an adequate biopsy is required",
}
_REASONS = {code: rule for code, rule in R.BIOPSY_REASONS}


def _yn(value: object) -> str:
    return {True: "yes", False: "no", None: "unknown"}[value]  # type: ignore[index]


def _age(s: Snapshot) -> str:
    if s.age_years is None:
        return "age unknown"
    text = f"age {s.age_years:.1f} years at assessment ({s.assessed_on.isoformat()})"
    if s.age_at_onset_years is not None:
        text += f", {s.age_at_onset_years:.1f} years at onset"
        if s.onset_on is None and s.birth_date is not None:
            text += " (no onset date: taken at assessment)"
    return text


def explain_snapshot(s: Snapshot) -> str:
    a = assess_snapshot(s)
    out = [
        f"CNO/CRMO exclusion work-up (ruleset {RULESET_VERSION}) — decision support, not a diagnosis.",
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
    for name, _flags, _notes, excl_rule, _excl, _missing in DIFFERENTIALS:
        d = a["differentials"][name]
        out.append(f"* {name.capitalize()}: {_STATUS[d['status']]}")
        for f in d["findings"]:
            out.append(f"    - [{f['code']}] {f['text']}")
            out.append(f"      Source: {f['source']}")
        if d["status"] == "excluded" and excl_rule is not None:
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
        rule = _REASONS[code]
        out.append(f"    - {code} [{rule.id}]: {rule.explanation} Source: {rule.source}")

    out.append("")
    out.append(f"Bristol criteria: {_BRISTOL[a['bristol']['status']]}.")
    out.append(f"    Source: {R.RODERICK_2016}")

    j = a["jansson"]
    out.append("")
    verdict = {
        True: "supports nonbacterial osteitis",
        False: "does not reach the threshold (not discriminating)",
        None: "undecided until the unknown items are known",
    }[j["supports_nbo"]]
    if not j["applicable"]:
        verdict = "not applicable (age 3 years or less; the score was derived in patients over 3)"
    out.append(
        f"Jansson clinical score: {j['points']} of 63 points from known items; {j['possible_max']} if every "
        f"unknown item turned out present; threshold {j['threshold']}: {verdict}."
    )
    for key, weight, rule in R.JANSSON_ITEMS:
        out.append(f"    - {rule.title.split(' (')[0]}: {_yn(j['items'][key])} ({weight} points)")
    out.append(f"    Source: {R.JANSSON_2009}")

    out.append("")
    if a["exclusion_complete"]:
        out.append(
            "Exclusion complete: every differential is excluded or free of red flags on complete data."
        )
    else:
        open_ = [n for n, d in a["differentials"].items() if d["status"] in ("concern", "incomplete")]
        out.append(f"Exclusion NOT complete: {', '.join(open_)} still open.")
    return "\n".join(out) + "\n"


def explain(doc: dict, today: date | None = None) -> str:
    """Clinician-readable account of the assessment of ``doc``; raises :class:`CaseValidationError`."""
    errors = validate_case(doc, today)
    if errors:
        raise CaseValidationError(errors)
    return explain_snapshot(build_snapshot(doc))
