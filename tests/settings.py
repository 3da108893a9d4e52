"""The settings of the test suite: the app's own (cno_app.settings), with one change under pytest-xdist.

`make test` runs the suite on two workers (`-n 2`). pytest-django gives each worker its own PostgreSQL
database; Redis needs the same: a test that flushes its broker or cache database (the Celery worker
tests, the throttle and lockout tests) must not empty the other worker's. So worker gwN moves both Redis
URLs 2×N databases down (broker 15 and cache 14 for gw0, 13 and 12 for gw1, …). The environment is
changed, not just these settings, because Celery reads CELERY_BROKER_URL from it and the worker
subprocesses of the Celery tests inherit it.
"""

from __future__ import annotations

import os
import re

_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", …; unset without -n
_SHIFTED = "CNO_TEST_REDIS_SHIFTED"  # once per worker process, whatever re-imports this module


def _shifted(url: str, by: int) -> str:
    match = re.fullmatch(r"(redis://[^/]+/)(\d+)", url)
    if match is None:
        return url
    db = int(match[2]) - by
    if db < 0:
        raise RuntimeError(f"Too many test workers for the Redis databases of {url}: use fewer with -n.")
    return f"{match[1]}{db}"


if _WORKER.startswith("gw") and not os.environ.get(_SHIFTED):
    for _name in ("CELERY_BROKER_URL", "CACHE_URL"):
        if os.environ.get(_name):
            os.environ[_name] = _shifted(os.environ[_name], 2 * int(_WORKER[2:]))
    os.environ[_SHIFTED] = "1"

from cno_app.settings import *  # noqa: E402, F403 - the app's settings, read after the change above
