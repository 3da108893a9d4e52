"""Treatment courses: which drug (by class and name) a patient took from when to when, and why it stopped.

Only what was taken, never how much: no dose is recorded here, and nothing computes or suggests one. A
course with no stop date is ongoing; a stop date needs a reason, and a reason needs a stop date (the
database enforces both, as it enforces the choices and the date order).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from patients.choices import DrugClass, StopReason
from patients.models.audit import AuditedModel
from patients.models.core import Patient


class Treatment(AuditedModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="treatments")
    drug_class = models.CharField(
        pgettext_lazy("drug class", "class"), max_length=20, choices=DrugClass.choices
    )
    drug = models.CharField(
        max_length=100,
        # PostgreSQL cannot store NUL; refuse it as a field error rather than a server error.
        validators=[ProhibitNullCharactersValidator()],
        help_text=gettext_lazy("The drug's name, e.g. naproxen (no dose)."),
    )
    started_on = models.DateField(pgettext_lazy("treatment", "started"))
    stopped_on = models.DateField(
        pgettext_lazy("treatment", "stopped"),
        null=True,
        blank=True,
        help_text=gettext_lazy("Empty while ongoing."),
    )
    stop_reason = models.CharField(
        max_length=20,
        choices=StopReason.choices,
        blank=True,
        default="",
        help_text=gettext_lazy("Required with a stop date."),
    )

    # Optimistic locking, as for episodes: every update names the version it was based on.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("treatment")
        verbose_name_plural = gettext_lazy("treatments")
        ordering = ["patient_id", "started_on", "id"]
        indexes = [models.Index(fields=["patient", "started_on"], name="treatment_patient_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(drug_class__in=DrugClass.values), name="treatment_drug_class_valid"
            ),
            models.CheckConstraint(
                condition=Q(stop_reason__in=[*StopReason.values, ""]), name="treatment_stop_reason_valid"
            ),
            models.CheckConstraint(condition=~Q(drug=""), name="treatment_drug_not_empty"),
            # A reason exactly when there is a stop date.
            models.CheckConstraint(
                condition=(Q(stopped_on__isnull=True) & Q(stop_reason=""))
                | (Q(stopped_on__isnull=False) & ~Q(stop_reason="")),
                name="treatment_stop_reason_iff_stopped",
            ),
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=models.F("started_on")),
                name="treatment_stop_not_before_start",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="treatment_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.drug} from {self.started_on}"

    @property
    def ongoing(self) -> bool:
        return self.stopped_on is None

    def clean(self) -> None:
        errors = {}
        today = datetime.date.today()
        if self.started_on and self.started_on > today:
            errors["started_on"] = _("The start date is in the future.")
        birth = self.patient.birth_date if self.patient_id else None
        if birth and self.started_on and self.started_on < birth:
            errors["started_on"] = _("The start date must be on or after the birth date.")
        if self.stopped_on and self.stopped_on > today:
            errors["stopped_on"] = _("The stop date is in the future; record it once the course has stopped.")
        elif self.stopped_on and self.started_on and self.stopped_on < self.started_on:
            errors["stopped_on"] = _("The stop date must be on or after the start date.")
        if self.stopped_on and not self.stop_reason:
            errors["stop_reason"] = _("Give the reason the course was stopped.")
        if not self.stopped_on and self.stop_reason:
            errors["stop_reason"] = _("A stop reason needs a stop date (leave it empty while ongoing).")
        if errors:
            raise ValidationError(errors)

    def audit_site_id(self) -> int:
        return self.patient.site_id
