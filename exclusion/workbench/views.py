"""Browser pages of what the engine derives from the record: the patient list with each patient's latest
assessment, the patient page (timeline, trends, activity summary), the episode's assessment, the rules.

Thin: each calls selectors and renders; site scoping comes from the selectors (another site's record is a
404). Writing the record is patients.views.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from exclusion import engine
from exclusion.engine import translations, vocabulary
from exclusion.engine.prompts import PROMPTS_BY_CODE
from exclusion.review.selectors import flags_for_episodes, review_status_for_episode, signoff_for_episodes
from exclusion.summaries import facts
from exclusion.summaries.facts import PEDCNO_SOURCE
from exclusion.summaries.models import ActivitySummary
from exclusion.summaries.selectors import summary_get
from exclusion.workbench import selectors
from exclusion.workbench.filters import (
    SORT_COLUMNS,
    SORT_FIRST_DESCENDING,
    PatientListFilterSet,
    parse_sort,
)
from patients import access
from patients import selectors as patient_selectors
from patients.choices import BoneSite
from patients.episode_inputs import episode_inputs
from patients.models import Episode, Treatment
from patients.treatments.selectors import treatments_for_patient
from patients.trends import TimeWindow

PAGE_SIZE = 25


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    """The patients of the working site (or of all the user's sites), newest activity first."""
    user_sites = [membership.site for membership in access.memberships(request.user)]
    site_param = request.GET.get("site")
    if site_param is None:
        working = access.working_site_id(request)
        site_param = str(working) if working else ""
    patients = selectors.patients_with_current_state(user=request.user)
    if site_param.isdigit():  # the working site (an id), not the API's site-code filter
        patients = patients.filter(site_id=int(site_param))
    params = request.GET.copy()
    params.pop("site", None)
    filterset = PatientListFilterSet(params, queryset=patients)
    # A hand-edited URL with a bad value shows its error and every patient, never a server error.
    valid = filterset.is_valid()
    if valid:
        patients = filterset.qs
    chosen = filterset.form.cleaned_data if valid else {}
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = selectors.assessments_latest_for(
        episode_ids=[p.latest_episode_id for p in page.object_list if p.latest_episode_id]
    )
    rows = [(patient, latest.get(patient.latest_episode_id)) for patient in page.object_list]
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    sort = parse_sort(chosen.get("sort")) if valid else None
    return render(
        request,
        "patients/patient_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": {
                "query": chosen.get("q") or "",
                "biopsy_recommended": chosen.get("biopsy") is True,
                "workup_incomplete": chosen.get("incomplete") is True,
                "open_review": chosen.get("review") is True,
            },
            "filter_errors": {} if valid else filterset.errors,
            "site_param": site_param,
            "user_sites": user_sites,
            "can_create": bool(access.site_ids(request.user, access.CLINICAL_EDIT_ROLES)),
            "query_without_page": query_without_page.urlencode(),
            "sort_headers": _sort_headers(query_without_page, sort),
            "sort_value": (f"-{sort[0]}" if sort[1] else sort[0]) if sort else "",
        },
    )


def _sort_headers(query: Any, sort: tuple[str, bool] | None) -> dict[str, dict[str, Any]]:
    """Each sortable column's header link (the current filters kept, back to page 1) and its aria-sort:
    a click on the sorted column reverses it, on another sorts by that one."""
    headers = {}
    for column, label in SORT_COLUMNS.items():
        params = query.copy()
        if sort is not None and sort[0] == column:
            descending = not sort[1]
            aria = "descending" if sort[1] else "ascending"
        else:
            descending = column in SORT_FIRST_DESCENDING
            aria = ""
        params["sort"] = f"-{column}" if descending else column
        headers[column] = {"label": label, "url": "?" + params.urlencode(), "aria_sort": aria}
    return headers


@login_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_selectors.patient_get(user=request.user, patient_id=patient_id)
    timeline = selectors.patient_timeline(patient=patient)
    latest_episode, latest_assessment = timeline[-1] if timeline else (None, None)
    summary = summary_get(patient_id=patient.id)
    treatments = list(treatments_for_patient(patient))
    return render(
        request,
        "patients/patient_detail.html",
        {
            "treatments": treatments,
            # One time axis for every chart and the treatment bars: activity read against therapy.
            "window": _time_window(timeline, treatments),
            # The latest episode's review flag, decision and sign-off (one query).
            "review_status": review_status_for_episode(user=request.user, episode=latest_episode)
            if latest_episode
            else None,
            "patient": patient,
            "timeline": list(reversed(timeline)),
            "latest_episode": latest_episode,
            "latest_assessment": latest_assessment,
            "charts": _trend_series([episode for episode, _ in timeline], summary),
            "can_edit": access.can_edit_clinical(request.user, patient.site_id),
            "summary": summary,
            "summary_view": _summary_view(summary),
            "pedcno_source": PEDCNO_SOURCE,
        },
    )


def _trend_rows(episodes: list[Episode], summary: ActivitySummary | None) -> list[dict[str, Any]]:
    """The summary's trend when it is current; while a recompute is pending (or before the first one), the
    same rows from the episodes on the page, so a value just saved is charted at once. Lesions come
    prefetched."""
    if summary is not None and not summary.stale:
        return summary.trend
    return facts.trend(
        [
            facts.EpisodeFacts(
                id=e.id,
                assessed_on=e.assessed_on,
                crp_mg_l=e.crp_mg_l,
                esr_mm_h=e.esr_mm_h,
                pain_vas=e.pain_vas,
                physician_global_vas=e.physician_global_vas,
                lesions=tuple(
                    facts.LesionFacts(
                        site=lesion.site,
                        modality=lesion.modality,
                        marrow_oedema=lesion.marrow_oedema,
                        active=lesion.active,
                    )
                    for lesion in e.lesions.all()
                ),
            )
            for e in episodes
        ]
    )


def _trend_series(episodes: list[Episode], summary: ActivitySummary | None) -> list[dict[str, Any]]:
    """The measures followed over time, one chart each (the activity summary's trend); titles and units in
    the reader's language (the keys stay codes)."""
    rows = _trend_rows(episodes, summary)
    days = [datetime.date.fromisoformat(row["assessed_on"]) for row in rows]

    def series(column: str) -> list:
        return [(day, row.get(column)) for day, row in zip(days, rows, strict=True)]

    return [
        {
            "key": "crp",
            "title": _("CRP"),
            "unit": pgettext("unit", "mg/L"),
            "points": series("crp_mg_l"),
            "y_max": None,
        },
        {"key": "esr", "title": _("ESR"), "unit": "mm/h", "points": series("esr_mm_h"), "y_max": None},
        {
            "key": "active_lesions",
            "title": _("Active lesions"),
            "unit": "",
            "points": series("active_lesions"),
            "y_max": None,
        },
        {"key": "pain", "title": _("Pain (VAS)"), "unit": "0–10", "points": series("pain_vas"), "y_max": 10},
        {
            "key": "physician_global",
            "title": _("Physician global (VAS)"),
            "unit": "0–10",
            "points": series("physician_global_vas"),
            "y_max": 10,
        },
    ]


@login_required
def episode_detail(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The episode's assessment: cards per differential, biopsy banner, Bristol and Jansson; `?print=1`."""
    episode = patient_selectors.episode_get(user=request.user, episode_id=episode_id)
    assessment = selectors.assessment_latest(episode_id=episode.id)
    printing = request.GET.get("print") == "1"
    return render(
        request,
        "patients/episode_print.html" if printing else "patients/episode_detail.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "lesions": list(episode.lesions.all()),
            "assessment": assessment,
            "result": assessment.result if assessment else None,
            "can_edit": access.can_edit_clinical(request.user, episode.patient.site_id),
            # What was entered, beside the verdict (no query: lesions and biopsy come with the episode).
            "inputs": episode_inputs(episode),
            # The review flag, its decision and the sign-off (one query).
            "review_status": review_status_for_episode(user=request.user, episode=episode),
        },
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """Every rule the engine applies, with its explanation and source."""
    catalogue = engine.rule_catalogue()
    groups = []
    language = get_language()
    for group in vocabulary.RULE_GROUPS:
        # In the reader's language (the engine's German words: exclusion.engine.translations).
        label = translations.rule_group_label(group.code, language)
        groups.append((label, [rule for rule in catalogue if rule["id"].startswith(group.prefix)]))
    grouped = {rule["id"] for _title, items in groups for rule in items}
    rest = [rule for rule in catalogue if rule["id"] not in grouped]
    if rest:
        groups.append((pgettext("rule group", "Other"), rest))
    return render(
        request,
        "patients/rules.html",
        {"groups": groups, "ruleset": engine.RULESET_VERSION, "count": len(catalogue)},
    )


@login_required
def patient_print(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient on paper: every episode with its assessment, review decision and sign-off, the trends,
    the activity summary and the treatment courses."""
    patient = patient_selectors.patient_get(user=request.user, patient_id=patient_id)
    timeline = selectors.patient_timeline(patient=patient)
    episode_ids = [episode.id for episode, _ in timeline]
    flags = flags_for_episodes(user=request.user, episode_ids=episode_ids)
    signoffs = signoff_for_episodes(episode_ids)
    summary = summary_get(patient_id=patient.id)
    treatments = list(treatments_for_patient(patient))
    rows = [
        {
            "episode": episode,
            "assessment": assessment,
            "flag": flags.get(episode.id),
            "signoff": signoffs.get(episode.id),
        }
        for episode, assessment in timeline
    ]
    return render(
        request,
        "patients/patient_print.html",
        {
            "patient": patient,
            "rows": rows,
            "charts": _trend_series([episode for episode, _ in timeline], summary),
            "summary": summary,
            "summary_view": _summary_view(summary),
            "pedcno_source": PEDCNO_SOURCE,
            "treatments": treatments,
            "window": _time_window(timeline, treatments),
            "age_today": _age_years(patient.birth_date, datetime.date.today()),
        },
    )


def _summary_view(summary: ActivitySummary | None) -> dict[str, Any]:
    """What the page reads of the summary's JSON in the reader's language (the stored JSON is unchanged):
    the treatment, response and spine watch with their ISO dates (``…_on``, ``since``) as dates, and each
    prompt with the id of its rule, by which its text is translated (the summary stores the English)."""
    if summary is None:
        return {}
    return {
        "treatment": _with_dates(summary.treatment),
        "response": _with_dates(summary.response),
        "spine": _spine_with_site_names(_with_dates(summary.spine)),
        "prompts": [
            {
                **prompt,
                "rule": PROMPTS_BY_CODE[prompt["code"]].id if prompt.get("code") in PROMPTS_BY_CODE else "",
            }
            for prompt in summary.prompts or ()
        ],
    }


def _spine_with_site_names(spine: Any) -> Any:
    # Each level's bone in words ("Thoracic spine"), not its code.
    if not isinstance(spine, dict):
        return spine
    levels = [
        {
            **row,
            "site_label": BoneSite(row["site"]).label
            if row.get("site") in BoneSite.values
            else row.get("site"),
        }
        for row in spine.get("levels") or ()
    ]
    return {**spine, "levels": levels}


def _with_dates(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: _with_dates(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_with_dates(item) for item in value]
    if isinstance(value, str) and (key.endswith("_on") or key == "since"):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:  # not a date after all: shown as stored
            return value
    return value


def _time_window(timeline: list[tuple[Episode, Any]], treatments: list[Treatment]) -> TimeWindow | None:
    """From the first episode or course start to the last episode, start or stop."""
    days = [episode.assessed_on for episode, _ in timeline]
    days += [t.started_on for t in treatments] + [t.stopped_on for t in treatments]
    return TimeWindow.around(days)


def _age_years(birth_date: datetime.date | None, on: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
