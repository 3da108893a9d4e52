"""Site scoping: the owner and a team-mate of the same site see a record; an outsider gets a 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from patients import selectors
from patients.services import episode_update, patient_create
from tests.factories import make_episode, make_user


@pytest.fixture
def north_episode(north):
    return make_episode(north, "NF-1")


def test_owner_and_teammate_see_their_sites_patient(trio, north_episode):
    for user in (trio.owner, trio.teammate):
        assert selectors.patient_get(user=user, patient_id=north_episode.patient_id) == north_episode.patient


def test_outsider_gets_404_for_another_sites_patient_and_episode(trio, north_episode):
    with pytest.raises(Http404):
        selectors.patient_get(user=trio.outsider, patient_id=north_episode.patient_id)
    with pytest.raises(Http404):
        selectors.episode_get(user=trio.outsider, episode_id=north_episode.pk)


def test_patient_list_holds_only_the_users_sites(trio, north_episode, south):
    make_episode(south, "SB-1")
    assert [p.record_number for p in selectors.patient_list(user=trio.owner)] == ["NF-1"]
    assert [p.record_number for p in selectors.patient_list(user=trio.outsider)] == ["SB-1"]


def test_a_user_without_membership_sees_nothing(db, north_episode):
    loner = make_user(None)
    assert list(selectors.patient_list(user=loner)) == []


def test_a_clinician_may_change_records_of_their_site(trio, north_episode):
    episode = episode_update(
        actor=trio.owner, episode_id=north_episode.pk, expected_version=1, data={"crp_mg_l": 8}
    )
    assert episode.crp_mg_l == 8 and episode.version == 2


def test_a_reviewer_may_read_but_not_change_clinical_records(trio, north_episode):
    with pytest.raises(PermissionDenied):
        episode_update(
            actor=trio.teammate, episode_id=north_episode.pk, expected_version=1, data={"crp_mg_l": 8}
        )


def test_an_outsider_cannot_create_a_patient_at_another_site(trio, north):
    with pytest.raises(PermissionDenied):
        patient_create(actor=trio.outsider, site=north, record_number="NF-2")


def test_patient_list_page_shows_only_the_users_site(client, trio, north_episode, south):
    make_episode(south, "SB-7")
    client.force_login(trio.outsider)
    body = client.get("/").content.decode()
    assert "SB-7" in body and "NF-1" not in body


def test_site_admin_in_the_django_admin_sees_only_their_site(client, north, south, north_episode):
    south_episode = make_episode(south, "SB-3")
    admin = make_user(north, "site_admin", is_staff=True)
    client.force_login(admin)
    listing = client.get("/admin/patients/patient/").content.decode()
    assert "NF-1" in listing and "SB-3" not in listing
    # Django's admin answers an object outside the queryset as if it did not exist: back to the index.
    other = client.get(f"/admin/patients/patient/{south_episode.patient_id}/change/")
    assert other.status_code == 302 and other.url == "/admin/"
    assert client.get(f"/admin/patients/patient/{north_episode.patient_id}/change/").status_code == 200


def test_staff_without_site_admin_role_cannot_use_the_admin(client, north):
    clinician = make_user(north, "clinician", is_staff=True)
    client.force_login(clinician)
    assert client.get("/admin/patients/patient/").status_code == 403
