"""Recompute disease-activity summaries in bulk: `recompute_summaries (--all | --site CODE) [--sync]`.

The work is split into chunks of patients, sent to the workers as one Celery group (or run in-process with
`--sync`, the embedded default without a broker). Progress is read from the database, so the bar shows
what was really written, with counts and rate.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from exclusion.summaries import selectors as summary_selectors
from exclusion.summaries import services as summary_services
from patients.models import Site


def add_bulk_arguments(parser: CommandParser) -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--all", action="store_true", help="Every patient of every site.")
    scope.add_argument(
        "--site", metavar="CODE", help="Only the patients of this site (its code, e.g. NORTH)."
    )
    parser.add_argument("--sync", action="store_true", help="Run in this process instead of on the workers.")
    parser.add_argument(
        "--chunk-size", type=int, default=summary_services.CHUNK_SIZE, help="Patients per task."
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600,
        help="Seconds to wait for the workers before giving up watching.",
    )


def run_bulk(command: BaseCommand, options: dict[str, Any], *, reassess: bool) -> None:
    site_id = None
    if options["site"]:
        site = Site.objects.filter(code=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with code {options['site']!r}.")
        site_id = site.id
    if options["chunk_size"] < 1:
        raise CommandError("--chunk-size must be at least 1.")
    sync = options["sync"] or settings.CELERY_TASK_ALWAYS_EAGER
    started = timezone.now()
    with transaction.atomic():
        summary_services.summary_mark_stale_where(site_id=site_id)
    patient_ids = summary_selectors.summary_patient_ids(site_id=site_id)
    label = "reassess" if reassess else "recompute"
    with tqdm(total=len(patient_ids), unit="patient", desc=label, file=sys.stderr, dynamic_ncols=True) as bar:
        sent = summary_services.summary_dispatch(
            patient_ids,
            reassess=reassess,
            sync=sync,
            chunk_size=options["chunk_size"],
            progress=bar.update if sync else None,
        )
        if not sent:
            raise CommandError(
                "Could not reach the broker. Nothing is lost: the summaries are marked stale and the "
                "periodic sweep will recompute them; or run again with --sync."
            )
        deadline = time.monotonic() + options["timeout"]
        while not sync and bar.n < len(patient_ids):
            done = summary_selectors.summaries_computed_since(since=started, site_id=site_id)
            bar.update(min(done, len(patient_ids)) - bar.n)
            if bar.n >= len(patient_ids):
                break
            if time.monotonic() > deadline:
                command.stderr.write(
                    f"Stopped watching after {options['timeout']:.0f} s with {len(patient_ids) - bar.n} "
                    "summaries still pending; they stay marked stale and the workers or the sweep will "
                    "finish them."
                )
                return
            time.sleep(0.25)
    command.stdout.write(f"{label}: {len(patient_ids)} patients done.")


class Command(BaseCommand):
    help = "Recompute disease-activity summaries in chunked Celery tasks (or in-process with --sync)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_bulk_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_bulk(self, options, reassess=False)
