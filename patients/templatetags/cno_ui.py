"""Template helpers of the clinician pages: human labels for assessment codes, the working-site switcher,
and two server-rendered SVG drawings (the skeleton map and the trend charts). No JavaScript, no CDN.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from exclusion import engine
from exclusion.engine import rules
from patients import access
from patients.choices import UNITS, BoneSite, Modality, Side

register = template.Library()

STATUS_LABELS = {
    "concern": "Concern — work-up needed",
    "excluded": "Excluded",
    "no_red_flags": "No red flags",
    "incomplete": "Incomplete — data missing",
}
DIFFERENTIAL_LABELS = {
    "infection": "Infection (bacterial osteomyelitis)",
    "malignancy": "Malignancy (leukaemia, lymphoma, bone tumour, LCH)",
    "hypophosphatasia": "Hypophosphatasia",
    "scurvy": "Scurvy (vitamin C deficiency)",
    "monogenic": "Monogenic autoinflammatory disease",
}
BIOPSY_REASONS = {
    "unifocal_non_clavicular": "Unifocal disease outside the clavicle: a single bone lesion needs tissue to "
    "rule out infection and tumour",
    "crp_at_least_30": "CRP of 30 mg/L or more",
    "infection_concern": "Infection is not excluded (red flag present)",
    "malignancy_concern": "Malignancy is not excluded (red flag present)",
    "age_under_3": "Onset before 3 years of age",
    "ill_appearance": "The child appears ill",
}
BRISTOL_LABELS = {
    "not_applicable": "Not applicable (no lesions, or neither bone pain nor swelling)",
    "insufficient_data": "Insufficient data (CRP unknown)",
    "criterion_1_met": "Criterion 1 met: supports CNO without biopsy",
    "criterion_2_met": "Criterion 2 met: biopsy supports CNO",
    "not_met": "Not met: the biopsy does not support CNO",
    "biopsy_required": "Biopsy required to meet the criteria",
}
JANSSON_ITEMS = {
    "normal_blood_count": ("Normal blood count", 13),
    "symmetric_lesions": ("Symmetric lesions", 10),
    "marginal_sclerosis": ("Marginal sclerosis", 10),
    "normal_body_temperature": ("Normal body temperature", 9),
    "vertebral_clavicular_or_sternal": ("Vertebral, clavicular or sternal lesion", 8),
    "more_than_one_lesion": ("More than one lesion", 7),
    "crp_at_least_10": ("CRP of 10 mg/L or more", 6),
}
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
    "episode.lesions": "Imaging lesions",
}


@lru_cache(maxsize=1)
def _rules() -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in engine.rule_catalogue()}


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def differential_label(key: str) -> str:
    return DIFFERENTIAL_LABELS.get(key, key.replace("_", " ").capitalize())


@register.filter
def ordered_differentials(differentials: dict[str, Any]) -> list[tuple[str, Any]]:
    """The contract's order (JSON storage may reorder keys), then any the contract does not name."""
    known = [(key, differentials[key]) for key in DIFFERENTIAL_LABELS if key in differentials]
    return known + [(key, value) for key, value in differentials.items() if key not in DIFFERENTIAL_LABELS]


@register.filter
def reason_label(code: str) -> str:
    return BIOPSY_REASONS.get(code, code.replace("_", " ").capitalize())


@register.filter
def bristol_label(status: str) -> str:
    return BRISTOL_LABELS.get(status, status)


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
    rows = []
    for key, (label, points) in JANSSON_ITEMS.items():
        value = (items or {}).get(key)
        rows.append({"key": key, "label": label, "points": points, "value": value})
    return rows


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
# The skeleton map: a front view, so the patient's right is on the viewer's left.

MIDX = 120
# site -> (distance from the midline for left/right lesions, height)
SITE_POSITIONS = {
    BoneSite.SKULL: (16, 28),
    BoneSite.MAXILLA: (10, 52),
    BoneSite.MANDIBLE: (12, 66),
    BoneSite.SPINE_CERVICAL: (0, 82),
    BoneSite.CLAVICLE: (26, 97),
    BoneSite.STERNUM: (0, 125),
    BoneSite.SCAPULA: (42, 114),
    BoneSite.RIB: (30, 140),
    BoneSite.SPINE_THORACIC: (0, 150),
    BoneSite.HUMERUS: (60, 150),
    BoneSite.SPINE_LUMBAR: (0, 205),
    BoneSite.ULNA: (58, 226),
    BoneSite.RADIUS: (70, 224),
    BoneSite.SACRUM: (0, 238),
    BoneSite.PELVIS: (30, 235),
    BoneSite.HAND: (78, 268),
    BoneSite.FEMUR: (26, 300),
    BoneSite.TIBIA: (20, 378),
    BoneSite.FIBULA: (34, 382),
    BoneSite.FOOT: (28, 440),
    BoneSite.OTHER: (100, 452),
}
SPINE_LEVELS = {
    "C": (BoneSite.SPINE_CERVICAL, 74, 2.2),
    "T": (BoneSite.SPINE_THORACIC, 100, 7.0),
    "L": (BoneSite.SPINE_LUMBAR, 188, 7.0),
}

SKELETON_OUTLINE = """
<g class="bones" aria-hidden="true">
  <ellipse cx="120" cy="32" rx="22" ry="26"/>
  <path d="M104 60 Q120 80 136 60"/>
  <line x1="120" y1="62" x2="120" y2="240" class="spine"/>
  <line x1="120" y1="96" x2="80" y2="92"/><line x1="120" y1="96" x2="160" y2="92"/>
  <line x1="120" y1="104" x2="120" y2="150" class="sternum"/>
  <ellipse cx="120" cy="140" rx="40" ry="42" class="ribs"/>
  <path d="M68 100 L82 132 L90 104 Z"/><path d="M172 100 L158 132 L150 104 Z"/>
  <line x1="64" y1="100" x2="58" y2="196"/><line x1="176" y1="100" x2="182" y2="196"/>
  <line x1="62" y1="202" x2="62" y2="250"/><line x1="58" y1="202" x2="44" y2="250"/>
  <line x1="178" y1="202" x2="178" y2="250"/><line x1="182" y1="202" x2="196" y2="250"/>
  <ellipse cx="42" cy="268" rx="9" ry="13"/><ellipse cx="198" cy="268" rx="9" ry="13"/>
  <path d="M84 222 Q120 270 156 222 Q150 250 120 258 Q90 250 84 222 Z"/>
  <line x1="92" y1="256" x2="96" y2="346"/><line x1="148" y1="256" x2="144" y2="346"/>
  <line x1="100" y1="354" x2="100" y2="424"/><line x1="86" y1="356" x2="86" y2="420"/>
  <line x1="140" y1="354" x2="140" y2="424"/><line x1="154" y1="356" x2="154" y2="420"/>
  <ellipse cx="92" cy="440" rx="12" ry="6"/><ellipse cx="148" cy="440" rx="12" ry="6"/>
</g>
"""


def lesion_is_active(lesion: Any) -> bool:
    """Active when marked so, or on MRI with marrow oedema (the MRI sign of active inflammation)."""
    return bool(lesion.active or (lesion.modality == Modality.MRI and lesion.marrow_oedema))


def _spine_position(lesion: Any) -> tuple[int, float] | None:
    level = (lesion.level or "").strip().upper()
    if len(level) >= 2 and level[0] in SPINE_LEVELS and level[1:].isdigit():
        site, top, step = SPINE_LEVELS[level[0]]
        if lesion.site == site:
            return 0, top + int(level[1:]) * step
    return None


def _marker_position(lesion: Any, crowd: dict[tuple, int]) -> tuple[float, float]:
    dx, y = SITE_POSITIONS.get(lesion.site, SITE_POSITIONS[BoneSite.OTHER])
    spine = _spine_position(lesion)
    if spine is not None:
        dx, y = spine
    if lesion.site == BoneSite.RIB and (lesion.level or "").strip().isdigit():
        y = 104 + int(lesion.level.strip()) * 6
    if lesion.side == Side.RIGHT:
        x = MIDX - dx
    elif lesion.side == Side.LEFT:
        x = MIDX + dx
    else:
        x = MIDX if lesion.site != BoneSite.OTHER else MIDX + dx
    # Several lesions at one place are fanned out so each stays visible.
    key = (round(x), round(y))
    nth = crowd[key]
    crowd[key] += 1
    return x + (nth % 2) * 9 - (nth // 2 % 2) * 9, y + (nth // 2) * 9


@register.simple_tag
def skeleton_map(lesions: Any, label: str = "Skeleton map") -> SafeString:
    crowd: dict[tuple, int] = defaultdict(int)
    markers = []
    for index, lesion in enumerate(lesions, start=1):
        x, y = _marker_position(lesion, crowd)
        active = lesion_is_active(lesion)
        where = lesion.get_site_display() + (f" {lesion.level}" if lesion.level else "")
        description = (
            f"{index}. {where}, {lesion.get_side_display().lower()} ({lesion.get_modality_display()})"
        )
        description += ": active" if active else ": not active"
        markers.append(
            format_html(
                '<g class="marker {}" data-lesion-marker data-site="{}" data-side="{}" data-active="{}">'
                '<title>{}</title><circle cx="{}" cy="{}" r="7"/><text x="{}" y="{}">{}</text></g>',
                "active" if active else "inactive",
                lesion.site,
                lesion.side,
                "true" if active else "false",
                description,
                f"{x:.1f}",
                f"{y:.1f}",
                f"{x:.1f}",
                f"{y + 3.5:.1f}",
                index,
            )
        )
    return format_html(
        '<svg class="skeleton-map" viewBox="0 0 240 465" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<text x="8" y="14" class="side-label">Right</text>'
        '<text x="232" y="14" class="side-label" text-anchor="end">Left</text>'
        "{}{}</svg>",
        f"{label}: {len(markers)} lesion{'s' if len(markers) != 1 else ''}, front view",
        mark_safe(SKELETON_OUTLINE),  # noqa: S308 - a constant drawing, no user input
        mark_safe("".join(markers)),  # noqa: S308 - each marker was built with format_html
    )


# ---------------------------------------------------------------------------------------------------
# Trend charts


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 4:
            return step * 4 if value > step * 2 else step * 2 if value > step else step
    return value


@register.simple_tag
def trend_chart(
    points: list[tuple[datetime.date, float | None]],
    key: str,
    title: str,
    unit: str = "",
    y_max: float | None = None,
) -> SafeString:
    """A small line chart of one measure over time; dates without a value are left out, not drawn as 0."""
    width, height, left, right, top, bottom = 320, 150, 40, 12, 12, 28
    known = [(day, value) for day, value in points if value is not None]
    label = f"{title} over time" + (f" ({unit})" if unit else "")
    if not known:
        return format_html(
            '<figure class="chart" data-chart="{}"><figcaption>{}</figcaption>'
            '<p class="muted">No values recorded yet.</p></figure>',
            key,
            label,
        )
    top_value = max(value for _, value in known)
    ceiling = y_max if y_max is not None and top_value <= y_max else _nice_max(top_value)
    first, last = known[0][0], known[-1][0]
    span = max((last - first).days, 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(day: datetime.date) -> float:
        if first == last:
            return left + plot_w / 2
        return left + (day - first).days / span * plot_w

    def sy(value: float) -> float:
        return top + plot_h - (value / ceiling) * plot_h

    coords = [(sx(day), sy(value), day, value) for day, value in known]
    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid"/><text x="{}" y="{}" class="tick" '
        'text-anchor="end">{}</text>',
        (
            (left, f"{sy(v):.1f}", width - right, f"{sy(v):.1f}", left - 4, f"{sy(v) + 3:.1f}", f"{v:g}")
            for v in (0, ceiling / 2, ceiling)
        ),
    )
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3.5" data-point><title>{}: {} {}</title></circle>',
        ((f"{x:.1f}", f"{y:.1f}", day.isoformat(), f"{value:g}", unit) for x, y, day, value in coords),
    )
    return format_html(
        '<figure class="chart" data-chart="{}"><figcaption>{}</figcaption>'
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}: {}" xmlns="http://www.w3.org/2000/svg">'
        '{}<polyline points="{}" class="line"/>{}'
        '<text x="{}" y="{}" class="tick">{}</text>'
        '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>'
        "</svg></figure>",
        key,
        label,
        width,
        height,
        label,
        "; ".join(f"{day.isoformat()} {value:g}" for day, value in known),
        grid,
        line,
        dots,
        left,
        height - 8,
        first.strftime("%b %Y"),
        width - right,
        height - 8,
        last.strftime("%b %Y") if last != first else "",
    )


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
