"""Persisted assessments: one immutable record per evaluation of an episode."""

from __future__ import annotations

from django.db import models


class ImmutableError(RuntimeError):
    pass


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def update(self, **kwargs):
        raise ImmutableError("Assessments are immutable; evaluate the episode again instead.")

    def latest_per_episode(self) -> AssessmentQuerySet:
        """Only the newest assessment of each episode (one query, usable as a subquery)."""
        newest = (
            Assessment.objects.filter(episode=models.OuterRef("episode")).order_by("-id").values("id")[:1]
        )
        return self.filter(id=models.Subquery(newest))

    def current_of_latest_episode(self, patient: models.OuterRef | int) -> AssessmentQuerySet:
        """The assessments of the patient's latest episode (by assessment date, then id), newest first: the
        first row is "what is this child's situation now". ``patient`` is usually ``OuterRef("pk")``."""
        return self.filter(episode__patient=patient).order_by("-episode__assessed_on", "-episode_id", "-id")


class Assessment(models.Model):
    episode = models.ForeignKey("patients.Episode", on_delete=models.CASCADE, related_name="assessments")
    ruleset = models.CharField(max_length=32)
    input_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical case document.")
    case = models.JSONField(help_text="The cno-case/1 document that was assessed.")
    result = models.JSONField(help_text="The cno-assessment/1 document.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Copied out of `result` so lists can filter and sort on them in SQL on any database.
    biopsy_recommended = models.BooleanField()
    exclusion_complete = models.BooleanField()
    bristol_status = models.CharField(max_length=32)
    focality = models.CharField(max_length=16)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"
        indexes = [models.Index(fields=["episode", "-id"], name="assessment_episode_newest")]

    def __str__(self) -> str:
        return f"assessment {self.pk} of episode {self.episode_id} ({self.ruleset})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImmutableError("Assessments are immutable; evaluate the episode again instead.")
        super().save(*args, **kwargs)
