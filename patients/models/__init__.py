from patients.models.audit import AuditEntry
from patients.models.core import Biopsy, Episode, Lesion, Patient, Site, SiteMembership
from patients.models.summary import ActivityState, ActivitySummary
from patients.models.tokens import ApiToken

__all__ = [
    "ActivityState",
    "ActivitySummary",
    "ApiToken",
    "AuditEntry",
    "Biopsy",
    "Episode",
    "Lesion",
    "Patient",
    "Site",
    "SiteMembership",
]
