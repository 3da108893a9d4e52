"""Treatment courses in the browser: the section on the patient page, add, stop, edit with a conflict,
delete with confirmation. The owner / team-mate / outsider trio as in every access test."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import AuditEntry, Treatment
from patients.treatments.services import treatment_create, treatment_update
from tests.factories import case, make_episode

pytestmark = pytest.mark.django_db

NAPROXEN = {
    "drug_class": "nsaid",
    "drug": "naproxen",
    "started_on": "2024-05-10",
    "stopped_on": "",
    "stop_reason": "",
}


@pytest.fixture
def patient(north):
    return make_episode(north, "NF-TX", case()).patient


def _course(patient, actor, **values):
    defaults = {
        "drug_class": "nsaid",
        "drug": "naproxen",
        "started_on": datetime.date(2024, 5, 10),
        "stopped_on": None,
        "stop_reason": "",
    }
    return treatment_create(actor=actor, patient=patient, **{**defaults, **values})


def test_a_clinician_adds_naproxen_and_sees_it_on_the_patient_page(client, trio, patient):
    client.force_login(trio.owner)
    response = client.post(f"/patients/{patient.id}/treatments/new/", NAPROXEN, follow=True)
    assert response.redirect_chain[-1][0] == f"/patients/{patient.id}/#treatments"
    text = response.content.decode()
    assert "naproxen added to the treatments." in text
    assert 'data-treatment="' in text and "ongoing" in text
    assert 'data-course="naproxen"' in text  # a bar on the treatment timeline
    assert AuditEntry.objects.filter(model="patients.Treatment", action="create").count() == 1


def test_a_form_error_names_the_field_and_keeps_what_was_typed(client, trio, patient):
    client.force_login(trio.owner)
    response = client.post(
        f"/patients/{patient.id}/treatments/new/",
        {**NAPROXEN, "drug": "naproxen 250", "stopped_on": "2024-06-01", "stop_reason": ""},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Give the reason the course was stopped." in text
    assert 'value="naproxen 250"' in text and 'value="2024-06-01"' in text
    assert not Treatment.objects.exists()


def test_stop_proposes_todays_date_and_still_asks_for_a_reason(client, trio, patient):
    course = _course(patient, trio.owner)
    client.force_login(trio.owner)
    page = client.get(f"/treatments/{course.id}/edit/?stop=1").content.decode()
    assert datetime.date.today().isoformat() in page and "Stop naproxen" in page
    response = client.post(
        f"/treatments/{course.id}/edit/",
        {**NAPROXEN, "stopped_on": "2024-09-01", "stop_reason": "inefficacy", "version": 1},
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.stopped_on, course.stop_reason, course.version) == (
        datetime.date(2024, 9, 1),
        "inefficacy",
        2,
    )


def test_a_conflicting_edit_answers_409_with_both_values_and_saves_nothing(client, trio, patient):
    course = _course(patient, trio.owner)
    treatment_update(actor=trio.owner, treatment=course, version=1, drug="ibuprofen", **_same(course, "drug"))
    client.force_login(trio.owner)
    response = client.post(f"/treatments/{course.id}/edit/", {**NAPROXEN, "drug": "diclofenac", "version": 1})
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else changed this treatment" in text and "ibuprofen" in text and "diclofenac" in text
    course.refresh_from_db()
    assert course.drug == "ibuprofen"


def _same(course, *leave_out):
    names = ("drug_class", "drug", "started_on", "stopped_on", "stop_reason")
    return {name: getattr(course, name) for name in names if name not in leave_out}


def test_delete_asks_first_then_removes_the_course_and_keeps_the_audit_entry(client, trio, patient):
    course = _course(patient, trio.owner)
    client.force_login(trio.owner)
    assert "Delete naproxen" in client.get(f"/treatments/{course.id}/delete/").content.decode()
    assert Treatment.objects.filter(pk=course.pk).exists()
    assert client.post(f"/treatments/{course.id}/delete/").status_code == 302
    assert not Treatment.objects.filter(pk=course.pk).exists()
    assert AuditEntry.objects.filter(
        model="patients.Treatment", object_id=course.pk, action="delete"
    ).exists()


def test_a_reviewer_sees_the_courses_but_cannot_add_or_change_them(client, trio, patient):
    course = _course(patient, trio.owner)
    client.force_login(trio.teammate)
    page = client.get(f"/patients/{patient.id}/").content.decode()
    assert "naproxen" in page and f"/treatments/{course.id}/edit/" not in page
    assert client.get(f"/patients/{patient.id}/treatments/new/").status_code == 403
    assert client.post(f"/treatments/{course.id}/delete/").status_code == 403


@pytest.mark.parametrize("url", ["/treatments/{id}/edit/", "/treatments/{id}/delete/"])
def test_another_sites_clinician_gets_a_404(client, trio, patient, url):
    course = _course(patient, trio.owner)
    client.force_login(trio.outsider)
    assert client.get(url.format(id=course.id)).status_code == 404
    assert client.post(url.format(id=course.id)).status_code == 404
    assert client.get(f"/patients/{patient.id}/treatments/new/").status_code == 404


def test_the_treatment_pages_are_not_cached(client, trio, patient):
    course = _course(patient, trio.owner)
    client.force_login(trio.owner)
    for url in (f"/patients/{patient.id}/treatments/new/", f"/treatments/{course.id}/edit/"):
        assert client.get(url)["Cache-Control"] == "no-store"


def test_the_patient_page_costs_the_same_queries_with_three_courses_as_with_one(client, trio, patient):
    _course(patient, trio.owner)
    client.force_login(trio.owner)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/patients/{patient.id}/")
    _course(patient, trio.owner, drug="ibuprofen", started_on=datetime.date(2024, 6, 1))
    _course(patient, trio.owner, drug_class="bisphosphonate", drug="pamidronate")
    with CaptureQueriesContext(connection) as three:
        client.get(f"/patients/{patient.id}/")
    assert len(three) == len(one)
