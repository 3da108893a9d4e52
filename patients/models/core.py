"""The clinical system of record: sites, memberships, patients, episodes, lesions, biopsies.

Column names are the contract's (the cno-case/1 contract). Every nullable clinical column means
"unknown" when null, never "no". Ranges and enumerations are database constraints, not only form checks.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patients.choices import (
    LEVEL_MAX_LENGTH,
    RANGES,
    BiopsyCulture,
    BloodCulture,
    BoneSite,
    Histology,
    Modality,
    Role,
    Sex,
    Side,
)
from patients.models.audit import AuditedModel


def rng(field: str) -> list:
    """Field validators for a contract range, so forms report the field by name."""
    low, high = RANGES[field]
    return [MinValueValidator(low), MaxValueValidator(high)]


# The range and choice constraints below restate their fields' own validators and choices, which
# full_clean checks in Python without a query. The database still enforces them; validating them again
# in full_clean would cost one query each (about 30 per episode and its lesions), so it is skipped.
FIELD_CHECKED: set[str] = set()


class FieldCheckedConstraints(models.Model):
    class Meta:
        abstract = True

    def get_constraints(self):  # type: ignore[no-untyped-def] - Django's own signature
        return [
            (model, [c for c in constraints if c.name not in FIELD_CHECKED])
            for model, constraints in super().get_constraints()
        ]


def _range_constraints(prefix: str, fields: list[str]) -> list[models.CheckConstraint]:
    constraints = []
    for field in fields:
        low, high = RANGES[field]
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{field}__isnull": True})
                | Q(**{f"{field}__gte": low, f"{field}__lte": high}),
                name=f"{prefix}_{field}_range",
            )
        )
        FIELD_CHECKED.add(f"{prefix}_{field}_range")
    return constraints


def _choice_constraint(prefix: str, field: str, choices: type[models.TextChoices], nullable: bool):
    condition = Q(**{f"{field}__in": choices.values})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    FIELD_CHECKED.add(f"{prefix}_{field}_valid")
    return models.CheckConstraint(condition=condition, name=f"{prefix}_{field}_valid")


class Site(models.Model):
    code = models.SlugField(max_length=32, unique=True, help_text=gettext_lazy("Short code, e.g. NORTH."))
    name = models.CharField(max_length=200)
    # Site admins and the Django admin always need a one-time password; this asks it of every role here.
    require_otp = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Ask everyone at this site for a one-time password after their password."),
    )
    # The key of the site's de-identified registry exports (pseudonyms and date offsets), made at the first
    # one and kept: the same child keeps the same pseudonym in every export of the site. Never shown.
    registry_secret = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = gettext_lazy("site")
        verbose_name_plural = gettext_lazy("sites")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SiteMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # Only meaningful for api_client: a site admin may grant write access to an integration.
    api_write = models.BooleanField(default=False)

    class Meta:
        verbose_name = gettext_lazy("site membership")
        verbose_name_plural = gettext_lazy("site memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="membership_one_role_per_site"),
            _choice_constraint("membership", "role", Role, nullable=False),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.site} ({self.role})"


record_number_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
    gettext_lazy(
        "Use 1–32 letters, digits, dots, dashes or underscores (a pseudonymous number, never a name)."
    ),
)


DUPLICATE_RECORD_NUMBER = gettext_lazy("A patient with this record number already exists at this site.")
RECORD_NUMBER_CONSTRAINT = "patient_record_number_unique_per_site"


def record_number_twin(
    site_id: int | None, record_number: str, exclude_pk: int | None = None
) -> Patient | None:
    """The patient at the site whose record number equals this one without regard to case, if any."""
    if site_id is None or not record_number:
        return None
    twins = Patient.objects.filter(site_id=site_id, record_number__iexact=record_number.strip())
    if exclude_pk is not None:
        twins = twins.exclude(pk=exclude_pk)
    return twins.order_by("pk").first()


def duplicate_record_number_error(twin: Patient) -> ValidationError:
    """A field error on record_number naming the patient already on file (the API shows its id, the
    patient form links to it)."""
    return ValidationError(
        {
            "record_number": ValidationError(
                _(
                    "A patient with this record number already exists at this site: %(record_number)s "
                    "(patient id %(patient_id)s)."
                ),
                code="unique",
                params={"record_number": twin.record_number, "patient_id": twin.pk},
            )
        }
    )


class Patient(AuditedModel):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients")
    record_number = models.CharField(max_length=32, validators=[record_number_validator])
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = gettext_lazy("patient")
        verbose_name_plural = gettext_lazy("patients")
        ordering = ["site__code", "record_number"]
        constraints = [
            # Without regard to case: `nf-1001` and `NF-1001` are one patient (migration 0011). The name is
            # kept, so the services and the log scrubber recognise it.
            models.UniqueConstraint(
                "site",
                Upper("record_number"),
                name=RECORD_NUMBER_CONSTRAINT,
                violation_error_code="unique",
                violation_error_message=DUPLICATE_RECORD_NUMBER,
            ),
            _choice_constraint("patient", "sex", Sex, nullable=False),
            models.CheckConstraint(condition=~Q(record_number=""), name="patient_record_number_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.site.code}/{self.record_number}"

    def clean(self) -> None:
        from patients.validators import birth_date_problem  # the rule the forms and the API share

        errors: dict[str, list[ValidationError]] = {}
        problem = birth_date_problem(self.birth_date)
        if problem:
            errors["birth_date"] = [ValidationError(problem)]
        # Checked here rather than left to the constraint, so the error names the patient on file.
        twin = record_number_twin(self.site_id, self.record_number or "", exclude_pk=self.pk)
        if twin is not None:
            errors.update(duplicate_record_number_error(twin).error_dict)
        if errors:
            raise ValidationError(errors)

    def audit_site_id(self) -> int:
        return self.site_id


class Episode(FieldCheckedConstraints, AuditedModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    assessed_on = models.DateField()
    onset_on = models.DateField(null=True, blank=True)
    # Only used when the patient has no birth date (contract: episode.age_years / age_at_onset_years).
    age_years = models.FloatField(null=True, blank=True, validators=rng("age_years"))
    age_at_onset_years = models.FloatField(null=True, blank=True, validators=rng("age_at_onset_years"))

    # Symptoms
    bone_pain = models.BooleanField(null=True, blank=True)
    local_swelling = models.BooleanField(null=True, blank=True)
    night_pain = models.BooleanField(null=True, blank=True)
    fever = models.BooleanField(null=True, blank=True)
    max_temperature_c = models.FloatField(
        gettext_lazy("max temperature (°C)"), null=True, blank=True, validators=rng("max_temperature_c")
    )
    weight_loss = models.BooleanField(null=True, blank=True)
    night_sweats = models.BooleanField(null=True, blank=True)
    ill_appearance = models.BooleanField(null=True, blank=True)
    back_pain = models.BooleanField(null=True, blank=True)

    # Findings
    hepatomegaly = models.BooleanField(null=True, blank=True)
    splenomegaly = models.BooleanField(null=True, blank=True)
    lymphadenopathy = models.BooleanField(null=True, blank=True)
    bruising_or_purpura = models.BooleanField(null=True, blank=True)
    gum_bleeding = models.BooleanField(null=True, blank=True)
    restricted_diet = models.BooleanField(null=True, blank=True)
    neonatal_pustulosis = models.BooleanField(null=True, blank=True)
    consanguinity_or_affected_sibling = models.BooleanField(null=True, blank=True)
    palmoplantar_pustulosis = models.BooleanField(null=True, blank=True)
    psoriasis = models.BooleanField(null=True, blank=True)
    severe_acne = models.BooleanField(null=True, blank=True)
    inflammatory_bowel_disease = models.BooleanField(null=True, blank=True)
    immunocompromised = models.BooleanField(null=True, blank=True)
    tb_exposure = models.BooleanField(null=True, blank=True)
    sustained_response_to_antibiotics_alone = models.BooleanField(null=True, blank=True)

    # Laboratory, in the contract's canonical units
    crp_mg_l = models.FloatField(
        gettext_lazy("CRP (mg/L)"), null=True, blank=True, validators=rng("crp_mg_l")
    )
    esr_mm_h = models.FloatField(
        gettext_lazy("ESR (mm/h)"), null=True, blank=True, validators=rng("esr_mm_h")
    )
    wbc_10e9_l = models.FloatField(
        gettext_lazy("WBC (×10⁹/L)"), null=True, blank=True, validators=rng("wbc_10e9_l")
    )
    neutrophils_10e9_l = models.FloatField(
        gettext_lazy("neutrophils (×10⁹/L)"), null=True, blank=True, validators=rng("neutrophils_10e9_l")
    )
    hemoglobin_g_l = models.FloatField(
        gettext_lazy("haemoglobin (g/L)"), null=True, blank=True, validators=rng("hemoglobin_g_l")
    )
    platelets_10e9_l = models.FloatField(
        gettext_lazy("platelets (×10⁹/L)"), null=True, blank=True, validators=rng("platelets_10e9_l")
    )
    ldh_u_l = models.FloatField(gettext_lazy("LDH (U/L)"), null=True, blank=True, validators=rng("ldh_u_l"))
    ldh_uln_u_l = models.FloatField(
        gettext_lazy("LDH upper limit (U/L)"), null=True, blank=True, validators=rng("ldh_uln_u_l")
    )
    alp_u_l = models.FloatField(gettext_lazy("ALP (U/L)"), null=True, blank=True, validators=rng("alp_u_l"))
    alp_lln_u_l = models.FloatField(
        gettext_lazy("ALP lower limit (U/L)"), null=True, blank=True, validators=rng("alp_lln_u_l")
    )
    blasts_on_smear = models.BooleanField(null=True, blank=True)
    vitamin_c_low = models.BooleanField(null=True, blank=True)
    blood_culture = models.CharField(max_length=10, choices=BloodCulture.choices, null=True, blank=True)

    # Activity measures
    pain_vas = models.FloatField(
        gettext_lazy("pain VAS (0–10)"), null=True, blank=True, validators=rng("pain_vas")
    )
    patient_global_vas = models.FloatField(
        gettext_lazy("patient global VAS (0–10)"), null=True, blank=True, validators=rng("patient_global_vas")
    )
    physician_global_vas = models.FloatField(
        gettext_lazy("physician global VAS (0–10)"),
        null=True,
        blank=True,
        validators=rng("physician_global_vas"),
    )
    chaq = models.FloatField(gettext_lazy("CHAQ (0–3)"), null=True, blank=True, validators=rng("chaq"))

    # Imaging done (contract: episode.imaging, from ruleset 2026.12). Only "done" makes the lesion list
    # complete: with it, no MRI lesion means a clean scan; unknown or not done, it means nothing.
    whole_body_mri = models.BooleanField(
        gettext_lazy("whole-body MRI (including the spine) done"),
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Yes when a whole-body MRI including the spine was done for this episode: the MRI lesions "
            "listed are then all there are. Unknown if not known."
        ),
    )

    # Optimistic locking: every update must name the version it was based on.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("episode")
        verbose_name_plural = gettext_lazy("episodes")
        ordering = ["patient_id", "assessed_on", "id"]
        indexes = [models.Index(fields=["patient", "assessed_on"], name="episode_patient_date")]
        constraints = [
            *_range_constraints(
                "episode",
                [
                    "max_temperature_c",
                    "crp_mg_l",
                    "esr_mm_h",
                    "wbc_10e9_l",
                    "neutrophils_10e9_l",
                    "hemoglobin_g_l",
                    "platelets_10e9_l",
                    "ldh_u_l",
                    "ldh_uln_u_l",
                    "alp_u_l",
                    "alp_lln_u_l",
                    "pain_vas",
                    "patient_global_vas",
                    "physician_global_vas",
                    "chaq",
                    "age_years",
                    "age_at_onset_years",
                ],
            ),
            _choice_constraint("episode", "blood_culture", BloodCulture, nullable=True),
            models.CheckConstraint(
                condition=Q(onset_on__isnull=True) | Q(onset_on__lte=models.F("assessed_on")),
                name="episode_onset_not_after_assessment",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="episode_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} episode {self.assessed_on}"

    def clean(self) -> None:
        errors = {}
        today = datetime.date.today()
        if self.assessed_on and self.assessed_on > today:
            errors["assessed_on"] = _("The assessment date is in the future.")
        if self.onset_on and self.onset_on > today:
            errors["onset_on"] = _("The onset date is in the future.")
        if self.onset_on and self.assessed_on and self.onset_on > self.assessed_on:
            errors["onset_on"] = _("Onset must be on or before the assessment date.")
        birth = self.patient.birth_date if self.patient_id else None
        if birth and self.onset_on and self.onset_on < birth:
            errors["onset_on"] = _("Onset must be on or after the birth date.")
        if birth and self.assessed_on and self.assessed_on < birth:
            errors["assessed_on"] = _("The assessment date must be on or after the birth date.")
        if errors:
            raise ValidationError(errors)

    def audit_site_id(self) -> int:
        return self.patient.site_id


class Lesion(FieldCheckedConstraints, AuditedModel):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="lesions")
    site = models.CharField(max_length=20, choices=BoneSite.choices)
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.MIDLINE)
    level = models.CharField(
        max_length=LEVEL_MAX_LENGTH,
        blank=True,
        default="",
        # PostgreSQL cannot store NUL; refuse it as a field error rather than a server error.
        validators=[ProhibitNullCharactersValidator()],
        help_text=gettext_lazy("Vertebra or rib, e.g. T7 or 6."),
    )
    modality = models.CharField(max_length=10, choices=Modality.choices)
    marrow_oedema = models.BooleanField(default=False)
    lytic = models.BooleanField(default=False)
    sclerosis = models.BooleanField(gettext_lazy("marginal sclerosis"), default=False)
    periosteal_reaction = models.BooleanField(default=False)
    hyperostosis = models.BooleanField(default=False)
    bone_expansion = models.BooleanField(default=False)
    cortical_destruction = models.BooleanField(default=False)
    soft_tissue_mass = models.BooleanField(default=False)
    abscess = models.BooleanField(default=False)
    sequestrum = models.BooleanField(default=False)
    sinus_tract = models.BooleanField(default=False)
    vertebral_collapse = models.BooleanField(default=False)
    symptomatic = models.BooleanField(default=False)
    active = models.BooleanField(default=False)

    class Meta:
        verbose_name = gettext_lazy("lesion")
        verbose_name_plural = gettext_lazy("lesions")
        ordering = ["episode_id", "id"]  # entry order is the document's lesion order
        constraints = [
            _choice_constraint("lesion", "site", BoneSite, nullable=False),
            _choice_constraint("lesion", "side", Side, nullable=False),
            _choice_constraint("lesion", "modality", Modality, nullable=False),
        ]

    def __str__(self) -> str:
        level = f" {self.level}" if self.level else ""
        return f"{self.site}{level} ({self.side}, {self.modality})"

    def audit_site_id(self) -> int:
        return self.episode.patient.site_id


class Biopsy(FieldCheckedConstraints, AuditedModel):
    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="biopsy")
    histology = models.CharField(max_length=15, choices=Histology.choices, null=True, blank=True)
    culture = models.CharField(max_length=10, choices=BiopsyCulture.choices, null=True, blank=True)
    on_antibiotics = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("biopsy")
        verbose_name_plural = gettext_lazy("biopsies")
        verbose_name_plural = gettext_lazy("biopsies")
        constraints = [
            _choice_constraint("biopsy", "histology", Histology, nullable=True),
            _choice_constraint("biopsy", "culture", BiopsyCulture, nullable=True),
        ]

    def __str__(self) -> str:
        return f"biopsy of {self.episode}"

    def audit_site_id(self) -> int:
        return self.episode.patient.site_id
