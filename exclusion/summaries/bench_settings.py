"""Bench-only settings (`make bench`): the application's settings with the baseline routes added."""

from cno_app.settings import *  # noqa: F403 - the same settings, one override

ROOT_URLCONF = "exclusion.summaries.bench_urls"
