import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0009_auditentry_export"),
    ]

    operations = [
        migrations.CreateModel(
            name="Treatment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "drug_class",
                    models.CharField(
                        choices=[
                            ("nsaid", "NSAID"),
                            ("glucocorticoid", "Glucocorticoid"),
                            ("methotrexate", "Methotrexate"),
                            ("sulfasalazine", "Sulfasalazine"),
                            ("tnf_inhibitor", "TNF inhibitor"),
                            ("bisphosphonate", "Bisphosphonate"),
                            ("il1_blocker", "IL-1 blocker"),
                            ("jak_inhibitor", "JAK inhibitor"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="class",
                    ),
                ),
                (
                    "drug",
                    models.CharField(
                        help_text="The drug's name, e.g. naproxen (no dose).",
                        max_length=100,
                        validators=[django.core.validators.ProhibitNullCharactersValidator()],
                    ),
                ),
                ("started_on", models.DateField(verbose_name="started")),
                (
                    "stopped_on",
                    models.DateField(
                        blank=True, help_text="Empty while ongoing.", null=True, verbose_name="stopped"
                    ),
                ),
                (
                    "stop_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("remission", "Remission"),
                            ("inefficacy", "Inefficacy"),
                            ("adverse_event", "Adverse event"),
                            ("patient_choice", "Patient or family choice"),
                            ("other", "Other"),
                        ],
                        default="",
                        help_text="Required with a stop date.",
                        max_length=20,
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="treatments",
                        to="patients.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["patient_id", "started_on", "id"],
                "indexes": [models.Index(fields=["patient", "started_on"], name="treatment_patient_start")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "drug_class__in",
                                [
                                    "nsaid",
                                    "glucocorticoid",
                                    "methotrexate",
                                    "sulfasalazine",
                                    "tnf_inhibitor",
                                    "bisphosphonate",
                                    "il1_blocker",
                                    "jak_inhibitor",
                                    "other",
                                ],
                            )
                        ),
                        name="treatment_drug_class_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "stop_reason__in",
                                ["remission", "inefficacy", "adverse_event", "patient_choice", "other", ""],
                            )
                        ),
                        name="treatment_stop_reason_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("drug", ""), _negated=True), name="treatment_drug_not_empty"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("stopped_on__isnull", True), ("stop_reason", "")),
                            models.Q(
                                ("stopped_on__isnull", False), models.Q(("stop_reason", ""), _negated=True)
                            ),
                            _connector="OR",
                        ),
                        name="treatment_stop_reason_iff_stopped",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("stopped_on__isnull", True),
                            ("stopped_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="treatment_stop_not_before_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("version__gte", 1)), name="treatment_version_positive"
                    ),
                ],
            },
        ),
    ]
