from exclusion.models.assessment import Assessment
from exclusion.models.review import Flag, FlagEvent, SignOff

__all__ = ["Assessment", "Flag", "FlagEvent", "SignOff"]
