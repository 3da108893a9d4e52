"""Load the synthetic demo data set and create one demo user per role.

Refuses to run with DEBUG off: demo users with printed passwords must never reach a real deployment.
Safe to run again: existing patients, episodes and treatment histories are left alone, and fresh passwords
are printed.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from patients.choices import Role
from patients.models import Episode, Patient, Site, SiteMembership
from patients.services import case_import
from patients.treatments.services import treatment_create

DEMO_DIR = Path(settings.BASE_DIR) / "demo_data"
DEMO_USERS = [
    ("north-clinician", "NORTH", Role.CLINICIAN),
    ("north-reviewer", "NORTH", Role.REVIEWER),
    ("north-admin", "NORTH", Role.SITE_ADMIN),
    ("north-api", "NORTH", Role.API_CLIENT),
    ("south-clinician", "SOUTH", Role.CLINICIAN),
    ("south-reviewer", "SOUTH", Role.REVIEWER),
]


class Command(BaseCommand):
    help = "Load the synthetic demo patients and create demo users (DEBUG only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-passwords", action="store_true", help="Do not print passwords.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: demo users must not reach production."
            )
        manifest = json.loads((DEMO_DIR / "manifest.json").read_text())
        created = self._load_cases(manifest)
        courses = self._load_treatments(manifest)
        self.stdout.write(
            f"Demo data: {created} new episodes ({Episode.objects.count()} in all), "
            f"{courses} new treatment courses."
        )
        passwords = self._demo_users()
        if not options["quiet_passwords"]:
            self.stdout.write("Demo users (passwords are shown once; run `make run` again for new ones):")
            for username, site, role, password in passwords:
                self.stdout.write(f"  {username:17} {password}  ({role} at {site})")

    @transaction.atomic
    def _load_cases(self, manifest: dict[str, Any]) -> int:
        sites = {}
        for site in manifest["sites"]:
            sites[site["code"]], _ = Site.objects.get_or_create(
                code=site["code"], defaults={"name": site["name"]}
            )
        created = 0
        for patient in manifest["patients"]:
            site = sites[patient["site"]]
            existing = Episode.objects.filter(
                patient__site=site, patient__record_number=patient["record_number"]
            ).count()
            for entry in patient["episodes"][existing:]:
                doc = json.loads((DEMO_DIR / entry["file"]).read_text())
                case_import(actor=None, site=site, record_number=patient["record_number"], doc=doc)
                created += 1
        return created

    @transaction.atomic
    def _load_treatments(self, manifest: dict[str, Any]) -> int:
        """Each patient's treatment history (demo_data/treatments/), loaded once: a patient who already has
        courses is left alone."""
        created = 0
        for entry in manifest["patients"]:
            if "treatments" not in entry:
                continue
            patient = Patient.objects.get(site__code=entry["site"], record_number=entry["record_number"])
            if patient.treatments.exists():
                continue
            doc = json.loads((DEMO_DIR / entry["treatments"]).read_text())
            for course in doc["treatments"]:
                values = {**course, "started_on": date.fromisoformat(course["started_on"])}
                if course["stopped_on"]:
                    values["stopped_on"] = date.fromisoformat(course["stopped_on"])
                treatment_create(actor=None, patient=patient, **values)
                created += 1
        return created

    def _demo_users(self) -> list[tuple[str, str, str, str]]:
        User = get_user_model()
        result = []
        for username, site_code, role in DEMO_USERS:
            site = Site.objects.get(code=site_code)
            user, _ = User.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.is_staff = role == Role.SITE_ADMIN  # site admins use the scoped Django admin
            user.save()
            SiteMembership.objects.update_or_create(user=user, site=site, defaults={"role": role})
            result.append((username, site_code, role, password))
        return result
