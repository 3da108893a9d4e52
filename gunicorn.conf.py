"""gunicorn's settings (read by `gunicorn -c gunicorn.conf.py`, in the Dockerfile and docker-compose.yml).

Quiet logs: the access log shows the path only, never the query string (it can carry record numbers and
filters) nor the referer (it carries the previous page's query string); error messages that quote a
request URI lose its query string too.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
# %(U)s is the path without its query string; no %(r)s, %(q)s or %(f)s.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'

_QUERY = re.compile(r"\?\S*")


def scrub_query(value: Any) -> Any:
    """`/api/v1/patients/?record_number=NF-1` -> `/api/v1/patients/?…`."""
    return _QUERY.sub("?…", value) if isinstance(value, str) else value


class QuietLogger(Logger):
    """gunicorn's error log, with query strings taken out of every message and argument."""

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().error(scrub_query(msg), *map(scrub_query, args), **kwargs)

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().warning(scrub_query(msg), *map(scrub_query, args), **kwargs)

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        super().exception(scrub_query(msg), *map(scrub_query, args), **kwargs)


logger_class = QuietLogger
