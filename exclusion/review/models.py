"""The rheumatology review queue: flags raised from assessments, their history, and work-up sign-offs.

A flag is never deleted: it resolves (when new data remove every reason) or is decided by a reviewer, and
every change is a FlagEvent (append-only). Deleting the episode keeps the flag (episode set to null).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from exclusion.engine import translations, vocabulary


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")
    RESOLVED = "resolved", _("Resolved (no reason left)")


class Decision(models.TextChoices):
    BIOPSY_ORDERED = "biopsy_ordered", _("Biopsy ordered")
    BIOPSY_NOT_INDICATED = "biopsy_not_indicated", _("Biopsy not indicated")
    ALTERNATIVE_DIAGNOSIS = "alternative_diagnosis", _("Alternative diagnosis")
    CNO_SUPPORTED = "cno_supported", _("CNO supported")


class NotIndicatedReason(models.TextChoices):
    """Why a reviewer judged a biopsy not indicated despite the engine's reasons."""

    TYPICAL_MULTIFOCAL_PATTERN = (
        "typical_multifocal_pattern",
        _("Typical multifocal pattern on whole-body MRI"),
    )
    CLAVICLE_TYPICAL_IMAGING = "clavicle_typical_imaging", _("Clavicle lesion with typical imaging")
    ASSOCIATED_CONDITION = (
        "associated_condition_psoriasis_ppp_ibd",
        _("Associated condition (psoriasis, PPP, IBD)"),
    )
    BIOPSY_ALREADY_ADEQUATE = "biopsy_already_adequate", _("An adequate biopsy is already available")
    OTHER = "other", _("Other (explained in the comment)")


def _reason_label(code: str) -> str:
    """A flag reason's label in the active language, from the engine's one catalogue of its words."""
    return translations.term_label("flag_reason", code, translation.get_language(), default=code)


# Lazy: the label is looked up when it is shown (a form's choices, the queue), not at import.
_reason_label_lazy = lazy(_reason_label, str)

# Codes a flag can carry: the assessment's biopsy reasons and `<differential>_concern`, with the labels of
# the engine's vocabulary (FlagReason.MALIGNANCY_CONCERN == "malignancy_concern", and so on).
FlagReason = models.TextChoices(
    "FlagReason",
    [(code.upper(), (code, _reason_label_lazy(code))) for code in vocabulary.FLAG_REASONS.codes],
)


def flag_reason_label(code: str) -> str:
    """A reason code's label in the active language (a code the vocabulary lacks is shown in words)."""
    if code in vocabulary.FLAG_REASONS:
        return _reason_label(code)
    return code.replace("_", " ")


# Queue order: lower first. Anything not named here (future codes included) ranks with "the rest".
_PRIORITY_REASONS = (
    FlagReason.MALIGNANCY_CONCERN,
    FlagReason.INFECTION_CONCERN,
    FlagReason.UNIFOCAL_NON_CLAVICULAR,
)
PRIORITY_BY_REASON = {code: rank for rank, code in enumerate(_PRIORITY_REASONS)}
PRIORITY_REST = len(_PRIORITY_REASONS)
# A queue group is named by the reason that ranks it.
PRIORITY_LABELS = {
    **{rank: _reason_label_lazy(code) for code, rank in PRIORITY_BY_REASON.items()},
    PRIORITY_REST: _("Other"),
}


def in_text(label: object) -> str:
    """A label inside a sentence: English lower-cases it ("biopsy ordered"); German keeps its capitals
    (nouns are capitalised)."""
    text = str(label)
    return text.lower() if (translation.get_language() or "en").startswith("en") else text


def priority_for(reasons: list[str]) -> int:
    return min((PRIORITY_BY_REASON.get(code, PRIORITY_REST) for code in reasons), default=PRIORITY_REST)


class NeverDeletedError(RuntimeError):
    pass


class FlagQuerySet(models.QuerySet["Flag"]):
    def delete(self):
        raise NeverDeletedError("Flags are never deleted; they resolve or are decided.")


# The longest reviewer comment or decision note any door stores (browser, API, services).
COMMENT_MAX_LENGTH = 10_000


class Flag(models.Model):
    site = models.ForeignKey("patients.Site", on_delete=models.PROTECT, related_name="flags")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="flags")
    # Null once the episode is deleted: the flag and its decisions outlive it.
    episode = models.ForeignKey(
        "patients.Episode", null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )
    # The assessment the reasons were last taken from (its case gives the row's key facts).
    assessment = models.ForeignKey(
        "exclusion.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reasons = models.JSONField(default=list, help_text=_("Reason codes, in the assessment's order."))
    priority = models.PositiveSmallIntegerField(default=PRIORITY_REST, help_text=_("Computed from reasons."))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the flag last became open (creation or reopening): "older first" and the flag's age.
    opened_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    # The current decision; earlier decisions stay in the history (FlagEvent).
    decision = models.CharField(max_length=24, choices=Decision.choices, blank=True, default="")
    decision_reason_code = models.CharField(
        max_length=48, choices=NotIndicatedReason.choices, blank=True, default=""
    )
    decision_diagnosis = models.CharField(max_length=200, blank=True, default="")
    decision_comment = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The opening (its opened_at) the site's reviewers were emailed about: one email per opening.
    notified_opening = models.DateTimeField(null=True, blank=True, editable=False)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "opened_at", "id"]
        indexes = [models.Index(fields=["status", "priority", "opened_at"], name="flag_queue_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(status="open"), name="flag_one_open_per_episode"
            ),
            models.CheckConstraint(condition=Q(status__in=FlagStatus.values), name="flag_status_valid"),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Decision.values), name="flag_decision_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="decided") | (~Q(decision="") & Q(decided_at__isnull=False)),
                name="flag_decided_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"flag {self.pk} ({self.status}) of episode {self.episode_id}"

    @property
    def reason_labels(self) -> list[str]:
        """The reasons as the vocabulary names them, in the active language (a code it lacks is shown in
        words, never raw)."""
        return [flag_reason_label(code) for code in self.reasons]

    @property
    def status_in_text(self) -> str:
        """The status inside a sentence ("Review: open")."""
        return in_text(self.get_status_display())

    def delete(self, *args, **kwargs):
        raise NeverDeletedError("Flags are never deleted; they resolve or are decided.")


class FlagEventKind(models.TextChoices):
    CREATED = "created", _("Flag raised")
    REASONS_CHANGED = "reasons_changed", _("Reasons changed")
    ASSIGNED = "assigned", _("Assigned")
    COMMENTED = "commented", _("Comment")
    DECIDED = "decided", _("Decision")
    # A reviewer changed a decided flag's decision; the earlier decision stays in its own event.
    REVISED = "revised", _("Decision revised")
    REOPENED = "reopened", _("Reopened")
    AUTO_RESOLVED = "auto_resolved", _("Resolved automatically")
    # A clinician accepted or overrode a CDS Hooks card about this flag in the EHR.
    EHR_FEEDBACK = "ehr_feedback", _("EHR card feedback")


class AppendOnlyQuerySet(models.QuerySet["FlagEvent"]):
    def update(self, **kwargs):
        raise NeverDeletedError("Flag history is append-only.")

    def delete(self):
        raise NeverDeletedError("Flag history is append-only.")


class FlagEvent(models.Model):
    flag = models.ForeignKey(Flag, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=FlagEventKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    # Null for system jobs; the label survives the user's removal.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    text = models.TextField(blank=True, default="", help_text=_("A comment or a decision's comment."))
    # Kind-specific facts, e.g. {"before": [...], "after": [...]} or {"decision": ..., "reason_code": ...}.
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FlagEventKind.values), name="flagevent_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.kind} on flag {self.flag_id} by {self.actor_label}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise NeverDeletedError("Flag history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise NeverDeletedError("Flag history is append-only.")


class SignOff(models.Model):
    """A reviewer's sign-off of an episode's work-up, at the episode version they saw."""

    episode = models.ForeignKey("patients.Episode", on_delete=models.CASCADE, related_name="signoffs")
    site = models.ForeignKey("patients.Site", on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_by_label = models.CharField(max_length=150)
    signed_at = models.DateTimeField(auto_now_add=True)
    episode_version = models.PositiveIntegerField()
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["episode", "-id"], name="signoff_episode_newest")]

    def __str__(self) -> str:
        return f"sign-off of episode {self.episode_id} v{self.episode_version} by {self.signed_by_label}"
