"""The audit trail's readers: a site admin at each site, beside the owner / team-mate / outsider trio."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from patients.models import AuditEntry
from tests.factories import make_user


@pytest.fixture
def admins(north, south):
    return SimpleNamespace(
        north=make_user(north, "site_admin", "north-admin"),
        south=make_user(south, "site_admin", "south-admin"),
    )


@pytest.fixture
def north_admin_browser(admins) -> Client:
    browser = Client()
    browser.force_login(admins.north)
    return browser


def dated(entries, day: datetime.date) -> None:
    """Move entries to noon of a past day (the clock of the test cannot be turned back otherwise:
    `at` is set on creation)."""
    noon = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    AuditEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(at=noon)
