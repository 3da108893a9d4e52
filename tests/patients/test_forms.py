"""The record's forms are model forms: their fields come from the model through one callback, they check
with the model's own rules (the ones the services run when saving), and they never save."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import modelform_factory
from django.urls import reverse

from patients import services
from patients.forms import (
    EpisodeForm,
    LesionFormSet,
    NumberField,
    RecordForm,
    TriStateField,
    kept_lesion_forms,
    record_formfield,
)
from patients.models import Episode, Patient
from tests.factories import make_episode
from tests.patients.helpers import episode_post, symmetric_episode_post

pytestmark = pytest.mark.django_db


def nullable_booleans_of_the_episode() -> list[str]:
    return [
        field.name
        for field in Episode._meta.get_fields()
        if isinstance(field, models.BooleanField) and field.null
    ]


def numbers_of_the_episode() -> list[str]:
    return [field.name for field in Episode._meta.get_fields() if isinstance(field, models.FloatField)]


@pytest.fixture
def patient(north) -> Patient:
    return make_episode(north, "NB-1").patient  # born 2014-03-02


def test_every_nullable_boolean_of_the_episode_is_a_tri_state_whose_unknown_is_null(patient):
    form = EpisodeForm(patient=patient)
    names = nullable_booleans_of_the_episode()
    assert len(names) > 20
    for name in names:
        field = form.fields[name]
        assert isinstance(field, TriStateField), name
        assert not field.required
        assert field.clean("") is None and field.clean("no") is False and field.clean("yes") is True
        assert '<option value="" selected>Unknown</option>' in str(form[name])


def test_a_nullable_boolean_added_to_the_model_would_be_a_tri_state_without_code():
    # The callback decides by the kind of column, not by name: any field list of the episode's nullable
    # booleans, and a column the model does not have yet, become tri-states.
    names = nullable_booleans_of_the_episode()
    form_class = modelform_factory(Episode, RecordForm, fields=names, formfield_callback=record_formfield)
    assert all(isinstance(field, TriStateField) for field in form_class.base_fields.values())
    new_column = models.BooleanField("new sign", null=True, blank=True)
    field = record_formfield(new_column)
    assert isinstance(field, TriStateField) and field.label == "New sign" and field.clean("") is None


def test_every_number_of_the_episode_is_a_decimal_text_input_without_min_or_max(patient):
    # Not type=number: the browser would read a decimal comma in its own locale (en-US: "1,8" became 18).
    form = EpisodeForm(patient=patient)
    for name in numbers_of_the_episode():
        if name not in form.fields:
            continue  # the ages, shown only without a birth date
        field = form.fields[name]
        assert isinstance(field, NumberField), name
        assert "min" not in field.widget.attrs and "max" not in field.widget.attrs
        assert field.widget.input_type == "text" and field.widget.attrs["inputmode"] == "decimal"


def test_onset_after_assessment_comes_back_on_the_onset_with_the_message_saving_gives(trio, patient):
    post = symmetric_episode_post(assessed_on="2024-06-10", onset_on="2024-07-01")
    form = EpisodeForm(post, patient=patient)
    assert not form.is_valid()
    with pytest.raises(ValidationError) as saving:
        services.episode_create(
            actor=trio.owner,
            patient=patient,
            data={"assessed_on": datetime.date(2024, 6, 10), "onset_on": datetime.date(2024, 7, 1)},
        )
    assert form.errors["onset_on"] == saving.value.message_dict["onset_on"]
    assert list(form.errors) == ["onset_on"]
    assert form["onset_on"].value() == "2024-07-01" and form["crp_mg_l"].value() == "12"


def test_a_future_assessment_date_comes_back_on_its_field_with_the_message_saving_gives(trio, patient):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    form = EpisodeForm(symmetric_episode_post(assessed_on=tomorrow.isoformat()), patient=patient)
    assert not form.is_valid()
    with pytest.raises(ValidationError) as saving:
        services.episode_create(actor=trio.owner, patient=patient, data={"assessed_on": tomorrow})
    assert form.errors["assessed_on"] == saving.value.message_dict["assessed_on"]
    assert form.errors["assessed_on"] == ["The assessment date is in the future."]
    assert f'value="{tomorrow.isoformat()}"' in str(form["assessed_on"])


def test_an_onset_before_the_birth_date_names_the_birth_date(patient):
    post = symmetric_episode_post(assessed_on="2024-06-10", onset_on="2013-01-01")
    form = EpisodeForm(post, patient=patient)
    assert not form.is_valid()
    assert form.errors["onset_on"] == ["Onset is before the birth date (02 Mar 2014)."]


def test_a_future_birth_date_comes_back_on_its_field_from_saving(client, trio, north):
    client.force_login(trio.owner)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = client.post(
        reverse("patients:patient_create"),
        {"record_number": "NB-78", "sex": "male", "birth_date": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == ["The birth date is in the future."]
    assert f'value="{tomorrow.isoformat()}"' in response.content.decode()
    assert not Patient.objects.filter(record_number="NB-78").exists()


def test_the_episode_form_never_saves(patient):
    form = EpisodeForm(symmetric_episode_post(assessed_on="2024-06-10"), patient=patient)
    assert form.is_valid()
    with pytest.raises(NotImplementedError):
        form.save(commit=False)
    assert not patient.episodes.filter(assessed_on="2024-06-10").exists()


def test_a_lesion_row_removed_is_not_a_lesion():
    post = episode_post(
        lesions=[{"site": "tibia", "side": "left", "modality": "mri"}, {"site": "rib", "DELETE": True}]
    )
    formset = LesionFormSet(post, prefix="lesions")
    assert formset.is_valid()
    assert [form.lesion_data()["site"] for form in kept_lesion_forms(formset)] == ["tibia"]


def test_a_lesion_level_is_at_most_the_models_length():
    post = episode_post(lesions=[{"site": "rib", "side": "left", "modality": "ct", "level": "x" * 21}])
    formset = LesionFormSet(post, prefix="lesions")
    assert not formset.is_valid()
    assert formset.forms[0].fields["level"].max_length == 20
    assert "at most 20 characters" in formset.forms[0].errors["level"][0]
