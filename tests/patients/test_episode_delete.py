"""Deleting an episode entered in error from the browser: clinicians only, after a confirmation page;
audited, its open flag resolved, the patient kept. The owner / team-mate / outsider trio as everywhere."""

from __future__ import annotations

import pytest

from exclusion.models import Flag
from patients.models import AuditEntry, Episode, Patient
from tests.exclusion.review.cases import unifocal_tibia_case
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(north):
    make_episode(north, "NF-DEL", case())  # an earlier episode that must survive
    return make_episode(north, "NF-DEL", unifocal_tibia_case())


def test_the_owner_sees_a_confirmation_page_that_says_what_goes_and_what_stays(
    client, trio, flagged, django_assert_max_num_queries
):
    client.force_login(trio.owner)
    with django_assert_max_num_queries(12):
        response = client.get(f"/episodes/{flagged.id}/delete/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "Delete the episode of 10 May 2024?" in text
    assert "NF-DEL and their other episodes stay" in text
    assert "review flag still open for this episode is resolved" in text
    assert Episode.objects.filter(pk=flagged.pk).exists()  # looking deletes nothing


def test_confirming_deletes_the_episode_resolves_its_flag_and_is_audited(client, trio, flagged):
    client.force_login(trio.owner)
    response = client.post(f"/episodes/{flagged.id}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"/patients/{flagged.patient_id}/"
    assert "The episode of 10 May 2024 was deleted." in response.content.decode()
    assert not Episode.objects.filter(pk=flagged.pk).exists()
    assert Patient.objects.get(pk=flagged.patient_id).episodes.count() == 1
    flag = Flag.objects.get(patient_id=flagged.patient_id)
    assert flag.status == "resolved"
    entry = AuditEntry.objects.get(model="patients.Episode", object_id=flagged.pk, action="delete")
    assert entry.actor == trio.owner


def test_the_episode_page_offers_delete_to_the_owner_only(client, trio, flagged):
    client.force_login(trio.owner)
    assert f"/episodes/{flagged.id}/delete/" in client.get(f"/episodes/{flagged.id}/").content.decode()
    client.force_login(trio.teammate)
    assert f"/episodes/{flagged.id}/delete/" not in client.get(f"/episodes/{flagged.id}/").content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_reviewer_at_the_site_may_not_delete(client, trio, flagged, method):
    client.force_login(trio.teammate)
    assert getattr(client, method)(f"/episodes/{flagged.id}/delete/").status_code == 403
    assert Episode.objects.filter(pk=flagged.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_sites_clinician_gets_a_404_and_deletes_nothing(client, trio, flagged, method):
    client.force_login(trio.outsider)
    assert getattr(client, method)(f"/episodes/{flagged.id}/delete/").status_code == 404
    assert Episode.objects.filter(pk=flagged.pk).exists()


def test_anonymous_is_sent_to_log_in(client, flagged):
    response = client.post(f"/episodes/{flagged.id}/delete/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Episode.objects.filter(pk=flagged.pk).exists()
