"""Test clients: a signed-in browser session or a token-authenticated API client per user, and throttle
counts reset for each test."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from patients.models import SiteMembership
from patients.tokens.services import token_create


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # Throttle counts live in the (process-local) cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


def browser(user: Any) -> Client:
    """A test client signed in as the user (one-time password included when the user needs one)."""
    client = Client()
    client.force_login(user)
    return client


def token_client(user: Any, site: Any = None) -> APIClient:
    """A client with a fresh token of the user, bound to `site` (by default the user's only site)."""
    _, key = token_create(actor=None, user=user, site=site, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def as_user():
    """as_user(user[, site]) -> an APIClient authenticated with a fresh token of that user (at that site)."""
    return token_client


def grant_api_write(user: Any, site: Any) -> None:
    membership = SiteMembership.objects.get(user=user, site=site)
    membership.api_write = True
    membership.save()
