"""Record numbers are trimmed and unique per site without regard to case: in the services, on the patient
form, in the API, in the database, and in the migration that brings old data there."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from patients import services
from patients.models import Patient
from patients.models.core import RECORD_NUMBER_CONSTRAINT
from tests.clients import token_client
from tests.factories import case, make_episode, make_patient, make_user

pytestmark = pytest.mark.django_db

migration = importlib.import_module("patients.migrations.0011_record_number_case_insensitive")


# --- services ---------------------------------------------------------------------------------------


def test_a_record_number_is_stored_trimmed(north):
    patient = services.patient_create(actor=None, site=north, record_number="  NF-1001 ")
    assert patient.record_number == "NF-1001"


def test_the_same_number_in_another_case_is_refused_and_names_the_patient_on_file(north):
    first = services.patient_create(actor=None, site=north, record_number="NF-1001")

    with pytest.raises(ValidationError) as caught:
        services.patient_create(actor=None, site=north, record_number=" nf-1001")

    assert "already exists" in caught.value.message_dict["record_number"][0]
    assert f"patient id {first.pk}" in caught.value.message_dict["record_number"][0]
    assert services.duplicate_of(caught.value) == first.pk
    assert Patient.objects.filter(site=north).count() == 1


def test_another_site_may_use_the_same_number(north, south):
    services.patient_create(actor=None, site=north, record_number="NF-1001")
    other = services.patient_create(actor=None, site=south, record_number="nf-1001")
    assert other.site == south


def test_renaming_a_patient_to_anothers_number_in_another_case_is_refused(north):
    first = services.patient_create(actor=None, site=north, record_number="NF-1001")
    second = services.patient_create(actor=None, site=north, record_number="NF-1002")

    with pytest.raises(ValidationError) as caught:
        services.patient_update(actor=None, patient=second, record_number="nf-1001 ")

    assert services.duplicate_of(caught.value) == first.pk
    assert Patient.objects.get(pk=second.pk).record_number == "NF-1002"


def test_a_patient_may_change_the_case_of_their_own_number(north):
    patient = services.patient_create(actor=None, site=north, record_number="nf-1001")
    services.patient_update(actor=None, patient=patient, record_number="NF-1001")
    assert Patient.objects.get(pk=patient.pk).record_number == "NF-1001"


def test_case_intake_finds_the_patient_whatever_the_case_of_the_number(north):
    first = make_episode(north, "NF-1001")
    second = make_episode(north, " nf-1001 ", case(assessed_on="2024-09-01"))
    assert second.patient_id == first.patient_id
    assert Patient.objects.filter(site=north).count() == 1


# --- the database -----------------------------------------------------------------------------------


def test_the_database_refuses_a_number_differing_only_in_case(north):
    Patient.objects.create(site=north, record_number="NF-1001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Patient.objects.create(site=north, record_number="nf-1001")


def test_the_database_lets_another_site_reuse_a_number(north, south):
    Patient.objects.create(site=north, record_number="NF-1001")
    Patient.objects.create(site=south, record_number="nf-1001")
    assert Patient.objects.count() == 2


# --- the patient form -------------------------------------------------------------------------------


def test_the_patient_form_refuses_a_number_in_another_case_with_a_link_to_the_patient(client, north):
    existing = make_patient(north, "NF-1001")
    client.force_login(make_user(north, "clinician"))

    response = client.post(reverse("patients:patient_create"), {"record_number": "nf-1001", "sex": "male"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "already exists at this site" in html
    assert f'href="{reverse("patients:patient_detail", args=[existing.pk])}"' in html
    assert Patient.objects.filter(site=north).count() == 1


def test_the_patient_form_trims_the_number(client, north):
    client.force_login(make_user(north, "clinician"))
    client.post(reverse("patients:patient_create"), {"record_number": "  NF-2002  ", "sex": "male"})
    assert Patient.objects.filter(site=north, record_number="NF-2002").exists()


# --- the API ----------------------------------------------------------------------------------------


def test_the_api_refuses_a_number_in_another_case_naming_the_patient_id(north):
    existing = make_patient(north, "NF-1001")
    client = token_client(make_user(north, "clinician"))

    response = client.post("/api/v1/patients/", {"site": "NORTH", "record_number": "nf-1001"}, format="json")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "record_number"
    assert f"patient id {existing.pk}" in error["message"]


def test_case_intake_through_the_api_resolves_to_the_same_patient_in_another_case(north):
    client = token_client(make_user(north, "clinician"))
    first = client.post(
        "/api/v1/cases/", {"site": "NORTH", "record_number": "NF-1001", "case": case()}, format="json"
    )
    second = client.post(
        "/api/v1/cases/",
        {"site": "NORTH", "record_number": "nf-1001", "case": case(assessed_on="2024-09-01")},
        format="json",
    )
    assert first.status_code == second.status_code == 201
    assert second.json()["patient_id"] == first.json()["patient_id"]


# --- the migration ----------------------------------------------------------------------------------


def _without_the_case_insensitive_constraint() -> None:
    """Old data could collide: drop the constraint for this test's transaction (DDL rolls back with it).
    Done before any patient row is written, while the table has no pending deferred checks."""
    constraint = next(c for c in Patient._meta.constraints if c.name == RECORD_NUMBER_CONSTRAINT)
    with connection.schema_editor() as editor:
        editor.remove_constraint(Patient, constraint)


def test_the_migration_stops_on_colliding_numbers_and_lists_them(north, south):
    from django.apps import apps

    _without_the_case_insensitive_constraint()
    upper = Patient.objects.create(site=north, record_number="NF-1001")
    lower = Patient.objects.create(site=north, record_number="nf-1001")
    padded = Patient.objects.create(site=north, record_number="NF-1001 ")
    Patient.objects.create(site=south, record_number="nf-1001")  # another site: no collision
    Patient.objects.create(site=north, record_number=" NF-3 ")

    with pytest.raises(migration.RecordNumberCollisionError) as caught:
        migration.check_and_trim_record_numbers(apps, None)

    message = str(caught.value)
    assert "NORTH: " in message and "SOUTH" not in message
    for patient in (upper, lower, padded):
        assert f"{patient.record_number!r} (patient id {patient.pk})" in message
    # Nothing merged, nothing trimmed.
    assert Patient.objects.filter(site=north).count() == 4
    assert Patient.objects.filter(record_number=" NF-3 ").exists()


def test_the_migration_trims_numbers_when_nothing_collides(north, south):
    from django.apps import apps

    Patient.objects.create(site=north, record_number=" NF-3 ")
    Patient.objects.create(site=south, record_number="nf-3")

    migration.check_and_trim_record_numbers(apps, None)

    assert sorted(Patient.objects.values_list("record_number", flat=True)) == ["NF-3", "nf-3"]
