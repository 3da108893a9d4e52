from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.browser.fixtures import chromium, open_page  # noqa: F401 - shared browser fixtures (no Django import)


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.hasplugin("django"):
        return  # the pure engine tests: `pytest tests/engine -p no:django`
    from django.conf import settings

    # Test users' passwords need no slow key stretching; production keeps Django's PBKDF2 default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Django-dependent helpers are imported inside the fixtures, so that the pure engine tests
# (tests/engine) also run without Django: `pytest tests/engine -p no:django`.


@pytest.fixture
def north(db):
    from tests.factories import make_site

    return make_site("NORTH")


@pytest.fixture
def south(db):
    from tests.factories import make_site

    return make_site("SOUTH")


@pytest.fixture
def trio(north, south):
    """healthchecks' access-test trio: the owner, a team-mate at the same site, an outsider elsewhere."""
    from tests.factories import make_user

    return SimpleNamespace(
        owner=make_user(north, "clinician", "owner"),
        teammate=make_user(north, "reviewer", "teammate"),
        outsider=make_user(south, "clinician", "outsider"),
    )
