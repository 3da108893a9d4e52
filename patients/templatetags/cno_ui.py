"""Template helpers of the clinician pages: human labels for assessment codes, the working-site switcher,
and two server-rendered SVG drawings (the skeleton map and the trend charts). No JavaScript, no CDN.

Codes and their labels are the engine's vocabulary (exclusion.engine.vocabulary), never typed here, shown in
the active language through exclusion.engine.translations (the stored documents stay English). The
drawings' geometry is patients.skeleton and patients.trends; their markup is in templates/patients/.
"""

from __future__ import annotations

import datetime
import decimal
from functools import lru_cache
from typing import Any

from django import template
from django.utils.formats import date_format, localize
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from exclusion import engine
from exclusion.engine import rules, translations, vocabulary
from patients import access
from patients.choices import UNITS, DrugClass
from patients.skeleton import skeleton_layout
from patients.trends import TimeWindow, treatment_layout, trend_layout

register = template.Library()


def _language() -> str:
    # The request's language (LocaleMiddleware / the user's choice); the engine's words follow it.
    return get_language() or "en-gb"


@lru_cache(maxsize=1)
def _rules() -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in engine.rule_catalogue()}


@register.filter
def status_label(status: str) -> str:
    return translations.term_label("status", status, _language(), default=status)


def _humanised(code: str) -> str:
    # A code this ruleset does not know (an assessment stored under an older one), in words.
    return code.replace("_", " ").capitalize()


@register.filter
def differential_label(key: str) -> str:
    return translations.term_label("differential", key, _language(), default=_humanised(key))


@register.filter
def ordered_differentials(differentials: dict[str, Any]) -> list[tuple[str, Any]]:
    """The contract's order (JSON storage may reorder keys), then any the contract does not name."""
    codes = vocabulary.DIFFERENTIALS.codes
    known = [(key, differentials[key]) for key in codes if key in differentials]
    return known + [(key, value) for key, value in differentials.items() if key not in codes]


@register.filter
def reason_label(code: str) -> str:
    return translations.term_label("biopsy_reason", code, _language(), default=_humanised(code))


@register.filter
def bristol_label(status: str) -> str:
    return translations.term_label("bristol", status, _language(), default=status)


@register.filter
def term_label(code: str, kind: str) -> str:
    """The label of ``code`` among the vocabulary terms of ``kind`` (``code|term_label:"eular_status"``)."""
    return translations.term_label(kind, code, _language(), default=_humanised(code))


@register.filter
def path_label(path: str) -> str:
    """An input path in words ("Birth date"), from the engine's catalogue (exclusion.engine.translations)."""
    return translations.path_label(path, _language())


@register.filter
def rule_title(code: str) -> str:
    return translations.rule_title(code, _language())


@register.filter
def administers_a_site(user: Any) -> bool:
    """For the navigation: site admins manage API tokens (memberships are cached per request)."""
    return bool(access.site_ids(user, access.ADMIN_ROLES))


@register.filter
def edits_at_a_site(user: Any) -> bool:
    """For the navigation: clinicians and site admins import (and site admins export) registry data."""
    return bool(access.site_ids(user, access.CLINICAL_EDIT_ROLES))


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
    return translations.rule_explanation(code, _language())


@register.filter
def jansson_items(items: dict[str, bool | None]) -> list[dict[str, Any]]:
    language = _language()
    return [
        {
            "key": item.code,
            "label": translations.jansson_label(item.code, language),
            "points": item.weight,
            "value": (items or {}).get(item.code),
        }
        for item in vocabulary.JANSSON_ITEMS
    ]


@register.filter
def yes_no_unknown(value: bool | None) -> str:
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    return gettext("Unknown")


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
def skeleton_map(lesions: Any, label: str | None = None) -> dict[str, Any]:
    return {"map": skeleton_layout(lesions), "label": gettext("Skeleton map") if label is None else label}


@register.inclusion_tag("patients/_trend_chart.html")
def trend_chart(
    points: list[tuple[datetime.date, float | None]],
    key: str,
    title: str,
    unit: str = "",
    y_max: float | None = None,
    window: TimeWindow | None = None,
) -> dict[str, Any]:
    """A small line chart of one measure over time; dates without a value are left out, not drawn as 0.
    ``window``: the time axis shared with the other charts and the treatment timeline."""
    return {
        "chart": trend_layout(points, y_max, window),
        "key": key,
        "unit": unit,
        "caption": (
            gettext("%(title)s over time (%(unit)s)") % {"title": title, "unit": unit}
            if unit
            else gettext("%(title)s over time") % {"title": title}
        ),
    }


@register.inclusion_tag("patients/_treatment_timeline.html")
def treatment_timeline(treatments: Any, window: TimeWindow | None = None) -> dict[str, Any]:
    """The treatment courses as bars on the charts' time axis (no dose: only what and when)."""
    return {"timeline": treatment_layout(treatments, window)}


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
    """A stored value as a person reads it: Yes/No/Unknown, whole numbers without '.0', numbers and dates in
    the active language's format (German 1,8 and 10.05.2024)."""
    if value is None or value == "":
        return gettext("Unknown")
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(localize(value))
    if isinstance(value, datetime.datetime):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


# ---------------------------------------------------------------------------------------------------
# Status at a glance: one visual language for the four states on every page (list, patient, episode,
# print). Red: a differential in concern (named) or a recommended biopsy; amber: data missing (named);
# green: only when the engine says the exclusion work-up is complete. The tone names are CSS classes.
CONCERN_TONE = "concern"
MISSING_TONE = "incomplete"
COMPLETE_TONE = "excluded"
SETTLED_TONE = "settled"  # excluded / no red flags while the work-up as a whole is not complete: not green
NEUTRAL_TONE = "neutral"

# Words the vocabulary has no term for (yet): the glance states and the Jansson verdicts. They belong in
# exclusion.engine.vocabulary; until they move there they are written once, here.
GLANCE_LABELS = {
    "biopsy": gettext_lazy("Biopsy recommended"),
    "missing": gettext_lazy("Work-up incomplete"),
    "complete": gettext_lazy("Exclusion work-up complete"),
}
JANSSON_VERDICTS = {
    "supports": gettext_lazy("Supports CNO"),
    "supports_held": gettext_lazy(
        "Reaches the threshold, but a red flag is present: the score does not outweigh it"
    ),
    "below": gettext_lazy("Does not reach the threshold"),
    "undecided": gettext_lazy("Undecided: data missing"),
    "not_applicable": gettext_lazy(
        "Not applicable: the score was derived in children over 3 years, so it gives no verdict here"
    ),
}
_MISSING_NAMED = 4  # how many missing inputs a pill names before "and N more"


def _result_of(value: Any) -> dict[str, Any]:
    """A cno-assessment/1 document from a stored Assessment or the document itself ({} for neither)."""
    result = getattr(value, "result", value)
    return result if isinstance(result, dict) else {}


def _differentials(result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return ordered_differentials(result.get("differentials") or {})


def _red_flag(result: dict[str, Any]) -> bool:
    biopsy = result.get("biopsy") or {}
    return bool(biopsy.get("recommended")) or any(
        (d or {}).get("status") == vocabulary.CONCERN for _, d in _differentials(result)
    )


@register.filter
def brief_path_label(path: str) -> str:
    """An input path in a word or two, for a pill ("ALP", "Fever"): the label without its parenthesis."""
    return path_label(path).split(" (", 1)[0]


@register.filter
def glance(value: Any) -> list[dict[str, str]]:
    """The assessment's state as pills, most urgent first: ``{"tone", "kind", "label", "code"}``.

    A concern names its differential, a missing-data pill names what is missing; the green pill appears
    only when ``exclusion_complete`` is true and nothing is red (the engine guarantees the latter; the
    page does not rely on it)."""
    result = _result_of(value)
    if not result:
        return []
    pills: list[dict[str, str]] = []
    language = _language()
    concern_words = translations.term("status", vocabulary.CONCERN, language)
    concern = concern_words.short if concern_words else vocabulary.CONCERN
    for key, differential in _differentials(result):
        if (differential or {}).get("status") == vocabulary.CONCERN:
            pills.append(
                {
                    "tone": CONCERN_TONE,
                    "kind": "concern",
                    "code": key,
                    "label": gettext("%(status)s: %(differential)s")
                    % {"status": concern, "differential": differential_label(key)},
                }
            )
    if (result.get("biopsy") or {}).get("recommended"):
        pills.append(
            {"tone": CONCERN_TONE, "kind": "biopsy", "code": "biopsy", "label": str(GLANCE_LABELS["biopsy"])}
        )
    missing: list[str] = []
    unnamed: list[str] = []
    for key, differential in _differentials(result):
        differential = differential or {}
        for path in differential.get("missing") or ():
            label = brief_path_label(path)
            if label not in missing:
                missing.append(label)
        if differential.get("status") == vocabulary.INCOMPLETE and not differential.get("missing"):
            words = translations.term("differential", key, language)
            unnamed.append(words.short if words else key)
    named = missing or unnamed
    if named:
        shown = ", ".join(named[:_MISSING_NAMED])
        more = len(named) - _MISSING_NAMED
        if more > 0:
            label = ngettext(
                "%(state)s: %(shown)s and %(more)s more", "%(state)s: %(shown)s and %(more)s more", more
            ) % {"state": GLANCE_LABELS["missing"], "shown": shown, "more": more}
        else:
            label = gettext("%(state)s: %(shown)s") % {"state": GLANCE_LABELS["missing"], "shown": shown}
        pills.append({"tone": MISSING_TONE, "kind": "missing", "code": "missing", "label": label})
    if result.get("exclusion_complete") is True and not _red_flag(result) and not named:
        pills.append(
            {
                "tone": COMPLETE_TONE,
                "kind": "complete",
                "code": "complete",
                "label": str(GLANCE_LABELS["complete"]),
            }
        )
    elif not pills:
        # Not complete yet nothing named (an assessment of an older ruleset): amber, never green.
        pills.append(
            {
                "tone": MISSING_TONE,
                "kind": "missing",
                "code": "missing",
                "label": str(GLANCE_LABELS["missing"]),
            }
        )
    return pills


@register.inclusion_tag("includes/status_pills.html")
def status_pills(value: Any) -> dict[str, Any]:
    """``{% status_pills assessment %}``: the glance pills of a stored assessment (or its document)."""
    return {"pills": glance(value)}


@register.filter
def status_tone(status: str, result: Any) -> str:
    """The colour of a differential's status: red concern, amber incomplete, and green for excluded / no
    red flags only when the work-up as a whole is complete (``status|status_tone:result``)."""
    if status == vocabulary.CONCERN:
        return CONCERN_TONE
    if status == vocabulary.INCOMPLETE:
        return MISSING_TONE
    if status in vocabulary.SETTLED_STATUSES:
        doc = _result_of(result)
        return COMPLETE_TONE if doc.get("exclusion_complete") is True and not _red_flag(doc) else SETTLED_TONE
    return NEUTRAL_TONE


@register.filter
def bristol_tone(status: str, result: Any) -> str:
    """Bristol criteria met read green ("supports CNO") only with no red flag on the page."""
    if status in (vocabulary.CRITERION_1_MET, vocabulary.CRITERION_2_MET):
        return NEUTRAL_TONE if _red_flag(_result_of(result)) else COMPLETE_TONE
    if status == vocabulary.INSUFFICIENT_DATA:
        return MISSING_TONE
    return NEUTRAL_TONE


@register.filter
def jansson_view(jansson: dict[str, Any] | None, result: Any) -> dict[str, Any]:
    """What the Jansson panel says: the verdict (none when not applicable), and "up to N" only when some
    items are unknown. ``result.jansson|jansson_view:result``."""
    j = jansson or {}
    items = j.get("items") or {}
    unknown = [item for item in vocabulary.JANSSON_ITEMS if items.get(item.code) is None]
    applicable = j.get("applicable") is not False
    supports = j.get("supports_nbo")
    if not applicable:
        verdict, tone = "not_applicable", NEUTRAL_TONE
    elif supports is True:
        verdict, tone = (
            ("supports_held", NEUTRAL_TONE) if _red_flag(_result_of(result)) else ("supports", COMPLETE_TONE)
        )
    elif supports is False:
        verdict, tone = "below", NEUTRAL_TONE
    elif unknown:
        verdict, tone = "undecided", MISSING_TONE
    else:
        verdict, tone = "", NEUTRAL_TONE  # no verdict and nothing unknown: say nothing rather than guess
    return {
        "applicable": applicable,
        "points": j.get("points"),
        "possible_max": j.get("possible_max"),
        "threshold": j.get("threshold", vocabulary.JANSSON_THRESHOLD),
        "max": vocabulary.JANSSON_MAX,
        "unknown": len(unknown),
        "verdict": verdict,
        "label": str(JANSSON_VERDICTS.get(verdict, "")),
        "tone": tone,
    }


@register.filter
def finding_text(finding: dict[str, Any] | None) -> str:
    """A stored finding (``{"code", "text", "source"}``) in the active language: the engine's English text,
    or the German sentence with the values carried over (English when the text is an older ruleset's)."""
    finding = finding or {}
    text = finding.get("text") or ""
    return translations.finding_text(finding.get("code") or "", text, _language())


@register.filter
def prompt_text(code: str) -> str:
    """The text of an activity-summary prompt (``PROMPT-…`` rule id) in the active language."""
    return translations.prompt_text(code, _language())


@register.filter
def rule_group_label(code: str) -> str:
    return translations.rule_group_label(code, _language())


@register.filter
def finding_parts(text: str) -> tuple[str, str]:
    """A finding's text as (what was found, what it means): "Fever reported" / "bacterial osteomyelitis not
    excluded; …". The card shows the first in bold, once (the rule's title is behind "Source")."""
    head, sep, rest = (text or "").partition(": ")
    if not sep or len(head) > 90:
        return text or "", ""
    return head, rest


@register.filter
def age_on(birth_date: datetime.date | None, on: datetime.date | None = None) -> int | None:
    """Whole years from ``birth_date`` to ``on`` (today when None); None without a birth date."""
    if birth_date is None:
        return None
    day = on or datetime.date.today()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@register.filter
def drug_class_label(code: str) -> str:
    """A treatment class in words ("TNF inhibitor"), from patients.choices.DrugClass."""
    return str(DrugClass(code).label) if code in DrugClass.values else code
