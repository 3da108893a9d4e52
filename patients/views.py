"""Browser views of the clinician workflow. Thin: they parse forms, call one selector or service, render.

Site scoping comes from the selectors (a record of another site is a 404); changing clinical records
needs a clinician or site-admin role at the record's site (patients.access.can_edit_clinical).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from exclusion import engine
from exclusion import selectors as exclusion_selectors
from patients import access, selectors, services
from patients.activity import PEDCNO_SOURCE
from patients.forms import (
    EPISODE_FIELDS,
    EpisodeForm,
    LesionFormSet,
    PatientForm,
    kept_lesion_forms,
    lesion_initial,
)
from patients.models import Episode, Patient
from patients.summary_selectors import summary_get
from patients.templatetags.cno_ui import SITE_SESSION_KEY, lesion_is_active, path_label

PAGE_SIZE = 25


def _working_site_id(request: HttpRequest) -> int | None:
    """The site chosen in the switcher, if the user still belongs to it."""
    site_id = request.session.get(SITE_SESSION_KEY)
    if site_id in access.site_ids(request.user):
        return site_id
    return None


@login_required
@require_POST
def site_switch(request: HttpRequest) -> HttpResponse:
    """Set the working site for this session (empty: all of the user's sites)."""
    value = request.POST.get("site", "")
    if value.isdigit() and int(value) in access.site_ids(request.user):
        request.session[SITE_SESSION_KEY] = int(value)
    else:
        request.session.pop(SITE_SESSION_KEY, None)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("patients:list")
    return redirect(target)


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    """The patients of the working site (or of all the user's sites), newest activity first."""
    user_sites = [membership.site for membership in access.memberships(request.user)]
    site_param = request.GET.get("site")
    if site_param is None:
        working = _working_site_id(request)
        site_param = str(working) if working else ""
    site_ids = [int(site_param)] if site_param.isdigit() else None
    filters = {
        "query": request.GET.get("q", "").strip(),
        "biopsy_recommended": request.GET.get("biopsy") == "1",
        "workup_incomplete": request.GET.get("incomplete") == "1",
        "open_review": request.GET.get("review") == "1",
    }
    patients = exclusion_selectors.patient_list_filtered(user=request.user, site_ids=site_ids, **filters)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = exclusion_selectors.assessments_latest_for(
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
            "filters": filters,
            "site_param": site_param,
            "user_sites": user_sites,
            "can_create": bool(access.site_ids(request.user, access.CLINICAL_EDIT_ROLES)),
            "query_without_page": query_without_page.urlencode(),
        },
    )


def _editable_sites(request: HttpRequest) -> list:
    sites = [m.site for m in access.memberships(request.user) if m.role in access.CLINICAL_EDIT_ROLES]
    working = _working_site_id(request)
    # The working site first, so it is the default choice.
    return sorted(sites, key=lambda site: site.id != working)


@login_required
def patient_create(request: HttpRequest) -> HttpResponse:
    sites = _editable_sites(request)
    if not sites:
        raise PermissionDenied("Only clinicians and site administrators can add patients.")
    form = PatientForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(
                actor=request.user,
                site=form.site(),
                record_number=form.cleaned_data["record_number"],
                sex=form.cleaned_data["sex"],
                birth_date=form.cleaned_data["birth_date"],
            )
        except ValidationError as exc:
            _add_validation_errors(form, exc)
        else:
            messages.success(
                request, f"Patient {patient.record_number} added. Enter the first episode below."
            )
            return redirect("patients:episode_create", patient_id=patient.id)
    return render(request, "patients/patient_form.html", {"form": form})


@login_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, patient_id=patient_id)
    timeline = exclusion_selectors.patient_timeline(patient=patient)
    latest_episode, latest_assessment = timeline[-1] if timeline else (None, None)
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "timeline": list(reversed(timeline)),
            "latest_episode": latest_episode,
            "latest_assessment": latest_assessment,
            "charts": _trend_series([episode for episode, _ in timeline]),
            "can_edit": access.can_edit_clinical(request.user, patient.site_id),
            "summary": summary_get(patient_id=patient.id),
            "pedcno_source": PEDCNO_SOURCE,
        },
    )


def _trend_series(episodes: list[Episode]) -> list[dict[str, Any]]:
    """The measures followed over time, one chart each; lesions come prefetched."""

    def series(value: Any) -> list:
        return [(episode.assessed_on, value(episode)) for episode in episodes]

    return [
        {"key": "crp", "title": "CRP", "unit": "mg/L", "points": series(lambda e: e.crp_mg_l), "y_max": None},
        {"key": "esr", "title": "ESR", "unit": "mm/h", "points": series(lambda e: e.esr_mm_h), "y_max": None},
        {
            "key": "active_lesions",
            "title": "Active lesions",
            "unit": "",
            "points": series(lambda e: sum(1 for lesion in e.lesions.all() if lesion_is_active(lesion))),
            "y_max": None,
        },
        {
            "key": "pain",
            "title": "Pain (VAS)",
            "unit": "0–10",
            "points": series(lambda e: e.pain_vas),
            "y_max": 10,
        },
        {
            "key": "physician_global",
            "title": "Physician global (VAS)",
            "unit": "0–10",
            "points": series(lambda e: e.physician_global_vas),
            "y_max": 10,
        },
    ]


@login_required
def episode_detail(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The episode's assessment: cards per differential, biopsy banner, Bristol and Jansson; `?print=1`."""
    episode = selectors.episode_get(user=request.user, episode_id=episode_id)
    assessment = exclusion_selectors.assessment_latest(episode_id=episode.id)
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
        },
    )


@login_required
def episode_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get(user=request.user, patient_id=patient_id)
    return _episode_form(request, patient, None)


@login_required
def episode_edit(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = selectors.episode_get(user=request.user, episode_id=episode_id)
    return _episode_form(request, episode.patient, episode)


def _episode_form(request: HttpRequest, patient: Patient, episode: Episode | None) -> HttpResponse:
    if not access.can_edit_clinical(request.user, patient.site_id):
        raise PermissionDenied("Your role at this site does not allow changing clinical records.")
    conflict = None
    if request.method == "POST":
        form = EpisodeForm(request.POST, patient=patient)
        formset = LesionFormSet(request.POST, prefix="lesions")
        if form.is_valid() and formset.is_valid():
            lesion_forms = kept_lesion_forms(formset)
            lesions = [lesion_form.lesion_data() for lesion_form in lesion_forms]
            try:
                if episode is None:
                    saved = services.episode_create(
                        actor=request.user,
                        patient=patient,
                        data=form.episode_data(),
                        lesions=lesions,
                        biopsy=form.biopsy_data(),
                    )
                else:
                    saved = services.episode_update(
                        actor=request.user,
                        episode_id=episode.id,
                        expected_version=_expected_version(request, form),
                        data=form.episode_data(),
                        lesions=lesions,
                        biopsy=form.biopsy_data(),
                    )
            except services.StaleVersionError as exc:
                conflict = _conflict(request, episode, form, exc.current_version)
            except services.CaseDocumentError as exc:
                _add_case_errors(form, lesion_forms, exc.errors)
            except ValidationError as exc:
                _add_validation_errors(form, exc)
            else:
                messages.success(request, "Episode saved and assessed.")
                return redirect("patients:episode_detail", episode_id=saved.id)
    elif episode is not None:
        form = EpisodeForm(initial=EpisodeForm.initial_for(episode), patient=patient)
        formset = LesionFormSet(initial=lesion_initial(episode), prefix="lesions")
    else:
        form = EpisodeForm(patient=patient)
        formset = LesionFormSet(prefix="lesions")
    status = 409 if conflict else 200
    return render(
        request,
        "patients/episode_form.html",
        {"form": form, "formset": formset, "patient": patient, "episode": episode, "conflict": conflict},
        status=status,
    )


def _expected_version(request: HttpRequest, form: EpisodeForm) -> int:
    # "Save mine over theirs" after a conflict names the version the user has now seen.
    overwrite = request.POST.get("overwrite_version", "")
    if overwrite.isdigit():
        return int(overwrite)
    return form.cleaned_data.get("version") or 0


def _conflict(request: HttpRequest, episode: Episode, form: EpisodeForm, current_version: int) -> dict:
    """What the other person saved that differs from this user's input, to decide with both in view."""
    current = selectors.episode_get(user=request.user, episode_id=episode.id)
    theirs = EpisodeForm.initial_for(current)
    yours = form.cleaned_data
    changes = []
    for name in EPISODE_FIELDS:
        if name in form.fields and theirs.get(name) != yours.get(name):
            changes.append(
                {"label": form.fields[name].label, "theirs": theirs.get(name), "yours": yours.get(name)}
            )
    return {"current_version": current_version, "changes": changes}


LESION_PATH = re.compile(r"^episode\.lesions\[(\d+)\](?:\.(\w+))?$")


def _add_case_errors(form: EpisodeForm, lesion_forms: list, errors: list[dict[str, str]]) -> None:
    """Put contract-shaped errors ({"path", "message"}) next to the field they name."""
    for error in errors:
        path, message = error["path"], error["message"]
        match = LESION_PATH.match(path)
        if match and int(match[1]) < len(lesion_forms):
            lesion_form = lesion_forms[int(match[1])]
            field = match[2] if match[2] in lesion_form.fields else None
            lesion_form.add_error(field, message)
            continue
        name = path.rsplit(".", 1)[-1]
        if path.startswith("episode.biopsy."):
            name = f"biopsy_{name}"
        if name in form.fields and path.startswith("episode."):
            form.add_error(name, message)
        else:
            form.add_error(None, f"{path_label(path)}: {message}")


def _add_validation_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


RULE_GROUPS = [
    ("INF-", "Infection"),
    ("MAL-", "Malignancy"),
    ("HPP-", "Hypophosphatasia"),
    ("SCU-", "Scurvy"),
    ("MONO-", "Monogenic autoinflammatory disease"),
    ("BIOPSY-", "Biopsy recommendation"),
    ("BRISTOL-", "Bristol criteria"),
    ("JANSSON-", "Jansson clinical score"),
]


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """Every rule the engine applies, with its explanation and source."""
    catalogue = engine.rule_catalogue()
    groups = []
    for prefix, title in RULE_GROUPS:
        groups.append((title, [rule for rule in catalogue if rule["id"].startswith(prefix)]))
    grouped = {rule["id"] for _, items in groups for rule in items}
    rest = [rule for rule in catalogue if rule["id"] not in grouped]
    if rest:
        groups.append(("Other", rest))
    return render(
        request,
        "patients/rules.html",
        {"groups": groups, "ruleset": engine.RULESET_VERSION, "count": len(catalogue)},
    )
