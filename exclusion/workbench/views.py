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

from exclusion import engine
from exclusion.engine import vocabulary
from exclusion.summaries import facts
from exclusion.summaries.facts import PEDCNO_SOURCE
from exclusion.summaries.models import ActivitySummary
from exclusion.summaries.selectors import summary_get
from exclusion.workbench import selectors
from exclusion.workbench.filters import PatientFilterSet
from patients import access
from patients import selectors as patient_selectors
from patients.episode_inputs import episode_inputs
from patients.models import Episode

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
    filterset = PatientFilterSet(params, queryset=patients)
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
        },
    )


@login_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_selectors.patient_get(user=request.user, patient_id=patient_id)
    timeline = selectors.patient_timeline(patient=patient)
    latest_episode, latest_assessment = timeline[-1] if timeline else (None, None)
    summary = summary_get(patient_id=patient.id)
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "timeline": list(reversed(timeline)),
            "latest_episode": latest_episode,
            "latest_assessment": latest_assessment,
            "charts": _trend_series([episode for episode, _ in timeline], summary),
            "can_edit": access.can_edit_clinical(request.user, patient.site_id),
            "summary": summary,
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
    """The measures followed over time, one chart each (the activity summary's trend)."""
    rows = _trend_rows(episodes, summary)
    days = [datetime.date.fromisoformat(row["assessed_on"]) for row in rows]

    def series(column: str) -> list:
        return [(day, row.get(column)) for day, row in zip(days, rows, strict=True)]

    return [
        {"key": "crp", "title": "CRP", "unit": "mg/L", "points": series("crp_mg_l"), "y_max": None},
        {"key": "esr", "title": "ESR", "unit": "mm/h", "points": series("esr_mm_h"), "y_max": None},
        {
            "key": "active_lesions",
            "title": "Active lesions",
            "unit": "",
            "points": series("active_lesions"),
            "y_max": None,
        },
        {"key": "pain", "title": "Pain (VAS)", "unit": "0–10", "points": series("pain_vas"), "y_max": 10},
        {
            "key": "physician_global",
            "title": "Physician global (VAS)",
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
        },
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """Every rule the engine applies, with its explanation and source."""
    catalogue = engine.rule_catalogue()
    groups = []
    for group in vocabulary.RULE_GROUPS:
        groups.append((group.label, [rule for rule in catalogue if rule["id"].startswith(group.prefix)]))
    grouped = {rule["id"] for _, items in groups for rule in items}
    rest = [rule for rule in catalogue if rule["id"] not in grouped]
    if rest:
        groups.append(("Other", rest))
    return render(
        request,
        "patients/rules.html",
        {"groups": groups, "ruleset": engine.RULESET_VERSION, "count": len(catalogue)},
    )
