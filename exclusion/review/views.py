"""Browser views of the review queue (thin: they call selectors and services and render)."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from exclusion.review.filters import FlagFilterForm, FlagFilters
from exclusion.review.forms import AssignForm, CommentForm, DecisionForm, SignOffForm
from exclusion.review.models import (
    PRIORITY_LABELS,
    Decision,
    Flag,
    FlagEvent,
    FlagEventKind,
    FlagStatus,
    NotIndicatedReason,
    flag_reason_label,
    in_text,
)
from exclusion.review.selectors import (
    CaseFacts,
    case_facts,
    flag_counts,
    flag_get,
    reviewers_of_site,
    signoff_for_episodes,
    worklist_list,
)
from exclusion.review.services import (
    FlagStateError,
    episode_sign_off,
    flag_assign,
    flag_comment,
    flag_decide,
    flag_revise,
)
from patients import access
from patients.choices import BoneSite
from patients.selectors import episode_get
from patients.services import StaleVersionError

DECISION_LABELS = dict(Decision.choices)
NOT_INDICATED_LABELS = dict(NotIndicatedReason.choices)
QUEUE_LIMIT = 200


def _label(labels: dict[str, Any], code: str | None) -> str:
    return str(labels.get(code or "", (code or "").replace("_", " ")))


# The queue's focality column: the case's code, named in the page's language (English shows the code).
FOCALITY_LABELS = {
    "none": pgettext_lazy("focality", "none"),
    "unifocal": pgettext_lazy("focality", "unifocal"),
    "multifocal": pgettext_lazy("focality", "multifocal"),
}


SIDE_LABELS = {"left": pgettext_lazy("side", "left"), "right": pgettext_lazy("side", "right")}


def _bone(lesion: dict[str, Any]) -> str:
    """A bone as the queue names it: the site's code in English ("tibia (left)", as it always read), the
    site's name in any other language ("Tibia (links)")."""
    site = lesion.get("site", "")
    if not (translation.get_language() or "en").startswith("en"):
        site = str(dict(BoneSite.choices).get(site, site))
    label = " ".join(part for part in (site, lesion.get("level", "")) if part)
    side = lesion.get("side", "midline")
    if side != "midline":
        label += f" ({SIDE_LABELS.get(side, side)})"
    return label


def _facts(flag: Flag) -> CaseFacts:
    """The case's key facts (selectors.case_facts, which the API serves in English) in the page's language."""
    facts = case_facts(flag)
    lesions = (flag.assessment.case.get("episode", {}).get("lesions", []) if flag.assessment else []) or []
    return dataclasses.replace(
        facts,
        # A date, so the page writes it as its language does (English: 2024-05-10, as before).
        assessed_on=datetime.date.fromisoformat(facts.assessed_on) if facts.assessed_on else None,  # type: ignore[arg-type]
        focality=str(FOCALITY_LABELS.get(facts.focality, facts.focality)),
        bones=list(dict.fromkeys(_bone(lesion) for lesion in lesions)),
    )


def _history(events: list[FlagEvent]) -> list[dict[str, Any]]:
    """The flag's events with every code as its label (reasons, decisions, coded reasons)."""

    def reasons(codes: list[str] | None) -> str:
        return ", ".join(flag_reason_label(code) for code in codes or []) or _("none")

    def decision(detail: dict[str, Any]) -> str:
        text = _label(DECISION_LABELS, detail.get("decision"))
        if detail.get("reason_code"):
            text += f" — {_label(NOT_INDICATED_LABELS, detail['reason_code'])}"
        if detail.get("diagnosis"):
            text += f": {detail['diagnosis']}"
        return text

    rows = []
    for event in events:
        detail = event.detail or {}
        # A system job's events are stored as "system" (the label is kept, not translated, in the row).
        actor = _("system") if event.actor_id is None and event.actor_label == "system" else event.actor_label
        row: dict[str, Any] = {"event": event, "summary": "", "actor": actor}
        if event.kind == FlagEventKind.CREATED:
            row["summary"] = _("reasons: %(reasons)s") % {"reasons": reasons(detail.get("reasons"))}
        elif event.kind in (
            FlagEventKind.REASONS_CHANGED,
            FlagEventKind.REOPENED,
            FlagEventKind.AUTO_RESOLVED,
        ):
            row["summary"] = f"{reasons(detail.get('before'))} → {reasons(detail.get('after'))}"
            if detail.get("why") == "episode_deleted":
                row["summary"] = _("%(reasons)s (episode deleted)") % {
                    "reasons": reasons(detail.get("before"))
                }
        elif event.kind == FlagEventKind.ASSIGNED:
            row["summary"] = _("to %(assignee)s") % {"assignee": detail.get("assignee") or _("nobody")}
        elif event.kind == FlagEventKind.DECIDED:
            row["summary"] = decision(detail)
        elif event.kind == FlagEventKind.REVISED:
            row["summary"] = _("%(decision)s (replacing %(previous)s)") % {
                "decision": decision(detail),
                "previous": decision(detail.get("previous") or {}),
            }
        rows.append(row)
    return rows


def _reasons(flag: Flag) -> list[dict[str, Any]]:
    return [
        {"code": code, "label": flag_reason_label(code), "concern": code.endswith("_concern")}
        for code in flag.reasons
    ]


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = FlagFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_valid() else FlagFilters()
    worklist = worklist_list(user=request.user, filters=filters)
    rows = [
        {
            "flag": flag,
            "facts": _facts(flag),
            "reasons": _reasons(flag),
            "group": PRIORITY_LABELS[flag.priority],
        }
        for flag in worklist.flags[:QUEUE_LIMIT]
    ]
    status_tabs = [
        {"value": value, "label": label, "count": worklist.counts[value], "current": filters.status == value}
        for value, label in FlagStatus.choices
    ]
    query = request.GET.copy()
    query.pop("status", None)
    narrowed = (
        bool(filters.reason or filters.site_id or filters.assignee) or filters.status != FlagStatus.OPEN
    )
    # An empty page under filters says how much is open at all (one query, only when nothing matched).
    open_at_my_sites = flag_counts(user=request.user)["open"] if not rows else None
    return render(
        request,
        "review/queue.html",
        {
            "form": form,
            "rows": rows,
            "counts": worklist.counts,
            "status_tabs": status_tabs,
            "filters": filters,
            "other_params": query.urlencode(),
            "truncated": worklist.counts["all"] > QUEUE_LIMIT and len(rows) == QUEUE_LIMIT,
            "is_reviewer": bool(access.site_ids(request.user, access.REVIEW_ROLES)),
            "narrowed": narrowed,
            "open_at_my_sites": open_at_my_sites,
        },
    )


def _detail(request: HttpRequest, flag: Flag, status: int = 200, **forms: Any) -> HttpResponse:
    can_act = access.can_review(request.user, flag.site_id)
    signoff = signoff_for_episodes([flag.episode_id]).get(flag.episode_id) if flag.episode_id else None
    context = {
        "flag": flag,
        "facts": _facts(flag),
        "reasons": _reasons(flag),
        "group": PRIORITY_LABELS[flag.priority],
        "events": list(flag.events.all()),
        "history": _history(list(flag.events.all())),
        "can_act": can_act,
        "signoff": signoff,
        "episode": flag.episode,
    }
    if can_act:
        reviewers = reviewers_of_site(site_id=flag.site_id)
        context.update(
            decision_form=forms.get("decision_form") or DecisionForm(),
            revise_form=forms.get("revise_form") or _revise_form(flag),
            comment_form=forms.get("comment_form") or CommentForm(),
            assign_form=forms.get("assign_form")
            or AssignForm(
                initial={"assignee": flag.assignee_id or ""}, reviewers=reviewers, user=request.user
            ),
            signoff_form=SignOffForm(initial={"expected_version": flag.episode.version})
            if flag.episode
            else None,
        )
    return render(request, "review/flag_detail.html", context, status=status)


@login_required
@require_GET
def flag_detail(request: HttpRequest, flag_id: int) -> HttpResponse:
    return _detail(request, flag_get(user=request.user, flag_id=flag_id))


@login_required
@require_POST
def flag_decide_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = flag_get(user=request.user, flag_id=flag_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            flag_decide(actor=request.user, flag=flag, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except FlagStateError as exc:
            messages.error(request, str(exc))
            return redirect("review:flag", flag_id=flag.pk)
        else:
            decision = in_text(_label(DECISION_LABELS, form.cleaned_data["decision"]))
            messages.success(
                request,
                _("Decision recorded for %(record)s: %(decision)s.")
                % {"record": flag.patient.record_number, "decision": decision},
            )
            return redirect("review:queue")
    return _detail(request, flag, status=400, decision_form=form)


def _revise_form(flag: Flag) -> DecisionForm:
    form = DecisionForm(
        prefix="revise",
        initial={
            "decision": flag.decision,
            "reason_code": flag.decision_reason_code,
            "diagnosis": flag.decision_diagnosis,
        },
    )
    form.fields["comment"].label = _("Why the decision is revised")
    form.fields["comment"].help_text = _("Required: the earlier decision stays in the history.")
    return form


@login_required
@require_POST
def flag_revise_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = flag_get(user=request.user, flag_id=flag_id)
    form = DecisionForm(request.POST, prefix="revise")
    if form.is_valid():
        try:
            flag_revise(actor=request.user, flag=flag, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except FlagStateError as exc:
            messages.error(request, str(exc))
            return redirect("review:flag", flag_id=flag.pk)
        else:
            decision = in_text(_label(DECISION_LABELS, form.cleaned_data["decision"]))
            messages.success(
                request,
                _("Decision revised: %(decision)s. The earlier one stays in the history.")
                % {"decision": decision},
            )
            return redirect("review:flag", flag_id=flag.pk)
    form.fields["comment"].label = _("Why the decision is revised")
    return _detail(request, flag, status=400, revise_form=form)


@login_required
@require_POST
def flag_comment_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = flag_get(user=request.user, flag_id=flag_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            flag_comment(actor=request.user, flag=flag, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Comment added."))
            return redirect("review:flag", flag_id=flag.pk)
    return _detail(request, flag, status=400, comment_form=form)


@login_required
@require_POST
def flag_assign_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = flag_get(user=request.user, flag_id=flag_id)
    if not access.can_review(request.user, flag.site_id):
        raise PermissionDenied(_("Only reviewers of this site can assign its flags."))
    data = request.POST.copy()
    if data.get("assignee") == "me":
        data["assignee"] = str(request.user.pk)
    form = AssignForm(data, reviewers=reviewers_of_site(site_id=flag.site_id), user=request.user)
    if form.is_valid():
        try:
            flag = flag_assign(actor=request.user, flag=flag, assignee=form.chosen())
        except ValidationError as exc:
            form.add_error(None, exc)
        except FlagStateError as exc:
            messages.error(request, str(exc))
            return redirect("review:flag", flag_id=flag.pk)
        else:
            who = flag.assignee.get_username() if flag.assignee else _("nobody")
            messages.success(request, _("Assigned to %(assignee)s.") % {"assignee": who})
            return redirect("review:flag", flag_id=flag.pk)
    return _detail(request, flag, status=400, assign_form=form)


@login_required
@require_POST
def episode_sign_off_view(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = episode_get(user=request.user, episode_id=episode_id)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    back = back or reverse("review:queue")
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The sign-off form was incomplete; reload the page and try again."))
        return redirect(back)
    try:
        episode_sign_off(
            actor=request.user,
            episode=episode,
            expected_version=form.cleaned_data["expected_version"],
            comment=form.cleaned_data["comment"],
        )
    except StaleVersionError:
        messages.error(
            request, _("The episode changed since you opened it: review the new data, then sign off.")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Work-up signed off (episode version %(version)s).") % {"version": episode.version}
        )
    return redirect(back)
