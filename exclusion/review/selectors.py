"""Read paths of the review queue. Every selector takes the user and scopes to their sites."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from exclusion.review.filters import FlagFilters
from exclusion.review.models import Flag, FlagEvent, FlagEventKind, FlagStatus, SignOff
from patients import access
from patients.access import Viewer
from patients.choices import Role
from patients.models import Episode


def _scoped(user: Viewer) -> QuerySet[Flag]:
    return access.scope_to_user(Flag.objects.all(), user)


def _filtered(
    queryset: QuerySet[Flag], filters: FlagFilters, user: Viewer, *, with_status: bool
) -> QuerySet[Flag]:
    if with_status and filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.reason:
        # Matching the quoted code in the JSON text works on PostgreSQL and SQLite alike.
        queryset = queryset.filter(reasons__icontains=f'"{filters.reason}"')
    if filters.site_id:
        queryset = queryset.filter(site_id=filters.site_id)
    if filters.assignee == "me":
        # Nobody signed in has no flags of their own.
        me = user.pk if user is not None else None
        queryset = queryset.filter(assignee_id=me) if me is not None else queryset.none()
    elif filters.assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif isinstance(filters.assignee, int):
        queryset = queryset.filter(assignee_id=filters.assignee)
    return queryset


def flag_list(*, user: Viewer, filters: FlagFilters | None = None) -> QuerySet[Flag]:
    """Flags the user can see, riskiest first (priority, then longest open): one query."""
    queryset = _filtered(_scoped(user), filters or FlagFilters(status=None), user, with_status=True)
    return queryset.select_related("site", "patient", "assessment", "assignee", "decided_by").order_by(
        "priority", "opened_at", "id"
    )


def flag_counts(*, user: Viewer, filters: FlagFilters | None = None) -> dict[str, int]:
    """How many flags per status under the other filters: one query."""
    queryset = _filtered(_scoped(user), filters or FlagFilters(status=None), user, with_status=False)
    counts = queryset.aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in FlagStatus.values}, all=Count("id")
    )
    return counts


@dataclass(frozen=True)
class Worklist:
    flags: QuerySet[Flag]
    counts: dict[str, int]


def worklist_list(*, user: Viewer, filters: FlagFilters) -> Worklist:
    return Worklist(
        flags=flag_list(user=user, filters=filters), counts=flag_counts(user=user, filters=filters)
    )


def flag_get(*, user: Viewer, flag_id: int) -> Flag:
    """The flag with its history if the user can see its site; Http404 otherwise (never 403)."""
    queryset = flag_list(user=user).prefetch_related(
        Prefetch("events", queryset=FlagEvent.objects.select_related("actor").order_by("at", "id"))
    )
    return get_object_or_404(queryset, pk=flag_id)


def flags_for_episodes(*, user: Viewer, episode_ids: Iterable[int]) -> dict[int, Flag]:
    """The newest flag of each episode the user can see (any status), keyed by episode id: one query.

    For the patient and episode pages: clinicians see the flag and its decision there, read-only.
    """
    newest: dict[int, Flag] = {}
    rows = _scoped(user).filter(episode_id__in=list(episode_ids)).select_related("decided_by", "assignee")
    for flag in rows.order_by("episode_id", "-id"):
        if flag.episode_id is not None:  # (the filter above already excludes deleted episodes)
            newest.setdefault(flag.episode_id, flag)
    return newest


@dataclass(frozen=True)
class ReviewStatus:
    """What the episode and patient pages say about an episode's review: the newest flag (any status)
    with its reasons and decision labelled, and the latest sign-off."""

    flag: Flag
    reasons: list[str]  # labels of the engine's vocabulary
    revised: bool  # the current decision replaced an earlier one (both are in the flag's history)
    signoff: SignOffSummary | None

    @property
    def signed_off_before_decision(self) -> bool:
        """The sign-off predates the current decision (it was revised afterwards)."""
        decided_at = self.flag.decided_at
        return bool(self.signoff and decided_at and self.signoff.signed_at < decided_at)


def review_status_for_episode(*, user: Viewer, episode: Episode) -> ReviewStatus | None:
    """The episode's review status if the user can see its site (None: no flag, or not theirs): one query
    (the latest sign-off and whether the decision was revised come as subqueries)."""
    signoff = SignOff.objects.filter(episode_id=OuterRef("episode_id")).order_by("-id")
    revisions = FlagEvent.objects.filter(flag_id=OuterRef("pk"), kind=FlagEventKind.REVISED)
    flag = (
        _scoped(user)
        .filter(episode_id=episode.pk)
        .select_related("decided_by", "assignee")
        .annotate(
            latest_signoff=Subquery(
                signoff.values(
                    json=JSONObject(
                        by="signed_by_label", at="signed_at", version="episode_version", comment="comment"
                    )
                )[:1]
            ),
            revision_id=Subquery(revisions.values("id")[:1]),
        )
        .order_by("-id")
        .first()
    )
    if flag is None:
        return None
    row = flag.latest_signoff
    summary = None
    if row:
        signed_at = row["at"] if isinstance(row["at"], datetime.datetime) else parse_datetime(row["at"])
        if signed_at is not None and timezone.is_naive(signed_at):  # SQLite's JSON keeps no offset
            signed_at = timezone.make_aware(signed_at, datetime.UTC)
        summary = SignOffSummary(
            signed_by=row["by"],
            signed_at=signed_at,  # type: ignore[arg-type]
            episode_version=row["version"],
            current_version=episode.version,
            comment=row["comment"],
        )
    return ReviewStatus(
        flag=flag,
        reasons=flag.reason_labels,
        revised=flag.revision_id is not None and flag.status == FlagStatus.DECIDED,
        signoff=summary,
    )


def reviewers_of_site(*, site_id: int) -> list[User]:
    """Who can be assigned a flag of the site."""
    return list(
        get_user_model()
        .objects.filter(memberships__site_id=site_id, memberships__role=Role.REVIEWER, is_active=True)
        .order_by("username")
    )


@dataclass(frozen=True)
class SignOffSummary:
    signed_by: str
    signed_at: datetime.datetime
    episode_version: int
    current_version: int
    comment: str

    @property
    def changed_since(self) -> bool:
        """True when the episode was edited after the sign-off."""
        return self.current_version > self.episode_version


def signoff_for_episodes(episode_ids: Iterable[int]) -> dict[int, SignOffSummary]:
    """The latest sign-off of each episode, keyed by episode id: one query whatever the count.

    Callers pass ids they already scoped to the user (sign-offs carry no clinical data of their own).
    """
    ids = list(episode_ids)
    if not ids:
        return {}
    rows = (
        SignOff.objects.filter(episode_id__in=ids)
        .select_related("episode")
        .only("episode_id", "episode__version", "signed_by_label", "signed_at", "episode_version", "comment")
        .order_by("episode_id", "-id")
    )
    latest: dict[int, SignOffSummary] = {}
    for row in rows:
        if row.episode_id not in latest:
            latest[row.episode_id] = SignOffSummary(
                signed_by=row.signed_by_label,
                signed_at=row.signed_at,
                episode_version=row.episode_version,
                current_version=row.episode.version,
                comment=row.comment,
            )
    return latest


@dataclass(frozen=True)
class CaseFacts:
    age_years: float | None
    focality: str
    bones: list[str]
    crp_mg_l: float | None
    assessed_on: str | None


def case_facts(flag: Flag) -> CaseFacts:
    """The key facts of a flag's case, from the assessed case document (no extra query)."""
    if flag.assessment is None:
        return CaseFacts(age_years=None, focality="", bones=[], crp_mg_l=None, assessed_on=None)
    doc = flag.assessment.case
    episode = doc.get("episode", {})
    birth, assessed = doc.get("patient", {}).get("birth_date"), episode.get("assessed_on")
    if birth and assessed:
        days = (datetime.date.fromisoformat(assessed) - datetime.date.fromisoformat(birth)).days
        age = round(days / 365.25, 1)
    else:
        age = episode.get("age_years")
    bones: list[str] = []
    for lesion in episode.get("lesions", []):
        label = " ".join(part for part in (lesion.get("site", ""), lesion.get("level", "")) if part)
        side = lesion.get("side", "midline")
        label += f" ({side})" if side != "midline" else ""
        if label not in bones:
            bones.append(label)
    return CaseFacts(
        age_years=age,
        focality=flag.assessment.focality,
        bones=bones,
        crp_mg_l=(episode.get("labs") or {}).get("crp_mg_l"),
        assessed_on=assessed,
    )
