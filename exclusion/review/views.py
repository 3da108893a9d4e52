"""Browser views of the review queue (thin: they call selectors and services and render)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from exclusion.review.filters import FlagFilterForm, FlagFilters
from exclusion.review.forms import AssignForm, CommentForm, DecisionForm, SignOffForm
from exclusion.review.models import (
    PRIORITY_LABELS,
    Decision,
    Flag,
    FlagEvent,
    FlagEventKind,
    FlagReason,
    FlagStatus,
    NotIndicatedReason,
)
from exclusion.review.selectors import (
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
from patients.selectors import episode_get
from patients.services import StaleVersionError

REASON_LABELS = dict(FlagReason.choices)
DECISION_LABELS = dict(Decision.choices)
NOT_INDICATED_LABELS = dict(NotIndicatedReason.choices)
QUEUE_LIMIT = 200


def _label(labels: dict[str, str], code: str | None) -> str:
    return labels.get(code or "", (code or "").replace("_", " "))


def _history(events: list[FlagEvent]) -> list[dict[str, Any]]:
    """The flag's events with every code as its label (reasons, decisions, coded reasons)."""

    def reasons(codes: list[str] | None) -> str:
        return ", ".join(_label(REASON_LABELS, code) for code in codes or []) or "none"

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
        row: dict[str, Any] = {"event": event, "summary": ""}
        if event.kind == FlagEventKind.CREATED:
            row["summary"] = f"reasons: {reasons(detail.get('reasons'))}"
        elif event.kind in (
            FlagEventKind.REASONS_CHANGED,
            FlagEventKind.REOPENED,
            FlagEventKind.AUTO_RESOLVED,
        ):
            row["summary"] = f"{reasons(detail.get('before'))} → {reasons(detail.get('after'))}"
            if detail.get("why") == "episode_deleted":
                row["summary"] = f"{reasons(detail.get('before'))} (episode deleted)"
        elif event.kind == FlagEventKind.ASSIGNED:
            row["summary"] = f"to {detail.get('assignee') or 'nobody'}"
        elif event.kind == FlagEventKind.DECIDED:
            row["summary"] = decision(detail)
        elif event.kind == FlagEventKind.REVISED:
            row["summary"] = f"{decision(detail)} (replacing {decision(detail.get('previous') or {})})"
        rows.append(row)
    return rows


def _reasons(flag: Flag) -> list[dict[str, Any]]:
    return [
        {"code": code, "label": REASON_LABELS.get(code, code), "concern": code.endswith("_concern")}
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
            "facts": case_facts(flag),
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
        "facts": case_facts(flag),
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
            decision = _label(DECISION_LABELS, form.cleaned_data["decision"]).lower()
            messages.success(request, f"Decision recorded for {flag.patient.record_number}: {decision}.")
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
    form.fields["comment"].label = "Why the decision is revised"
    form.fields["comment"].help_text = "Required: the earlier decision stays in the history."
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
            decision = _label(DECISION_LABELS, form.cleaned_data["decision"]).lower()
            messages.success(request, f"Decision revised: {decision}. The earlier one stays in the history.")
            return redirect("review:flag", flag_id=flag.pk)
    form.fields["comment"].label = "Why the decision is revised"
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
            messages.success(request, "Comment added.")
            return redirect("review:flag", flag_id=flag.pk)
    return _detail(request, flag, status=400, comment_form=form)


@login_required
@require_POST
def flag_assign_view(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = flag_get(user=request.user, flag_id=flag_id)
    if not access.can_review(request.user, flag.site_id):
        raise PermissionDenied("Only reviewers of this site can assign its flags.")
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
            who = flag.assignee.get_username() if flag.assignee else "nobody"
            messages.success(request, f"Assigned to {who}.")
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
        messages.error(request, "The sign-off form was incomplete; reload the page and try again.")
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
            request, "The episode changed since you opened it: review the new data, then sign off."
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Work-up signed off (episode version {episode.version}).")
    return redirect(back)
