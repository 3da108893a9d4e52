"""Rows built once for a whole test module: Django's `setUpTestData`, for pytest fixtures.

    @pytest.fixture(scope="module")
    def world_rows(django_db_setup, django_db_blocker):
        yield from built_once(django_db_blocker, build_world)

The rows stay in one open transaction until the module's last test has run, and are then rolled back. Each
test's own `db` transaction nests inside it as a savepoint, so whatever a test changes is undone at its end,
as usual, and the next test sees the rows as they were built. The database is unblocked only to build and to
roll back: a test still needs `db` to touch it. Not for `transaction=True` tests, which commit and flush,
nor for a module that has any: one would run inside the open transaction and empty it for the tests after it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db import transaction

T = TypeVar("T")


def built_once(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            value = build()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
