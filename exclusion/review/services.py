"""Services of the review queue: flags follow assessments; reviewers assign, comment, decide and sign off.

Every change to a flag writes a FlagEvent with the acting user and the time, in the same transaction.
Only reviewers of the flag's site act; the caller has already found the flag through a scoped selector
(another site's flag is a 404 there, before any service runs).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from exclusion.assessments.models import Assessment
from exclusion.review import tasks as review_tasks  # imported here so the worker registers the tasks
from exclusion.review.models import (
    COMMENT_MAX_LENGTH,
    PRIORITY_LABELS,
    Decision,
    Flag,
    FlagEvent,
    FlagEventKind,
    FlagStatus,
    NotIndicatedReason,
    SignOff,
    in_text,
    priority_for,
)
from exclusion.summaries.services import summary_after_change
from patients.access import Actor, can_review
from patients.audit import current_actor
from patients.choices import Role
from patients.models import Episode
from patients.services import StaleVersionError

logger = logging.getLogger(__name__)


class FlagStateError(Exception):
    """The action does not fit the flag's current status (e.g. deciding a decided flag)."""


def flag_reasons(result: dict[str, Any]) -> list[str]:
    """The reasons to review an assessment: biopsy reasons (when a biopsy is recommended), then every
    differential in `concern` as `<differential>_concern`, without duplicates, in that order.

    Biopsy reasons count only while a biopsy is recommended: with an adequate biopsy on file they are
    still reported by the engine but no longer call for review on their own.
    """
    reasons: list[str] = []
    biopsy = result.get("biopsy") or {}
    if biopsy.get("recommended"):
        reasons.extend(biopsy.get("reasons") or [])
    for name, differential in (result.get("differentials") or {}).items():
        if differential.get("status") == "concern":
            reasons.append(f"{name}_concern")
    return list(dict.fromkeys(reasons))


def _event(
    flag: Flag, kind: str, actor: Actor, *, text: str = "", detail: dict[str, Any] | None = None
) -> FlagEvent:
    return FlagEvent.objects.create(
        flag=flag,
        kind=kind,
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        text=text,
        detail=detail or {},
    )


def _require_reviewer(actor: Actor, flag_site_id: int) -> None:
    if not can_review(actor, flag_site_id):
        raise PermissionDenied(_("Only reviewers of this site can act on its flags."))


@transaction.atomic
def flag_sync(*, episode: Episode, assessment: Assessment) -> Flag | None:
    """Make the episode's flag follow its latest assessment. Idempotent: an unchanged assessment changes
    nothing. Events are attributed to whoever changed the data (None: a system job)."""
    actor = current_actor()
    reasons = flag_reasons(assessment.result)
    flag = Flag.objects.select_for_update().filter(episode=episode).order_by("-id").first()
    now = timezone.now()

    if flag is None or flag.status == FlagStatus.RESOLVED:
        # A resolved flag stays closed; reasons that come back raise a new one.
        if not reasons:
            return flag
        flag = Flag.objects.create(
            site_id=episode.patient.site_id,
            patient_id=episode.patient_id,
            episode=episode,
            assessment=assessment,
            reasons=reasons,
            priority=priority_for(reasons),
            opened_at=now,
        )
        _event(flag, FlagEventKind.CREATED, actor, detail={"reasons": reasons, "assessment": assessment.pk})
        _notify_on_commit(flag)
        return flag

    before = list(flag.reasons)
    if set(before) == set(reasons):
        if flag.assessment_id != assessment.pk:  # same reasons, newer facts for the queue row
            flag.assessment = assessment
            flag.save(update_fields=["assessment", "updated_at"])
        return flag

    flag.assessment = assessment

    change = {"before": before, "after": reasons, "assessment": assessment.pk}
    if not reasons:
        flag.status = FlagStatus.RESOLVED
        flag.save()
        _event(flag, FlagEventKind.AUTO_RESOLVED, actor, detail=change)
        return flag

    flag.reasons = reasons
    flag.priority = priority_for(reasons)
    if flag.status == FlagStatus.DECIDED:
        # The decision was about other reasons: the flag goes back to the queue (decision kept in history).
        flag.status = FlagStatus.OPEN
        flag.opened_at = now
        _clear_decision(flag)
        flag.save()
        _event(flag, FlagEventKind.REOPENED, actor, detail=change)
        _notify_on_commit(flag)
    else:
        flag.save()
        _event(flag, FlagEventKind.REASONS_CHANGED, actor, detail=change)
    return flag


@transaction.atomic
def flags_resolve_orphans(*, patient_id: int) -> int:
    """After an episode is deleted: its open or decided flags (episode now null) resolve, with a record."""
    actor = current_actor()
    flags = Flag.objects.select_for_update().filter(
        patient_id=patient_id, episode__isnull=True, status__in=[FlagStatus.OPEN, FlagStatus.DECIDED]
    )
    count = 0
    for flag in flags:
        before = list(flag.reasons)
        flag.status = FlagStatus.RESOLVED
        flag.save()
        _event(flag, FlagEventKind.AUTO_RESOLVED, actor, detail={"before": before, "why": "episode_deleted"})
        count += 1
    return count


def _clear_decision(flag: Flag) -> None:
    flag.decision = ""
    flag.decision_reason_code = ""
    flag.decision_diagnosis = ""
    flag.decision_comment = ""
    flag.decided_by = None
    flag.decided_at = None


def _locked(flag: Flag) -> Flag:
    return Flag.objects.select_for_update().get(pk=flag.pk)


@transaction.atomic
def flag_assign(*, actor: Actor, flag: Flag, assignee: User | None) -> Flag:
    """Assign the flag to a reviewer of its site (the actor or a team-mate); None unassigns."""
    _require_reviewer(actor, flag.site_id)
    flag = _locked(flag)
    if assignee is not None and not can_review(assignee, flag.site_id):
        raise ValidationError({"assignee": _("The assignee must be a reviewer at this flag's site.")})
    if flag.status == FlagStatus.RESOLVED:
        raise FlagStateError(_("This flag resolved itself; there is nothing left to assign."))
    if flag.assignee_id == (assignee.pk if assignee else None):
        return flag
    flag.assignee = assignee
    flag.save(update_fields=["assignee", "updated_at"])
    _event(
        flag,
        FlagEventKind.ASSIGNED,
        actor,
        detail={"assignee": assignee.get_username() if assignee else None},
    )
    return flag


@transaction.atomic
def flag_comment(*, actor: Actor, flag: Flag, text: str) -> FlagEvent:
    _require_reviewer(actor, flag.site_id)
    flag = _locked(flag)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment before saving it.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": _too_long(text)})
    return _event(flag, FlagEventKind.COMMENTED, actor, text=text)


def _too_long(text: str) -> str:
    return _("At most %(limit)s characters (this one has %(length)s).") % {
        "limit": formats.number_format(COMMENT_MAX_LENGTH, force_grouping=True),
        "length": formats.number_format(len(text), force_grouping=True),
    }


def decision_errors(decision: str, reason_code: str, comment: str, diagnosis: str) -> dict[str, str]:
    """Field errors for a decision, all at once (shared by the form and the API through the service)."""
    errors: dict[str, str] = {}
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = _too_long(comment)
    if decision not in Decision.values:
        errors["decision"] = _("Choose one of: %(codes)s.") % {"codes": ", ".join(Decision.values)}
        return errors
    if decision == Decision.BIOPSY_NOT_INDICATED:
        if not reason_code:
            errors["reason_code"] = _(
                "A coded reason is required when a biopsy is not indicated (one of: %(codes)s)."
            ) % {"codes": ", ".join(NotIndicatedReason.values)}
        elif reason_code not in NotIndicatedReason.values:
            errors["reason_code"] = _("Unknown reason; choose one of: %(codes)s.") % {
                "codes": ", ".join(NotIndicatedReason.values)
            }
        if not comment:
            errors["comment"] = _("A comment is required when a biopsy is not indicated: say why.")
    elif reason_code:
        errors["reason_code"] = _("A coded reason belongs only to the decision %(code)s.") % {
            "code": Decision.BIOPSY_NOT_INDICATED.value
        }
    if decision == Decision.ALTERNATIVE_DIAGNOSIS:
        if not diagnosis:
            errors["diagnosis"] = _("Name the alternative diagnosis.")
    elif diagnosis:
        errors["diagnosis"] = _("A diagnosis belongs only to the decision %(code)s.") % {
            "code": Decision.ALTERNATIVE_DIAGNOSIS.value
        }
    return errors


def _clean_decision(
    decision: str, reason_code: str, comment: str, diagnosis: str, *, revising: bool = False
) -> tuple[str, str, str]:
    reason_code, comment, diagnosis = (
        (reason_code or "").strip(),
        (comment or "").strip(),
        (diagnosis or "").strip(),
    )
    errors = decision_errors(decision, reason_code, comment, diagnosis)
    if revising and not comment and "comment" not in errors:
        errors["comment"] = _("Say why the decision is revised (the earlier one stays in the history).")
    if errors:
        raise ValidationError(errors)
    return reason_code, comment, diagnosis


def _record_decision(
    flag: Flag, kind: str, actor: Actor, decision: str, reason_code: str, comment: str, diagnosis: str
) -> Flag:
    previous = (
        {
            "decision": flag.decision,
            "reason_code": flag.decision_reason_code,
            "diagnosis": flag.decision_diagnosis,
            "decided_at": flag.decided_at.isoformat() if flag.decided_at else None,
        }
        if kind == FlagEventKind.REVISED
        else None
    )
    flag.status = FlagStatus.DECIDED
    flag.decision = decision
    flag.decision_reason_code = reason_code
    flag.decision_diagnosis = diagnosis
    flag.decision_comment = comment
    flag.decided_by = actor
    flag.decided_at = timezone.now()
    flag.save()
    detail: dict[str, Any] = {
        "decision": decision,
        "reason_code": reason_code,
        "diagnosis": diagnosis,
        "reasons": flag.reasons,
    }
    if previous is not None:
        detail["previous"] = previous
    _event(flag, kind, actor, text=comment, detail=detail)
    return flag


@transaction.atomic
def flag_decide(
    *,
    actor: Actor,
    flag: Flag,
    decision: str,
    reason_code: str = "",
    comment: str = "",
    diagnosis: str = "",
) -> Flag:
    """Record a reviewer's decision on an open flag; ValidationError names each wrong field."""
    _require_reviewer(actor, flag.site_id)
    reason_code, comment, diagnosis = _clean_decision(decision, reason_code, comment, diagnosis)
    flag = _locked(flag)
    if flag.status != FlagStatus.OPEN:
        message = _("Only an open flag can be decided; this one is %(status)s.") % {
            "status": flag.status_in_text
        }
        if flag.status == FlagStatus.DECIDED:
            message += " " + _("Revise the decision instead.")
        raise FlagStateError(message)
    flag = _record_decision(flag, FlagEventKind.DECIDED, actor, decision, reason_code, comment, diagnosis)
    # The patient's activity summary shows whether a flag is open: refresh it now, not at the next sweep.
    summary_after_change(patient_id=flag.patient_id)
    return flag


@transaction.atomic
def flag_revise(
    *,
    actor: Actor,
    flag: Flag,
    decision: str,
    reason_code: str = "",
    comment: str = "",
    diagnosis: str = "",
) -> Flag:
    """Replace a decided flag's current decision with a new one, saying why (a comment is required).

    The earlier decision is never overwritten in the history: it keeps its own event, and the new one is a
    `revised` event naming what it replaced. The flag stays decided (nothing re-enters the queue).
    """
    _require_reviewer(actor, flag.site_id)
    reason_code, comment, diagnosis = _clean_decision(
        decision, reason_code, comment, diagnosis, revising=True
    )
    flag = _locked(flag)
    if flag.status != FlagStatus.DECIDED:
        raise FlagStateError(
            _("Only a decided flag can be revised; this one is %(status)s.") % {"status": flag.status_in_text}
        )
    return _record_decision(flag, FlagEventKind.REVISED, actor, decision, reason_code, comment, diagnosis)


# --- Telling the reviewers ------------------------------------------------------------------------------


def _notify_on_commit(flag: Flag) -> None:
    """After the opening commits, ask a worker to email the site's reviewers (never inside the save)."""
    transaction.on_commit(functools.partial(_send_notify, flag.pk))


def _send_notify(flag_id: int) -> None:
    # The flag has committed; a broker failure must not turn the clinician's save into an error page.
    try:
        review_tasks.notify_flag_opened.delay(flag_id)
    except Exception as exc:  # noqa: BLE001 - any broker/transport error
        logger.warning("Review notification for flag %s not enqueued (%s).", flag_id, type(exc).__name__)


def flag_url(flag: Flag) -> str:
    """The flag page's absolute address, for emails (a worker has no request to take the host from)."""
    return settings.SITE_URL.rstrip("/") + reverse("review:flag", args=[flag.pk])


def flag_notify_reviewers(*, flag_id: int) -> int:
    """Email each reviewer of the flag's site that it opened (or reopened); returns how many were sent.

    Once per opening: `notified_opening` records the `opened_at` told about, under the row lock, so a
    retried or duplicated message sends nothing. Nothing is sent for a flag no longer open. The email names
    no patient (not even the record number): the link leads to the flag behind the login.
    """
    with transaction.atomic():
        flag = Flag.objects.select_for_update().select_related("site").filter(pk=flag_id).first()
        if flag is None or flag.status != FlagStatus.OPEN or flag.notified_opening == flag.opened_at:
            return 0
        reopened = (
            flag.events.filter(kind__in=[FlagEventKind.CREATED, FlagEventKind.REOPENED])
            .order_by("-id")
            .values_list("kind", flat=True)
            .first()
            == FlagEventKind.REOPENED
        )
        # Each reviewer's address with the language they chose (None or blank: none chosen).
        recipients = list(
            User.objects.filter(
                memberships__site_id=flag.site_id, memberships__role=Role.REVIEWER, is_active=True
            )
            .exclude(email="")
            .order_by("pk")
            .values_list("email", "preference__language")
            .distinct()
        )
        if recipients:
            get_connection().send_messages(
                [
                    _notification(flag, reopened=reopened, to=address, language=language)
                    for address, language in recipients
                ]
            )
        Flag.objects.filter(pk=flag.pk).update(notified_opening=flag.opened_at)
    return len(recipients)


def _notification(flag: Flag, *, reopened: bool, to: str, language: str | None = None) -> EmailMessage:
    """The email to one reviewer, in the language they chose (none chosen: the site's default)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        site = flag.site.code
        if reopened:
            subject = _("[CNO workbench] A review flag reopened at %(site)s") % {"site": site}
        else:
            subject = _("[CNO workbench] A review flag opened at %(site)s") % {"site": site}
        params = {
            "site": site,
            "group": in_text(PRIORITY_LABELS.get(flag.priority) or _("Other")),
            # The date as the reader writes it (English keeps the ISO form the emails always had).
            "opened": dateformat.format(
                timezone.localtime(flag.opened_at), pgettext("review email date", "Y-m-d H:i")
            ),
        }
        if reopened:
            sentence = _(
                "A case at %(site)s was flagged again for rheumatology review (%(group)s group) "
                "on %(opened)s."
            )
        else:
            sentence = _(
                "A case at %(site)s was flagged for rheumatology review (%(group)s group) on %(opened)s."
            )
        open_it = _("Open the flag (sign-in required):")
        why = _("You receive this because you are a reviewer at this site.")
        not_diagnosis = _("Decision support, not diagnosis.")
        body = f"{sentence % params}\n\n{open_it}\n{flag_url(flag)}\n\n{why} {not_diagnosis}\n"
    return EmailMessage(subject=subject, body=body, to=[to])


@transaction.atomic
def episode_sign_off(
    *, actor: User, episode: Episode, expected_version: int | None = None, comment: str = ""
) -> SignOff:
    """A reviewer signs off the episode's work-up at the version they saw.

    Refused while the episode has an open flag (decide it first) and when the episode changed since the
    reviewer loaded it (`expected_version`), so a sign-off never covers data nobody looked at.
    """
    site_id = episode.patient.site_id
    if not can_review(actor, site_id):
        raise PermissionDenied(_("Only reviewers of this site can sign off a work-up."))
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if expected_version is not None and episode.version != expected_version:
        raise StaleVersionError(episode.version)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError({"comment": _too_long(comment)})
    if Flag.objects.filter(episode=episode, status=FlagStatus.OPEN).exists():
        raise ValidationError(
            {"__all__": _("This episode has an open review flag: decide it before signing off.")}
        )
    return SignOff.objects.create(
        episode=episode,
        site_id=site_id,
        signed_by=actor,
        signed_by_label=actor.get_username(),
        episode_version=episode.version,
        comment=comment,
    )
