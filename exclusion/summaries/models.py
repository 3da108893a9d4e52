"""Disease-activity summary: one row per patient, derived from its episodes by a background task.

Derived data, not a clinical record: it is not audited and may be rewritten in bulk. Never edited by
hand; `exclusion.summaries.services` recomputes it.

Freshness is tracked with generation numbers rather than locks:
- `dirty` is bumped in the same transaction as every clinical change to the patient;
- a worker claims generation g with a compare-and-set (`claimed_generation` := dirty where it was lower);
- writing the result sets `computed_generation` = g, and `stale` stays true when `dirty` moved on meanwhile.
So a summary is either fresh or visibly stale, never silently wrong.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityState(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    UNKNOWN = "unknown", _("Unknown")


class ActivitySummary(models.Model):
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, primary_key=True, related_name="activity_summary"
    )

    # Bookkeeping
    computed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ruleset = models.CharField(
        max_length=32, blank=True, default="", help_text=_("Ruleset of the assessments used.")
    )
    stale = models.BooleanField(default=True, help_text=_("True while a recompute is pending."))
    dirty = models.PositiveBigIntegerField(
        default=1, help_text=_("Bumped by every change to the patient's data.")
    )
    claimed_generation = models.PositiveBigIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    computed_generation = models.PositiveBigIntegerField(default=0)
    recompute_count = models.PositiveIntegerField(default=0, help_text=_("How many times it was computed."))

    # Course
    episodes_count = models.PositiveIntegerField(default=0)
    first_assessed_on = models.DateField(null=True, blank=True)
    latest_assessed_on = models.DateField(null=True, blank=True)
    # {"episode_id", "assessed_on", "focality", "bones_involved", "symmetric", "active_lesions",
    #  "biopsy_recommended", "exclusion_complete", "bristol_status", "jansson_points"} or null
    latest = models.JSONField(null=True, blank=True)
    # [{"episode_id", "assessed_on", "crp_mg_l", "esr_mm_h", "active_lesions", "pain_vas",
    #   "physician_global_vas"}], oldest first
    trend = models.JSONField(default=list, blank=True)

    activity_state = models.CharField(
        max_length=10, choices=ActivityState.choices, default=ActivityState.UNKNOWN
    )
    pedcno = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("PedCNO response level (0/30/50/70/90) latest vs first; null = not evaluable."),
    )
    severe_course = models.BooleanField(default=False)
    silent_activity = models.BooleanField(default=False)
    spine_involved = models.BooleanField(default=False)
    vertebral_collapse = models.BooleanField(default=False)
    open_flag = models.BooleanField(default=False)

    # In the light of treatment (exclusion.summaries.facts; null until first computed with them)
    # {"current": [{"drug_class", "drug", "started_on"}], "line", "since"}
    treatment = models.JSONField(null=True, blank=True)
    # {"pedcno", "label", "not_evaluable_reason", "since", "baseline_episode_id", "baseline_assessed_on",
    #  "episode_id", "assessed_on", "source"}: the latest episode against the current combination's start
    response = models.JSONField(null=True, blank=True)
    # {"episode_id", "assessed_on", "patient_pain", "patient_global", "clinical_lesion_count"}: no total
    cdas_components = models.JSONField(null=True, blank=True)
    # [{"code", "text", "source"}]: decision-support prompts of the rule catalogue (engine.prompts)
    prompts = models.JSONField(default=list, blank=True)
    # {"levels": [{"site", "level", "first_seen_on", "last_seen_on", "active_now", "collapse",
    #  "collapse_first_seen_on", "seen": [{"episode_id", "assessed_on", "active", "collapse"}]}],
    #  "any_active_now", "any_collapse"}
    spine = models.JSONField(null=True, blank=True)

    class Meta:
        # Moved from the patients app with its data: the table keeps its name (migrations
        # patients 0005 and exclusion 0003 change only Django's state).
        db_table = "patients_activitysummary"
        verbose_name_plural = _("activity summaries")
        indexes = [
            models.Index(fields=["stale"], name="summary_stale", condition=models.Q(stale=True)),
            models.Index(fields=["activity_state"], name="summary_activity_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(activity_state__in=ActivityState.values),
                name="summary_activity_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(pedcno__isnull=True) | models.Q(pedcno__in=[0, 30, 50, 70, 90]),
                name="summary_pedcno_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"activity summary of patient {self.patient_id}{' (stale)' if self.stale else ''}"
