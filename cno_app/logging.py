"""Quiet logs: a logged database error carries its class and constraint, never the row's values.

PostgreSQL's messages quote the values ("DETAIL: Key (site_id, record_number)=(1, NF-1) already exists"),
and Django's request logger and the API's error handler log them with the traceback. This filter replaces
such a record's exception text with the traceback's frames and a description without values.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from django.db import DatabaseError


def describe_database_error(exc: BaseException) -> str:
    """`IntegrityError (constraint patient_record_number_unique_per_site)`: no values."""
    diag = getattr(exc.__cause__, "diag", None) or getattr(exc, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    return f"{type(exc).__name__} (constraint {constraint})" if constraint else type(exc).__name__


def _database_error(exc: BaseException | None) -> DatabaseError | None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:  # the error may be the cause of the logged one
        if isinstance(exc, DatabaseError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


class ScrubDatabaseErrors(logging.Filter):
    """Attach to loggers (so every handler, caplog included, sees the scrubbed record) and handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info: Any = record.exc_info
        if not exc_info or exc_info[1] is None:
            return True
        db_error = _database_error(exc_info[1])
        if db_error is None:
            return True
        frames = "".join(traceback.format_tb(exc_info[2]))
        record.exc_text = (
            f"Traceback (most recent call last):\n{frames}{describe_database_error(db_error)}"
            " [values left out of the log]"
        )
        record.exc_info = None
        return True
