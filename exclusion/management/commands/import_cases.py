"""Import cases from a file into a site: `import_cases FILE --site CODE [--dry-run] [--format jsonl|csv]
[--user USERNAME]`. FILE is JSON lines of {"record_number", "case"} or a REDCap records.csv; prints what was
created, changed or left as is, and every bad row as `row N: path: message`. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exclusion.registry.importer import FORMATS, ImportFileError, cases_import
from patients.models import Site


class Command(BaseCommand):
    help = "Import cases (JSON lines or REDCap records.csv) into a site; reports every bad row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A .jsonl file of {record_number, case} lines, or records.csv.")
        parser.add_argument("--site", required=True, help="Code of the site to import into.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be done; save nothing.")
        parser.add_argument(
            "--format", choices=FORMATS, default=None, help="Default: from the file's name or first byte."
        )
        parser.add_argument(
            "--user",
            default=None,
            help="Import as this user (their role at the site is checked and the audit history names "
            "them); default: a system job.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = Site.objects.filter(code__iexact=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with the code {options['site']!r}.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user {options['user']!r}.")

        def progress(done: int, total: int | None) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{done}/{total if total is not None else '?'} rows")

        try:
            report = cases_import(
                actor=actor,
                site=site,
                source=options["file"],
                fmt=options["format"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except FileNotFoundError:
            raise CommandError(f"No file {options['file']!r}.") from None
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not import into {site.code}: {exc}") from None
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
