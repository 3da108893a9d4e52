from patients.models.core import Biopsy, Episode, Lesion, Patient, Site, SiteMembership
from patients.models.audit import AuditEntry

__all__ = ["AuditEntry", "Biopsy", "Episode", "Lesion", "Patient", "Site", "SiteMembership"]
