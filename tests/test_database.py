"""tests/database.built_once: rows built once for a module, each test's changes still rolled back."""

from __future__ import annotations

import pytest

from patients.models import Site
from tests.database import built_once
from tests.factories import make_site


@pytest.fixture(scope="module")
def once(django_db_setup, django_db_blocker) -> Site:
    yield from built_once(django_db_blocker, lambda: make_site("ONCE", "built once"))


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_every_test_sees_the_rows_as_built_whatever_the_test_before_changed(once, db, turn):
    site = Site.objects.get(pk=once.pk)
    assert site.name == "built once"
    assert Site.objects.filter(code__startswith="ADDED-").count() == 0
    site.name = f"changed by turn {turn}"
    site.save()
    make_site(f"ADDED-{turn}")


def test_a_test_without_the_database_is_still_refused_it(once):
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        Site.objects.count()
