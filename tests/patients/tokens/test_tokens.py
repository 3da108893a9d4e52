"""API tokens: created (shown once), listed and revoked by site admins; the add_user command."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from patients.models import ApiToken, Site, SiteMembership
from patients.tokens.services import token_create, token_hash, token_list, token_revoke
from tests.factories import make_user


@pytest.fixture
def admins(north, south):
    from types import SimpleNamespace

    return SimpleNamespace(
        north=north,
        south=south,
        north_admin=make_user(north, "site_admin", "north-admin", is_staff=True),
        north_client=make_user(north, "api_client", "north-registry"),
        south_client=make_user(south, "api_client", "south-registry"),
    )


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/rules/").status_code == 200


def test_a_token_is_stored_only_as_its_hash(admins):
    token, key = token_create(
        actor=admins.north_admin, user=admins.north_client, site=admins.north, name="registry export"
    )
    assert key.startswith("cno_") and len(key) > 40
    assert token.prefix == key[:12]
    assert token.key_hash == token_hash(key) and key not in token.key_hash
    assert works(key)


def test_a_site_admin_manages_only_their_sites_members_tokens(admins):
    with pytest.raises(PermissionDenied):
        token_create(actor=admins.north_admin, user=admins.south_client, site=admins.south, name="not mine")
    with pytest.raises(PermissionDenied):
        token_create(actor=admins.north_admin, user=admins.south_client, site=admins.north, name="no member")
    south_token, _ = token_create(actor=None, user=admins.south_client, name="south")
    with pytest.raises(PermissionDenied):
        token_revoke(actor=admins.north_admin, token=south_token)
    north_token, _ = token_create(
        actor=admins.north_admin, user=admins.north_client, site=admins.north, name="north"
    )
    assert list(token_list(actor=admins.north_admin)) == [north_token]
    with pytest.raises(PermissionDenied):
        token_create(
            actor=admins.north_client, user=admins.north_client, site=admins.north, name="self-service"
        )


def test_revoking_stops_the_token_at_once(admins):
    token, key = token_create(
        actor=admins.north_admin, user=admins.north_client, site=admins.north, name="to revoke"
    )
    token_revoke(actor=admins.north_admin, token=token)
    assert not works(key)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_the_token_page_shows_a_new_token_once(admins):
    browser = Client()
    browser.force_login(admins.north_admin)
    response = browser.post(
        "/tokens/", {"site": admins.north.pk, "user": admins.north_client.pk, "name": "registry"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = re.search(r'value="(cno_[^"]+)"', response.content.decode()).group(1)
    assert works(key)
    listing = browser.get("/tokens/").content.decode()
    assert key[:12] in listing and key not in listing


def test_the_token_page_offers_only_the_admins_sites_users_and_revokes(admins):
    browser = Client()
    browser.force_login(admins.north_admin)
    page = browser.get("/tokens/").content.decode()
    assert "north-registry" in page and "south-registry" not in page
    refused = browser.post("/tokens/", {"site": admins.north.pk, "user": admins.south_client.pk, "name": "x"})
    assert refused.status_code == 400
    assert not ApiToken.objects.exists()

    south_token, _ = token_create(actor=None, user=admins.south_client, name="south")
    assert browser.post(f"/tokens/{south_token.pk}/revoke/").status_code == 404
    north_token, key = token_create(actor=None, user=admins.north_client, name="north")
    assert browser.post(f"/tokens/{north_token.pk}/revoke/").status_code == 302
    assert not works(key)


def test_only_site_admins_reach_the_token_pages(admins):
    browser = Client()
    browser.force_login(admins.north_client)
    assert browser.get("/tokens/").status_code == 403
    assert Client().get("/tokens/").status_code == 302  # to the login page


def test_the_token_page_query_count_does_not_grow_with_tokens(admins, django_assert_max_num_queries):
    for number in range(12):
        token_create(actor=None, user=admins.north_client, name=f"token {number}")
    browser = Client()
    browser.force_login(admins.north_admin)
    # Session, user, one-time-password device, memberships, tokens, their roles, the site and user choices,
    # and the session's idle-timeout save (in a savepoint): a constant, whatever the number of tokens.
    with django_assert_max_num_queries(11):
        assert browser.get("/tokens/").status_code == 200


def test_the_admin_adds_a_token_and_shows_it_once(admins):
    browser = Client()
    browser.force_login(admins.north_admin)
    response = browser.post(
        "/admin/patients/apitoken/add/",
        {"site": admins.north.pk, "user": admins.north_client.pk, "name": "via admin"},
    )
    assert response.status_code == 200
    key = re.search(r'value="(cno_[^"]+)"', response.content.decode()).group(1)
    assert works(key)
    changelist = browser.get("/admin/patients/apitoken/").content.decode()
    assert "via admin" in changelist and key not in changelist


def test_add_user_creates_the_site_membership_and_prints_only_the_token(db):
    out = io.StringIO()
    call_command("add_user", "registry-bot", "--site", "EAST", "--role", "api_client", "--token", stdout=out)
    [key] = out.getvalue().split()
    assert out.getvalue() == key + "\n"
    assert works(key)
    membership = SiteMembership.objects.get(user__username="registry-bot")
    assert (membership.site.code, membership.role, membership.api_write) == ("EAST", "api_client", False)
    assert not membership.user.has_usable_password()


def test_add_user_with_a_password_from_stdin(db, monkeypatch):
    Site.objects.create(code="WEST", name="West")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase-42\n"))
    call_command(
        "add_user",
        "dr-west",
        "--site",
        "WEST",
        "--role",
        "clinician",
        "--password-stdin",
        stdout=io.StringIO(),
    )
    user = get_user_model().objects.get(username="dr-west")
    assert user.check_password("a-long-enough-passphrase-42")
    assert Site.objects.filter(code="WEST").count() == 1


def test_add_user_refuses_a_weak_password_and_a_bad_site_code(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError):
        call_command("add_user", "weak", "--site", "WEST", "--role", "clinician", "--password-stdin")
    with pytest.raises(CommandError):
        call_command("add_user", "bad", "--site", "no spaces!", "--role", "clinician")
    assert not get_user_model().objects.filter(username__in=["weak", "bad"]).exists()


def test_add_user_grants_api_write_only_to_api_clients(db):
    out = io.StringIO()
    call_command(
        "add_user", "writer", "--site", "EAST", "--role", "api_client", "--api-write", "--token", stdout=out
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    from tests.factories import contract_example

    response = client.post(
        "/api/v1/cases/", {"site": "EAST", "record_number": "E-1", "case": contract_example()}, format="json"
    )
    assert response.status_code == 201
    with pytest.raises(CommandError):
        call_command("add_user", "nurse", "--site", "EAST", "--role", "clinician", "--api-write")
