from patients.models.audit import AuditEntry
from patients.models.core import Biopsy, Episode, Lesion, Patient, Site, SiteMembership
from patients.models.idempotency import IdempotencyKey
from patients.models.preference import UserPreference
from patients.models.treatment import Treatment
from patients.tokens.models import ApiToken

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Biopsy",
    "Episode",
    "IdempotencyKey",
    "Lesion",
    "Patient",
    "Site",
    "SiteMembership",
    "Treatment",
    "UserPreference",
]
