"""The Django admin writes clinical records through the services, like every other door: an admin edit is
assessed, raises or resolves the review flag, marks the activity summary stale, and refuses to overwrite
a newer version."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.urls import reverse

from exclusion.review.models import Flag, FlagStatus
from exclusion.summaries.models import ActivitySummary
from exclusion.summaries.services import summary_recompute_chunk
from exclusion.workbench.selectors import assessment_latest
from patients.models import AuditEntry, Episode
from patients.services import episode_update
from tests.factories import case, make_episode, make_user

pytestmark = pytest.mark.django_db


def _value(field: forms.Field, value: Any) -> Any:
    if isinstance(field, forms.NullBooleanField):
        return {True: "true", False: "false"}.get(value, "unknown")
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    return "" if value is None else value


def admin_form_data(response: Any) -> dict[str, Any]:
    """What the admin's change page posts back unchanged: the form, the inlines, their management forms."""
    data: dict[str, Any] = {}

    def add(form: forms.BaseForm) -> None:
        for name, field in form.fields.items():
            value = _value(field, form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


@pytest.fixture
def site_admin(north):
    return make_user(north, "site_admin", "north_admin", is_staff=True)


def fresh_summary(patient_id: int) -> ActivitySummary:
    summary_recompute_chunk(patient_ids=[patient_id])
    summary = ActivitySummary.objects.get(patient_id=patient_id)
    assert summary.stale is False
    return summary


def test_an_admin_edit_that_makes_the_case_unifocal_raises_a_flag_and_marks_the_summary_stale(
    client, north, site_admin
):
    episode = make_episode(north, "ADM-1", case())  # three lesions, symmetric: no flag
    assert not Flag.objects.filter(episode=episode).exists()
    fresh_summary(episode.patient_id)
    client.force_login(site_admin)
    url = reverse("admin:patients_episode_change", args=[episode.pk])
    data = admin_form_data(client.get(url))
    # Delete the right tibia and the clavicle: one tibia lesion is left.
    data["lesions-1-DELETE"] = "on"
    data["lesions-2-DELETE"] = "on"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    episode.refresh_from_db()
    assert episode.version == 2 and episode.lesions.count() == 1
    assert assessment_latest(episode_id=episode.pk).focality == "unifocal"
    flag = Flag.objects.get(episode=episode)
    assert flag.status == FlagStatus.OPEN and flag.reasons == ["unifocal_non_clavicular"]
    assert flag.assessment == assessment_latest(episode_id=episode.pk)
    assert ActivitySummary.objects.get(patient_id=episode.patient_id).stale is True
    assert AuditEntry.objects.filter(model="patients.Lesion", action="delete", actor=site_admin).count() == 2


def test_an_admin_save_of_a_stale_version_is_refused_as_a_conflict_and_keeps_the_input(
    client, north, site_admin
):
    episode = make_episode(north, "ADM-2", case())
    client.force_login(site_admin)
    url = reverse("admin:patients_episode_change", args=[episode.pk])
    data = admin_form_data(client.get(url))  # loaded at version 1
    # Meanwhile an API client saves a newer version.
    episode_update(actor=None, episode_id=episode.pk, expected_version=1, data={"crp_mg_l": 12.0})
    data["crp_mg_l"] = "45"

    response = client.post(url, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "changed by someone else" in " ".join(form.non_field_errors())
    assert form["crp_mg_l"].value() == "45"  # what the admin typed is still there
    episode.refresh_from_db()
    assert episode.version == 2 and episode.crp_mg_l == 12.0  # the newer save was not reverted


def test_an_admin_can_still_save_after_reloading_the_newer_version(client, north, site_admin):
    episode = make_episode(north, "ADM-3", case())
    episode_update(actor=None, episode_id=episode.pk, expected_version=1, data={"crp_mg_l": 12.0})
    client.force_login(site_admin)
    url = reverse("admin:patients_episode_change", args=[episode.pk])
    data = admin_form_data(client.get(url))
    data["crp_mg_l"] = "45"

    assert client.post(url, data).status_code == 302
    episode.refresh_from_db()
    assert episode.version == 3 and episode.crp_mg_l == 45.0


def test_deleting_an_episode_in_the_admin_resolves_its_flag(client, north, site_admin):
    one_tibia = case(lesions=[{"site": "tibia", "side": "left", "modality": "mri", "marrow_oedema": True}])
    episode = make_episode(north, "ADM-4", one_tibia)
    flag = Flag.objects.get(episode=episode)
    client.force_login(site_admin)

    response = client.post(reverse("admin:patients_episode_delete", args=[episode.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Episode.objects.filter(pk=episode.pk).exists()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED


def test_a_superuser_without_a_clinical_role_sees_clinical_records_read_only(client, north):
    episode = make_episode(north, "ADM-5", case())
    client.force_login(make_user(None, username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:patients_episode_change", args=[episode.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert client.post(url, {"crp_mg_l": "45"}).status_code == 403
    episode.refresh_from_db()
    assert episode.version == 1


def test_an_admin_sets_whole_body_mri_through_the_service(client, north, site_admin):
    episode = make_episode(north, "ADM-WB", case())
    client.force_login(site_admin)
    url = reverse("admin:patients_episode_change", args=[episode.pk])
    page = client.get(url)
    assert "Whole-body MRI (including the spine) done" in page.content.decode()
    data = admin_form_data(page)
    assert data["whole_body_mri"] == "unknown"
    data["whole_body_mri"] = "true"

    assert client.post(url, data).status_code == 302
    episode.refresh_from_db()
    assert (episode.version, episode.whole_body_mri) == (2, True)
    assert AuditEntry.objects.filter(model="patients.Episode", action="update", actor=site_admin).exists()
