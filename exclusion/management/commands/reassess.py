"""Re-evaluate every episode with the current ruleset, then recompute the summaries:
`reassess (--all | --site CODE) [--sync]`. Run it after a ruleset change; safe to run again (an episode
whose input and ruleset are unchanged keeps its assessment)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from exclusion.management.commands.recompute_summaries import add_bulk_arguments, run_bulk


class Command(BaseCommand):
    help = (
        "Re-assess every episode (after a ruleset change) in chunked Celery tasks, or in-process with --sync."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_bulk_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_bulk(self, options, reassess=True)
