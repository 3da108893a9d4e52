"""Input and output serializers of the API (HackSoft style: one small serializer per direction).

Case documents are validated by the engine (exclusion.engine.validate_case), never by a serializer, so the
API reports exactly the errors the command line reports. Serializers here validate only the envelopes,
and every input envelope is strict (cno_app.api.serializers.Input): unknown keys and wrong JSON types are
refused, never dropped or coerced.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cno_app.api.openapi import ref
from cno_app.api.serializers import Input
from patients.casedoc import episode_to_case
from patients.choices import Sex
from patients.models.core import record_number_validator

RECORD_NUMBER_HELP = "A pseudonymous record number, unique within the site (never a name)."


class RecordNumberField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("help_text", RECORD_NUMBER_HELP)
        super().__init__(validators=[record_number_validator], **kwargs)


# --- Patients ---------------------------------------------------------------------------------------


class PatientCreateInput(Input):
    site = serializers.SlugField(max_length=32, help_text="Code of one of your sites.")
    record_number = RecordNumberField()
    sex = serializers.ChoiceField(choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)


class PatientUpdateInput(Input):
    record_number = RecordNumberField(required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)


class PatientOutput(serializers.Serializer):
    id = serializers.IntegerField()
    site = serializers.CharField(source="site.code")
    record_number = serializers.CharField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = serializers.DateField(allow_null=True)
    episode_count = serializers.IntegerField()
    biopsy_recommended = serializers.BooleanField(
        allow_null=True, help_text="From the latest assessment of the latest episode; null without episodes."
    )
    exclusion_complete = serializers.BooleanField(allow_null=True)
    open_flags = serializers.IntegerField(help_text="Open review flags on the patient's episodes.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# --- Episodes ---------------------------------------------------------------------------------------


@extend_schema_field(ref("CnoEpisode"))
class ContractEpisodeField(serializers.JSONField):
    """The `episode` object of a cno-case/1 document; validated by the engine, not here."""


class EpisodeCreateInput(Input):
    episode = ContractEpisodeField()


class EpisodeUpdateInput(Input):
    version = serializers.IntegerField(min_value=1, help_text="The version you read (optimistic locking).")
    episode = ContractEpisodeField(help_text="The complete new episode (lesions and biopsy replaced).")


class AssessmentBriefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    ruleset = serializers.CharField()
    created_at = serializers.DateTimeField()
    biopsy_recommended = serializers.BooleanField()
    exclusion_complete = serializers.BooleanField()
    bristol_status = serializers.CharField()
    focality = serializers.CharField()


class EpisodeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    patient_id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Send it back with an update.")
    episode = serializers.SerializerMethodField()
    latest_assessment = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(ref("CnoEpisode"))
    def get_episode(self, obj: Any) -> dict[str, Any]:
        return episode_to_case(obj)["episode"]

    @extend_schema_field(AssessmentBriefOutput(allow_null=True))
    def get_latest_assessment(self, obj: Any) -> dict[str, Any] | None:
        assessment = self.context["assessments"].get(obj.pk)
        return None if assessment is None else AssessmentBriefOutput(assessment).data


# --- Case intake ------------------------------------------------------------------------------------


@extend_schema_field(ref("CnoCase"))
class ContractCaseField(serializers.JSONField):
    """A cno-case/1 document; validated by the engine, not here."""


class CaseIntakeInput(Input):
    site = serializers.SlugField(max_length=32, help_text="Code of one of your sites.")
    record_number = RecordNumberField(help_text="Same site and record number = same patient.")
    case = ContractCaseField()


@extend_schema_field(ref("CnoAssessment"))
class ContractAssessmentField(serializers.JSONField):
    pass


class CaseIntakeOutput(serializers.Serializer):
    patient_id = serializers.IntegerField()
    episode_id = serializers.IntegerField()
    assessment = ContractAssessmentField(help_text="Exactly what `python -m exclusion assess` prints.")


# --- Rules ------------------------------------------------------------------------------------------


class RuleOutput(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    inputs = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()
    source = serializers.CharField()


class RuleCatalogueOutput(serializers.Serializer):
    ruleset = serializers.CharField()
    rules = RuleOutput(many=True)
