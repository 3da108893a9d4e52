"""Template helpers of the clinician pages: human labels for assessment codes, the working-site switcher,
and two server-rendered SVG drawings (the skeleton map and the trend charts). No JavaScript, no CDN.

Codes and their labels are the engine's vocabulary (exclusion.engine.vocabulary), never typed here. The
drawings' geometry is patients.skeleton and patients.trends; their markup is in templates/patients/.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any

from django import template

from exclusion import engine
from exclusion.engine import rules, vocabulary
from patients import access
from patients.choices import UNITS
from patients.skeleton import skeleton_layout
from patients.trends import trend_layout

register = template.Library()

# Input paths of the contract, in words a clinician uses.
PATH_LABELS = {
    "patient.birth_date": "Birth date",
    "patient.sex": "Sex",
    "episode.assessed_on": "Assessment date",
    "episode.onset_on": "Onset date",
    "episode.age_years": "Age (without a birth date)",
    "episode.age_at_onset_years": "Age at onset (without a birth date)",
    "episode.symptoms.fever": "Fever (yes or no)",
    "episode.symptoms.max_temperature_c": "Highest temperature (°C)",
    "episode.labs.crp_mg_l": "CRP (mg/L)",
    "episode.labs.esr_mm_h": "ESR (mm/h)",
    "episode.labs.wbc_10e9_l": "White cell count (×10⁹/L)",
    "episode.labs.neutrophils_10e9_l": "Neutrophils (×10⁹/L)",
    "episode.labs.hemoglobin_g_l": "Haemoglobin (g/L)",
    "episode.labs.platelets_10e9_l": "Platelets (×10⁹/L)",
    "episode.labs.ldh_u_l": "LDH (U/L)",
    "episode.labs.ldh_uln_u_l": "LDH upper limit of normal (U/L)",
    "episode.labs.alp_u_l": "ALP (U/L)",
    "episode.labs.alp_lln_u_l": "ALP lower limit of normal (U/L)",
    "episode.labs.vitamin_c_low": "Vitamin C level",
    "episode.labs.blood_culture": "Blood culture",
    "episode.findings.restricted_diet": "Restricted diet (yes or no)",
    "episode.findings.hepatomegaly": "Liver examined (hepatomegaly yes or no)",
    "episode.findings.splenomegaly": "Spleen examined (splenomegaly yes or no)",
    "episode.findings.lymphadenopathy": "Lymph nodes examined (lymphadenopathy yes or no)",
    "episode.lesions": "Imaging lesions",
}


@lru_cache(maxsize=1)
def _rules() -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in engine.rule_catalogue()}


@register.filter
def status_label(status: str) -> str:
    return vocabulary.label("status", status, default=status)


def _humanised(code: str) -> str:
    # A code this ruleset does not know (an assessment stored under an older one), in words.
    return code.replace("_", " ").capitalize()


@register.filter
def differential_label(key: str) -> str:
    return vocabulary.label("differential", key, default=_humanised(key))


@register.filter
def ordered_differentials(differentials: dict[str, Any]) -> list[tuple[str, Any]]:
    """The contract's order (JSON storage may reorder keys), then any the contract does not name."""
    codes = vocabulary.DIFFERENTIALS.codes
    known = [(key, differentials[key]) for key in codes if key in differentials]
    return known + [(key, value) for key, value in differentials.items() if key not in codes]


@register.filter
def reason_label(code: str) -> str:
    return vocabulary.label("biopsy_reason", code, default=_humanised(code))


@register.filter
def bristol_label(status: str) -> str:
    return vocabulary.label("bristol", status, default=status)


@register.filter
def term_label(code: str, kind: str) -> str:
    """The label of ``code`` among the vocabulary terms of ``kind`` (``code|term_label:"eular_status"``)."""
    return vocabulary.label(kind, code, default=_humanised(code))


@register.filter
def path_label(path: str) -> str:
    if path in PATH_LABELS:
        return PATH_LABELS[path]
    return path.rsplit(".", 1)[-1].replace("_", " ").capitalize()


@register.filter
def rule_title(code: str) -> str:
    rule = _rules().get(code)
    return rule["title"] if rule else code


@register.filter
def administers_a_site(user: Any) -> bool:
    """For the navigation: site admins manage API tokens (memberships are cached per request)."""
    return bool(access.site_ids(user, access.ADMIN_ROLES))


@register.filter
def rule_source(code: str) -> str:
    """The citation of a rule, straight from the engine's catalogue (never typed into a template)."""
    rule = _rules().get(code)
    return rule["source"] if rule else ""


@lru_cache(maxsize=1)
def _reason_rules() -> dict[str, str]:
    return {code: rule.id for code, rule in rules.BIOPSY_REASONS}


@register.filter
def reason_rule(code: str) -> str:
    """The id of the rule behind a biopsy reason code."""
    return _reason_rules().get(code, "")


@register.filter
def rule_explanation(code: str) -> str:
    rule = _rules().get(code)
    return rule["explanation"] if rule else ""


@register.filter
def jansson_items(items: dict[str, bool | None]) -> list[dict[str, Any]]:
    return [
        {"key": item.code, "label": item.label, "points": item.weight, "value": (items or {}).get(item.code)}
        for item in vocabulary.JANSSON_ITEMS
    ]


@register.filter
def yes_no_unknown(value: bool | None) -> str:
    return {True: "Yes", False: "No"}.get(value, "Unknown")


@register.inclusion_tag("includes/site_switcher.html", takes_context=True)
def site_switcher(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    sites = [membership.site for membership in access.memberships(user)]
    current = request.session.get(access.SITE_SESSION_KEY) if request is not None else None
    return {"sites": sites, "current": current, "request": request, "csrf_token": context.get("csrf_token")}


# ---------------------------------------------------------------------------------------------------
# The drawings: geometry from patients.skeleton / patients.trends, markup in the templates.


@register.inclusion_tag("patients/_skeleton_map.html")
def skeleton_map(lesions: Any, label: str = "Skeleton map") -> dict[str, Any]:
    return {"map": skeleton_layout(lesions), "label": label}


@register.inclusion_tag("patients/_trend_chart.html")
def trend_chart(
    points: list[tuple[datetime.date, float | None]],
    key: str,
    title: str,
    unit: str = "",
    y_max: float | None = None,
) -> dict[str, Any]:
    """A small line chart of one measure over time; dates without a value are left out, not drawn as 0."""
    return {
        "chart": trend_layout(points, y_max),
        "key": key,
        "unit": unit,
        "caption": f"{title} over time" + (f" ({unit})" if unit else ""),
    }


@register.filter
def svg_coord(value: float) -> str:
    """An SVG coordinate to a tenth of a unit (Python's rounding, as the drawings always had)."""
    return f"{value:.1f}"


@register.filter
def svg_value(value: float) -> str:
    """A measured value as written on a chart: no trailing zeros (3, 2.5, 100.25)."""
    return f"{value:g}"


@register.filter
def field_unit(name: str) -> str:
    return UNITS.get(name, "")


@register.filter
def plain(value: Any) -> str:
    """A stored value as a person reads it: Yes/No/Unknown, whole numbers without '.0'."""
    if value is None or value == "":
        return "Unknown"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.strftime("%d %b %Y")
    return str(value)
