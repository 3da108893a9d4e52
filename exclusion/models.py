"""Every model of the exclusion app, so Django finds them: each lives in the package of its concern."""

from exclusion.assessments.models import Assessment
from exclusion.review.models import Flag, FlagEvent, SignOff
from exclusion.summaries.models import ActivityState, ActivitySummary

__all__ = ["ActivityState", "ActivitySummary", "Assessment", "Flag", "FlagEvent", "SignOff"]
