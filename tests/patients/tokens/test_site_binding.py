"""A token is bound to one site and acts only there; site admins mint only for their sites' api_clients,
see only their sites' users in the membership admin, and every access change is audited."""

from __future__ import annotations

import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from patients.models import ApiToken, AuditEntry, SiteMembership
from patients.tokens.services import token_create, token_revoke
from tests.clients import token_client
from tests.factories import contract_example, make_patient, make_user


@pytest.fixture
def people(north, south):
    both = make_user(north, "clinician", "both-sites")
    SiteMembership.objects.create(user=both, site=south, role="clinician")
    return SimpleNamespace(
        north=north,
        south=south,
        both=both,
        north_admin=make_user(north, "site_admin", "north-admin", is_staff=True),
        north_clinician=make_user(north, "clinician", "north-clinician"),
        north_client=make_user(north, "api_client", "north-registry"),
        south_client=make_user(south, "api_client", "south-registry"),
        south_clinician=make_user(south, "clinician", "south-clinician"),
        north_patient=make_patient(north, "N-1"),
        south_patient=make_patient(south, "S-1"),
    )


def admin_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_north_token_of_a_user_who_also_works_at_south_sees_nothing_of_south(people):
    client = token_client(people.both, people.north)
    assert client.get(f"/api/v1/patients/{people.north_patient.id}/").status_code == 200
    assert client.get(f"/api/v1/patients/{people.south_patient.id}/").status_code == 404
    assert client.get(f"/api/v1/patients/{people.south_patient.id}/summary/").status_code == 404
    listed = {row["id"] for row in client.get("/api/v1/patients/").json()["results"]}
    assert listed == {people.north_patient.id}
    body = {"site": "SOUTH", "record_number": "S-NEW", "case": contract_example()}
    assert client.post("/api/v1/cases/", body, format="json").status_code == 404
    assert not people.south.patients.filter(record_number="S-NEW").exists()


def test_a_token_carries_its_users_role_at_its_site_only(people):
    SiteMembership.objects.filter(user=people.both, site=people.south).update(role="reviewer")
    south_token = token_client(people.both, people.south)
    body = {"site": "SOUTH", "record_number": "S-NEW", "case": contract_example()}
    assert south_token.post("/api/v1/cases/", body, format="json").status_code == 403
    north_token = token_client(people.both, people.north)
    body = {"site": "NORTH", "record_number": "N-NEW", "case": contract_example()}
    assert north_token.post("/api/v1/cases/", body, format="json").status_code == 201


def test_a_token_stops_when_its_user_leaves_its_site(people):
    client = token_client(people.both, people.north)
    assert client.get("/api/v1/rules/").status_code == 200
    SiteMembership.objects.get(user=people.both, site=people.north).delete()
    assert client.get("/api/v1/rules/").status_code == 401


def test_a_token_for_a_user_of_two_sites_needs_a_site(people):
    with pytest.raises(ValueError, match="which site"):
        token_create(actor=None, user=people.both, name="ambiguous")


def test_a_site_admin_mints_for_themselves_and_their_sites_api_clients_only(people):
    own, _ = token_create(actor=people.north_admin, user=people.north_admin, site=people.north, name="mine")
    assert own.site == people.north
    token_create(actor=people.north_admin, user=people.north_client, site=people.north, name="registry")
    refused = [
        (people.north_clinician, people.north),  # a clinician's access is not a site admin's to hand out
        (people.both, people.north),
        (people.south_client, people.south),  # another site's api_client
        (people.north_admin, people.south),  # not a member there
    ]
    for user, site in refused:
        with pytest.raises(PermissionDenied):
            token_create(actor=people.north_admin, user=user, site=site, name="refused")
    assert ApiToken.objects.count() == 2


def test_the_token_page_refuses_a_clinician_and_another_sites_api_client(people):
    browser = admin_browser(people.north_admin)
    page = browser.get("/tokens/").content.decode()
    assert "north-registry" in page and "north-clinician" not in page and "south-registry" not in page
    assert ">SOUTH<" not in page
    for user, site in ((people.north_clinician, people.north), (people.south_client, people.south)):
        response = browser.post("/tokens/", {"site": site.pk, "user": user.pk, "name": "x"})
        assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_token_admin_offers_only_the_admins_sites_and_their_api_clients(people):
    browser = admin_browser(people.north_admin)
    form = browser.get("/admin/patients/apitoken/add/").context["adminform"].form
    assert list(form.fields["site"].queryset) == [people.north]
    assert set(form.fields["user"].queryset) == {people.north_admin, people.north_client}
    response = browser.post(
        "/admin/patients/apitoken/add/",
        {"site": people.north.pk, "user": people.north_clinician.pk, "name": "x"},
    )
    assert "cno_" not in response.content.decode() and not ApiToken.objects.exists()


def test_the_membership_admin_shows_and_offers_only_the_admins_sites_users(people):
    browser = admin_browser(people.north_admin)
    listing = browser.get("/admin/patients/sitemembership/").content.decode()
    assert "north-clinician" in listing and "south-clinician" not in listing
    form = browser.get("/admin/patients/sitemembership/add/").context["adminform"].form
    offered = set(form.fields["user"].queryset.values_list("username", flat=True))
    assert "north-clinician" in offered and "both-sites" in offered
    assert "south-clinician" not in offered and "south-registry" not in offered
    # The reproduction: bringing a SOUTH clinician to NORTH is refused, nothing is created.
    response = browser.post(
        "/admin/patients/sitemembership/add/",
        {"user": people.south_clinician.pk, "site": people.north.pk, "role": "reviewer"},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not SiteMembership.objects.filter(user=people.south_clinician, site=people.north).exists()


def test_a_superuser_sees_every_user_in_the_membership_admin(people):
    root = make_user(None, username="root", is_staff=True, is_superuser=True)
    form = admin_browser(root).get("/admin/patients/sitemembership/add/").context["adminform"].form
    assert people.south_clinician in form.fields["user"].queryset


def test_membership_changes_are_audited_with_the_actor(people):
    browser = admin_browser(people.north_admin)
    membership = SiteMembership.objects.get(user=people.north_clinician)
    response = browser.post(
        f"/admin/patients/sitemembership/{membership.pk}/change/",
        {"user": people.north_clinician.pk, "site": people.north.pk, "role": "reviewer"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(model="patients.SiteMembership", object_id=membership.pk).first()
    assert (entry.action, entry.actor, entry.site) == ("update", people.north_admin, people.north)
    assert entry.changes == {"role": ["clinician", "reviewer"]}
    browser.post(f"/admin/patients/sitemembership/{membership.pk}/delete/", {"post": "yes"})
    entry = AuditEntry.objects.filter(model="patients.SiteMembership", object_id=membership.pk).first()
    assert (entry.action, entry.actor_label) == ("delete", "north-admin")


def test_token_creation_and_revocation_are_audited_without_the_secret(people):
    token, key = token_create(
        actor=people.north_admin, user=people.north_client, site=people.north, name="registry"
    )
    token_revoke(actor=people.north_admin, token=token)
    entries = list(AuditEntry.objects.filter(model="patients.ApiToken", object_id=token.pk).order_by("id"))
    assert [(e.action, e.actor, e.site) for e in entries] == [
        ("create", people.north_admin, people.north),
        ("update", people.north_admin, people.north),
    ]
    assert list(entries[1].changes) == ["revoked_at"]
    for entry in entries:
        assert key not in str(entry.changes) and "key_hash" not in entry.changes


def test_using_a_token_writes_no_audit_entry(people):
    client = token_client(people.north_client)
    before = AuditEntry.objects.count()
    assert client.get("/api/v1/rules/").status_code == 200
    assert AuditEntry.objects.count() == before


def test_the_migration_binds_tokens_to_the_first_membership_and_revokes_the_ambiguous(people):
    migration = importlib.import_module("patients.migrations.0007_apitoken_site")
    single, _ = token_create(actor=None, user=people.north_client, name="single")
    ambiguous, _ = token_create(actor=None, user=people.both, site=people.south, name="two sites")
    orphan_user = make_user(None, username="no-site")
    orphan = ApiToken.objects.create(
        user=orphan_user, site=people.north, name="orphan", prefix="cno_orphan", key_hash="0" * 64
    )
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.bind_tokens_to_a_site(apps, editor)

    single.refresh_from_db()
    assert (single.site, single.revoked_at) == (people.north, None)
    ambiguous.refresh_from_db()  # first membership is NORTH (the lower id): bound there, and revoked
    assert ambiguous.site == people.north and ambiguous.revoked_at is not None
    assert not ApiToken.objects.filter(pk=orphan.pk).exists()


def test_add_user_mints_a_token_bound_to_the_named_site(people):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("add_user", "both-sites", "--site", "SOUTH", "--role", "clinician", "--token", stdout=out)
    key = out.getvalue().strip()
    assert ApiToken.objects.get(prefix=key[:12]).site == people.south
    client = token_client(people.both, people.north)  # same user, NORTH token: for contrast
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"/api/v1/patients/{people.south_patient.id}/").status_code == 200
    assert client.get(f"/api/v1/patients/{people.north_patient.id}/").status_code == 404
    assert re.fullmatch(r"cno_\S+", key)
