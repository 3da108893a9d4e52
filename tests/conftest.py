from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest

from tests.browser.fixtures import chromium, open_page  # noqa: F401 - shared browser fixtures (no Django import)


def pytest_configure(config: pytest.Config) -> None:
    # A test allocates many short-lived objects (querysets, templates, requests); collecting the youngest
    # generation every 100 000 allocations instead of every 700 spends less time in the collector.
    gc.set_threshold(100_000, 50, 100)
    if not config.pluginmanager.hasplugin("django"):
        return  # the pure engine tests: `pytest tests/engine -p no:django`
    from django.conf import settings

    # Test users' passwords need no slow key stretching; production keeps Django's PBKDF2 default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_finish(session: pytest.Session) -> None:
    # Django, the project and every test module are loaded by now and live until the end: the collector
    # need not look at them again.
    gc.freeze()


@pytest.fixture(autouse=True)
def force_login_includes_the_second_factor(request, monkeypatch):
    """`client.force_login(user)` stands for a finished sign-in, one-time password included when the user
    needs one; tests of the sign-in itself post to /login/ and go through the OTP step."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from django.test.client import ClientMixin

    from patients.accounts.policy import needs_otp
    from tests.factories import verify_otp

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if needs_otp(type(user).objects.get(pk=user.pk)):  # a fresh copy: the test's own keeps no cache
            verify_otp(self, user)

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture(autouse=True)
def every_test_starts_in_the_default_language(request):
    """A German request leaves German active in the thread (as Django's LocaleMiddleware does: each request
    activates its own); a test that calls code directly afterwards must not read German."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


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


@pytest.fixture
def tasks_in_process():
    """Run Celery tasks in this process (the real task, no broker), as without CELERY_BROKER_URL."""
    from cno_app.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
