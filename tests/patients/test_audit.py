"""Every create, update and delete of patients, episodes, lesions and biopsies leaves history."""

from __future__ import annotations

import pytest

from patients.models import AuditEntry, Episode, Lesion, Patient
from patients.models.audit import AuditBypassError
from patients.services import episode_delete, episode_update, patient_create
from tests.factories import make_episode


def entries(model: str, object_id: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(model=model, object_id=object_id).order_by("id"))


def test_creating_a_patient_records_who_and_what(trio, north):
    patient = patient_create(actor=trio.owner, site=north, record_number="NF-5", sex="female")
    [entry] = entries("patients.Patient", patient.pk)
    assert entry.action == "create"
    assert entry.actor == trio.owner and entry.actor_label == "owner"
    assert entry.site == north
    assert entry.changes["record_number"] == [None, "NF-5"]
    assert entry.changes["sex"] == [None, "female"]


def test_updating_an_episode_records_before_and_after_with_the_acting_user(trio, north):
    episode = make_episode(north, "NF-6")
    episode_update(actor=trio.owner, episode_id=episode.pk, expected_version=1, data={"crp_mg_l": 31})
    update = entries("patients.Episode", episode.pk)[-1]
    assert update.action == "update" and update.actor == trio.owner
    assert update.changes == {"crp_mg_l": [12, 31]}


def test_changing_lesions_records_their_creation_update_and_removal(trio, north):
    episode = make_episode(north, "NF-7")
    first, second, third = episode.lesions.all()
    lesions = [
        {
            "id": first.id,
            "site": "tibia",
            "side": "left",
            "modality": "mri",
            "marrow_oedema": True,
            "sclerosis": True,
            "active": True,
        },
        {"site": "femur", "side": "left", "modality": "mri", "marrow_oedema": True},
    ]
    episode_update(actor=trio.owner, episode_id=episode.pk, expected_version=1, data={}, lesions=lesions)
    assert entries("patients.Lesion", first.id)[-1].changes == {"active": [False, True]}
    for removed in (second, third):
        assert entries("patients.Lesion", removed.id)[-1].action == "delete"
    new = Lesion.objects.get(episode=episode, site="femur")
    assert entries("patients.Lesion", new.id)[0].action == "create"
    assert entries("patients.Lesion", new.id)[0].actor == trio.owner


def test_deleting_an_episode_records_the_episode_and_its_lesions(trio, north):
    episode = make_episode(north, "NF-8")
    episode_id = episode.pk
    lesion_ids = list(episode.lesions.values_list("id", flat=True))
    episode_delete(actor=trio.owner, episode=episode)
    deleted = entries("patients.Episode", episode_id)[-1]
    assert deleted.action == "delete" and deleted.actor == trio.owner
    assert deleted.changes["crp_mg_l"] == [12, None]
    for lesion_id in lesion_ids:
        assert entries("patients.Lesion", lesion_id)[-1].action == "delete"


def test_jobs_without_a_user_are_recorded_as_system(north):
    episode = make_episode(north, "NF-9")
    assert entries("patients.Episode", episode.pk)[0].actor_label == "system"


def test_bulk_writes_that_would_bypass_history_are_refused(north):
    make_episode(north, "NF-10")
    with pytest.raises(AuditBypassError):
        Episode.objects.update(crp_mg_l=1)
    with pytest.raises(AuditBypassError):
        Patient.objects.filter(site=north).update(sex="male")
    with pytest.raises(AuditBypassError):
        Patient.objects.bulk_create([Patient(site=north, record_number="X")])
    with pytest.raises(AuditBypassError):
        Lesion.objects.bulk_update(list(Lesion.objects.all()), ["active"])
    episode = Episode.objects.get()
    with pytest.raises(AuditBypassError):
        episode.lesions.update(active=True)


def test_audit_entries_are_append_only(north):
    make_episode(north, "NF-11")
    entry = AuditEntry.objects.first()
    entry.actor_label = "someone else"
    with pytest.raises(AuditBypassError):
        entry.save()


def test_an_edit_in_the_admin_is_recorded_with_the_admin_user(client, north):
    from tests.factories import make_user

    admin = make_user(north, "site_admin", "siteadmin", is_staff=True)
    patient = make_episode(north, "NF-12").patient
    client.force_login(admin)
    response = client.post(
        f"/admin/patients/patient/{patient.pk}/change/",
        {"site": north.pk, "record_number": "NF-12", "sex": "male", "birth_date": "2014-03-02"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    update = entries("patients.Patient", patient.pk)[-1]
    assert update.actor == admin and update.changes == {"sex": ["female", "male"]}
