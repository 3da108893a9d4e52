"""Record numbers unique per site without regard to case (`nf-1001` and `NF-1001` are one patient).

First a check: patients at one site whose record numbers are equal once trimmed and upper-cased collide.
If any do, the migration stops with a list of them (site code, numbers, patient ids) and changes nothing:
which of two records is the real patient is a clinical decision, so nothing is merged here. Merge or
renumber them by hand, then migrate again. Without collisions, surrounding whitespace is trimmed (it then
cannot create one) and the case-insensitive constraint replaces the case-sensitive one (same name).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import django.db.models.functions.text
from django.db import migrations, models


class RecordNumberCollisionError(Exception):
    """Patients at one site whose record numbers differ only in case or surrounding whitespace."""


def record_number_collisions(patient_model: Any) -> list[tuple[str, list[tuple[int, str]]]]:
    """[(site code, [(patient id, record number), ...]), ...] for every group of colliding patients."""
    groups: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    rows = patient_model.objects.order_by("site__code", "pk").values_list("pk", "site__code", "record_number")
    for pk, site_code, record_number in rows:
        groups[(site_code, record_number.strip().upper())].append((pk, record_number))
    return [(site_code, members) for (site_code, _), members in groups.items() if len(members) > 1]


def check_and_trim_record_numbers(apps: Any, schema_editor: Any) -> None:
    patient_model = apps.get_model("patients", "Patient")
    collisions = record_number_collisions(patient_model)
    if collisions:
        lines = [
            f"  {site_code}: " + ", ".join(f"{number!r} (patient id {pk})" for pk, number in members)
            for site_code, members in collisions
        ]
        raise RecordNumberCollisionError(
            "Record numbers must be unique per site without regard to case, and these patients collide. "
            "Nothing was changed: merge or renumber them by hand, then migrate again.\n" + "\n".join(lines)
        )
    # No collisions, so trimming cannot create one. One save() each: audited models refuse bulk updates.
    for patient in patient_model.objects.filter(record_number__regex=r"^\s|\s$"):
        patient.record_number = patient.record_number.strip()
        patient.save(update_fields=["record_number"])


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0010_treatment"),
    ]

    operations = [
        migrations.RunPython(check_and_trim_record_numbers, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(
            model_name="patient",
            name="patient_record_number_unique_per_site",
        ),
        migrations.AddConstraint(
            model_name="patient",
            constraint=models.UniqueConstraint(
                models.F("site"),
                django.db.models.functions.text.Upper("record_number"),
                name="patient_record_number_unique_per_site",
                violation_error_code="unique",
                violation_error_message="A patient with this record number already exists at this site.",
            ),
        ),
    ]
