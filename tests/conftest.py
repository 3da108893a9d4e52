from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import make_site, make_user


@pytest.fixture
def north(db):
    return make_site("NORTH")


@pytest.fixture
def south(db):
    return make_site("SOUTH")


@pytest.fixture
def trio(north, south):
    """healthchecks' access-test trio: the owner, a team-mate at the same site, an outsider elsewhere."""
    return SimpleNamespace(
        owner=make_user(north, "clinician", "owner"),
        teammate=make_user(north, "reviewer", "teammate"),
        outsider=make_user(south, "clinician", "outsider"),
    )
