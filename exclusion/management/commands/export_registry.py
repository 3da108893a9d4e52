"""Export one site's registry data as a zip: `export_registry --site CODE --out FILE.zip [--deidentify]
[--user USERNAME]`. Without --user it is a system export (the audit entry says "system"); with it, the
user must be an administrator of the site."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exclusion.registry.export import registry_export
from patients.models import Site


class Command(BaseCommand):
    help = "Export a site's data (REDCap dictionary and records, case and assessment documents, summaries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", metavar="CODE", required=True, help="The site's code, e.g. NORTH.")
        parser.add_argument("--out", metavar="FILE.zip", required=True, help="The zip file to write.")
        parser.add_argument(
            "--deidentify",
            action="store_true",
            help="Pseudonymise record numbers, shift dates, cap ages at 90 and drop free text.",
        )
        parser.add_argument("--user", metavar="USERNAME", help="Export as this user (a site administrator).")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        site = Site.objects.filter(code__iexact=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with code {options['site']!r}.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            summary = registry_export(
                actor=actor, site=site, out=options["out"], deidentify=options["deidentify"]
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict(), indent=2))
            return
        kind = "de-identified" if summary.deidentified else "identified (record numbers and real dates)"
        self.stdout.write(
            f"Wrote {options['out']}: site {summary.site}, {kind}, ruleset {summary.ruleset}.\n"
            f"  {summary.patients} patients, {summary.episodes} episodes, {summary.lesions} lesions, "
            f"{summary.treatments} treatment courses, {summary.assessments} assessments, "
            f"{summary.summaries} activity summaries."
        )
        if summary.episodes_without_assessment:
            self.stdout.write(f"  {summary.episodes_without_assessment} episodes had no stored assessment.")
