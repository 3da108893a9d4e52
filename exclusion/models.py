"""Every model of the exclusion app, so Django finds them: each lives in the package of its concern."""

from exclusion.assessments.models import Assessment
from exclusion.interop.cds_hooks.models import CdsCallSeen, CdsCard, CdsClient, CdsFeedback
from exclusion.registry.models import RegistryJob
from exclusion.review.models import Flag, FlagEvent, SignOff
from exclusion.summaries.models import ActivityState, ActivitySummary

__all__ = [
    "ActivityState",
    "ActivitySummary",
    "Assessment",
    "CdsCallSeen",
    "CdsCard",
    "CdsClient",
    "CdsFeedback",
    "Flag",
    "RegistryJob",
    "FlagEvent",
    "SignOff",
]
