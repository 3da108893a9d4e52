"""CDS Hooks cards from a `cno-assessment/1` document (plain Python: the caller adds uuids and stores them).

At most one card per concern, most alarming first:
- `critical`: infection or malignancy not excluded (a red flag of that differential);
- `warning`: a biopsy recommended, or screening data missing (differentials still `incomplete`);
- `info`: any other differential with a red flag (hypophosphatasia, scurvy, monogenic disease).
Nothing to say (every differential settled, no biopsy recommended) is no card at all.

Summaries stay under 140 characters (CDS Hooks); the markdown detail lists every finding with its rule id
and source, and what is missing. Wording is decision support ("not excluded", "consider"), never an order
and never a dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exclusion.engine import vocabulary as V
from exclusion.interop.fhir import codesystems as cs
from exclusion.review.models import Decision, NotIndicatedReason
from patients.templatetags.cno_ui import path_label

SUMMARY_MAX = 139  # CDS Hooks: "<140 characters"
NON_ADHERENCE = "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes"
REVIEW_DECISION = cs.canonical(cs.REVIEW_DECISION)
NOT_INDICATED_REASON = cs.canonical(cs.NOT_INDICATED_REASON)

CRITICAL, WARNING, INFO = "critical", "warning", "info"
CRITICAL_DIFFERENTIALS = (V.MALIGNANCY, V.INFECTION)
BIOPSY_CONCERN = "biopsy_recommended"
SCREENING_CONCERN = "screening_incomplete"

# HL7's override reasons a clinician most often means here (non-adherence-reason-codes).
_HL7_REASONS = (
    ("cds-not-applicable", "PC CDS does not apply to patient"),
    ("patient-ineligible", "Patient does not meet eligibility for recommended action"),
    ("indication-order-exists", "Patient has indication/order for intended action"),
    ("cds-suboptimal-context", "PC CDS delivered in suboptimal context"),
    (
        "recipient-disagrees-evidence",
        "Recipient disagrees with recommendation because of issues with the evidence",
    ),
    ("recipient-concerns-outcomes", "Recipient has concerns regarding potential health outcomes"),
    ("does-not-align-preferences", "Recommendation does not align with patient preferences or values"),
)


def override_reasons() -> list[dict[str, str]]:
    """HL7's codes, then the review queue's own: its decisions that set a card aside, and its reasons for
    judging a biopsy not indicated (the labels of exclusion.review.models)."""
    reasons = [{"system": NON_ADHERENCE, "code": code, "display": display} for code, display in _HL7_REASONS]
    reasons += [
        {"system": REVIEW_DECISION, "code": value, "display": str(label)}
        for value, label in Decision.choices
        if value != Decision.BIOPSY_ORDERED  # that one follows the card
    ]
    reasons += [
        {"system": NOT_INDICATED_REASON, "code": value, "display": str(label)}
        for value, label in NotIndicatedReason.choices
    ]
    return reasons


def override_systems() -> frozenset[str]:
    return frozenset({NON_ADHERENCE, REVIEW_DECISION, NOT_INDICATED_REASON})


@dataclass(frozen=True, slots=True)
class CardContext:
    """What every card of one answer shares: where its facts came from and where to read more."""

    ruleset: str
    source_url: str
    link_label: str
    link_url: str
    provenance: str  # one markdown sentence: what was assessed


def _md(text: object) -> str:
    # Finding texts and sources are plain text: keep markdown from reading them as emphasis or links.
    out = str(text)
    for char in ("\\", "*", "_", "[", "]", "`"):
        out = out.replace(char, "\\" + char)
    return out


def _fit(head: str, items: list[str], tail: str = "") -> str:
    """`head (item, item…)tail` within SUMMARY_MAX: items dropped from the end (counted), then the tail."""
    for kept in range(len(items), -1, -1):
        shown = items[:kept]
        more = len(items) - kept
        listed = ", ".join(shown) + (f" +{more} more" if more and shown else "")
        text = head + (f" ({listed})" if shown else "")
        for end in (tail, ""):
            if len(text + end) <= SUMMARY_MAX:
                return text + end
    return head[: SUMMARY_MAX - 1] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _missing_lines(paths: list[str]) -> list[str]:
    return [f"- {_md(path_label(path))} (`{path}`)" for path in paths]


def _finding_lines(findings: list[dict[str, Any]]) -> list[str]:
    lines = []
    for finding in findings:
        lines.append(f"- **{_md(finding.get('code', ''))}**: {_md(finding.get('text', ''))}")
        if finding.get("source"):
            lines.append(f"  Source: {_md(finding['source'])}")
    return lines


def _footer(ctx: CardContext) -> list[str]:
    return [
        "",
        ctx.provenance,
        "",
        f"Decision support from the CNO exclusion walk (ruleset {ctx.ruleset}), not a diagnosis: "
        "the treating team decides.",
    ]


def _card(concern: str, indicator: str, summary: str, detail: list[str], ctx: CardContext) -> dict[str, Any]:
    return {
        "concern": concern,
        "summary": summary,
        "indicator": indicator,
        "detail": "\n".join(detail + _footer(ctx)),
        "source": {"label": f"CNO exclusion workbench, ruleset {ctx.ruleset}", "url": ctx.source_url},
        "links": [{"label": ctx.link_label, "url": ctx.link_url, "type": "absolute"}],
        "overrideReasons": override_reasons(),
    }


def _concern_card(name: str, differential: dict[str, Any], ctx: CardContext) -> dict[str, Any]:
    term = V.DIFFERENTIALS.get(name)
    short = term.short_label if term else name.replace("_", " ").capitalize()
    title = term.label if term else short
    findings = differential.get("findings") or []
    ids = [str(f.get("code", "")) for f in findings]
    reds = len(findings)
    summary = _fit(f"{short} not excluded: {_plural(reds, 'red flag')}", ids, "; consider work-up")
    detail = [f"**{_md(title)}: not excluded.** Red flags and notes of the exclusion walk:", ""]
    detail += _finding_lines(findings)
    missing = differential.get("missing") or []
    if missing:
        detail += ["", "Still unknown for this differential:"] + _missing_lines(missing)
    indicator = CRITICAL if name in CRITICAL_DIFFERENTIALS else INFO
    return _card(V.concern_code(name), indicator, summary, detail, ctx)


def _biopsy_card(result: dict[str, Any], ctx: CardContext) -> dict[str, Any]:
    reasons = result["biopsy"].get("reasons") or []
    terms = [V.BIOPSY_REASONS.get(code) for code in reasons]
    shorts = [t.short_label if t else code.replace("_", " ") for t, code in zip(terms, reasons, strict=True)]
    summary = _fit("Consider biopsy before a CNO diagnosis", shorts)
    detail = ["**A biopsy is recommended** before CNO is diagnosed, for these reasons:", ""]
    for term, code in zip(terms, reasons, strict=True):
        rule = term.rule if term and term.rule else code
        detail.append(f"- **{_md(rule)}**: {_md(term.label if term else code)}")
    bristol = (result.get("bristol") or {}).get("status")
    if bristol:
        detail += ["", f"Bristol criteria: {_md(V.label('bristol', bristol, default=bristol))}."]
    return _card(BIOPSY_CONCERN, WARNING, summary, detail, ctx)


def _screening_card(incomplete: list[tuple[str, dict[str, Any]]], ctx: CardContext) -> dict[str, Any]:
    names = [V.DIFFERENTIALS[n].short_label if n in V.DIFFERENTIALS else n for n, _ in incomplete]
    summary = _fit("Exclusion incomplete: screening data missing", names)
    detail = [
        "**Screening is incomplete**: no red flag so far, but these differentials are not yet excluded.",
        "",
    ]
    for (_name, differential), label in zip(incomplete, names, strict=True):
        detail.append(f"**{_md(label)}**, missing:")
        detail += _missing_lines(differential.get("missing") or []) or ["- (no missing item listed)"]
        notes = differential.get("findings") or []
        if notes:
            detail.append("  Notes:")
            detail += ["  " + line for line in _finding_lines(notes)]
        detail.append("")
    return _card(SCREENING_CONCERN, WARNING, summary, detail[:-1], ctx)


_ORDER = {CRITICAL: 0, WARNING: 1, INFO: 2}


def cards_for(result: dict[str, Any], ctx: CardContext) -> list[dict[str, Any]]:
    """The cards of an assessment, one per concern, critical first; [] when there is nothing to say.
    Each has a `concern` key (the caller records it and removes it before answering)."""
    differentials = result.get("differentials") or {}
    ordered = [n for n in V.DIFFERENTIALS.codes if n in differentials]
    ordered += [n for n in differentials if n not in ordered]
    cards = [
        _concern_card(n, differentials[n], ctx)
        for n in ordered
        if differentials[n].get("status") == V.CONCERN
    ]
    if (result.get("biopsy") or {}).get("recommended"):
        cards.append(_biopsy_card(result, ctx))
    incomplete = [(n, differentials[n]) for n in ordered if differentials[n].get("status") == V.INCOMPLETE]
    if incomplete:
        cards.append(_screening_card(incomplete, ctx))
    return sorted(cards, key=lambda card: _ORDER[card["indicator"]])
